/*
 * The filter builder's tree: nodes, editing (insert, delete, move,
 * negate, and/or), operators by column type, typed values, and the way
 * to and from orm_expr (filter_expr.c). No drawing here (see
 * view_builder_draw.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter_tree.h"
#include "filter_tree_internal.h"
#include "mem.h"
#include "orm/sys/datetime.h"
#include "orm/sys/number.h"
#include "text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    int values;
} fop_info[] = {
#define TUI_FOP_INFO(e, label, n) {label, n},
    TUI_FOPS(TUI_FOP_INFO)
#undef TUI_FOP_INFO
};

/* ---- column classes and their operators ---- */

typedef enum col_class {
    CLASS_TEXT,
    CLASS_NUMBER,
    CLASS_BOOL,
    CLASS_DATE,
    CLASS_KEY,
    CLASS_OTHER
} col_class;

static col_class column_class(const orm_column *col)
{
    if (!col)
        return CLASS_NUMBER;
    if (col->ref_table)
        return CLASS_KEY;
    switch (col->type) {
    case ORM_STRING:
    case ORM_TEXT:
        return CLASS_TEXT;
    case ORM_INTEGER:
    case ORM_BIGINT:
    case ORM_SMALLINT:
    case ORM_FLOAT:
    case ORM_NUMERIC:
    case ORM_TIME:
        return CLASS_NUMBER;
    case ORM_BOOLEAN:
        return CLASS_BOOL;
    case ORM_DATE:
    case ORM_DATETIME:
    case ORM_DATETIMETZ:
        return CLASS_DATE;
    case ORM_UUID:
        return CLASS_KEY;
    default:
        return CLASS_OTHER;
    }
}

static const tui_fop text_ops[] = {TUI_FOP_EQ,         TUI_FOP_NE,
                                   TUI_FOP_CONTAINS,   TUI_FOP_NOT_CONTAINS,
                                   TUI_FOP_STARTSWITH, TUI_FOP_ENDSWITH,
                                   TUI_FOP_LIKE,       TUI_FOP_IN,
                                   TUI_FOP_IS_NULL,    TUI_FOP_NOT_NULL};
static const tui_fop number_ops[] = {
    TUI_FOP_EQ, TUI_FOP_NE,      TUI_FOP_LT, TUI_FOP_LE,      TUI_FOP_GT,
    TUI_FOP_GE, TUI_FOP_BETWEEN, TUI_FOP_IN, TUI_FOP_IS_NULL, TUI_FOP_NOT_NULL};
static const tui_fop bool_ops[] = {TUI_FOP_IS_TRUE, TUI_FOP_IS_FALSE,
                                   TUI_FOP_IS_NULL, TUI_FOP_NOT_NULL};
static const tui_fop date_ops[] = {
    TUI_FOP_ON,         TUI_FOP_BEFORE,  TUI_FOP_AFTER,
    TUI_FOP_BETWEEN,    TUI_FOP_TODAY,   TUI_FOP_LAST_7_DAYS,
    TUI_FOP_THIS_MONTH, TUI_FOP_IS_NULL, TUI_FOP_NOT_NULL};
static const tui_fop key_ops[] = {TUI_FOP_EQ, TUI_FOP_NE, TUI_FOP_IN,
                                  TUI_FOP_IS_NULL, TUI_FOP_NOT_NULL};
static const tui_fop other_ops[] = {TUI_FOP_IS_NULL, TUI_FOP_NOT_NULL};

static const tui_fop *class_ops(col_class c, size_t *n)
{
    switch (c) {
    case CLASS_TEXT:
        *n = NELEM(text_ops);
        return text_ops;
    case CLASS_NUMBER:
        *n = NELEM(number_ops);
        return number_ops;
    case CLASS_BOOL:
        *n = NELEM(bool_ops);
        return bool_ops;
    case CLASS_DATE:
        *n = NELEM(date_ops);
        return date_ops;
    case CLASS_KEY:
        *n = NELEM(key_ops);
        return key_ops;
    default:
        *n = NELEM(other_ops);
        return other_ops;
    }
}

