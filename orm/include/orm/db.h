/**
 * @file
 * A database: one connection through one driver, plus the models known
 * for it (declared by the program, read from a models file, reflected).
 * An orm_db and the sessions, queries and cursors made from it are used
 * by one thread at a time; separate orm_db handles are independent. The
 * one exception is orm_db_cancel(), which any thread may call.
 */
#ifndef ORM_DB_H
#define ORM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/model.h"
#include "orm/url.h"

/** An open database (opaque). */
typedef struct orm_db orm_db;

/** Options of orm_db_open(); start from ORM_OPEN_OPTIONS_INIT. */
typedef struct orm_open_options {
    int version;           /**< ORM_OPEN_OPTIONS_VERSION */
    int read_only;         /**< open read-only at the driver level */
    const char *password;  /**< overrides the URL's password (from a prompt
                              or the environment); copied */
    int busy_timeout_ms;   /**< SQLite busy timeout; 0 = 5000 */
    int connect_timeout_s; /**< network dialects; 0 = 10
                              (ORM_CONNECT_TIMEOUT_DEFAULT_S) */
    int must_exist;        /**< SQLite: a missing file is ORM_ENOTFOUND instead
                              of being created (version 2) */
    long statement_timeout_ms; /**< cancel a statement running longer; 0 =
                                  none; the URL's statement_timeout wins
                                  (version 3) */
} orm_open_options;

/** The orm_open_options layout this header describes. */
#define ORM_OPEN_OPTIONS_VERSION 3
/** Default orm_open_options. */
/* clang-format off */
#define ORM_OPEN_OPTIONS_INIT {ORM_OPEN_OPTIONS_VERSION, 0, NULL, 0, 0, 0, 0}
/* clang-format on */

/**
 * Open the database a URL names. On failure *out may still be set so the
 * caller can read orm_db_error(); free it either way with orm_db_free.
 * `opts` may be NULL. A SQLite file that does not exist is created
 * unless `must_exist` is set; the URL's ?mode=ro (read-only), rw (must
 * exist) or rwc (create) decides over the options. A SQLite file's
 * journal mode is left as it is.
 */
ORM_API int orm_db_open(orm_db **out, const char *url,
                        const orm_open_options *opts);
/** Close the connection and free the models it owns. Accepts NULL. */
ORM_API void orm_db_free(orm_db *db);

/** Detail of the last failure on this database (borrowed). */
ORM_API const orm_error *orm_db_error(const orm_db *db);

/** "sqlite", "postgresql", "mysql". */
ORM_API const char *orm_db_dialect(const orm_db *db);
/** The URL without password (borrowed). */
ORM_API const char *orm_db_url(const orm_db *db);
/** Was it opened read-only, or does the database refuse writes? */
ORM_API int orm_db_read_only(const orm_db *db);
/**
 * Why the database refuses writes although orb did not ask for read-only
 * (a PostgreSQL hot standby, a server set read-only), as a phrase that
 * reads in "read-only (...)"; NULL otherwise.
 * Borrowed, static text. It follows the latest (re)connect: a replica
 * promoted to primary becomes writable.
 */
ORM_API const char *orm_db_read_only_reason(const orm_db *db);

/**
 * Models. orm_db_register keeps a pointer to a static model or takes
 * ownership of a run-time one (made with orm_model_new). A later model
 * with the same table in the same schema replaces an earlier one in
 * lookups (declared beats reflected; "t" and "other.t" are two tables);
 * a replaced run-time model is not freed before orm_db_free, so records,
 * queries and sessions made with it stay valid. Registering a model that
 * is registered already changes nothing. Returns 0, or ORM_ENOMEM (the
 * caller then still owns `model`).
 */
ORM_API int orm_db_register(orm_db *db, const orm_model *model);
/** Number of registered models. */
ORM_API size_t orm_db_model_count(const orm_db *db);
/** Registered model number `i` (borrowed). */
ORM_API const orm_model *orm_db_model_at(const orm_db *db, size_t i);
/** A table's name as the user writes it: "table", "schema.table" (split
 * at the first dot), or either part in SQL's double quotes, a doubled
 * quote standing for one ("Odd Schema"."Mixed Table", "a.b"), so that a
 * part may hold a dot. *schema is NULL without one; both owned by the
 * caller. Returns 0 or ORM_ENOMEM. */
