/*
 * SQL text with bound parameters: identifiers quoted by the dialect,
 * placeholders in the dialect's style, and filter expressions rendered
 * with every value bound — never pasted into the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "orm/sys/number.h"
#include "alloc.h"

void sql_init(sql_builder *sb, const orm_driver *driver)
{
    /* Field by field: the inline parameter slots need no zeroing. */
    sb->text = (orm_buf)ORM_BUF_INIT;
    sb->driver = driver;
    sb->params = NULL;
    sb->types = NULL;
    sb->masked = NULL;
    sb->mask_next = 0;
    sb->params_only = 0;
    sb->null_safe = 0;
    sb->nparams = sb->cap = 0;
    sb->failed = 0;
    sb->kept = NULL;
}

/* Bytes a bound parameter points at that the builder made itself. */
typedef struct sql_block {
    struct sql_block *next;
    char text[];
} sql_block;

void sql_free(sql_builder *sb)
{
    while (sb->kept) {
        sql_block *next = sb->kept->next;
        free(sb->kept);
        sb->kept = next;
    }
    orm_buf_free(&sb->text);
    if (sb->params != sb->inline_params)
        free(sb->params); /* with types and masked */
    sql_init(sb, NULL);
}

int sql_ok(const sql_builder *sb)
{
    return !sb->failed && !sb->text.failed;
}

void sql_raw(sql_builder *sb, const char *text)
{
    if (!sb->params_only)
        orm_buf_append(&sb->text, text);
}

void sql_ident(sql_builder *sb, const char *name)
{
    char q = sb->driver->ident_quote;
    if (sb->params_only)
        return;
    orm_buf_appendc(&sb->text, q);
    /* Copy runs between quote characters whole; a quote is doubled. */
    for (const char *p = name;;) {
        const char *quote = strchr(p, q);
        size_t n = quote ? (size_t)(quote - p) + 1 : strlen(p);
        orm_buf_appendn(&sb->text, p, n);
        if (!quote)
            break;
        orm_buf_appendc(&sb->text, q);
        p = quote + 1;
    }
    orm_buf_appendc(&sb->text, q);
}

void sql_table(sql_builder *sb, const orm_model *model)
{
    if (model->schema && *model->schema) {
        sql_ident(sb, model->schema);
        sql_raw(sb, ".");
    }
    sql_ident(sb, model->table);
}

/* Parameters start in the builder itself; past SQL_INLINE_PARAMS they
 * move to one allocation shared with their types and mask flags. */
static int params_grow(sql_builder *sb)
{
    if (sb->cap == 0) {
        sb->params = sb->inline_params;
        sb->types = sb->inline_types;
        sb->masked = sb->inline_masked;
        sb->cap = SQL_INLINE_PARAMS;
        return 0;
    }
    size_t cap = sb->cap * 2;
    orm_value *params =
        orm_malloc(cap * (sizeof *sb->params + sizeof *sb->types + 1));
    if (!params)
        return -1;
    orm_type *types = (orm_type *)(params + cap);
    unsigned char *masked = (unsigned char *)(types + cap);
    memcpy(params, sb->params, sb->nparams * sizeof *params);
    memcpy(types, sb->types, sb->nparams * sizeof *types);
    memcpy(masked, sb->masked, sb->nparams);
    if (sb->params != sb->inline_params)
        free(sb->params);
    sb->params = params;
    sb->types = types;
    sb->masked = masked;
    sb->cap = cap;
    return 0;
}

void sql_param(sql_builder *sb, const orm_value *v, orm_type type)
{
    if (sb->nparams == sb->cap && params_grow(sb)) {
        sb->failed = 1;
        return;
    }
    sb->masked[sb->nparams] = (unsigned char)sb->mask_next;
    sb->mask_next = 0;
    sb->params[sb->nparams] = *v;
    sb->params[sb->nparams].owned = 0; /* borrowed */
    sb->types[sb->nparams] = type;
    sb->nparams++;
    if (sb->params_only)
        return;
    if (sb->driver->placeholder == ORM_PLACEHOLDER_DOLLAR) {
        orm_buf_appendc(&sb->text, '$');
        orm_buf_append_int(&sb->text, (int64_t)sb->nparams);
    } else
        orm_buf_appendc(&sb->text, '?');
}

