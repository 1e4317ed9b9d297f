/*
 * The MySQL / MariaDB driver, on libmariadb (Connector/C, the MySQL client
 * API). Exports orm_driver_mysql.
 *
 * Statements use the binary protocol (mysql_stmt_*). Results are stored
 * client-side so other statements can run while rows are read, except for
 * ORM_STMT_STREAM statements, whose rows come from the server as they are
 * fetched: while such a stream is unread the connection is busy and any
 * other statement fails with ORM_EBUSY (the protocol cannot interleave).
 *
 * Every session is set up alike: utf8mb4 with binary, no-pad collation,
 * strict SQL mode, UTC, and READ ONLY transactions when asked. A lost
 * connection is closed at once (statements can then only be finalized,
 * which libmariadb turns into freeing memory); reconnect opens a fresh
 * handle with the same parameters and bumps a generation counter so that
 * statements of the old handle never touch the new one.
 *
 * A commit is not sent in one round trip as on PostgreSQL (no
 * execute_batch): libmariadb 3.3 waits for the answer to each prepared
 * statement it executes and has no pipeline for them (execute-direct pairs
 * only a statement's own PREPARE and EXECUTE), and a multi-statement text
 * goes through the text protocol, which has no bound parameters (values
 * are never written into SQL text). What it has is bulk execution
 * (execute_rows, mysql_rows.c: STMT_ATTR_ARRAY_SIZE, COM_STMT_BULK_EXECUTE,
 * MariaDB 10.2 and later): one statement text run for any number of rows
 * in one round trip. The server answers with the total of rows affected
 * (per-row results need the BULK_UNIT_RESULTS capability of MariaDB
 * 11.5), which is what the core checks: the guarded UPDATE or DELETE of
 * one shape, or the INSERT of rows whose keys are given, runs for all its
 * rows at once, the total of rows matched is compared with the number of
 * rows, and a mismatch or a row's error reruns them row by row to name
 * the record. So a commit here costs its START TRANSACTION, one round trip
 * per shape (model, phase and the columns an update sets) and its COMMIT,
 * whatever the number of rows (a run of rows larger than 1 MiB of values
 * goes in several messages). Inserts whose keys the server generates stay
 * multi-row INSERTs of up to 500 rows: bulk execution runs the one-row
 * INSERT once per row, reserving keys row by row, so another connection's
 * insert may take one in between (BATCH_KEYS holds for one multi-row
 * statement, whose rows InnoDB reserves at once). A MySQL server has no
 * bulk execution: there execute_rows says so before sending anything and
 * the core shares statements as before (UPDATE ... CASE / DELETE ... OR of
 * up to 200 rows).
 *
 * Files: this table; mysql_error.c (errors), mysql_conn.c (connections
 * and statements), mysql_types.c (values in and out, time zones, column
 * types), mysql_rows.c (one statement for many rows), mysql_reflect.c
 * (reflection); shared state in mysql_internal.h.
 */

#include "mysql_internal.h"

const orm_driver orm_driver_mysql = {
    .version = ORM_DRIVER_VERSION,
    .name = "mysql",
    /* BATCH_KEYS: InnoDB gives a multi-row insert consecutive ids with
     * innodb_autoinc_lock_mode 0 or 1 (MariaDB's default is 1). */
    .caps = ORM_CAP_LAST_INSERT_ID | ORM_CAP_MULTIROW_INSERT |
            ORM_CAP_BATCH_KEYS | ORM_CAP_ROUND_TRIPS | ORM_CAP_TEXT_CANDIDATES |
            ORM_CAP_LIKE_CANDIDATES | ORM_CAP_UUID_TYPE,
    .placeholder = ORM_PLACEHOLDER_QMARK,
    .ident_quote = '`',
    .backslash_escapes = 1,
    /* Binary comparison whatever the column's collation (LIKE on
     * columns that are not text; text goes through text_exact). */
    .like_op = "LIKE BINARY",
    /* nopad_bin: = and UNIQUE exact in case and trailing spaces, as in
     * the other dialects (utf8mb4_bin pads: 'a' = 'a '). */
    .table_options =
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
    .rowid_column = NULL,
    .connect = my_connect,
    .close = my_close,
    .reconnect = my_reconnect,
    .ping = my_ping,
    .exec = my_exec,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .prepare = my_prepare,
    .bind = my_bind,
    .step = my_step,
    .column_count = my_column_count,
    .column = my_column,
    .rows_matched = my_rows_matched,
    .last_insert_id = my_last_insert_id,
    .reset = my_reset,
    .finalize = my_finalize,
    .column_type_sql = my_column_type_sql,
    .list_tables = my_list_tables,
    .reflect_table = my_reflect_table,
    .estimate_count = my_estimate_count,
    .text_cast = "CHAR",
    .insert_defaults = " () VALUES ()",
    /* CAST(x AS CHAR) is in the session's collation, utf8mb4_nopad_bin
     * (MySQL: utf8mb4_bin), from any character set: exact, code point
     * order; LOWER folds by its Unicode case table. */
    .text_exact = {"CAST(", " AS CHAR)"},
    .text_order = {"CAST(", " AS CHAR)"},
    .text_fold = {"LOWER(", ")"},
    .text_column = my_text_column,
    .constraint_columns = my_constraint_columns,
    .estimate_counts = my_estimate_counts,
    .cancel = my_cancel,
    .abort = my_abort,
    .reflect_all = my_reflect_all,
    .execute_rows = my_execute_rows,
    .null_safe_equal = " <=> ",
};
