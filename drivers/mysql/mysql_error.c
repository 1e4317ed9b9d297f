/*
 * MySQL / MariaDB driver: native errors to ORM codes and messages (the
 * offending value and the password left out), and what a failure does to
 * the connection.
 */
#include "mysql_internal.h"

/* ---- small helpers ---- */

void *my_unconst(const void *p)
{
    return (void *)(uintptr_t)p;
}

/* Forget a secret: the compiler may not drop stores through volatile. */
void my_secret_free(char *s)
{
    if (!s)
        return;
    for (volatile char *p = s; *p; p++)
        *p = '\0';
    free(s);
}

/* *out = a copy of `s` (NULL stays NULL). 0, or -1 without memory. */
int my_dup(char **out, const char *s)
{
    *out = NULL;
    if (s && !(*out = orm_strdup(s)))
        return -1;
    return 0;
}

/* Last occurrence of `needle` in `s`, or NULL. */
static const char *my_strrstr(const char *s, const char *needle)
{
    const char *found = NULL;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        found = p;
    return found;
}

/*
 * The text after `open` up to the next `close` (owned), searching for
 * the first or (last = 1) the last `open`. NULL when absent or no memory.
 */
static char *my_between(const char *s, const char *open, const char *close,
                        int last)
{
    const char *p = last ? my_strrstr(s, open) : strstr(s, open);
    if (!p)
        return NULL;
    p += strlen(open);
    const char *end = strstr(p, close);
    if (!end || end == p)
        return NULL;
    return orm_strndup(p, (size_t)(end - p));
}

/* Append `msg` with every occurrence of `secret` replaced by "***". */
static void my_append_scrubbed(orm_buf *b, const char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0) {
        orm_buf_append(b, msg);
        return;
    }
    for (const char *hit; (hit = strstr(msg, secret)); msg = hit + n) {
        orm_buf_appendn(b, msg, (size_t)(hit - msg));
        orm_buf_append(b, "***");
    }
    orm_buf_append(b, msg);
}

/* ---- errors ---- */

static int my_code_map(const my_conn *c, unsigned native)
{
    switch (native) {
    case MY_ER_DUP_ENTRY:
    case MY_ER_DUP_ENTRY_WITH_KEY:
        return ORM_EUNIQUE;
    case MY_ER_BAD_NULL:
    case MY_ER_NO_DEFAULT:
        return ORM_ENOTNULL;
    case MY_ER_ROW_IS_REFERENCED_2:
    case MY_ER_NO_REFERENCED_ROW_2:
    case MY_ER_ROW_IS_REFERENCED:
    case MY_ER_NO_REFERENCED_ROW:
        return ORM_EFOREIGNKEY;
    case MY_ER_CHECK_VIOLATED:
    case MY_ER_CONSTRAINT_FAILED:
        return ORM_ECHECK;
    case MY_ER_LOCK_DEADLOCK:
    case MY_ER_LOCK_WAIT_TIMEOUT:
        return ORM_EBUSY;
    case MY_CR_SERVER_GONE:
    case MY_CR_SERVER_LOST:
    case MY_CR_SERVER_LOST_EXTENDED:
    case MY_ER_CONNECTION_KILLED:
    case MY_ER_SERVER_SHUTDOWN:
        return ORM_ECONNLOST;
    case MY_ER_CLIENT_TIMEOUT:
        return c && c->is_mariadb ? ORM_EERROR : ORM_ECONNLOST;
    case MY_ER_READ_ONLY_TRANSACTION:
        return ORM_EREADONLY;
    case MY_ER_DATA_TOO_LONG:
    case MY_ER_OUT_OF_RANGE:
    case MY_ER_DATA_TRUNCATED:
    case MY_ER_WRONG_VALUE:
    case MY_ER_WRONG_VALUE_FOR_FIELD:
    case MY_ER_NUMERIC_OUT_OF_RANGE:
        return ORM_ETYPE;
    case MY_ER_ACCESS_DENIED:
    case MY_ER_ACCESS_DENIED_DB:
    case MY_ER_ACCESS_DENIED_NO_PASSWORD:
        return ORM_EAUTH;
    case MY_CR_CONNECTION_ERROR:
    case MY_CR_CONN_HOST_ERROR:
    case MY_CR_UNKNOWN_HOST:
        return ORM_ECONNECT;
    default:
        return ORM_EERROR;
    }
}

