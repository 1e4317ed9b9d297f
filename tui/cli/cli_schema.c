/*
 * The command line (cli.c): `models` (every model and table with its row
 * count) and `schema MODEL` (columns: type, key, nullable, default,
 * references).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_msg.h"
#include "mem.h"

/* ---- models, schema ---- */

int cli_models(cli *c)
{
    grid g;
    int status = 0;
    if (cli_grid_init(&g, 4))
        return tui_cli_fail(c->err, "out of memory");
    g.right[2] = g.right[3] = 1;
    char *header[4] = {orm_strdup("model"), orm_strdup("table"),
                       orm_strdup("columns"), orm_strdup("rows")};
    cli_grid_add(&g, header);
    /* Every count at once; when that fails, one at a time, so the table
     * that fails is named. */
    size_t nmodels = orm_db_model_count(c->db);
    const orm_model **models = tui_calloc(nmodels + 1, sizeof *models);
    int64_t *counts = tui_calloc(nmodels + 1, sizeof *counts);
    int *exacts = tui_calloc(nmodels + 1, sizeof *exacts);
    int all = models && counts && exacts;
    for (size_t i = 0; all && i < nmodels; i++)
        models[i] = orm_db_model_at(c->db, i);
    all = all && orm_db_count_many(c->db, models, nmodels, counts, exacts) == 0;
    for (size_t i = 0; i < nmodels; i++) {
        const orm_model *m = orm_db_model_at(c->db, i);
        int64_t count = all ? counts[i] : 0;
        int exact = all ? exacts[i] : 1;
        char *rows;
        if (!all && orm_db_count(c->db, m, 1, &count, &exact) != 0) {
            rows = orm_strdup("?");
            status = tui_cli_fail(c->err, "%s: %s", m->table,
                                  orm_error_text(orm_db_error(c->db)));
        } else if (count < 0) {
            /* Dropped since it was listed (or never created): the
             * others are counted all the same. */
            rows = orm_strdup("no table");
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "%s%lld", exact ? "" : "~",
                     (long long)count);
            rows = orm_strdup(buf);
        }
        orm_buf table = ORM_BUF_INIT;
        if (m->schema)
            orm_buf_appendf(&table, "%s.", m->schema);
        orm_buf_append(&table, m->table);
        if (m->is_view)
            orm_buf_append(&table, " (view)");
        char *row[4] = {orm_strdup(m->name), orm_buf_finish(&table),
                        cli_text_of_int((int64_t)m->ncolumns), rows};
        cli_grid_add(&g, row);
    }
    free(models);
    free(counts);
    free(exacts);
    if (g.failed)
        status = tui_cli_fail(c->err, "out of memory");
    else
        cli_grid_print(&g, c->out, 1);
    cli_grid_free(&g);
    return status;
}

static char *type_text(const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, orm_type_name(col->type));
    if (col->type == ORM_STRING && col->length > 0)
        orm_buf_appendf(&b, "(%d)", col->length);
    else if (col->type == ORM_NUMERIC && col->precision > 0)
        orm_buf_appendf(&b, "(%d,%d)", col->precision, col->scale);
    return orm_buf_finish(&b);
}

static char *default_text(const orm_column *col)
{
    if (col->default_gen)
        return orm_strdup(col->default_gen);
    if (col->default_value)
        return orm_strdup(col->default_value);
    if (col->server_default) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_appendf(&b, "server: %s", col->server_default);
        return orm_buf_finish(&b);
    }
    return orm_strdup("");
}

static char *notes_text(const orm_model *m, const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    const char *sep = "";
    if (orm_column_is_autoinc(m, col)) {
        orm_buf_append(&b, "autoincrement");
        sep = ", ";
    }
    if (col->flags & ORM_SECRET) {
        orm_buf_appendf(&b, "%ssecret", sep);
        sep = ", ";
    }
    if (col->flags & ORM_INDEX) {
        orm_buf_appendf(&b, "%sindex", sep);
        sep = ", ";
    }
    if (m->version_column && strcmp(m->version_column, col->name) == 0) {
        orm_buf_appendf(&b, "%sversion", sep);
        sep = ", ";
    }
    if (col->nchoices) {
        orm_buf_appendf(&b, "%s%s ", sep,
                        col->flags & ORM_CHOICE_SET ? "set of" : "one of");
        for (size_t i = 0; i < col->nchoices; i++)
            orm_buf_appendf(&b, "%s'%s'", i ? ", " : "", col->choices[i]);
        sep = ", ";
    }
    if (col->read_only)
        orm_buf_appendf(&b, "%sread-only: %s", sep, col->read_only);
    orm_buf_append(&b, "");
    return orm_buf_finish(&b);
}

static void append_names(orm_buf *b, const char *const *names, size_t n)
{
    orm_buf_appendc(b, '(');
    for (size_t i = 0; i < n; i++)
        orm_buf_appendf(b, "%s%s", i ? ", " : "", names[i]);
    orm_buf_appendc(b, ')');
}

int cli_schema(cli *c)
{
    static const char *const heads[] = {"column",     "type",     "key",
                                        "unique",     "nullable", "default",
                                        "references", "notes"};
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    grid g;
    if (!m)
        return 1;
    if (cli_grid_init(&g, 8))
        return tui_cli_fail(c->err, "out of memory");
    char *header[8];
    for (size_t i = 0; i < 8; i++)
        header[i] = orm_strdup(heads[i]);
    cli_grid_add(&g, header);
    for (size_t i = 0; i < m->ncolumns; i++) {
        const orm_column *col = &m->columns[i];
        orm_buf ref = ORM_BUF_INIT;
        if (col->ref_table) /* no column: the referenced primary key */
            orm_buf_appendf(&ref, "%s%s%s", col->ref_table,
                            col->ref_column ? "." : "",
                            col->ref_column ? col->ref_column : "");
        orm_buf_append(&ref, "");
        char *row[8] = {orm_strdup(col->name),
                        type_text(col),
                        orm_strdup(col->flags & ORM_PK ? "PK" : ""),
                        orm_strdup(col->flags & ORM_UNIQUE ? "yes" : "no"),
                        orm_strdup(orm_column_nullable(col) ? "yes" : "no"),
                        default_text(col),
                        orm_buf_finish(&ref),
                        notes_text(m, col)};
        cli_grid_add(&g, row);
    }
    if (g.failed) {
        cli_grid_free(&g);
        return tui_cli_fail(c->err, "out of memory");
    }
    cli_grid_print(&g, c->out, 1);
    cli_grid_free(&g);
    if (m->read_only)
        fprintf(c->out, "read-only: %s is %s\n", m->table, m->read_only);
    for (size_t i = 0; i < m->nuniques; i++) {
        orm_buf b = ORM_BUF_INIT;
        orm_buf_append(&b, "unique ");
        append_names(&b, m->uniques[i].columns, m->uniques[i].ncolumns);
        fprintf(c->out, "%s\n", orm_buf_str(&b) ? orm_buf_str(&b) : "");
        orm_buf_free(&b);
    }
    for (size_t i = 0; i < m->nforeign_keys; i++) {
        const orm_foreign_key *fk = &m->foreign_keys[i];
        orm_buf b = ORM_BUF_INIT;
        orm_buf_append(&b, "foreign key ");
        append_names(&b, fk->columns, fk->ncolumns);
        orm_buf_appendf(&b, " references %s ", fk->ref_table);
        append_names(&b, fk->ref_columns, fk->ncolumns);
        fprintf(c->out, "%s\n", orm_buf_str(&b) ? orm_buf_str(&b) : "");
        orm_buf_free(&b);
    }
    return 0;
}
