/*
 * The models file: INI sections that declare models (orm/modelfile.h),
 * read with libinih, checked, and turned into run-time models.
 *
 * How libinih is used, and why this way. Debian 12's libinih (r55) is
 * built with its defaults: the handler gets no line number
 * (INI_HANDLER_LINENO 0 in the installed header), indented lines continue
 * the previous value (INI_ALLOW_MULTILINE), " ;" starts an inline comment
 * ("#" only at the start of a line), lines are cut at INI_MAX_LINE (200)
 * bytes and the rest becomes a line of its own, malformed lines and
 * sections without keys never reach the handler, and only the first error
 * line is returned. So the text is fed through ini_parse_stream with our
 * own reader, which hands inih one physical line at a time:
 *   - the reader counts lines, and inih calls the handler for a line
 *     before it asks for the next one, so the count is that key's line;
 *   - leading blanks are removed, so an indented line is a line of its
 *     own, never a silent continuation of the previous column;
 *   - a line too long for inih's buffer is reported, not split;
 *   - the reader sees every "[Model]" header (even one with no keys) and
 *     every line inih rejects (it was a key line but the handler was not
 *     called for it), so each problem gets its own line number.
 * inih still does the work it is good at: the name/value split at '=' or
 * ':', trimming, comments, a UTF-8 BOM.
 */

#include <utf8proc.h>

#include "modelfile_read.h"
#include "alloc.h"

static const char *const mf_model_keys[] = {
    "__tablename__", "__repr__", "__schema__", "__version__", "__unique__",
};
#define MF_NMODEL_KEYS (sizeof mf_model_keys / sizeof mf_model_keys[0])

/* ---- problems ---- */

void mf_problem(mf_ctx *ctx, int line, const char *fmt, ...)
{
    orm_modelfile *mf = ctx->mf;
    orm_buf msg = ORM_BUF_INIT;
    va_list ap;
    if (ctx->nomem)
        return;
    va_start(ap, fmt);
    orm_buf_vappendf(&msg, fmt, ap);
    va_end(ap);
    char *message = orm_buf_finish(&msg);
    char *path = orm_strdup(ctx->name);
    if (mf->nproblems == ctx->problems_cap) {
        size_t cap = ctx->problems_cap ? ctx->problems_cap * 2 : 8;
        orm_modelfile_problem *p = orm_realloc(mf->problems, cap * sizeof *p);
        if (p) {
            mf->problems = p;
            ctx->problems_cap = cap;
        }
    }
    if (!message || !path || mf->nproblems == ctx->problems_cap) {
        free(message);
        free(path);
        ctx->nomem = 1;
        return;
    }
    mf->problems[mf->nproblems].path = path;
    mf->problems[mf->nproblems].line = line;
    mf->problems[mf->nproblems].message = message;
    mf->nproblems++;
}

/* ---- small text helpers ---- */

/* Letters, combining marks and digits of any script, and '_' (größe,
 * Straße, 名前): what the filter language reads as a name too. The
 * dialects quote every identifier, so any of these reach the database as
 * written. Invalid UTF-8 is not a name. */
int mf_is_identifier(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);
    if (!left)
        return 0;
    while (left) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
        if (n <= 0)
            return 0;
        if (cp < 0x80) {
            if (!isalnum(*p) && *p != '_')
                return 0;
        } else {
            utf8proc_category_t cat = utf8proc_category(cp);
            if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_NO)
                return 0;
        }
        p += n;
        left -= (size_t)n;
    }
    return 1;
}

/* The closest known word if it is a plausible typo of `word`, or NULL. */
const char *mf_suggest(const char *word, const char *const *known, size_t n)
{
    orm_suggestion sg = {word, NULL, 0};
    for (size_t i = 0; i < n; i++)
        orm_suggest(&sg, known[i]);
    return sg.best;
}

int mf_find(const char *word, size_t n, const char *const *known, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(known[i]) == n && strncmp(known[i], word, n) == 0)
            return (int)i;
    return -1;
}

