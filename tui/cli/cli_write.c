/*
 * The command line (cli.c): `add`, `set` (one row with --expect guards,
 * or every row --where matches in one UPDATE, checked by --expect-count),
 * `delete` (all in one transaction) and `create-all`.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_msg.h"
#include "mem.h"

/* ---- add, set, delete ---- */

int cli_add(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    if (!m)
        return 1;
    if ((status = cli_refuse_read_only(c, m, "add to")) != 0 ||
        (status = cli_ensure_session(c)) != 0)
        return status;
    if (orm_record_new(&rec, m) != 0)
        return tui_cli_fail(c->err, "out of memory");
    status = cli_set_assignments(c, rec, c->a.pos + 1, c->a.npos - 1);
    if (status) {
        orm_record_free(rec);
        return status;
    }
    if (orm_session_add(c->s, rec) != 0) {
        orm_record_free(rec);
        return cli_fail_error(c, orm_session_error(c->s));
    }
    if ((status = cli_commit(c)) != 0)
        return status;
    int pk[CLI_MAX_KEY];
    if (orm_model_pk(m, pk, CLI_MAX_KEY) > 0) {
        char *key = cli_key_text(rec);
        if (!key)
            return tui_cli_fail(c->err, "out of memory");
        fprintf(c->out, "%s\n", key);
        free(key);
    }
    return 0;
}

/* How a value reads in a message: "text" quoted, others bare. Owned. */
static char *quoted_value(const orm_value *v, const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    char *text = orm_value_format(v, col);
    if (!text)
        orm_buf_append(&b, "NULL");
    else if (v->kind == ORM_VTEXT) {
        orm_buf_appendc(&b, '"');
        cli_append_visible(&b, text, strlen(text));
        orm_buf_appendc(&b, '"');
    } else
        cli_append_visible(&b, text, strlen(text));
    free(text);
    return orm_buf_finish(&b);
}

static int check_expected(cli *c, orm_record *rec)
{
    const orm_model *m = orm_record_model(rec);
    for (size_t i = 0; i < c->a.nexpect; i++) {
        const orm_column *col = NULL;
        orm_value want;
        int status = cli_parse_assignment(c, m, c->a.expect[i], &col, &want);
        if (status)
            return status;
        const orm_value *have = orm_record_get(rec, col->name);
        if (!orm_value_equal(have, &want)) {
            char *key = cli_key_text(rec);
            if (cli_is_secret_hidden(c, col)) {
                status = tui_cli_fail(
                    c->err, "%s %s: %s does not hold the expected value",
                    m->table, key ? key : "?", col->name);
            } else {
                char *h = quoted_value(have, col);
                char *w = quoted_value(&want, col);
                status = tui_cli_fail(c->err, "%s %s: %s is %s, expected %s",
                                      m->table, key ? key : "?", col->name,
                                      h ? h : "?", w ? w : "?");
                free(h);
                free(w);
            }
            free(key);
        }
        orm_value_clear(&want);
        if (status)
            return status;
    }
    return 0;
}

/* set MODEL --where EXPR COL=VALUE...: one UPDATE of every matching row
 * in one transaction, which --expect-count rolls back when the number
 * of rows differs. Prints how many rows matched. */
static int set_where(cli *c, const orm_model *m)
{
    size_t n = c->a.npos - 1;
    const char **names = tui_calloc(n + 1, sizeof *names);
    orm_value *values = tui_calloc(n + 1, sizeof *values);
    orm_query *q = NULL;
    int64_t matched = 0;
    int status = 0;
    if (!names || !values) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && status == 0; i++) {
        const orm_column *col = NULL;
        status = cli_parse_assignment(c, m, c->a.pos[1 + i], &col, &values[i]);
        if (status == 0)
            names[i] = col->name;
    }
    if (status || (status = cli_query(c, m, &q)) != 0)
        goto done;
    if (orm_session_begin(c->s) != 0) {
        status = cli_fail_error(c, orm_session_error(c->s));
        goto done;
    }
    if (orm_query_update(q, names, values, n, &matched) != 0) {
        status = cli_fail_error(c, orm_query_error(q));
        orm_session_rollback(c->s);
    } else if (c->a.expect_count >= 0 && matched != c->a.expect_count) {
        orm_session_rollback(c->s);
        status = tui_cli_fail(c->err,
                              "%lld row%s match, not %lld (--expect-count): "
                              "nothing was changed",
                              (long long)matched, matched == 1 ? "" : "s",
                              (long long)c->a.expect_count);
    } else if ((status = cli_commit(c)) == 0) {
        fprintf(c->out, "%lld\n", (long long)matched);
    }
