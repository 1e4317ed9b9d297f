/*
 * Two models of one table, compared field by field: reflecting every
 * table at once must give what reflecting each alone gives.
 */
#ifndef HELPER_MODELS_H
#define HELPER_MODELS_H

#include "orm/model.h"

/* Fail the test, naming the dialect, the table and the field, unless
 * `one` (reflected alone) and `all` (reflected with every table) agree on
 * every field: names, schema, flags, types, defaults, collations,
 * choices, keys. */
void test_assert_same_model(const char *dialect, const char *table,
                            const orm_model *one, const orm_model *all);

#endif