void sql_string_literal(sql_builder *sb, const char *text)
{
    if (sb->params_only)
        return;
    orm_buf_appendc(&sb->text, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            orm_buf_appendc(&sb->text, '\'');
        else if (*p == '\\' && sb->driver->backslash_escapes)
            orm_buf_appendc(&sb->text, '\\');
        orm_buf_appendc(&sb->text, *p);
    }
    orm_buf_appendc(&sb->text, '\'');
}

static int needs_text_cast(const orm_column *col)
{
    return col->type == ORM_JSON || col->type == ORM_UUID ||
           (col->flags & ORM_UNTYPED);
}

/* The column's name, after `alias.` when there is an alias. */
static void column_name_of(sql_builder *sb, const char *alias,
                           const orm_column *col)
{
    if (alias) {
        sql_ident(sb, alias);
        sql_raw(sb, ".");
    }
    sql_ident(sb, col->name);
}

static int uuid_canon(const sql_builder *sb, const orm_column *col);

void sql_column_as_text_of(sql_builder *sb, const char *alias,
                           const orm_column *col)
{
    if (uuid_canon(sb, col)) { /* its canonical text is its text */
        sql_raw(sb, "orb_uuid(");
        column_name_of(sb, alias, col);
        sql_raw(sb, ")");
        return;
    }
    int cast = needs_text_cast(col);
    if (cast)
        sql_raw(sb, "CAST(");
    column_name_of(sb, alias, col);
    if (cast) {
        sql_raw(sb, " AS ");
        sql_raw(sb, sb->driver->text_cast);
        sql_raw(sb, ")");
    }
}

void sql_column_as_text(sql_builder *sb, const orm_column *col)
{
    sql_column_as_text_of(sb, NULL, col);
}

/*
 * UUID columns. Where the dialect has a uuid type (ORM_CAP_UUID_TYPE) a
 * column is compared with a bound UUID as it is, so an index on it serves
 * a key, a filter's = and IN, a guard; where that type also orders as its
 * canonical text does (ORM_CAP_UUID_ORDER), ordering and paging use it
 * too. Elsewhere (SQLite) a UUID is whatever another program stored:
 * upper-case text, 32 hex digits without dashes (SQLAlchemy), 16 bytes
 * (uuid.bytes). It is compared and ordered as orb_uuid(col), its
 * canonical text (ORM_CAP_UUID_CANON; lower(CAST(col AS TEXT)), which
 * knows only case, for a driver without it), so every form of one UUID
 * is one key, and values compared with it go through the same function
 * (no index serves that; a SQLite table is read locally).
 */
static int uuid_native(const sql_builder *sb, const orm_column *col,
                       unsigned cap)
{
    return col->type == ORM_UUID && (sb->driver->caps & cap) == cap;
}

static int uuid_folded(const sql_builder *sb, const orm_column *col)
{
    return col->type == ORM_UUID && !(sb->driver->caps & ORM_CAP_UUID_TYPE);
}

static int uuid_canon(const sql_builder *sb, const orm_column *col)
{
    return uuid_folded(sb, col) && (sb->driver->caps & ORM_CAP_UUID_CANON);
}

void sql_column_compared_of(sql_builder *sb, const char *alias,
                            const orm_column *col)
{
    if (uuid_native(sb, col, ORM_CAP_UUID_TYPE)) {
        column_name_of(sb, alias, col);
        return;
    }
    if (uuid_canon(sb, col)) {
        sql_column_as_text_of(sb, alias, col);
        return;
    }
    if (uuid_folded(sb, col))
        sql_raw(sb, "lower(");
    sql_column_as_text_of(sb, alias, col);
    if (uuid_folded(sb, col))
        sql_raw(sb, ")");
}

