/**
 * @file
 * The driver interface: what a dialect implements. For driver authors
 * only; programs use the public headers.
 *
 * A driver is one `const orm_driver` table (drivers/sqlite/sqlite.c
 * exports orm_driver_sqlite, and so on); a program adds its own with
 * orm_driver_register(), and its name becomes a URL scheme
 * (`name://user@host/database`). The core renders all SQL text
 * itself, using the table's placeholder style and identifier quote, and
 * calls the functions below; it checks `caps` before relying on an
 * optional feature. Fields are append-only; `version` comes first and
 * says which fields a driver fills (version 2 added everything after
 * estimate_count). Where dialects spell something differently, the
 * table says how (a field or a capability bit): the core never guesses
 * a dialect from its name or quote character.
 *
 * Errors: every function that fails returns a negative ORM_E* code and
 * fills conn->err: the mapped code (unique / not-null / foreign-key /
 * check / busy / connection-lost ...), the native code (SQLite extended
 * code, MySQL errno) and SQLSTATE, the constraint, table and column where
 * the database names them, and the database's message (never a password).
 * A lost connection is ORM_ECONNLOST; after it, statements of that
 * connection may only be finalized, and the core calls reconnect. A
 * driver may itself reconnect and send again a read that found the
 * connection lost while nothing was open (the PostgreSQL driver does).
 */
#ifndef ORM_SYS_DRIVER_H
#define ORM_SYS_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/model.h"
#include "orm/url.h"
#include "orm/value.h"
#include "orm/sys/buf.h"

/** The orm_driver layout this header describes. */
#define ORM_DRIVER_VERSION 7
/** The oldest layout orm_driver_register() takes: version 1 tables lack
 * fields the core needs (text_cast, insert_defaults, the text wraps); a
 * version 2 table ends before estimate_counts, a version 3 table before
 * cancel, a version 4 table before reflect_all and execute_batch, a
 * version 5 table before abort and a version 6 table before execute_rows
 * and null_safe_equal, which the core then does not read; the
 * connections of a driver before version 4 end before
 * orm_conn.read_only_reason, which the core then does not read. */
#define ORM_DRIVER_MIN_VERSION 2

/** Base of every driver connection; the driver's struct embeds it first. */
typedef struct orm_conn {
    const struct orm_driver *driver; /**< the driver it belongs to */
    orm_error err;                   /**< detail of the last failure */
    int read_only;                   /**< opened read-only */
    /** Version 4: why the database itself refuses writes, as a phrase
     *  that reads in "read-only (...)" ("the server is a hot standby");
     *  static text, NULL when writable or read-only only because it was
     *  asked to be. A driver sets it (with read_only) at connect and at
     *  every reconnect: a promoted replica becomes writable. */
    const char *read_only_reason;
} orm_conn;

/** Base of every prepared statement; embedded first likewise. */
typedef struct orm_stmt {
    orm_conn *conn;  /**< the connection it was prepared on */
    const char *sql; /**< the text it was prepared from (driver-owned copy) */
} orm_stmt;

/** What orm_driver::connect is asked for. */
typedef struct orm_connect_options {
    int read_only;             /**< refuse writes at the driver level */
    int busy_timeout_ms;       /**< SQLite */
    int connect_timeout_s;     /**< network dialects */
    int must_exist;            /**< SQLite: a missing file is ORM_ENOTFOUND */
    long statement_timeout_ms; /**< 0 = none; the URL's statement_timeout
                                  (orm/sys/connopt.h) wins */
} orm_connect_options;

/** Capability bits (orm_driver::caps): each one the core checks before
 * it writes SQL that needs it. (Bits 3 and 5, transactional DDL and
 * savepoints, were never read and are retired, not reused.) */
