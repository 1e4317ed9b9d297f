/*
 * Connection options the network drivers read alike (TLS, timeouts) and
 * the messages for their failures. See orm/sys/connopt.h.
 *
 * Several spellings of one option may be given; they must agree, so a
 * URL never means something else on one dialect than on another. Numbers
 * are read by hand (digits, at most one '.'): the host program's
 * LC_NUMERIC must not change what "1.5s" means.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "orm/sys/buf.h"
#include "orm/sys/connopt.h"

static const char *const mode_keys[] = {"sslmode", "ssl_mode", "ssl"};
static const char *const ca_keys[] = {"sslrootcert", "ssl_ca"};
static const char *const cert_keys[] = {"sslcert", "ssl_cert"};
static const char *const key_keys[] = {"sslkey", "ssl_key"};

static const struct {
    const char *word;
    orm_tls_mode mode;
} mode_words[] = {
    {"disable", ORM_TLS_DISABLE},
    {"disabled", ORM_TLS_DISABLE},
    {"allow", ORM_TLS_ALLOW},
    {"prefer", ORM_TLS_PREFER},
    {"preferred", ORM_TLS_PREFER},
    {"require", ORM_TLS_REQUIRE},
    {"required", ORM_TLS_REQUIRE},
    {"verify-ca", ORM_TLS_VERIFY_CA},
    {"verify-full", ORM_TLS_VERIFY_FULL},
    {"verify-identity", ORM_TLS_VERIFY_FULL},
};

/* `ssl=` also takes booleans (SQLAlchemy's asyncpg and MySQL users). */
static const struct {
    const char *word;
    orm_tls_mode mode;
} bool_words[] = {
    {"true", ORM_TLS_REQUIRE},  {"1", ORM_TLS_REQUIRE},
    {"yes", ORM_TLS_REQUIRE},   {"on", ORM_TLS_REQUIRE},
    {"false", ORM_TLS_DISABLE}, {"0", ORM_TLS_DISABLE},
    {"no", ORM_TLS_DISABLE},    {"off", ORM_TLS_DISABLE},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int orm_conn_param_is_known(const char *key)
{
    const char *const *lists[] = {mode_keys, ca_keys, cert_keys, key_keys};
    const size_t sizes[] = {COUNT(mode_keys), COUNT(ca_keys), COUNT(cert_keys),
                            COUNT(key_keys)};
    if (!key)
        return 0;
    for (size_t l = 0; l < COUNT(lists); l++)
        for (size_t i = 0; i < sizes[l]; i++)
            if (strcmp(key, lists[l][i]) == 0)
                return 1;
    return strcmp(key, "connect_timeout") == 0 ||
           strcmp(key, "statement_timeout") == 0;
}

/* Case-insensitive, '_' and '-' alike. */
static int same_word(const char *typed, const char *word)
{
    for (; *typed && *word; typed++, word++) {
        int a = *typed == '_' ? '-' : tolower((unsigned char)*typed);
        if (a != *word)
            return 0;
    }
    return *typed == '\0' && *word == '\0';
}

static orm_tls_mode mode_of(const char *key, const char *value)
{
    for (size_t i = 0; i < COUNT(mode_words); i++)
        if (same_word(value, mode_words[i].word))
            return mode_words[i].mode;
    if (strcmp(key, "ssl") == 0)
        for (size_t i = 0; i < COUNT(bool_words); i++)
            if (same_word(value, bool_words[i].word))
                return bool_words[i].mode;
    return ORM_TLS_UNSET;
}

static int read_mode(orm_conn_params *out, const orm_url *url, orm_error *err)
{
    for (size_t i = 0; i < url->nparams; i++) {
        const orm_url_param *p = &url->params[i];
        int is_mode = 0;
        for (size_t k = 0; k < COUNT(mode_keys); k++)
            is_mode |= strcmp(p->key, mode_keys[k]) == 0;
        /* A bare "?ssl" says nothing (as before these options). */
        if (!is_mode || (strcmp(p->key, "ssl") == 0 && !*p->value))
            continue;
        orm_tls_mode mode = mode_of(p->key, p->value);
        if (mode == ORM_TLS_UNSET)
            return orm_error_set(
                err, ORM_EINVALID,
                "unknown %s '%s' in the URL (use disable, prefer, require, "
                "verify-ca or verify-full; MySQL's DISABLED, PREFERRED, "
                "REQUIRED, VERIFY_CA and VERIFY_IDENTITY work too)",
                p->key, p->value);
        if (out->tls != ORM_TLS_UNSET && out->tls != mode)
            return orm_error_set(err, ORM_EINVALID,
                                 "%s=%s and %s=%s in the URL disagree: give "
                                 "one TLS mode",
                                 out->tls_key, out->tls_value, p->key,
                                 p->value);
        out->tls = mode;
        out->tls_key = p->key;
        out->tls_value = p->value;
    }
    return 0;
}

/* The one file several keys may name. */
static int read_file(const char **out, const orm_url *url,
                     const char *const *keys, size_t nkeys, orm_error *err)
{
    const char *first_key = NULL;
    for (size_t i = 0; i < url->nparams; i++) {
        const orm_url_param *p = &url->params[i];
        for (size_t k = 0; k < nkeys; k++) {
            if (strcmp(p->key, keys[k]) != 0)
                continue;
            if (!*p->value)
                return orm_error_set(err, ORM_EINVALID,
                                     "%s in the URL names no file", p->key);
            if (*out && strcmp(*out, p->value) != 0)
                return orm_error_set(err, ORM_EINVALID,
                                     "%s=%s and %s=%s in the URL disagree: "
                                     "give one file",
                                     first_key, *out, p->key, p->value);
            *out = p->value;
            first_key = p->key;
        }
    }
    return 0;
}

/* Digits with at most one '.', scaled by `scale` (1000 reads seconds as
 * milliseconds); -1 when it is no such number or too large. */
static long read_number(const char *s, size_t n, long scale)
{
    long whole = 0, frac = 0, frac_scale = 1;
    int dot = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (!isdigit((unsigned char)s[i]))
            return -1;
        digits++;
        if (!dot) {
            if (whole > (LONG_MAX / scale - 9) / 10)
                return -1;
            whole = whole * 10 + (s[i] - '0');
        } else if (frac_scale < scale) {
            frac = frac * 10 + (s[i] - '0');
            frac_scale *= 10;
        }
    }
    if (!digits)
        return -1;
    return whole * scale + frac * (scale / frac_scale);
}

