/*
 * MySQL / MariaDB driver: reflection from information_schema: tables,
 * columns, keys, checks, defaults, row estimates, constraint columns.
 */
#include "mysql_internal.h"
#include "orm/db.h"

/* ---- reflection ---- */

/* Rows of a catalog query as owned strings (NULL for SQL NULL). */
typedef struct my_rows {
    char **cells; /* row r, column j: cells[r * ncols + j] */
    size_t nrows, ncols, cap;
} my_rows;

static void my_rows_free(my_rows *r)
{
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    r->cells = NULL;
    r->nrows = r->cap = 0;
}

static const char *my_cell(const my_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

/* Run `sql` with text parameters and collect `ncols` columns as text. */
static int my_query(my_conn *c, const char *sql, const char *const *params,
                    size_t nparams, size_t ncols, my_rows *out)
{
    orm_stmt *st = NULL;
    orm_value v;
    int rc;

    out->cells = NULL;
    out->nrows = out->cap = 0;
    out->ncols = ncols;
    if ((rc = my_prepare(&c->base, sql, nparams, ORM_STMT_DEFER, &st)))
        return rc;
    for (size_t i = 0; i < nparams; i++) {
        v = params[i] ? orm_value_text(params[i]) : orm_value_null();
        if ((rc = my_bind(st, i, &v, ORM_TEXT)))
            goto done;
    }
    while ((rc = my_step(st)) == ORM_ROW) {
        if (out->nrows == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 16;
            char **cells = orm_realloc(out->cells, cap * ncols * sizeof *cells);
            if (!cells) {
                rc = my_nomem(&c->base);
                goto done;
            }
            out->cells = cells;
            out->cap = cap;
        }
        char **row = out->cells + out->nrows * ncols;
        for (size_t j = 0; j < ncols; j++)
            row[j] = NULL;
        out->nrows++;
        for (size_t j = 0; j < ncols; j++) {
            if ((rc = my_column(st, j, ORM_TEXT, &v)))
                goto done;
            if (v.kind != ORM_VNULL &&
                !(row[j] = orm_strndup(v.u.s.ptr, v.u.s.len))) {
                rc = my_nomem(&c->base);
                goto done;
            }
        }
    }
    if (rc == ORM_DONE)
        rc = 0;
done:
    my_finalize(st);
    if (rc)
        my_rows_free(out);
    return rc;
}

/* `schema`, or the current database; owned. */
static int my_schema_resolve(my_conn *c, const char *schema, char **out)
{
    my_rows r;
    int rc;

    *out = NULL;
    if (schema) {
        if (!(*out = orm_strdup(schema)))
            return my_nomem(&c->base);
        return 0;
    }
    if ((rc = my_query(c, "SELECT DATABASE()", NULL, 0, 1, &r)))
        return rc;
    if (r.nrows == 1) {
        *out = r.cells[0]; /* NULL when no database is selected */
        r.cells[0] = NULL;
    }
    my_rows_free(&r);
    if (!*out)
        return orm_conn_error(&c->base, ORM_ENOTFOUND, "no database selected");
    return 0;
}

int my_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    my_conn *c = (my_conn *)conn;
    my_rows r;
    char **names;
    int rc;

    *out = NULL;
    *count = 0;
    rc = my_query(c,
                  "SELECT TABLE_NAME FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = DATABASE() "
                  "AND TABLE_TYPE IN ('BASE TABLE', 'VIEW') "
                  "ORDER BY BINARY TABLE_NAME",
                  NULL, 0, 1, &r);
    if (rc)
        return rc;
    if (!(names = orm_calloc(r.nrows ? r.nrows : 1, sizeof *names))) {
        my_rows_free(&r);
        return my_nomem(conn);
    }
    for (size_t i = 0; i < r.nrows; i++) {
        names[i] = r.cells[i];
        r.cells[i] = NULL;
    }
    *out = names;
    *count = r.nrows;
    my_rows_free(&r);
    return 0;
}

/* Is `data_type` a spatial type (GEOMETRY, POINT, ...)? The values are
 * bytes: the SRID, then the shape as WKB. */
