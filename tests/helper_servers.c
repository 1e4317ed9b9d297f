/*
 * The URLs of the test servers, and skipping the tests that need them
 * when a package build says there are none (ORB_TEST_SKIP_SERVERS=1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_servers.h"
#include "orm/version.h"

int test_servers_skipped(const char *what)
{
    const char *skip = getenv("ORB_TEST_SKIP_SERVERS");
    if (!skip || strcmp(skip, "1") != 0)
        return 0;
    fprintf(stderr,
            "%s: skipped: ORB_TEST_SKIP_SERVERS=1 (no PostgreSQL or MariaDB "
            "test server; scripts/with-servers.sh provides them)\n",
            what);
    return 1;
}

static int dialect_built(const char *dialect)
{
    for (size_t i = 0; orm_dialect_name(i); i++)
        if (strcmp(orm_dialect_name(i), dialect) == 0)
            return 1;
    return 0;
}

const char *test_server_url(const char *variable)
{
    const char *dialect =
        strcmp(variable, "ORB_TEST_PG_URL") == 0 ? "postgresql" : "mysql";
    const char *url = getenv(variable);
    if (test_servers_skipped(variable))
        skip();
    if (!dialect_built(dialect)) {
        fprintf(stderr, "%s: skipped: this build has no %s driver\n", variable,
                dialect);
        skip();
    }
    if (!url || !*url)
        fail_msg("%s is not set: run the tests under scripts/with-servers.sh "
                 "so that every dialect is checked",
                 variable);
    return url;
}