orm_type sql_match_type(const sql_builder *sb, const orm_column *col)
{
    if (uuid_native(sb, col, ORM_CAP_UUID_TYPE))
        return ORM_UUID;
    return needs_text_cast(col) ? ORM_TEXT : col->type;
}

/* A value compared with sql_column_compared_of's column; a stored UUID
 * (a guard's, a key's) may be in any form where the column is folded. */
static void param_compared(sql_builder *sb, const orm_column *col,
                           const orm_value *v)
{
    if (uuid_folded(sb, col))
        sql_raw(sb, uuid_canon(sb, col) ? "orb_uuid(" : "lower(");
    sql_param(sb, v, sql_match_type(sb, col));
    if (uuid_folded(sb, col))
        sql_raw(sb, ")");
}

static int decimal_as_text(const sql_builder *sb, const orm_column *col)
{
    return (sb->driver->caps & ORM_CAP_DECIMAL_TEXT) &&
           col->type == ORM_NUMERIC &&
           (col->precision == 0 || col->precision > 15);
}

void sql_param_ordered(sql_builder *sb, const orm_column *col,
                       const orm_value *v)
{
    if (decimal_as_text(sb, col) && v->kind == ORM_VTEXT) {
        /* Compared through CAST(col AS REAL): bind a number too. */
        double d = 0;
        orm_double_parse(&d, v->u.s.ptr, v->u.s.len);
        orm_value f = orm_value_float(d);
        sql_param(sb, &f, ORM_FLOAT);
        return;
    }
    if (uuid_native(sb, col, ORM_CAP_UUID_TYPE | ORM_CAP_UUID_ORDER))
        sql_param(sb, v, ORM_UUID);
    else
        sql_param(sb, v, needs_text_cast(col) ? ORM_TEXT : col->type);
}

void sql_column_ordered(sql_builder *sb, const orm_column *col)
{
    if (decimal_as_text(sb, col)) {
        sql_raw(sb, "CAST(");
        sql_ident(sb, col->name);
        sql_raw(sb, " AS REAL)");
        return;
    }
    if (uuid_native(sb, col, ORM_CAP_UUID_TYPE | ORM_CAP_UUID_ORDER)) {
        sql_ident(sb, col->name);
        return;
    }
    sql_column_compared_of(sb, NULL, col);
}

void sql_match(sql_builder *sb, const orm_column *col, const orm_value *v)
{
    if (sb->null_safe) {
        sql_column_compared_of(sb, NULL, col);
        sql_raw(sb, sb->driver->null_safe_equal);
        sb->mask_next = (col->flags & ORM_SECRET) != 0;
        param_compared(sb, col, v);
        return;
    }
    if (v->kind == ORM_VNULL) {
        sql_ident(sb, col->name);
        sql_raw(sb, " IS NULL");
        return;
    }
    sql_column_compared_of(sb, NULL, col);
    sql_raw(sb, " = ");
    sb->mask_next = (col->flags & ORM_SECRET) != 0;
    param_compared(sb, col, v);
}

/* ---- text ---- */

/* How a filter compares one String or Text column (see orm_driver's
 * text fields): whether orb's text rules apply, and what goes around a
 * value compared in the column's own collation for the candidates. */
typedef struct text_rules {
    int is_text;
    orm_buf before, after;
} text_rules;

static int text_rules_get(text_rules *t, const sql_builder *sb,
                          const orm_column *col)
{
    t->before = (orm_buf)ORM_BUF_INIT;
    t->after = (orm_buf)ORM_BUF_INIT;
    /* A SQLite column without a type compares as text through a cast
     * (needs_text_cast), as the dialect does. */
    t->is_text = (col->type == ORM_STRING || col->type == ORM_TEXT) &&
                 !(col->flags & ORM_UNTYPED);
    if (t->is_text && sb->driver->text_column)
        t->is_text = sb->driver->text_column(col, &t->before, &t->after);
    return t->before.failed || t->after.failed ? -1 : 0;
}

static void text_rules_free(text_rules *t)
{
    orm_buf_free(&t->before);
    orm_buf_free(&t->after);
}