/* ---- sections ---- */

static void mf_section_reset(mf_section *sec)
{
    free(sec->name);
    orm_model_free(sec->scratch);
    free(sec->column_lines);
    for (size_t i = 0; i < sec->ndropped; i++)
        free(sec->dropped[i].name);
    free(sec->dropped);
    free(sec->tablename.value);
    free(sec->schema.value);
    free(sec->repr.value);
    free(sec->version.value);
    for (size_t i = 0; i < sec->nuniques; i++) {
        for (size_t j = 0; j < sec->uniques[i].ncolumns; j++)
            free(sec->uniques[i].columns[j]);
        free(sec->uniques[i].columns);
    }
    free(sec->uniques);
    memset(sec, 0, sizeof *sec);
}

int mf_add_mark(mf_mark **marks, size_t *n, const char *name, int line)
{
    mf_mark *grown = orm_realloc(*marks, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *marks = grown;
    if (!(grown[*n].name = orm_strdup(name)))
        return -1;
    grown[*n].line = line;
    (*n)++;
    return 0;
}

const mf_mark *mf_find_mark(const mf_mark *marks, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(marks[i].name, name) == 0)
            return &marks[i];
    return NULL;
}

static int mf_was_dropped(const mf_section *sec, const char *column)
{
    return mf_find_mark(sec->dropped, sec->ndropped, column) != NULL;
}

static void mf_keep_model(mf_ctx *ctx, orm_model *model)
{
    orm_modelfile *mf = ctx->mf;
    if (mf->nmodels == ctx->models_cap) {
        size_t cap = ctx->models_cap ? ctx->models_cap * 2 : 8;
        orm_model **grown = orm_realloc(mf->models, cap * sizeof *grown);
        if (!grown) {
            orm_model_free(model);
            ctx->nomem = 1;
            return;
        }
        mf->models = grown;
        ctx->models_cap = cap;
    }
    mf->models[mf->nmodels++] = model;
}

/* The section ended: check what needs the whole section, build the
 * model. */
