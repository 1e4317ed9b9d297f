/* Records: a row's current and loaded values and which columns changed. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "orm/sys/number.h"
#include "alloc.h"

/* One allocation per record: the struct, then values, original values,
 * changed flags and, for a record loaded from a row, that row's text and
 * blob bytes (loading 100k rows must not cost 400k mallocs). `chunk` is
 * the slab chunk it was carved from, or NULL for its own malloc. */
typedef struct record_block {
    orm_record rec;
    struct record_chunk *chunk;
    orm_value columns[];
} record_block;

/* A slab chunk: records carved one after another. `refs` counts the live
 * records in it, plus one while it is the slab's current chunk; the last
 * one out frees it, so expunging records gives memory back chunk by
 * chunk. */
typedef struct record_chunk {
    size_t refs;
    max_align_t data[];
} record_chunk;

#define RECORD_CHUNK_BYTES                                                     \
    (64 * 1024 - 64) /* under malloc's mmap threshold                          \
                      */
#define RECORD_ALIGN (sizeof(max_align_t))

static void chunk_unref(record_chunk *c)
{
    if (c && --c->refs == 0)
        free(c);
}

void record_slab_release(record_slab *slab)
{
    chunk_unref(slab->chunk);
    *slab = (record_slab){NULL, NULL, NULL};
}

/* `size` bytes for a record from the slab (and its chunk in *chunk), or
 * from malloc when there is no slab or the record is large. */
static void *record_alloc(record_slab *slab, size_t size, record_chunk **chunk)
{
    *chunk = NULL;
    if (!slab || size > RECORD_CHUNK_BYTES / 8)
        return orm_malloc(size);
    size = (size + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
    if (!slab->chunk || (size_t)(slab->end - slab->next) < size) {
        record_chunk *c = orm_malloc(sizeof *c + RECORD_CHUNK_BYTES);
        if (!c)
            return NULL;
        c->refs = 1; /* the slab's own */
        record_slab_release(slab);
        slab->chunk = c;
        slab->next = (char *)c->data;
        slab->end = slab->next + RECORD_CHUNK_BYTES;
    }
    void *p = slab->next;
    slab->next += size;
    slab->chunk->refs++;
    *chunk = slab->chunk;
    return p;
}

/* A record block with `arrays` value arrays (2: values and original; 1:
 * values share the original array) and `bytes` more at *storage. */
static int block_new(orm_record **out, record_slab *slab,
                     const orm_model *model, size_t arrays, size_t bytes,
                     char **storage)
{
    size_t n = model->ncolumns ? model->ncolumns : 1;
    size_t flags =
        offsetof(record_block, columns) + arrays * n * sizeof(orm_value);
    record_chunk *chunk;
    record_block *b = record_alloc(slab, flags + n + bytes, &chunk);
    if (!b)
        return ORM_ENOMEM;
    /* The header by an initializer, the changed flags zeroed
     * (unchanged); the caller writes the values and the text area. */
    b->rec = (orm_record){.model = model,
                          .state = ORM_RECORD_TRANSIENT,
                          .values = b->columns,
                          .original = b->columns + (arrays - 1) * n,
                          .changed = (unsigned char *)b + flags,
                          .rowid = ORM_VALUE_NULL_INIT,
                          .pending_index = -1};
    b->chunk = chunk;
    memset(b->rec.changed, 0, n);
    *storage = (char *)b + flags + n;
    *out = &b->rec;
    return 0;
}

int record_new_loaded(orm_record **out, record_slab *slab,
                      const orm_model *model, size_t bytes, char **storage)
{
    return block_new(out, slab, model, 1, bytes, storage);
}

int orm_record_new(orm_record **out, const orm_model *model)
{
    char *storage;
    int rc = block_new(out, NULL, model, 2, 0, &storage);
    if (rc == 0)
        memset((*out)->values, 0, 2 * model->ncolumns * sizeof(orm_value));
    return rc;
}

/* Are the values an array of their own on the heap (a loaded record
 * changed since it was loaded or written)? */
static int values_on_heap(const orm_record *rec)
{
    return rec->values != rec->original &&
           rec->values != ((const record_block *)rec)->columns;
}

int record_detach(orm_record *rec)
{
    size_t n = rec->model->ncolumns;
    if (rec->values != rec->original)
        return 0;
    orm_value *values = orm_malloc((n ? n : 1) * sizeof *values);
    if (!values)
        return ORM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        values[i] = rec->original[i];
        values[i].owned = 0; /* the bytes stay the original's */
    }
    rec->values = values;
    return 0;
}

