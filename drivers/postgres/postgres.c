/*
 * The PostgreSQL driver (libpq): orm_driver_postgresql.
 *
 * Every statement is the unnamed one: Parse, Bind, Describe, Execute and
 * Sync leave in one message (PQexecParams / PQsendQueryParams), so a
 * query costs one round trip and leaves nothing behind on the server.
 * That is also what a transaction pooler (pgbouncer in transaction mode)
 * needs: a named statement lives on one server connection, and the next
 * execute may be sent to another ("prepared statement ... already
 * exists" / "does not exist"). What a named one would save is the
 * server's parse and plan of a short statement, microseconds next to a
 * round trip; the core already keeps the statement objects (SQL text and
 * parameter buffers) per shape. The parameter type OIDs come from the
 * bound values' type hints. Values travel as text, blobs in binary
 * (bytea keeps NUL bytes), results come back as text and are decoded by
 * column OID.
 *
 * The session settings the decoding relies on are checked against what
 * the server reported at login (ParameterStatus) and only those that
 * differ are SET, all in one round trip: none on a server already set up
 * that way. Those a pooler does not carry from one server connection to
 * the next are not relied on: bytea is decoded from hex or escape
 * output, and floats come back exact from PostgreSQL 12 on whatever
 * extra_float_digits says (> 0 by default; older servers get a SET).
 *
 * A commit's statements go out together (pg_execute_batch): libpq's
 * pipeline mode sends BEGIN and every INSERT, UPDATE and DELETE, each
 * still the unnamed statement with its bound values, and one Sync; the
 * results come back in order in the same round trip and wait in each
 * statement until the core steps it. A failed statement makes the server
 * skip the rest up to the Sync, and leaves the transaction open but
 * failed, for the core's ROLLBACK (the COMMIT waits until the core has
 * seen every guard match). A transaction pooler sees one transaction as
 * ever: the pipeline's BEGIN holds the server connection until the
 * COMMIT or ROLLBACK.
 *
 * A streamed statement (ORM_STMT_STREAM) uses single-row mode and owns
 * the connection until it is read to the end or reset; anything else run
 * meanwhile gets ORM_EBUSY. One prepared with ORM_STMT_BULK too (an
 * export) and without parameters reads its rows through `COPY (SELECT
 * ...) TO STDOUT` instead, fewer bytes for the same values
 * (postgres_copy.c). A lost connection (PQstatus CONNECTION_BAD or
 * a 57P0x / 08xxx error) is ORM_ECONNLOST; reconnect resets the PGconn
 * and bumps a generation counter so that a stream of the old session is
 * never read on the new one.
 */
#include "postgres_internal.h"

/* ---- statements ---- */

static int pg_prepare(orm_conn *conn, const char *sql, size_t nparams,
                      unsigned flags, orm_stmt **out)
{
    pg_stmt *st = orm_calloc(1, sizeof *st);
    *out = NULL;
    if (!st || nparams > INT_MAX)
        goto fail;
    st->base.conn = conn;
    st->nparams = nparams;
    st->flags = flags;
    st->sql = orm_strdup(sql);
    st->base.sql = st->sql;
    if (!st->sql || pg_copy_prepare(st) != 0)
        goto fail;
    if (nparams) {
        st->params = orm_calloc(nparams, sizeof *st->params);
        st->oids = orm_calloc(nparams, sizeof *st->oids);
        st->values = orm_calloc(nparams, sizeof *st->values);
        st->lengths = orm_calloc(nparams, sizeof *st->lengths);
        st->formats = orm_calloc(nparams, sizeof *st->formats);
        if (!st->params || !st->oids || !st->values || !st->lengths ||
            !st->formats)
            goto fail;
    }
    *out = &st->base;
    return 0;
fail:
    if (st) {
        free(st->sql);
        free(st->copy_sql);
        free(st->params);
        free(st->oids);
        free(st->values);
        free(st->lengths);
        free(st->formats);
        free(st);
    }
    if (nparams > INT_MAX)
        return orm_conn_error(conn, ORM_EINVALID, "%s", "too many parameters");
    return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
}