size_t tui_fop_choices(const orm_column *col, tui_fop *out, size_t max)
{
    size_t n;
    const tui_fop *ops = class_ops(column_class(col), &n);
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = ops[i];
    return n;
}

int tui_fop_fits(tui_fop op, const orm_column *col)
{
    size_t n;
    const tui_fop *ops = class_ops(column_class(col), &n);
    for (size_t i = 0; i < n; i++)
        if (ops[i] == op)
            return 1;
    return 0;
}

const char *tui_fop_label(tui_fop op, const orm_column *col)
{
    col_class c = column_class(col);
    int symbols = c == CLASS_NUMBER || c == CLASS_DATE;
    if (op == TUI_FOP_EQ && symbols)
        return "=";
    if (op == TUI_FOP_NE && symbols)
        return "\xE2\x89\xA0"; /* ≠ */
    return op >= 0 && op < TUI_FOP_COUNT ? fop_info[op].label : "?";
}

int tui_fop_values(tui_fop op)
{
    return op >= 0 && op < TUI_FOP_COUNT ? fop_info[op].values : 0;
}

int tui_fop_relative(tui_fop op)
{
    return op == TUI_FOP_TODAY || op == TUI_FOP_LAST_7_DAYS ||
           op == TUI_FOP_THIS_MONTH;
}

int tui_fop_has_case(tui_fop op)
{
    return op == TUI_FOP_CONTAINS || op == TUI_FOP_NOT_CONTAINS ||
           op == TUI_FOP_STARTSWITH || op == TUI_FOP_ENDSWITH ||
           op == TUI_FOP_LIKE;
}

int tui_fop_default_icase(tui_fop op)
{
    /* As Flask-Admin's text filters: contains, starts / ends with ignore
     * case unless told; like is the user's own pattern, taken exactly. */
    return op == TUI_FOP_CONTAINS || op == TUI_FOP_NOT_CONTAINS ||
           op == TUI_FOP_STARTSWITH || op == TUI_FOP_ENDSWITH;
}

int ftree_is_timestamp(const orm_column *col)
{
    return col && (col->type == ORM_DATETIME || col->type == ORM_DATETIMETZ);
}

static int is_date_op(tui_fop op)
{
    return op == TUI_FOP_ON || op == TUI_FOP_BEFORE || op == TUI_FOP_AFTER ||
           op == TUI_FOP_BETWEEN;
}

/* ---- dates ---- */

void tui_date_today(tui_date *out)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
}

/* The day `days` after `d` (normalized through mktime at noon). */
void ftree_date_add(tui_date *out, const tui_date *d, int days)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = d->year - 1900;
    tm.tm_mon = d->month - 1;
    tm.tm_mday = d->day + days;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    mktime(&tm);
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
}

void ftree_month_bounds(const tui_date *d, tui_date *first, tui_date *last)
{
    tui_date next = {d->month == 12 ? d->year + 1 : d->year,
                     d->month == 12 ? 1 : d->month + 1, 1};
    first->year = d->year;
    first->month = d->month;
    first->day = 1;
    ftree_date_add(last, &next, -1);
}

/* The local zone offset on a day, as "+HH:MM". */
static void zone_of(char *out, size_t size, const tui_date *d)
{
    int off = orm_datetime_local_zone(d->year, d->month, d->day, 12);
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, size, "%c%02d:%02d", sign, off / 60 % 100, off % 60);
}

static int parse_day(const char *s, size_t len, tui_date *out)
{
    orm_datetime day;
    if (orm_datetime_parse(&day, s, len, ORM_DATE) != ORM_DATETIME_OK)
        return 0;
    out->year = day.year;
    out->month = day.month;
    out->day = day.day;
    return 1;
}