void record_reshare(orm_record *rec)
{
    if (!values_on_heap(rec))
        return;
    for (size_t i = 0; i < rec->model->ncolumns; i++)
        if (rec->values[i].owned) /* not all aliases: keep them */
            return;
    free(rec->values);
    rec->values = rec->original;
}

void record_alias(orm_record *rec, size_t col)
{
    if (rec->values == rec->original)
        return; /* shared: it is the loaded value */
    orm_value_clear(&rec->values[col]);
    rec->values[col] = rec->original[col];
    rec->values[col].owned = 0;
}

int record_is_alias(const orm_record *rec, size_t col)
{
    const orm_value *v = &rec->values[col], *o = &rec->original[col];
    if (v == o)
        return 1; /* shared */
    return (v->kind == ORM_VTEXT || v->kind == ORM_VBLOB) && !v->owned &&
           o->kind == v->kind && v->u.s.ptr == o->u.s.ptr;
}

void record_destroy(orm_record *rec)
{
    if (!rec)
        return;
    /* Loaded values live in the record's block: only owned ones (set,
     * refreshed) have bytes of their own. */
    for (size_t i = 0; i < rec->model->ncolumns; i++) {
        if (rec->values != rec->original && rec->values[i].owned)
            orm_value_clear(&rec->values[i]);
        if (rec->original[i].owned)
            orm_value_clear(&rec->original[i]);
    }
    if (values_on_heap(rec))
        free(rec->values);
    for (size_t i = 0; rec->stored && i < rec->model->ncolumns; i++)
        orm_value_clear(&rec->stored[i]);
    free(rec->stored);
    if (rec->rowid.owned)
        orm_value_clear(&rec->rowid);
    record_block *b = (record_block *)rec; /* its first member */
    if (b->chunk)
        chunk_unref(b->chunk);
    else
        free(b);
}

const orm_value *record_guard_value(const orm_record *rec, size_t col)
{
    if (rec->stored && rec->stored[col].kind != ORM_VNULL)
        return &rec->stored[col];
    return &rec->original[col];
}

int record_stored_set(orm_record *rec, size_t col, const orm_value *stored)
{
    orm_value copy = ORM_VALUE_NULL_INIT;
    if (!stored || stored->kind == ORM_VNULL) {
        if (rec->stored)
            orm_value_clear(&rec->stored[col]);
        return 0;
    }
    if (orm_value_copy(&copy, stored))
        return ORM_ENOMEM;
    if (!rec->stored && !(rec->stored = orm_calloc(rec->model->ncolumns,
                                                   sizeof *rec->stored))) {
        orm_value_clear(&copy);
        return ORM_ENOMEM;
    }
    orm_value_clear(&rec->stored[col]);
    rec->stored[col] = copy;
    return 0;
}

void orm_record_free(orm_record *rec)
{
    if (rec && !rec->session)
        record_destroy(rec);
}

const orm_model *orm_record_model(const orm_record *rec)
{
    return rec->model;
}

orm_record_state orm_record_state_of(const orm_record *rec)
{
    return rec->state;
}

const orm_value *orm_record_value(const orm_record *rec, size_t col)
{
    return col < rec->model->ncolumns ? &rec->values[col] : NULL;
}

const orm_value *orm_record_get(const orm_record *rec, const char *column)
{
    int i = orm_model_column_index(rec->model, column);
    return i < 0 ? NULL : &rec->values[i];
}