ORM_API int orm_name_split(const char *name, char **schema, char **table);
/** The name orm_name_split reads back as `schema` (NULL: none) and
 * `table`: a part holding a dot or beginning with a double quote is put
 * in double quotes, a quote doubled (`"Odd.Schema".t`); any other part as
 * it is. Owned by the caller; NULL when out of memory. */
ORM_API char *orm_name_join(const char *schema, const char *table);
/** Find by class name, then table name, then "schema.table"; NULL if none.
 * An unqualified name finds a model of the current schema first (one
 * without a schema), then any. Case-insensitive when there is no exact
 * match. The name is read as orm_name_split reads it. */
ORM_API const orm_model *orm_db_find_model(const orm_db *db, const char *name);
/** The model of a table named as a foreign key's ref_table names it:
 * "table" is the current schema's, "schema.table" (orm_name_split) that
 * schema's, never another schema's table of the same name; NULL if none
 * is registered. Models are told apart by schema and table: "t" and
 * "other.t" are two models, "t" and "current.t" one once the current
 * schema's name is known (orm_db_lookup_model, orm_db_lookup_table). */
ORM_API const orm_model *orm_db_find_table(const orm_db *db, const char *name);
/** orm_db_find_model, and for a "schema.table" it does not find (a table
 * of the current schema, which reflected models leave out, or of a schema
 * orm_db_reflect_all does not list), the table reflected in that schema
 * and registered: its SQL names the schema. A table of the current
 * schema named with that schema takes the place of the model of the
 * same table without a schema (orm_db_register), and from then on the
 * database knows the current schema's name. *out is borrowed. Returns 0,
 * ORM_DONE when there is no such table, or an error (its detail on db). */
ORM_API int orm_db_lookup_model(orm_db *db, const char *name,
                                const orm_model **out);
/** orm_db_find_table, and for a table it does not find, the table
 * reflected and registered as orm_db_lookup_model does: how every path
 * that follows a foreign key finds the parent's model, in whatever
 * schema (database) it lives. Returns 0, ORM_DONE when there is no such
 * table, or an error (its detail on db). */
ORM_API int orm_db_lookup_table(orm_db *db, const char *name,
                                const orm_model **out);

/** Reflect every table of the database (the search path on PostgreSQL)
 * that no registered model already covers, and register them. */
ORM_API int orm_db_reflect_all(orm_db *db);
/** Reflect one table ("name" or "schema.name", read as orm_name_split
 * reads it) into an owned model. */
ORM_API int orm_db_reflect(orm_db *db, const char *table, orm_model **out);
/** Table names, owned array of owned strings (free each, then the array). */
ORM_API int orm_db_list_tables(orm_db *db, char ***out, size_t *count);

/** Create the table of every registered model, parents before children;
 * existing tables are skipped. */
ORM_API int orm_db_create_all(orm_db *db);
/** Drop every registered model's table that exists, children first. */
ORM_API int orm_db_drop_all(orm_db *db);
/** CREATE TABLE (and its indexes) for one model. */
ORM_API int orm_db_create_table(orm_db *db, const orm_model *model);
/** DROP TABLE for one model. */
ORM_API int orm_db_drop_table(orm_db *db, const orm_model *model);
/** *out = 1 when the table exists, else 0. */
ORM_API int orm_db_table_exists(orm_db *db, const char *table, int *out);
/** The CREATE TABLE (and CREATE INDEX) text the dialect would run. */
ORM_API int orm_db_create_sql(orm_db *db, const orm_model *model, char **out);

/** Row count: exact (COUNT(*)) or an estimate from the catalog when
 * `allow_estimate` and the table is large; *exact says which. */
ORM_API int orm_db_count(orm_db *db, const orm_model *model, int allow_estimate,
                         int64_t *out, int *exact);