enum {
    /** INSERT ... RETURNING cols works; the core uses it for keys. */
    ORM_CAP_RETURNING = 1u << 0,
    /** last_insert_id gives the generated key of a single-column key. */
    ORM_CAP_LAST_INSERT_ID = 1u << 1,
    /** ORDER BY x NULLS FIRST / NULLS LAST is accepted. */
    ORM_CAP_NULLS_ORDER = 1u << 2,
    /** Multi-row INSERT ... VALUES (...), (...). */
    ORM_CAP_MULTIROW_INSERT = 1u << 4,
    /** Numeric columns of more than 15 digits (or unbounded) are stored as
     * text to stay exact; the core orders and range-compares them through
     * CAST(col AS REAL). (SQLite: NUMERIC affinity would round them.) */
    ORM_CAP_DECIMAL_TEXT = 1u << 6,
    /** A multi-row INSERT gives the generated keys in VALUES order: its
     * RETURNING rows come in that order, or (without RETURNING)
     * last_insert_id is the first key and the others follow one by one.
     * The core then batches inserts into one statement per many rows. */
    ORM_CAP_BATCH_KEYS = 1u << 7,
    /** Every statement is a network round trip: the core sends the
     * updates and deletes of a commit in shared statements. */
    ORM_CAP_ROUND_TRIPS = 1u << 8,
    /** UPDATE t AS a ... FROM (VALUES ...) AS v(...) and DELETE FROM t AS a
     * USING (VALUES ...) work, with IS NOT DISTINCT FROM: shared updates
     * and deletes join against their rows instead of OR-ing conditions
     * (PostgreSQL plans a long OR slowly). */
    ORM_CAP_JOIN_VALUES = 1u << 9,
    /** A text column's index serves only the column's own collation, which
     * may be looser than exact (case- or accent-insensitive, or padding):
     * for = and IN the core writes the column's own comparison first, so
     * the index finds candidates, AND the exact one (text_exact), which
     * decides. */
    ORM_CAP_TEXT_CANDIDATES = 1u << 10,
    /** The same for LIKE and contains / startswith / endswith. (Not on
     * PostgreSQL: its LIKE refuses nondeterministic collations.) */
    ORM_CAP_LIKE_CANDIDATES = 1u << 11,
    /** UUID columns are the server's uuid type: compared with a value
     * bound as ORM_UUID as they are (an index on one serves keys, = and
     * IN). Without it a UUID is whatever another program stored: the
     * core compares and orders it as orb_uuid(col) with
     * ORM_CAP_UUID_CANON, else as lower(CAST(col AS TEXT)). */
    ORM_CAP_UUID_TYPE = 1u << 12,
    /** With ORM_CAP_UUID_TYPE: that type orders as its canonical text
     * does (lower-case hex: byte order), so ordering and paging use the
     * column as it is. (MariaDB's UUID orders time-based UUIDs by their
     * time, so there the core orders by CAST(col AS text).) */
    ORM_CAP_UUID_ORDER = 1u << 13,
    /** Without ORM_CAP_UUID_TYPE: every connection has the SQL function
     * orb_uuid(x), which gives a UUID its canonical text
     * (orm_uuid_canon, orm_uuid_from_bytes in orm/sys/uuid.h) from 16
     * bytes or any text form, anything else as CAST(x AS TEXT) does, and
     * NULL for NULL (SQLite: a UUID column may hold uuid.bytes, or
     * SQLAlchemy's 32 hex digits). UUID columns, and the values compared
     * with them, go through it. */
    ORM_CAP_UUID_CANON = 1u << 14
};

/** SQL written before and after an expression. */
typedef struct orm_sql_wrap {
    const char *before; /**< written before it */
    const char *after;  /**< written after it */
} orm_sql_wrap;

/** How a dialect writes a parameter in SQL text. */
typedef enum orm_placeholder_style {
    ORM_PLACEHOLDER_QMARK, /**< ? */
    ORM_PLACEHOLDER_DOLLAR /**< $1, $2, ... */
} orm_placeholder_style;

