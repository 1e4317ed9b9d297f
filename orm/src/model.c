/* Models and columns: type names, lookups, and run-time (owned) models. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "orm/model.h"
#include "orm/sys/buf.h"
#include "internal.h"
#include "util.h"
#include "alloc.h"

/* Capacities of an owned model's arrays; also marks the model as owned. */
typedef struct model_storage {
    size_t column_cap;
    size_t fkey_cap;
    size_t unique_cap;
} model_storage;

#define TYPE_NAME(e, name, kind) name,
static const char *const type_names[] = {ORM_TYPES(TYPE_NAME)};
#undef TYPE_NAME
#define TYPE_KIND(e, name, kind) kind,
static const orm_value_kind type_kinds[] = {ORM_TYPES(TYPE_KIND)};
#undef TYPE_KIND

const char *orm_type_name(orm_type type)
{
    return (unsigned)type < ORM_TYPE_COUNT ? type_names[type] : "Unknown";
}

orm_value_kind orm_type_kind(orm_type type)
{
    return (unsigned)type < ORM_TYPE_COUNT ? type_kinds[type] : ORM_VTEXT;
}

/* Parse an integer argument list "(a)" or "(a,b)" after a type name. */
static int parse_type_args(const char *p, int *args, int max, int *count)
{
    *count = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return 0;
    if (*p++ != '(')
        return -1;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!isdigit((unsigned char)*p) || *count >= max)
            return -1;
        long v = 0;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p++ - '0');
            if (v > 1000000000)
                return -1;
        }
        args[(*count)++] = (int)v;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p++ != ')')
            return -1;
        break;
    }
    while (isspace((unsigned char)*p))
        p++;
    return *p ? -1 : 0;
}

int orm_type_parse(const char *text, orm_column *out, orm_error *err)
{
    size_t n = 0;
    while (isalnum((unsigned char)text[n]) || text[n] == '_')
        n++;
    for (int t = 0; t < ORM_TYPE_COUNT; t++) {
        if (strlen(type_names[t]) != n ||
            strncasecmp(type_names[t], text, n) != 0)
            continue;
        int args[2] = {0, 0}, count = 0;
        int max = t == ORM_STRING ? 1 : t == ORM_NUMERIC ? 2 : 0;
        if (parse_type_args(text + n, args, max, &count) != 0)
            return orm_error_set(err, ORM_EPARSE,
                                 "bad arguments in type '%s' (expected %s)",
                                 text,
                                 max == 1   ? "String or String(n)"
                                 : max == 2 ? "Numeric(p) or Numeric(p,s)"
                                            : "no arguments");
        out->type = (orm_type)t;
        out->length = 0;
        out->precision = 0;
        out->scale = 0;
        if (t == ORM_STRING && count == 1)
            out->length = args[0];
        if (t == ORM_NUMERIC) {
            out->precision = count > 0 ? args[0] : 0;
            out->scale = count > 1 ? args[1] : 0;
            if (count > 1 && out->scale > out->precision)
                return orm_error_set(err, ORM_EPARSE,
                                     "Numeric scale %d exceeds precision %d",
                                     out->scale, out->precision);
        }
        return 0;
    }
    /* Common aliases people write. */
    static const struct {
        const char *alias;
        orm_type type;
    } aliases[] = {{"Int", ORM_INTEGER},     {"BigInt", ORM_BIGINT},
                   {"Bool", ORM_BOOLEAN},    {"Double", ORM_FLOAT},
                   {"Decimal", ORM_NUMERIC}, {"Blob", ORM_BLOB},
                   {"Binary", ORM_BLOB},     {"Timestamp", ORM_DATETIME},
                   {"Varchar", ORM_STRING},  {"UUID", ORM_UUID}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strlen(aliases[i].alias) == n &&
            strncasecmp(aliases[i].alias, text, n) == 0) {
            orm_buf b = ORM_BUF_INIT;
            orm_buf_append(&b, type_names[aliases[i].type]);
            orm_buf_append(&b, text + n);
            char *canon = orm_buf_finish(&b);
            if (!canon)
                return orm_error_set(err, ORM_ENOMEM, "out of memory");
            int rc = orm_type_parse(canon, out, err);
            free(canon);
            return rc;
        }
    }
    return orm_error_set(err, ORM_EPARSE,
                         "unknown type '%.*s' (known: Integer, BigInteger, "
                         "SmallInteger, String(n), Text, Boolean, Float, "
                         "Numeric(p,s), Date, Time, DateTime, DateTimeTZ, "
                         "LargeBinary, JSON, Uuid)",
                         (int)(n ? n : strlen(text)), text);
}