static void mf_section_finish(mf_ctx *ctx)
{
    mf_section *sec = &ctx->sec;
    orm_model *model = NULL;
    char *table = NULL;
    if (!sec->active || ctx->nomem)
        goto done;
    if (sec->scratch->ncolumns == 0) {
        /* Columns with problems were reported already. */
        if (sec->ndropped == 0)
            mf_problem(ctx, sec->line, "model '%s' has no columns", sec->name);
        goto done;
    }
    if (sec->tablename.value) {
        table = orm_strdup(sec->tablename.value);
    } else if ((table = orm_strdup(sec->name))) {
        for (char *c = table; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    if (!table || orm_model_new(&model, sec->name, table) ||
        orm_model_set_schema(model, sec->schema.value) ||
        orm_model_set_repr(model, sec->repr.value))
        goto nomem;
    for (size_t i = 0; i < sec->scratch->ncolumns; i++)
        if (orm_model_add_column(model, &sec->scratch->columns[i]))
            goto nomem;
    if (sec->version.value) {
        const char *col = sec->version.value;
        if (orm_model_column_index(model, col) >= 0) {
            if (orm_model_set_version_column(model, col))
                goto nomem;
        } else if (!mf_was_dropped(sec, col)) {
            mf_problem(ctx, sec->version.line,
                       "__version__ names missing column '%s'", col);
        }
    }
    for (size_t i = 0; i < sec->nuniques; i++) {
        const mf_unique *u = &sec->uniques[i];
        int complete = 1;
        for (size_t j = 0; j < u->ncolumns; j++) {
            if (orm_model_column_index(model, u->columns[j]) >= 0)
                continue;
            complete = 0;
            if (!mf_was_dropped(sec, u->columns[j]))
                mf_problem(ctx, u->line, "__unique__ names missing column '%s'",
                           u->columns[j]);
        }
        if (complete && orm_model_add_unique(model, NULL, u->ncolumns,
                                             (const char *const *)u->columns))
            goto nomem;
    }
    mf_keep_model(ctx, model);
    model = NULL;
    goto done;
nomem:
    ctx->nomem = 1;
done:
    orm_model_free(model);
    free(table);
    mf_section_reset(sec);
}

/* A "[Name]" line (leading blanks already gone). */
static void mf_section_start(mf_ctx *ctx, const char *line, size_t len)
{
    mf_section *sec = &ctx->sec;
    const char *close = memchr(line, ']', len);
    char *name = NULL;
    mf_section_finish(ctx);
    sec->skip = 1;
    sec->line = ctx->lineno;
    if (!close) {
        mf_problem(ctx, ctx->lineno, "missing ']' after the model name");
        return;
    }
    const char *after = close + 1, *end = line + len;
    while (after < end && isspace((unsigned char)*after))
        after++;
    if (after < end && *after != ';' && *after != '#') {
        mf_problem(ctx, ctx->lineno, "unexpected text after ']'");
        return;
    }
    const char *s = line + 1, *e = close;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (!(name = orm_strndup(s, (size_t)(e - s)))) {
        ctx->nomem = 1;
        return;
    }
    if (!*name) {
        mf_problem(ctx, ctx->lineno, "empty model name in '[]'");
        goto done;
    }
    if (!mf_is_identifier(name)) {
        mf_problem(ctx, ctx->lineno,
                   "model name '%s' may only have letters, digits and '_'",
                   name);
        goto done;
    }
    const mf_mark *seen = mf_find_mark(ctx->headers, ctx->nheaders, name);
    if (seen) {
        mf_problem(ctx, ctx->lineno,
                   "duplicate model '%s' (first declared at line %d)", name,
                   seen->line);
        goto done;
    }
    if (mf_add_mark(&ctx->headers, &ctx->nheaders, name, ctx->lineno) ||
        orm_model_new(&sec->scratch, name, name)) {
        ctx->nomem = 1;
        goto done;
    }
    sec->name = name;
    name = NULL;
    sec->active = 1;
    sec->skip = 0;
done:
    free(name);
}

/* ---- model keys ---- */

static void mf_setting_set(mf_ctx *ctx, mf_setting *setting, const char *key,
                           const char *value)
{
    if (setting->value) {
        mf_problem(ctx, ctx->lineno, "%s given twice (first at line %d)", key,
                   setting->line);
        return;
    }
    if (!*value) {
        mf_problem(ctx, ctx->lineno, "%s needs a value", key);
        return;
    }
    if (!(setting->value = orm_strdup(value)))
        ctx->nomem = 1;
    setting->line = ctx->lineno;
}

/* __unique__ = a, b */
static void mf_unique_add(mf_ctx *ctx, const char *value)
{
    mf_section *sec = &ctx->sec;
    mf_unique u = {NULL, 0, ctx->lineno};
    const char *s = value;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *e = comma ? comma : s + strlen(s);
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e) {
            mf_problem(ctx, ctx->lineno,
                       "__unique__ needs column names separated by ','");
            goto done;
        }
        char **grown = orm_realloc(u.columns, (u.ncolumns + 1) * sizeof *grown);
        if (!grown)
            goto nomem;
        u.columns = grown;
        if (!(u.columns[u.ncolumns] = orm_strndup(s, (size_t)(e - s))))
            goto nomem;
        u.ncolumns++;
        if (!comma)
            break;
        s = comma + 1;
    }
    mf_unique *grown =
        orm_realloc(sec->uniques, (sec->nuniques + 1) * sizeof *grown);
    if (!grown)
        goto nomem;
    sec->uniques = grown;
    sec->uniques[sec->nuniques++] = u;
    return;
nomem:
    ctx->nomem = 1;
done:
    for (size_t i = 0; i < u.ncolumns; i++)
        free(u.columns[i]);
    free(u.columns);
}