/*
 * The column a type error names: "for column 'x'" (MySQL) or
 * "for column `db`.`table`.`x`" (MariaDB). Owned, or NULL.
 */
static char *my_type_error_column(const char *msg)
{
    const char *p = my_strrstr(msg, "for column ");
    if (!p)
        return NULL;
    p += strlen("for column ");
    if (*p == '\'')
        return my_between(p, "'", "'", 0);
    if (*p != '`')
        return NULL;
    /* The last of the `a`.`b`.`c` segments. */
    const char *name = p;
    while (*p == '`') {
        const char *end = strchr(p + 1, '`');
        if (!end)
            return NULL;
        name = p + 1;
        p = end + 1;
        if (*p != '.')
            return orm_strndup(name, (size_t)(end - name));
        p++;
    }
    return NULL;
}

/*
 * Fill `err` from a native error. Messages that would carry the offending
 * value (duplicate keys, bad values: possibly secrets) are rewritten
 * without it; the password never appears. `connecting` maps everything
 * but authentication to ORM_ECONNECT.
 */
int my_error_fill(const my_conn *c, orm_error *err, unsigned native,
                  const char *sqlstate, const char *msg, int connecting)
{
    int code = my_code_map(c, native);
    const char *secret = c ? c->password : NULL;
    orm_buf text = ORM_BUF_INIT;
    char *name = NULL;

    if (native == MY_ER_STATEMENT_TIMEOUT && c && c->statement_timeout_ms) {
        orm_statement_timeout_failure(err, c->statement_timeout_ms);
        err->native_code = (long)native;
        return ORM_ETIMEOUT;
    }
    if (native == MY_ER_QUERY_INTERRUPTED) {
        orm_error_set(err, ORM_ECANCELLED, "statement cancelled");
        err->native_code = (long)native;
        return ORM_ECANCELLED;
    }
    if (!msg)
        msg = "";
    /* A Galera node answers every query so while it is joining, behind
     * or cut off from the cluster's primary component. */
    if (native == MY_ER_UNKNOWN_COM_ERROR && strstr(msg, "WSREP"))
        code = ORM_EBUSY;
    if (connecting && code != ORM_EAUTH)
        code = ORM_ECONNECT;
    orm_error_clear(err);
    err->code = code;
    err->native_code = (long)native;
    if (sqlstate && strlen(sqlstate) == 5 && strcmp(sqlstate, "00000") != 0)
        memcpy(err->sqlstate, sqlstate, 6);

    switch (code) {
    case ORM_EUNIQUE:
        name = my_between(msg, "for key '", "'", 1);
        if (name && c && !c->is_mariadb && strchr(name, '.')) {
            /* MySQL 8 writes 'table.key'. */
            char *key = orm_strdup(strchr(name, '.') + 1);
            free(name);
            name = key;
        }
        orm_error_set_constraint(err, name);
        if (name)
            orm_buf_appendf(&text, "duplicate value for key '%s'", name);
        else
            orm_buf_append(&text, "duplicate value for a unique key");
        break;
    case ORM_ENOTNULL:
        if (native == MY_ER_BAD_NULL) {
            name = my_between(msg, "Column '", "'", 0);
            orm_buf_appendf(&text, "column '%s' cannot be null",
                            name ? name : "?");
        } else {
            name = my_between(msg, "Field '", "'", 0);
            orm_buf_appendf(&text, "column '%s' needs a value (no default)",
                            name ? name : "?");
        }
        orm_error_set_column(err, name);
        break;
    case ORM_EFOREIGNKEY: {
        char *cols = my_between(msg, "FOREIGN KEY (`", "`)", 0);
        char *table = my_between(msg, "fails (`", "`,", 0);
        name = my_between(msg, "CONSTRAINT `", "`", 0);
        orm_error_set_constraint(err, name);
        if (cols) {
            /* "a`, `b" → "a, b", as the other drivers join names. */
            orm_buf joined = ORM_BUF_INIT;
            for (const char *p = cols, *sep; *p; p = sep + 4) {
                sep = strstr(p, "`, `");
                orm_buf_appendn(&joined, p,
                                sep ? (size_t)(sep - p) : strlen(p));
                if (!sep)
                    break;
                orm_buf_append(&joined, ", ");
            }
            orm_error_set_column(err, orm_buf_str(&joined));
            orm_buf_free(&joined);
        }
        if (table) {
            /* "db`.`child": the part after the schema */
            const char *dot = strstr(table, "`.`");
            orm_error_set_table(err, dot ? dot + 3 : table);
        }
        free(cols);
        free(table);
        my_append_scrubbed(&text, msg, secret);
        break;
    }
    case ORM_ECHECK:
        name = native == MY_ER_CONSTRAINT_FAILED
                   ? my_between(msg, "CONSTRAINT `", "`", 0)
                   : my_between(msg, "onstraint '", "'", 0);
        orm_error_set_constraint(err, name);
        if (name && strchr(name, '.')) {
            /* MariaDB names a column-level check "table.column". */
            orm_error_set_column(err, strchr(name, '.') + 1);
        }
        my_append_scrubbed(&text, msg, secret);
        break;
    case ORM_ETYPE: {
        /* "Incorrect integer value: 'abc' for column ..." → the part
         * before the value, and the column. */
        size_t keep = strcspn(msg, ":");
        const char *for_col = strstr(msg, " for column");
        if (for_col && (size_t)(for_col - msg) < keep)
            keep = (size_t)(for_col - msg);
        name = my_type_error_column(msg);
        orm_error_set_column(err, name);
        orm_buf_appendn(&text, msg, keep);
        if (name)
            orm_buf_appendf(&text, " for column '%s'", name);
        break;
    }
    case ORM_EBUSY:
        /* In plain words: the session puts them before "nothing was
         * written" (my_fail_* name a Galera node's deadlock). */
        if (native == MY_ER_LOCK_DEADLOCK)
            orm_buf_append(&text, "another transaction changed these rows "
                                  "at the same time (deadlock)");
        else if (native == MY_ER_LOCK_WAIT_TIMEOUT)
            orm_buf_append(&text, "another transaction holds a lock on these "
                                  "rows (lock wait timeout)");
        else if (native == MY_ER_UNKNOWN_COM_ERROR)
            orm_buf_append(&text, "this node of the cluster is not taking "
                                  "queries: it is joining, behind or cut off "
                                  "from the other nodes");
        else
            my_append_scrubbed(&text, msg, secret);
        break;
    case ORM_ECONNLOST:
        orm_buf_append(&text, "connection lost: ");
        my_append_scrubbed(&text, msg, secret);
        break;
    case ORM_ECONNECT:
        orm_buf_append(&text, "cannot connect: ");
        my_append_scrubbed(&text, msg, secret);
        break;
    default:
        my_append_scrubbed(&text, msg, secret);
        break;
    }
    free(name);
    err->message = orm_buf_finish(&text);
    return code;
}