/** orm_db_count with estimates allowed, for `n` models at once: out[i]
 * and exact[i] for models[i]. On the network dialects two round trips
 * in all (the catalog's estimates, then one COUNT(*) of each small
 * table) instead of one or two per model. A table that no longer exists
 * (dropped since its model was read, or never created for a models file's
 * model) is no failure: out[i] is -1 and every other table is counted. On
 * failure nothing says which table failed: count them one by one to find
 * out. */
ORM_API int orm_db_count_many(orm_db *db, const orm_model *const *models,
                              size_t n, int64_t *out, int *exact);

/**
 * The escape hatch for a statement the ORM does not write (DDL of its
 * own, a bulk UPDATE, a server command): run `sql`, written in the
 * database's dialect with its placeholders (`?` on SQLite and MariaDB,
 * `$1`, `$2`, ... on PostgreSQL), binding `params[0..nparams)` in order.
 * Every value is a bound parameter: never paste one into `sql`. Rows it
 * returns are dropped (orm_db_cursor() reads them). `rows` (may be NULL)
 * receives the rows the statement matched, as UPDATE, DELETE and INSERT
 * count them. It runs inside the transaction of orm_session_begin() when
 * one is open, else on its own. 0, or a negative code with the
 * database's message on orm_db_error(). Records a session holds do not
 * see what it changed until they are refreshed.
 */
ORM_API int orm_db_execute(orm_db *db, const char *sql, const orm_value *params,
                           size_t nparams, int64_t *rows);

/**
 * Stop the statement `db` is running, from any thread: the only call on
 * an orm_db that another thread may make while the thread using it is
 * inside a call (not while orm_db_open or orm_db_free runs). The call
 * running the statement returns ORM_ECANCELLED soon after (its
 * orm_db_error() says "cancelled"), the connection stays open and
 * answers the next call, and a cancelled orm_session_commit() keeps
 * every pending change, as any failed commit does. What was cancelled
 * is what ran at that moment: a call that runs several statements (a
 * commit, orm_db_count_many) fails at the one it was running, but a
 * cancel that comes between two statements, or when nothing runs,
 * stops nothing, so a program stopping a call repeats orm_db_cancel
 * until that call returns (the orb browser does, every 50 ms). A
 * ROLLBACK is never stopped.
 *
 * A cancel travels to the server (PostgreSQL's on a connection of its
 * own, MariaDB's KILL QUERY after a login) and waits for it at most the
 * connect timeout (connect_timeout, 10 s by default): a server that does
 * not take it in that time is gone, and the connection is closed, so the
 * call waiting on it returns ORM_ECONNLOST at once and the next call
 * reconnects; orm_db_cancel then returns ORM_ECONNLOST too.
 *
 * 0 when the request was made, or when there was nothing to stop;
 * ORM_EUNSUPPORTED when the driver cannot cancel (a driver table older
 * than version 4); another negative code when the request failed (the
 * MariaDB driver opens a second connection to send KILL QUERY). The
 * detail goes to `err` (may be NULL), never to orm_db_error(), which
 * belongs to the thread using `db`.
 */
ORM_API int orm_db_cancel(orm_db *db, orm_error *err);

/**
 * Shut `db`'s connection down at once, from a signal handler (it is
 * async-signal-safe) or any thread, for a program that is exiting on a
 * signal: a call waiting on the server returns soon after with
 * ORM_ECONNLOST, also when the network is gone (where a cancel, which
 * connects to the server, could wait for minutes), and nothing more is
 * sent or waited for: the server sees the connection closed and stops
 * what it ran. Freeing cursors, sessions and `db` afterwards does not
 * wait on the server. What a commit running at that moment did is not
 * known (as with any lost connection). Nothing happens on SQLite, or
 * while orm_db_open, orm_db_free or a reconnect runs (`db` must not be
 * freed while a handler may call this).
 */
ORM_API void orm_db_abort(orm_db *db);

/** Check the connection; reconnects if it was lost. */
ORM_API int orm_db_ping(orm_db *db);

#endif
