/*
 * Connection URLs: SQLAlchemy-style database URLs parsed into their parts
 * (orm_url_parse) and written back as canonical text (orm_url_format).
 *
 * Splitting follows what browsers do: the authority runs from "://" to the
 * first '/' or '?', and the LAST '@' inside it ends the user information,
 * so an unencoded '@' in a password still works. Errors never quote the
 * password: anything that might be (part of) it is described by its
 * position instead.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "orm/sys/number.h"
#include "orm/sys/buf.h"
#include "orm/url.h"
#include "alloc.h"

#define URL_MAX_PORT 65535

/* What the parser knows while it works, for positions and leak checks. */
typedef struct url_parser {
    const char *text;     /* the caller's text: positions count from it */
    const char *auth;     /* authority (after "://") ... */
    const char *auth_end; /* ... up to the first '/' or '?' */
    const char *at;       /* the '@' ending the user information, or NULL */
    const char *pass;     /* raw (still encoded) password span, or NULL */
    size_t pass_len;
    const char *end; /* end of the text (trailing blanks dropped) */
    orm_error *err;
} url_parser;

static const struct {
    const char *scheme;
    const char *dialect;
} url_dialects[] = {
    {"sqlite", "sqlite"},       {"postgresql", "postgresql"},
    {"postgres", "postgresql"}, {"mysql", "mysql"},
    {"mariadb", "mysql"},
};

static size_t url_pos(const url_parser *p, const char *at)
{
    return (size_t)(at - p->text) + 1;
}

/* Set an error that points at a character of the text. */
static int url_fail_at(url_parser *p, const char *at, const char *what)
{
    size_t pos = url_pos(p, at);
    int rc =
        orm_error_set(p->err, ORM_EINVALID, "%s at character %zu", what, pos);
    if (p->err)
        p->err->position = pos;
    return rc;
}

/* Does [s, s+n) share text with the password (raw or decoded)? */
static int url_overlaps_password(const url_parser *p, const char *s, size_t n,
                                 const char *password)
{
    if (n == 0)
        return 0;
    if (p->pass && p->pass_len) {
        /* Either one contains the other. */
        for (size_t i = 0; i + n <= p->pass_len; i++)
            if (memcmp(p->pass + i, s, n) == 0)
                return 1;
        for (size_t i = 0; i + p->pass_len <= n; i++)
            if (memcmp(s + i, p->pass, p->pass_len) == 0)
                return 1;
    }
    if (password && *password) {
        size_t len = strlen(password);
        for (size_t i = 0; i + n <= len; i++)
            if (memcmp(password + i, s, n) == 0)
                return 1;
        for (size_t i = 0; i + len <= n; i++)
            if (memcmp(s + i, password, len) == 0)
                return 1;
    }
    return 0;
}

/*
 * May a piece of the host/port part be quoted in a message? Only when
 * user information was given explicitly (so "user:secret/db", a URL that
 * forgot its host, cannot put the password where the port goes), no '@'
 * follows the authority (a password with an unencoded '/'), and the piece
 * shares nothing with the password.
 */
static int url_may_quote(const url_parser *p, const char *s, size_t n,
                         const char *password)
{
    if (!p->at)
        return 0;
    for (const char *c = p->auth_end; c < p->end; c++)
        if (*c == '@')
            return 0;
    for (size_t i = 0; i < n; i++)
        if (!isprint((unsigned char)s[i]))
            return 0;
    return !url_overlaps_password(p, s, n, password);
}

/* Percent-decode [s, s+n) into an owned string. %00 is refused: the
 * parts are C strings. */
static int url_decode(char **out, url_parser *p, const char *s, size_t n)
{
    char *dst = orm_malloc(n + 1);
    size_t len = 0;
    *out = NULL;
    if (!dst)
        return orm_error_set(p->err, ORM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            dst[len++] = s[i];
            continue;
        }
        int hi = i + 1 < n ? orm_hex_digit((unsigned char)s[i + 1]) : -1;
        int lo = i + 2 < n ? orm_hex_digit((unsigned char)s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(dst);
            return url_fail_at(p, s + i, "bad %-escape");
        }
        dst[len++] = (char)(hi * 16 + lo);
        i += 2;
    }
    dst[len] = '\0';
    *out = dst;
    return 0;
}

