/*
 * The PostgreSQL driver's DDL types and catalog queries: tables, columns,
 * keys, constraints, estimated counts.
 */
#include "postgres_internal.h"
#include "orm/db.h"

/* ---- DDL types ---- */

void pg_column_type_sql(orm_buf *out, const orm_column *col, int autoinc)
{
    switch (col->type) {
    case ORM_INTEGER:
        orm_buf_append(out, autoinc ? "SERIAL" : "INTEGER");
        break;
    case ORM_BIGINT:
        orm_buf_append(out, autoinc ? "BIGSERIAL" : "BIGINT");
        break;
    case ORM_SMALLINT:
        orm_buf_append(out, autoinc ? "SMALLSERIAL" : "SMALLINT");
        break;
    case ORM_STRING:
        if (col->length > 0)
            orm_buf_appendf(out, "VARCHAR(%d)", col->length);
        else
            orm_buf_append(out, "VARCHAR");
        break;
    case ORM_TEXT:
        orm_buf_append(out, "TEXT");
        break;
    case ORM_BOOLEAN:
        orm_buf_append(out, "BOOLEAN");
        break;
    case ORM_FLOAT:
        orm_buf_append(out, "DOUBLE PRECISION");
        break;
    case ORM_NUMERIC:
        if (col->precision > 0)
            orm_buf_appendf(out, "NUMERIC(%d, %d)", col->precision, col->scale);
        else
            orm_buf_append(out, "NUMERIC");
        break;
    case ORM_DATE:
        orm_buf_append(out, "DATE");
        break;
    case ORM_TIME:
        orm_buf_append(out, "TIME");
        break;
    case ORM_DATETIME:
        orm_buf_append(out, "TIMESTAMP");
        break;
    case ORM_DATETIMETZ:
        orm_buf_append(out, "TIMESTAMP WITH TIME ZONE");
        break;
    case ORM_BLOB:
        orm_buf_append(out, "BYTEA");
        break;
    case ORM_JSON:
        /* json, not jsonb: it keeps the text as written, as the other
         * dialects do. */
        orm_buf_append(out, "JSON");
        break;
    case ORM_UUID:
        orm_buf_append(out, "UUID");
        break;
    default:
        orm_buf_append(out, "TEXT");
        break;
    }
}

/* ---- catalog queries ---- */

/* Run a catalog query with text parameters (NULL allowed). */
static int pg_query(pg_conn *pgc, const char *sql, int nparams,
                    const char *const *params, PGresult **out)
{
    int rc = pg_ready(pgc, NULL);
    *out = NULL;
    if (rc)
        return rc;
    PGresult *res =
        PQexecParams(pgc->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(pgc, res);
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* The tables list_tables lists (and reflect_all reflects): tables,
 * views and materialized views on the search path, by the name the list
 * gives them (schema-qualified outside current_schema()). */
#define PG_LISTED_FROM                                                         \
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"           \
    " WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition"        \
    " AND n.nspname = ANY (current_schemas(false))"                            \
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
#define PG_LISTED_NAME                                                         \
    "CASE WHEN n.nspname = current_schema() THEN c.relname::text"              \
    " ELSE n.nspname || '.' || c.relname END"
#define PG_LISTED_OIDS "(SELECT c.oid" PG_LISTED_FROM ")"

int pg_list_tables(orm_conn *conn, char ***out, size_t *count)
{
    static const char sql[] =
        "SELECT name FROM (SELECT " PG_LISTED_NAME " AS name" PG_LISTED_FROM
        ") t ORDER BY name COLLATE \"C\"";
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *res = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pg_query(pgc, sql, 0, NULL, &res)))
        return rc;
    size_t rows = (size_t)PQntuples(res);
    names = orm_calloc(rows ? rows : 1, sizeof *names);
    if (!names)
        goto nomem;
    for (; n < rows; n++)
        if (!(names[n] = orm_strdup(PQgetvalue(res, (int)n, 0))))
            goto nomem;
    PQclear(res);
    *out = names;
    *count = rows;
    return 0;
nomem:
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    PQclear(res);
    return orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
}

/*
 * The oid of table $2 as an expression of one statement: a NULL schema $1
 * goes through the search path; a "schema.table" name as list_tables
 * gives it is split at its first dot when no table has the literal name.
 * Tables, views, materialized views and foreign tables only; NULL when
 * there is none. Each statement of a batch works it out again, so none
 * needs another's answer.
 */