static int my_is_spatial_type(const char *data_type)
{
    static const char *const names[] = {
        "geometry",   "point",           "linestring",   "polygon",
        "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(data_type, names[i]) == 0)
            return 1;
    return 0;
}

/* Map information_schema's type description onto an orm_column. */
static void my_type_from_catalog(orm_column *col, const char *data_type,
                                 const char *column_type,
                                 const char *char_length, const char *precision,
                                 const char *scale)
{
    static const struct {
        const char *name;
        orm_type type;
    } simple[] = {
        {"int", ORM_INTEGER},        {"integer", ORM_INTEGER},
        {"mediumint", ORM_INTEGER},  {"bigint", ORM_BIGINT},
        {"smallint", ORM_SMALLINT},  {"text", ORM_TEXT},
        {"tinytext", ORM_TEXT},      {"mediumtext", ORM_TEXT},
        {"longtext", ORM_TEXT},      {"double", ORM_FLOAT},
        {"real", ORM_FLOAT},         {"year", ORM_SMALLINT},
        {"bit", ORM_BLOB},           {"date", ORM_DATE},
        {"time", ORM_TIME},          {"datetime", ORM_DATETIME},
        {"timestamp", ORM_DATETIME}, {"blob", ORM_BLOB},
        {"tinyblob", ORM_BLOB},      {"mediumblob", ORM_BLOB},
        {"longblob", ORM_BLOB},      {"varbinary", ORM_BLOB},
        {"binary", ORM_BLOB},        {"json", ORM_JSON},
        {"uuid", ORM_UUID},
    };
    col->type = ORM_TEXT;
    if (!data_type)
        return;
    if (my_is_spatial_type(data_type)) {
        col->type = ORM_BLOB;
        return;
    }
    if (strcasecmp(data_type, "float") == 0) {
        col->type = ORM_FLOAT;
        col->precision = 24; /* FLOAT is single precision */
        return;
    }
    if (strcasecmp(data_type, "tinyint") == 0) {
        col->type = column_type && strcasecmp(column_type, "tinyint(1)") == 0
                        ? ORM_BOOLEAN
                        : ORM_SMALLINT;
        return;
    }
    if (strcasecmp(data_type, "varchar") == 0 ||
        strcasecmp(data_type, "char") == 0) {
        col->type = ORM_STRING;
        col->length = char_length ? (int)strtol(char_length, NULL, 10) : 0;
        return;
    }
    if (strcasecmp(data_type, "decimal") == 0 ||
        strcasecmp(data_type, "numeric") == 0) {
        col->type = ORM_NUMERIC;
        col->precision = precision ? (int)strtol(precision, NULL, 10) : 0;
        col->scale = scale ? (int)strtol(scale, NULL, 10) : 0;
        return;
    }
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcasecmp(data_type, simple[i].name) == 0) {
            col->type = simple[i].type;
            return;
        }
    }
}

/* Is `clause` exactly json_valid(`name`) (MariaDB's JSON columns)? */
static int my_is_json_check(const char *clause, const char *name)
{
    static const char head[] = "json_valid(`";
    size_t n = strlen(head);
    if (!clause || strncasecmp(clause, head, n) != 0)
        return 0;
    clause += n;
    for (; *name; name++) {
        if (*clause++ != *name)
            return 0;
        if (*name == '`' && *clause++ != '`')
            return 0;
    }
    return strcmp(clause, "`)") == 0;
}

/*
 * COLUMN_DEFAULT as SQL to write after DEFAULT, owned, or NULL for none.
 * MariaDB already gives SQL ('abc', 0, current_timestamp(6), "NULL");
 * MySQL gives literals bare and expressions marked DEFAULT_GENERATED.
 */
static int my_default_sql(const my_conn *c, const char *value,
                          const char *extra, orm_type type, char **out)
{
    orm_buf b = ORM_BUF_INIT;
    *out = NULL;
    if (!value || (c->is_mariadb && strcmp(value, "NULL") == 0))
        return 0;
    if (c->is_mariadb || (extra && strstr(extra, "DEFAULT_GENERATED")) ||
        (orm_type_kind(type) != ORM_VTEXT && type != ORM_BLOB) ||
        type == ORM_NUMERIC) {
        *out = orm_strdup(value);
        return *out ? 0 : -1;
    }
    orm_buf_appendc(&b, '\'');
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            orm_buf_appendc(&b, *p);
        orm_buf_appendc(&b, *p);
    }
    orm_buf_appendc(&b, '\'');
    *out = orm_buf_finish(&b);
    return *out ? 0 : -1;
}

enum {
    MY_COL_NAME,
    MY_COL_TYPE,
    MY_COL_DATA_TYPE,
    MY_COL_NULLABLE,
    MY_COL_DEFAULT,
    MY_COL_EXTRA,
    MY_COL_CHAR_LENGTH,
    MY_COL_PRECISION,
    MY_COL_SCALE,
    MY_COL_GENERATION,
    MY_COL_COLLATION,
    MY_COL_COUNT
};

enum {
    MY_KEY_NAME,
    MY_KEY_TYPE,
    MY_KEY_COLUMN,
    MY_KEY_REF_TABLE,
    MY_KEY_REF_COLUMN,
    MY_KEY_REF_SCHEMA, /* its database; NULL: DATABASE() */
    MY_KEY_COUNT
};