/* The parameter type a value needs for a column type hint. 0 lets the
 * server infer it from the context, which is right for text (varchar,
 * enum and domain columns all accept an untyped literal) and for JSON
 * (`jsonb_col = $1::json` has no operator). */
static Oid pg_hint_oid(orm_type type, orm_value_kind kind)
{
    if (kind == ORM_VBLOB)
        return PG_OID_BYTEA;
    switch (type) {
    case ORM_INTEGER:
        return PG_OID_INT4;
    case ORM_BIGINT:
        return PG_OID_INT8;
    case ORM_SMALLINT:
        return PG_OID_INT2;
    case ORM_BOOLEAN:
        return PG_OID_BOOL;
    case ORM_FLOAT:
        return PG_OID_FLOAT8;
    case ORM_NUMERIC:
        return PG_OID_NUMERIC;
    case ORM_DATE:
        return PG_OID_DATE;
    case ORM_TIME:
        return PG_OID_TIME;
    case ORM_DATETIME:
        return PG_OID_TIMESTAMP;
    case ORM_DATETIMETZ:
        return PG_OID_TIMESTAMPTZ;
    case ORM_BLOB:
        return PG_OID_BYTEA;
    case ORM_UUID:
        return PG_OID_UUID;
    case ORM_STRING:
    case ORM_TEXT:
    case ORM_JSON:
        return 0;
    default:
        return kind == ORM_VBOOL ? PG_OID_BOOL : 0;
    }
}

/* Shortest text that reads back as the same double, with PostgreSQL's
 * names for the values that are not numbers. */
static void pg_format_double(char *buf, double f)
{
    if (isnan(f))
        snprintf(buf, ORM_DOUBLE_TEXT_MAX, "NaN");
    else if (isinf(f))
        snprintf(buf, ORM_DOUBLE_TEXT_MAX, "%s",
                 f > 0 ? "Infinity" : "-Infinity");
    else
        orm_double_text(buf, f, ORM_DOUBLE_SHORT);
}

static int pg_is_int_type(orm_type type)
{
    return type == ORM_INTEGER || type == ORM_BIGINT || type == ORM_SMALLINT;
}

static int pg_bind(orm_stmt *stmt, size_t index, const orm_value *v,
                   orm_type type)
{
    pg_stmt *st = (pg_stmt *)stmt;
    orm_conn *conn = stmt->conn;
    char num[ORM_DOUBLE_TEXT_MAX];
    const char *bytes = NULL;
    size_t len = 0;
    int format = 0;

    if (index >= st->nparams)
        return orm_conn_error(conn, ORM_EINVALID,
                              "parameter %zu out of range (statement has %zu)",
                              index + 1, st->nparams);
    pg_param *p = &st->params[index];
    orm_value_kind kind = v ? v->kind : ORM_VNULL;
    switch (kind) {
    case ORM_VNULL:
        break;
    case ORM_VINT:
        orm_int_text(num, v->u.i);
        bytes = num;
        break;
    case ORM_VFLOAT:
        pg_format_double(num, v->u.f);
        bytes = num;
        break;
    case ORM_VBOOL:
        if (pg_is_int_type(type))
            bytes = v->u.b ? "1" : "0";
        else
            bytes = v->u.b ? "t" : "f";
        break;
    case ORM_VTEXT:
        if (v->u.s.len && memchr(v->u.s.ptr, '\0', v->u.s.len))
            return orm_conn_error(conn, ORM_ETYPE,
                                  "parameter %zu: text contains a NUL byte",
                                  index + 1);
        bytes = v->u.s.ptr ? v->u.s.ptr : "";
        len = v->u.s.len;
        break;
    case ORM_VBLOB:
        bytes = v->u.s.ptr ? v->u.s.ptr : "";
        len = v->u.s.len;
        format = 1;
        break;
    }
    if (bytes && kind != ORM_VTEXT && kind != ORM_VBLOB)
        len = strlen(bytes);
    if (len > INT_MAX - 1)
        return orm_conn_error(conn, ORM_EINVALID,
                              "parameter %zu: value too large", index + 1);
    char *copy = NULL;
    if (bytes) {
        copy = orm_malloc(len + 1);
        if (!copy)
            return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
        if (len)
            memcpy(copy, bytes, len);
        copy[len] = '\0';
    }
    free(p->data);
    p->data = copy;
    p->length = (int)len;
    p->format = format;
    p->oid = pg_hint_oid(type, kind);
    return 0;
}