#define PG_RELKINDS_FOUND "('r', 'p', 'v', 'm', 'f')"
#define PG_TABLE_OID                                                           \
    "(SELECT COALESCE((SELECT l.oid FROM pg_class l"                           \
    " WHERE l.relkind IN " PG_RELKINDS_FOUND " AND l.oid ="                    \
    " CASE WHEN $1::text IS NULL THEN to_regclass(quote_ident($2::text))"      \
    " ELSE to_regclass(quote_ident($1::text) || '.' || quote_ident($2::text))" \
    " END), (SELECT l.oid FROM pg_class l"                                     \
    " WHERE l.relkind IN " PG_RELKINDS_FOUND " AND $1::text IS NULL"           \
    " AND strpos($2::text, '.') > 0 AND l.oid = to_regclass("                  \
    "quote_ident(left($2::text, strpos($2::text, '.') - 1)) || '.' ||"         \
    " quote_ident(substr($2::text, strpos($2::text, '.') + 1))))))"

/* A table as pg_model_build reads it: oid, its schema, whether that is
 * current_schema(), its name, whether it is a view. */
#define PG_FOUND_SELECT                                                        \
    "SELECT c.oid, n.nspname, n.nspname = current_schema(), c.relname,"        \
    " c.relkind IN ('v', 'm')"                                                 \
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
static const char pg_found_sql[] =
    PG_FOUND_SELECT " WHERE c.oid = " PG_TABLE_OID;

static int pg_not_found(pg_conn *pgc, const char *schema, const char *table)
{
    return orm_conn_error(&pgc->base, ORM_ENOTFOUND, "no table \"%s%s%s\"",
                          schema ? schema : "", schema ? "." : "", table);
}

/*
 * Run `n` statements that take the same text parameters in one round
 * trip (a pipeline: each statement its Parse, Bind and Execute, one Sync
 * after the last) and keep their results, each of which must hold rows.
 */
static int pg_query_pipeline(pg_conn *pgc, const char *const *sqls, int n,
                             int nparams, const char *const *params,
                             PGresult **out)
{
    PGconn *pg = pgc->pg;
    Oid types[4] = {PG_OID_TEXT, PG_OID_TEXT, PG_OID_TEXT, PG_OID_TEXT};
    int rc = pg_ready(pgc, NULL), sent = 1, reset = 0;

    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (rc)
        return rc;
    if (nparams > 4)
        return orm_conn_error(&pgc->base, ORM_EINVALID, "%s",
                              "too many parameters for a catalog query");
    if ((rc = pg_pipeline_enter(pgc, &reset)))
        return rc;
    for (int i = 0; sent && i < n; i++)
        sent = PQsendQueryParams(pg, sqls[i], nparams, types, params, NULL,
                                 NULL, 0);
    if (!sent || !PQpipelineSync(pg) || PQflush(pg) != 0)
        return pg_lost(
            pgc, PQstatus(pg) == CONNECTION_BAD ? NULL : PQerrorMessage(pg));
    rc = pg_pipeline_skip_reset(pgc, reset);
    for (int i = 0; i < n; i++) {
        PGresult *res = PQgetResult(pg), *extra;
        if (res && PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res); /* cannot be: the server answers each one */
            res = NULL;
        }
        if (res)
            while ((extra = PQgetResult(pg)))
                PQclear(extra);
        if (rc == 0 && (!res || PQresultStatus(res) != PGRES_TUPLES_OK))
            rc = pg_result_error(pgc, res);
        if (rc == 0)
            out[i] = res;
        else
            PQclear(res);
    }
    /* The Sync's own result ends the pipeline. */
    PGresult *sync = PQgetResult(pg);
    while (sync && PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
        PQclear(sync);
        sync = PQgetResult(pg);
    }
    PQclear(sync);
    if (!PQexitPipelineMode(pg) && !rc)
        rc = pg_lost(pgc, PQerrorMessage(pg));
    if (rc)
        for (int i = 0; i < n; i++) {
            PQclear(out[i]);
            out[i] = NULL;
        }
    return rc;
}

/* orm_type (and length / precision) of a built-in type by OID; any
 * other type travels as text in the type's own syntax. */