static int my_find_column(const orm_column *cols, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

/*
 * Apply one key (rows [first, end) of `keys`, one constraint) to the
 * columns, or add it to the model when it spans several columns.
 */
static int my_apply_key(orm_model *m, orm_column *cols, size_t ncols,
                        const my_rows *keys, size_t first, size_t end)
{
    const char *name = my_cell(keys, first, MY_KEY_NAME);
    const char *type = my_cell(keys, first, MY_KEY_TYPE);
    size_t n = end - first;
    const char **names = NULL, **refs = NULL;
    int rc = 0;

    if (!type)
        return 0;
    if (strcmp(type, "PRIMARY KEY") == 0) {
        for (size_t r = first; r < end; r++) {
            int i =
                my_find_column(cols, ncols, my_cell(keys, r, MY_KEY_COLUMN));
            if (i >= 0)
                cols[i].flags |= ORM_PK | ORM_NOT_NULL;
        }
        return 0;
    }
    if (n == 1) {
        int i =
            my_find_column(cols, ncols, my_cell(keys, first, MY_KEY_COLUMN));
        if (i < 0)
            return 0;
        if (strcmp(type, "UNIQUE") == 0) {
            cols[i].flags |= ORM_UNIQUE;
        } else if (!cols[i].ref_table &&
                   my_cell(keys, first, MY_KEY_REF_TABLE)) {
            cols[i].ref_table = my_cell(keys, first, MY_KEY_REF_TABLE);
            cols[i].ref_column = my_cell(keys, first, MY_KEY_REF_COLUMN);
        }
        return 0;
    }
    names = orm_calloc(n, sizeof *names);
    refs = orm_calloc(n, sizeof *refs);
    if (!names || !refs) {
        rc = ORM_ENOMEM;
        goto done;
    }
    for (size_t r = first; r < end; r++) {
        names[r - first] = my_cell(keys, r, MY_KEY_COLUMN);
        refs[r - first] = my_cell(keys, r, MY_KEY_REF_COLUMN);
        if (!names[r - first])
            goto done; /* not a plain column list: skip */
    }
    if (strcmp(type, "UNIQUE") == 0) {
        rc = orm_model_add_unique(m, name, n, names);
    } else if (my_cell(keys, first, MY_KEY_REF_TABLE)) {
        for (size_t j = 0; j < n; j++)
            if (!refs[j])
                goto done;
        rc = orm_model_add_foreign_key(
            m, name, n, names, my_cell(keys, first, MY_KEY_REF_TABLE), refs);
    }
done:
    free(names);
    free(refs);
    return rc;
}

#define MY_VIEW_READ_ONLY                                                      \
    "a view: it has no primary key to find a row by, so orb only reads it"

/* What a column carries beyond its type, owned until the model copies it. */
typedef struct my_col_extra {
    char *read_only;
    char *labels; /* ENUM / SET values, unquoted, NUL-separated */
    const char **choices;
} my_col_extra;

static void my_col_extra_free(my_col_extra *x)
{
    free(x->read_only);
    free(x->labels);
    free(x->choices);
}

/* The values of "enum('a','it''s')" or "set(...)", unquoted. */
static int my_parse_choices(orm_column *col, my_col_extra *x)
{
    const char *p = col->native_type ? strchr(col->native_type, '(') : NULL;
    size_t n = 0, at = 0;
    if (!p)
        return 0;
    if (!(x->labels = orm_malloc(strlen(p) + 1)) ||
        !(x->choices = orm_calloc(strlen(p), sizeof *x->choices)))
        return -1;
    for (p++; *p == '\'';) {
        x->choices[n++] = x->labels + at;
        for (p++; *p; p++) {
            if (*p == '\'' && p[1] == '\'')
                p++;
            else if (*p == '\\' && p[1])
                p++;
            else if (*p == '\'')
                break;
            x->labels[at++] = *p;
        }
        x->labels[at++] = '\0';
        if (*p == '\'')
            p++;
        if (*p == ',')
            p++;
    }
    col->choices = x->choices;
    col->nchoices = n;
    return 0;
}

/* Generated columns, BIT and spatial columns are read-only; ENUM and SET
 * have choices. */
static int my_column_extras(orm_column *col, const char *data_type,
                            const char *extra, const char *generation,
                            my_col_extra *x)
{
    orm_buf b = ORM_BUF_INIT;
    if (extra && strstr(extra, "GENERATED"))
        orm_buf_appendf(&b, "generated by the database from %s",
                        generation ? generation : "an expression");
    else if (data_type && strcasecmp(data_type, "bit") == 0)
        orm_buf_appendf(&b,
                        "%s is a bit string: orb shows its bytes and "
                        "cannot write it",
                        col->native_type);
    else if (data_type && my_is_spatial_type(data_type))
        orm_buf_appendf(&b,
                        "%s is a spatial value: orb shows its bytes (WKB "
                        "with the SRID first) and cannot write it",
                        col->native_type);
    if (b.len || b.failed) {
        if (!(x->read_only = orm_buf_finish(&b)))
            return -1;
        col->read_only = x->read_only;
    }
    if (data_type && strcasecmp(data_type, "set") == 0)
        col->flags |= ORM_CHOICE_SET;
    if (data_type && (strcasecmp(data_type, "enum") == 0 ||
                      strcasecmp(data_type, "set") == 0))
        return my_parse_choices(col, x);
    return 0;
}

/* One table's rows of a catalog result (not owned: cells point into
 * the whole result). */
static my_rows my_rows_slice(const my_rows *all, size_t first, size_t end)
{
    my_rows r = {all->cells ? all->cells + first * all->ncols : NULL,
                 end - first, all->ncols, 0};
    return r;
}

/* The rows of `all` whose column `col` is `table`, byte for byte, from
 * row *at on. Rows come ordered by their table's name byte for byte (as
 * strcmp orders it: BINARY) and tables are asked for in that order, so
 * the rows of tables before `table` (and of none) are passed over once,
 * and *at is left after `table`'s. */
static my_rows my_rows_next(const my_rows *all, size_t col, const char *table,
                            size_t *at)
{
    size_t first = *at, end;
    while (first < all->nrows && (!my_cell(all, first, col) ||
                                  strcmp(my_cell(all, first, col), table) < 0))
        first++;
    for (end = first; end < all->nrows && my_cell(all, end, col) &&
                      !strcmp(my_cell(all, end, col), table);
         end++)
        ;
    *at = end;
    return my_rows_slice(all, first, end);
}

/*
 * The model of table `table` (its schema set when `schema`): `colr` holds
 * its columns (MY_COL_*), `checks` its check clauses, `keys` its keys
 * (MY_KEY_*, grouped by constraint), `idx` its one-column plain indexes;
 * `is_view` says it is a view.
 */
static int my_model_build(my_conn *c, const char *schema, const char *table,
                          const my_rows *colr, const my_rows *checks,
                          const my_rows *keys, const my_rows *idx, int is_view,
                          orm_model **out)
{
    orm_conn *conn = &c->base;
    my_col_extra *extras = NULL;
    orm_column *cols = NULL;
    char **defaults = NULL;
    orm_model *m = NULL;
    size_t ncols = colr->nrows;
    int rc;

    *out = NULL;
    cols = orm_calloc(ncols ? ncols : 1, sizeof *cols);
    defaults = orm_calloc(ncols ? ncols : 1, sizeof *defaults);
    extras = orm_calloc(ncols ? ncols : 1, sizeof *extras);
    if (!cols || !defaults || !extras) {
        rc = my_nomem(conn);
        goto done;
    }
    for (size_t r = 0; r < ncols; r++) {
        orm_column *col = &cols[r];
        const char *nullable = my_cell(colr, r, MY_COL_NULLABLE);
        const char *extra = my_cell(colr, r, MY_COL_EXTRA);

        col->name = my_cell(colr, r, MY_COL_NAME);
        col->native_type = my_cell(colr, r, MY_COL_TYPE);
        col->collation = my_cell(colr, r, MY_COL_COLLATION);
        my_type_from_catalog(
            col, my_cell(colr, r, MY_COL_DATA_TYPE), col->native_type,
            my_cell(colr, r, MY_COL_CHAR_LENGTH),
            my_cell(colr, r, MY_COL_PRECISION), my_cell(colr, r, MY_COL_SCALE));
        if (col->type == ORM_TEXT) {
            for (size_t k = 0; k < checks->nrows; k++)
                if (my_is_json_check(my_cell(checks, k, 0), col->name))
                    col->type = ORM_JSON;
        }
        if (nullable && strcmp(nullable, "NO") == 0)
            col->flags |= ORM_NOT_NULL;
        if (extra && strstr(extra, "auto_increment"))
            col->flags |= ORM_AUTOINC;
        if ((rc = my_column_extras(col, my_cell(colr, r, MY_COL_DATA_TYPE),
                                   extra, my_cell(colr, r, MY_COL_GENERATION),
                                   &extras[r]))) {
            rc = my_nomem(conn);
            goto done;
        }
        if (my_default_sql(c, my_cell(colr, r, MY_COL_DEFAULT), extra,
                           col->type, &defaults[r])) {
            rc = my_nomem(conn);
            goto done;
        }
        col->server_default = defaults[r];
    }
    if ((rc = orm_model_new(&m, table, table)) ||
        (schema && (rc = orm_model_set_schema(m, schema))))
        goto nomem;
    /* A referenced table by the name this connection gives it: bare in
     * the current database, else "db.table" (driver.h), in place of its
     * bare name among the key rows, which own it. */
    for (size_t r = 0; r < keys->nrows; r++) {
        char **parent = &keys->cells[r * keys->ncols + MY_KEY_REF_TABLE];
        char *named;
        if (!*parent)
            continue;
        if (!(named =
                  orm_name_join(my_cell(keys, r, MY_KEY_REF_SCHEMA), *parent)))
            goto nomem;
        free(*parent);
        *parent = named;
    }
    for (size_t first = 0, r = 1; first < keys->nrows; r++) {
        if (r < keys->nrows) {
            const char *a = my_cell(keys, first, MY_KEY_NAME);
            const char *b = my_cell(keys, r, MY_KEY_NAME);
            const char *ta = my_cell(keys, first, MY_KEY_TYPE);
            const char *tb = my_cell(keys, r, MY_KEY_TYPE);
            if (a && b && ta && tb && strcmp(a, b) == 0 && strcmp(ta, tb) == 0)
                continue;
        }
        if ((rc = my_apply_key(m, cols, ncols, keys, first, r)))
            goto nomem;
        first = r;
    }
    /* A single integer key without AUTO_INCREMENT is not generated. */
    int npk = 0, pk = -1;
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].flags & ORM_PK) {
            npk++;
            pk = (int)i;
        }
    if (npk == 1 && !(cols[pk].flags & ORM_AUTOINC))
        cols[pk].flags |= ORM_NO_AUTOINC;
    for (size_t k = 0; k < idx->nrows; k++) {
        int i = my_find_column(cols, ncols, my_cell(idx, k, 0));
        if (i >= 0)
            cols[i].flags |= ORM_INDEX;
    }
    if (is_view) {
        m->is_view = 1;
        if (orm_model_set_read_only(m, MY_VIEW_READ_ONLY))
            goto nomem;
    }
    for (size_t i = 0; i < ncols; i++)
        if ((rc = orm_model_add_column(m, &cols[i])))
            goto nomem;
    *out = m;
    m = NULL;
    rc = 0;
    goto done;