static void pg_scratch_clear(pg_stmt *st)
{
    for (size_t i = 0; i < st->nscratch; i++) {
        if (st->scratch[i])
            PQfreemem(st->scratch[i]);
        st->scratch[i] = NULL;
        st->scratch_len[i] = 0;
    }
}

static void pg_result_drop(pg_stmt *st)
{
    pg_scratch_clear(st);
    pg_copy_row_drop(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = 0;
    st->nrows = 0;
}

static int64_t pg_cmd_tuples(PGresult *res)
{
    const char *text = res ? PQcmdTuples(res) : "";
    char *end = NULL;
    if (!text || !*text)
        return 0;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    return (errno || *end) ? 0 : (int64_t)n;
}

/* A statement worth cancelling on reset: a plain read outside a
 * transaction (cancelling a write, or anything inside a transaction,
 * would undo work or abort the caller's transaction). */
static int pg_stmt_cancellable(const pg_stmt *st, PGconn *pg)
{
    const char *p = st->sql;
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        return 0;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '(')
        p++;
    return !strncmp(p, "SELECT", 6) || !strncmp(p, "select", 6);
}

/* Next result of a stream: ORM_ROW, ORM_DONE or an error. The stream
 * always ends with PQgetResult returning NULL. */
static int pg_stream_next(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    pg_result_drop(st);
    pg_running(pgc, 1);
    PGresult *res = PQgetResult(pgc->pg);
    pg_running(pgc, 0);
    if (res && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
        st->res = res;
        st->nrows = 1;
        return ORM_ROW;
    }
    int rc = ORM_DONE;
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        st->matched = pg_cmd_tuples(res);
        st->res = res; /* keeps column_count answering */
    } else {
        rc = pg_result_error(pgc, res);
        PQclear(res);
    }
    PGresult *extra;
    while ((extra = PQgetResult(pgc->pg)))
        PQclear(extra);
    pgc->streaming = NULL;
    st->state = PG_STMT_DONE;
    return rc;
}

static int pg_stmt_send(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    int rc = pg_ready(pgc, st);
    if (rc)
        return rc;
    for (size_t i = 0; i < st->nparams; i++) {
        st->oids[i] = st->params[i].oid;
        st->values[i] = st->params[i].data;
        st->lengths[i] = st->params[i].length;
        st->formats[i] = st->params[i].format;
    }
    st->matched = 0;
    if (st->copy_sql) { /* a bulk read: postgres_copy.c */
        st->may_cancel = pg_stmt_cancellable(st, pgc->pg);
        return pg_copy_start(st);
    }
    if (st->flags & ORM_STMT_STREAM) {
        st->may_cancel = pg_stmt_cancellable(st, pgc->pg);
        if (!PQsendQueryParams(pgc->pg, st->sql, (int)st->nparams, st->oids,
                               st->values, st->lengths, st->formats, 0))
            return pg_result_error(pgc, NULL);
        PQsetSingleRowMode(pgc->pg);
        pgc->single_row_left = 1;
        pgc->streaming = st;
        st->generation = pgc->generation;
        st->state = PG_STMT_STREAMING;
        return pg_stream_next(st);
    }
    pg_running(pgc, 1);
    PGresult *res = PQexecParams(pgc->pg, st->sql, (int)st->nparams, st->oids,
                                 st->values, st->lengths, st->formats, 0);
    pg_running(pgc, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        rc = pg_result_error(pgc, res);
        PQclear(res);
        return rc;
    }
    st->res = res;
    st->matched = pg_cmd_tuples(res);
    st->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    st->row = 0;
    st->state = st->nrows > 0 ? PG_STMT_ROWS : PG_STMT_DONE;
    return st->nrows > 0 ? ORM_ROW : ORM_DONE;
}