int orm_model_column_index(const orm_model *model, const char *name)
{
    for (size_t i = 0; i < model->ncolumns; i++)
        if (strcmp(model->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

const orm_column *orm_model_column(const orm_model *model, const char *name)
{
    int i = orm_model_column_index(model, name);
    return i < 0 ? NULL : &model->columns[i];
}

size_t orm_model_pk(const orm_model *model, int *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < model->ncolumns; i++) {
        if (model->columns[i].flags & ORM_PK) {
            if (n < max)
                out[n] = (int)i;
            n++;
        }
    }
    return n;
}

int orm_column_is_autoinc(const orm_model *model, const orm_column *col)
{
    if (col->flags & ORM_NO_AUTOINC)
        return 0;
    if (col->flags & ORM_AUTOINC)
        return 1;
    if (!(col->flags & ORM_PK))
        return 0;
    if (col->type != ORM_INTEGER && col->type != ORM_BIGINT &&
        col->type != ORM_SMALLINT)
        return 0;
    int pk[2];
    return orm_model_pk(model, pk, 2) == 1;
}

int orm_column_nullable(const orm_column *col)
{
    return !(col->flags & (ORM_NOT_NULL | ORM_PK));
}

/* ---- run-time models ---- */

static void free_string_array(const char *const *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++)
        orm_free_const(a[i]);
    orm_free_const(a);
}

static void column_free_strings(orm_column *c)
{
    orm_free_const(c->name);
    orm_free_const(c->default_value);
    orm_free_const(c->default_gen);
    orm_free_const(c->server_default);
    orm_free_const(c->ref_table);
    orm_free_const(c->ref_column);
    orm_free_const(c->native_type);
    orm_free_const(c->read_only);
    free_string_array(c->choices, c->nchoices);
    orm_free_const(c->collation);
}

void orm_model_free(orm_model *model)
{
    if (!model || !model->owned)
        return;
    for (size_t i = 0; i < model->ncolumns; i++)
        column_free_strings((orm_column *)(uintptr_t)&model->columns[i]);
    orm_free_const(model->columns);
    for (size_t i = 0; i < model->nforeign_keys; i++) {
        const orm_foreign_key *fk = &model->foreign_keys[i];
        orm_free_const(fk->name);
        free_string_array(fk->columns, fk->ncolumns);
        orm_free_const(fk->ref_table);
        free_string_array(fk->ref_columns, fk->ncolumns);
    }
    orm_free_const(model->foreign_keys);
    for (size_t i = 0; i < model->nuniques; i++) {
        orm_free_const(model->uniques[i].name);
        free_string_array(model->uniques[i].columns,
                          model->uniques[i].ncolumns);
    }
    orm_free_const(model->uniques);
    orm_free_const(model->name);
    orm_free_const(model->table);
    orm_free_const(model->schema);
    orm_free_const(model->repr);
    orm_free_const(model->version_column);
    orm_free_const(model->read_only);
    free(model->owned);
    free(model);
}

int orm_model_new(orm_model **out, const char *name, const char *table)
{
    orm_model *m = orm_calloc(1, sizeof *m);
    if (!m)
        return ORM_ENOMEM;
    m->owned = orm_calloc(1, sizeof(model_storage));
    m->name = orm_strdup(name ? name : table);
    m->table = orm_strdup(table ? table : name);
    if (!m->owned || !m->name || !m->table) {
        if (!m->owned) {
            orm_free_const(m->name);
            orm_free_const(m->table);
            free(m);
        } else {
            orm_model_free(m);
        }
        return ORM_ENOMEM;
    }
    *out = m;
    return 0;
}

static const char *const *dup_string_array(const char *const *a, size_t n);

static int dup_opt(const char **dst, const char *src)
{
    *dst = NULL;
    if (src && !(*dst = orm_strdup(src)))
        return -1;
    return 0;
}

int orm_model_add_column(orm_model *model, const orm_column *col)
{
    model_storage *st = model->owned;
    if (!st || !col->name)
        return ORM_EINVALID;
    if (model->ncolumns == st->column_cap) {
        size_t cap = st->column_cap ? st->column_cap * 2 : 8;
        orm_column *cols =
            orm_realloc((void *)(uintptr_t)model->columns, cap * sizeof *cols);
        if (!cols)
            return ORM_ENOMEM;
        model->columns = cols;
        st->column_cap = cap;
    }
    /* Every owned field starts NULL, so a failure frees only copies. */
    orm_column c = *col;
    c.name = c.default_value = c.default_gen = c.server_default = NULL;
    c.ref_table = c.ref_column = c.native_type = c.read_only = NULL;
    c.collation = NULL;
    c.choices = NULL;
    c.nchoices = 0;
    if (dup_opt(&c.name, col->name) ||
        dup_opt(&c.default_value, col->default_value) ||
        dup_opt(&c.default_gen, col->default_gen) ||
        dup_opt(&c.server_default, col->server_default) ||
        dup_opt(&c.ref_table, col->ref_table) ||
        dup_opt(&c.ref_column, col->ref_column) ||
        dup_opt(&c.native_type, col->native_type) ||
        dup_opt(&c.read_only, col->read_only) ||
        dup_opt(&c.collation, col->collation) ||
        (col->choices && col->nchoices &&
         !(c.choices = dup_string_array(col->choices, col->nchoices)))) {
        column_free_strings(&c);
        return ORM_ENOMEM;
    }
    if (c.choices)
        c.nchoices = col->nchoices;
    ((orm_column *)(uintptr_t)model->columns)[model->ncolumns++] = c;
    return 0;
}

static const char *const *dup_string_array(const char *const *a, size_t n)
{
    char **copy = orm_calloc(n ? n : 1, sizeof *copy);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(copy[i] = orm_strdup(a[i]))) {
            free_string_array((const char *const *)copy, i);
            return NULL;
        }
    }
    return (const char *const *)copy;
}