nomem:
    rc = my_nomem(conn);
done:
    orm_model_free(m);
    if (defaults)
        for (size_t i = 0; i < ncols; i++)
            free(defaults[i]);
    free(defaults);
    if (extras)
        for (size_t i = 0; i < ncols; i++)
            my_col_extra_free(&extras[i]);
    free(extras);
    free(cols);
    return rc;
}

/* The kinds of row of the catalog query (my_catalog_query), in its
 * order. */
enum {
    MY_ROW_DATABASE = 1, /* DATABASE() */
    MY_ROW_TABLE,        /* TABLE_TYPE */
    MY_ROW_COLUMN,       /* MY_COL_* */
    MY_ROW_CHECK,        /* CHECK_CLAUSE */
    MY_ROW_KEY,          /* MY_KEY_* */
    MY_ROW_INDEX         /* a one-column plain index's column */
};

/* Its rows: the kind, MY_COL_COUNT cells, the table's name (byte for
 * byte: BINARY), then three to sort by. Among a kind's cells (my_rows_kind)
 * the name is cell MY_ROW_NAME. */
#define MY_ROW_NAME  MY_COL_COUNT
#define MY_ROW_WIDTH (1 + MY_COL_COUNT + 1 + 3)

/*
 * `col` is the asked schema (bound) or the current database, exactly. The
 * plain equality comes first: information_schema opens only the database
 * (and below, the table) it names, where the exact comparison alone would
 * make it open every table of every database.
 */
