/*
 * MySQL / MariaDB driver: one statement for many rows (execute_rows),
 * by MariaDB's bulk execution (10.2 and later): the rows' parameters are
 * bound column-wise, an array per parameter with an indicator array for
 * NULLs (STMT_ATTR_ARRAY_SIZE), and go out in one COM_STMT_BULK_EXECUTE
 * (prepared in the same round trip, execute-direct, the first time). The
 * server runs the statement once per row and answers with the rows
 * affected by them all; with CLIENT_FOUND_ROWS (my_login) that is rows
 * matched, an UPDATE writing the value already stored included. On a
 * row's error it stops and undoes the whole statement; the transaction
 * stays open.
 *
 * The parameter types go once per message, so a message holds rows whose
 * values of each parameter travel as one type (NULL goes with any); a
 * run is also cut below MY_ROWS_BYTES of values. Each message is a round
 * trip: a commit's rows of one shape usually need one.
 */

#include "mysql_internal.h"

/* Values per bulk message at most (the protocol splits larger commands
 * into packets, but a command above the server's max_allowed_packet
 * closes the connection): below any setting a server is likely to have
 * (1 MiB was MySQL 5.5's default; MariaDB's is 16). A longer run of rows
 * goes in several messages; a row larger than this goes alone. */
#define MY_ROWS_BYTES (1024L * 1024L)

/* How a value travels in a bulk message; MYSQL_TYPE_NULL for NULL and -1
 * for a kind that cannot be bound. */
static int my_rows_type(const orm_value *v)
{
    switch (v->kind) {
    case ORM_VNULL:
        return MYSQL_TYPE_NULL;
    case ORM_VINT:
        return MYSQL_TYPE_LONGLONG;
    case ORM_VFLOAT:
        return MYSQL_TYPE_DOUBLE;
    case ORM_VBOOL:
        return MYSQL_TYPE_TINY;
    case ORM_VTEXT:
        /* Numeric, date, JSON and UUID text too: the server converts. */
        return MYSQL_TYPE_STRING;
    case ORM_VBLOB:
        return MYSQL_TYPE_BLOB;
    default:
        return -1;
    }
}

/* Bytes a value takes in the message: its indicator, its length, its
 * bytes. */
static size_t my_rows_size(const orm_value *v)
{
    if (v->kind == ORM_VTEXT || v->kind == ORM_VBLOB)
        return 1 + 9 + v->u.s.len;
    return 1 + 8;
}

/* The arrays of one message, column-wise: parameter i of row r is at
 * [i * rows + r]. Grown, never shrunk, for the messages of one call. */
typedef struct my_rows_buf {
    size_t cap; /* rows × parameters allocated */
    MYSQL_BIND *binds;
    long long *ll;
    double *dbl;
    char *tiny;
    const char **ptr;
    unsigned long *len;
    char *ind;
    char *tz; /* MY_TZ_TEXT per value (zoned timestamps in UTC) */
} my_rows_buf;

static void my_rows_buf_free(my_rows_buf *b)
{
    free(b->binds);
    free(b->ll);
    free(b->dbl);
    free(b->tiny);
    free(my_unconst(b->ptr));
    free(b->len);
    free(b->ind);
    free(b->tz);
}

static int my_rows_buf_reserve(my_rows_buf *b, size_t nparams, size_t rows)
{
    size_t cells = nparams * rows;
    if (cells <= b->cap)
        return 0;
    my_rows_buf_free(b);
    memset(b, 0, sizeof *b);
    b->binds = orm_calloc(nparams, sizeof *b->binds);
    b->ll = orm_malloc(cells * sizeof *b->ll);
    b->dbl = orm_malloc(cells * sizeof *b->dbl);
    b->tiny = orm_malloc(cells);
    b->ptr = orm_malloc(cells * sizeof *b->ptr);
    b->len = orm_malloc(cells * sizeof *b->len);
    b->ind = orm_malloc(cells);
    b->tz = orm_malloc(cells * MY_TZ_TEXT);
    if (!b->binds || !b->ll || !b->dbl || !b->tiny || !b->ptr || !b->len ||
        !b->ind || !b->tz)
        return -1;
    b->cap = cells;
    return 0;
}

/* How many rows from `rows` on go in one message: each parameter's values
 * of one type, MY_ROWS_BYTES at most (one row at least). wire[i]: the
 * type of parameter i in it. -1 when a value cannot be bound. A value the
 * column's default replaces (defaults) travels as its indicator alone. */
