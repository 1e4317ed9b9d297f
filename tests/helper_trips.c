/*
 * The round-trip counting proxy (helper_trips.h). One thread polls the
 * listening socket and every (client, server) pair; a pair remembers
 * whether the client spoke since the server last did, and the first
 * server data after that is one round trip, counted before it is passed
 * on: once a client's call has its answer, the count includes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helper_trips.h"

#define TRIPS_MAX_PAIRS 16

typedef struct trips_pair {
    int client, server;
    int client_spoke; /* since the server last answered */
} trips_pair;

struct test_trips {
    int listener;
    int wake[2]; /* a byte here stops the thread */
    struct sockaddr_in target;
    pthread_t thread;
    pthread_mutex_t lock;
    long count;
    long connections;
    long server_bytes;
    trips_pair pairs[TRIPS_MAX_PAIRS];
    size_t npairs;
    long cut_after; /* bytes from servers until the cut; -1: never */
    int cut;        /* the network is gone */
    int filler;     /* the connection that keeps the listen queue full */
};

static void pair_close(trips_pair *p)
{
    close(p->client);
    close(p->server);
    p->client = p->server = -1;
}

/* Write all of `buf` to `to`; 0 when the connection ended. */
static int write_all(int to, const char *buf, ssize_t n)
{
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        off += w;
    }
    return 1;
}

/* Pass what `from` has to `to`; 0 when the connection ended. A server's
 * answer is counted (once the client has spoken) before it is passed on;
 * its closing the connection is no answer (a client's goodbye gets
 * none). `*from_servers` grows by the bytes a server sent. */
static int forward(test_trips *t, trips_pair *p, int from, int to,
                   long *from_servers)
{
    char buf[65536];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0)
        return 0;
    if (from == p->client) {
        p->client_spoke = 1;
        return write_all(to, buf, n);
    }
    *from_servers += n;
    pthread_mutex_lock(&t->lock);
    t->server_bytes += n; /* before the client can have them */
    if (p->client_spoke) {
        t->count++;
        p->client_spoke = 0;
    }
    pthread_mutex_unlock(&t->lock);
    return write_all(to, buf, n);
}

static void accept_one(test_trips *t)
{
    int client = accept(t->listener, NULL, NULL);
    if (client < 0)
        return;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (server < 0 || t->npairs == TRIPS_MAX_PAIRS ||
        connect(server, (const struct sockaddr *)&t->target,
                sizeof t->target) != 0) {
        close(client);
        if (server >= 0)
            close(server);
        return;
    }
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    t->pairs[t->npairs++] = (trips_pair){client, server, 0};
    pthread_mutex_lock(&t->lock);
    t->connections++;
    pthread_mutex_unlock(&t->lock);
}

/* The network goes: nothing is read any more, and the listen queue is
 * shortened to one and filled, so the kernel drops a new SYN. */
static void trips_cut(test_trips *t)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    pthread_mutex_lock(&t->lock);
    t->cut = 1;
    pthread_mutex_unlock(&t->lock);
    t->filler = socket(AF_INET, SOCK_STREAM, 0);
    if (listen(t->listener, 0) != 0 || t->filler < 0 ||
        getsockname(t->listener, (struct sockaddr *)&sa, &len) != 0 ||
        connect(t->filler, (struct sockaddr *)&sa, len) != 0)
        fail_msg("round-trip proxy: cannot cut: %s", strerror(errno));
}