int orm_model_add_foreign_key(orm_model *model, const char *name,
                              size_t ncolumns, const char *const *columns,
                              const char *ref_table,
                              const char *const *ref_columns)
{
    model_storage *st = model->owned;
    if (!st || ncolumns == 0 || !ref_table)
        return ORM_EINVALID;
    if (model->nforeign_keys == st->fkey_cap) {
        size_t cap = st->fkey_cap ? st->fkey_cap * 2 : 4;
        orm_foreign_key *fks = orm_realloc(
            (void *)(uintptr_t)model->foreign_keys, cap * sizeof *fks);
        if (!fks)
            return ORM_ENOMEM;
        model->foreign_keys = fks;
        st->fkey_cap = cap;
    }
    orm_foreign_key fk = {0};
    fk.ncolumns = ncolumns;
    if (dup_opt(&fk.name, name) ||
        !(fk.columns = dup_string_array(columns, ncolumns)) ||
        !(fk.ref_table = orm_strdup(ref_table)) ||
        (ref_columns &&
         !(fk.ref_columns = dup_string_array(ref_columns, ncolumns)))) {
        orm_free_const(fk.name);
        free_string_array(fk.columns, ncolumns);
        orm_free_const(fk.ref_table);
        return ORM_ENOMEM;
    }
    ((orm_foreign_key *)(uintptr_t)
         model->foreign_keys)[model->nforeign_keys++] = fk;
    return 0;
}

int orm_model_add_unique(orm_model *model, const char *name, size_t ncolumns,
                         const char *const *columns)
{
    model_storage *st = model->owned;
    if (!st || ncolumns == 0)
        return ORM_EINVALID;
    if (model->nuniques == st->unique_cap) {
        size_t cap = st->unique_cap ? st->unique_cap * 2 : 4;
        orm_unique *u =
            orm_realloc((void *)(uintptr_t)model->uniques, cap * sizeof *u);
        if (!u)
            return ORM_ENOMEM;
        model->uniques = u;
        st->unique_cap = cap;
    }
    orm_unique u = {0};
    u.ncolumns = ncolumns;
    if (dup_opt(&u.name, name) ||
        !(u.columns = dup_string_array(columns, ncolumns))) {
        orm_free_const(u.name);
        return ORM_ENOMEM;
    }
    ((orm_unique *)(uintptr_t)model->uniques)[model->nuniques++] = u;
    return 0;
}

