/*
 * A listening socket and the servers' URL pieces for the tests that
 * talk to the test servers over TCP themselves (helper_net.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "helper_net.h"
#include "helper_servers.h"

int net_listen(const char *ip, int backlog, int *port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof addr;
    assert_int_equal(inet_pton(AF_INET, ip, &addr.sin_addr), 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, backlog), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

char *net_strf(const char *format, ...)
{
    va_list ap, again;
    va_start(ap, format);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (out)
        vsnprintf(out, (size_t)n + 1, format, again);
    va_end(again);
    assert_non_null(out);
    return out;
}

const char *net_server_url(const char *dialect)
{
    return test_server_url(strcmp(dialect, "postgresql") == 0
                               ? "ORB_TEST_PG_URL"
                               : "ORB_TEST_MYSQL_URL");
}

char *net_url_password(const char *url)
{
    const char *colon = strstr(url, "://orb:");
    const char *at = colon ? strchr(colon, '@') : NULL;
    assert_non_null(at);
    colon += 7;
    return strndup(colon, (size_t)(at - colon));
}
