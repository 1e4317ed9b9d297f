/*
 * The PostgreSQL driver's messages and errors: libpq's text made one line,
 * passwords redacted, SQLSTATEs mapped to orm error codes.
 */
#include "postgres_internal.h"

/* ---- messages and errors ---- */

/* Append `msg` without libpq's "ERROR:  " prefix, on one line: a line
 * break becomes "; " after a line that ends without punctuation (libpq
 * writes sentences one per line), else a space; trimmed. */
static void pg_message_append(orm_buf *b, const char *msg)
{
    if (!msg)
        return;
    if (!strncmp(msg, "ERROR:  ", 8) || !strncmp(msg, "FATAL:  ", 8))
        msg += 8;
    int pending_space = 0;
    for (const char *p = msg; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            pending_space = 1;
            continue;
        }
        if (pending_space && b->len > 0 && p[0] != ' ') {
            char last = b->data[b->len - 1];
            if (last != '.' && last != ':' && last != ';' && last != ',')
                orm_buf_appendc(b, ';');
            orm_buf_appendc(b, ' ');
        }
        pending_space = 0;
        orm_buf_appendc(b, *p);
    }
    while (b->len > 0 && !b->failed && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

/* Replace every occurrence of `secret` in the buffer by "***". */
static void pg_redact(orm_buf *b, const char *secret)
{
    if (!secret || !*secret || b->failed || b->len == 0)
        return;
    size_t n = strlen(secret);
    if (!strstr(b->data, secret))
        return;
    orm_buf clean = ORM_BUF_INIT;
    const char *p = b->data;
    const char *hit;
    while ((hit = strstr(p, secret))) {
        orm_buf_appendn(&clean, p, (size_t)(hit - p));
        orm_buf_append(&clean, "***");
        p = hit + n;
    }
    orm_buf_append(&clean, p);
    orm_buf_free(b);
    *b = clean;
}

/* Set `err` to `code` with prefix + cleaned `raw`, never showing the
 * passwords given. Returns code. */
int pg_error_set(orm_error *err, int code, const char *prefix, const char *raw,
                 const char *secret1, const char *secret2)
{
    orm_buf b = ORM_BUF_INIT;
    if (prefix)
        orm_buf_append(&b, prefix);
    pg_message_append(&b, raw);
    if (b.len == 0)
        orm_buf_append(&b, orm_strerror(code));
    pg_redact(&b, secret1);
    pg_redact(&b, secret2);
    const char *text = orm_buf_str(&b);
    orm_error_set(err, code, "%s", text ? text : orm_strerror(code));
    orm_buf_free(&b);
    return code;
}

const char *pg_password(const pg_conn *pgc)
{
    return pgc->pg ? PQpass(pgc->pg) : NULL;
}

int pg_lost(pg_conn *pgc, const char *why)
{
    if (!why || !*why)
        why = pgc->pg ? PQerrorMessage(pgc->pg) : NULL;
    if (!why || !*why)
        why = "the server closed the connection";
    return pg_error_set(&pgc->base.err, ORM_ECONNLOST, "connection lost: ", why,
                        pg_password(pgc), NULL);
}

static int pg_sqlstate_code(const char *state)
{
    if (!state || strlen(state) != 5)
        return ORM_EERROR;
    if (!strcmp(state, "23505"))
        return ORM_EUNIQUE;
    if (!strcmp(state, "23502"))
        return ORM_ENOTNULL;
    if (!strcmp(state, "23503"))
        return ORM_EFOREIGNKEY;
    if (!strcmp(state, "23514"))
        return ORM_ECHECK;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
        !strcmp(state, "55P03"))
        return ORM_EBUSY;
    if (!strcmp(state, "57P01") || !strcmp(state, "57P02") ||
        !strcmp(state, "57P03") || !strncmp(state, "08", 2))
        return ORM_ECONNLOST;
    if (!strcmp(state, "25006"))
        return ORM_EREADONLY;
    if (!strncmp(state, "28", 2))
        return ORM_EAUTH;
    if (!strncmp(state, "22", 2))
        return ORM_ETYPE;
    return ORM_EERROR;
}

static int pg_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/*
 * The column names of a DETAIL like `Key (a, "B c")=(1, x) already
 * exists.`, unquoted and joined with ", ". Only the names: the values
 * after '=' are user data and never copied. NULL when the key is an
 * expression or the text has another shape.
 */
