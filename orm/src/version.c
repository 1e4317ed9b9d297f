/* The library's version at run time (orm/version.h). */
#include "orm/version.h"

const char *orm_version(void)
{
    return ORM_VERSION_STRING;
}