/* Run the statement; a read outside a transaction survives a server
 * restart (pg_retry_after_loss). */
static int pg_stmt_execute(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    int was_idle = pg_idle(pgc) && pg_stmt_cancellable(st, pgc->pg);
    int rc = pg_stmt_send(st);
    if (pg_retry_after_loss(pgc, rc, was_idle))
        rc = pg_stmt_send(st);
    return rc;
}

/* ---- many statements in one round trip (pipeline mode) ---- */

/* What the first step of a batched statement gives: its result, kept by
 * pg_execute_batch. */
static int pg_batched_first(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    ExecStatusType status =
        st->res ? PQresultStatus(st->res) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        st->state = st->nrows > 0 ? PG_STMT_ROWS : PG_STMT_DONE;
        return st->nrows > 0 ? ORM_ROW : ORM_DONE;
    }
    int rc;
    if (status == PGRES_PIPELINE_ABORTED)
        rc = orm_conn_error(&pgc->base, ORM_EERROR, "%s",
                            "not run: an earlier statement sent with it "
                            "failed");
    else
        rc = pg_result_error(pgc, st->res);
    pg_result_drop(st);
    st->state = PG_STMT_DONE;
    return rc;
}

/* The result of the next statement of the pipeline and the NULL after it
 * (NULL itself when the connection broke). */
static PGresult *pg_pipeline_result(pg_conn *pgc)
{
    PGresult *res = PQgetResult(pgc->pg);
    if (res && PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
        PGresult *extra;
        while ((extra = PQgetResult(pgc->pg)))
            PQclear(extra);
    }
    return res;
}

/* Keep a statement's result for its first step. */
static void pg_batched_keep(pg_stmt *st, PGresult *res)
{
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    pg_result_drop(st);
    st->res = res;
    st->matched = 0;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        st->matched = pg_cmd_tuples(res);
        st->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    }
    st->row = 0;
    st->state = PG_STMT_BATCHED;
}

/* orm_driver::execute_batch: BEGIN (when asked), the statements and one
 * Sync in a single pipeline, then every result read in order. */
static int pg_execute_batch(orm_conn *conn, orm_stmt *const *stmts, size_t n,
                            unsigned flags)
{
    pg_conn *pgc = (pg_conn *)conn;
    PGconn *pg = pgc->pg;
    int rc = pg_ready(pgc, NULL), sent = 1, reset = 0;
    if (rc || (rc = pg_pipeline_enter(pgc, &reset)))
        return rc;
    /* Blocking mode: while the server cannot take more (it is busy
     * sending results nobody reads yet), libpq reads them into its buffer
     * as it waits to write, so a long pipeline cannot deadlock (checked
     * with 12 MB sent against 24 MB of results). */
    pg_running(pgc, 1);
    if (flags & ORM_BATCH_BEGIN)
        sent = PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    for (size_t i = 0; sent && i < n; i++) {
        pg_stmt *st = (pg_stmt *)stmts[i];
        for (size_t p = 0; p < st->nparams; p++) {
            st->oids[p] = st->params[p].oid;
            st->values[p] = st->params[p].data;
            st->lengths[p] = st->params[p].length;
            st->formats[p] = st->params[p].format;
        }
        pg_result_drop(st);
        st->state = PG_STMT_DONE;
        sent = PQsendQueryParams(pg, st->sql, (int)st->nparams, st->oids,
                                 st->values, st->lengths, st->formats, 0);
    }
    if (!sent || !PQpipelineSync(pg) || PQflush(pg) != 0) {
        pg_running(pgc, 0);
        /* Nothing can be read back: the connection is gone, or libpq
         * could not queue a message (out of memory), which leaves the
         * pipeline unusable too. */
        return pg_lost(
            pgc, PQstatus(pg) == CONNECTION_BAD ? NULL : PQerrorMessage(pg));
    }
    rc = pg_pipeline_skip_reset(pgc, reset);
    if (flags & ORM_BATCH_BEGIN) {
        PGresult *res = pg_pipeline_result(pgc);
        if (rc == 0 && (!res || PQresultStatus(res) != PGRES_COMMAND_OK))
            rc = pg_result_error(pgc, res);
        PQclear(res);
    }
    for (size_t i = 0; i < n; i++) {
        PGresult *res = pg_pipeline_result(pgc);
        if (res && PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res); /* cannot be: the server answers each one */
            res = NULL;
        }
        pg_batched_keep((pg_stmt *)stmts[i], res);
    }
    /* The Sync's own result ends the pipeline. */
    PGresult *sync = PQgetResult(pg);
    while (sync && PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
        PQclear(sync);
        sync = PQgetResult(pg);
    }
    PQclear(sync);
    pg_running(pgc, 0);
    if (!PQexitPipelineMode(pg) && !rc)
        rc = pg_lost(pgc, PQerrorMessage(pg));
    return rc;
}