/** orm_driver::prepare flags */
enum {
    /** The result may be large and is read once, front to back: stream it
     * (single-row mode, mysql_use_result) instead of buffering it. The
     * core runs no other statement on the connection until it is
     * finished or reset. */
    ORM_STMT_STREAM = 1u << 0,
    /** The caller takes what preparing can report (a syntax error, a
     * wrong number of placeholders, a lost connection) from the first
     * step as well: the driver may prepare the statement with its first
     * execution, in the same round trip (MariaDB's execute-direct). The
     * core asks this for every statement; without it, prepare reports
     * them. A driver that does not know it ignores it. */
    ORM_STMT_DEFER = 1u << 1,
    /** With ORM_STMT_STREAM: the caller reads the whole result front to
     * back at once (an export, orm_query_cursor_bulk), not a page. A
     * driver may move the rows in its bulk format when the statement has
     * no parameters (PostgreSQL: `COPY (...) TO STDOUT`), as long as
     * step, column, reset and cancel give exactly what the plain stream
     * gives; a stream given up early may then cost a cancel where a
     * short page would not. A driver that does not know it ignores it. */
    ORM_STMT_BULK = 1u << 2
};

/** orm_driver::execute_batch flags */
enum {
    /** Start a transaction before the first statement, in the same round
     * trip. */
    ORM_BATCH_BEGIN = 1u << 0
};

