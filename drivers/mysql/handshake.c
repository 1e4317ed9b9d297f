/*
 * Reading a MySQL/MariaDB server's greeting (the Initial Handshake
 * Packet, protocol 10) to learn whether it offers TLS. See handshake.h.
 *
 *   3 bytes payload length, 1 byte sequence number, then the payload:
 *   1 protocol version (10; 0xFF is an error packet), the server version
 *   up to a NUL, 4 connection id, 8 scramble, 1 filler, 2 capability
 *   flags (lower half; CLIENT_SSL is 0x0800), ...
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "handshake.h"

#define MY_CLIENT_SSL     0x0800u
#define MY_GREETING_MAX   4096 /* real greetings are about 100 bytes */
#define MY_DEFAULT_PORT   3306u
#define MY_DEFAULT_WAIT_S 10u

static long ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
           (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

#define MY_TIMED_OUT (-2)

/* Wait for fd to become ready for `events` until the deadline: 0, -1 on
 * an error, MY_TIMED_OUT. */
static int wait_for(int fd, short events, const struct timespec *deadline)
{
    for (;;) {
        long left = ms_left(deadline);
        struct pollfd p = {fd, events, 0};
        if (left <= 0)
            return MY_TIMED_OUT;
        int rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

/* Exactly n bytes: 0, -1, or MY_TIMED_OUT. */
static int read_exact(int fd, unsigned char *out, size_t n,
                      const struct timespec *deadline)
{
    size_t got = 0;
    while (got < n) {
        int rc = wait_for(fd, POLLIN, deadline);
        if (rc != 0)
            return rc;
        ssize_t r = recv(fd, out + got, n - got, 0);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
            return -1;
        if (r > 0)
            got += (size_t)r;
    }
    return 0;
}

/* A connected, non-blocking TCP socket, or -1 (*timed_out set when the
 * deadline passed). */
static int connect_to(const char *host, unsigned port,
                      const struct timespec *deadline, int *timed_out)
{
    struct addrinfo hints, *list = NULL;
    char service[16];
    int fd = -1;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%u", port);
    if (getaddrinfo(host, service, &hints, &list) != 0)
        return -1;
    for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    a->ai_protocol);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen), soerr = 0;
        int waited = -1;
        socklen_t len = sizeof soerr;
        if (rc != 0 && errno == EINPROGRESS)
            waited = wait_for(fd, POLLOUT, deadline);
        if (waited == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
            soerr == 0)
            rc = 0;
        if (waited == MY_TIMED_OUT)
            *timed_out = 1;
        if (rc != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

/* What the greeting's payload says. */
static my_tls_offer parse_greeting(const unsigned char *p, size_t len)
{
    if (len < 1 || p[0] != 10)
        return MY_TLS_UNKNOWN; /* an error packet or an unknown protocol */
    const unsigned char *end = p + len;
    const unsigned char *nul = memchr(p + 1, 0, len - 1);
    if (!nul)
        return MY_TLS_UNKNOWN;
    const unsigned char *caps = nul + 1 + 4 + 8 + 1;
    if (caps + 2 > end)
        return MY_TLS_UNKNOWN;
    unsigned lower = (unsigned)caps[0] | (unsigned)caps[1] << 8;
    return (lower & MY_CLIENT_SSL) ? MY_TLS_OFFERED : MY_TLS_NOT_OFFERED;
}

my_tls_offer my_server_tls_offer(const char *host, unsigned port,
                                 unsigned timeout_s)
{
    struct timespec deadline;
    unsigned char head[4], *payload = NULL;
    my_tls_offer offer = MY_TLS_UNKNOWN;
    if (port == 0) {
        const char *env = getenv("MYSQL_TCP_PORT");
        long p = env ? strtol(env, NULL, 10) : 0;
        port = p > 0 && p < 65536 ? (unsigned)p : MY_DEFAULT_PORT;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_s ? timeout_s : MY_DEFAULT_WAIT_S;
    int timed_out = 0, rc;
    int fd = connect_to(host, port, &deadline, &timed_out);
    if (fd < 0)
        return timed_out ? MY_TLS_NO_ANSWER : MY_TLS_UNKNOWN;
    if ((rc = read_exact(fd, head, sizeof head, &deadline)) == 0) {
        size_t len =
            (size_t)head[0] | (size_t)head[1] << 8 | (size_t)head[2] << 16;
        if (len > 0 && len <= MY_GREETING_MAX && (payload = orm_malloc(len)) &&
            (rc = read_exact(fd, payload, len, &deadline)) == 0)
            offer = parse_greeting(payload, len);
    }
    if (rc == MY_TIMED_OUT)
        offer = MY_TLS_NO_ANSWER;
    free(payload);
    close(fd);
    return offer;
}
