/*
 * The PostgreSQL driver's bulk reads: a streamed statement prepared with
 * ORM_STMT_BULK and without parameters (an export's SELECT) reads its
 * rows through `COPY (SELECT ...) TO STDOUT` instead of single-row mode.
 *
 * Why: a query result sends each row as a DataRow (a 7-byte header and a
 * 4-byte length per column), COPY as a CopyData (5 bytes) with a tab
 * between columns; the values are the same text, made by the same type
 * output functions in the same session (time zone, DateStyle,
 * IntervalStyle, extra_float_digits). For a row of small columns that is
 * a fifth fewer bytes, and over a slow link an export is bound by bytes.
 * COPY takes no parameters: a statement with bound values keeps the plain
 * stream (values are never written into SQL text).
 *
 * COPY says nothing of the columns' types, which decoding needs (booleans
 * read as numbers, bytea, a column's natural kind). One simple-query
 * message carries `SELECT * FROM (q) AS orb_copy LIMIT 0; COPY (q) TO
 * STDOUT`: the first statement's result is the RowDescription (LIMIT 0
 * reads no row of the plan), the second the COPY's rows, in the same round
 * trip. Pipeline mode would not do: it refuses COPY. A transaction pooler
 * (pgbouncer in transaction mode) passes both statements as one implicit
 * transaction, as it does any simple query.
 *
 * COPY's text format: columns separated by tabs, a row ended by a
 * newline, NULL as \N, and a backslash escaping \b \f \n \r \t \v, \\,
 * octal \NNN and \xHH (the server writes only the first kinds; any other
 * character after a backslash stands for itself, as COPY FROM reads it).
 * Unescaping only ever shortens a column, so each row is decoded in place
 * in the buffer libpq gave, every column NUL-terminated where it ends:
 * pg_column reads it exactly as it reads a query result's text.
 *
 * Giving a COPY up halfway (pg_reset): what has arrived is read without
 * waiting; a COPY still coming is cancelled (a plain read outside a
 * transaction, as a stream) and its rest read and dropped, so the
 * connection is usable again. A cancel from another thread or a shutdown
 * (pg_cancel, pg_abort) ends a COPY as it ends a stream.
 */
#include "postgres_internal.h"

/* Does `sql` start with SELECT (after blanks and parentheses)? */
static int pg_sql_is_select(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
        sql++;
    return !strncmp(sql, "SELECT", 6) || !strncmp(sql, "select", 6);
}

int pg_copy_prepare(pg_stmt *st)
{
    orm_buf b = ORM_BUF_INIT;
    if (!(st->flags & ORM_STMT_STREAM) || !(st->flags & ORM_STMT_BULK) ||
        st->nparams || !pg_sql_is_select(st->sql))
        return 0;
    orm_buf_append(&b, "SELECT * FROM (");
    orm_buf_append(&b, st->sql);
    orm_buf_append(&b, ") AS orb_copy LIMIT 0; COPY (");
    orm_buf_append(&b, st->sql);
    orm_buf_append(&b, ") TO STDOUT");
    if (!(st->copy_sql = orm_buf_finish(&b)))
        return ORM_ENOMEM;
    return 0;
}

/* One escape after a backslash: its byte at *w, `r` moved past it. */
static char *pg_copy_unescape(char *r, const char *end, char *w)
{
    char c = *r++;
    int v, d;
    switch (c) {
    case 'b':
        *w = '\b';
        break;
    case 'f':
        *w = '\f';
        break;
    case 'n':
        *w = '\n';
        break;
    case 'r':
        *w = '\r';
        break;
    case 't':
        *w = '\t';
        break;
    case 'v':
        *w = '\v';
        break;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        v = c - '0';
        for (int k = 0; k < 2 && r < end && *r >= '0' && *r <= '7'; k++)
            v = v * 8 + (*r++ - '0');
        *w = (char)(unsigned char)v;
        break;
    case 'x':
        if (r < end && (v = orm_hex_digit((unsigned char)*r)) >= 0) {
            r++;
            if (r < end && (d = orm_hex_digit((unsigned char)*r)) >= 0) {
                v = v * 16 + d;
                r++;
            }
            *w = (char)(unsigned char)v;
        } else {
            *w = 'x';
        }
        break;
    default: /* \\, and any other character for itself */
        *w = c;
    }
    return r;
}