/* Decode a part that stays NULL when empty. */
static int url_decode_opt(char **out, url_parser *p, const char *s, size_t n)
{
    *out = NULL;
    return n ? url_decode(out, p, s, n) : 0;
}

static const char *url_find(const char *s, const char *end, const char *set)
{
    while (s < end && !strchr(set, *s))
        s++;
    return s;
}

static int url_parse_port(orm_url *url, url_parser *p, const char *s, size_t n)
{
    long port = 0;
    size_t i;
    for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
        if (port <= URL_MAX_PORT)
            port = port * 10 + (s[i] - '0');
    if (i < n) {
        if (url_may_quote(p, s, n, url->password))
            return orm_error_set(p->err, ORM_EINVALID,
                                 "port '%.*s' is not a number", (int)n, s);
        return url_fail_at(p, s, "port is not a number");
    }
    if (port < 1 || port > URL_MAX_PORT) {
        if (url_may_quote(p, s, n, url->password))
            return orm_error_set(p->err, ORM_EINVALID,
                                 "port %.*s out of range (1-%d)", (int)n, s,
                                 URL_MAX_PORT);
        return url_fail_at(p, s, "port out of range (1-65535)");
    }
    url->port = (int)port;
    return 0;
}

/* user[:password]@host[:port] for the network dialects. */
static int url_parse_authority(orm_url *url, url_parser *p)
{
    const char *s = p->auth, *end = p->auth_end;
    int rc;
    for (const char *c = s; c < end; c++)
        if (*c == '@')
            p->at = c;
    if (p->at) {
        const char *colon = url_find(s, p->at, ":");
        if ((rc = url_decode_opt(&url->user, p, s, (size_t)(colon - s))))
            return rc;
        if (colon < p->at) {
            p->pass = colon + 1;
            p->pass_len = (size_t)(p->at - p->pass);
            if ((rc = url_decode(&url->password, p, p->pass, p->pass_len)))
                return rc;
        }
        s = p->at + 1;
    }
    const char *port = NULL;
    if (s < end && *s == '[') {
        const char *close = url_find(s, end, "]");
        if (close == end)
            return url_fail_at(p, s, "unclosed '[' in host");
        if (close == s + 1)
            return url_fail_at(p, s, "empty host in '[]'");
        if ((rc = url_decode(&url->host, p, s + 1, (size_t)(close - s - 1))))
            return rc;
        if (close + 1 < end && close[1] != ':')
            return url_fail_at(p, close + 1, "unexpected text after ']'");
        if (close + 1 < end)
            port = close + 2;
    } else {
        const char *colon = url_find(s, end, ":");
        if ((rc = url_decode_opt(&url->host, p, s, (size_t)(colon - s))))
            return rc;
        if (colon < end)
            port = colon + 1;
    }
    /* "host:" with nothing after the colon means no port, as SQLAlchemy
     * reads it. */
    if (port && port < end)
        return url_parse_port(url, p, port, (size_t)(end - port));
    return 0;
}