static int read_timeouts(orm_conn_params *out, const orm_url *url,
                         orm_error *err)
{
    const char *v = orm_url_param_get(url, "connect_timeout");
    if (v && *v) {
        long s = read_number(v, strlen(v), 1);
        if (s < 0 || s > INT_MAX)
            return orm_error_set(err, ORM_EINVALID,
                                 "connect_timeout '%s' in the URL is not a "
                                 "whole number of seconds",
                                 v);
        out->connect_timeout_s = (int)s;
    }
    v = orm_url_param_get(url, "statement_timeout");
    if (v && *v) {
        static const struct {
            const char *unit;
            long scale;
        } units[] = {{"ms", 1}, {"s", 1000}, {"min", 60000}};
        size_t n = strlen(v), digits = n;
        long scale = 1, ms = -1;
        while (digits > 0 && isalpha((unsigned char)v[digits - 1]))
            digits--;
        while (digits > 0 && v[digits - 1] == ' ')
            digits--;
        if (digits < n) {
            const char *unit = v + n;
            while (unit > v && isalpha((unsigned char)unit[-1]))
                unit--;
            scale = 0;
            for (size_t i = 0; i < COUNT(units); i++)
                if (strcasecmp(unit, units[i].unit) == 0)
                    scale = units[i].scale;
        }
        if (scale)
            ms = read_number(v, digits, scale);
        if (ms < 0)
            return orm_error_set(err, ORM_EINVALID,
                                 "statement_timeout '%s' in the URL is not a "
                                 "time (write e.g. 30s, 1500ms or 2min; a "
                                 "bare number is milliseconds)",
                                 v);
        out->statement_timeout_ms = ms;
    }
    return 0;
}