static int pg_step(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    pg_conn *pgc = (pg_conn *)stmt->conn;
    switch (st->state) {
    case PG_STMT_READY:
        return pg_stmt_execute(st);
    case PG_STMT_ROWS:
        pg_scratch_clear(st);
        if (++st->row < st->nrows)
            return ORM_ROW;
        st->state = PG_STMT_DONE;
        return ORM_DONE;
    case PG_STMT_STREAMING:
        if (st->generation != pgc->generation || pgc->streaming != st)
            return pg_lost(pgc, "the statement belongs to an earlier "
                                "connection");
        return pg_stream_next(st);
    case PG_STMT_COPY:
        if (st->generation != pgc->generation || pgc->streaming != st)
            return pg_lost(pgc, "the statement belongs to an earlier "
                                "connection");
        pg_scratch_clear(st);
        return pg_copy_next(st);
    case PG_STMT_BATCHED:
        return pg_batched_first(st);
    case PG_STMT_DONE:
        break;
    }
    return ORM_DONE;
}

static size_t pg_column_count(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    return st->res ? (size_t)PQnfields(st->res) : 0;
}

static orm_value_kind pg_natural_kind(Oid oid)
{
    switch (oid) {
    case PG_OID_BOOL:
        return ORM_VBOOL;
    case PG_OID_INT2:
    case PG_OID_INT4:
    case PG_OID_INT8:
    case PG_OID_OID:
        return ORM_VINT;
    case PG_OID_FLOAT4:
    case PG_OID_FLOAT8:
        return ORM_VFLOAT;
    case PG_OID_BYTEA:
        return ORM_VBLOB;
    default:
        return ORM_VTEXT;
    }
}

/* Whole number from text; "12.000" counts, "12.5" does not. */
int pg_parse_int(const char *text, size_t len, int64_t *out)
{
    if (orm_int_parse(out, text, len) == 0)
        return 0;
    const char *dot = memchr(text, '.', len);
    if (!dot)
        return -1;
    for (const char *p = dot + 1; p < text + len; p++)
        if (*p != '0')
            return -1;
    return orm_int_parse(out, text, (size_t)(dot - text)) ? -1 : 0;
}

static int pg_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"t", "true", "1", "y", "yes", "on"};
    static const char *const no[] = {"f", "false", "0", "n", "no", "off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(text, yes[i]) || !strcmp(text, no[i])) {
            *out = !strcmp(text, yes[i]);
            return 0;
        }
    }
    return -1;
}