static void my_schema_is(orm_buf *sql, const char *col, const char *schema,
                         const char **params, size_t *np)
{
    if (schema) {
        orm_buf_appendf(sql,
                        "%s = CONVERT(? USING utf8mb3) "
                        "AND %s = ? COLLATE utf8mb4_bin",
                        col, col);
        params[(*np)++] = schema;
        params[(*np)++] = schema;
    } else {
        orm_buf_appendf(sql,
                        "%s = DATABASE() AND %s = CONVERT(DATABASE() USING "
                        "utf8mb4) COLLATE utf8mb4_bin",
                        col, col);
    }
}

/* `col` is table `table`, exactly (found as my_schema_is finds a schema;
 * names are never outside utf8mb3, which the catalog holds them in). */
static void my_table_is(orm_buf *sql, const char *col, const char *table,
                        const char **params, size_t *np)
{
    orm_buf_appendf(sql,
                    "%s = CONVERT(? USING utf8mb3) "
                    "AND %s = ? COLLATE utf8mb4_bin",
                    col, col);
    params[(*np)++] = table;
    params[(*np)++] = table;
}

/* One branch of the query: `select` lists the kind's `ncells` cells (NULLs
 * up to MY_COL_COUNT are added), `name` its table's name, `sort` the three
 * to sort by (NULL: none), `from` its table; rows of the asked schema (the
 * column `schema_col`) and, when `table`, of that table only, whose
 * parameters go to `params`; `tail` after that. */
static void my_branch(orm_buf *sql, int kind, const char *select, int ncells,
                      const char *name, const char *sort, const char *from,
                      const char *schema_col, const char *tail,
                      const char *schema, const char *table,
                      const char **params, size_t *np)
{
    if (sql->len)
        orm_buf_append(sql, " UNION ALL ");
    orm_buf_appendf(sql, "SELECT %d, %s", kind, select);
    for (int i = ncells; i < MY_COL_COUNT; i++)
        orm_buf_append(sql, ", NULL");
    orm_buf_appendf(sql, ", %s, %s FROM %s", name ? name : "NULL",
                    sort ? sort : "NULL, NULL, NULL", from);
    if (schema_col) {
        orm_buf_append(sql, " WHERE ");
        my_schema_is(sql, schema_col, schema, params, np);
        if (table) {
            orm_buf_append(sql, " AND ");
            my_table_is(sql, "TABLE_NAME", table, params, np);
        }
    }
    if (tail)
        orm_buf_appendf(sql, " %s", tail);
}

/* A key's type as TABLE_CONSTRAINTS gives it, from KEY_COLUMN_USAGE alone
 * (which holds primary, unique and foreign keys; only the primary key is
 * named PRIMARY): a join with TABLE_CONSTRAINTS would open every table of
 * every database for the second table of the join. */
#define MY_KEY_TYPE_SQL                                                        \
    "CASE WHEN REFERENCED_TABLE_NAME IS NOT NULL THEN 'FOREIGN KEY' "          \
    "WHEN BINARY CONSTRAINT_NAME = 'PRIMARY' THEN 'PRIMARY KEY' "              \
    "ELSE 'UNIQUE' END"

/*
 * The catalog query: every catalog row reflection needs, each branch a
 * kind of row (MY_ROW_*), in one statement and one round trip. Of table
 * `table`, or with `table` NULL of every table and view of the schema.
 * Without `schema`, the current database, which comes back too for one
 * table (for the message when there is no such table).
 */