static orm_type pg_type_map(Oid oid, int typmod, orm_column *col)
{
    switch (oid) {
    case PG_OID_INT2:
        return ORM_SMALLINT;
    case PG_OID_INT4:
        return ORM_INTEGER;
    case PG_OID_INT8:
        return ORM_BIGINT;
    case PG_OID_VARCHAR:
    case PG_OID_BPCHAR:
        col->length = typmod >= 4 ? typmod - 4 : 0;
        return ORM_STRING;
    case PG_OID_TEXT:
        return ORM_TEXT;
    case PG_OID_BOOL:
        return ORM_BOOLEAN;
    case PG_OID_FLOAT4:
        col->precision = 24; /* single precision: shown as a float4 */
        return ORM_FLOAT;
    case PG_OID_FLOAT8:
        return ORM_FLOAT;
    case PG_OID_NUMERIC:
        if (typmod >= 4) {
            col->precision = ((typmod - 4) >> 16) & 0xffff;
            col->scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
        }
        return ORM_NUMERIC;
    case PG_OID_DATE:
        return ORM_DATE;
    case PG_OID_TIME:
        return ORM_TIME;
    case PG_OID_TIMESTAMP:
        return ORM_DATETIME;
    case PG_OID_TIMESTAMPTZ:
        return ORM_DATETIMETZ;
    case PG_OID_BYTEA:
        return ORM_BLOB;
    case PG_OID_JSON:
    case PG_OID_JSONB:
        return ORM_JSON;
    case PG_OID_UUID:
        return ORM_UUID;
    default:
        return ORM_TEXT;
    }
}

static int pg_text_int(const char *text)
{
    int64_t v = 0;
    if (pg_parse_int(text, strlen(text), &v) || v < INT_MIN || v > INT_MAX)
        return 0;
    return (int)v;
}

/* Columns: name, type as written, base type OID (through domains),
 * typmod, not null, default expression (none for generated columns),
 * identity, generation expression, enum labels (joined by \x1f), and
 * whether the base type can be compared with = (a default btree
 * operator class: xml, point or json have none). */
#define PG_COLUMNS_SELECT                                                      \
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"                  \
    " bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod "    \
    "END,"                                                                     \
    " a.attnotnull, CASE WHEN a.attgenerated = '' THEN"                        \
    " pg_get_expr(d.adbin, d.adrelid) END, a.attidentity,"                     \
    " CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) "    \
    "END,"                                                                     \
    " (SELECT string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder)"      \
    " FROM pg_enum e WHERE e.enumtypid = bt.oid),"                             \
    " EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am"                       \
    " ON am.oid = oc.opcmethod WHERE am.amname = 'btree' AND oc.opcdefault"    \
    " AND oc.opcintype IN (bt.oid, CASE WHEN bt.typcategory = 'A'"             \
    " THEN 'anyarray'::regtype END, CASE WHEN bt.typtype = 'e'"                \
    " THEN 'anyenum'::regtype END, CASE WHEN bt.typtype = 'r'"                 \
    " THEN 'anyrange'::regtype END, CASE WHEN bt.typcategory = 'S'"            \
    " THEN 'text'::regtype END)),"                                             \
    " (SELECT co.collname FROM pg_collation co"                                \
    " WHERE co.oid = a.attcollation), a.attrelid"                              \
    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"                \
    " JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd'"                   \
    " THEN t.typbasetype ELSE a.atttypid END"                                  \
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid"                        \
    " AND d.adnum = a.attnum"                                                  \
    " WHERE a.attnum > 0 AND NOT a.attisdropped"
/* Column 11, the table's oid, groups reflect_all's rows by table. */
#define PG_COL_RELID 11
static const char pg_columns_sql[] =
    PG_COLUMNS_SELECT " AND a.attrelid = " PG_TABLE_OID " ORDER BY a.attnum";
#define PG_COLUMNS_ALL_SQL                                                     \
    PG_COLUMNS_SELECT " AND a.attrelid IN " PG_LISTED_OIDS                     \
                      " ORDER BY a.attrelid, a.attnum"

/* Keys, one row per column in key order: name, kind (p/u/f/i), column,
 * referenced column, referenced table, position, the table's oid, and the
 * referenced table's schema when that is not current_schema() (the name
 * the connection gives it, as a bare name means the current schema's
 * table whatever this table's schema). Unique indexes that back no
 * constraint count as unique constraints; other plain indexes are kind
 * i (a one-column one marks its column indexed, as on SQLite). */
