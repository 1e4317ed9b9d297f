/*
 * Logins and secrets.
 *
 * The MySQL/MariaDB driver's login against a fake server on 127.0.0.1
 * that offers no TLS and asks for the password in clear text
 * (mysql_clear_password), in its greeting or by switching plugins after
 * the first answer. Whatever the URL says, the password never reaches
 * it: with TLS required orb refuses before sending anything; without,
 * it refuses the clear-text plugin. Each refusal says why.
 *
 * A password in the URL on orb's command line is not visible in the
 * process's arguments (`ps`, /proc/PID/cmdline) while orb runs: checked
 * on the real orb connected to the test PostgreSQL server
 * (ORB_TEST_PG_URL, set by scripts/with-servers.sh; the test fails
 * without it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_servers.h"
#include "orm/orm.h"

#define PASSWORD      "Sekr1t-Never-Sent"
#define RECEIVED_MAX  65536
#define CLIENT_SSL    0x0800u
#define IDLE_LIMIT_MS 5000

typedef enum ask_mode { ASK_IN_GREETING, ASK_BY_SWITCH } ask_mode;

typedef struct fake_server {
    int listen_fd;
    unsigned short port;
    ask_mode mode;
    atomic_int stop;
    int connections;
    unsigned char received[RECEIVED_MAX];
    size_t nreceived;
    pthread_t thread;
} fake_server;

/* One packet: 3-byte length, sequence number, payload. */
static void send_packet(int fd, unsigned char seq, const unsigned char *p,
                        size_t len)
{
    unsigned char head[4] = {(unsigned char)(len & 0xff),
                             (unsigned char)(len >> 8 & 0xff),
                             (unsigned char)(len >> 16 & 0xff), seq};
    if (write(fd, head, 4) != 4 || write(fd, p, len) != (ssize_t)len)
        return; /* the client went away: it will say so itself */
}

static size_t put(unsigned char *out, size_t at, const void *p, size_t n)
{
    memcpy(out + at, p, n);
    return at + n;
}

/* A protocol 10 greeting with every capability but CLIENT_SSL. */
static void send_greeting(int fd, const char *plugin)
{
    unsigned char g[256];
    size_t n = 0;
    uint32_t caps = 0xffffffffu & ~CLIENT_SSL;
    const unsigned char zeros[10] = {0};
    g[n++] = 10;
    n = put(g, n, "5.5.5-10.11.0-fake", 19); /* with its NUL */
    n = put(g, n, "\x07\0\0\0", 4);          /* connection id */
    n = put(g, n, "abcdefgh", 8);            /* scramble, part 1 */
    g[n++] = 0;
    g[n++] = (unsigned char)(caps & 0xff);
    g[n++] = (unsigned char)(caps >> 8 & 0xff);
    g[n++] = 45; /* utf8mb4 */
    g[n++] = 2;  /* status: autocommit */
    g[n++] = 0;
    g[n++] = (unsigned char)(caps >> 16 & 0xff);
    g[n++] = (unsigned char)(caps >> 24 & 0xff);
    g[n++] = 21; /* scramble length */
    n = put(g, n, zeros, 10);
    n = put(g, n, "ijklmnopqrst", 13); /* scramble, part 2, with NUL */
    n = put(g, n, plugin, strlen(plugin) + 1);
    send_packet(fd, 0, g, n);
}

/* Everything the client sends on one connection, until it closes it. */
static void serve(fake_server *s, int fd)
{
    int switched = 0;
    send_greeting(fd, s->mode == ASK_IN_GREETING ? "mysql_clear_password"
                                                 : "mysql_native_password");
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, IDLE_LIMIT_MS) <= 0)
            break;
        ssize_t r =
            read(fd, s->received + s->nreceived, RECEIVED_MAX - s->nreceived);
        if (r <= 0)
            break;
        s->nreceived += (size_t)r;
        if (s->mode == ASK_BY_SWITCH && !switched) {
            static const unsigned char ask[] = "\xfemysql_clear_password";
            switched = 1;
            send_packet(fd, 2, ask, sizeof ask); /* with the NUL */
        }
    }
}

static void *server_main(void *arg)
{
    fake_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {s->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        s->connections++;
        serve(s, fd);
        close(fd);
    }
    return NULL;
}