int orm_conn_params_read(orm_conn_params *out, const orm_url *url,
                         orm_error *err)
{
    int rc;
    memset(out, 0, sizeof *out);
    if (!url)
        return 0;
    if ((rc = read_mode(out, url, err)) ||
        (rc = read_file(&out->ca_file, url, ca_keys, COUNT(ca_keys), err)) ||
        (rc = read_file(&out->cert_file, url, cert_keys, COUNT(cert_keys),
                        err)) ||
        (rc = read_file(&out->key_file, url, key_keys, COUNT(key_keys), err)) ||
        (rc = read_timeouts(out, url, err)))
        return rc;
    return 0;
}

const char *orm_duration_text(char *buf, size_t size, long ms)
{
    long whole = ms / 1000, frac = ms % 1000;
    if (frac == 0)
        snprintf(buf, size, "%ld s", whole);
    else if (frac % 100 == 0)
        snprintf(buf, size, "%ld.%ld s", whole, frac / 100);
    else if (frac % 10 == 0)
        snprintf(buf, size, "%ld.%02ld s", whole, frac / 10);
    else
        snprintf(buf, size, "%ld.%03ld s", whole, frac);
    return buf;
}

static void append_where(orm_buf *b, const char *host, int port)
{
    const char *h = host && *host ? host : "localhost";
    int v6 = strchr(h, ':') != NULL;
    orm_buf_appendf(b, "cannot connect to %s%s%s", v6 ? "[" : "", h,
                    v6 ? "]" : "");
    if (port > 0)
        orm_buf_appendf(b, ":%d", port);
}

static int set_from(orm_error *err, int code, orm_buf *b)
{
    char *text = orm_buf_finish(b);
    if (!text)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    orm_error_set(err, code, "%s", text);
    free(text);
    return code;
}

int orm_conn_tls_failure(orm_error *err, const orm_conn_params *p,
                         orm_tls_failure why, const char *host, int port,
                         const char *detail)
{
    orm_buf b = ORM_BUF_INIT;
    const char *ca = p && p->ca_file ? p->ca_file : NULL;
    const char *h = host && *host ? host : "localhost";
    append_where(&b, host, port);
    switch (why) {
    case ORM_TLS_FAIL_HOST:
        orm_buf_appendf(&b,
                        ": the server's TLS certificate is not made out "
                        "to host name %s",
                        h);
        break;
    case ORM_TLS_FAIL_CA:
        if (ca)
            orm_buf_appendf(&b,
                            ": the server's TLS certificate is not signed "
                            "by the CA in %s",
                            ca);
        else
            orm_buf_append(&b, ": the server's TLS certificate is not "
                               "signed by a CA this client trusts (no CA "
                               "file given: name one with sslrootcert= or "
                               "ssl_ca=)");
        break;
    default:
        orm_buf_append(&b, ": TLS failed");
        break;
    }
    if (why != ORM_TLS_FAIL_CA || !ca)
        orm_buf_appendf(&b, " (CA file: %s)", ca ? ca : "none given");
    if (p && p->tls_key)
        orm_buf_appendf(&b, "; %s=%s", p->tls_key, p->tls_value);
    if (why != ORM_TLS_FAIL_OTHER)
        orm_buf_append(&b, "; the login was not sent");
    if (detail && *detail) {
        size_t n = strlen(detail);
        while (n > 0 && isspace((unsigned char)detail[n - 1]))
            n--;
        orm_buf_append(&b, " (");
        orm_buf_appendn(&b, detail, n);
        orm_buf_append(&b, ")");
    }
    return set_from(err, ORM_ECONNECT, &b);
}

int orm_conn_timeout_failure(orm_error *err, const char *host, int port,
                             int seconds)
{
    orm_buf b = ORM_BUF_INIT;
    append_where(&b, host, port);
    orm_buf_appendf(&b,
                    ": the server did not answer within %d s "
                    "(connect_timeout)",
                    seconds);
    return set_from(err, ORM_ECONNECT, &b);
}

int orm_statement_timeout_failure(orm_error *err, long ms)
{
    char when[32];
    return orm_error_set(err, ORM_ETIMEOUT,
                         "statement cancelled after %s (statement_timeout)",
                         orm_duration_text(when, sizeof when, ms));
}