static int url_add_param(orm_url *url, url_parser *p, const char *s,
                         const char *end)
{
    const char *eq = url_find(s, end, "=");
    char *key = NULL, *value = NULL;
    int rc;
    if (eq == s)
        return url_fail_at(p, s, "empty parameter name");
    if ((rc = url_decode(&key, p, s, (size_t)(eq - s))))
        return rc;
    if (eq < end)
        rc = url_decode(&value, p, eq + 1, (size_t)(end - eq - 1));
    else if (!(value = orm_strdup("")))
        rc = orm_error_set(p->err, ORM_ENOMEM, "out of memory");
    if (rc)
        goto done;
    orm_url_param *params =
        orm_realloc(url->params, (url->nparams + 1) * sizeof *params);
    if (!params) {
        rc = orm_error_set(p->err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    url->params = params;
    params[url->nparams].key = key;
    params[url->nparams].value = value;
    url->nparams++;
    return 0;
done:
    free(key);
    free(value);
    return rc;
}

static int url_parse_query(orm_url *url, url_parser *p, const char *s)
{
    while (s < p->end) {
        const char *amp = url_find(s, p->end, "&");
        if (amp > s) {
            int rc = url_add_param(url, p, s, amp);
            if (rc)
                return rc;
        }
        s = amp + 1;
    }
    return 0;
}

/* dialect[+driver] before "://". */
static int url_parse_scheme(orm_url *url, url_parser *p, const char *s,
                            const char *end)
{
    if (s == end)
        return orm_error_set(p->err, ORM_EINVALID,
                             "no database before '://' in URL (known: "
                             "sqlite, postgresql, mysql, mariadb)");
    const char *plus = url_find(s, end, "+");
    for (const char *c = s; c < end; c++) {
        if (c == plus)
            continue;
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return url_fail_at(p, c, "bad character before '://'");
    }
    if (plus == s)
        return orm_error_set(p->err, ORM_EINVALID,
                             "no database before '+' in URL (known: "
                             "sqlite, postgresql, mysql, mariadb)");
    if (plus < end) {
        if (plus + 1 == end || url_find(plus + 1, end, "+") < end)
            return url_fail_at(p, plus, "expected dialect+driver");
        if (!(url->driver = orm_strndup(plus + 1, (size_t)(end - plus - 1))))
            return orm_error_set(p->err, ORM_ENOMEM, "out of memory");
    }
    size_t n = (size_t)(plus - s);
    for (size_t i = 0; i < sizeof url_dialects / sizeof url_dialects[0]; i++) {
        if (strlen(url_dialects[i].scheme) == n &&
            strncasecmp(url_dialects[i].scheme, s, n) == 0) {
            if (!(url->dialect = orm_strdup(url_dialects[i].dialect)))
                return orm_error_set(p->err, ORM_ENOMEM, "out of memory");
            return 0;
        }
    }
    /* A driver the program registered: its name is the scheme. */
    const orm_driver *added = db_driver_find(s, n);
    if (added) {
        if (!(url->dialect = orm_strdup(added->name)))
            return orm_error_set(p->err, ORM_ENOMEM, "out of memory");
        return 0;
    }
    orm_buf known = ORM_BUF_INIT;
    orm_buf_append(&known, "sqlite, postgresql, mysql, mariadb");
    db_driver_names_added(&known);
    orm_error_set(p->err, ORM_EINVALID,
                  "unknown database '%.*s' in URL "
                  "(known: %s)",
                  (int)n, s, orm_buf_str(&known) ? orm_buf_str(&known) : "?");
    orm_buf_free(&known);
    return ORM_EINVALID;
}

int url_dialect_known(const char *scheme, size_t n)
{
    for (size_t i = 0; i < sizeof url_dialects / sizeof url_dialects[0]; i++)
        if (strlen(url_dialects[i].scheme) == n &&
            strncasecmp(url_dialects[i].scheme, scheme, n) == 0)
            return 1;
    return 0;
}

int orm_url_parse(orm_url **out, const char *text, orm_error *err)
{
    orm_url *url = NULL;
    url_parser p = {0};
    int rc;
    if (!out || !text)
        return orm_error_set(err, ORM_EINVALID, "no URL given");
    *out = NULL;
    p.text = text;
    p.err = err;
    const char *s = text;
    p.end = text + strlen(text);
    /* Blanks around a pasted URL are not part of it. */
    while (s < p.end && isspace((unsigned char)*s))
        s++;
    while (p.end > s && isspace((unsigned char)p.end[-1]))
        p.end--;
    if (s == p.end)
        return orm_error_set(err, ORM_EINVALID, "the URL is empty");
    const char *sep = s;
    while (sep + 3 <= p.end && memcmp(sep, "://", 3) != 0)
        sep++;
    if (sep + 3 > p.end)
        return orm_error_set(err, ORM_EINVALID,
                             "missing '://' in URL (expected e.g. "
                             "sqlite:///file.db or "
                             "postgresql://user@host/dbname)");
    if (!(url = orm_calloc(1, sizeof *url))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = url_parse_scheme(url, &p, s, sep)))
        goto done;
    p.auth = sep + 3;
    p.auth_end = url_find(p.auth, p.end, "/?");
    const char *path = p.auth_end;
    const char *query = url_find(path, p.end, "?");
    if (strcmp(url->dialect, "sqlite") == 0) {
        if (p.auth_end > p.auth) {
            rc = orm_error_set(err, ORM_EINVALID,
                               "sqlite URLs have no host: use "
                               "sqlite:///path");
            goto done;
        }
    } else if ((rc = url_parse_authority(url, &p))) {
        goto done;
    }
    if (path < query && *path == '/') {
        if ((rc = url_decode_opt(&url->database, &p, path + 1,
                                 (size_t)(query - path - 1))))
            goto done;
    }
    if (query < p.end && (rc = url_parse_query(url, &p, query + 1)))
        goto done;
    /* sqlite:// and sqlite:/// name the in-memory database too. */
    if (strcmp(url->dialect, "sqlite") == 0 && !url->database &&
        !(url->database = orm_strdup(":memory:"))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    *out = url;
    url = NULL;
    rc = 0;
done:
    orm_url_free(url);
    return rc;
}

/* Overwrite a secret before its memory goes back to the allocator. */
static void url_wipe(char *s)
{
    if (!s)
        return;
    volatile char *v = s;
    while (*v)
        *v++ = '\0';
}

void orm_url_free(orm_url *url)
{
    if (!url)
        return;
    free(url->dialect);
    free(url->driver);
    free(url->user);
    url_wipe(url->password);
    free(url->password);
    free(url->host);
    free(url->database);
    for (size_t i = 0; i < url->nparams; i++) {
        free(url->params[i].key);
        url_wipe(url->params[i].value);
        free(url->params[i].value);
    }
    free(url->params);
    free(url);
}

const char *orm_url_param_get(const orm_url *url, const char *key)
{
    if (!url || !key)
        return NULL;
    for (size_t i = 0; i < url->nparams; i++)
        if (strcmp(url->params[i].key, key) == 0)
            return url->params[i].value;
    return NULL;
}

int orm_url_set_password(orm_url *url, const char *password)
{
    char *copy = NULL;
    if (!url)
        return ORM_EINVALID;
    if (password && !(copy = orm_strdup(password)))
        return ORM_ENOMEM;
    url_wipe(url->password);
    free(url->password);
    url->password = copy;
    return 0;
}

/* Append `s` with everything outside the unreserved set and `keep`
 * percent-encoded. */
static void url_encode(orm_buf *b, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
            (c != '\0' && strchr(keep, c))) {
            orm_buf_appendc(b, (char)c);
        } else {
            orm_buf_appendc(b, '%');
            orm_buf_appendc(b, hex[c >> 4]);
            orm_buf_appendc(b, hex[c & 15]);
        }
    }
}