#define PG_KEYS_SQL(RELIDS)                                                    \
    "SELECT con.conname::text, con.contype::text, a.attname::text,"            \
    " fa.attname::text,"                                                       \
    " fc.relname::text, k.ord, con.conrelid,"                                  \
    " CASE WHEN fn.nspname <> current_schema() THEN fn.nspname::text END"      \
    " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"          \
    " CROSS JOIN LATERAL unnest(con.conkey, con.confkey)"                      \
    " WITH ORDINALITY AS k(attnum, fattnum, ord)"                              \
    " JOIN pg_attribute a ON a.attrelid = con.conrelid"                        \
    " AND a.attnum = k.attnum"                                                 \
    " LEFT JOIN pg_attribute fa ON fa.attrelid = con.confrelid"                \
    " AND fa.attnum = k.fattnum"                                               \
    " LEFT JOIN pg_class fc ON fc.oid = con.confrelid"                         \
    " LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace"                   \
    " WHERE con.conrelid " RELIDS " AND con.contype IN ('p', 'u', 'f')"        \
    " UNION ALL"                                                               \
    " SELECT ic.relname::text, 'u', a.attname::text, NULL, NULL, k.ord,"       \
    " i.indrelid, NULL"                                                        \
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"               \
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY"             \
    " AS k(attnum, ord)"                                                       \
    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"  \
    " WHERE i.indrelid " RELIDS " AND i.indisunique AND NOT i.indisprimary"    \
    " AND i.indpred IS NULL AND i.indexprs IS NULL"                            \
    " AND k.ord <= i.indnkeyatts"                                              \
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint x"                           \
    " WHERE x.conindid = i.indexrelid)"                                        \
    " UNION ALL"                                                               \
    " SELECT ic.relname::text, 'i', a.attname::text, NULL, NULL, k.ord,"       \
    " i.indrelid, NULL"                                                        \
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"               \
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY"             \
    " AS k(attnum, ord)"                                                       \
    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"  \
    " WHERE i.indrelid " RELIDS " AND NOT i.indisunique"                       \
    " AND i.indpred IS NULL AND i.indexprs IS NULL"                            \
    " AND k.ord <= i.indnkeyatts"
/* Column 6, the table's oid, groups reflect_all's rows by table. */
#define PG_KEY_RELID 6
static const char pg_keys_sql[] =
    PG_KEYS_SQL("= " PG_TABLE_OID) " ORDER BY 2, 1, 6";
#define PG_KEYS_ALL_SQL PG_KEYS_SQL("IN " PG_LISTED_OIDS) " ORDER BY 7, 2, 1, 6"

/* End (exclusive) of the key group starting at row `start`, within rows
 * [start, limit). */
static int pg_key_group_end(const PGresult *keys, int start, int limit)
{
    int end = start + 1;
    while (end < limit &&
           !strcmp(PQgetvalue(keys, end, 0), PQgetvalue(keys, start, 0)) &&
           !strcmp(PQgetvalue(keys, end, 1), PQgetvalue(keys, start, 1)))
        end++;
    return end;
}

static int pg_column_find(const orm_column *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].name, name))
            return (int)i;
    return -1;
}

/* Why a view is read-only (each dialect says the same). */
#define PG_VIEW_READ_ONLY                                                      \
    "a view: it has no primary key to find a row by, so orb only reads it"

/* What a column carries beyond its type, owned until the model copies it. */
typedef struct pg_col_extra {
    char *read_only;
    char *labels; /* enum labels, split in place */
    const char **choices;
} pg_col_extra;

static void pg_col_extra_free(pg_col_extra *x)
{
    free(x->read_only);
    free(x->labels);
    free(x->choices);
}

/* Generated columns and types without = are read-only; enum labels are
 * the column's choices. */
static int pg_column_extras(orm_column *c, const PGresult *columns, int r,
                            pg_col_extra *x)
{
    orm_buf b = ORM_BUF_INIT;
    if (!PQgetisnull(columns, r, 7)) {
        orm_buf_appendf(&b, "generated by the database from %s",
                        PQgetvalue(columns, r, 7));
    } else if (c->type == ORM_TEXT && strcmp(PQgetvalue(columns, r, 9), "t")) {
        orm_buf_appendf(&b,
                        "type %s has no equality operator: orb could not "
                        "tell whether someone else changed it",
                        c->native_type);
    }
    if (b.len || b.failed) {
        if (!(x->read_only = orm_buf_finish(&b)))
            return ORM_ENOMEM;
        c->read_only = x->read_only;
    }
    if (!PQgetisnull(columns, r, 8)) {
        size_t n = 1;
        if (!(x->labels = orm_strdup(PQgetvalue(columns, r, 8))))
            return ORM_ENOMEM;
        for (const char *p = x->labels; *p; p++)
            n += *p == '\x1f';
        if (!(x->choices = orm_calloc(n, sizeof *x->choices)))
            return ORM_ENOMEM;
        char *p = x->labels;
        for (size_t k = 0; k < n; k++) {
            x->choices[k] = p;
            char *sep = strchr(p, '\x1f');
            if (sep) {
                *sep = '\0';
                p = sep + 1;
            }
        }
        c->choices = x->choices;
        c->nchoices = n;
    }
    return 0;
}