static void start_server(fake_server *s, ask_mode mode)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr),
                     0);
    assert_int_equal(listen(s->listen_fd, 4), 0);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&addr, &len),
                     0);
    s->port = ntohs(addr.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void stop_server(fake_server *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
}

static int received_password(const fake_server *s)
{
    size_t n = strlen(PASSWORD);
    for (size_t i = 0; i + n <= s->nreceived; i++)
        if (memcmp(s->received + i, PASSWORD, n) == 0)
            return 1;
    return 0;
}

/* Open mysql://orb:PASSWORD@127.0.0.1:PORT/db?QUERY against the fake
 * server; it must fail, with `want` in the message. */
static fake_server *try_login(ask_mode mode, const char *query,
                              const char *want)
{
    fake_server *s = malloc(sizeof *s);
    char url[256];
    orm_db *db = NULL;
    assert_non_null(s);
    start_server(s, mode);
    snprintf(url, sizeof url, "mysql://orb:" PASSWORD "@127.0.0.1:%u/db%s%s",
             s->port, *query ? "?" : "", query);
    int rc = orm_db_open(&db, url, NULL);
    char *msg = strdup(orm_error_text(orm_db_error(db)));
    orm_db_free(db);
    stop_server(s);
    if (received_password(s))
        fail_msg("%s: the fake server received the password", query);
    if (rc == 0)
        fail_msg("logged in to a fake server (%s)", query);
    if (!strstr(msg, want))
        fail_msg("%s: got '%s', want '%s'", query, msg, want);
    if (strstr(msg, PASSWORD))
        fail_msg("the message shows the password: %s", msg);
    free(msg);
    return s;
}

static void
test_login__tls_required_refused_before_anything_is_sent(void **state)
{
    static const char *const queries[] = {"ssl_mode=REQUIRED", "ssl=true",
                                          "ssl_mode=VERIFY_IDENTITY"};
    (void)state;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        for (int mode = ASK_IN_GREETING; mode <= ASK_BY_SWITCH; mode++) {
            fake_server *s =
                try_login((ask_mode)mode, queries[i],
                          "TLS is required (ssl_mode) but the server does "
                          "not offer it");
            /* Not even the user name: the server only got looked at. */
            if (s->nreceived != 0)
                fail_msg("%s: the server received %zu bytes", queries[i],
                         s->nreceived);
            free(s);
        }
}

static void test_login__clear_text_password_never_sent_without_tls(void **state)
{
    static const char *const queries[] = {"", "ssl_mode=PREFERRED",
                                          "ssl_mode=DISABLED"};
    (void)state;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        free(try_login(ASK_IN_GREETING, queries[i],
                       "the server asks for the password in clear text on a "
                       "connection without TLS"));
        /* Asked for after the first answer: refused all the same (the
         * message is libmariadb's own about the plugin). */
        free(try_login(ASK_BY_SWITCH, queries[i], "cannot connect"));
    }
}

/* Whether process `pid` has a socket open (it has started connecting,
 * so main() is well past its first lines). */
static int has_socket(pid_t pid)
{
    char dir[64], link[384], target[64];
    snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while (!found && (e = readdir(d)) != NULL) {
        snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            found = strncmp(target, "socket:", 7) == 0;
        }
    }
    closedir(d);
    return found;
}

static char *read_cmdline(pid_t pid)
{
    char path[64];
    static char text[4096];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    assert_true(n > 0);
    for (ssize_t i = 0; i < n; i++)
        if (text[i] == '\0')
            text[i] = ' ';
    text[n] = '\0';
    return text;
}

static void test_login__password_hidden_from_ps(void **state)
{
    const char *url = test_server_url("ORB_TEST_PG_URL");
    char dir[] = "/tmp/orb-login-XXXXXX", models[96], fifo[96], pw[256];
    (void)state;
    /* The password of postgresql://USER:PASSWORD@HOST... */
    const char *colon = strchr(strstr(url, "://") + 3, ':');
    const char *at = strchr(url, '@');
    assert_true(colon && at && at > colon + 1);
    snprintf(pw, sizeof pw, "%.*s", (int)(at - colon - 1), colon + 1);
    assert_non_null(mkdtemp(dir));
    snprintf(models, sizeof models, "%s/m.ini", dir);
    snprintf(fifo, sizeof fifo, "%s/out", dir);
    FILE *f = fopen(models, "w");
    assert_non_null(f);
    fputs("[Thing]\n__tablename__ = orb_login_no_such_table\n"
          "id = Integer primary_key\n",
          f);
    fclose(f);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* orb connects, then waits for a reader of the FIFO it exports to. */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execl(ORB_BINARY_DIR "/orb", "orb", "--models", models, url, "export",
              "Thing", "--format", "csv", "--output", fifo, (char *)NULL);
        _exit(127);
    }
    int seen = 0;
    for (int i = 0; i < 10000 && !(seen = has_socket(pid)); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    char *cmdline = seen ? read_cmdline(pid) : NULL;
    int leaked = cmdline && strstr(cmdline, pw) != NULL;
    int host_kept = cmdline && strstr(cmdline, at) != NULL;
    /* Let it finish: read the FIFO to its end. */
    int rd = open(fifo, O_RDONLY);
    char buf[4096];
    while (rd >= 0 && read(rd, buf, sizeof buf) > 0)
        ;
    if (rd >= 0)
        close(rd);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    unlink(fifo);
    unlink(models);
    rmdir(dir);
    assert_true(seen);
    if (leaked)
        fail_msg("the password shows in the arguments: %s", cmdline);
    assert_true(host_kept); /* the rest of the URL is still there */
    assert_true(WIFEXITED(status));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_login__tls_required_refused_before_anything_is_sent),
        cmocka_unit_test(
            test_login__clear_text_password_never_sent_without_tls),
        cmocka_unit_test(test_login__password_hidden_from_ps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