static int pg_column(orm_stmt *stmt, size_t index, orm_type type,
                     orm_value *out)
{
    pg_stmt *st = (pg_stmt *)stmt;
    orm_conn *conn = stmt->conn;
    int row = st->state == PG_STMT_STREAMING ? 0 : st->row;
    int copy = st->state == PG_STMT_COPY;

    *out = orm_value_null();
    if (!st->res ||
        (copy ? !st->copy_row
              : row >= PQntuples(st->res) || (st->state != PG_STMT_ROWS &&
                                              st->state != PG_STMT_STREAMING)))
        return orm_conn_error(conn, ORM_EINVALID, "%s",
                              "no current row to read");
    if (index >= (size_t)PQnfields(st->res))
        return orm_conn_error(conn, ORM_EINVALID,
                              "column %zu out of range (result has %d)",
                              index + 1, PQnfields(st->res));
    int col = (int)index;
    /* A COPY row's columns are decoded in place, NUL-terminated as a
     * result's are (postgres_copy.c). */
    if (copy ? !st->copy_text[index] : PQgetisnull(st->res, row, col))
        return 0;
    const char *text =
        copy ? st->copy_text[index] : PQgetvalue(st->res, row, col);
    size_t len =
        copy ? st->copy_len[index] : (size_t)PQgetlength(st->res, row, col);
    orm_value_kind kind = type < ORM_TYPE_COUNT
                              ? orm_type_kind(type)
                              : pg_natural_kind(PQftype(st->res, col));
    /* Text needs no look at the server's type; the rest does (booleans
     * read as numbers, bytea). */
    Oid oid =
        kind == ORM_VTEXT || kind == ORM_VNULL ? 0 : PQftype(st->res, col);

    switch (kind) {
    case ORM_VNULL:
    case ORM_VTEXT:
        *out = orm_value_textn(text, len);
        return 0;
    case ORM_VBOOL: {
        int b = 0;
        if (pg_parse_bool(text, &b))
            goto mismatch;
        *out = orm_value_bool(b);
        return 0;
    }
    case ORM_VINT: {
        int64_t i = 0;
        if (oid == PG_OID_BOOL)
            i = text[0] == 't';
        else if (pg_parse_int(text, len, &i))
            goto mismatch;
        *out = orm_value_int(i);
        return 0;
    }
    case ORM_VFLOAT: {
        double f = text[0] == 't';
        if (oid != PG_OID_BOOL && orm_double_parse(&f, text, len))
            goto mismatch;
        *out = orm_value_float(f);
        return 0;
    }
    case ORM_VBLOB:
        if (oid != PG_OID_BYTEA) {
            *out = orm_value_blob(text, len);
            return 0;
        }
        if (!st->scratch || st->nscratch < (size_t)PQnfields(st->res)) {
            size_t n = (size_t)PQnfields(st->res);
            pg_scratch_clear(st);
            free(st->scratch);
            free(st->scratch_len);
            st->nscratch = 0;
            st->scratch = orm_calloc(n, sizeof *st->scratch);
            st->scratch_len = orm_calloc(n, sizeof *st->scratch_len);
            if (!st->scratch || !st->scratch_len)
                return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
            st->nscratch = n;
        }
        if (!st->scratch[index]) {
            st->scratch[index] = PQunescapeBytea((const unsigned char *)text,
                                                 &st->scratch_len[index]);
            if (!st->scratch[index])
                return orm_conn_error(conn, ORM_ENOMEM, "%s",
                                      "out of memory decoding bytea");
        }
        *out = orm_value_blob(st->scratch[index], st->scratch_len[index]);
        return 0;
    }
mismatch:
    return orm_conn_error(
        conn, ORM_ETYPE, "column %zu: cannot read \"%.40s\" as %s", index + 1,
        text, type < ORM_TYPE_COUNT ? orm_type_name(type) : "its type");
}

static int64_t pg_rows_matched(orm_stmt *stmt)
{
    return ((pg_stmt *)stmt)->matched;
}

static int pg_last_insert_id(orm_stmt *stmt, int64_t *out)
{
    *out = 0;
    return orm_conn_error(stmt->conn, ORM_EUNSUPPORTED, "%s",
                          "PostgreSQL reports generated keys through "
                          "INSERT ... RETURNING");
}

