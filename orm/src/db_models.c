/*
 * The database's models (internal.h): the registry of models (declared,
 * from a models file, reflected one at a time or all at once), finding
 * them by name, listing and checking tables, and counting their rows
 * (exact, or the catalog's estimate for large tables).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "util.h"
#include "alloc.h"

/* ---- models ---- */

static int same_table(const orm_model *a, const orm_model *b)
{
    if (strcmp(a->table, b->table) != 0)
        return 0;
    if (!a->schema || !b->schema)
        return 1;
    return strcmp(a->schema, b->schema) == 0;
}

int orm_db_register(orm_db *db, const orm_model *model)
{
    for (size_t i = 0; i < db->nmodels; i++) {
        if (db->models[i] == model)
            return 0; /* registered already: nothing changes */
        if (same_table(db->models[i], model)) {
            if (db->model_owned[i]) {
                /* Records made with the old model point at it: keep it
                 * alive until the database is freed. */
                orm_model **kept = orm_realloc(
                    db->replaced, (db->nreplaced + 1) * sizeof *kept);
                if (!kept)
                    return ORM_ENOMEM;
                db->replaced = kept;
                kept[db->nreplaced++] = (orm_model *)(uintptr_t)db->models[i];
            }
            db->models[i] = model;
            db->model_owned[i] = model->owned != NULL;
            /* A replaced model registered again is current again. */
            for (size_t k = 0; k < db->nreplaced; k++)
                if (db->replaced[k] == model)
                    db->replaced[k] = db->replaced[--db->nreplaced];
            return 0;
        }
    }
    if (db->nmodels == db->models_cap) {
        size_t cap = db->models_cap ? db->models_cap * 2 : 16;
        const orm_model **models =
            orm_realloc(db->models, cap * sizeof *models);
        if (!models)
            return ORM_ENOMEM;
        db->models = models;
        unsigned char *owned = orm_realloc(db->model_owned, cap);
        if (!owned)
            return ORM_ENOMEM;
        db->model_owned = owned;
        db->models_cap = cap;
    }
    db->models[db->nmodels] = model;
    db->model_owned[db->nmodels++] = model->owned != NULL;
    return 0;
}

size_t orm_db_model_count(const orm_db *db)
{
    return db->nmodels;
}

const orm_model *orm_db_model_at(const orm_db *db, size_t i)
{
    return i < db->nmodels ? db->models[i] : NULL;
}

const orm_model *orm_db_find_model(const orm_db *db, const char *name)
{
    const char *dot = strchr(name, '.');
    for (int pass = 0; pass < 2; pass++) {
        int (*cmp)(const char *, const char *) = pass ? strcasecmp : strcmp;
        for (size_t i = 0; i < db->nmodels; i++)
            if (cmp(db->models[i]->name, name) == 0)
                return db->models[i];
        for (size_t i = 0; i < db->nmodels; i++)
            if (cmp(db->models[i]->table, name) == 0)
                return db->models[i];
        if (dot) {
            size_t n = (size_t)(dot - name);
            for (size_t i = 0; i < db->nmodels; i++) {
                const orm_model *m = db->models[i];
                if (m->schema && strlen(m->schema) == n &&
                    (pass ? strncasecmp : strncmp)(m->schema, name, n) == 0 &&
                    cmp(m->table, dot + 1) == 0)
                    return m;
            }
        }
    }
    return NULL;
}

static void split_table_name(const char *name, char **schema,
                             const char **table)
{
    const char *dot = strchr(name, '.');
    *schema = NULL;
    *table = name;
    if (dot) {
        *schema = orm_strndup(name, (size_t)(dot - name));
        *table = dot + 1;
    }
}

int orm_db_reflect(orm_db *db, const char *name, orm_model **out)
{
    char *schema = NULL;
    const char *table;
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    split_table_name(name, &schema, &table);
    rc = db->driver->reflect_table(db->conn, schema, table, out);
    free(schema);
    if (rc < 0)
        return db_fail(db, rc);
    if ((rc = model_normalize_foreign_keys(*out)) != 0) {
        orm_model_free(*out);
        *out = NULL;
        return orm_error_set(&db->err, rc, "out of memory");
    }
    return 0;
}

