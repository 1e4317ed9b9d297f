/*
 * Test helpers (compiled into every test program) for the tests that
 * stand between orb and the test servers themselves (test_timeout,
 * test_tls, test_config): a TCP socket listening on a loopback address,
 * and the pieces of the servers' URLs they rebuild.
 */
#ifndef HELPER_NET_H
#define HELPER_NET_H

/* A TCP socket listening on `ip` (a loopback address; any 127/8 one is
 * this machine) with `backlog`, at a port the kernel picks (in *port).
 * The kernel completes handshakes into the backlog: with nobody
 * accepting, it is a server that never answers. Fails the running test
 * when the machine refuses. */
int net_listen(const char *ip, int backlog, int *port);

/* printf into a new string (free()); fails the running test when out of
 * memory. */
char *net_strf(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The test server of `dialect` ("postgresql": ORB_TEST_PG_URL, else
 * ORB_TEST_MYSQL_URL), as test_server_url gives it. */
const char *net_server_url(const char *dialect);

/* The password of a test server's URL (between "://orb:" and '@'); the
 * caller frees it. */
char *net_url_password(const char *url);

#endif