static long my_rows_run(const orm_value *rows, const unsigned char *defaults,
                        size_t nrows, size_t nparams, int *wire)
{
    size_t bytes = 0, n = 0;
    for (size_t i = 0; i < nparams; i++)
        wire[i] = MYSQL_TYPE_NULL;
    for (; n < nrows && n < UINT_MAX; n++) {
        const orm_value *row = rows + n * nparams;
        size_t size = 0;
        for (size_t i = 0; i < nparams; i++) {
            int t = defaults && defaults[n * nparams + i]
                        ? MYSQL_TYPE_NULL
                        : my_rows_type(&row[i]);
            if (t < 0)
                return -1;
            if (t != MYSQL_TYPE_NULL && wire[i] != MYSQL_TYPE_NULL &&
                t != wire[i])
                return (long)n; /* another type: the next message */
            size += t == MYSQL_TYPE_NULL ? 1 : my_rows_size(&row[i]);
        }
        if (n > 0 && bytes + size > (size_t)MY_ROWS_BYTES)
            break;
        bytes += size;
        for (size_t i = 0; i < nparams; i++)
            if (row[i].kind != ORM_VNULL &&
                !(defaults && defaults[n * nparams + i]))
                wire[i] = my_rows_type(&row[i]);
    }
    return (long)n;
}

/* Bind `n` rows column-wise into b's arrays as `wire` says. */
static void my_rows_bind(my_rows_buf *b, const orm_value *rows,
                         const unsigned char *defaults, size_t n,
                         size_t nparams, const orm_type *types, const int *wire)
{
    for (size_t i = 0; i < nparams; i++) {
        MYSQL_BIND *bind = &b->binds[i];
        size_t at = i * n;
        memset(bind, 0, sizeof *bind);
        /* A parameter NULL in every row still needs a type. */
        bind->buffer_type = (enum enum_field_types)(
            wire[i] == MYSQL_TYPE_NULL ? MYSQL_TYPE_STRING : wire[i]);
        bind->u.indicator = b->ind + at;
        bind->length = b->len + at;
        switch (bind->buffer_type) {
        case MYSQL_TYPE_LONGLONG:
            bind->buffer = b->ll + at;
            break;
        case MYSQL_TYPE_DOUBLE:
            bind->buffer = b->dbl + at;
            break;
        case MYSQL_TYPE_TINY:
            bind->buffer = b->tiny + at;
            break;
        default: /* text and blobs: an array of pointers */
            bind->buffer = my_unconst(b->ptr + at);
            break;
        }
        for (size_t r = 0; r < n; r++) {
            const orm_value *v = &rows[r * nparams + i];
            int deflt = defaults && defaults[r * nparams + i];
            b->ind[at + r] = deflt                  ? STMT_INDICATOR_DEFAULT
                             : v->kind == ORM_VNULL ? STMT_INDICATOR_NULL
                                                    : STMT_INDICATOR_NONE;
            b->len[at + r] = 0;
            b->ptr[at + r] = "";
            switch (deflt ? ORM_VNULL : v->kind) {
            case ORM_VINT:
                b->ll[at + r] = (long long)v->u.i;
                break;
            case ORM_VFLOAT:
                b->dbl[at + r] = v->u.f;
                break;
            case ORM_VBOOL:
                b->tiny[at + r] = v->u.b ? 1 : 0;
                break;
            case ORM_VTEXT:
            case ORM_VBLOB: {
                char *tz = b->tz + (at + r) * MY_TZ_TEXT;
                b->ptr[at + r] = v->u.s.ptr ? v->u.s.ptr : "";
                b->len[at + r] = (unsigned long)v->u.s.len;
                if (v->kind == ORM_VTEXT && types &&
                    types[i] == ORM_DATETIMETZ &&
                    my_tz_to_utc(v->u.s.ptr, v->u.s.len, tz)) {
                    b->ptr[at + r] = tz;
                    b->len[at + r] = (unsigned long)strlen(tz);
                }
                break;
            }
            default:
                break;
            }
        }
    }
}

/* Whether the server says a transaction is open, from the status of its
 * last answer (no round trip). */
static int my_in_transaction(my_conn *c)
{
    unsigned int status = 0;
    return c->mysql &&
           mariadb_get_infov(c->mysql, MARIADB_CONNECTION_SERVER_STATUS,
                             &status) == 0 &&
           (status & SERVER_STATUS_IN_TRANS);
}