static void my_catalog_query(orm_buf *sql, const char *schema,
                             const char *table, int with_checks,
                             const char **params, size_t *np)
{
    *np = 0;
    if (table)
        my_branch(sql, MY_ROW_DATABASE, "DATABASE()", 1, NULL, NULL, "DUAL",
                  NULL, NULL, schema, table, params, np);
    /* Every table and view; a table asked by name whatever it is. */
    my_branch(sql, MY_ROW_TABLE, "TABLE_TYPE", 1, "BINARY TABLE_NAME", NULL,
              "information_schema.TABLES", "TABLE_SCHEMA",
              table ? NULL : "AND TABLE_TYPE IN ('BASE TABLE', 'VIEW')", schema,
              table, params, np);
    my_branch(sql, MY_ROW_COLUMN,
              "COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, "
              "COLUMN_DEFAULT, EXTRA, CHARACTER_MAXIMUM_LENGTH, "
              "NUMERIC_PRECISION, NUMERIC_SCALE, GENERATION_EXPRESSION, "
              "COLLATION_NAME",
              MY_COL_COUNT, "BINARY TABLE_NAME", "NULL, NULL, ORDINAL_POSITION",
              "information_schema.COLUMNS", "TABLE_SCHEMA", NULL, schema, table,
              params, np);
    /* MariaDB's JSON is LONGTEXT with a json_valid() check. */
    if (with_checks)
        my_branch(sql, MY_ROW_CHECK, "CHECK_CLAUSE", 1, "BINARY TABLE_NAME",
                  NULL, "information_schema.CHECK_CONSTRAINTS",
                  "CONSTRAINT_SCHEMA", NULL, schema, table, params, np);
    my_branch(sql, MY_ROW_KEY,
              "CONSTRAINT_NAME, " MY_KEY_TYPE_SQL ", COLUMN_NAME, "
              "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, "
              "CASE WHEN BINARY REFERENCED_TABLE_SCHEMA = BINARY DATABASE() "
              "THEN NULL ELSE REFERENCED_TABLE_SCHEMA END",
              MY_KEY_COUNT, "BINARY TABLE_NAME",
              MY_KEY_TYPE_SQL ", BINARY CONSTRAINT_NAME, ORDINAL_POSITION",
              "information_schema.KEY_COLUMN_USAGE", "TABLE_SCHEMA", NULL,
              schema, table, params, np);
    /* One-column plain indexes mark their column, as on SQLite. */
    my_branch(sql, MY_ROW_INDEX, "MAX(COLUMN_NAME)", 1,
              "MAX(BINARY TABLE_NAME)", NULL, "information_schema.STATISTICS",
              "TABLE_SCHEMA",
              "AND NON_UNIQUE = 1 GROUP BY BINARY TABLE_NAME, INDEX_NAME "
              "HAVING COUNT(*) = 1",
              schema, table, params, np);
    /* Kind, table, then what each kind is ordered by: a column's position;
     * a key's type, name byte for byte and position in it. */
    orm_buf_appendf(sql, " ORDER BY 1, %d, %d, %d, %d", MY_ROW_NAME + 2,
                    MY_ROW_NAME + 3, MY_ROW_NAME + 4, MY_ROW_NAME + 5);
}

/* Rows of one kind: the cells after the kind column. */
static my_rows my_rows_kind(const my_rows *all, int kind)
{
    size_t first = 0, end;
    char want[8];
    snprintf(want, sizeof want, "%d", kind);
    while (first < all->nrows &&
           (!my_cell(all, first, 0) || strcmp(my_cell(all, first, 0), want)))
        first++;
    for (end = first; end < all->nrows && my_cell(all, end, 0) &&
                      !strcmp(my_cell(all, end, 0), want);
         end++)
        ;
    my_rows r = my_rows_slice(all, first, end);
    if (r.cells)
        r.cells++;
    return r;
}

/* Run the catalog query (my_catalog_query) into `all`, prepared and
 * executed in one round trip. */
static int my_catalog_read(my_conn *c, const char *schema, const char *table,
                           my_rows *all)
{
    orm_conn *conn = &c->base;
    orm_buf sql = ORM_BUF_INIT;
    const char *params[5 * 4]; /* five branches, schema and table twice */
    size_t np = 0;
    int rc;

    for (;;) {
        orm_buf_free(&sql);
        my_catalog_query(&sql, schema, table, !c->no_check_constraints, params,
                         &np);
        if (!orm_buf_str(&sql))
            return my_nomem(conn);
        rc = my_query(c, orm_buf_str(&sql), params, np, MY_ROW_WIDTH, all);
        /* A server without CHECK_CONSTRAINTS simply has none. */
        if (rc == ORM_EERROR && !c->no_check_constraints &&
            conn->err.native_code == MY_ER_UNKNOWN_TABLE) {
            c->no_check_constraints = 1;
            orm_error_clear(&conn->err);
            continue;
        }
        break;
    }
    orm_buf_free(&sql);
    return rc;
}