/* A plain day value ("2024-01-31") in `v`? */
int ftree_value_day(const orm_value *v, tui_date *out)
{
    return v->kind == ORM_VTEXT && v->u.s.ptr &&
           parse_day(v->u.s.ptr, v->u.s.len, out);
}

/* A value for the start (end = 0) or end (end = 1) of a day, typed for
 * the column: the day itself for a DATE, a timestamp for the others. */
orm_expr *ftree_day_value(const orm_column *col, const tui_date *d, int end)
{
    char text[64], zone[16] = "";
    orm_value v = ORM_VALUE_NULL_INIT;
    orm_error err = ORM_ERROR_INIT;
    orm_expr *e = NULL;
    if (!ftree_is_timestamp(col)) {
        snprintf(text, sizeof text, "%04d-%02d-%02d", d->year, d->month,
                 d->day);
    } else {
        if (col->type == ORM_DATETIMETZ)
            zone_of(zone, sizeof zone, d);
        snprintf(text, sizeof text, "%04d-%02d-%02d %s%s", d->year, d->month,
                 d->day, end ? "23:59:59.999999" : "00:00:00", zone);
    }
    if (col && orm_value_parse(&v, col, text, &err) == 0)
        e = orm_val(&v);
    else
        e = orm_str(text);
    orm_value_clear(&v);
    orm_error_clear(&err);
    return e;
}

/* ---- nodes ---- */

tui_fnode *tui_fnode_new_group(orm_op join)
{
    tui_fnode *n = tui_calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->is_group = 1;
    n->join = join == ORM_OP_OR ? ORM_OP_OR : ORM_OP_AND;
    return n;
}

void tui_fvalues_free(orm_value *values, size_t n)
{
    for (size_t i = 0; values && i < n; i++)
        orm_value_clear(&values[i]);
    free(values);
}

static int copy_values(orm_value **out, const orm_value *values, size_t n)
{
    *out = NULL;
    if (n == 0)
        return 0;
    orm_value *copy = tui_calloc(n, sizeof *copy);
    if (!copy)
        return ORM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (orm_value_copy(&copy[i], &values[i]) != 0) {
            tui_fvalues_free(copy, i);
            return ORM_ENOMEM;
        }
    }
    *out = copy;
    return 0;
}

int tui_fnode_set(tui_fnode *n, const char *column, tui_fop op,
                  const orm_value *values, size_t nvalues, int icase)
{
    orm_value *copy = NULL;
    char *name = orm_strdup(column);
    if (!name || copy_values(&copy, values, nvalues) != 0) {
        free(name);
        return ORM_ENOMEM;
    }
    free(n->column);
    tui_fvalues_free(n->values, n->nvalues);
    n->column = name;
    n->op = op;
    n->values = copy;
    n->nvalues = nvalues;
    n->icase = icase && tui_fop_has_case(op);
    return 0;
}

tui_fnode *tui_fnode_new_condition(const char *column, tui_fop op,
                                   const orm_value *values, size_t n, int icase)
{
    tui_fnode *node = tui_calloc(1, sizeof *node);
    if (!node)
        return NULL;
    if (tui_fnode_set(node, column, op, values, n, icase) != 0) {
        free(node);
        return NULL;
    }
    return node;
}

void tui_fnode_free(tui_fnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        tui_fnode_free(n->kids[i]);
    free(n->kids);
    free(n->column);
    tui_fvalues_free(n->values, n->nvalues);
    free(n);
}

/* Put `kid` at place `at` among the children of `group`. */
int ftree_kid_insert(tui_fnode *group, size_t at, tui_fnode *kid)
{
    tui_fnode **kids =
        tui_realloc(group->kids, (group->nkids + 1) * sizeof *kids);
    if (!kids)
        return ORM_ENOMEM;
    group->kids = kids;
    memmove(&kids[at + 1], &kids[at], (group->nkids - at) * sizeof *kids);
    kids[at] = kid;
    group->nkids++;
    kid->parent = group;
    return 0;
}

