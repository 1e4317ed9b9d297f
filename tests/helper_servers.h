/*
 * The URLs of the test servers: ORB_TEST_PG_URL and ORB_TEST_MYSQL_URL,
 * which scripts/with-servers.sh sets. Without them the server-backed tests
 * fail, so that `make check` never passes without every dialect checked;
 * only ORB_TEST_SKIP_SERVERS=1 (for package builds, which have no servers)
 * skips them, with the reason printed.
 */
#ifndef HELPER_SERVERS_H
#define HELPER_SERVERS_H

/* ORB_TEST_SKIP_SERVERS=1: print why `what` is skipped and return 1. A
 * program that only talks to a server then exits with
 * TEST_SERVERS_SKIPPED, which CMake tells ctest means "skipped". */
int test_servers_skipped(const char *what);
#define TEST_SERVERS_SKIPPED 77

/*
 * Inside a cmocka test: the URL in `variable`. Skips the test (cmocka
 * skip()) when ORB_TEST_SKIP_SERVERS=1 or when the dialect's driver is
 * not built into this build; fails it when the variable is not set.
 */
const char *test_server_url(const char *variable);

#endif