/*
 * Split and decode one COPY text row of `n` bytes at `row` (libpq puts a
 * NUL after it) in place into st->copy_text / copy_len: NULL text for
 * NULL. 0, or -1 when the row does not have the result's columns.
 */
int pg_copy_split(pg_stmt *st, char *row, size_t n)
{
    size_t ncols = st->ncopy, f = 0;
    char *r = row, *end = row + n;
    if (n && end[-1] == '\n')
        end--;
    if (ncols == 0)
        return r == end ? 0 : -1;
    for (;;) {
        if (f == ncols)
            return -1;
        if (end - r >= 2 && r[0] == '\\' && r[1] == 'N' &&
            (r + 2 == end || r[2] == '\t')) {
            st->copy_text[f] = NULL;
            st->copy_len[f++] = 0;
            r += 2;
        } else {
            /* Plain bytes stay where they are; from the first backslash
             * on, bytes move down over the escapes. */
            char *start = r, *w;
            while (r < end && *r != '\t' && *r != '\\')
                r++;
            w = r;
            while (r < end && *r != '\t') {
                if (*r != '\\')
                    *w++ = *r++;
                else if (++r < end)
                    r = pg_copy_unescape(r, end, w++);
                else
                    *w++ = '\\';
            }
            *w = '\0'; /* at or before the tab or the row's end */
            st->copy_text[f] = start;
            st->copy_len[f++] = (size_t)(w - start);
        }
        if (r == end)
            break;
        r++; /* the tab */
    }
    return f == ncols ? 0 : -1;
}

/* Drop the current row. */
void pg_copy_row_drop(pg_stmt *st)
{
    if (st->copy_row)
        PQfreemem(st->copy_row);
    st->copy_row = NULL;
}

/* The results after a COPY's last row, up to the NULL that ends the
 * query: the COPY's own (its count or its error) gives `rc`. */
static int pg_copy_end(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    int rc = ORM_DONE;
    pg_running(pgc, 1);
    PGresult *res = PQgetResult(pgc->pg);
    pg_running(pgc, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK) {
        const char *count = PQcmdTuples(res);
        int64_t matched = 0;
        if (count && *count &&
            orm_int_parse(&matched, count, strlen(count)) == 0)
            st->matched = matched;
    } else if (status == PGRES_COPY_OUT) {
        /* The COPY could not be read on (libpq out of memory): nothing
         * ends it but closing the connection. */
        rc = orm_conn_error(&pgc->base, ORM_ENOMEM, "%s",
                            "out of memory reading a COPY");
        pg_abort(&pgc->base);
    } else {
        rc = pg_result_error(pgc, res);
    }
    PQclear(res);
    PGresult *extra;
    while (!pgc->aborted && (extra = PQgetResult(pgc->pg)))
        PQclear(extra);
    pg_copy_row_drop(st);
    pgc->streaming = NULL;
    st->state = PG_STMT_DONE;
    return rc;
}

int pg_copy_next(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    char *row = NULL;
    pg_copy_row_drop(st);
    pg_running(pgc, 1);
    int n = PQgetCopyData(pgc->pg, &row, 0);
    pg_running(pgc, 0);
    if (n <= 0) /* -1: the end (or an error, its result says); -2: lost */
        return pg_copy_end(st);
    st->copy_row = row;
    if (pg_copy_split(st, row, (size_t)n) != 0)
        return orm_conn_error(&pgc->base, ORM_EERROR,
                              "COPY sent a row that does not have the %zu "
                              "columns of its query",
                              st->ncopy);
    return ORM_ROW;
}

