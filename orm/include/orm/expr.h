/**
 * @file
 * Filter expressions: a tree of conditions, as SQLAlchemy's filter()
 * takes them, and orb's filter language that reads and prints the tree.
 *
 * Builders take ownership of their arguments and return NULL when
 * allocation fails (a NULL argument also gives NULL, freeing the others),
 * so a whole tree can be built in one expression and checked once:
 *
 *     orm_expr *e = orm_or(orm_eq(orm_col("handle"), orm_str("alice")),
 *                          orm_eq(orm_col("handle"), orm_str("bob")));
 *     if (!e) return ORM_ENOMEM;
 *
 * The tree is never turned into SQL by pasting values: the query renders
 * it with placeholders and binds every value.
 */
#ifndef ORM_EXPR_H
#define ORM_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/model.h"
#include "orm/value.h"

/**
 * The operators as one X-macro table: X(enum, filter-language spelling,
 * number of operands: -1 = variable).
 */
#define ORM_OPS(X)                                                             \
    X(EQ, "=", 2)                                                              \
    X(NE, "!=", 2)                                                             \
    X(LT, "<", 2)                                                              \
    X(LE, "<=", 2)                                                             \
    X(GT, ">", 2)                                                              \
    X(GE, ">=", 2)                                                             \
    X(LIKE, "like", 2)                                                         \
    X(ILIKE, "ilike", 2)                                                       \
    X(CONTAINS, "contains", 2)                                                 \
    X(ICONTAINS, "icontains", 2)                                               \
    X(STARTSWITH, "startswith", 2)                                             \
    X(ISTARTSWITH, "istartswith", 2)                                           \
    X(ENDSWITH, "endswith", 2)                                                 \
    X(IENDSWITH, "iendswith", 2)                                               \
    X(IN, "in", -1)                                                            \
    X(BETWEEN, "between", 3)                                                   \
    X(IS_NULL, "is null", 1)                                                   \
    X(IS_NOT_NULL, "is not null", 1)                                           \
    X(AND, "and", -1)                                                          \
    X(OR, "or", -1)                                                            \
    X(NOT, "not", 1)

/** @cond */
#define ORM_OP_ENUM(e, text, n) ORM_OP_##e,
/** @endcond */
/** An operator: ORM_OP_EQ ... ORM_OP_NOT from ORM_OPS, then ORM_OP_COUNT. */
typedef enum orm_op { ORM_OPS(ORM_OP_ENUM) ORM_OP_COUNT } orm_op;
#undef ORM_OP_ENUM

/** What a node of the tree is. */
typedef enum orm_expr_kind {
    ORM_EXPR_COLUMN, /**< column: name */
    ORM_EXPR_VALUE,  /**< value: its bytes belong to the node */
    ORM_EXPR_OP      /**< op over args */
} orm_expr_kind;

/**
 * A node. Comparisons and text matches: args[0] is the column, args[1] the
 * value. IN: column then values. BETWEEN: column, low, high. IS_NULL,
 * IS_NOT_NULL: the column. AND/OR: two or more conditions. NOT: one.
 * The builders make each node one allocation: its column name, its value's
 * bytes or its args array live right after it and die with it (a value's
 * `owned` is 0 then). orm_expr_free also frees a column, args array or
 * owned value put in a node by other means.
 */
typedef struct orm_expr {
    orm_expr_kind kind;     /**< column, value or operator */
    orm_op op;              /**< ORM_EXPR_OP: the operator */
    char *column;           /**< ORM_EXPR_COLUMN: the column name */
    orm_value value;        /**< ORM_EXPR_VALUE: the value */
    struct orm_expr **args; /**< ORM_EXPR_OP: the operands */
    size_t nargs;           /**< number of args */
    size_t pos; /**< 1-based position in filter text it came from, or 0 */
} orm_expr;

/** A column leaf, by name (copied). */
ORM_API orm_expr *orm_col(const char *name);
/** A value leaf (deep-copies v). */
ORM_API orm_expr *orm_val(const orm_value *v);
/** A text value leaf (copied). */
ORM_API orm_expr *orm_str(const char *text);
/** An integer value leaf. */
ORM_API orm_expr *orm_int(int64_t i);
/** A NULL value leaf. */
ORM_API orm_expr *orm_null(void);