/* Rows [first, end) of a catalog result: one table's columns or keys. */
typedef struct pg_rows {
    const PGresult *res;
    int first, end;
} pg_rows;

/*
 * The model of one table: `found` row `frow` says which (oid, schema,
 * whether that is current_schema(), name, whether a view), `columns` and
 * `keys` hold its rows. The schema is set when `qualify` (the table lives
 * outside current_schema()).
 */
static int pg_model_build(pg_conn *pgc, const PGresult *found, int frow,
                          int qualify, pg_rows columns, pg_rows keys,
                          orm_model **out)
{
    orm_conn *conn = &pgc->base;
    const PGresult *cres = columns.res, *kres = keys.res;
    orm_column *cols = NULL;
    const char **names = NULL, **refs = NULL;
    char **parents = NULL; /* each key row's referenced table's name */
    pg_col_extra *extras = NULL;
    orm_model *model = NULL;
    size_t ncols = (size_t)(columns.end - columns.first);
    size_t nkeys = (size_t)(keys.end - keys.first);
    int rc = ORM_ENOMEM;

    *out = NULL;
    cols = orm_calloc(ncols ? ncols : 1, sizeof *cols);
    names = orm_calloc(nkeys ? nkeys : 1, sizeof *names);
    refs = orm_calloc(nkeys ? nkeys : 1, sizeof *refs);
    extras = orm_calloc(ncols ? ncols : 1, sizeof *extras);
    parents = orm_calloc(nkeys ? nkeys : 1, sizeof *parents);
    if (!cols || !names || !refs || !extras || !parents)
        goto done;
    for (size_t k = 0; k < nkeys; k++) {
        int r = keys.first + (int)k;
        if (PQgetisnull(kres, r, 4))
            continue;
        parents[k] = orm_name_join(
            PQgetisnull(kres, r, 7) ? NULL : PQgetvalue(kres, r, 7),
            PQgetvalue(kres, r, 4));
        if (!parents[k])
            goto done;
    }
    for (size_t i = 0; i < ncols; i++) {
        int r = columns.first + (int)i;
        orm_column *c = &cols[i];
        const char *def =
            PQgetisnull(cres, r, 5) ? NULL : PQgetvalue(cres, r, 5);
        Oid base = (Oid)pg_text_int(PQgetvalue(cres, r, 2));
        c->name = PQgetvalue(cres, r, 0);
        c->native_type = PQgetvalue(cres, r, 1);
        c->type = pg_type_map(base, pg_text_int(PQgetvalue(cres, r, 3)), c);
        if (!PQgetisnull(cres, r, 10))
            c->collation = PQgetvalue(cres, r, 10);
        if (!strcmp(PQgetvalue(cres, r, 4), "t"))
            c->flags |= ORM_NOT_NULL;
        /* Only identity and sequence defaults generate a key: an integer
         * key without one needs a value from the user. */
        if (PQgetvalue(cres, r, 6)[0] || (def && !strncmp(def, "nextval(", 8)))
            c->flags |= ORM_AUTOINC;
        else {
            c->flags |= ORM_NO_AUTOINC;
            c->server_default = def;
        }
        if ((rc = pg_column_extras(c, cres, r, &extras[i])))
            goto done;
    }
    /* Pass 1: flags and single-column references on the columns. */
    for (int g = keys.first, end; g < keys.end; g = end) {
        end = pg_key_group_end(kres, g, keys.end);
        char kind = PQgetvalue(kres, g, 1)[0];
        for (int r = g; r < end; r++) {
            int ci = pg_column_find(cols, ncols, PQgetvalue(kres, r, 2));
            if (ci < 0)
                continue;
            if (kind == 'p')
                cols[ci].flags |= ORM_PK | ORM_NOT_NULL;
            else if (kind == 'u' && end - g == 1)
                cols[ci].flags |= ORM_UNIQUE;
            else if (kind == 'i' && end - g == 1)
                cols[ci].flags |= ORM_INDEX;
            else if (kind == 'f' && end - g == 1 && !cols[ci].ref_table) {
                cols[ci].ref_table = parents[r - keys.first];
                cols[ci].ref_column = PQgetvalue(kres, r, 3);
            }
        }
    }
    const char *relname = PQgetvalue(found, frow, 3);
    if ((rc = orm_model_new(&model, relname, relname)))
        goto done;
    if (qualify)
        if ((rc = orm_model_set_schema(model, PQgetvalue(found, frow, 1))))
            goto done;
    if (!strcmp(PQgetvalue(found, frow, 4), "t")) {
        model->is_view = 1;
        if ((rc = orm_model_set_read_only(model, PG_VIEW_READ_ONLY)))
            goto done;
    }
    for (size_t i = 0; i < ncols; i++)
        if ((rc = orm_model_add_column(model, &cols[i])))
            goto done;
    /* Pass 2: every foreign key, multi-column unique constraints. */
    for (int g = keys.first, end; g < keys.end; g = end) {
        end = pg_key_group_end(kres, g, keys.end);
        char kind = PQgetvalue(kres, g, 1)[0];
        size_t n = (size_t)(end - g);
        for (size_t k = 0; k < n; k++) {
            names[k] = PQgetvalue(kres, g + (int)k, 2);
            refs[k] = PQgetvalue(kres, g + (int)k, 3);
        }
        if (kind == 'f')
            rc =
                orm_model_add_foreign_key(model, PQgetvalue(kres, g, 0), n,
                                          names, parents[g - keys.first], refs);
        else if (kind == 'u' && n > 1)
            rc = orm_model_add_unique(model, PQgetvalue(kres, g, 0), n, names);
        if (rc)
            goto done;
    }
    *out = model;
    model = NULL;
    rc = 0;
done:
    if (rc == ORM_ENOMEM)
        orm_conn_error(conn, rc, "%s", "out of memory");
    orm_model_free(model);
    free(cols);
    free(names);
    free(refs);
    for (size_t k = 0; parents && k < nkeys; k++)
        free(parents[k]);
    free(parents);
    for (size_t i = 0; extras && i < ncols; i++)
        pg_col_extra_free(&extras[i]);
    free(extras);
    return rc;
}