static size_t kid_index(const tui_fnode *group, const tui_fnode *kid)
{
    for (size_t i = 0; i < group->nkids; i++)
        if (group->kids[i] == kid)
            return i;
    return group->nkids;
}

static void kid_remove(tui_fnode *group, size_t at)
{
    memmove(&group->kids[at], &group->kids[at + 1],
            (group->nkids - at - 1) * sizeof *group->kids);
    group->nkids--;
}

/* ---- the tree ---- */

int tui_ftree_new(tui_ftree **out, const orm_model *model)
{
    tui_ftree *t = tui_calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return ORM_ENOMEM;
    t->model = model;
    t->root = tui_fnode_new_group(ORM_OP_AND);
    if (!t->root) {
        free(t);
        return ORM_ENOMEM;
    }
    *out = t;
    return 0;
}

void tui_ftree_free(tui_ftree *t)
{
    if (!t)
        return;
    tui_fnode_free(t->root);
    free(t);
}

void tui_ftree_clear(tui_ftree *t)
{
    for (size_t i = 0; i < t->root->nkids; i++)
        tui_fnode_free(t->root->kids[i]);
    free(t->root->kids);
    t->root->kids = NULL;
    t->root->nkids = 0;
    t->root->negated = 0;
    t->root->join = ORM_OP_AND;
}

static size_t count_conditions(const tui_fnode *n)
{
    size_t c = n->is_group ? 0 : 1;
    for (size_t i = 0; i < n->nkids; i++)
        c += count_conditions(n->kids[i]);
    return c;
}

size_t tui_ftree_conditions(const tui_ftree *t)
{
    return count_conditions(t->root);
}

int tui_ftree_empty(const tui_ftree *t)
{
    return count_conditions(t->root) == 0;
}

/* ---- lines ---- */

static size_t count_nodes(const tui_fnode *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->nkids; i++)
        c += count_nodes(n->kids[i]);
    return c;
}

size_t tui_ftree_line_count(const tui_ftree *t)
{
    return count_nodes(t->root);
}

/* Depth-first walk to line *left. */
static tui_fnode *walk(tui_fnode *n, size_t *left, int depth, int *out_depth)
{
    if (*left == 0) {
        *out_depth = depth;
        return n;
    }
    (*left)--;
    for (size_t i = 0; i < n->nkids; i++) {
        tui_fnode *hit = walk(n->kids[i], left, depth + 1, out_depth);
        if (hit)
            return hit;
    }
    return NULL;
}

tui_fnode *tui_ftree_line(const tui_ftree *t, size_t index, int *depth)
{
    int d = 0;
    tui_fnode *n = walk(t->root, &index, 0, &d);
    if (depth)
        *depth = d;
    return n;
}

static int find_line(const tui_fnode *n, const tui_fnode *want, size_t *line)
{
    if (n == want)
        return 1;
    (*line)++;
    for (size_t i = 0; i < n->nkids; i++)
        if (find_line(n->kids[i], want, line))
            return 1;
    return 0;
}

size_t tui_ftree_line_of(const tui_ftree *t, const tui_fnode *node)
{
    size_t line = 0;
    return find_line(t->root, node, &line) ? line : (size_t)-1;
}

/* ---- editing ---- */

int tui_ftree_insert(tui_ftree *t, tui_fnode *at, tui_fnode *node)
{
    int rc;
    if (!at)
        at = t->root;
    if (at->is_group) {
        rc = ftree_kid_insert(at, at->nkids, node);
    } else {
        tui_fnode *p = at->parent ? at->parent : t->root;
        rc = ftree_kid_insert(p, kid_index(p, at) + 1, node);
    }
    if (rc)
        tui_fnode_free(node);
    return rc;
}

void tui_ftree_delete(tui_ftree *t, tui_fnode *node)
{
    if (!node || node == t->root || !node->parent) {
        tui_ftree_clear(t);
        return;
    }
    tui_fnode *p = node->parent;
    size_t i = kid_index(p, node);
    if (i < p->nkids)
        kid_remove(p, i);
    tui_fnode_free(node);
}

