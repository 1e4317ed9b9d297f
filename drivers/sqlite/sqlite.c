/*
 * The SQLite driver: orm_driver_sqlite.
 *
 * Connections open a file (or an in-memory database) with foreign keys
 * on, a busy timeout (what lets two programs share a file),
 * case-sensitive LIKE and the function orb_fold (Unicode lowercase, for
 * the filters' i-operators; SQLite's lower() folds ASCII only). A file's
 * journal mode is left as found: switching it to WAL is persistent and
 * locks out users who may only read the file. A missing file is created
 * unless the options say it must exist; the URL's ?mode=ro|rw|rwc (as in
 * SQLite's URIs) overrides both. Statements are prepared persistent
 * because the core caches and reuses them. A statement timeout (the
 * URL's statement_timeout, as on the other dialects) bounds each step
 * through a progress handler; waiting for a lock is bounded by the busy
 * timeout instead (SQLite calls no handler while it sleeps).
 *
 * Binding borrows the caller's bytes (SQLITE_STATIC): the core keeps a
 * bound value alive until step returns ORM_DONE or the statement is
 * reset. So reset (and the first bind after an execution) also clears
 * all bindings, and stepping a finished statement keeps answering
 * ORM_DONE instead of re-running it: no execution ever reads a value the
 * core may already have freed.
 *
 * Values come back in the kind the column's orm_type travels as when the
 * stored value converts cleanly (SQLite columns may hold anything), and
 * in their natural kind otherwise. Numbers read as text (Numeric) are
 * plain decimals formatted into a per-column slot of the statement.
 *
 * Reflection reads the pragma table-valued functions with bound names.
 * A column declared without a type reflects as Text (SQLite stores what
 * it is given there; Text shows numbers and text alike when browsing,
 * blobs stay blobs).
 *
 * Files: this table; sqlite_error.c (errors), sqlite_conn.c (connections,
 * statements, column types for DDL), sqlite_reflect.c (reflection); shared
 * state in sqlite_internal.h.
 */

#include "sqlite_internal.h"

const orm_driver orm_driver_sqlite = {
    .version = ORM_DRIVER_VERSION,
    .name = "sqlite",
    .caps = ORM_CAP_RETURNING | ORM_CAP_LAST_INSERT_ID | ORM_CAP_NULLS_ORDER |
            ORM_CAP_MULTIROW_INSERT | ORM_CAP_DECIMAL_TEXT |
            ORM_CAP_TEXT_CANDIDATES | ORM_CAP_UUID_CANON,
    .placeholder = ORM_PLACEHOLDER_QMARK,
    .ident_quote = '"',
    .backslash_escapes = 0,
    .like_op = "LIKE",
    .table_options = "",
    .rowid_column = "rowid",
    .connect = sqlite_connect,
    .close = sqlite_close,
    .reconnect = sqlite_reconnect,
    .ping = sqlite_ping,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .prepare = sqlite_prepare,
    .bind = sqlite_bind,
    .step = sqlite_step,
    .column_count = sqlite_column_count,
    .column = sqlite_column,
    .rows_matched = sqlite_rows_matched,
    .last_insert_id = sqlite_last_insert_id,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .column_type_sql = sqlite_column_type_sql,
    .list_tables = sqlite_list_tables,
    .reflect_table = sqlite_reflect_table,
    .estimate_count = sqlite_estimate_count,
    .text_cast = "TEXT",
    .insert_defaults = " DEFAULT VALUES",
    /* BINARY whatever the column declares (NOCASE, RTRIM). LIKE is
     * case-sensitive on every connection and ignores collations. */
    .text_exact = {"", " COLLATE BINARY"},
    .text_order = {"", " COLLATE BINARY"},
    .text_fold = {"orb_fold(", ")"},
    .text_column = NULL,
    .constraint_columns = sqlite_constraint_columns,
    .cancel = sqlite_cancel,
};