void my_deferred_close(my_conn *c)
{
    while (c->deferred) {
        my_stmt *st = c->deferred;
        c->deferred = st->next;
        mysql_stmt_close(st->handle);
        free(st);
    }
}

/*
 * The connection is gone: close the handle now. libmariadb then detaches
 * its statements, so finalizing them later only frees memory.
 */
void my_conn_drop(my_conn *c)
{
    /* Before the socket is closed: a cancel from another thread (which
     * holds the lock) must neither shut down the descriptor, which may
     * be another connection's by then, nor send a KILL that could reach
     * whoever gets the thread id next. */
    pthread_mutex_lock(&c->cancel_lock);
    c->sock = -1;
    c->thread_id = 0;
    pthread_mutex_unlock(&c->cancel_lock);
    if (c->mysql)
        mysql_close(c->mysql);
    c->mysql = NULL;
    c->stream = NULL;
    my_deferred_close(c);
}

/*
 * On a Galera node a deadlock is, in practice, another node's commit that
 * was certified first: applying it here aborted our transaction, or ours
 * failed certification. Whether the server is such a node is asked once
 * per connection, at its first deadlock (no round trip before), and the
 * message says so.
 */
static void my_name_deadlock(my_conn *c)
{
    orm_error *err = &c->base.err;
    if (err->native_code != MY_ER_LOCK_DEADLOCK || !c->mysql || c->stream)
        return;
    if (!c->galera) {
        c->galera = 1;
        if (mysql_query(c->mysql, "SELECT @@wsrep_on") == 0) {
            MYSQL_RES *res = mysql_store_result(c->mysql);
            MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
            if (row && row[0] && strcmp(row[0], "1") == 0)
                c->galera = 2;
            mysql_free_result(res);
        }
    }
    char *text = c->galera == 2 ? orm_strdup("another node changed these "
                                             "rows at the same time")
                                : NULL;
    if (text) {
        free(err->message);
        err->message = text;
    }
}