static void mf_model_key(mf_ctx *ctx, const char *key, const char *value)
{
    mf_section *sec = &ctx->sec;
    switch (mf_find(key, strlen(key), mf_model_keys, MF_NMODEL_KEYS)) {
    case 0:
        mf_setting_set(ctx, &sec->tablename, key, value);
        return;
    case 1:
        mf_setting_set(ctx, &sec->repr, key, value);
        return;
    case 2:
        mf_setting_set(ctx, &sec->schema, key, value);
        return;
    case 3:
        mf_setting_set(ctx, &sec->version, key, value);
        return;
    case 4:
        mf_unique_add(ctx, value);
        return;
    default:
        break;
    }
    const char *hint = mf_suggest(key, mf_model_keys, MF_NMODEL_KEYS);
    if (hint)
        mf_problem(ctx, ctx->lineno,
                   "unknown model key '%s' (did you mean '%s'?)", key, hint);
    else
        mf_problem(ctx, ctx->lineno,
                   "unknown model key '%s' (known: __tablename__, "
                   "__repr__, __schema__, __version__, __unique__)",
                   key);
}

/* ---- libinih glue ---- */

static int mf_on_pair(void *user, const char *section, const char *name,
                      const char *value)
{
    mf_ctx *ctx = user;
    size_t len = strlen(name);
    int dunder = len > 4 && strncmp(name, "__", 2) == 0 &&
                 strcmp(name + len - 2, "__") == 0;
    (void)section; /* the reader tracks sections itself */
    ctx->handler_called = 1;
    if (ctx->nomem)
        return 0;
    if (ctx->sec.skip)
        return 1;
    if (!ctx->sec.active) {
        if (dunder)
            mf_problem(ctx, ctx->lineno, "'%s' before any [Model] section",
                       name);
        else
            mf_problem(ctx, ctx->lineno,
                       "column '%s' before any [Model] section", name);
    } else if (len == 0) {
        mf_problem(ctx, ctx->lineno, "missing column name before '='");
    } else if (dunder) {
        mf_model_key(ctx, name, value);
    } else {
        mf_column(ctx, name, value);
    }
    return !ctx->nomem;
}

/* The line just handed to inih was a key line that never reached the
 * handler: inih rejected it. */
static void mf_line_done(mf_ctx *ctx)
{
    if (ctx->key_line && !ctx->handler_called)
        mf_problem(ctx, ctx->lineno,
                   "missing '=' (expected 'name = Type [options]')");
    ctx->key_line = 0;
    ctx->handler_called = 0;
}

/* ini_reader: one physical line per call, see the top of the file. */
static char *mf_read_line(char *str, int num, void *stream)
{
    mf_ctx *ctx = stream;
    mf_line_done(ctx);
    if (ctx->pos >= ctx->len || ctx->nomem || num < 3)
        return NULL;
    const char *line = ctx->text + ctx->pos;
    const char *nl = memchr(line, '\n', ctx->len - ctx->pos);
    size_t len = nl ? (size_t)(nl - line) : ctx->len - ctx->pos;
    ctx->pos += len + (nl ? 1 : 0);
    ctx->lineno++;
    if (ctx->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        len -= 3;
    }
    while (len && isspace((unsigned char)*line)) {
        line++;
        len--;
    }
    while (len && isspace((unsigned char)line[len - 1]))
        len--;
    ctx->line = line;
    ctx->line_len = len;
    str[0] = '\n';
    str[1] = '\0';
    if (len == 0 || *line == ';' || *line == '#')
        return str;
    int is_header = *line == '[';
    if (memchr(line, '\0', len)) {
        mf_problem(ctx, ctx->lineno, "line contains a NUL byte");
    } else if (len > (size_t)num - 2) {
        mf_problem(ctx, ctx->lineno, "line is longer than %d characters",
                   num - 2);
    } else {
        memcpy(str, line, len);
        str[len] = '\n';
        str[len + 1] = '\0';
        if (is_header)
            mf_section_start(ctx, line, len);
        else
            ctx->key_line = 1;
        return str;
    }
    /* A broken header still ends the previous model. */
    if (is_header) {
        mf_section_finish(ctx);
        ctx->sec.skip = 1;
    }
    return str;
}