static void wrap_column(sql_builder *sb, const orm_sql_wrap *w,
                        const orm_column *col)
{
    sql_raw(sb, w->before);
    sql_ident(sb, col->name);
    sql_raw(sb, w->after);
}

/* The column compared exactly, or folded to lowercase and then compared
 * exactly. */
static void text_column_exact(sql_builder *sb, const orm_column *col, int fold)
{
    if (fold)
        sql_raw(sb, sb->driver->text_fold.before);
    wrap_column(sb, &sb->driver->text_exact, col);
    if (fold)
        sql_raw(sb, sb->driver->text_fold.after);
}

/* A value compared in the column's own collation (a candidate). */
static void text_candidate_value(sql_builder *sb, const text_rules *t,
                                 const orm_value *v)
{
    sql_raw(sb, orm_buf_str(&t->before) ? orm_buf_str(&t->before) : "");
    sql_param(sb, v, ORM_TEXT);
    sql_raw(sb, orm_buf_str(&t->after) ? orm_buf_str(&t->after) : "");
}

void sql_column_grouped(sql_builder *sb, const orm_column *col)
{
    text_rules t;
    int failed = text_rules_get(&t, sb, col);
    if (failed)
        sb->failed = 1;
    if (!failed && t.is_text)
        wrap_column(sb, &sb->driver->text_order, col);
    else
        sql_column_ordered(sb, col);
    text_rules_free(&t);
}

/* ---- expressions ---- */

static const orm_column *expr_column(const orm_model *model, const orm_expr *e,
                                     orm_error *err)
{
    if (!e || e->kind != ORM_EXPR_COLUMN) {
        orm_error_set(err, ORM_EINVALID,
                      "a condition must start with a column name");
        return NULL;
    }
    const orm_column *col = orm_model_column(model, e->column);
    if (!col) {
        int shown = orm_error_quote_len(e->column);
        orm_error_set(err, ORM_EINVALID, "unknown column '%.*s%s' in %s", shown,
                      e->column, e->column[shown] ? "\xE2\x80\xA6" : "",
                      model->table);
        orm_error_set_column(err, e->column);
        err->position = e->pos;
    }
    return col;
}

static int expr_value(sql_builder *sb, const orm_column *col, const orm_expr *e,
                      orm_type type, orm_error *err)
{
    if (!e || e->kind != ORM_EXPR_VALUE)
        return orm_error_set(err, ORM_EINVALID,
                             "'%s' must be compared with a value", col->name);
    sb->mask_next = (col->flags & ORM_SECRET) != 0;
    sql_param(sb, &e->value, type);
    return 0;
}

static int expr_value_ordered(sql_builder *sb, const orm_column *col,
                              const orm_expr *e, orm_error *err)
{
    if (!e || e->kind != ORM_EXPR_VALUE)
        return orm_error_set(err, ORM_EINVALID,
                             "'%s' must be compared with a value", col->name);
    sb->mask_next = (col->flags & ORM_SECRET) != 0;
    sql_param_ordered(sb, col, &e->value);
    return 0;
}

/* Escape LIKE wildcards so that text matches literally. */
static char *like_escape(const orm_value *v, const char *prefix,
                         const char *suffix)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, prefix);
    for (size_t i = 0; i < v->u.s.len; i++) {
        char c = v->u.s.ptr[i];
        if (c == '%' || c == '_' || c == '\\')
            orm_buf_appendc(&b, '\\');
        orm_buf_appendc(&b, c);
    }
    orm_buf_append(&b, suffix);
    return orm_buf_finish(&b);
}

static const char *compare_sql(orm_op op)
{
    switch (op) {
    case ORM_OP_EQ:
        return " = ";
    case ORM_OP_NE:
        return " <> ";
    case ORM_OP_LT:
        return " < ";
    case ORM_OP_LE:
        return " <= ";
    case ORM_OP_GT:
        return " > ";
    case ORM_OP_GE:
        return " >= ";
    default:
        return NULL;
    }
}

/* The pattern of a contains / startswith / endswith, wildcards in the
 * text escaped; it lives as long as the builder. NULL when out of
 * memory. */