/* One table in one query and one round trip (my_catalog_read). */
int my_reflect_table(orm_conn *conn, const char *schema, const char *table,
                     orm_model **out)
{
    my_conn *c = (my_conn *)conn;
    my_rows all = {0};
    int rc;

    *out = NULL;
    if ((rc = my_catalog_read(c, schema, table, &all)))
        goto done;
    my_rows db = my_rows_kind(&all, MY_ROW_DATABASE);
    my_rows kind = my_rows_kind(&all, MY_ROW_TABLE);
    my_rows colr = my_rows_kind(&all, MY_ROW_COLUMN);
    my_rows checks = my_rows_kind(&all, MY_ROW_CHECK);
    my_rows keys = my_rows_kind(&all, MY_ROW_KEY);
    my_rows idx = my_rows_kind(&all, MY_ROW_INDEX);
    const char *in = schema ? schema : db.nrows ? my_cell(&db, 0, 0) : NULL;
    if (!in) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no database selected");
        goto done;
    }
    if (colr.nrows == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table '%s' in '%s'", table,
                            in);
        goto done;
    }
    /* The current database asked for by name is the current one's. */
    if (schema && db.nrows && my_cell(&db, 0, 0) &&
        strcmp(schema, my_cell(&db, 0, 0)) == 0)
        schema = NULL;
    rc = my_model_build(c, schema, table, &colr, &checks, &keys, &idx,
                        kind.nrows == 1 && my_cell(&kind, 0, 0) &&
                            strcmp(my_cell(&kind, 0, 0), "VIEW") == 0,
                        out);
done:
    my_rows_free(&all);
    return rc;
}

/* Every table list_tables lists in the same one query and one round trip
 * as one table (my_catalog_read), for all of them at once. */
int my_reflect_all(orm_conn *conn, orm_model ***out, size_t *count)
{
    my_conn *c = (my_conn *)conn;
    my_rows all = {0};
    orm_model **models = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = my_catalog_read(c, NULL, NULL, &all)))
        goto done;
    my_rows tables = my_rows_kind(&all, MY_ROW_TABLE);
    my_rows colr = my_rows_kind(&all, MY_ROW_COLUMN);
    my_rows checks = my_rows_kind(&all, MY_ROW_CHECK);
    my_rows keys = my_rows_kind(&all, MY_ROW_KEY);
    my_rows idx = my_rows_kind(&all, MY_ROW_INDEX);
    size_t at_col = 0, at_check = 0, at_key = 0, at_idx = 0;
    if (!(models =
              orm_calloc(tables.nrows ? tables.nrows : 1, sizeof *models))) {
        rc = my_nomem(conn);
        goto done;
    }
    for (size_t t = 0; t < tables.nrows; t++) {
        const char *name = my_cell(&tables, t, MY_ROW_NAME);
        const char *type = my_cell(&tables, t, 0);
        if (!name)
            continue;
        my_rows tc = my_rows_next(&colr, MY_ROW_NAME, name, &at_col);
        my_rows tx = my_rows_next(&checks, MY_ROW_NAME, name, &at_check);
        my_rows tk = my_rows_next(&keys, MY_ROW_NAME, name, &at_key);
        my_rows ti = my_rows_next(&idx, MY_ROW_NAME, name, &at_idx);
        if (tc.nrows == 0)
            continue; /* dropped while the query ran: gone */
        if ((rc =
                 my_model_build(c, NULL, name, &tc, &tx, &tk, &ti,
                                type && strcmp(type, "VIEW") == 0, &models[n])))
            goto done;
        n++;
    }
    *out = models;
    *count = n;
    models = NULL;
done:
    for (size_t i = 0; models && i < n; i++)
        orm_model_free(models[i]);
    free(models);
    my_rows_free(&all);
    return rc;
}

/* One row in one round trip: the current database (for the message when
 * there is no such table) beside the table's TABLE_ROWS, if it has one. */
int my_estimate_count(orm_conn *conn, const char *schema, const char *table,
                      int64_t *out)
{
    my_conn *c = (my_conn *)conn;
    my_rows r = {0};
    orm_buf sql = ORM_BUF_INIT;
    const char *params[4];
    size_t np = 0;
    int64_t n;
    int rc;

    orm_buf_append(&sql, "SELECT d.db, t.TABLE_NAME, t.TABLE_ROWS "
                         "FROM (SELECT DATABASE() AS db) d "
                         "LEFT JOIN information_schema.TABLES t ON ");
    my_schema_is(&sql, "t.TABLE_SCHEMA", schema, params, &np);
    orm_buf_append(&sql, " AND ");
    my_table_is(&sql, "t.TABLE_NAME", table, params, &np);
    if (!orm_buf_str(&sql)) {
        rc = my_nomem(conn);
        goto done;
    }
    if ((rc = my_query(c, orm_buf_str(&sql), params, np, 3, &r)))
        goto done;
    const char *in = schema ? schema : r.nrows ? my_cell(&r, 0, 0) : NULL;
    if (!in)
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no database selected");
    else if (r.nrows == 0 || !my_cell(&r, 0, 1))
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no table '%s' in '%s'", table,
                            in);
    else if (!my_cell(&r, 0, 2) ||
             orm_int_parse(&n, my_cell(&r, 0, 2), strlen(my_cell(&r, 0, 2))))
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED, "no row estimate for '%s'",
                            table);
    else
        *out = n;
done:
    my_rows_free(&r);
    orm_buf_free(&sql);
    return rc;
}