static int mf_modelfile_new(orm_modelfile **out)
{
    *out = orm_calloc(1, sizeof **out);
    return *out ? 0 : ORM_ENOMEM;
}

/* Parse `len` bytes of text; the shared path of load and parse. */
static int mf_parse(orm_modelfile **out, const char *text, size_t len,
                    const char *name, orm_error *err)
{
    mf_ctx ctx;
    int rc;
    memset(&ctx, 0, sizeof ctx);
    ctx.name = name ? name : MF_DEFAULT_NAME;
    ctx.text = text;
    ctx.len = len;
    if ((rc = mf_modelfile_new(&ctx.mf)))
        goto done;
    if (ini_parse_stream(mf_read_line, &ctx, mf_on_pair, &ctx) == -2)
        ctx.nomem = 1;
    mf_line_done(&ctx);
    mf_section_finish(&ctx);
    if (ctx.nomem) {
        rc = ORM_ENOMEM;
        goto done;
    }
    rc = ctx.mf->nproblems ? ORM_EPARSE : 0;
    if (rc)
        orm_error_set(err, ORM_EPARSE, "%zu problem%s in models file '%s'",
                      ctx.mf->nproblems, ctx.mf->nproblems == 1 ? "" : "s",
                      ctx.name);
    *out = ctx.mf;
    ctx.mf = NULL;
done:
    if (rc == ORM_ENOMEM)
        orm_error_set(err, ORM_ENOMEM, "out of memory");
    mf_section_reset(&ctx.sec);
    for (size_t i = 0; i < ctx.nheaders; i++)
        free(ctx.headers[i].name);
    free(ctx.headers);
    orm_modelfile_free(ctx.mf);
    return rc;
}

int orm_modelfile_parse(orm_modelfile **out, const char *text,
                        const char *name_for_messages, orm_error *err)
{
    if (!out || !text)
        return orm_error_set(err, ORM_EINVALID, "no models text given");
    *out = NULL;
    return mf_parse(out, text, strlen(text), name_for_messages, err);
}

int orm_modelfile_load(orm_modelfile **out, const char *path, orm_error *err)
{
    orm_buf text = ORM_BUF_INIT;
    if (!out || !path)
        return orm_error_set(err, ORM_EINVALID, "no models file given");
    *out = NULL;
    int rc = orm_buf_read_file(&text, path, ORM_TEXT_FILE_MAX);
    if (rc == ORM_EIO)
        rc = orm_error_set(err, ORM_EIO, "cannot read models file '%s': %s",
                           path, strerror(errno));
    else if (rc == ORM_EINVALID)
        rc = orm_error_set(err, ORM_EIO,
                           "models file '%s' is larger than %d MiB: not read",
                           path, ORM_TEXT_FILE_MAX / (1024 * 1024));
    else if (rc)
        rc = orm_error_set(err, rc, "out of memory");
    else
        rc = mf_parse(out, orm_buf_str(&text), text.len, path, err);
    orm_buf_free(&text);
    return rc;
}

void orm_modelfile_free(orm_modelfile *mf)
{
    if (!mf)
        return;
    for (size_t i = 0; i < mf->nmodels; i++)
        orm_model_free(mf->models[i]);
    free(mf->models);
    for (size_t i = 0; i < mf->nproblems; i++) {
        free(mf->problems[i].path);
        free(mf->problems[i].message);
    }
    free(mf->problems);
    free(mf);
}

char *orm_modelfile_problems_text(const orm_modelfile *mf)
{
    orm_buf b = ORM_BUF_INIT;
    if (!mf)
        return NULL;
    for (size_t i = 0; i < mf->nproblems; i++) {
        const orm_modelfile_problem *p = &mf->problems[i];
        orm_buf_appendf(&b, "%s%s:%d: %s", i ? "\n" : "", p->path, p->line,
                        p->message);
    }
    return orm_buf_finish(&b);
}
