/* Models files (orm_modelfile_parse): any text loads what is valid and
 * lists its problems; nothing crashes or leaks. */
#include "fuzz.h"
#include "orm/orm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    orm_modelfile *mf = NULL;
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_modelfile_parse(&mf, text, "fuzz.ini", &err);
    if (mf) {
        char *problems = orm_modelfile_problems_text(mf);
        FUZZ_ASSERT(rc == 0 || (problems && *problems) || err.message,
                    "a failure without a problem named");
        free(problems);
    }
    orm_modelfile_free(mf);
    orm_error_clear(&err);
    free(text);
    return 0;
}