static char *pg_detail_key_columns(const char *detail)
{
    orm_buf names = ORM_BUF_INIT;
    if (!detail || strncmp(detail, "Key (", 5))
        return NULL;
    const char *p = detail + 5;
    for (;;) {
        if (names.len)
            orm_buf_append(&names, ", ");
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p)
                    goto fail;
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                orm_buf_appendc(&names, *p);
            }
            p++;
        } else {
            const char *start = p;
            while (pg_ident_char((unsigned char)*p))
                p++;
            if (p == start)
                goto fail;
            orm_buf_appendn(&names, start, (size_t)(p - start));
        }
        if (!strncmp(p, ")=(", 3))
            return orm_buf_finish(&names);
        if (strncmp(p, ", ", 2))
            goto fail;
        p += 2;
    }
fail:
    orm_buf_free(&names);
    return NULL;
}

/* Fill conn->err from a failed result (NULL: from the connection). */
/* A statement that lost to another transaction (serialization failure,
 * deadlock) or met its lock, in plain words, the server's own in
 * parentheses; the session adds that nothing was written. */
static void pg_busy_set(pg_conn *pgc, const char *state, const char *primary)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, strcmp(state, "55P03") == 0
                           ? "another transaction holds a lock on these rows"
                           : "another transaction changed these rows at the "
                             "same time");
    if (primary && *primary) {
        orm_buf_append(&b, " (");
        pg_message_append(&b, primary);
        orm_buf_append(&b, ")");
    }
    pg_redact(&b, pg_password(pgc));
    const char *text = orm_buf_str(&b);
    orm_error_set(&pgc->base.err, ORM_EBUSY, "%s",
                  text ? text : orm_strerror(ORM_EBUSY));
    orm_buf_free(&b);
}

int pg_result_error(pg_conn *pgc, const PGresult *res)
{
    orm_error *err = &pgc->base.err;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = pg_sqlstate_code(state);

    if (!primary || !*primary)
        primary = res ? PQresultErrorMessage(res) : NULL;
    if (!primary || !*primary)
        primary = PQerrorMessage(pgc->pg);
    if (code == ORM_ECONNLOST || PQstatus(pgc->pg) == CONNECTION_BAD)
        code = pg_lost(pgc, primary);
    else if (state && !strcmp(state, "57014") && pgc->statement_timeout_ms &&
             strstr(primary, "statement timeout"))
        code = orm_statement_timeout_failure(err, pgc->statement_timeout_ms);
    else if (state && !strcmp(state, "57014")) /* pg_cancel */
        code = orm_error_set(err, ORM_ECANCELLED, "statement cancelled");
    else if (code == ORM_EBUSY)
        pg_busy_set(pgc, state, primary);
    else
        pg_error_set(err, code, NULL, primary, pg_password(pgc), NULL);
    if (state && strlen(state) == 5)
        memcpy(err->sqlstate, state, 6);
    if (!res || code == ORM_ECONNLOST)
        return code;

    int rc = 0;
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    char *key_columns = NULL;
    if (!column && (code == ORM_EUNIQUE ||
                    (code == ORM_EFOREIGNKEY && detail &&
                     strstr(detail, " is not present in table ")))) {
        key_columns = pg_detail_key_columns(detail);
        column = key_columns;
    }
    rc |= orm_error_set_constraint(err, constraint);
    rc |= orm_error_set_table(err, table);
    rc |= orm_error_set_column(err, column);
    free(key_columns);
    return rc ? ORM_ENOMEM : code;
}

/* 0 when the connection can run something for `st` (NULL: not a
 * statement); ORM_ECONNLOST or ORM_EBUSY otherwise. */
int pg_ready(pg_conn *pgc, const pg_stmt *st)
{
    if (pgc->aborted)
        return pg_lost(pgc, "the connection was shut down");
    if (!pgc->pg || PQstatus(pgc->pg) == CONNECTION_BAD)
        return pg_lost(pgc, NULL);
    if (pgc->streaming && pgc->streaming != st)
        return orm_conn_error(
            &pgc->base, ORM_EBUSY,
            "another statement is still streaming its rows on this "
            "connection: read it to the end or reset it first");
    return 0;
}