static const orm_value *like_pattern(sql_builder *sb, const orm_value *text,
                                     orm_op op, orm_value *out)
{
    const char *prefix = "", *suffix = "";
    switch (op) {
    case ORM_OP_CONTAINS:
    case ORM_OP_ICONTAINS:
        prefix = "%";
        suffix = "%";
        break;
    case ORM_OP_STARTSWITH:
    case ORM_OP_ISTARTSWITH:
        suffix = "%";
        break;
    case ORM_OP_ENDSWITH:
    case ORM_OP_IENDSWITH:
        prefix = "%";
        break;
    default:
        return text; /* like / ilike: the user's own pattern */
    }
    char *pattern = like_escape(text, prefix, suffix);
    if (!pattern)
        return NULL;
    size_t len = strlen(pattern);
    sql_block *keep = orm_malloc(sizeof *keep + len + 1);
    if (!keep) {
        free(pattern);
        return NULL;
    }
    memcpy(keep->text, pattern, len + 1);
    free(pattern);
    keep->next = sb->kept;
    sb->kept = keep;
    *out = orm_value_textn(keep->text, len);
    return out;
}

static void like_escape_clause(sql_builder *sb)
{
    sql_raw(sb, " ESCAPE ");
    sql_string_literal(sb, "\\");
}

static int render_like(sql_builder *sb, const orm_column *col,
                       const orm_expr *value, orm_op op, orm_error *err)
{
    int insensitive = op == ORM_OP_ILIKE || op == ORM_OP_ICONTAINS ||
                      op == ORM_OP_ISTARTSWITH || op == ORM_OP_IENDSWITH;
    const orm_driver *drv = sb->driver;
    if (!value || value->kind != ORM_EXPR_VALUE ||
        (value->value.kind != ORM_VTEXT))
        return orm_error_set(err, ORM_EINVALID,
                             "%s needs a text value for '%s'", orm_op_text(op),
                             col->name);
    orm_value escaped;
    const orm_value *pattern = like_pattern(sb, &value->value, op, &escaped);
    text_rules t;
    if (!pattern || text_rules_get(&t, sb, col)) {
        if (pattern)
            text_rules_free(&t);
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    }
    if (!t.is_text) {
        /* Dates, numbers, JSON ... as text; folded with the dialect's
         * lowercase, else compared as the dialect's LIKE does. */
        if (insensitive) {
            sql_raw(sb, drv->text_fold.before);
            sql_column_as_text(sb, col);
            sql_raw(sb, drv->text_fold.after);
            sql_raw(sb, " LIKE ");
            sql_raw(sb, drv->text_fold.before);
            sql_param(sb, pattern, ORM_TEXT);
            sql_raw(sb, drv->text_fold.after);
        } else {
            sql_column_as_text(sb, col);
            sql_raw(sb, " ");
            sql_raw(sb, drv->like_op);
            sql_raw(sb, " ");
            sql_param(sb, pattern, ORM_TEXT);
        }
        like_escape_clause(sb);
        text_rules_free(&t);
        return 0;
    }
    int candidates = !insensitive && (drv->caps & ORM_CAP_LIKE_CANDIDATES);
    if (candidates) {
        sql_raw(sb, "(");
        sql_ident(sb, col->name);
        sql_raw(sb, " LIKE ");
        text_candidate_value(sb, &t, pattern);
        like_escape_clause(sb);
        sql_raw(sb, " AND ");
    }
    text_column_exact(sb, col, insensitive);
    sql_raw(sb, " LIKE ");
    if (insensitive)
        sql_raw(sb, drv->text_fold.before);
    sql_param(sb, pattern, ORM_TEXT);
    if (insensitive)
        sql_raw(sb, drv->text_fold.after);
    like_escape_clause(sb);
    if (candidates)
        sql_raw(sb, ")");
    text_rules_free(&t);
    return 0;
}

/* =, <>, <, <=, >, >=, IN and BETWEEN on a text column: exact, in code
 * point order; = and IN let the column's own collation find candidates
 * first where the driver asks for it. */