const orm_value *orm_record_original(const orm_record *rec, size_t col)
{
    return col < rec->model->ncolumns ? &rec->original[col] : NULL;
}

const orm_value *orm_record_stored(const orm_record *rec, size_t col)
{
    return col < rec->model->ncolumns ? record_guard_value(rec, col) : NULL;
}

int orm_record_changed(const orm_record *rec, size_t col)
{
    return col < rec->model->ncolumns && rec->changed[col];
}

const orm_value *orm_record_rowid(const orm_record *rec)
{
    return &rec->rowid;
}

int orm_record_set_at(orm_record *rec, size_t col, const orm_value *v,
                      orm_error *err)
{
    const orm_model *m = rec->model;
    orm_value copy = ORM_VALUE_NULL_INIT, old;
    int rc;
    if (col >= m->ncolumns)
        return orm_error_set(err, ORM_EINVALID, "no column %zu in %s", col,
                             m->table);
    const orm_column *c = &m->columns[col];
    if (rec->state == ORM_RECORD_DELETED || rec->state == ORM_RECORD_GONE)
        return orm_error_set(err, ORM_EINVALID,
                             "%s: the record is deleted; undo the delete "
                             "to change it",
                             c->name);
    if (m->read_only || c->read_only) {
        orm_error_set(err, ORM_EREADONLY, "%s cannot be changed: %s",
                      m->read_only ? m->table : c->name,
                      m->read_only ? m->read_only : c->read_only);
        orm_error_set_column(err, c->name);
        return ORM_EREADONLY;
    }
    /* NULL for a column the database fills in is how one asks for it. */
    int generated = orm_column_is_autoinc(m, c) || c->server_default ||
                    c->default_gen || c->default_value;
    if (!(v->kind == ORM_VNULL && generated) &&
        (rc = orm_value_check(v, c, err)) != 0) {
        if (err && !err->column)
            orm_error_set_column(err, c->name);
        return rc;
    }
    if ((rc = record_detach(rec)) != 0 || (rc = orm_value_copy(&copy, v)) != 0)
        return orm_error_set(err, rc, "out of memory");
    old = rec->values[col];
    int old_changed = rec->changed[col];
    rec->values[col] = copy;
    if (rec->state == ORM_RECORD_TRANSIENT || rec->state == ORM_RECORD_NEW)
        rec->changed[col] = 1;
    else
        rec->changed[col] = !orm_value_equal(&rec->original[col], &copy);
    if (rec->session) {
        /* The session keeps `old` for undo (or frees it). */
        rc = session_note_set(rec->session, rec, col, &old, old_changed);
        if (rc) {
            rec->values[col] = old;
            rec->changed[col] = (unsigned char)old_changed;
            orm_value_clear(&copy);
            return orm_error_set(err, rc, "out of memory");
        }
    } else {
        orm_value_clear(&old);
    }
    return 0;
}

int orm_record_set(orm_record *rec, const char *column, const orm_value *v,
                   orm_error *err)
{
    int i = orm_model_column_index(rec->model, column);
    if (i < 0) {
        int shown = orm_error_quote_len(column);
        orm_error_set(err, ORM_EINVALID, "%s has no column '%.*s%s'",
                      rec->model->table, shown, column,
                      column[shown] ? "\xE2\x80\xA6" : "");
        orm_error_set_column(err, column);
        return ORM_EINVALID;
    }
    return orm_record_set_at(rec, (size_t)i, v, err);
}

int orm_record_set_text(orm_record *rec, const char *column, const char *text,
                        orm_error *err)
{
    const orm_column *c = orm_model_column(rec->model, column);
    orm_value v = ORM_VALUE_NULL_INIT;
    if (!c)
        return orm_record_set(rec, column, &v, err);
    int rc = orm_value_parse(&v, c, text, err);
    if (rc) {
        if (err && !err->column)
            orm_error_set_column(err, column);
        return rc;
    }
    rc = orm_record_set(rec, column, &v, err);
    orm_value_clear(&v);
    return rc;
}