int my_estimate_counts(orm_conn *conn, const char *const *schemas,
                       const char *const *tables, size_t n, int64_t *out)
{
    my_conn *c = (my_conn *)conn;
    my_rows r = {0};
    orm_buf sql = ORM_BUF_INIT;
    const char **params = orm_calloc(2 * n + 1, sizeof *params);
    size_t np = 0;
    int rc;

    if (!params)
        return my_nomem(conn);
    /* Candidates by name (the catalog compares without regard to case
     * here); the exact match is made below, byte for byte. */
    orm_buf_append(&sql, "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, "
                         "DATABASE() FROM information_schema.TABLES "
                         "WHERE TABLE_SCHEMA IN (DATABASE()");
    for (size_t i = 0; i < n; i++) {
        if (schemas[i]) {
            orm_buf_append(&sql, ", ?");
            params[np++] = schemas[i];
        }
    }
    orm_buf_append(&sql, ") AND TABLE_NAME IN (");
    for (size_t i = 0; i < n; i++) {
        orm_buf_append(&sql, i ? ", ?" : "?");
        params[np++] = tables[i];
    }
    orm_buf_append(&sql, ")");
    if (!orm_buf_str(&sql)) {
        rc = my_nomem(conn);
        goto done;
    }
    if ((rc = my_query(c, orm_buf_str(&sql), params, np, 4, &r)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        out[i] = -1;
        for (size_t k = 0; k < r.nrows; k++) {
            const char *schema = schemas[i] ? schemas[i] : my_cell(&r, k, 3);
            const char *rows = my_cell(&r, k, 2);
            int64_t v;
            if (schema && my_cell(&r, k, 0) && my_cell(&r, k, 1) &&
                strcmp(my_cell(&r, k, 0), schema) == 0 &&
                strcmp(my_cell(&r, k, 1), tables[i]) == 0 && rows &&
                orm_int_parse(&v, rows, strlen(rows)) == 0)
                out[i] = v;
        }
    }
done:
    my_rows_free(&r);
    orm_buf_free(&sql);
    free(params);
    return rc;
}

/* Text for the filters' rules: a column with a collation (char,
 * varchar, text, enum, set; reflection names it), or of a model orb was
 * given (no native type). A candidate value goes in the column's own
 * character set and collation: a bare one would be an illegal mix of
 * collations on a latin1 column when it holds other characters (no row
 * can equal those exactly; the converted value finds candidates all the
 * same and the exact comparison drops them). */
int my_text_column(const orm_column *col, orm_buf *before, orm_buf *after)
{
    const char *coll = col->collation;
    if (!coll)
        return !col->native_type;
    size_t charset = strcspn(coll, "_");
    /* A name from the catalog, written into SQL: letters, digits, _. */
    for (const char *p = coll; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 1;
    if (charset == 0 || !coll[charset])
        return 1;
    orm_buf_append(before, "CONVERT(");
    orm_buf_append(after, " USING ");
    orm_buf_appendn(after, coll, charset);
    orm_buf_append(after, ") COLLATE ");
    orm_buf_append(after, coll);
    return 1;
}

/* The columns of index or check constraint `name` of `table`: a unique
 * key violation names only its index. */
int my_constraint_columns(orm_conn *conn, const char *schema, const char *table,
                          const char *name, char ***out, size_t *count)
{
    my_conn *c = (my_conn *)conn;
    my_rows r = {0};
    char *db = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = my_schema_resolve(c, schema, &db)))
        return rc;
    const char *const params[] = {db, table, name};
    rc = my_query(c,
                  "SELECT COLUMN_NAME FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = ? COLLATE utf8mb4_bin "
                  "AND TABLE_NAME = ? COLLATE utf8mb4_bin "
                  "AND INDEX_NAME = ? COLLATE utf8mb4_bin "
                  "ORDER BY SEQ_IN_INDEX",
                  params, 3, 1, &r);
    if (rc == 0 && r.nrows == 0) {
        /* A check constraint: the columns its clause names (MariaDB
         * writes them in backquotes). */
        my_rows_free(&r);
        rc = my_query(c,
                      "SELECT c.COLUMN_NAME "
                      "FROM information_schema.CHECK_CONSTRAINTS k "
                      "JOIN information_schema.COLUMNS c "
                      "ON c.TABLE_SCHEMA = k.CONSTRAINT_SCHEMA "
                      "AND c.TABLE_NAME = k.TABLE_NAME "
                      "WHERE k.CONSTRAINT_SCHEMA = ? COLLATE utf8mb4_bin "
                      "AND k.TABLE_NAME = ? COLLATE utf8mb4_bin "
                      "AND k.CONSTRAINT_NAME = ? COLLATE utf8mb4_bin "
                      "AND LOCATE(CONCAT('`', c.COLUMN_NAME, '`'), "
                      "k.CHECK_CLAUSE) > 0 "
                      "ORDER BY c.ORDINAL_POSITION",
                      params, 3, 1, &r);
    }
    if (rc)
        goto done;
    if (r.nrows == 0) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND, "no constraint '%s' on '%s'",
                            name, table);
        goto done;
    }
    if (!(*out = orm_calloc(r.nrows, sizeof **out))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r.nrows; i++) {
        const char *cell = my_cell(&r, i, 0);
        if (!((*out)[i] = orm_strdup(cell ? cell : ""))) {
            for (size_t k = 0; k < i; k++)
                free((*out)[k]);
            free(*out);
            *out = NULL;
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    *count = r.nrows;
done:
    my_rows_free(&r);
    free(db);
    return rc;
}
