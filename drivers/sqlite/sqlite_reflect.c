/*
 * SQLite driver: reflection through the pragma table-valued functions:
 * tables, columns, keys, indexes, foreign keys, views, row estimates,
 * constraint columns.
 */
#include "sqlite_internal.h"
#include "orm/db.h"

static void sqlite_free_const(const void *p)
{
    free((void *)(uintptr_t)p);
}

/* ---- reflection ---- */

static const struct {
    const char *name;
    orm_type type;
} sqlite_decl_types[] = {
    {"INTEGER", ORM_INTEGER},
    {"INT", ORM_INTEGER},
    {"INT4", ORM_INTEGER},
    {"MEDIUMINT", ORM_INTEGER},
    {"BIGINT", ORM_BIGINT},
    {"INT8", ORM_BIGINT},
    {"UNSIGNED BIG INT", ORM_BIGINT},
    {"SMALLINT", ORM_SMALLINT},
    {"INT2", ORM_SMALLINT},
    {"TINYINT", ORM_SMALLINT},
    {"VARCHAR", ORM_STRING},
    {"CHAR", ORM_STRING},
    {"CHARACTER", ORM_STRING},
    {"NVARCHAR", ORM_STRING},
    {"NCHAR", ORM_STRING},
    {"VARYING CHARACTER", ORM_STRING},
    {"CHARACTER VARYING", ORM_STRING},
    {"NATIVE CHARACTER", ORM_STRING},
    {"TEXT", ORM_TEXT},
    {"CLOB", ORM_TEXT},
    {"REAL", ORM_FLOAT},
    {"DOUBLE", ORM_FLOAT},
    {"DOUBLE PRECISION", ORM_FLOAT},
    {"FLOAT", ORM_FLOAT},
    {"NUMERIC", ORM_NUMERIC},
    {"DECIMAL", ORM_NUMERIC},
    {"DECIMAL TEXT", ORM_NUMERIC},
    {"BOOLEAN", ORM_BOOLEAN},
    {"BOOL", ORM_BOOLEAN},
    {"DATE", ORM_DATE},
    {"TIME", ORM_TIME},
    {"DATETIME", ORM_DATETIME},
    {"TIMESTAMP", ORM_DATETIME},
    {"TIMESTAMP WITHOUT TIME ZONE", ORM_DATETIME},
    {"TIMESTAMPTZ", ORM_DATETIMETZ},
    {"TIMESTAMP WITH TIME ZONE", ORM_DATETIMETZ},
    {"BLOB", ORM_BLOB},
    {"JSON", ORM_JSON},
    {"UUID", ORM_UUID},
};

/*
 * Declared type → orm_type, length, precision and scale. Words are
 * matched case-insensitively with blanks collapsed; a trailing UNSIGNED
 * is ignored; anything unknown is Text.
 */
static void sqlite_decl_parse(orm_column *col, const char *decl)
{
    char base[64];
    size_t n = 0;
    const char *p = decl;
    int args[2] = {0, 0};
    int nargs = 0;

    col->type = ORM_TEXT;
    while (*p && *p != '(') {
        if (isspace((unsigned char)*p)) {
            if (n > 0 && base[n - 1] != ' ' && n < sizeof base - 1)
                base[n++] = ' ';
        } else if (n < sizeof base - 1) {
            base[n++] = (char)toupper((unsigned char)*p);
        } else {
            return; /* too long to be a type we know */
        }
        p++;
    }
    while (n > 0 && base[n - 1] == ' ')
        n--;
    base[n] = '\0';
    if (n > 9 && strcmp(base + n - 9, " UNSIGNED") == 0)
        base[n - 9] = '\0';
    if (*p == '(') {
        char *end = NULL;
        p++;
        for (nargs = 0; nargs < 2;) {
            while (isspace((unsigned char)*p))
                p++;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v > 1000000000) {
                nargs = 0;
                break;
            }
            args[nargs++] = (int)v;
            p = end;
            while (isspace((unsigned char)*p))
                p++;
            if (*p != ',')
                break;
            p++;
        }
    }
    for (size_t i = 0;
         i < sizeof sqlite_decl_types / sizeof sqlite_decl_types[0]; i++) {
        if (strcmp(base, sqlite_decl_types[i].name) != 0)
            continue;
        col->type = sqlite_decl_types[i].type;
        if (col->type == ORM_STRING && nargs >= 1)
            col->length = args[0];
        if (col->type == ORM_NUMERIC && nargs >= 1) {
            col->precision = args[0];
            col->scale = nargs >= 2 ? args[1] : 0;
        }
        return;
    }
}