static int set_string(orm_model *model, const char **slot, const char *v)
{
    const char *copy = NULL;
    if (!model->owned)
        return ORM_EINVALID;
    if (v && !(copy = orm_strdup(v)))
        return ORM_ENOMEM;
    orm_free_const(*slot);
    *slot = copy;
    return 0;
}

int orm_model_set_repr(orm_model *model, const char *repr)
{
    return set_string(model, &model->repr, repr);
}

int orm_model_set_schema(orm_model *model, const char *schema)
{
    return set_string(model, &model->schema, schema);
}

int orm_model_set_name(orm_model *model, const char *name)
{
    return set_string(model, &model->name, name);
}

int orm_model_set_version_column(orm_model *model, const char *column)
{
    return set_string(model, &model->version_column, column);
}

int orm_model_set_read_only(orm_model *model, const char *reason)
{
    return set_string(model, &model->read_only, reason);
}

int model_refers_to(const orm_model *a, const orm_model *b)
{
    if (a == b)
        return 0;
    for (size_t i = 0; i < a->ncolumns; i++)
        if (a->columns[i].ref_table &&
            strcmp(a->columns[i].ref_table, b->table) == 0)
            return 1;
    for (size_t i = 0; i < a->nforeign_keys; i++)
        if (strcmp(a->foreign_keys[i].ref_table, b->table) == 0)
            return 1;
    return 0;
}

int model_normalize_foreign_keys(orm_model *model)
{
    size_t w = 0;
    orm_foreign_key *fks = (orm_foreign_key *)(uintptr_t)model->foreign_keys;
    if (!model->owned)
        return ORM_EINVALID;
    for (size_t i = 0; i < model->nforeign_keys; i++) {
        orm_foreign_key *fk = &fks[i];
        int idx = fk->ncolumns == 1
                      ? orm_model_column_index(model, fk->columns[0])
                      : -1;
        if (idx < 0) {
            fks[w++] = *fk;
            continue;
        }
        orm_column *c = (orm_column *)(uintptr_t)&model->columns[idx];
        if (!c->ref_table) {
            if (dup_opt(&c->ref_table, fk->ref_table) ||
                dup_opt(&c->ref_column,
                        fk->ref_columns ? fk->ref_columns[0] : NULL))
                return ORM_ENOMEM;
        }
        orm_free_const(fk->name);
        free_string_array(fk->columns, fk->ncolumns);
        orm_free_const(fk->ref_table);
        free_string_array(fk->ref_columns, fk->ncolumns);
    }
    model->nforeign_keys = w;
    return 0;
}

int orm_model_copy(orm_model **out, const orm_model *src)
{
    orm_model *m = NULL;
    int rc = orm_model_new(&m, src->name, src->table);
    if (rc)
        return rc;
    rc = ORM_ENOMEM;
    if (orm_model_set_schema(m, src->schema) ||
        orm_model_set_repr(m, src->repr) ||
        orm_model_set_version_column(m, src->version_column) ||
        orm_model_set_read_only(m, src->read_only))
        goto done;
    m->is_view = src->is_view;
    for (size_t i = 0; i < src->ncolumns; i++)
        if (orm_model_add_column(m, &src->columns[i]))
            goto done;
    for (size_t i = 0; i < src->nforeign_keys; i++) {
        const orm_foreign_key *fk = &src->foreign_keys[i];
        if (orm_model_add_foreign_key(m, fk->name, fk->ncolumns, fk->columns,
                                      fk->ref_table, fk->ref_columns))
            goto done;
    }
    for (size_t i = 0; i < src->nuniques; i++)
        if (orm_model_add_unique(m, src->uniques[i].name,
                                 src->uniques[i].ncolumns,
                                 src->uniques[i].columns))
            goto done;
    *out = m;
    return 0;
done:
    orm_model_free(m);
    return rc;
}