static int render_text_compare(sql_builder *sb, const orm_column *col,
                               const orm_expr *e, const text_rules *t,
                               orm_error *err)
{
    const orm_driver *drv = sb->driver;
    int candidates = (drv->caps & ORM_CAP_TEXT_CANDIDATES) &&
                     (e->op == ORM_OP_EQ || e->op == ORM_OP_IN);
    const char *op = e->op == ORM_OP_IN        ? " IN ("
                     : e->op == ORM_OP_BETWEEN ? " BETWEEN "
                                               : compare_sql(e->op);
    for (size_t i = 1; i < e->nargs; i++)
        if (!e->args[i] || e->args[i]->kind != ORM_EXPR_VALUE)
            return orm_error_set(err, ORM_EINVALID,
                                 "'%s' must be compared with a value",
                                 col->name);
    if (candidates) {
        sql_raw(sb, "(");
        sql_ident(sb, col->name);
        sql_raw(sb, op);
        for (size_t i = 1; i < e->nargs; i++) {
            if (i > 1)
                sql_raw(sb, ", ");
            sb->mask_next = (col->flags & ORM_SECRET) != 0;
            text_candidate_value(sb, t, &e->args[i]->value);
        }
        sql_raw(sb, e->op == ORM_OP_IN ? ") AND " : " AND ");
    }
    int ordered =
        e->op != ORM_OP_EQ && e->op != ORM_OP_NE && e->op != ORM_OP_IN;
    wrap_column(sb, ordered ? &drv->text_order : &drv->text_exact, col);
    sql_raw(sb, op);
    for (size_t i = 1; i < e->nargs; i++) {
        if (i > 1)
            sql_raw(sb, e->op == ORM_OP_BETWEEN ? " AND " : ", ");
        sb->mask_next = (col->flags & ORM_SECRET) != 0;
        sql_param(sb, &e->args[i]->value, ORM_TEXT);
    }
    if (e->op == ORM_OP_IN)
        sql_raw(sb, ")");
    if (candidates)
        sql_raw(sb, ")");
    return 0;
}

static int render(sql_builder *sb, const orm_model *model, const orm_expr *e,
                  int depth, orm_error *err);

static int render_logic(sql_builder *sb, const orm_model *model,
                        const orm_expr *e, int depth, orm_error *err)
{
    const char *joiner = e->op == ORM_OP_AND ? " AND " : " OR ";
    if (e->nargs == 0) {
        sql_raw(sb, e->op == ORM_OP_AND ? "1 = 1" : "1 = 0");
        return 0;
    }
    sql_raw(sb, "(");
    for (size_t i = 0; i < e->nargs; i++) {
        if (i)
            sql_raw(sb, joiner);
        int rc = render(sb, model, e->args[i], depth + 1, err);
        if (rc)
            return rc;
    }
    sql_raw(sb, ")");
    return 0;
}

