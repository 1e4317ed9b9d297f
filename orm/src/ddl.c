/*
 * DDL: CREATE TABLE / CREATE INDEX / DROP TABLE for models, in each
 * dialect's words (types and autoincrement come from the driver table),
 * and create_all / drop_all in foreign-key order.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "orm/sys/number.h"
#include "util.h"
#include "alloc.h"

/* Identifier length limit shared by PostgreSQL (63) and MySQL (64). */
#define DDL_NAME_MAX 63

static void constraint_name(sql_builder *sb, const char *prefix,
                            const orm_model *m, const char *const *cols,
                            size_t ncols)
{
    orm_buf name = ORM_BUF_INIT;
    orm_buf_append(&name, prefix);
    orm_buf_append(&name, m->table);
    for (size_t i = 0; i < ncols; i++) {
        orm_buf_appendc(&name, '_');
        orm_buf_append(&name, cols[i]);
    }
    const char *text = orm_buf_str(&name);
    if (!text) {
        sb->failed = 1;
        return;
    }
    if (name.len > DDL_NAME_MAX)
        name.data[DDL_NAME_MAX] = '\0';
    sql_ident(sb, name.data);
    orm_buf_free(&name);
}

static int is_number(const char *s)
{
    double d;
    return orm_double_parse(&d, s, strlen(s)) == 0 && isfinite(d);
}

/* server_default is schema text; emit only what is safe as SQL (numbers,
 * quoted literals, a few well-known functions) and quote anything else as
 * a string literal. */
static void server_default(sql_builder *sb, const char *text)
{
    static const char *const keywords[] = {"CURRENT_TIMESTAMP",
                                           "CURRENT_DATE",
                                           "CURRENT_TIME",
                                           "TRUE",
                                           "FALSE",
                                           "NULL"};
    size_t n = strlen(text);
    if (is_number(text)) {
        sql_raw(sb, text);
        return;
    }
    for (size_t i = 0; i < ORM_ARRAY_LEN(keywords); i++) {
        if (strcasecmp(text, keywords[i]) == 0) {
            sql_raw(sb, keywords[i]);
            return;
        }
    }
    if (n >= 2 && text[0] == '\'' && text[n - 1] == '\'') {
        /* Already a literal: re-quote its content to be sure. */
        orm_buf inner = ORM_BUF_INIT;
        for (size_t i = 1; i + 1 < n; i++) {
            if (text[i] == '\'' && text[i + 1] == '\'')
                i++;
            orm_buf_appendc(&inner, text[i]);
        }
        const char *s = orm_buf_str(&inner);
        if (s)
            sql_string_literal(sb, s);
        else
            sb->failed = 1;
        orm_buf_free(&inner);
        return;
    }
    sql_string_literal(sb, text);
}

static char *stmt_text(sql_builder *sb)
{
    if (!sql_ok(sb))
        return NULL;
    return orm_buf_finish(&sb->text);
}

void ddl_free_stmts(char **stmts, size_t count)
{
    if (!stmts)
        return;
    for (size_t i = 0; i < count; i++)
        free(stmts[i]);
    free(stmts);
}

/* A foreign key's referenced table as named (orm_name_split): "table"
 * or "schema"."table". */
static void references_table(sql_builder *sb, const char *name)
{
    char *schema = NULL, *table = NULL;
    if (orm_name_split(name, &schema, &table) != 0) {
        sb->text.failed = 1;
        return;
    }
    if (schema) {
        sql_ident(sb, schema);
        sql_raw(sb, ".");
    }
    sql_ident(sb, table);
    free(schema);
    free(table);
}

/*
 * The referenced columns of a foreign key: as declared, else the
 * referenced model's primary key (NULL ref columns mean "its key", as in
 * SQL), else no list at all (SQLite and PostgreSQL then use the key; a
 * dialect that needs the list reports the error).
 */
static void references_list(sql_builder *sb, orm_db *db, const char *table,
                            const char *const *ref_columns, size_t n)
{
    const orm_model *target = orm_db_find_table(db, table);
    int pk[ORM_MAX_KEY];
    size_t npk = target ? orm_model_pk(target, pk, ORM_MAX_KEY) : 0;
    if (!ref_columns && npk != n)
        return;
    sql_raw(sb, " (");
    for (size_t j = 0; j < n; j++) {
        if (j)
            sql_raw(sb, ", ");
        sql_ident(sb,
                  ref_columns ? ref_columns[j] : target->columns[pk[j]].name);
    }
    sql_raw(sb, ")");
}

