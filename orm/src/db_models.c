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

/* `name` split into `buf` (strlen(name) + 2 bytes: unquoting only
 * shortens), *schema (NULL: none) and *table pointing into it. A name
 * with quotes that do not make parts (not closed, empty, text after the
 * closing quote) is taken as written, split at its first dot. */
static void name_split_into(const char *name, char *buf, const char **schema,
                            const char **table)
{
    char *part[2] = {NULL, NULL}, *w = buf;
    int nparts = 0, quoted = strchr(name, '"') != NULL;
    const char *p = name;

    while (quoted) {
        char *start = w;
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p)
                    break;
                if (*p == '"' && p[1] != '"')
                    break;
                if (*p == '"')
                    p++;
                *w++ = *p;
            }
            if (*p != '"' || w == start) {
                quoted = 0; /* not closed, or empty: as written */
                break;
            }
            p++;
        } else {
            size_t n = nparts == 0 ? strcspn(p, ".") : strlen(p);
            memcpy(w, p, n);
            w += n;
            p += n;
        }
        *w++ = '\0';
        part[nparts++] = start;
        if (*p == '.' && nparts == 1) {
            p++;
            continue;
        }
        if (*p)
            quoted = 0; /* text after a closing quote: as written */
        break;
    }
    if (!quoted) {
        const char *dot = strchr(name, '.');
        memcpy(buf, name, strlen(name) + 1);
        part[0] = buf;
        part[1] = NULL;
        nparts = 1;
        if (dot) {
            buf[dot - name] = '\0';
            part[1] = buf + (dot - name) + 1;
            nparts = 2;
        }
    }
    *schema = nparts == 2 ? part[0] : NULL;
    *table = nparts == 2 ? part[1] : part[0];
}

int orm_name_split(const char *name, char **schema, char **table)
{
    const char *s = NULL, *t = NULL;
    char *buf = orm_malloc(strlen(name) + 2);
    *schema = *table = NULL;
    if (!buf)
        return ORM_ENOMEM;
    name_split_into(name, buf, &s, &t);
    *table = orm_strdup(t);
    if (s)
        *schema = orm_strdup(s);
    free(buf);
    if (!*table || (s && !*schema)) {
        free(*schema);
        free(*table);
        *schema = *table = NULL;
        return ORM_ENOMEM;
    }
    return 0;
}

/* Allocates nothing for names of up to 254 bytes, so that running out
 * of memory cannot look like a model that is not there (a longer name
 * whose copy cannot be made is compared whole only). */
const orm_model *orm_db_find_model(const orm_db *db, const char *name)
{
    char stack[256], *buf = stack;
    const char *schema = NULL, *table = NULL;
    const orm_model *found = NULL;
    size_t len = strlen(name);
    if (len + 2 > sizeof stack)
        buf = orm_malloc(len + 2);
    if (buf)
        name_split_into(name, buf, &schema, &table);
    for (int pass = 0; pass < 2 && !found; pass++) {
        int (*cmp)(const char *, const char *) = pass ? strcasecmp : strcmp;
        for (size_t i = 0; i < db->nmodels && !found; i++)
            if (cmp(db->models[i]->name, name) == 0)
                found = db->models[i];
        for (size_t i = 0; i < db->nmodels && !found; i++)
            if (cmp(db->models[i]->table, name) == 0)
                found = db->models[i];
        /* "Quoted Name", or "schema.table" of a model in that schema. */
        for (size_t i = 0; table && i < db->nmodels && !found; i++) {
            const orm_model *m = db->models[i];
            if (schema ? m->schema && cmp(m->schema, schema) == 0 &&
                             cmp(m->table, table) == 0
                       : cmp(m->name, table) == 0 || cmp(m->table, table) == 0)
                found = m;
        }
    }
    if (buf != stack)
        free(buf);
    return found;
}

int orm_db_reflect(orm_db *db, const char *name, orm_model **out)
{
    char *schema = NULL, *table = NULL;
    int rc = db_ensure_connected(db);
    *out = NULL;
    if (rc)
        return rc;
    if (orm_name_split(name, &schema, &table))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    rc = db->driver->reflect_table(db->conn, schema, table, out);
    if (rc < 0) {
        rc = db_fail(db, rc);
        goto done;
    }
    if ((rc = model_normalize_foreign_keys(*out)) != 0) {
        orm_model_free(*out);
        *out = NULL;
        rc = orm_error_set(&db->err, rc, "out of memory");
    }
done:
    free(schema);
    free(table);
    return rc;
}

int orm_db_lookup_model(orm_db *db, const char *name, const orm_model **out)
{
    char *schema = NULL, *table = NULL;
    orm_model *model = NULL;
    int rc;

    if ((*out = orm_db_find_model(db, name)))
        return 0;
    if (orm_name_split(name, &schema, &table))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    rc = ORM_DONE;
    if (!schema)
        goto done;
    /* Reflected in the schema it names (its SQL names the schema too),
     * it takes the place of a model of its table without one, which may
     * be the same table of the current schema (orm_db_register). */
    rc = orm_db_reflect(db, name, &model);
    if (rc == ORM_ENOTFOUND) {
        orm_error_clear(&db->err);
        rc = ORM_DONE;
        goto done;
    }
    if (rc)
        goto done;
    if ((rc = orm_db_register(db, model)) != 0) {
        rc = orm_error_set(&db->err, rc, "out of memory");
        goto done;
    }
    *out = model;
    model = NULL;
done:
    orm_model_free(model);
    free(schema);
    free(table);
    return rc;
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
