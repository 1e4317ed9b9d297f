/*
 * The command line (cli.c): `rows` (a table, CSV, TSV or JSON, streamed
 * with a cursor), `get` (one row as "column: value" lines) and `count`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_filter.h"
#include "cli_msg.h"
#include "export.h"
#include "mem.h"

/* ---- rows: the formats (CSV, TSV, JSON are export.c's) ---- */

static tui_export_format export_format(const cli *c)
{
    return c->a.format == FMT_CSV   ? TUI_EXPORT_CSV
           : c->a.format == FMT_TSV ? TUI_EXPORT_TSV
                                    : TUI_EXPORT_JSON;
}

/* Turn "handle,-id" into order_by calls. */
static int apply_order(cli *c, orm_query *q, const orm_model *m)
{
    const char *p = c->a.order;
    while (*p) {
        char name[256];
        int desc = 0;
        size_t n;
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '-' || *p == '+')
            desc = *p++ == '-';
        n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if (n >= sizeof name)
            return cli_no_such_column(c, m, p);
        if (n == 0)
            return tui_cli_command_usage_fail(
                c->err, c->command, "--order wants COL[,-COL], got '%s'",
                c->a.order);
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        while (*p == ' ')
            p++;
        if (!orm_model_column(m, name))
            return cli_no_such_column(c, m, name);
        if (orm_query_order_by(q, name, desc) != 0)
            return cli_fail_error(c, orm_query_error(q));
    }
    return 0;
}

/* A query over MODEL with --where, --order, --limit, --offset applied. */
static int make_query(cli *c, const orm_model *m, orm_query **out)
{
    orm_query *q = NULL;
    int status = 0;
    *out = NULL;
    if ((status = cli_ensure_session(c)) != 0)
        return status;
    if (orm_query_new(&q, c->s, m) != 0)
        return tui_cli_fail(c->err, "out of memory");
    if (c->a.where && orm_query_where(q, c->a.where) != 0) {
        status = tui_cli_fail(c->err, "--where: %s",
                              orm_error_text(orm_query_error(q)));
        goto done;
    }
    if (c->a.filter) {
        orm_expr *saved = NULL;
        if (tui_cli_saved_filter_expr(c->db, c->opts, c->a.filter, m, &saved,
                                      c->err) != 0) {
            status = 1;
            goto done;
        }
        if (orm_query_filter(q, saved) != 0) {
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
    }
    if (c->a.order && (status = apply_order(c, q, m)) != 0)
        goto done;
    if (c->a.limit >= 0)
        orm_query_limit(q, c->a.limit);
    if (c->a.offset > 0)
        orm_query_offset(q, c->a.offset);
done:
    if (status)
        orm_query_free(q);
    else
        *out = q;
    return status;
}

int cli_query(cli *c, const orm_model *m, orm_query **out)
{
    return make_query(c, m, out);
}

static char **table_row(const cli *c, const orm_model *m, const orm_value *row)
{
    char **cells = tui_calloc(m->ncolumns ? m->ncolumns : 1, sizeof *cells);
    for (size_t i = 0; cells && i < m->ncolumns; i++)
        cells[i] = cli_cell_text(c, &row[i], &m->columns[i]);
    return cells;
}

int cli_rows(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    orm_query *q = NULL;
    orm_cursor *cur = NULL;
    orm_buf b = ORM_BUF_INIT;
    const orm_value *row;
    grid g = {0};
    int status, rc, first = 1;
    size_t nrows = 0;

    if (!m)
        return 1;
    if ((status = make_query(c, m, &q)) != 0)
        return status;
    if (orm_query_cursor(q, &cur) != 0) {
        status = cli_fail_error(c, orm_query_error(q));
        goto done;
    }
    if (c->a.format == FMT_TABLE) {
        if (cli_grid_init(&g, m->ncolumns)) {
            status = tui_cli_fail(c->err, "out of memory");
            goto done;
        }
        char **header =
            tui_calloc(m->ncolumns ? m->ncolumns : 1, sizeof *header);
        for (size_t i = 0; header && i < m->ncolumns; i++) {
            header[i] = orm_strdup(m->columns[i].name);
            g.right[i] = (unsigned char)cli_is_numeric_type(m->columns[i].type);
        }
        if (header)
            cli_grid_add(&g, header);
        else
            g.failed = 1;
        free(header);
    } else {
        tui_export_header(&b, export_format(c), m);
    }
    while ((rc = orm_cursor_next(cur, &row)) == ORM_ROW) {
        nrows++;
        if (c->a.format != FMT_TABLE) {
            tui_export_row(&b, export_format(c), m, row, c->a.reveal,
                           nrows - 1);
        } else {
            char **cells = table_row(c, m, row);
            if (!cells) {
                g.failed = 1;
                break;
            }
            cli_grid_add(&g, cells);
            free(cells);
            /* Widths are settled: print and keep streaming with them. */
            if (g.nrows > CLI_WIDTH_ROWS) {
                cli_grid_print(&g, c->out, first);
                cli_grid_clear_rows(&g);
                g.frozen = 1;
                first = 0;
            }
        }
        if (b.failed || g.failed)
            break;
        if (b.len > 65536) {
            tui_export_write(c->out, b.data ? b.data : "", b.len);
            orm_buf_reset(&b);
        }
    }
    if (b.failed || g.failed) {
        status = tui_cli_fail(c->err, "out of memory");
        goto done;
    }
    if (rc != ORM_DONE) {
        tui_export_write(c->out, b.data ? b.data : "", b.len);
        status = cli_fail_error(c, orm_query_error(q));
        goto done;
    }
    if (c->a.format == FMT_TABLE)
        cli_grid_print(&g, c->out, first);
    else
        tui_export_end(&b, export_format(c), nrows);
    if (b.failed)
        status = tui_cli_fail(c->err, "out of memory");
    else
        tui_export_write(c->out, b.data ? b.data : "", b.len);
done:
    orm_cursor_free(cur);
    orm_query_free(q);
    orm_buf_free(&b);
    if (g.widths)
        cli_grid_free(&g);
    return status;
}

/* ---- get, count ---- */

int cli_get(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    orm_record *rec = NULL;
    int status;
    if (!m)
        return 1;
    if ((status = cli_load_row(c, m, c->a.pos[1], &rec)) != 0)
        return status;
    for (size_t i = 0; i < m->ncolumns; i++) {
        char *text = cli_cell_text(c, orm_record_value(rec, i), &m->columns[i]);
        if (!text)
            return tui_cli_fail(c->err, "out of memory");
        fprintf(c->out, "%s: %s\n", m->columns[i].name, text);
        free(text);
    }
    return 0;
}

int cli_count(cli *c)
{
    const orm_model *m = cli_find_model(c, c->a.pos[0]);
    orm_query *q = NULL;
    int64_t n = 0;
    int status;
    if (!m)
        return 1;
    if ((status = make_query(c, m, &q)) != 0)
        return status;
    if (orm_query_count(q, &n) != 0)
        status = cli_fail_error(c, orm_query_error(q));
    else
        fprintf(c->out, "%lld\n", (long long)n);
    orm_query_free(q);
    return status;
}