int my_fail_mysql(my_conn *c)
{
    int rc = my_error_fill(c, &c->base.err, mysql_errno(c->mysql),
                           mysql_sqlstate(c->mysql), mysql_error(c->mysql), 0);
    if (rc == ORM_ECONNLOST)
        my_conn_drop(c);
    else if (rc == ORM_EBUSY)
        my_name_deadlock(c);
    return rc;
}

/* The server ended the connection's transaction during a statement that
 * it answered without an error (a Galera node's brute-force abort can do
 * so during a bulk execution): reported as the deadlock it is, which
 * says that nothing was written. */
int my_fail_rolled_back(my_conn *c)
{
    int rc = my_error_fill(c, &c->base.err, MY_ER_LOCK_DEADLOCK, "40001",
                           "the server rolled the transaction back", 0);
    if (rc == ORM_EBUSY)
        my_name_deadlock(c);
    return rc;
}

int my_fail_stmt(my_stmt *st)
{
    my_conn *c = st->owner;
    int rc;
    /* Some failures (a stream cut off while fetching) are recorded on
     * the connection only. */
    if (mysql_stmt_errno(st->handle) == 0 && c->mysql &&
        mysql_errno(c->mysql) != 0)
        return my_fail_mysql(c);
    rc = my_error_fill(c, &c->base.err, mysql_stmt_errno(st->handle),
                       mysql_stmt_sqlstate(st->handle),
                       mysql_stmt_error(st->handle), 0);
    if (rc == ORM_ECONNLOST)
        my_conn_drop(c);
    else if (rc == ORM_EBUSY)
        my_name_deadlock(c);
    return rc;
}

int my_nomem(orm_conn *conn)
{
    return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
}

/* Can a new command go to the server now? (`self` may hold the stream.) */
int my_conn_ready(my_conn *c, const my_stmt *self)
{
    if (c->aborted)
        return orm_conn_error(&c->base, ORM_ECONNLOST,
                              "connection lost: it was shut down");
    if (!c->mysql)
        return orm_conn_error(&c->base, ORM_ECONNLOST,
                              "connection lost: reconnect before using it");
    if (c->stream && c->stream != self)
        return orm_conn_error(&c->base, ORM_EBUSY,
                              "a streamed result is still being read on "
                              "this connection; read it to the end or "
                              "reset its statement first");
    return 0;
}