int tui_ftree_move(tui_ftree *t, tui_fnode *node, int dir)
{
    tui_fnode *p = node ? node->parent : NULL;
    if (!p)
        return 0;
    size_t i = kid_index(p, node);
    if (dir < 0 && i > 0) {
        p->kids[i] = p->kids[i - 1];
        p->kids[i - 1] = node;
        return 1;
    }
    if (dir > 0 && i + 1 < p->nkids) {
        p->kids[i] = p->kids[i + 1];
        p->kids[i + 1] = node;
        return 1;
    }
    if (p == t->root || !p->parent)
        return 0;
    /* At the edge of a group: step out of it. */
    tui_fnode *gp = p->parent;
    size_t at = kid_index(gp, p) + (dir > 0 ? 1 : 0);
    if (ftree_kid_insert(gp, at, node) != 0)
        return 0;
    kid_remove(p, i);
    return 1;
}

void tui_fnode_toggle_join(tui_fnode *group)
{
    if (group && group->is_group)
        group->join = group->join == ORM_OP_AND ? ORM_OP_OR : ORM_OP_AND;
}

int tui_fnode_toggle_case(tui_fnode *n)
{
    if (!n || n->is_group || !tui_fop_has_case(n->op))
        return ORM_EINVALID;
    n->icase = !n->icase;
    return 0;
}

/* ---- values ---- */

int tui_fvalue_parse(orm_value *out, const orm_column *col, tui_fop op,
                     const char *text, orm_error *err)
{
    orm_column as = *col;
    *out = orm_value_null();
    if (tui_fop_has_case(op)) {
        /* A pattern or a piece of text: any length, any characters. */
        as.type = ORM_TEXT;
        as.length = 0;
    } else if (is_date_op(op) && ftree_is_timestamp(col)) {
        orm_column day = *col;
        orm_error ignored = ORM_ERROR_INIT;
        day.type = ORM_DATE;
        int rc = orm_value_parse(out, &day, text, &ignored);
        orm_error_clear(&ignored);
        if (rc == 0)
            return 0;
    }
    return orm_value_parse(out, &as, text, err);
}

/* A date or time value as canonical UTC text, which sorts as it reads
 * (a day alone sorts before its midnight). 0 when it does not read. */
static int canonical_time(char *out, const orm_value *v, orm_type type)
{
    orm_datetime dt;
    if (orm_datetime_parse(&dt, v->u.s.ptr, v->u.s.len, type) !=
            ORM_DATETIME_OK &&
        orm_datetime_parse(&dt, v->u.s.ptr, v->u.s.len, ORM_DATE) !=
            ORM_DATETIME_OK)
        return 0;
    if (dt.parts & ORM_DATETIME_HAS_ZONE)
        orm_datetime_to_utc(&dt);
    orm_datetime_text(out, &dt);
    return 1;
}