int orm_db_list_tables(orm_db *db, char ***out, size_t *count)
{
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    *out = NULL;
    *count = 0;
    if (!db->driver->list_tables)
        return orm_error_set(&db->err, ORM_EUNSUPPORTED,
                             "the %s driver cannot list tables",
                             db->driver->name);
    rc = db->driver->list_tables(db->conn, out, count);
    return rc < 0 ? db_fail(db, rc) : 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Does a registered model cover the table list_tables names `name`
 * ("table", or "schema.table" outside the default schema)? */
static int db_table_covered(const orm_db *db, const char *name)
{
    for (size_t j = 0; j < db->nmodels; j++) {
        const orm_model *m = db->models[j];
        if (strcmp(m->table, name) == 0)
            return 1;
        if (m->schema) {
            size_t sl = strlen(m->schema);
            if (strncmp(name, m->schema, sl) == 0 && name[sl] == '.' &&
                strcmp(name + sl + 1, m->table) == 0)
                return 1;
        }
    }
    return 0;
}

/* The driver's reflect_all: every table in a few catalog queries. The
 * models come in list_tables' order; each one no model covers is
 * registered, the others freed. */
static int db_reflect_all_at_once(orm_db *db)
{
    orm_model **models = NULL;
    size_t n = 0;
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    if ((rc = db->driver->reflect_all(db->conn, &models, &n)) < 0)
        return db_fail(db, rc);
    for (size_t i = 0; i < n; i++) {
        orm_model *m = models[i];
        models[i] = NULL;
        if (rc == 0) {
            /* The name list_tables gives it. */
            orm_buf name = ORM_BUF_INIT;
            if (m->schema)
                orm_buf_appendf(&name, "%s.", m->schema);
            orm_buf_append(&name, m->table);
            if (!orm_buf_str(&name)) {
                rc = orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
            } else if (db_table_covered(db, orm_buf_str(&name))) {
                orm_buf_free(&name);
                orm_model_free(m);
                continue;
            }
            orm_buf_free(&name);
        }
        if (rc == 0 && (rc = model_normalize_foreign_keys(m)) != 0)
            rc = orm_error_set(&db->err, rc, "out of memory");
        if (rc == 0 && (rc = orm_db_register(db, m)) != 0)
            rc = orm_error_set(&db->err, rc, "out of memory");
        if (rc)
            orm_model_free(m);
    }
    free(models);
    return rc;
}

int orm_db_reflect_all(orm_db *db)
{
    char **names = NULL;
    size_t n = 0;
    int rc = db_ensure_connected(db);
    if (rc)
        return rc;
    if (db->driver->version >= 5 && db->driver->reflect_all)
        return db_reflect_all_at_once(db);
    if ((rc = orm_db_list_tables(db, &names, &n)))
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (db_table_covered(db, names[i]))
            continue;
        orm_model *model = NULL;
        rc = orm_db_reflect(db, names[i], &model);
        if (rc == ORM_ENOTFOUND) {
            /* Dropped since it was listed: nothing to browse. */
            orm_error_clear(&db->err);
            rc = 0;
            continue;
        }
        if (rc == 0 && (rc = orm_db_register(db, model)) != 0)
            orm_model_free(model);
    }
    free_names(names, n);
    return rc;
}

int orm_db_table_exists(orm_db *db, const char *table, int *out)
{
    orm_model *model = NULL;
    int rc = orm_db_reflect(db, table, &model);
    orm_model_free(model);
    *out = rc == 0;
    if (rc == ORM_ENOTFOUND) {
        orm_error_clear(&db->err);
        return 0;
    }
    return rc;
}

int orm_db_count(orm_db *db, const orm_model *model, int allow_estimate,
                 int64_t *out, int *exact)
{
    *exact = 1;
    if (allow_estimate && db->driver->estimate_count) {
        int64_t estimate = 0;
        int rc = db_ensure_connected(db);
        if (rc)
            return rc;
        rc = db->driver->estimate_count(db->conn, model->schema, model->table,
                                        &estimate);
        /* Small tables are counted exactly: it is cheap and estimates of
         * small tables are often wrong. */
        if (rc == 0 && estimate >= 100000) {
            *out = estimate;
            *exact = 0;
            return 0;
        }
        orm_error_clear(&db->conn->err);
    }
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_value v = ORM_VALUE_NULL_INIT;
    sql_init(&sb, db->driver);
    sql_raw(&sb, "SELECT COUNT(*) FROM ");
    sql_table(&sb, model);
    int rc = sql_ok(&sb) ? 0 : ORM_ENOMEM;
    if (rc == 0)
        rc = db_stmt_acquire(db, orm_buf_str(&sb.text), 0, 0, &st);
    if (rc == 0 && (rc = db_stmt_step(db, &st)) == ORM_ROW)
        rc = db_stmt_column(db, &st, 0, NULL, &v);
    if (rc == 0)
        *out = v.kind == ORM_VINT ? v.u.i : 0;
    orm_value_clear(&v);
    db_stmt_release(db, &st);
    sql_free(&sb);
    return rc == ORM_DONE ? 0 : rc;
}