int ddl_create_table_sql(orm_db *db, const orm_model *m, char ***out,
                         size_t *count)
{
    const orm_driver *drv = db->driver;
    size_t nidx = 0;
    for (size_t i = 0; i < m->ncolumns; i++)
        if ((m->columns[i].flags & ORM_INDEX) &&
            !(m->columns[i].flags & (ORM_UNIQUE | ORM_PK)))
            nidx++;
    char **stmts = orm_calloc(1 + nidx, sizeof *stmts);
    size_t n = 0;
    sql_builder sb;
    if (!stmts)
        return ORM_ENOMEM;
    sql_init(&sb, drv);
    sql_raw(&sb, "CREATE TABLE ");
    sql_table(&sb, m);
    sql_raw(&sb, " (\n");
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        int autoinc = orm_column_is_autoinc(m, c);
        sql_raw(&sb, i ? ",\n    " : "    ");
        sql_ident(&sb, c->name);
        sql_raw(&sb, " ");
        drv->column_type_sql(&sb.text, c, autoinc);
        if (!orm_column_nullable(c))
            sql_raw(&sb, " NOT NULL");
        if (c->server_default && !autoinc) {
            sql_raw(&sb, " DEFAULT ");
            server_default(&sb, c->server_default);
        }
    }
    if (npk) {
        sql_raw(&sb, ",\n    PRIMARY KEY (");
        for (size_t i = 0; i < npk && i < ORM_MAX_KEY; i++) {
            if (i)
                sql_raw(&sb, ", ");
            sql_ident(&sb, m->columns[pk[i]].name);
        }
        sql_raw(&sb, ")");
    }
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        if (!(c->flags & ORM_UNIQUE) || ((c->flags & ORM_PK) && npk == 1))
            continue;
        sql_raw(&sb, ",\n    CONSTRAINT ");
        constraint_name(&sb, "uq_", m, &c->name, 1);
        sql_raw(&sb, " UNIQUE (");
        sql_ident(&sb, c->name);
        sql_raw(&sb, ")");
    }
    for (size_t i = 0; i < m->nuniques; i++) {
        const orm_unique *u = &m->uniques[i];
        sql_raw(&sb, ",\n    CONSTRAINT ");
        if (u->name)
            sql_ident(&sb, u->name);
        else
            constraint_name(&sb, "uq_", m, u->columns, u->ncolumns);
        sql_raw(&sb, " UNIQUE (");
        for (size_t j = 0; j < u->ncolumns; j++) {
            if (j)
                sql_raw(&sb, ", ");
            sql_ident(&sb, u->columns[j]);
        }
        sql_raw(&sb, ")");
    }
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        if (!c->ref_table)
            continue;
        sql_raw(&sb, ",\n    CONSTRAINT ");
        constraint_name(&sb, "fk_", m, &c->name, 1);
        sql_raw(&sb, " FOREIGN KEY (");
        sql_ident(&sb, c->name);
        sql_raw(&sb, ") REFERENCES ");
        references_table(&sb, c->ref_table);
        references_list(&sb, db, c->ref_table,
                        c->ref_column ? &c->ref_column : NULL, 1);
    }
    for (size_t i = 0; i < m->nforeign_keys; i++) {
        const orm_foreign_key *fk = &m->foreign_keys[i];
        sql_raw(&sb, ",\n    CONSTRAINT ");
        if (fk->name)
            sql_ident(&sb, fk->name);
        else
            constraint_name(&sb, "fk_", m, fk->columns, fk->ncolumns);
        sql_raw(&sb, " FOREIGN KEY (");
        for (size_t j = 0; j < fk->ncolumns; j++) {
            if (j)
                sql_raw(&sb, ", ");
            sql_ident(&sb, fk->columns[j]);
        }
        sql_raw(&sb, ") REFERENCES ");
        references_table(&sb, fk->ref_table);
        references_list(&sb, db, fk->ref_table, fk->ref_columns, fk->ncolumns);
    }
    sql_raw(&sb, "\n)");
    sql_raw(&sb, drv->table_options ? drv->table_options : "");
    if (!(stmts[n++] = stmt_text(&sb)))
        goto nomem;
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *c = &m->columns[i];
        if (!(c->flags & ORM_INDEX) || (c->flags & (ORM_UNIQUE | ORM_PK)))
            continue;
        sql_free(&sb);
        sql_init(&sb, drv);
        sql_raw(&sb, "CREATE INDEX ");
        constraint_name(&sb, "ix_", m, &c->name, 1);
        sql_raw(&sb, " ON ");
        sql_table(&sb, m);
        sql_raw(&sb, " (");
        sql_ident(&sb, c->name);
        sql_raw(&sb, ")");
        if (!(stmts[n++] = stmt_text(&sb)))
            goto nomem;
    }
    sql_free(&sb);
    *out = stmts;
    *count = n;
    return 0;