static int pg_reset(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    pg_conn *pgc = (pg_conn *)stmt->conn;
    int owner = (st->state == PG_STMT_STREAMING || st->state == PG_STMT_COPY) &&
                pgc->streaming == st && st->generation == pgc->generation;
    if (owner && pgc->aborted) {
        /* Shut down (pg_abort): nothing more is read or sent. */
        pgc->streaming = NULL;
    } else if (owner && st->state == PG_STMT_COPY) {
        pg_copy_give_up(st); /* postgres_copy.c */
    } else if (owner) {
        /* What has arrived is read without waiting: a result the
         * server has sent whole (a count, a short page) needs no cancel,
         * which costs a connection of its own. (Read once: a stream
         * may never end.) */
        int ended = 0;
        if (PQconsumeInput(pgc->pg))
            while (!ended && !PQisBusy(pgc->pg)) {
                PGresult *res = PQgetResult(pgc->pg);
                if (res)
                    PQclear(res);
                else
                    ended = 1;
            }
        /* Cancel a plain read; otherwise read the rest and drop it. A
         * server that does not take the cancel within the connect
         * timeout is gone: the connection is shut down, not read. */
        if (!ended && st->may_cancel && PQstatus(pgc->pg) == CONNECTION_OK)
            pg_cancel_own(pgc);
        PGresult *res;
        while (!ended && !pgc->aborted && (res = PQgetResult(pgc->pg)))
            PQclear(res);
        pgc->streaming = NULL;
    }
    pg_result_drop(st);
    st->state = PG_STMT_READY;
    st->matched = 0;
    return 0;
}

static void pg_finalize(orm_stmt *stmt)
{
    pg_stmt *st = (pg_stmt *)stmt;
    if (!st)
        return;
    pg_reset(stmt);
    for (size_t i = 0; i < st->nparams; i++)
        free(st->params[i].data);
    free(st->params);
    free(st->oids);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->scratch);
    free(st->scratch_len);
    free(st->copy_text);
    free(st->copy_len);
    free(st->copy_sql);
    free(st->sql);
    free(st);
}

const orm_driver orm_driver_postgresql = {
    .version = ORM_DRIVER_VERSION,
    .name = "postgresql",
    .caps = ORM_CAP_RETURNING | ORM_CAP_NULLS_ORDER | ORM_CAP_MULTIROW_INSERT |
            ORM_CAP_BATCH_KEYS | ORM_CAP_ROUND_TRIPS | ORM_CAP_JOIN_VALUES |
            ORM_CAP_TEXT_CANDIDATES | ORM_CAP_UUID_TYPE | ORM_CAP_UUID_ORDER,
    .placeholder = ORM_PLACEHOLDER_DOLLAR,
    .ident_quote = '"',
    .backslash_escapes = 0,
    .like_op = "LIKE",
    .table_options = "",
    .rowid_column = "ctid",
    .connect = pg_connect,
    .close = pg_close,
    .reconnect = pg_reconnect,
    .ping = pg_ping,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .column_count = pg_column_count,
    .column = pg_column,
    .rows_matched = pg_rows_matched,
    .last_insert_id = pg_last_insert_id,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .column_type_sql = pg_column_type_sql,
    .list_tables = pg_list_tables,
    .reflect_table = pg_reflect_table,
    .estimate_count = pg_estimate_count,
    .text_cast = "TEXT",
    .insert_defaults = " DEFAULT VALUES",
    /* Equality and LIKE are exact in any deterministic collation: the
     * database's default one keeps an index on a default-collated column
     * usable, and turns a nondeterministic column's (whose LIKE would
     * refuse to run) into it. Order: "C" is code point order. lower()
     * follows the database's LC_CTYPE (Unicode in any UTF-8 locale). */
    .text_exact = {"", " COLLATE \"default\""},
    .text_order = {"", " COLLATE \"C\""},
    .text_fold = {"lower(", ")"},
    .text_column = pg_text_column,
    .constraint_columns = pg_constraint_columns,
    .estimate_counts = pg_estimate_counts,
    .cancel = pg_cancel,
    .reflect_all = pg_reflect_all,
    .execute_batch = pg_execute_batch,
    .abort = pg_abort,
};