static void *trips_run(void *arg)
{
    test_trips *t = arg;
    struct pollfd fds[2 + 2 * TRIPS_MAX_PAIRS];
    for (;;) {
        size_t nfds = 0;
        fds[nfds++] = (struct pollfd){.fd = t->wake[0], .events = POLLIN};
        if (t->cut) { /* only the wake-up is heard */
            if (poll(fds, nfds, -1) < 0 && errno == EINTR)
                continue;
            break;
        }
        fds[nfds++] = (struct pollfd){.fd = t->listener, .events = POLLIN};
        for (size_t i = 0; i < t->npairs; i++) {
            fds[nfds++] =
                (struct pollfd){.fd = t->pairs[i].client, .events = POLLIN};
            fds[nfds++] =
                (struct pollfd){.fd = t->pairs[i].server, .events = POLLIN};
        }
        if (poll(fds, nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents) {
            char what = 0;
            if (read(t->wake[0], &what, 1) != 1 || what != 'c')
                break;
            trips_cut(t); /* test_trips_cut_after(t, 0) */
            continue;
        }
        size_t npairs = t->npairs;
        for (size_t i = 0; i < npairs; i++) {
            trips_pair *p = &t->pairs[i];
            short from_client = fds[2 + 2 * i].revents;
            short from_server = fds[3 + 2 * i].revents;
            if (p->client < 0)
                continue;
            long from_servers = 0;
            if (from_client &&
                !forward(t, p, p->client, p->server, &from_servers)) {
                pair_close(p);
                continue;
            }
            if (from_server &&
                !forward(t, p, p->server, p->client, &from_servers))
                pair_close(p);
            pthread_mutex_lock(&t->lock);
            int cut = t->cut_after >= 0 && (t->cut_after -= from_servers) <= 0;
            pthread_mutex_unlock(&t->lock);
            if (cut) {
                trips_cut(t);
                break;
            }
        }
        if (t->cut)
            continue;
        /* Drop closed pairs. */
        size_t kept = 0;
        for (size_t i = 0; i < t->npairs; i++)
            if (t->pairs[i].client >= 0)
                t->pairs[kept++] = t->pairs[i];
        t->npairs = kept;
        if (fds[1].revents & POLLIN)
            accept_one(t);
    }
    return NULL;
}

/* Host and port of a test URL: what follows '@' (or "//") up to '/'. */
static void url_target(const char *url, struct sockaddr_in *sa,
                       const char **host_start, const char **host_end)
{
    const char *p = strstr(url, "://");
    if (!p)
        fail_msg("not a server URL: %s", url);
    p += 3;
    const char *slash = strchr(p, '/');
    const char *at = memchr(p, '@', slash ? (size_t)(slash - p) : strlen(p));
    const char *host = at ? at + 1 : p;
    const char *end = slash ? slash : host + strlen(host);
    const char *colon = memchr(host, ':', (size_t)(end - host));
    char name[64];
    size_t len = (size_t)((colon ? colon : end) - host);
    if (!colon || len >= sizeof name)
        fail_msg("no host:port in the test URL");
    memcpy(name, host, len);
    name[len] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10));
    if (inet_pton(AF_INET, name, &sa->sin_addr) != 1)
        fail_msg("the test server's host is not an IPv4 address: %s", name);
    *host_start = host;
    *host_end = end;
}

test_trips *test_trips_start(const char *url, char **proxied)
{
    test_trips *t = calloc(1, sizeof *t);
    const char *host, *end;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t salen = sizeof sa;
    assert_non_null(t);
    t->cut_after = -1;
    t->filler = -1;
    url_target(url, &t->target, &host, &end);
    t->listener = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (t->listener < 0 ||
        bind(t->listener, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(t->listener, 16) != 0 ||
        getsockname(t->listener, (struct sockaddr *)&sa, &salen) != 0 ||
        pipe(t->wake) != 0)
        fail_msg("round-trip proxy: %s", strerror(errno));
    pthread_mutex_init(&t->lock, NULL);
    if (pthread_create(&t->thread, NULL, trips_run, t) != 0)
        fail_msg("round-trip proxy: no thread");
    size_t head = (size_t)(host - url);
    size_t size = strlen(url) + 32;
    *proxied = malloc(size);
    assert_non_null(*proxied);
    snprintf(*proxied, size, "%.*s127.0.0.1:%d%s", (int)head, url,
             ntohs(sa.sin_port), end);
    return t;
}

long test_trips_count(test_trips *t)
{
    pthread_mutex_lock(&t->lock);
    long n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

long test_trips_connections(test_trips *t)
{
    pthread_mutex_lock(&t->lock);
    long n = t->connections;
    pthread_mutex_unlock(&t->lock);
    return n;
}

long test_trips_server_bytes(test_trips *t)
{
    pthread_mutex_lock(&t->lock);
    long n = t->server_bytes;
    pthread_mutex_unlock(&t->lock);
    return n;
}

void test_trips_cut_after(test_trips *t, long bytes)
{
    pthread_mutex_lock(&t->lock);
    t->cut_after = bytes;
    pthread_mutex_unlock(&t->lock);
    if (bytes <= 0) {
        if (write(t->wake[1], "c", 1) != 1)
            fail_msg("round-trip proxy: cannot cut");
        while (!test_trips_cut(t)) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

int test_trips_cut(test_trips *t)
{
    pthread_mutex_lock(&t->lock);
    int cut = t->cut;
    pthread_mutex_unlock(&t->lock);
    return cut;
}

void test_trips_stop(test_trips *t)
{
    if (!t)
        return;
    if (write(t->wake[1], "x", 1) != 1)
        fail_msg("round-trip proxy: cannot stop");
    pthread_join(t->thread, NULL);
    for (size_t i = 0; i < t->npairs; i++)
        pair_close(&t->pairs[i]);
    close(t->listener);
    if (t->filler >= 0)
        close(t->filler);
    close(t->wake[0]);
    close(t->wake[1]);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
