/*
 * SQLite driver: extended result codes to ORM codes, and the constraint
 * and column names read from SQLite's messages.
 */
#include "sqlite_internal.h"

/* ---- errors ---- */

static int sqlite_code_map(int ext)
{
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return ORM_EUNIQUE;
    case SQLITE_CONSTRAINT_NOTNULL:
        return ORM_ENOTNULL;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return ORM_EFOREIGNKEY;
    case SQLITE_CONSTRAINT_CHECK:
        return ORM_ECHECK;
    case SQLITE_CONSTRAINT_DATATYPE:
        return ORM_ETYPE;
    default:
        break;
    }
    switch (ext & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ORM_EBUSY;
    case SQLITE_READONLY:
        return ORM_EREADONLY;
    case SQLITE_NOMEM:
        return ORM_ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
        return ORM_EIO;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
        return ORM_EINVALID;
    default:
        return ORM_EERROR;
    }
}

/* Does `table` have a column `column`? Used to split "t.c" correctly
 * when a name itself contains a dot. */
static int sqlite_has_column(sqlite3 *db, const char *table, const char *column)
{
    return sqlite3_table_column_metadata(db, NULL, table, column, NULL, NULL,
                                         NULL, NULL, NULL) == SQLITE_OK;
}

/*
 * "t.a, t.b" (after "UNIQUE constraint failed: ") → table t, column a.
 * Tries every split until the schema confirms one; falls back to the
 * first dot and the first ", ".
 */
static int sqlite_error_parse_names(sqlite_conn *c, const char *list)
{
    size_t len = strlen(list);
    const char *first_dot = strchr(list, '.');
    char *table = NULL, *column = NULL;
    int rc = 0;

    if (!first_dot)
        return 0;
    for (const char *dot = first_dot; dot && !column;
         dot = strchr(dot + 1, '.')) {
        free(table);
        if (!(table = orm_strndup(list, (size_t)(dot - list))))
            return ORM_ENOMEM;
        const char *end = dot + 1;
        for (;;) {
            const char *sep = strstr(end, ", ");
            const char *stop = sep ? sep : list + len;
            char *cand = orm_strndup(dot + 1, (size_t)(stop - dot - 1));
            if (!cand) {
                rc = ORM_ENOMEM;
                goto done;
            }
            if (c->db && sqlite_has_column(c->db, table, cand)) {
                column = cand;
                break;
            }
            free(cand);
            if (!sep)
                break;
            end = sep + 2;
        }
    }
    if (!column) {
        free(table);
        if (!(table = orm_strndup(list, (size_t)(first_dot - list)))) {
            rc = ORM_ENOMEM;
            goto done;
        }
        const char *sep = strstr(first_dot + 1, ", ");
        size_t n = sep ? (size_t)(sep - first_dot - 1) : strlen(first_dot + 1);
        if (!(column = orm_strndup(first_dot + 1, n))) {
            rc = ORM_ENOMEM;
            goto done;
        }
    }
    /* Every column of the key, "a, b", when each is "table.column". */
    {
        orm_buf all = ORM_BUF_INIT;
        size_t tlen = strlen(table);
        int whole = 1;
        for (const char *p = list; *p && whole;) {
            const char *sep = strstr(p, ", ");
            size_t n = sep ? (size_t)(sep - p) : strlen(p);
            whole =
                n > tlen + 1 && strncmp(p, table, tlen) == 0 && p[tlen] == '.';
            if (whole) {
                if (all.len)
                    orm_buf_append(&all, ", ");
                orm_buf_appendn(&all, p + tlen + 1, n - tlen - 1);
            }
            p += n + (sep ? 2 : 0);
        }
        if (whole && all.len && !all.failed) {
            free(column);
            column = orm_buf_finish(&all);
        } else {
            orm_buf_free(&all);
        }
    }
    if (orm_error_set_table(&c->base.err, table) ||
        orm_error_set_column(&c->base.err, column))
        rc = ORM_ENOMEM;
done:
    free(table);
    free(column);
    return rc;
}

/* Fill table / column / constraint from SQLite's constraint messages. */
static void sqlite_error_parse(sqlite_conn *c, int ext, const char *msg)
{
    static const char *const prefixes[] = {
        "UNIQUE constraint failed: ",
        "NOT NULL constraint failed: ",
    };
    static const char check_prefix[] = "CHECK constraint failed: ";
    static const char index_prefix[] = "index '";
    static const char datatype_mid[] = " column ";

    if ((ext & 0xff) != SQLITE_CONSTRAINT || !msg)
        return;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(msg, prefixes[i], n) != 0)
            continue;
        const char *rest = msg + n;
        size_t in = sizeof index_prefix - 1;
        if (strncmp(rest, index_prefix, in) == 0) {
            /* A unique index on expressions names only itself. */
            const char *end = strrchr(rest + in, '\'');
            char *name =
                end ? orm_strndup(rest + in, (size_t)(end - rest - in)) : NULL;
            if (name)
                orm_error_set_constraint(&c->base.err, name);
            free(name);
            return;
        }
        sqlite_error_parse_names(c, rest);
        return;
    }
    if (strncmp(msg, check_prefix, sizeof check_prefix - 1) == 0) {
        orm_error_set_constraint(&c->base.err, msg + sizeof check_prefix - 1);
        return;
    }
    if (ext == SQLITE_CONSTRAINT_DATATYPE) {
        /* "cannot store TEXT value in INTEGER column t.c" */
        const char *mid = strstr(msg, datatype_mid);
        if (mid)
            sqlite_error_parse_names(c, mid + sizeof datatype_mid - 1);
    }
}

/* Set conn->err from the connection's last SQLite error. */
int sqlite_error(sqlite_conn *c)
{
    int ext = c->db ? sqlite3_extended_errcode(c->db) : SQLITE_ERROR;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(ext);
    int code = sqlite_code_map(ext);
    int offset = c->db ? sqlite3_error_offset(c->db) : -1;

    /* Our progress handler (an interrupt) or busy handler (gave up
     * waiting for a lock) obeyed sqlite_cancel. */
    if ((c->cancelled || atomic_load(&c->cancel)) &&
        ((ext & 0xff) == SQLITE_INTERRUPT || (ext & 0xff) == SQLITE_BUSY)) {
        orm_conn_error(&c->base, ORM_ECANCELLED, "statement cancelled");
        c->base.err.native_code = ext;
        return ORM_ECANCELLED;
    }
    if (code == ORM_EBUSY) /* in plain words; the session adds the rest */
        orm_conn_error(&c->base, code, "%s (%s)",
                       (ext & 0xff) == SQLITE_BUSY
                           ? "another connection is writing to the database"
                           : "another statement on this connection holds a "
                             "lock on this table",
                       msg);
    else
        orm_conn_error(&c->base, code, "%s", msg);
    c->base.err.native_code = ext;
    if (offset >= 0)
        c->base.err.position = (size_t)offset + 1;
    /* Parse our copy: looking names up replaces SQLite's message. */
    sqlite_error_parse(c, ext, c->base.err.message);
    return code;
}