static int render(sql_builder *sb, const orm_model *model, const orm_expr *e,
                  int depth, orm_error *err)
{
    if (!e)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (depth > 400)
        return orm_error_set(err, ORM_EINVALID, "filter nested too deeply");
    if (e->kind != ORM_EXPR_OP)
        return orm_error_set(err, ORM_EINVALID,
                             "a filter must be a condition, not a %s",
                             e->kind == ORM_EXPR_COLUMN ? "column" : "value");
    if (e->op == ORM_OP_AND || e->op == ORM_OP_OR)
        return render_logic(sb, model, e, depth, err);
    if (e->op == ORM_OP_NOT) {
        if (e->nargs != 1)
            return orm_error_set(err, ORM_EINVALID, "not takes one condition");
        sql_raw(sb, "NOT (");
        int rc = render(sb, model, e->args[0], depth + 1, err);
        sql_raw(sb, ")");
        return rc;
    }
    if (e->nargs < 1)
        return orm_error_set(err, ORM_EINVALID, "condition without a column");
    const orm_column *col = expr_column(model, e->args[0], err);
    if (!col)
        return err ? err->code : ORM_EINVALID;
    orm_type vtype = sql_match_type(sb, col);
    const char *cmp = compare_sql(e->op);
    if (cmp || e->op == ORM_OP_IN || e->op == ORM_OP_BETWEEN) {
        /* NULL comparisons and in () are the same for every type. */
        int plain =
            e->op == ORM_OP_IN ? e->nargs == 1
            : e->op == ORM_OP_BETWEEN
                ? e->nargs != 3
                : e->nargs != 2 ||
                      (e->args[1] && e->args[1]->kind == ORM_EXPR_VALUE &&
                       e->args[1]->value.kind == ORM_VNULL);
        text_rules t;
        if (text_rules_get(&t, sb, col)) {
            text_rules_free(&t);
            return orm_error_set(err, ORM_ENOMEM, "out of memory");
        }
        int rc =
            t.is_text && !plain ? render_text_compare(sb, col, e, &t, err) : 1;
        text_rules_free(&t);
        if (rc <= 0)
            return rc;
    }
    if (cmp) {
        if (e->nargs != 2)
            return orm_error_set(err, ORM_EINVALID, "comparison needs a value");
        const orm_expr *v = e->args[1];
        if (v && v->kind == ORM_EXPR_VALUE && v->value.kind == ORM_VNULL &&
            (e->op == ORM_OP_EQ || e->op == ORM_OP_NE)) {
            sql_ident(sb, col->name);
            sql_raw(sb, e->op == ORM_OP_EQ ? " IS NULL" : " IS NOT NULL");
            return 0;
        }
        if (e->op == ORM_OP_EQ || e->op == ORM_OP_NE) {
            sql_column_compared_of(sb, NULL, col);
            sql_raw(sb, cmp);
            return expr_value(sb, col, v, vtype, err);
        }
        sql_column_ordered(sb, col);
        sql_raw(sb, cmp);
        return expr_value_ordered(sb, col, v, err);
    }
    switch (e->op) {
    case ORM_OP_LIKE:
    case ORM_OP_ILIKE:
    case ORM_OP_CONTAINS:
    case ORM_OP_ICONTAINS:
    case ORM_OP_STARTSWITH:
    case ORM_OP_ISTARTSWITH:
    case ORM_OP_ENDSWITH:
    case ORM_OP_IENDSWITH:
        if (e->nargs != 2)
            return orm_error_set(err, ORM_EINVALID, "%s needs a value",
                                 orm_op_text(e->op));
        return render_like(sb, col, e->args[1], e->op, err);
    case ORM_OP_IN:
        if (e->nargs == 1) {
            sql_raw(sb, "1 = 0"); /* in () matches nothing */
            return 0;
        }
        sql_column_compared_of(sb, NULL, col);
        sql_raw(sb, " IN (");
        for (size_t i = 1; i < e->nargs; i++) {
            if (i > 1)
                sql_raw(sb, ", ");
            int rc = expr_value(sb, col, e->args[i], vtype, err);
            if (rc)
                return rc;
        }
        sql_raw(sb, ")");
        return 0;
    case ORM_OP_BETWEEN: {
        if (e->nargs != 3)
            return orm_error_set(err, ORM_EINVALID, "between needs two values");
        sql_column_ordered(sb, col);
        sql_raw(sb, " BETWEEN ");
        int rc = expr_value_ordered(sb, col, e->args[1], err);
        if (rc)
            return rc;
        sql_raw(sb, " AND ");
        return expr_value_ordered(sb, col, e->args[2], err);
    }
    case ORM_OP_IS_NULL:
    case ORM_OP_IS_NOT_NULL:
        sql_ident(sb, col->name);
        sql_raw(sb, e->op == ORM_OP_IS_NULL ? " IS NULL" : " IS NOT NULL");
        return 0;
    default:
        return orm_error_set(err, ORM_EINVALID, "unsupported operator");
    }
}

int sql_expr(sql_builder *sb, const orm_model *model, const orm_expr *e,
             orm_error *err)
{
    int rc = render(sb, model, e, 0, err);
    if (rc == 0 && !sql_ok(sb))
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    return rc;
}