/** @{ */
/** Comparisons and matches (take ownership of both). */
ORM_API orm_expr *orm_eq(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_ne(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_lt(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_le(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_gt(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_ge(orm_expr *col, orm_expr *val);
ORM_API orm_expr *orm_like(orm_expr *col, orm_expr *pattern);
ORM_API orm_expr *orm_ilike(orm_expr *col, orm_expr *pattern);
ORM_API orm_expr *orm_contains(orm_expr *col, orm_expr *text);
ORM_API orm_expr *orm_startswith(orm_expr *col, orm_expr *text);
ORM_API orm_expr *orm_endswith(orm_expr *col, orm_expr *text);
/** @} */
/** col BETWEEN low AND high (takes ownership of all three). */
ORM_API orm_expr *orm_between(orm_expr *col, orm_expr *low, orm_expr *high);
/** col IS NULL (takes ownership). */
ORM_API orm_expr *orm_is_null(orm_expr *col);
/** col IS NOT NULL (takes ownership). */
ORM_API orm_expr *orm_is_not_null(orm_expr *col);
/** IN: the column and `n` values (the array is not kept, the nodes are). */
ORM_API orm_expr *orm_in(orm_expr *col, orm_expr **values, size_t n);

/** @{ */
/** Logic: the seed's and_, or_, not_ (take ownership). */
ORM_API orm_expr *orm_and(orm_expr *a, orm_expr *b);
ORM_API orm_expr *orm_or(orm_expr *a, orm_expr *b);
ORM_API orm_expr *orm_not(orm_expr *a);
/** @} */

/** Generic node builder: op over n args (takes ownership of the args). */
ORM_API orm_expr *orm_expr_op(orm_op op, orm_expr **args, size_t n);

/** Deep copy of a tree (owned by the caller), NULL when out of memory. */
ORM_API orm_expr *orm_expr_copy(const orm_expr *e);
/** Free a tree. Accepts NULL. */
ORM_API void orm_expr_free(orm_expr *e);
/** Are two trees the same (operators, columns, values)? */
ORM_API int orm_expr_equal(const orm_expr *a, const orm_expr *b);

/** An operator's filter-language spelling ("=", "between"). */
ORM_API const char *orm_op_text(orm_op op);
/** An operator's number of operands, -1 when variable. */
ORM_API int orm_op_arity(orm_op op);

/**
 * The filter language:
 *
 *     handle like '%doe%'        handle = 'alice' or handle = 'bob'
 *     handle != 'admin' and id > 10          not (id in (1, 2, 3))
 *     note is null   id between 10 and 20    handle contains 'doe'
 *     "odd name" startswith 'j'              flag = true   price < 9.95
 *
 * Keywords are case-insensitive; strings use single quotes with '' for a
 * quote; "double quotes" name columns; literals: integers, decimals,
 * true/false, null. Precedence: not > and > or; parentheses group.
 *
 * With a model, columns must exist and values must fit their column types
 * (values are converted with orm_value_parse, so '2024-01-31' compares as
 * a date); errors are ORM_EPARSE / ORM_ETYPE with err->position the
 * 1-based character offset and a message such as
 * "unknown column 'hndle' at 1". A NULL model accepts any column.
 * *out is owned by the caller.
 */
ORM_API int orm_filter_parse(orm_expr **out, const char *text,
                             const orm_model *model, orm_error *err);

/** A single literal of the filter language ('text', 12, 1.5, true, null)
 * as a value, converted to the column's type when `col` is given
 * (used by the CLI's COL:=LITERAL). */
ORM_API int orm_filter_parse_literal(orm_value *out, const char *text,
                                     const orm_column *col, orm_error *err);

/** Print the tree back in the filter language; parsing the text gives an
 * equal tree. Owned string (free()), NULL on allocation failure. */
ORM_API char *orm_filter_print(const orm_expr *e);

#endif