/* A column SQLite gives no affinity (no declared type, or an unknown one
 * naming BLOB): it keeps each value's own kind, so 42 and '42' differ. */
static int sqlite_decl_untyped(const char *decl, orm_type mapped)
{
    if (!*decl)
        return 1;
    if (mapped != ORM_TEXT)
        return 0;
    for (const char *p = decl; *p; p++)
        if (strncasecmp(p, "BLOB", 4) == 0)
            return 1;
    return 0;
}

/* Prepare a reflection query whose ?1 is a name and ?2 the schema. */
static int sqlite_refl_prepare(sqlite_conn *c, const char *sql,
                               const char *name, const char *schema,
                               sqlite3_stmt **out)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sqlite_error(c);
    if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
        (schema &&
         sqlite3_bind_text(stmt, 2, schema, -1, SQLITE_STATIC) != SQLITE_OK)) {
        int rc = sqlite_error(c);
        sqlite3_finalize(stmt);
        return rc;
    }
    *out = stmt;
    return 0;
}

int sqlite_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name FROM sqlite_master "
                           "WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
                           "ORDER BY name",
                           -1, &stmt, NULL) != SQLITE_OK) {
        rc = sqlite_error(c);
        goto done;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n + 1 >= cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = orm_realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        if (!(names[n] = orm_strdup(name ? name : ""))) {
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    if (!names && !(names = orm_calloc(1, sizeof *names))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    *out = names;
    *count = n;
    names = NULL;
    rc = 0;
done:
    if (names) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Columns gathered before they go into the model. */
typedef struct sqlite_refl {
    sqlite_conn *c;
    const char *schema;
    /* The model's schema: `schema` unless that is "main", whose tables
     * bare names find. A foreign key's parent is always in the child's
     * own database (SQLite's foreign keys cannot cross databases), so it
     * is named in this one too (driver.h). */
    const char *qualified;
    orm_column *cols;
    int *pk_order; /* table_info's pk position, 0 = not in the key */
    size_t ncols;
    int has_pk_index; /* the key is an index, so not the rowid */
} sqlite_refl;

static void sqlite_refl_free(sqlite_refl *r)
{
    for (size_t i = 0; i < r->ncols; i++) {
        sqlite_free_const(r->cols[i].name);
        sqlite_free_const(r->cols[i].native_type);
        sqlite_free_const(r->cols[i].server_default);
        sqlite_free_const(r->cols[i].ref_table);
        sqlite_free_const(r->cols[i].ref_column);
        sqlite_free_const(r->cols[i].read_only);
    }
    free(r->cols);
    free(r->pk_order);
}

static int sqlite_refl_find(const sqlite_refl *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

#define SQLITE_GENERATED_READ_ONLY "generated by the database"
#define SQLITE_VIEW_READ_ONLY                                                  \
    "a view: it has no primary key to find a row by, so orb only reads it"

static int sqlite_refl_columns(sqlite_refl *r, const char *table)
{
    sqlite_conn *c = r->c;
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    int rc;

    /* hidden 1 marks a virtual table's hidden columns; generated
     * columns (2, 3) are real columns a person wants to see. */
    rc = sqlite_refl_prepare(c,
                             "SELECT name, type, \"notnull\", dflt_value, pk, "
                             "hidden FROM pragma_table_xinfo(?1, ?2) "
                             "WHERE hidden <> 1 ORDER BY cid",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (r->ncols == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            orm_column *cols = orm_realloc(r->cols, ncap * sizeof *cols);
            if (!cols) {
                rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            r->cols = cols;
            int *order = orm_realloc(r->pk_order, ncap * sizeof *order);
            if (!order) {
                rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            r->pk_order = order;
            cap = ncap;
        }
        orm_column *col = &r->cols[r->ncols];
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *decl = (const char *)sqlite3_column_text(stmt, 1);
        const char *dflt = (const char *)sqlite3_column_text(stmt, 3);
        memset(col, 0, sizeof *col);
        r->pk_order[r->ncols] = sqlite3_column_int(stmt, 4);
        r->ncols++;
        col->name = orm_strdup(name ? name : "");
        col->native_type = orm_strdup(decl ? decl : "");
        if (dflt)
            col->server_default = orm_strdup(dflt);
        if (!col->name || !col->native_type || (dflt && !col->server_default)) {
            rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
        sqlite_decl_parse(col, decl ? decl : "");
        if (sqlite_decl_untyped(decl ? decl : "", col->type))
            col->flags |= ORM_UNTYPED;
        if (sqlite3_column_int(stmt, 2))
            col->flags |= ORM_NOT_NULL;
        if (r->pk_order[r->ncols - 1] > 0)
            col->flags |= ORM_PK;
        /* hidden 2 and 3: GENERATED ALWAYS AS (...) VIRTUAL / STORED. */
        if (sqlite3_column_int(stmt, 5) >= 2 &&
            !(col->read_only = orm_strdup(SQLITE_GENERATED_READ_ONLY))) {
            rc = orm_conn_error(&c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(stmt);
    return rc;
}

/* Names of an index's columns; *count 0 when it covers an expression. */
static int sqlite_refl_index_columns(sqlite_refl *r, const char *index,
                                     const char ***out, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    const char **names = NULL;
    size_t n = 0, cap = 0;
    int expression = 0;
    int rc;

    *out = NULL;
    *count = 0;
    rc = sqlite_refl_prepare(r->c,
                             "SELECT name FROM pragma_index_info(?1, ?2) "
                             "ORDER BY seqno",
                             index, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        int at = name ? sqlite_refl_find(r, name) : -1;
        if (at < 0) {
            expression = 1;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            const char **grown = orm_realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        /* Borrow the model's copy: it outlives this query. */
        names[n++] = r->cols[at].name;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = 0;
    if (!expression) {
        *out = names;
        *count = n;
        names = NULL;
    }
done:
    free(names);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_refl_indexes(sqlite_refl *r, const char *table,
                               orm_model *model)
{
    sqlite3_stmt *stmt = NULL;
    const char **names = NULL;
    size_t n = 0;
    int rc;

    rc = sqlite_refl_prepare(r->c,
                             "SELECT name, \"unique\", origin, partial "
                             "FROM pragma_index_list(?1, ?2) ORDER BY seq "
                             "DESC",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *index = (const char *)sqlite3_column_text(stmt, 0);
        int unique = sqlite3_column_int(stmt, 1);
        const char *origin = (const char *)sqlite3_column_text(stmt, 2);
        int partial = sqlite3_column_int(stmt, 3);

        if (origin && strcmp(origin, "pk") == 0) {
            r->has_pk_index = 1;
            continue;
        }
        if (!index || partial)
            continue;
        free(names);
        names = NULL;
        if ((rc = sqlite_refl_index_columns(r, index, &names, &n)) != 0)
            goto done;
        if (n == 1) {
            int at = sqlite_refl_find(r, names[0]);
            r->cols[at].flags |= unique ? ORM_UNIQUE : ORM_INDEX;
        } else if (n > 1 && unique) {
            /* A UNIQUE constraint's index has a made-up name; one made
             * with CREATE UNIQUE INDEX keeps its own. */
            int named = origin && strcmp(origin, "c") == 0;
            rc = orm_model_add_unique(model, named ? index : NULL, n, names);
            if (rc) {
                rc = orm_conn_error(&r->c->base, rc, "out of memory");
                goto done;
            }
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = 0;
done:
    free(names);
    sqlite3_finalize(stmt);
    return rc;
}

/* The primary key columns of `table`, in key order (for a foreign key
 * that names only its parent table). */
static int sqlite_refl_parent_pk(sqlite_refl *r, const char *table, char ***out,
                                 size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *count = 0;
    rc = sqlite_refl_prepare(r->c,
                             "SELECT name FROM pragma_table_info(?1, ?2) "
                             "WHERE pk > 0 ORDER BY pk",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **grown = orm_realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
            names = grown;
            cap = ncap;
        }
        if (!(names[n] = orm_strdup(name ? name : ""))) {
            rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    *out = names;
    *count = n;
    names = NULL;
    rc = 0;
done:
    if (names) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* One foreign key gathered from consecutive foreign_key_list rows. */
typedef struct sqlite_refl_fk {
    char *ref_table;
    char **from;
    char **to; /* entries may be NULL: "the parent's primary key" */
    size_t n, cap;
} sqlite_refl_fk;

static void sqlite_refl_fk_clear(sqlite_refl_fk *fk)
{
    for (size_t i = 0; i < fk->n; i++) {
        free(fk->from[i]);
        free(fk->to[i]);
    }
    free(fk->from);
    free(fk->to);
    free(fk->ref_table);
    memset(fk, 0, sizeof *fk);
}

static int sqlite_refl_fk_push(sqlite_refl_fk *fk, const char *from,
                               const char *to)
{
    if (fk->n == fk->cap) {
        size_t ncap = fk->cap ? fk->cap * 2 : 4;
        char **f = orm_realloc(fk->from, ncap * sizeof *f);
        if (!f)
            return ORM_ENOMEM;
        fk->from = f;
        char **t = orm_realloc(fk->to, ncap * sizeof *t);
        if (!t)
            return ORM_ENOMEM;
        fk->to = t;
        fk->cap = ncap;
    }
    fk->from[fk->n] = orm_strdup(from);
    fk->to[fk->n] = to ? orm_strdup(to) : NULL;
    fk->n++;
    if (!fk->from[fk->n - 1] || (to && !fk->to[fk->n - 1]))
        return ORM_ENOMEM;
    return 0;
}

/* Put a finished foreign key on its column or into the model. */
static int sqlite_refl_fk_store(sqlite_refl *r, sqlite_refl_fk *fk,
                                orm_model *model)
{
    char **pk = NULL;
    size_t npk = 0;
    int rc = 0;

    if (fk->n == 0)
        return 0;
    if (!fk->to[0]) {
        /* REFERENCES parent: the parent's primary key, in key order. */
        if ((rc = sqlite_refl_parent_pk(r, fk->ref_table, &pk, &npk)) != 0)
            goto done;
        if (npk == fk->n) {
            for (size_t i = 0; i < npk; i++) {
                free(fk->to[i]);
                fk->to[i] = pk[i];
                pk[i] = NULL;
            }
        }
    }
    if (fk->n == 1) {
        int at = sqlite_refl_find(r, fk->from[0]);
        if (at >= 0 && !r->cols[at].ref_table) {
            orm_column *col = &r->cols[at];
            col->ref_table = orm_name_join(r->qualified, fk->ref_table);
            if (fk->to[0])
                col->ref_column = orm_strdup(fk->to[0]);
            if (!col->ref_table || (fk->to[0] && !col->ref_column))
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
        }
        goto done;
    }
    for (size_t i = 0; i < fk->n; i++)
        if (!fk->to[i])
            goto done; /* a key SQLite itself would call a mismatch */
    char *parent = orm_name_join(r->qualified, fk->ref_table);
    rc = parent ? orm_model_add_foreign_key(model, NULL, fk->n,
                                            (const char *const *)fk->from,
                                            parent, (const char *const *)fk->to)
                : ORM_ENOMEM;
    free(parent);
    if (rc)
        rc = orm_conn_error(&r->c->base, rc, "out of memory");
done:
    if (pk) {
        for (size_t i = 0; i < npk; i++)
            free(pk[i]);
        free(pk);
    }
    return rc;
}

static int sqlite_refl_foreign_keys(sqlite_refl *r, const char *table,
                                    orm_model *model)
{
    sqlite3_stmt *stmt = NULL;
    sqlite_refl_fk fk = {0};
    int current = -1;
    int rc;

    rc = sqlite_refl_prepare(r->c,
                             "SELECT id, \"table\", \"from\", \"to\" "
                             "FROM pragma_foreign_key_list(?1, ?2) "
                             "ORDER BY id, seq",
                             table, r->schema, &stmt);
    if (rc)
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int id = sqlite3_column_int(stmt, 0);
        const char *parent = (const char *)sqlite3_column_text(stmt, 1);
        const char *from = (const char *)sqlite3_column_text(stmt, 2);
        const char *to = (const char *)sqlite3_column_text(stmt, 3);

        if (id != current) {
            if ((rc = sqlite_refl_fk_store(r, &fk, model)) != 0)
                goto done;
            sqlite_refl_fk_clear(&fk);
            current = id;
            if (!(fk.ref_table = orm_strdup(parent ? parent : ""))) {
                rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
                goto done;
            }
        }
        if (sqlite_refl_fk_push(&fk, from ? from : "", to)) {
            rc = orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(r->c);
        goto done;
    }
    rc = sqlite_refl_fk_store(r, &fk, model);
done:
    sqlite_refl_fk_clear(&fk);
    sqlite3_finalize(stmt);
    return rc;
}

/* 1 when `table` is a view, 0 when not, or an error. */
static int sqlite_refl_is_view(sqlite_refl *r, const char *table)
{
    sqlite3_stmt *stmt = NULL;
    orm_buf sql = ORM_BUF_INIT;
    int rc;

    /* The schema can only be named in SQL text: quote it. */
    orm_buf_append(&sql, "SELECT type = 'view' FROM ");
    if (r->schema) {
        orm_buf_appendc(&sql, '"');
        for (const char *p = r->schema; *p; p++) {
            if (*p == '"')
                orm_buf_appendc(&sql, '"');
            orm_buf_appendc(&sql, *p);
        }
        orm_buf_append(&sql, "\".");
    }
    orm_buf_append(&sql, "sqlite_master WHERE name = ?1");
    if (!orm_buf_str(&sql))
        return orm_conn_error(&r->c->base, ORM_ENOMEM, "out of memory");
    rc = sqlite_refl_prepare(r->c, orm_buf_str(&sql), table, NULL, &stmt);
    orm_buf_free(&sql);
    if (rc)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        rc = sqlite3_column_int(stmt, 0);
    else if (rc == SQLITE_DONE)
        rc = 0;
    else
        rc = sqlite_error(r->c);
    sqlite3_finalize(stmt);
    return rc;
}

int sqlite_reflect_table(orm_conn *conn, const char *schema, const char *table,
                         orm_model **out)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    const char *qualified =
        schema && strcasecmp(schema, "main") != 0 ? schema : NULL;
    sqlite_refl r = {c, schema, qualified, NULL, NULL, 0, 0};
    orm_model *model = NULL;
    int rc;

    *out = NULL;
    if (!table)
        return orm_conn_error(conn, ORM_EINVALID, "no table name given");
    if ((rc = orm_model_new(&model, NULL, table)) != 0 ||
        (qualified && (rc = orm_model_set_schema(model, qualified)) != 0)) {
        rc = orm_conn_error(conn, rc, "out of memory");
        goto done;
    }
    if ((rc = sqlite_refl_columns(&r, table)) != 0) {
        const char *msg = conn->err.message;
        if (schema && msg && strncmp(msg, "unknown database", 16) == 0) {
            rc = ORM_ENOTFOUND;
            conn->err.code = rc;
        }
        goto done;
    }
    if (r.ncols == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table named '%s'%s%s",
                            table, schema ? " in schema " : "",
                            schema ? schema : "");
        orm_error_set_table(&conn->err, table);
        goto done;
    }
    if ((rc = sqlite_refl_indexes(&r, table, model)) != 0 ||
        (rc = sqlite_refl_foreign_keys(&r, table, model)) != 0)
        goto done;

    /* A single INTEGER key on a rowid table is the rowid: generated. */
    size_t npk = 0;
    int pk_at = -1;
    for (size_t i = 0; i < r.ncols; i++) {
        if (r.pk_order[i] > 0) {
            npk++;
            pk_at = (int)i;
        }
    }
    if (npk == 1 && !r.has_pk_index &&
        strcasecmp(r.cols[pk_at].native_type, "INTEGER") == 0)
        r.cols[pk_at].flags |= ORM_AUTOINC;
    else if (npk == 1) /* INT PRIMARY KEY, WITHOUT ROWID: no value made */
        r.cols[pk_at].flags |= ORM_NO_AUTOINC;
    if ((rc = sqlite_refl_is_view(&r, table)) < 0)
        goto done;
    if (rc == 1) {
        model->is_view = 1;
        if ((rc = orm_model_set_read_only(model, SQLITE_VIEW_READ_ONLY))) {
            rc = orm_conn_error(conn, rc, "out of memory");
            goto done;
        }
    }
    rc = 0;

    for (size_t i = 0; i < r.ncols; i++) {
        if ((rc = orm_model_add_column(model, &r.cols[i])) != 0) {
            rc = orm_conn_error(conn, rc, "out of memory");
            goto done;
        }
    }
    *out = model;
    model = NULL;
done:
    sqlite_refl_free(&r);
    orm_model_free(model);
    return rc;
}

int sqlite_estimate_count(orm_conn *conn, const char *schema, const char *table,
                          int64_t *out)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    orm_buf sql = ORM_BUF_INIT;
    int64_t best = -1;
    int rc;

    *out = 0;
    /* The schema can only be named in SQL text: quote it. */
    orm_buf_append(&sql, "SELECT stat FROM ");
    if (schema) {
        orm_buf_appendc(&sql, '"');
        for (const char *p = schema; *p; p++) {
            if (*p == '"')
                orm_buf_appendc(&sql, '"');
            orm_buf_appendc(&sql, *p);
        }
        orm_buf_append(&sql, "\".");
    }
    orm_buf_append(&sql, "sqlite_stat1 WHERE tbl = ?1");
    if (!orm_buf_str(&sql)) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(c->db, orm_buf_str(&sql), -1, &stmt, NULL) !=
        SQLITE_OK) {
        /* No sqlite_stat1: ANALYZE never ran. */
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no row-count estimate for '%s' (ANALYZE has "
                            "not been run)",
                            table);
        goto done;
    }
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *stat = (const char *)sqlite3_column_text(stmt, 0);
        char *end = NULL;
        long long v = stat ? strtoll(stat, &end, 10) : -1;
        if (stat && end != stat && v > best)
            best = v;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite_error(c);
        goto done;
    }
    if (best < 0) {
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no row-count estimate for '%s' (ANALYZE has "
                            "not covered it)",
                            table);
        goto done;
    }
    *out = best;
    rc = 0;
done:
    sqlite3_finalize(stmt);
    orm_buf_free(&sql);
    return rc;
}

static int sqlite_ident_char(unsigned char ch)
{
    return ch == '_' || ch >= 0x80 || isalnum(ch);
}

/* Does `word` stand in `text` as a whole identifier (any case)? */
static const char *sqlite_find_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *q = text; n && *q; q++)
        if (strncasecmp(q, word, n) == 0 &&
            (q == text || !sqlite_ident_char((unsigned char)q[-1])) &&
            !sqlite_ident_char((unsigned char)q[n]))
            return q;
    return NULL;
}

/* The expression of CONSTRAINT `name` CHECK (...) in a CREATE TABLE
 * text, owned; NULL when there is none. */
static char *sqlite_check_expression(const char *text, const char *name)
{
    for (const char *q = text; (q = sqlite_find_word(q, name)); q++) {
        const char *s = q + strlen(name);
        if (*s == '"' || *s == '`' || *s == ']' || *s == '\'')
            s++;
        while (isspace((unsigned char)*s))
            s++;
        if (strncasecmp(s, "CHECK", 5) != 0)
            continue;
        s += 5;
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '(')
            continue;
        int depth = 1;
        const char *e = ++s;
        for (; *e && depth; e++)
            depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
        return depth ? NULL : orm_strndup(s, (size_t)(e - 1 - s));
    }
    return NULL;
}

static int sqlite_names_push(orm_conn *conn, char ***names, size_t *n,
                             const unsigned char *name)
{
    char **grown = orm_realloc(*names, (*n + 1) * sizeof *grown);
    if (!grown)
        return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
    *names = grown;
    if (!(grown[*n] = orm_strdup(name ? (const char *)name : "")))
        return orm_conn_error(conn, ORM_ENOMEM, "out of memory");
    (*n)++;
    return 0;
}

/* The columns of index `name`, or of check constraint `name` of `table`
 * (those its expression names): SQLite's check errors name only the
 * constraint. */
int sqlite_constraint_columns(orm_conn *conn, const char *schema,
                              const char *table, const char *name, char ***out,
                              size_t *count)
{
    sqlite_conn *c = (sqlite_conn *)conn;
    sqlite3_stmt *stmt = NULL;
    char **names = NULL, *expr = NULL;
    size_t n = 0;
    int rc;

    (void)schema;
    *out = NULL;
    *count = 0;
    if ((rc = sqlite_refl_prepare(c, "SELECT name FROM pragma_index_info(?1)",
                                  name, NULL, &stmt)))
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if ((rc = sqlite_names_push(conn, &names, &n,
                                    sqlite3_column_text(stmt, 0))))
            goto done;
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (n) {
        rc = 0;
        goto done;
    }
    if ((rc = sqlite_refl_prepare(c,
                                  "SELECT sql FROM sqlite_master "
                                  "WHERE type = 'table' AND name = ?1",
                                  table, NULL, &stmt)))
        goto done;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        expr = sqlite_check_expression(
            (const char *)sqlite3_column_text(stmt, 0), name);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (!expr) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no constraint '%s' on '%s'",
                            name, table);
        goto done;
    }
    if ((rc = sqlite_refl_prepare(c, "SELECT name FROM pragma_table_info(?1)",
                                  table, NULL, &stmt)))
        goto done;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *col = sqlite3_column_text(stmt, 0);
        if (col && sqlite_find_word(expr, (const char *)col) &&
            (rc = sqlite_names_push(conn, &names, &n, col)))
            goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(stmt);
    free(expr);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    *out = names;
    *count = n;
    return 0;
}