int tui_fvalues_reversed(const orm_value *low, const orm_value *high,
                         const orm_column *col)
{
    if (low->kind != high->kind)
        return 0;
    switch (low->kind) {
    case ORM_VINT:
        return low->u.i > high->u.i;
    case ORM_VFLOAT:
        return low->u.f > high->u.f;
    case ORM_VTEXT:
        break;
    default:
        return 0;
    }
    if (col->type == ORM_NUMERIC) {
        double a, b;
        return orm_double_parse(&a, low->u.s.ptr, low->u.s.len) == 0 &&
               orm_double_parse(&b, high->u.s.ptr, high->u.s.len) == 0 && a > b;
    }
    if (col->type == ORM_DATE || col->type == ORM_TIME ||
        col->type == ORM_DATETIME || col->type == ORM_DATETIMETZ) {
        char a[ORM_DATETIME_TEXT_MAX], b[ORM_DATETIME_TEXT_MAX];
        return canonical_time(a, low, col->type) &&
               canonical_time(b, high, col->type) && strcmp(a, b) > 0;
    }
    /* Text: code point order, which UTF-8's byte order is. */
    size_t n = low->u.s.len < high->u.s.len ? low->u.s.len : high->u.s.len;
    int c = memcmp(low->u.s.ptr, high->u.s.ptr, n);
    return c > 0 || (c == 0 && low->u.s.len > high->u.s.len);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int tui_fvalues_parse(orm_value **out, size_t *count, const orm_column *col,
                      const char *text, orm_error *err)
{
    orm_value *values = NULL;
    size_t n = 0, cap = 0;
    const char *p = text;
    orm_buf item = ORM_BUF_INIT;
    int rc = 0;
    *out = NULL;
    *count = 0;
    for (;;) {
        int quoted = 0;
        orm_buf_reset(&item);
        orm_buf_append(&item, "");
        while (is_blank(*p))
            p++;
        if (*p == '\'') {
            quoted = 1;
            for (p++;; p++) {
                if (!*p) {
                    rc = orm_error_set(err, ORM_EPARSE,
                                       "value %zu: a quote is not closed",
                                       n + 1);
                    goto done;
                }
                if (*p == '\'' && p[1] == '\'') {
                    orm_buf_appendc(&item, '\'');
                    p++;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    orm_buf_appendc(&item, *p);
                }
            }
            while (is_blank(*p))
                p++;
            if (*p && *p != ',') {
                rc = orm_error_set(err, ORM_EPARSE,
                                   "value %zu: a comma must follow the "
                                   "closing quote",
                                   n + 1);
                goto done;
            }
        } else {
            const char *start = p;
            while (*p && *p != ',')
                p++;
            const char *end = p;
            while (end > start && is_blank(end[-1]))
                end--;
            orm_buf_appendn(&item, start, (size_t)(end - start));
        }
        if (!orm_buf_str(&item)) {
            rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
            goto done;
        }
        if (!quoted && item.len == 0) {
            if (n == 0 && !*p) {
                rc = orm_error_set(err, ORM_EINVALID,
                                   "type at least one value (a, b, c)");
                goto done;
            }
            rc = orm_error_set(err, ORM_EINVALID, "value %zu is empty", n + 1);
            goto done;
        }
        if (n == cap) {
            size_t grown = cap ? cap * 2 : 8;
            orm_value *more = tui_realloc(values, grown * sizeof *more);
            if (!more) {
                rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
                goto done;
            }
            values = more;
            cap = grown;
        }
        if ((rc = tui_fvalue_parse(&values[n], col, TUI_FOP_IN,
                                   orm_buf_str(&item), err)) != 0) {
            char *why = err && err->message ? orm_strdup(err->message) : NULL;
            orm_error_set(err, rc, "value %zu: %s", n + 1,
                          why ? why : orm_strerror(rc));
            free(why);
            goto done;
        }
        n++;
        if (!*p)
            break;
        p++; /* the comma */
    }
done:
    orm_buf_free(&item);
    if (rc) {
        tui_fvalues_free(values, n);
        return rc;
    }
    *out = values;
    *count = n;
    return 0;
}

char *tui_fvalue_text(const orm_value *v, const orm_column *col)
{
    if (v->kind == ORM_VTEXT)
        return orm_strndup(v->u.s.ptr ? v->u.s.ptr : "", v->u.s.len);
    char *s = orm_value_format(v, col);
    return s ? s : orm_strdup("");
}

char *tui_fvalues_text(const orm_value *values, size_t n, const orm_column *col)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, "");
    for (size_t i = 0; i < n; i++) {
        char *s = tui_fvalue_text(&values[i], col);
        if (!s) {
            orm_buf_free(&b);
            return NULL;
        }
        size_t len = strlen(s);
        int quote = len == 0 || is_blank(s[0]) || is_blank(s[len - 1]) ||
                    strchr(s, ',') || s[0] == '\'';
        if (i)
            orm_buf_append(&b, ", ");
        if (quote) {
            orm_buf_appendc(&b, '\'');
            for (const char *p = s; *p; p++) {
                if (*p == '\'')
                    orm_buf_appendc(&b, '\'');
                orm_buf_appendc(&b, *p);
            }
            orm_buf_appendc(&b, '\'');
        } else {
            orm_buf_append(&b, s);
        }
        free(s);
    }
    return orm_buf_finish(&b);
}

