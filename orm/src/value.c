/* Value constructors, copies and comparison. */
#include <stdlib.h>
#include <string.h>

#include "orm/value.h"
#include "orm/error.h"
#include "alloc.h"

orm_value orm_value_null(void)
{
    orm_value v = ORM_VALUE_NULL_INIT;
    return v;
}

orm_value orm_value_int(int64_t i)
{
    orm_value v = {ORM_VINT, 0, {.i = i}};
    return v;
}

orm_value orm_value_float(double f)
{
    orm_value v = {ORM_VFLOAT, 0, {.f = f}};
    return v;
}

orm_value orm_value_bool(int b)
{
    orm_value v = {ORM_VBOOL, 0, {.b = b ? 1 : 0}};
    return v;
}

orm_value orm_value_textn(const char *text, size_t len)
{
    orm_value v = {ORM_VTEXT, 0, {.i = 0}};
    v.u.s.ptr = (char *)(uintptr_t)text;
    v.u.s.len = len;
    return v;
}

orm_value orm_value_text(const char *text)
{
    return orm_value_textn(text, strlen(text));
}

orm_value orm_value_blob(const void *data, size_t len)
{
    orm_value v = {ORM_VBLOB, 0, {.i = 0}};
    v.u.s.ptr = (char *)(uintptr_t)data;
    v.u.s.len = len;
    return v;
}

static int dup_bytes(orm_value *out, orm_value_kind kind, const void *data,
                     size_t len)
{
    char *p = orm_malloc(len + 1);
    if (!p)
        return ORM_ENOMEM;
    if (len)
        memcpy(p, data, len);
    p[len] = '\0';
    out->kind = kind;
    out->owned = 1;
    out->u.s.ptr = p;
    out->u.s.len = len;
    return 0;
}

int orm_value_text_dup(orm_value *out, const char *text, size_t len)
{
    return dup_bytes(out, ORM_VTEXT, text, len);
}

int orm_value_blob_dup(orm_value *out, const void *data, size_t len)
{
    return dup_bytes(out, ORM_VBLOB, data, len);
}

int orm_value_copy(orm_value *out, const orm_value *src)
{
    if (src->kind == ORM_VTEXT || src->kind == ORM_VBLOB)
        return dup_bytes(out, src->kind, src->u.s.ptr, src->u.s.len);
    *out = *src;
    out->owned = 0;
    return 0;
}

void orm_value_clear(orm_value *v)
{
    if (!v)
        return;
    if (v->owned && (v->kind == ORM_VTEXT || v->kind == ORM_VBLOB))
        free(v->u.s.ptr);
    *v = orm_value_null();
}

int orm_value_equal(const orm_value *a, const orm_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case ORM_VNULL:
        return 1;
    case ORM_VINT:
        return a->u.i == b->u.i;
    case ORM_VFLOAT:
        return a->u.f == b->u.f;
    case ORM_VBOOL:
        return a->u.b == b->u.b;
    case ORM_VTEXT:
    case ORM_VBLOB:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 ||
                memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    }
    return 0;
}