nomem:
    sql_free(&sb);
    ddl_free_stmts(stmts, n);
    return orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
}

int orm_db_create_sql(orm_db *db, const orm_model *model, char **out)
{
    char **stmts = NULL;
    size_t n = 0;
    int rc = ddl_create_table_sql(db, model, &stmts, &n);
    if (rc)
        return rc;
    orm_buf b = ORM_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        orm_buf_append(&b, stmts[i]);
        orm_buf_append(&b, ";\n");
    }
    ddl_free_stmts(stmts, n);
    *out = orm_buf_finish(&b);
    return *out ? 0 : orm_error_set(&db->err, ORM_ENOMEM, "out of memory");
}

int orm_db_create_table(orm_db *db, const orm_model *model)
{
    char **stmts = NULL;
    size_t n = 0;
    int exists = 0;
    char *qualified = NULL;
    int rc;
    if (orm_db_read_only_reason(db))
        return orm_error_set(&db->err, ORM_EREADONLY,
                             "cannot create table %s: read-only (%s)",
                             model->table, orm_db_read_only_reason(db));
    if (orm_db_read_only(db))
        return orm_error_set(&db->err, ORM_EREADONLY,
                             "cannot create table %s: database opened "
                             "read-only",
                             model->table);
    if (model->schema) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b, "%s.%s", model->schema, model->table);
        if (!(qualified = orm_buf_finish(&b)))
            return ORM_ENOMEM;
    }
    rc = orm_db_table_exists(db, qualified ? qualified : model->table, &exists);
    free(qualified);
    if (rc || exists)
        return rc;
    rc = ddl_create_table_sql(db, model, &stmts, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = db_exec(db, stmts[i]);
    ddl_free_stmts(stmts, n);
    return rc;
}

int orm_db_drop_table(orm_db *db, const orm_model *model)
{
    sql_builder sb;
    if (model->is_view)
        return orm_error_set(&db->err, ORM_EINVALID,
                             "%s is a view, not a table: orb does not drop it",
                             model->table);
    sql_init(&sb, db->driver);
    sql_raw(&sb, "DROP TABLE IF EXISTS ");
    sql_table(&sb, model);
    int rc = sql_ok(&sb) ? db_exec(db, orm_buf_str(&sb.text)) : ORM_ENOMEM;
    sql_free(&sb);
    return rc;
}

/* Models in dependency order (parents first); cycles keep declared
 * order. `order` receives db->nmodels indexes. */
static int dependency_order(orm_db *db, size_t *order)
{
    size_t n = db->nmodels, done = 0;
    unsigned char *placed = orm_calloc(n ? n : 1, 1);
    if (!placed)
        return ORM_ENOMEM;
    while (done < n) {
        int progress = 0;
        for (size_t i = 0; i < n; i++) {
            if (placed[i])
                continue;
            int ready = 1;
            for (size_t j = 0; j < n && ready; j++)
                if (!placed[j] && j != i &&
                    model_refers_to(db->models[i], db->models[j]))
                    ready = 0;
            if (ready) {
                placed[i] = 1;
                order[done++] = i;
                progress = 1;
            }
        }
        if (!progress) /* a cycle: take the first remaining */
            for (size_t i = 0; i < n; i++)
                if (!placed[i]) {
                    placed[i] = 1;
                    order[done++] = i;
                    break;
                }
    }
    free(placed);
    return 0;
}

int orm_db_create_all(orm_db *db)
{
    size_t *order = orm_calloc(db->nmodels ? db->nmodels : 1, sizeof *order);
    int rc = order ? dependency_order(db, order) : ORM_ENOMEM;
    for (size_t i = 0; rc == 0 && i < db->nmodels; i++)
        rc = orm_db_create_table(db, db->models[order[i]]);
    free(order);
    return rc;
}

int orm_db_drop_all(orm_db *db)
{
    size_t *order = orm_calloc(db->nmodels ? db->nmodels : 1, sizeof *order);
    int rc = order ? dependency_order(db, order) : ORM_ENOMEM;
    for (size_t i = db->nmodels; rc == 0 && i > 0; i--)
        if (!db->models[order[i - 1]]->is_view) /* reflected views stay */
            rc = orm_db_drop_table(db, db->models[order[i - 1]]);
    free(order);
    return rc;
}