/* ---- describing ---- */

static void describe_value(orm_buf *out, const orm_value *v,
                           const orm_column *col)
{
    if (v->kind == ORM_VTEXT) {
        orm_buf_appendc(out, '\'');
        for (size_t i = 0; i < v->u.s.len; i++) {
            if (v->u.s.ptr[i] == '\'')
                orm_buf_appendc(out, '\'');
            orm_buf_appendc(out, v->u.s.ptr[i]);
        }
        orm_buf_appendc(out, '\'');
        return;
    }
    char *s = orm_value_format(v, col);
    orm_buf_append(out, s ? s : "null");
    free(s);
}

static void append_day(orm_buf *out, const tui_date *d)
{
    orm_buf_appendf(out, "%04d-%02d-%02d", d->year, d->month, d->day);
}

void tui_fnode_describe(const tui_fnode *n, const orm_model *model,
                        const tui_date *today, orm_buf *out)
{
    tui_date now, from, to;
    if (!today) {
        tui_date_today(&now);
        today = &now;
    }
    if (n->is_group) {
        if (n->negated)
            orm_buf_append(out, "not ");
        orm_buf_append(out,
                       n->join == ORM_OP_OR ? "any of (or)" : "all of (and)");
        if (n->nkids == 0)
            orm_buf_append(out, n->parent ? "  (empty)"
                                          : "  (no conditions: every row)");
        return;
    }
    const orm_column *col = model ? orm_model_column(model, n->column) : NULL;
    if (n->negated)
        orm_buf_append(out, "not (");
    orm_buf_appendf(out, "%s %s", n->column, tui_fop_label(n->op, col));
    if (n->op == TUI_FOP_IN) {
        orm_buf_append(out, " (");
        for (size_t i = 0; i < n->nvalues; i++) {
            if (i)
                orm_buf_append(out, ", ");
            describe_value(out, &n->values[i], col);
        }
        orm_buf_append(out, ")");
    } else if (n->op == TUI_FOP_BETWEEN && n->nvalues == 2) {
        orm_buf_append(out, " ");
        describe_value(out, &n->values[0], col);
        orm_buf_append(out, " and ");
        describe_value(out, &n->values[1], col);
    } else {
        for (size_t i = 0; i < n->nvalues; i++) {
            orm_buf_append(out, " ");
            describe_value(out, &n->values[i], col);
        }
    }
    if (n->negated)
        orm_buf_append(out, ")");
    if (n->icase)
        orm_buf_append(out, "  (ignoring case)");
    else if (!n->is_group && tui_fop_has_case(n->op))
        orm_buf_append(out, "  (exact case)");
    if (tui_fop_relative(n->op)) {
        if (n->op == TUI_FOP_TODAY) {
            from = to = *today;
        } else if (n->op == TUI_FOP_LAST_7_DAYS) {
            ftree_date_add(&from, today, -6);
            to = *today;
        } else {
            ftree_month_bounds(today, &from, &to);
        }
        orm_buf_append(out, "  (");
        append_day(out, &from);
        if (from.day != to.day || from.month != to.month) {
            orm_buf_append(out, " to ");
            append_day(out, &to);
        }
        orm_buf_append(out, ", dates computed when applied)");
    }
}

int tui_ftext_caret_column(const char *text, size_t pos)
{
    size_t byte = 0, chars = 0, len = strlen(text);
    while (byte < len && chars + 1 < pos) {
        byte++;
        while (byte < len && ((unsigned char)text[byte] & 0xC0) == 0x80)
            byte++;
        chars++;
    }
    return tui_text_width(text, byte);
}