/* Query parameters that carry a secret (libpq takes ?password=). */
static int url_param_is_secret(const char *key)
{
    for (const char *c = key; *c; c++)
        if (strncasecmp(c, "pass", 4) == 0)
            return 1;
    return strcasecmp(key, "pwd") == 0;
}

char *orm_url_format(const orm_url *url, int redact)
{
    orm_buf b = ORM_BUF_INIT;
    if (!url || !url->dialect)
        return NULL;
    orm_buf_append(&b, url->dialect);
    if (url->driver) {
        orm_buf_appendc(&b, '+');
        orm_buf_append(&b, url->driver);
    }
    orm_buf_append(&b, "://");
    if (strcmp(url->dialect, "sqlite") == 0) {
        if (url->database && *url->database &&
            strcmp(url->database, ":memory:") != 0) {
            orm_buf_appendc(&b, '/');
            url_encode(&b, url->database, "/:@+,=");
        }
    } else {
        if (url->user || url->password) {
            if (url->user)
                url_encode(&b, url->user, "");
            if (url->password) {
                orm_buf_appendc(&b, ':');
                if (redact)
                    orm_buf_append(&b, "***");
                else
                    url_encode(&b, url->password, "");
            }
            orm_buf_appendc(&b, '@');
        }
        if (url->host && strchr(url->host, ':')) {
            orm_buf_appendc(&b, '[');
            url_encode(&b, url->host, ":");
            orm_buf_appendc(&b, ']');
        } else if (url->host) {
            url_encode(&b, url->host, "");
        }
        if (url->port > 0)
            orm_buf_appendf(&b, ":%d", url->port);
        if (url->database) {
            orm_buf_appendc(&b, '/');
            url_encode(&b, url->database, "/:@+,=");
        }
    }
    for (size_t i = 0; i < url->nparams; i++) {
        orm_buf_appendc(&b, i ? '&' : '?');
        url_encode(&b, url->params[i].key, "/:@+,");
        orm_buf_appendc(&b, '=');
        if (redact && url_param_is_secret(url->params[i].key))
            orm_buf_append(&b, "***");
        else
            url_encode(&b, url->params[i].value, "/:@+,=");
    }
    return orm_buf_finish(&b);
}