/*
 * One table's model in one round trip: the table, its columns and its
 * keys, three statements sent at once (each finds the table by name).
 * The schema is set when the table lives outside current_schema(), even
 * when asked for by the name of the current one (driver.h). A table found
 * without columns may have been dropped between the statements: it is read
 * again once, and then is either gone (ORM_ENOTFOUND) or really has none
 * (PostgreSQL allows that).
 */
static int pg_reflect_one(pg_conn *pgc, const char *schema, const char *table,
                          orm_model **out)
{
    static const char *const sqls[3] = {pg_found_sql, pg_columns_sql,
                                        pg_keys_sql};
    const char *params[2] = {schema, table};
    PGresult *res[3] = {NULL, NULL, NULL};
    int rc;

    *out = NULL;
    for (int attempt = 0;; attempt++) {
        if ((rc = pg_query_pipeline(pgc, sqls, 3, 2, params, res)))
            return rc;
        if (PQntuples(res[0]) == 0) {
            rc = pg_not_found(pgc, schema, table);
            goto done;
        }
        if (PQntuples(res[1]) > 0 || attempt == 1)
            break;
        for (int i = 0; i < 3; i++)
            PQclear(res[i]);
    }
    pg_rows c = {res[1], 0, PQntuples(res[1])};
    pg_rows k = {res[2], 0, PQntuples(res[2])};
    rc = pg_model_build(pgc, res[0], 0, strcmp(PQgetvalue(res[0], 0, 2), "t"),
                        c, k, out);
done:
    for (int i = 0; i < 3; i++)
        PQclear(res[i]);
    return rc;
}

int pg_reflect_table(orm_conn *conn, const char *schema, const char *table,
                     orm_model **out)
{
    return pg_reflect_one((pg_conn *)conn, schema, table, out);
}

/* The rows of `res` whose column `col` is `oid` (results come grouped by
 * table oid). */
static pg_rows pg_rows_of(const PGresult *res, int col, const char *oid)
{
    pg_rows r = {res, 0, 0};
    int n = PQntuples(res);
    while (r.first < n && strcmp(PQgetvalue(res, r.first, col), oid))
        r.first++;
    r.end = r.first;
    while (r.end < n && !strcmp(PQgetvalue(res, r.end, col), oid))
        r.end++;
    return r;
}

/* Send `sql` (statements without parameters) in one round trip and keep
 * its `n` results, each of which must hold rows. */
