/*
 * Comparing two models field by field (helper_models.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "helper_models.h"

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define SAME_TEXT(what, a, b)                                                  \
    do {                                                                       \
        if (!same_text((a), (b)))                                              \
            fail_msg("[%s] %s %s: '%s' one by one, '%s' at once", dialect,     \
                     table, what, (a) ? (a) : "(null)", (b) ? (b) : "(null)"); \
    } while (0)
#define SAME_INT(what, a, b)                                                   \
    do {                                                                       \
        if ((long long)(a) != (long long)(b))                                  \
            fail_msg("[%s] %s %s: %lld one by one, %lld at once", dialect,     \
                     table, what, (long long)(a), (long long)(b));             \
    } while (0)

/* Every field of two models, column by column and key by key. */
void test_assert_same_model(const char *dialect, const char *table,
                            const orm_model *one, const orm_model *all)
{
    SAME_TEXT("name", one->name, all->name);
    SAME_TEXT("table", one->table, all->table);
    SAME_TEXT("schema", one->schema, all->schema);
    SAME_TEXT("repr", one->repr, all->repr);
    SAME_TEXT("version column", one->version_column, all->version_column);
    SAME_TEXT("read-only reason", one->read_only, all->read_only);
    SAME_INT("is_view", one->is_view, all->is_view);
    SAME_INT("columns", one->ncolumns, all->ncolumns);
    for (size_t i = 0; i < one->ncolumns; i++) {
        const orm_column *a = &one->columns[i], *b = &all->columns[i];
        SAME_TEXT("column name", a->name, b->name);
        SAME_INT(a->name, a->type, b->type);
        SAME_INT(a->name, a->length, b->length);
        SAME_INT(a->name, a->precision, b->precision);
        SAME_INT(a->name, a->scale, b->scale);
        SAME_INT(a->name, a->flags, b->flags);
        SAME_TEXT(a->name, a->default_value, b->default_value);
        SAME_TEXT(a->name, a->default_gen, b->default_gen);
        SAME_TEXT(a->name, a->server_default, b->server_default);
        SAME_TEXT(a->name, a->ref_table, b->ref_table);
        SAME_TEXT(a->name, a->ref_column, b->ref_column);
        SAME_TEXT(a->name, a->native_type, b->native_type);
        SAME_TEXT(a->name, a->read_only, b->read_only);
        SAME_TEXT(a->name, a->collation, b->collation);
        SAME_INT(a->name, a->nchoices, b->nchoices);
        for (size_t k = 0; k < a->nchoices; k++)
            SAME_TEXT(a->name, a->choices[k], b->choices[k]);
    }
    SAME_INT("foreign keys", one->nforeign_keys, all->nforeign_keys);
    for (size_t i = 0; i < one->nforeign_keys; i++) {
        const orm_foreign_key *a = &one->foreign_keys[i];
        const orm_foreign_key *b = &all->foreign_keys[i];
        SAME_TEXT("foreign key", a->name, b->name);
        SAME_TEXT("foreign key target", a->ref_table, b->ref_table);
        SAME_INT("foreign key columns", a->ncolumns, b->ncolumns);
        for (size_t k = 0; k < a->ncolumns; k++) {
            SAME_TEXT("foreign key column", a->columns[k], b->columns[k]);
            SAME_TEXT("foreign key reference",
                      a->ref_columns ? a->ref_columns[k] : NULL,
                      b->ref_columns ? b->ref_columns[k] : NULL);
        }
    }
    SAME_INT("unique keys", one->nuniques, all->nuniques);
    for (size_t i = 0; i < one->nuniques; i++) {
        SAME_TEXT("unique key", one->uniques[i].name, all->uniques[i].name);
        SAME_INT("unique key columns", one->uniques[i].ncolumns,
                 all->uniques[i].ncolumns);
        for (size_t k = 0; k < one->uniques[i].ncolumns; k++)
            SAME_TEXT("unique key column", one->uniques[i].columns[k],
                      all->uniques[i].columns[k]);
    }
}