/** A dialect: its SQL spelling and its functions (see the file). */
typedef struct orm_driver {
    int version;                       /**< ORM_DRIVER_VERSION */
    const char *name;                  /**< "sqlite", "postgresql", "mysql" */
    unsigned caps;                     /**< ORM_CAP_* */
    orm_placeholder_style placeholder; /**< how parameters are written */
    char ident_quote;                  /**< '"' or '`'; doubled inside names */
    int backslash_escapes; /**< string literals treat '\\' as an escape */
    /** How to write a case-sensitive LIKE ("LIKE", "LIKE BINARY") on a
     * column that is not text (a date, a number): the core writes
     * `col LIKE ? ESCAPE '\\'` with this in place of LIKE. Text columns
     * use text_exact and text_fold (below). */
    const char *like_op;
    /** Appended after CREATE TABLE (...), e.g. MySQL's engine and
     * utf8mb4 binary collation; "" for none. */
    const char *table_options;
    /** A hidden row identifier for tables without a primary key
     * ("rowid", "ctid"), or NULL. */
    const char *rowid_column;

    /** Open a connection to what `url` names; failures fill `err`. */
    int (*connect)(orm_conn **out, const orm_url *url,
                   const orm_connect_options *opts, orm_error *err);
    /** Close and free a connection. */
    void (*close)(orm_conn *conn);
    /** Re-establish a lost connection in place (same orm_conn pointer).
     * Statements prepared before are invalid; the core finalizes them
     * first. May be NULL (a lost connection then stays lost). */
    int (*reconnect)(orm_conn *conn);
    /** 0 when the connection answers. May be NULL (never asked). */
    int (*ping)(orm_conn *conn);

    /** Run SQL without parameters or results (BEGIN, DDL, ...). */
    int (*exec)(orm_conn *conn, const char *sql);
    /** Start a transaction. */
    int (*begin)(orm_conn *conn);
    /** Commit the transaction. */
    int (*commit)(orm_conn *conn);
    /** Roll the transaction back. */
    int (*rollback)(orm_conn *conn);

    /** Statements. `nparams` is the number of placeholders in `sql`. */
    int (*prepare)(orm_conn *conn, const char *sql, size_t nparams,
                   unsigned flags, orm_stmt **out);
    /** Bind parameter `index` (0-based). `type` is the column type the
     * value is meant for, or ORM_TYPE_COUNT when unknown (a driver with
     * typed parameters converts, e.g. text to numeric / date / json). The
     * value is copied or used before the next execute (driver's choice;
     * the core keeps it alive until step returns ORM_DONE or reset). */
    int (*bind)(orm_stmt *st, size_t index, const orm_value *v, orm_type type);
    /** Execute on the first call after bind/reset, then advance:
     * ORM_ROW, ORM_DONE, or an error. */
    int (*step)(orm_stmt *st);
    /** Number of result columns. */
    size_t (*column_count)(orm_stmt *st);
    /** Column `index` of the current row as a value of the kind `type`
     * travels as (orm_type_kind; ORM_TYPE_COUNT = the driver's natural
     * kind). Text and blobs are borrowed until the next step or reset.
     * Numeric stays exact text; booleans ORM_VBOOL; timestamps with a
     * zone as ISO text with the offset. */
    int (*column)(orm_stmt *st, size_t index, orm_type type, orm_value *out);
    /** Rows matched (not changed) by the last UPDATE/DELETE/INSERT. */
    int64_t (*rows_matched)(orm_stmt *st);
    /** Generated key of the last INSERT through this statement. */
    int (*last_insert_id)(orm_stmt *st, int64_t *out);
    /** Ready to bind and execute again; drops unread rows. */
    int (*reset)(orm_stmt *st);
    /** Free a statement. */
    void (*finalize)(orm_stmt *st);

    /** DDL type of a column as this dialect writes it, e.g. "VARCHAR(50)",
     * "NUMERIC(10,2)", "BIGSERIAL" (autoinc), "INTEGER AUTO_INCREMENT". */
    void (*column_type_sql)(orm_buf *out, const orm_column *col, int autoinc);

    /** Reflection. list_tables: user tables visible by default (search
     * path on PostgreSQL; current database on MySQL), owned strings.
     * reflect_table: `schema` may be NULL (default); builds an owned model
     * (orm_model_new ...) with columns, types mapped to orm_type (unknown
     * types become ORM_TEXT with native_type kept), nullability, defaults
     * (server_default), primary key, unique constraints and foreign keys
     * (single-column ones also set ref_table/ref_column on the column).
     * A foreign key's ref_table names its table as this connection does
     * (orm_name_join): bare when it lives in the current schema
     * (database), else "schema.table", whatever the schema of the table
     * reflected. The model's schema is set for a table outside the
     * current schema and left NULL for one of it, even when asked for by
     * that schema's name (the core then knows that name as the current
     * schema's). ORM_ENOTFOUND when the table does not exist.
     * list_tables may be NULL (orm_db_list_tables is then
     * ORM_EUNSUPPORTED); reflect_table may not: orm_db_create_all asks it
     * whether a table exists. */
    int (*list_tables)(orm_conn *conn, char ***out, size_t *count);
    /** See list_tables. */
    int (*reflect_table)(orm_conn *conn, const char *schema, const char *table,
                         orm_model **out);
    /** A cheap row-count estimate from the catalog; ORM_EUNSUPPORTED when
     * the dialect has none (the core then counts). May be NULL. */
    int (*estimate_count)(orm_conn *conn, const char *schema, const char *table,
                          int64_t *out);

    /* ---- version 2 ---- */
    /** The type a cast to text names, CAST(x AS <text_cast>): "TEXT", or
     * "CHAR" on MySQL (its only text cast). */
    const char *text_cast;
    /** Written after INSERT INTO t when every column takes its default:
     * " DEFAULT VALUES" (SQL standard) or " () VALUES ()" (MySQL). */
    const char *insert_defaults;
    /* Text in filters. orb compares text exactly, code point by code
     * point, whatever a column's collation; the i-operators fold case
     * with Unicode's simple lowercase mapping and keep accents. Each wrap
     * goes around a text column: text_exact for =, <>, IN and LIKE,
     * text_order for <, <=, >, >=, BETWEEN (code point order), text_fold
     * around the exact column and around the value of an i-operator,
     * whose LIKE then compares exactly. */
    orm_sql_wrap text_exact; /**< =, <>, IN, LIKE: exact */
    orm_sql_wrap text_order; /**< <, >, BETWEEN: code point order */
    orm_sql_wrap text_fold;  /**< Unicode simple lowercase */
    /** Is `col` (a String or Text column) text for the wraps above? 1 yes,
     * 0 compare it as the database does (a type reflected as Text that is
     * not text, e.g. PostgreSQL's inet). For the candidate comparisons
     * (ORM_CAP_*_CANDIDATES) it also appends to `before` and `after` what
     * goes around a value compared in the column's own collation (MySQL
     * converts it to a latin1 column's character set, where a bare value
     * with other characters would be an illegal mix of collations). NULL:
     * every such column is text and values go bare. */
    int (*text_column)(const orm_column *col, orm_buf *before, orm_buf *after);
    /** The columns of constraint or index `name` of `table`, in key
     * order, as owned strings (free each, then the array): for an error
     * that names only its constraint (a unique key's index on MariaDB, a
     * check constraint: the columns its expression uses). ORM_ENOTFOUND
     * when the table has none by that name. May be NULL. */
    int (*constraint_columns)(orm_conn *conn, const char *schema,
                              const char *table, const char *name, char ***out,
                              size_t *count);

    /* ---- version 3 ---- */
    /** estimate_count of `n` tables in one round trip: out[i] for
     * schemas[i] (NULL: the default) and tables[i], -1 where the catalog
     * has no estimate (never analyzed, no such table). May be NULL: the
     * core then asks estimate_count table by table. */
    int (*estimate_counts)(orm_conn *conn, const char *const *schemas,
                           const char *const *tables, size_t n, int64_t *out);

    /* ---- version 4 ---- */
    /** Stop what `conn` runs now. Called from another thread while the
     * connection's own thread may be inside any function above (except
     * connect and close), so it must be safe then, and touch neither
     * conn->err nor anything that thread uses unguarded. When the
     * connection is inside step, exec, begin or commit, that call
     * returns ORM_ECANCELLED soon after (SQLite: a progress handler or
     * sqlite3_interrupt; PostgreSQL: PQcancel; MariaDB: KILL QUERY on a
     * second connection) and the connection stays usable; rollback is
     * never stopped. When nothing runs, nothing happens: a statement
     * started afterwards runs normally. 0 when the request was made (or
     * there was nothing to stop), else a negative code with `err` filled
     * (it may be NULL). Waits for the server at most the connect timeout;
     * a server that does not take the request in that time is gone: the
     * connection is then shut down as by abort and the result is
     * ORM_ECONNLOST. May be NULL: orm_db_cancel() is then
     * ORM_EUNSUPPORTED. */
    int (*cancel)(orm_conn *conn, orm_error *err);

    /* ---- version 5 ---- */
    /** Every table list_tables lists, reflected as reflect_table would
     * reflect each (the same models, in list_tables' order, a table in
     * another schema with its schema set) in a few catalog queries for
     * all of them instead of a few per table: an owned array of owned
     * models in *out. May be NULL: the core then reflects table by
     * table. */
    int (*reflect_all)(orm_conn *conn, orm_model ***out, size_t *count);

    /** Execute `n` statements, each prepared (without ORM_STMT_STREAM) and
     * bound, in order and in as few round trips as the protocol allows
     * (PostgreSQL: one pipeline), with a BEGIN first when `flags` has
     * ORM_BATCH_BEGIN. The core may free the values it bound as soon as
     * bind returns, so a driver offering this copies them at bind. Afterwards
     * step on each statement, in order, gives what executing it alone
     * would have: ORM_ROW and its rows, or ORM_DONE with rows_matched
     * set, or its own error (filled into conn->err at that step); a
     * statement after a failed one did not run, and its step is an
     * error. The core checks the results before it commits, so nothing
     * here ends the transaction. 0 when the results are there to step
     * (statement errors included); a negative code with conn->err filled
     * when no statement ran: the BEGIN failed, or the connection was lost
     * (ORM_ECONNLOST), or it was busy streaming. Cancel stops it like
     * step. May be NULL: the core then executes the statements one by
     * one. */
    int (*execute_batch)(orm_conn *conn, orm_stmt *const *stmts, size_t n,
                         unsigned flags);

    /* ---- version 6 ---- */
    /** Shut the connection down at once, for a program about to exit on a
     * signal: called from a signal handler (or another thread) while the
     * connection's own thread may be inside any function above (except
     * connect, reconnect and close), so it makes only async-signal-safe
     * calls (shutdown(2) of the connection's socket) and touches nothing
     * that thread uses unguarded. Whatever waits on the server returns
     * soon after with ORM_ECONNLOST, and nothing more is sent or waited
     * for on the connection: no cancel, no reading the rest of a stream
     * (the server notices the closed connection itself). Afterwards
     * statements may only be reset and finalized and the connection
     * closed (or reconnected). May be NULL (SQLite: nothing waits on a
     * network). */
    void (*abort)(orm_conn *conn);

    /* ---- version 7 ---- */
    /** Execute `st` once for each of `nrows` rows of parameters, in order
     * and in as few round trips as the protocol allows (MariaDB: bulk
     * execution, one COM_STMT_BULK_EXECUTE): values[r * nparams + i] is
     * parameter i of row r, types[i] the column type of parameter i as
     * for bind. In an INSERT, where `defaults` (NULL: nowhere) has a
     * non-zero byte at the same place, that row's value is the column's
     * default instead, as if the INSERT did not name the column (MariaDB's
     * DEFAULT indicator). `st` is prepared (without ORM_STMT_STREAM) from an
     * INSERT, UPDATE or DELETE that gives no rows, and nothing is bound
     * to it; the values are read only during the call. *matched receives
     * the rows matched by all the rows together, as rows_matched counts
     * them (the server tells no more: the core compares the total with
     * the rows it expects, and reruns them one by one to find the one
     * that matched nothing). On a row's error that error is returned and
     * filled into conn->err as step would; rows before it may have run,
     * so the caller rolls the transaction back. ORM_EUNSUPPORTED, with
     * conn->err filled and nothing sent, when this server cannot (a MySQL
     * server): the core then shares statements as without this function,
     * for the rest of the connection's life. Cancel stops it like step.
     * Afterwards `st` is ready to bind and execute again. May be NULL. */
    int (*execute_rows)(orm_stmt *st, const orm_value *values,
                        const unsigned char *defaults, const orm_type *types,
                        size_t nrows, int64_t *matched);
    /** With execute_rows: how the dialect writes a comparison true when
     * both sides are equal or both are NULL, between the two sides: the
     * guards of a statement run through execute_rows compare with it, so
     * that one text serves a loaded value of NULL and one that is not
     * (" <=> " on MySQL, " IS NOT DISTINCT FROM " in standard SQL). */
    const char *null_safe_equal;
} orm_driver;