static int pg_query_batch(pg_conn *pgc, const char *sql, PGresult **out, int n)
{
    int rc = pg_ready(pgc, NULL), got = 0;
    PGresult *res;

    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (rc)
        return rc;
    if (!PQsendQuery(pgc->pg, sql))
        return pg_result_error(pgc, NULL);
    while ((res = PQgetResult(pgc->pg))) {
        if (rc == 0 && PQresultStatus(res) != PGRES_TUPLES_OK)
            rc = pg_result_error(pgc, res);
        if (rc == 0 && got < n)
            out[got++] = res;
        else
            PQclear(res);
    }
    if (rc == 0 && got < n)
        rc = pg_result_error(pgc, NULL);
    if (rc)
        for (int i = 0; i < n; i++) {
            PQclear(out[i]);
            out[i] = NULL;
        }
    return rc;
}

/* Every listed table in one round trip: the tables (as PG_FOUND_SELECT
 * describes one, in list_tables' order), then every column and every key
 * of them, three statements sent at once. A table listed without columns
 * may have been dropped before the columns were read: it is read again on
 * its own, and left out when it is gone. */
int pg_reflect_all(orm_conn *conn, orm_model ***out, size_t *count)
{
    static const char sql[] =
        "SELECT * FROM (SELECT c.oid, n.nspname,"
        " n.nspname = current_schema(), c.relname, c.relkind IN ('v', 'm'),"
        " " PG_LISTED_NAME " AS name" PG_LISTED_FROM ") t"
        " ORDER BY name COLLATE \"C\"; " PG_COLUMNS_ALL_SQL
        "; " PG_KEYS_ALL_SQL;
    pg_conn *pgc = (pg_conn *)conn;
    PGresult *res[3] = {NULL, NULL, NULL};
    orm_model **models = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pg_query_batch(pgc, sql, res, 3)))
        return rc;
    size_t ntables = (size_t)PQntuples(res[0]);
    if (!(models = orm_calloc(ntables ? ntables : 1, sizeof *models))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
        goto done;
    }
    for (size_t t = 0; t < ntables; t++) {
        const char *oid = PQgetvalue(res[0], (int)t, 0);
        pg_rows c = pg_rows_of(res[1], PG_COL_RELID, oid);
        pg_rows k = pg_rows_of(res[2], PG_KEY_RELID, oid);
        if (c.first == c.end) {
            rc = pg_reflect_one(pgc, PQgetvalue(res[0], (int)t, 1),
                                PQgetvalue(res[0], (int)t, 3), &models[n]);
            if (rc == ORM_ENOTFOUND) {
                orm_error_clear(&conn->err);
                rc = 0;
                continue;
            }
        } else {
            rc = pg_model_build(pgc, res[0], (int)t,
                                strcmp(PQgetvalue(res[0], (int)t, 2), "t"), c,
                                k, &models[n]);
        }
        if (rc)
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
    for (int i = 0; i < 3; i++)
        PQclear(res[i]);
    return rc;
}

int pg_estimate_count(orm_conn *conn, const char *schema, const char *table,
                      int64_t *out)
{
    static const char sql[] = "SELECT c.reltuples::float8 FROM pg_class c "
                              "WHERE c.oid = " PG_TABLE_OID;
    pg_conn *pgc = (pg_conn *)conn;
    const char *params[2] = {schema, table};
    PGresult *res = NULL;
    int rc;

    *out = 0;
    if ((rc = pg_query(pgc, sql, 2, params, &res)))
        goto done;
    if (PQntuples(res) == 0) {
        rc = pg_not_found(pgc, schema, table);
        goto done;
    }
    double tuples = -1;
    const char *text = PQgetvalue(res, 0, 0);
    if (orm_double_parse(&tuples, text, strlen(text)))
        tuples = -1;
    if (tuples < 0) {
        rc = orm_conn_error(conn, ORM_EUNSUPPORTED,
                            "no estimate for \"%s\": never analyzed", table);
        goto done;
    }
    *out = (int64_t)(tuples + 0.5);
done:
    PQclear(res);
    return rc;
}

/* One element of a text[] literal: NULL, or the text double-quoted. */
static void pg_array_element(orm_buf *b, const char *text)
{
    if (!text) {
        orm_buf_append(b, "NULL");
        return;
    }
    orm_buf_appendc(b, '"');
    for (; *text; text++) {
        if (*text == '"' || *text == '\\')
            orm_buf_appendc(b, '\\');
        orm_buf_appendc(b, *text);
    }
    orm_buf_appendc(b, '"');
}