done:
    for (size_t i = 0; values && i < n; i++)
        orm_value_clear(&values[i]);
    free(values);
    free(names);
    orm_query_free(q);
    return status;
}

int cli_set(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    int by_filter = c->a.where || c->a.filter;
    if (by_filter && c->a.nexpect)
        return tui_cli_command_usage_fail(c->err, "set",
                                          "--expect checks one row (set MODEL "
                                          "KEY); with --where use "
                                          "--expect-count N");
    if (!by_filter && c->a.expect_count >= 0)
        return tui_cli_command_usage_fail(c->err, "set",
                                          "--expect-count goes with --where or "
                                          "--filter");
    if (!by_filter && c->a.npos < 2)
        return tui_cli_command_usage_fail(c->err, "set",
                                          "set needs KEY (or --where EXPR)");
    if (c->a.npos < (by_filter ? 2u : 3u))
        return tui_cli_command_usage_fail(c->err, "set", "set needs COL=VALUE");
    if (!m)
        return 1;
    if ((status = cli_refuse_read_only(c, m, "change")) != 0)
        return status;
    if (by_filter)
        return set_where(c, m);
    if ((status = cli_load_row(c, m, c->a.pos[1], &rec)) != 0 ||
        (status = cli_load_row(c, m, c->a.pos[1], &rec)) != 0)
        return status;
    if ((status = check_expected(c, rec)) != 0)
        return status;
    status = cli_set_assignments(c, rec, c->a.pos + 2, c->a.npos - 2);
    if (status)
        return status;
    return cli_commit(c);
}

int cli_delete(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    int status;
    if (!m)
        return 1;
    if ((status = cli_refuse_read_only(c, m, "delete from")) != 0)
        return status;
    for (size_t i = 1; i < c->a.npos; i++) {
        orm_record *rec = NULL;
        if ((status = cli_load_row(c, m, c->a.pos[i], &rec)) != 0)
            return status;
        if (orm_session_delete(c->s, rec) != 0)
            return cli_fail_error(c, orm_session_error(c->s));
    }
    return cli_commit(c);
}

/* ---- create-all ---- */

int cli_create_all(cli *c)
{
    const char *path = c->a.pos[0];
    orm_modelfile *mf = NULL;
    orm_error e = ORM_ERROR_INIT;
    unsigned char *existed = NULL;
    const orm_model **mine = NULL;
    size_t nmine = 0;
    int status = 0;
    int rc = orm_modelfile_load(&mf, path, &e);

    if (rc == ORM_EIO || (rc && !mf)) {
        status = rc == ORM_EIO ? 2 : 1;
        tui_cli_fail(c->err, "%s", orm_error_text(&e));
        goto done;
    }
    if (mf->nproblems) {
        char *text = orm_modelfile_problems_text(mf);
        fprintf(c->err, "%s\n", text ? text : "orb: out of memory");
        free(text);
        status = 1;
    }
    existed = tui_calloc(mf->nmodels + 1, 1);
    mine = tui_calloc(mf->nmodels + 1, sizeof *mine);
    if (!existed || !mine) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < mf->nmodels; i++) {
        orm_model *m = mf->models[i];
        int exists = 0;
        if (!m)
            continue;
        orm_buf name = ORM_BUF_INIT;
        if (m->schema)
            orm_buf_appendf(&name, "%s.", m->schema);
        orm_buf_append(&name, m->table);
        rc = name.failed
                 ? ORM_ENOMEM
                 : orm_db_table_exists(c->db, orm_buf_str(&name), &exists);
        orm_buf_free(&name);
        if (rc) {
            status = tui_cli_fail(c->err, "%s: %s", m->table,
                                  orm_error_text(orm_db_error(c->db)));
            goto done;
        }
        mf->models[i] = NULL;
        if (orm_db_register(c->db, m) != 0) {
            orm_model_free(m);
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
        existed[nmine] = (unsigned char)exists;
        mine[nmine++] = m;
    }
    if (orm_db_create_all(c->db) != 0) {
        status =
            tui_cli_fail(c->err, "%s", orm_error_text(orm_db_error(c->db)));
        goto done;
    }
    for (size_t i = 0; i < nmine; i++)
        fprintf(c->out, "%s: %s\n", mine[i]->table,
                existed[i] ? "exists" : "created");
done:
    free(existed);
    free(mine);
    orm_modelfile_free(mf);
    orm_error_clear(&e);
    return status;
}