/** @{ */
/** The drivers, each compiled in only when its client library was found
 * at build time (orm_dialect_name lists them). Internal to the library:
 * the shared library does not export them; programs open a database by
 * URL. */
extern const orm_driver orm_driver_sqlite;
extern const orm_driver orm_driver_postgresql;
extern const orm_driver orm_driver_mysql;
/** @} */

/**
 * Add a driver the program brings, for every orm_db opened after it: a
 * URL whose scheme is `driver->name` (any case) opens through it. The
 * table is checked first, and refused with ORM_EINVALID and a message in
 * `err` saying what is wrong: a `version` outside ORM_DRIVER_MIN_VERSION
 * to ORM_DRIVER_VERSION (a table built against another orb's header), a
 * name that is not letters, digits, '_' and '-' starting with a letter,
 * a name taken (a scheme orb knows, such as "postgres", or a driver
 * registered before), a missing function the core calls (every one but
 * reconnect, ping, list_tables, estimate_count, text_column and
 * constraint_columns) or a missing SQL string. Registering the same
 * table again changes nothing. The table must live as long as the
 * program (it is kept, not copied); there is no unregistering.
 * Thread-safe. orm_dialect_name() lists it after the built-in drivers.
 */
ORM_API int orm_driver_register(const orm_driver *driver, orm_error *err);

/** Set conn->err (helper for drivers). Returns code. */
ORM_API int orm_conn_error(orm_conn *conn, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