int pg_estimate_counts(orm_conn *conn, const char *const *schemas,
                       const char *const *tables, size_t n, int64_t *out)
{
    /* The names go as two arrays; each finds its table as
     * pg_table_lookup does, in the order given. */
    static const char sql[] =
        "SELECT c.reltuples::float8 FROM unnest($1::text[], $2::text[])"
        " WITH ORDINALITY AS t(s, n, i) LEFT JOIN pg_class c ON c.oid ="
        " CASE WHEN t.s IS NULL THEN to_regclass(quote_ident(t.n))"
        " ELSE to_regclass(quote_ident(t.s) || '.' || quote_ident(t.n)) END"
        " ORDER BY t.i";
    orm_buf s = ORM_BUF_INIT, t = ORM_BUF_INIT;
    PGresult *res = NULL;
    int rc;

    orm_buf_appendc(&s, '{');
    orm_buf_appendc(&t, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            orm_buf_appendc(&s, ',');
            orm_buf_appendc(&t, ',');
        }
        pg_array_element(&s, schemas[i]);
        pg_array_element(&t, tables[i]);
    }
    orm_buf_appendc(&s, '}');
    orm_buf_appendc(&t, '}');
    const char *params[2] = {orm_buf_str(&s), orm_buf_str(&t)};
    if (!params[0] || !params[1]) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "%s", "out of memory");
        goto done;
    }
    if ((rc = pg_query((pg_conn *)conn, sql, 2, params, &res)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        double tuples = -1;
        if ((int)i < PQntuples(res) && !PQgetisnull(res, (int)i, 0)) {
            const char *text = PQgetvalue(res, (int)i, 0);
            if (orm_double_parse(&tuples, text, strlen(text)))
                tuples = -1;
        }
        out[i] = tuples < 0 ? -1 : (int64_t)(tuples + 0.5);
    }
done:
    PQclear(res);
    orm_buf_free(&s);
    orm_buf_free(&t);
    return rc;
}

/* Text for the filters' rules: a column of a collatable type (text,
 * varchar, char; reflection names its collation), or of a model orb was
 * given (no native type). inet, enums and the like compare natively. */
int pg_text_column(const orm_column *col, orm_buf *before, orm_buf *after)
{
    (void)before;
    (void)after;
    return !col->native_type || col->collation;
}

/* The columns of constraint or index `name` of `table` in key order (a
 * check constraint's conkey lists the columns its expression uses): a
 * check violation names only the constraint. One row with a NULL column
 * when the table has no such constraint, none when there is no table. */
int pg_constraint_columns(orm_conn *conn, const char *schema, const char *table,
                          const char *name, char ***out, size_t *count)
{
    static const char sql[] =
        "SELECT s.attname FROM (SELECT " PG_TABLE_OID " AS oid) t"
        " LEFT JOIN LATERAL ("
        "SELECT 0 AS src, k.ord, a.attname FROM pg_constraint con"
        " CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY"
        " AS k(attnum, ord)"
        " JOIN pg_attribute a ON a.attrelid = con.conrelid"
        " AND a.attnum = k.attnum"
        " WHERE con.conrelid = t.oid AND con.conname = $3::text"
        " UNION ALL "
        "SELECT 1, k.ord, a.attname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY"
        " AS k(attnum, ord)"
        " JOIN pg_attribute a ON a.attrelid = x.indrelid"
        " AND a.attnum = k.attnum"
        " WHERE x.indrelid = t.oid AND i.relname = $3::text"
        ") s ON true WHERE t.oid IS NOT NULL ORDER BY s.src, s.ord";
    pg_conn *pgc = (pg_conn *)conn;
    const char *params[3] = {schema, table, name};
    PGresult *res = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pg_query(pgc, sql, 3, params, &res)))
        goto done;
    int n = PQntuples(res);
    if (n == 0) {
        rc = pg_not_found(pgc, schema, table);
        goto done;
    }
    if (PQgetisnull(res, 0, 0)) {
        rc = orm_conn_error(conn, ORM_ENOTFOUND,
                            "no constraint \"%s\" on \"%s\"", name, table);
        goto done;
    }
    if (!(*out = orm_calloc((size_t)n, sizeof **out))) {
        rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (!((*out)[i] = orm_strdup(PQgetvalue(res, i, 0)))) {
            for (int k = 0; k < i; k++)
                free((*out)[k]);
            free(*out);
            *out = NULL;
            rc = orm_conn_error(conn, ORM_ENOMEM, "out of memory");
            goto done;
        }
    }
    *count = (size_t)n;
done:
    PQclear(res);
    return rc;
}