/* Send one message of `n` bound rows and wait for its answer. */
static int my_rows_send(my_stmt *st, my_rows_buf *b, size_t n,
                        my_ulonglong *affected)
{
    my_conn *c = st->owner;
    unsigned int size = (unsigned int)n, none = 0;
    int failed;
    if (st->direct) {
        /* PREPARE and the bulk EXECUTE in one round trip, as my_execute
         * does for one row. */
        unsigned int count = (unsigned int)st->nparams;
        failed =
            mysql_stmt_attr_set(st->handle, STMT_ATTR_PREBIND_PARAMS, &count) ||
            mysql_stmt_attr_set(st->handle, STMT_ATTR_ARRAY_SIZE, &size) ||
            mysql_stmt_bind_param(st->handle, b->binds) ||
            mariadb_stmt_execute_direct(st->handle, st->base.sql,
                                        strlen(st->base.sql));
        /* Prepared only when it ran: a failure may have come before the
         * statement was prepared (a Galera node answers the PREPARE
         * itself with the deadlock that aborted the transaction), and
         * libmariadb's handle is then unprepared, which a plain execute
         * would refuse ("Commands out of sync"). The next run prepares
         * it again in the same round trip. */
        st->direct = failed;
        if (!failed && mysql_stmt_param_count(st->handle) != st->nparams) {
            mysql_stmt_attr_set(st->handle, STMT_ATTR_ARRAY_SIZE, &none);
            return orm_conn_error(
                &c->base, ORM_EINVALID,
                "statement has %lu placeholders, expected %zu",
                mysql_stmt_param_count(st->handle), st->nparams);
        }
    } else {
        failed = mysql_stmt_attr_set(st->handle, STMT_ATTR_ARRAY_SIZE, &size) ||
                 mysql_stmt_bind_param(st->handle, b->binds) ||
                 mysql_stmt_execute(st->handle);
    }
    int rc = failed ? my_fail_stmt(st) : 0;
    /* The statement runs one row at a time again (a kept statement is
     * executed again later). */
    mysql_stmt_attr_set(st->handle, STMT_ATTR_ARRAY_SIZE, &none);
    if (rc)
        return rc;
    if (mysql_stmt_field_count(st->handle))
        mysql_stmt_free_result(st->handle); /* not ours: no rows expected */
    *affected = mysql_stmt_affected_rows(st->handle);
    return 0;
}

int my_execute_rows(orm_stmt *base, const orm_value *values,
                    const unsigned char *defaults, const orm_type *types,
                    size_t nrows, int64_t *matched)
{
    my_stmt *st = (my_stmt *)base;
    my_conn *c = st->owner;
    size_t nparams = st->nparams;
    my_rows_buf buf = {0};
    unsigned long long server_caps = 0;
    int *wire = NULL;
    int rc;

    *matched = 0;
    if (!c)
        return ORM_EINVALID; /* its connection is closed: no error slot */
    if (!my_stmt_current(st))
        return orm_conn_error(base->conn, ORM_ECONNLOST,
                              "connection lost: prepare the statement again");
    if ((rc = my_conn_ready(c, st)))
        return rc;
    if (nparams == 0 ||
        mariadb_get_infov(c->mysql,
                          MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES,
                          &server_caps) ||
        !(server_caps & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)))
        return orm_conn_error(base->conn, ORM_EUNSUPPORTED,
                              "the server has no bulk execution (MariaDB "
                              "10.2 and later): one statement a row");
    if (!(wire = orm_malloc(nparams * sizeof *wire)))
        return my_nomem(base->conn);
    if (c->stream == st)
        c->stream = NULL;
    /* A transaction that ends under a bulk was rolled back by the
     * server: a Galera node that applies another node's conflicting
     * write set while the bulk runs aborts it, and the bulk's answer may
     * then be an OK counting the rows matched before (seen: 0 or 1 of 2),
     * with no error. Its rows were not written. */
    int in_transaction = my_in_transaction(c);
    my_running(c, 1);
    for (size_t done = 0; rc == 0 && done < nrows;) {
        const orm_value *rows = values + done * nparams;
        const unsigned char *row_defaults =
            defaults ? defaults + done * nparams : NULL;
        long n = my_rows_run(rows, row_defaults, nrows - done, nparams, wire);
        my_ulonglong affected = 0;
        if (n < 0) {
            rc = orm_conn_error(base->conn, ORM_EINVALID,
                                "a parameter has an unknown kind");
            break;
        }
        if (my_rows_buf_reserve(&buf, nparams, (size_t)n)) {
            rc = my_nomem(base->conn);
            break;
        }
        my_rows_bind(&buf, rows, row_defaults, (size_t)n, nparams, types, wire);
        rc = my_rows_send(st, &buf, (size_t)n, &affected);
        if (rc == 0 && in_transaction && !my_in_transaction(c))
            rc = my_fail_rolled_back(c);
        if (rc == 0 &&
            affected <= (my_ulonglong)INT64_MAX - (my_ulonglong)*matched)
            *matched += (int64_t)affected;
        done += (size_t)n;
    }
    my_running(c, 0);
    st->state = MY_DONE;
    st->have_row = 0;
    my_rows_buf_free(&buf);
    free(wire);
    return rc;
}