/* Below this many estimated rows a table is counted exactly (as
 * orm_db_count does): cheap, and small tables' estimates are often off. */
#define DB_EXACT_BELOW 100000

static void db_estimates(orm_db *db, const orm_model *const *models, size_t n,
                         int64_t *est)
{
    const char **schemas = orm_calloc(n, sizeof *schemas);
    const char **tables = orm_calloc(n, sizeof *tables);
    int rc = ORM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        est[i] = -1;
    if (schemas && tables && db->driver->version >= 3 &&
        db->driver->estimate_counts) {
        for (size_t i = 0; i < n; i++) {
            schemas[i] = models[i]->schema;
            tables[i] = models[i]->table;
        }
        rc = db->driver->estimate_counts(db->conn, schemas, tables, n, est);
    } else if (db->driver->estimate_count) {
        for (size_t i = 0; i < n; i++)
            if (db->driver->estimate_count(db->conn, models[i]->schema,
                                           models[i]->table, &est[i]) != 0)
                est[i] = -1;
        rc = 0;
    }
    if (rc)
        for (size_t i = 0; i < n; i++)
            est[i] = -1;
    /* No estimate only means counting. */
    orm_error_clear(&db->conn->err);
    free(schemas);
    free(tables);
}

/* The one statement of counts failed. A table listed when the models were
 * read may have been dropped since by another program: count each small
 * table alone, and give one that no longer exists -1 (the driver's
 * reflect_table answers ORM_ENOTFOUND) while the others are counted all
 * the same. Any other failure is the answer, its detail on db. */
static int db_count_each(orm_db *db, const orm_model *const *models, size_t n,
                         int64_t *out, const int *exact)
{
    for (size_t i = 0; i < n; i++) {
        int one_exact = 1;
        if (!exact[i])
            continue;
        int rc = orm_db_count(db, models[i], 0, &out[i], &one_exact);
        if (rc == 0)
            continue;
        if (rc == ORM_ENOMEM || rc == ORM_ECONNLOST || rc == ORM_ECANCELLED)
            return rc;
        orm_model *found = NULL;
        int there = db->driver->reflect_table(db->conn, models[i]->schema,
                                              models[i]->table, &found);
        orm_model_free(found);
        orm_error_clear(&db->conn->err);
        if (there != ORM_ENOTFOUND)
            return rc; /* the table is there: its count's failure stands */
        orm_error_clear(&db->err);
        out[i] = -1;
    }
    return 0;
}

int orm_db_count_many(orm_db *db, const orm_model *const *models, size_t n,
                      int64_t *out, int *exact)
{
    sql_builder sb;
    db_stmt st = {NULL, -1};
    orm_value v = ORM_VALUE_NULL_INIT;
    size_t nsmall = 0;
    int rc = db_ensure_connected(db);
    if (rc || n == 0)
        return rc;
    db_estimates(db, models, n, out);
    /* One row with a COUNT(*) of each small table. */
    sql_init(&sb, db->driver);
    sql_raw(&sb, "SELECT ");
    for (size_t i = 0; i < n; i++) {
        exact[i] = out[i] < DB_EXACT_BELOW;
        if (!exact[i])
            continue;
        sql_raw(&sb, nsmall++ ? ", (SELECT COUNT(*) FROM "
                              : "(SELECT COUNT(*) FROM ");
        sql_table(&sb, models[i]);
        sql_raw(&sb, ")");
    }
    if (nsmall == 0)
        goto done;
    rc = sql_ok(&sb) ? 0 : orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    /* Run once: as a stream it is not kept, and MariaDB prepares and
     * runs it in one round trip. */
    if (rc == 0)
        rc =
            db_stmt_acquire(db, orm_buf_str(&sb.text), 0, ORM_STMT_STREAM, &st);
    if (rc == 0 && (rc = db_stmt_step(db, &st)) == ORM_ROW) {
        rc = 0;
        for (size_t i = 0, k = 0; i < n && rc == 0; i++) {
            if (!exact[i])
                continue;
            rc = db_stmt_column(db, &st, k++, NULL, &v);
            out[i] = rc == 0 && v.kind == ORM_VINT ? v.u.i : 0;
            orm_value_clear(&v);
        }
    } else if (rc == ORM_DONE) {
        rc = orm_error_set(&db->err, ORM_EIO, "no row from the counts");
    } else if (rc < 0 && rc != ORM_ENOMEM && rc != ORM_ECONNLOST &&
               rc != ORM_ECANCELLED) { /* cancelled: that is the answer */
        db_stmt_release(db, &st);
        rc = db_count_each(db, models, n, out, exact);
    }
    db_stmt_release(db, &st);
done:
    sql_free(&sb);
    return rc;
}