static void append_value(orm_buf *b, const orm_value *v, const orm_column *c)
{
    if (c->flags & ORM_SECRET) {
        orm_buf_append(b, "***");
        return;
    }
    char *text = orm_value_format(v, c);
    orm_buf_append(b, text ? text : "NULL");
    free(text);
}

char *orm_record_repr(const orm_record *rec)
{
    const orm_model *m = rec->model;
    orm_buf b = ORM_BUF_INIT;
    if (m->repr) {
        for (const char *p = m->repr; *p; p++) {
            const char *close = *p == '{' ? strchr(p, '}') : NULL;
            if (!close) {
                orm_buf_appendc(&b, *p);
                continue;
            }
            char name[128];
            size_t n = (size_t)(close - p - 1);
            if (n >= sizeof name) {
                orm_buf_appendc(&b, *p);
                continue;
            }
            memcpy(name, p + 1, n);
            name[n] = '\0';
            int i = orm_model_column_index(m, name);
            if (i < 0) {
                orm_buf_appendc(&b, *p);
                continue;
            }
            append_value(&b, &rec->values[i], &m->columns[i]);
            p = close;
        }
        return orm_buf_finish(&b);
    }
    int pk[ORM_MAX_KEY];
    size_t npk = orm_model_pk(m, pk, ORM_MAX_KEY);
    orm_buf_appendf(&b, "<%s", m->name);
    for (size_t i = 0; i < npk && i < ORM_MAX_KEY; i++) {
        orm_buf_appendf(&b, " %s=", m->columns[pk[i]].name);
        append_value(&b, &rec->values[pk[i]], &m->columns[pk[i]]);
    }
    orm_buf_appendc(&b, '>');
    return orm_buf_finish(&b);
}

/* ---- typed getters ---- */

/* The current value of `column`, or NULL (ORM_EINVALID) when the model
 * has no such column. */
static int typed_value(const orm_record *rec, const char *column,
                       const orm_value **out)
{
    *out = column ? orm_record_get(rec, column) : NULL;
    return *out ? 0 : ORM_EINVALID;
}

int orm_record_get_int(const orm_record *rec, const char *column, int64_t *out)
{
    const orm_value *v;
    int rc = typed_value(rec, column, &v);
    if (rc)
        return rc;
    if (v->kind != ORM_VINT)
        return ORM_ETYPE;
    *out = v->u.i;
    return 0;
}

int orm_record_get_double(const orm_record *rec, const char *column,
                          double *out)
{
    const orm_value *v;
    int rc = typed_value(rec, column, &v);
    if (rc)
        return rc;
    switch (v->kind) {
    case ORM_VFLOAT:
        *out = v->u.f;
        return 0;
    case ORM_VINT:
        *out = (double)v->u.i;
        return 0;
    case ORM_VTEXT: { /* a Numeric's exact decimal text */
        const orm_column *col = orm_model_column(rec->model, column);
        double d;
        if (col->type != ORM_NUMERIC ||
            orm_double_parse(&d, v->u.s.ptr, v->u.s.len) < 0)
            return ORM_ETYPE;
        *out = d;
        return 0;
    }
    default:
        return ORM_ETYPE;
    }
}

int orm_record_get_bool(const orm_record *rec, const char *column, int *out)
{
    const orm_value *v;
    int rc = typed_value(rec, column, &v);
    if (rc)
        return rc;
    if (v->kind != ORM_VBOOL)
        return ORM_ETYPE;
    *out = v->u.b != 0;
    return 0;
}

int orm_record_get_text(const orm_record *rec, const char *column,
                        const char **out)
{
    const orm_value *v;
    int rc = typed_value(rec, column, &v);
    if (rc)
        return rc;
    if (v->kind == ORM_VNULL) {
        *out = NULL;
        return 0;
    }
    if (v->kind != ORM_VTEXT)
        return ORM_ETYPE;
    *out = v->u.s.ptr;
    return 0;
}
