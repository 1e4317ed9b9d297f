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

/* Is `m` a table of schema `schema` (NULL: the current schema)? A model
 * without a schema is of the current schema, and so is one whose schema
 * is the current one's name (db->current_schema, once known). */
static int schema_is(const orm_db *db, const orm_model *m, const char *schema,
                     int (*cmp)(const char *, const char *))
{
    const char *a = m->schema ? m->schema : db->current_schema;
    const char *b = schema ? schema : db->current_schema;
    if (!a || !b)
        return !a && !b;
    return cmp(a, b) == 0;
}

/* One table: the same name in the same schema ("t" and "other.t" are
 * two tables; "t" and "current.t" one). */
static int same_table(const orm_db *db, const orm_model *a, const orm_model *b)
{
    return strcmp(a->table, b->table) == 0 &&
           schema_is(db, a, b->schema, strcmp);
}

int orm_db_register(orm_db *db, const orm_model *model)
{
    for (size_t i = 0; i < db->nmodels; i++) {
        if (db->models[i] == model)
            return 0; /* registered already: nothing changes */
        if (same_table(db, db->models[i], model)) {
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

/* A part of a name as orm_name_split reads it back: in double quotes,
 * a quote doubled, when it holds a dot or begins with a quote (a quote
 * inside a part is read as written). */
static void name_part_append(orm_buf *b, const char *part)
{
    if (!strchr(part, '.') && part[0] != '"') {
        orm_buf_append(b, part);
        return;
    }
    orm_buf_appendc(b, '"');
    for (const char *p = part; *p; p++) {
        if (*p == '"')
            orm_buf_appendc(b, '"');
        orm_buf_appendc(b, *p);
    }
    orm_buf_appendc(b, '"');
}

char *orm_name_join(const char *schema, const char *table)
{
    orm_buf b = ORM_BUF_INIT;
    if (schema) {
        name_part_append(&b, schema);
        orm_buf_append(&b, ".");
    }
    name_part_append(&b, table);
    return orm_buf_finish(&b);
}

/* `name` read by name_split_into into a buffer of `stack` (or allocated:
 * *buf then differs from stack and is freed by the caller). Allocates
 * nothing for names of up to 254 bytes, so that running out of memory
 * cannot look like a model that is not there; a longer name whose copy
 * cannot be made is taken whole, without a schema. */
static void name_split_fixed(const char *name, char *stack, size_t size,
                             char **buf, const char **schema,
                             const char **table)
{
    size_t len = strlen(name);
    *buf = stack;
    *schema = NULL;
    *table = name;
    if (len + 2 > size)
        *buf = orm_malloc(len + 2);
    if (*buf)
        name_split_into(name, *buf, schema, table);
}

/* Models by `name`, among those of the current schema first
 * (`current_only`), then among all: class name, table name, then the
 * parts of "schema.table" / "Quoted Name". */
static const orm_model *find_in(const orm_db *db, const char *name,
                                const char *schema, const char *table,
                                int current_only,
                                int (*cmp)(const char *, const char *))
{
    for (size_t i = 0; i < db->nmodels; i++) {
        const orm_model *m = db->models[i];
        if ((!current_only || schema_is(db, m, NULL, strcmp)) &&
            cmp(m->name, name) == 0)
            return m;
    }
    for (size_t i = 0; i < db->nmodels; i++) {
        const orm_model *m = db->models[i];
        if ((!current_only || schema_is(db, m, NULL, strcmp)) &&
            cmp(m->table, name) == 0)
            return m;
    }
    for (size_t i = 0; i < db->nmodels; i++) {
        const orm_model *m = db->models[i];
        if (schema
                ? schema_is(db, m, schema, cmp) && cmp(m->table, table) == 0
                : (!current_only || schema_is(db, m, NULL, strcmp)) &&
                      (cmp(m->name, table) == 0 || cmp(m->table, table) == 0))
            return m;
    }
    return NULL;
}

const orm_model *orm_db_find_model(const orm_db *db, const char *name)
{
    char stack[256], *buf;
    const char *schema, *table;
    const orm_model *found = NULL;
    name_split_fixed(name, stack, sizeof stack, &buf, &schema, &table);
    for (int pass = 0; pass < 4 && !found; pass++)
        found = find_in(db, name, schema, table, pass % 2 == 0,
                        pass < 2 ? strcmp : strcasecmp);
    if (buf != stack)
        free(buf);
    return found;
}

const orm_model *orm_db_find_table(const orm_db *db, const char *name)
{
    char stack[256], *buf;
    const char *schema, *table;
    const orm_model *found = NULL;
    name_split_fixed(name, stack, sizeof stack, &buf, &schema, &table);
    for (int pass = 0; pass < 2 && !found; pass++) {
        int (*cmp)(const char *, const char *) = pass ? strcasecmp : strcmp;
        for (size_t i = 0; i < db->nmodels && !found; i++)
            if (schema_is(db, db->models[i], schema, cmp) &&
                cmp(db->models[i]->table, table) == 0)
                found = db->models[i];
        /* A declared foreign key may name its table by class name. */
        for (size_t i = 0; !schema && i < db->nmodels && !found; i++)
            if (schema_is(db, db->models[i], NULL, strcmp) &&
                cmp(db->models[i]->name, table) == 0)
                found = db->models[i];
    }
    if (buf != stack)
        free(buf);
    return found;
}

/* orm_db_reflect; *current says whether the driver gave the table as one
 * of the current schema (no schema on the model) although `name` named
 * its schema: the model then keeps the schema asked for. */
static int db_reflect(orm_db *db, const char *name, orm_model **out,
                      int *current)
{
    char *schema = NULL, *table = NULL;
    int rc = db_ensure_connected(db);
    *out = NULL;
    *current = 0;
    if (rc)
        return rc;
    if (orm_name_split(name, &schema, &table))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    rc = db->driver->reflect_table(db->conn, schema, table, out);
    if (rc < 0) {
        rc = db_fail(db, rc);
        goto done;
    }
    if (schema && !(*out)->schema) {
        *current = 1;
        rc = orm_model_set_schema(*out, schema);
    }
    if (rc == 0)
        rc = model_normalize_foreign_keys(*out);
    if (rc) {
        orm_model_free(*out);
        *out = NULL;
        rc = orm_error_set(&db->err, rc, "out of memory");
    }
done:
    free(schema);
    free(table);
    return rc;
}

int orm_db_reflect(orm_db *db, const char *name, orm_model **out)
{
    int current;
    return db_reflect(db, name, out, &current);
}

/* `name` reflected and registered as *out (borrowed); ORM_DONE when there
 * is no such table. A table asked for in the current schema by its name
 * tells the database that name (db->current_schema): it takes the place
 * of the model of its table without a schema, and "t" and "current.t"
 * find the same model from then on. */
static int db_reflect_register(orm_db *db, const char *name,
                               const orm_model **out)
{
    orm_model *model = NULL;
    int current = 0;
    int rc = db_reflect(db, name, &model, &current);
    *out = NULL;
    if (rc == ORM_ENOTFOUND) {
        orm_error_clear(&db->err);
        return ORM_DONE;
    }
    if (rc)
        return rc;
    if (current && (!db->current_schema ||
                    strcmp(db->current_schema, model->schema) != 0)) {
        char *copy = orm_strdup(model->schema);
        if (!copy) {
            orm_model_free(model);
            return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
        }
        free(db->current_schema);
        db->current_schema = copy;
    }
    if ((rc = orm_db_register(db, model)) != 0) {
        orm_model_free(model);
        return orm_error_set(&db->err, rc, "out of memory");
    }
    *out = model;
    return 0;
}

int orm_db_lookup_model(orm_db *db, const char *name, const orm_model **out)
{
    char *schema = NULL, *table = NULL;
    int rc;

    if ((*out = orm_db_find_model(db, name)))
        return 0;
    if (orm_name_split(name, &schema, &table))
        return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
    /* Reflected in the schema it names (its SQL names the schema too). */
    rc = schema ? db_reflect_register(db, name, out) : ORM_DONE;
    free(schema);
    free(table);
    return rc;
}

int orm_db_lookup_table(orm_db *db, const char *name, const orm_model **out)
{
    if ((*out = orm_db_find_table(db, name)))
        return 0;
    return db_reflect_register(db, name, out);
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
        if (strcmp(m->table, name) == 0 && schema_is(db, m, NULL, strcmp))
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

/* Does a registered model cover the table of model `m`? */
static int db_model_covered(const orm_db *db, const orm_model *m)
{
    for (size_t j = 0; j < db->nmodels; j++)
        if (same_table(db, db->models[j], m))
            return 1;
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
        if (rc == 0 && db_model_covered(db, m)) {
            orm_model_free(m);
            continue;
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
