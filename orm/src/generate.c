/*
 * Default generators (orm_default_generate): random tokens and UUIDs from
 * the operating system's random source (safe across fork), and the
 * current date and time.
 */
#include "convert.h"
#include "alloc.h"

/* ---- default generators ---- */

static int random_bytes_os(unsigned char *out, size_t len, orm_error *err)
{
    size_t got = 0;
#ifdef ORM_HAVE_GETRANDOM
    while (got < len) {
        ssize_t n = getrandom(out + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    if (got == len)
        return 0;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return orm_error_set(err, ORM_EIO, "cannot open /dev/urandom: %s",
                             strerror(errno));
    while (got < len) {
        ssize_t n = read(fd, out + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = n < 0 ? errno : EIO;
            close(fd);
            return orm_error_set(err, ORM_EIO, "cannot read random bytes: %s",
                                 strerror(saved));
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

/*
 * Random bytes from a per-thread pool refilled 4 KiB at a time: a commit
 * of 100k records with token_hex defaults must not make 100k system
 * calls. The pool is refilled after fork() so that a child never repeats
 * its parent's bytes, and used bytes are wiped.
 */
static unsigned random_forks; /* bumped in each child after fork() */
static pthread_once_t random_once = PTHREAD_ONCE_INIT;

static void random_after_fork(void)
{
    random_forks++; /* the child: one thread, its pool is a stale copy */
}

static void random_init(void)
{
    pthread_atfork(NULL, NULL, random_after_fork);
}

static int random_bytes(unsigned char *out, size_t len, orm_error *err)
{
    static _Thread_local struct {
        unsigned char buf[4096];
        size_t pos, len;
        unsigned forks; /* random_forks when it was filled */
    } pool;
    if (len > sizeof pool.buf / 4)
        return random_bytes_os(out, len, err);
    /* A fork handler, not getpid() per call: that is a system call, and
     * 100k token_hex defaults would make 100k of them. */
    pthread_once(&random_once, random_init);
    if (pool.forks != random_forks || pool.len - pool.pos < len) {
        int rc = random_bytes_os(pool.buf, sizeof pool.buf, err);
        if (rc)
            return rc;
        pool.pos = 0;
        pool.len = sizeof pool.buf;
        pool.forks = random_forks;
    }
    memcpy(out, pool.buf + pool.pos, len);
    memset(pool.buf + pool.pos, 0, len);
    pool.pos += len;
    return 0;
}

static int generate_token_hex(orm_value *out, const char *arg, size_t n,
                              orm_error *err)
{
    long count = 0;
    int rc = 0;
    unsigned char *bytes = NULL;
    char *text = NULL;
    int valid = n > 0 && n <= 4;
    for (size_t i = 0; valid && i < n; i++) {
        if (!convert_is_digit(arg[i]))
            valid = 0;
        else
            count = count * 10 + (arg[i] - '0');
    }
    if (!valid || count < 1 || count > 1024) {
        rc = orm_error_set(err, ORM_EINVALID,
                           "token_hex(N) needs a byte count N from 1 to "
                           "1024 (got '%.*s')",
                           (int)n, arg);
        goto done;
    }
    /* The random bytes on the stack for the usual sizes. */
    unsigned char small[64];
    bytes = count <= (long)sizeof small ? small : orm_malloc((size_t)count);
    text = orm_malloc(2 * (size_t)count + 1);
    if (!bytes || !text) {
        rc = convert_nomem(err);
        goto done;
    }
    if ((rc = random_bytes(bytes, (size_t)count, err)))
        goto done;
    for (long i = 0; i < count; i++) {
        text[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
        text[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
    }
    text[2 * count] = '\0';
    out->kind = ORM_VTEXT;
    out->owned = 1;
    out->u.s.ptr = text;
    out->u.s.len = 2 * (size_t)count;
    text = NULL;
done:
    if (bytes != small)
        free(bytes);
    free(text);
    return rc;
}

static int generate_uuid4(orm_value *out, orm_error *err)
{
    unsigned char bytes[16];
    char text[37];
    int rc = random_bytes(bytes, sizeof bytes, err);
    if (rc)
        return rc;
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40);
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80);
    orm_uuid_from_bytes(text, bytes);
    return convert_text_out(out, text, 36, err);
}

static int generate_now(orm_value *out, int date_only, orm_error *err)
{
    struct timespec now;
    struct tm utc;
    orm_datetime dt;
    char text[ORM_DATETIME_TEXT_MAX];

    if (clock_gettime(CLOCK_REALTIME, &now) != 0 ||
        !gmtime_r(&now.tv_sec, &utc))
        return orm_error_set(err, ORM_EIO, "cannot read the clock: %s",
                             strerror(errno));
    memset(&dt, 0, sizeof dt);
    dt.year = utc.tm_year + 1900;
    dt.month = utc.tm_mon + 1;
    dt.day = utc.tm_mday;
    dt.hour = utc.tm_hour;
    dt.minute = utc.tm_min;
    dt.second = utc.tm_sec > 59 ? 59 : utc.tm_sec;
    long micros = (now.tv_nsec / 1000) % 1000000;
    snprintf(dt.frac, sizeof dt.frac, "%06ld", micros);
    for (size_t len = strlen(dt.frac); len && dt.frac[len - 1] == '0';)
        dt.frac[--len] = '\0';
    dt.parts = ORM_DATETIME_HAS_DATE | (date_only ? 0 : ORM_DATETIME_HAS_TIME);
    size_t len = orm_datetime_text(text, &dt);
    return convert_text_out(out, text, len, err);
}

int orm_default_generate(orm_value *out, const char *gen, orm_error *err)
{
    if (!out)
        return orm_error_set(err, ORM_EINVALID, "no value to generate into");
    *out = orm_value_null();
    if (!gen)
        return orm_error_set(err, ORM_EINVALID, "no default generator given");

    /* name ( arg ) with spaces tolerated around every part */
    const char *s = gen;
    size_t n = strlen(gen);
    convert_trim(&s, &n);
    size_t name_len = 0;
    while (name_len < n &&
           (isalnum((unsigned char)s[name_len]) || s[name_len] == '_'))
        name_len++;
    size_t i = name_len;
    while (i < n && convert_is_space(s[i]))
        i++;
    if (name_len == 0 || i >= n || s[i] != '(' || s[n - 1] != ')')
        goto unknown;
    const char *arg = s + i + 1;
    size_t arg_len = n - i - 2;
    convert_trim(&arg, &arg_len);

    if (name_len == 9 && strncmp(s, "token_hex", 9) == 0)
        return generate_token_hex(out, arg, arg_len, err);
    if (arg_len != 0)
        goto unknown;
    if (name_len == 5 && strncmp(s, "uuid4", 5) == 0)
        return generate_uuid4(out, err);
    if (name_len == 3 && strncmp(s, "now", 3) == 0)
        return generate_now(out, 0, err);
    if (name_len == 5 && strncmp(s, "today", 5) == 0)
        return generate_now(out, 1, err);
unknown:
    return orm_error_set(err, ORM_EINVALID,
                         "unknown default generator '%s' (known: "
                         "token_hex(N), uuid4(), now(), today())",
                         gen);
}