int pg_copy_start(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    PGresult *desc = NULL, *copy = NULL, *extra;
    int rc;
    if (!PQsendQuery(pgc->pg, st->copy_sql))
        return pg_result_error(pgc, NULL);
    pgc->streaming = st;
    st->generation = pgc->generation;
    pg_running(pgc, 1);
    desc = PQgetResult(pgc->pg);
    if (desc && PQresultStatus(desc) == PGRES_TUPLES_OK)
        copy = PQgetResult(pgc->pg);
    pg_running(pgc, 0);
    if (!copy || PQresultStatus(copy) != PGRES_COPY_OUT) {
        /* The SELECT failed (a missing column, a cancel, a lost
         * connection), or the COPY did: the query is over. */
        rc = pg_result_error(
            pgc, copy                                              ? copy
                 : desc && PQresultStatus(desc) != PGRES_TUPLES_OK ? desc
                                                                   : NULL);
        PQclear(copy);
        PQclear(desc);
        while (!pgc->aborted && (extra = PQgetResult(pgc->pg)))
            PQclear(extra);
        pgc->streaming = NULL;
        st->state = PG_STMT_DONE;
        return rc;
    }
    PQclear(copy);
    size_t ncols = (size_t)PQnfields(desc);
    if (ncols > st->ncopy_cap) {
        char **text = orm_realloc(st->copy_text, ncols * sizeof *text);
        if (text)
            st->copy_text = text;
        size_t *len =
            text ? orm_realloc(st->copy_len, ncols * sizeof *len) : NULL;
        if (len)
            st->copy_len = len;
        if (!text || !len) {
            PQclear(desc);
            st->state = PG_STMT_COPY; /* pg_reset cancels and drains it */
            return orm_conn_error(&pgc->base, ORM_ENOMEM, "%s",
                                  "out of memory");
        }
        st->ncopy_cap = ncols;
    }
    st->ncopy = ncols;
    st->res = desc; /* the columns' types, for pg_column and column_count */
    st->state = PG_STMT_COPY;
    return pg_copy_next(st);
}

/* Read and drop COPY rows (waiting for them unless `async`) until none is
 * there yet (0) or the COPY is over (< 0). */
static int pg_copy_skip(pg_conn *pgc, int async)
{
    char *row = NULL;
    int n = -2;
    while (!pgc->aborted && (n = PQgetCopyData(pgc->pg, &row, async)) > 0)
        PQfreemem(row);
    return pgc->aborted ? -2 : n;
}

void pg_copy_give_up(pg_stmt *st)
{
    pg_conn *pgc = (pg_conn *)st->base.conn;
    PGresult *res;
    int copying = 1, ended = 0;
    pg_copy_row_drop(st);
    /* What has arrived is read without waiting: a COPY whose end is here
     * already (a small table) needs no cancel, which costs a connection
     * of its own. */
    if (PQconsumeInput(pgc->pg) && pg_copy_skip(pgc, 1) < 0) {
        copying = 0;
        while (!ended && !pgc->aborted && !PQisBusy(pgc->pg)) {
            if (!(res = PQgetResult(pgc->pg)))
                ended = 1;
            else if (PQresultStatus(res) == PGRES_COPY_OUT) {
                PQclear(res); /* libpq out of memory: see pg_copy_end */
                pg_abort(&pgc->base);
            } else
                PQclear(res);
        }
    }
    /* Cancel a plain read; otherwise read the rest and drop it. A server
     * that does not take the cancel within the connect timeout is gone:
     * the connection is shut down, not read. */
    if (copying && st->may_cancel && PQstatus(pgc->pg) == CONNECTION_OK)
        pg_cancel_own(pgc);
    if (copying)
        pg_copy_skip(pgc, 0);
    while (!ended && !pgc->aborted && (res = PQgetResult(pgc->pg))) {
        int stuck = PQresultStatus(res) == PGRES_COPY_OUT;
        PQclear(res);
        if (stuck)
            pg_abort(&pgc->base);
    }
    pgc->streaming = NULL;
}
