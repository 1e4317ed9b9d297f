/**
 * @file
 * Models and columns.
 *
 * A model maps a class-like name to a table and its columns. Models are
 * plain data: a C program declares them as static descriptors (see
 * examples/seed.c), reflection and the models file build them at run time
 * (orm_model_new / orm_model_add_column, freed with orm_model_free).
 *
 *     static const orm_column account_columns[] = {
 *         {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
 *         {.name = "handle", .type = ORM_STRING, .length = 50,
 *          .flags = ORM_UNIQUE | ORM_NOT_NULL},
 *         {.name = "secret_key", .type = ORM_STRING, .length = 128,
 *          .flags = ORM_SECRET, .default_gen = "token_hex(16)"},
 *     };
 *     static const orm_model Account = ORM_MODEL("Account", "accounts",
 *                                                account_columns);
 */
#ifndef ORM_MODEL_H
#define ORM_MODEL_H

#include <stddef.h>

#include "orm/error.h"
#include "orm/value.h"

/**
 * The column types as one X-macro table: X(enum, name as written in a
 * models file, value kind it travels as). ORM_STRING is "String", and so
 * on.
 */
#define ORM_TYPES(X)                                                           \
    X(INTEGER, "Integer", ORM_VINT)                                            \
    X(BIGINT, "BigInteger", ORM_VINT)                                          \
    X(SMALLINT, "SmallInteger", ORM_VINT)                                      \
    X(STRING, "String", ORM_VTEXT)                                             \
    X(TEXT, "Text", ORM_VTEXT)                                                 \
    X(BOOLEAN, "Boolean", ORM_VBOOL)                                           \
    X(FLOAT, "Float", ORM_VFLOAT)                                              \
    X(NUMERIC, "Numeric", ORM_VTEXT)                                           \
    X(DATE, "Date", ORM_VTEXT)                                                 \
    X(TIME, "Time", ORM_VTEXT)                                                 \
    X(DATETIME, "DateTime", ORM_VTEXT)                                         \
    X(DATETIMETZ, "DateTimeTZ", ORM_VTEXT)                                     \
    X(BLOB, "LargeBinary", ORM_VBLOB)                                          \
    X(JSON, "JSON", ORM_VTEXT)                                                 \
    X(UUID, "Uuid", ORM_VTEXT)

/** @cond */
#define ORM_TYPE_ENUM(e, name, kind) ORM_##e,
/** @endcond */
/** A column type: ORM_INTEGER ... ORM_UUID from ORM_TYPES, then
 * ORM_TYPE_COUNT. */
typedef enum orm_type { ORM_TYPES(ORM_TYPE_ENUM) ORM_TYPE_COUNT } orm_type;
#undef ORM_TYPE_ENUM

/** Column flags (orm_column::flags). */
enum {
    ORM_PK = 1u << 0,        /**< part of the primary key */
    ORM_UNIQUE = 1u << 1,    /**< single-column unique */
    ORM_NOT_NULL = 1u << 2,  /**< nullable=False (implied by ORM_PK) */
    ORM_INDEX = 1u << 3,     /**< create an index */
    ORM_SECRET = 1u << 4,    /**< screens mask the value until asked */
    ORM_AUTOINC = 1u << 5,   /**< database generates it (implied for a
                                single Integer/BigInteger primary key) */
    ORM_NO_AUTOINC = 1u << 6 /**< opt out of the implied autoincrement */
};

/** A column of a model; static descriptors use designated initializers. */
typedef struct orm_column {
    const char *name;           /**< column name in the table */
    orm_type type;              /**< its type */
    int length;                 /**< String(n): characters; 0 = unbounded */
    int precision;              /**< Numeric(p,s): p, digits in all */
    int scale;                  /**< Numeric(p,s): s, digits after the point */
    unsigned flags;             /**< ORM_PK, ORM_UNIQUE, ... */
    const char *default_value;  /**< literal default as text, or NULL */
    const char *default_gen;    /**< "token_hex(16)", "uuid4()", "now()" */
    const char *server_default; /**< SQL expression text from the schema */
    const char *ref_table;      /**< single-column foreign key target */
    const char *ref_column;     /**< NULL: the referenced primary key */
    const char *native_type; /**< type as the database names it (reflected) */
} orm_column;

/** A foreign key over one or more columns. */
typedef struct orm_foreign_key {
    const char *name;           /**< constraint name or NULL */
    size_t ncolumns;            /**< number of columns (and of ref_columns) */
    const char *const *columns; /**< the referencing columns */
    const char *ref_table;      /**< the referenced table */
    const char *const *ref_columns; /**< NULL: the referenced primary key */
} orm_foreign_key;

/** A unique constraint over one or more columns. */
typedef struct orm_unique {
    const char *name;           /**< constraint name or NULL */
    size_t ncolumns;            /**< number of columns */
    const char *const *columns; /**< the columns */
} orm_unique;

/** A model: a class-like name, its table and columns (see the file). */
typedef struct orm_model {
    const char *name;          /**< class name ("Account") */
    const char *table;         /**< table name ("accounts") */
    const char *schema;        /**< schema / database qualifier, or NULL */
    const char *repr;          /**< "<Account {handle}>", or NULL */
    const orm_column *columns; /**< the columns, in table order */
    size_t ncolumns;           /**< number of columns */
    const orm_foreign_key *foreign_keys; /**< multi-column foreign keys */
    size_t nforeign_keys;                /**< number of foreign_keys */
    const orm_unique *uniques;           /**< multi-column unique constraints */
    size_t nuniques;                     /**< number of uniques */
    const char *version_column;          /**< optimistic-lock column, or NULL */
    void *owned; /**< internal: non-NULL for run-time models */
} orm_model;

/** A static model's initializer: class name, table, array of columns. */
#define ORM_MODEL(cls, tbl, cols)                                              \
    {                                                                          \
        .name = (cls), .table = (tbl), .columns = (cols),                      \
        .ncolumns = sizeof(cols) / sizeof((cols)[0])                           \
    }

/** A type's name as a models file writes it: "Integer", ... */
const char *orm_type_name(orm_type type);
/** Parse a type name such as "String(50)" or "Numeric(10,2)" into
 * out->type, length, precision and scale. ORM_EPARSE with a message. */
int orm_type_parse(const char *text, orm_column *out, orm_error *err);
/** The value kind a type travels as. */
orm_value_kind orm_type_kind(orm_type type);

/** Column lookup: its index, or -1. The name match is exact. */
int orm_model_column_index(const orm_model *model, const char *name);
/** Column lookup: the column, or NULL. The name match is exact. */
const orm_column *orm_model_column(const orm_model *model, const char *name);

/** Primary key column indexes in declaration order. Returns the count
 * (0 when the table has none); fills up to `max` entries of `out`. */
size_t orm_model_pk(const orm_model *model, int *out, size_t max);

/** Is this column generated by the database on insert? */
int orm_column_is_autoinc(const orm_model *model, const orm_column *col);
/** Is the column nullable? (not ORM_NOT_NULL and not ORM_PK) */
int orm_column_nullable(const orm_column *col);

/**
 * Run-time models. orm_model_new allocates an owned model; add columns,
 * foreign keys and uniques (all strings are copied). Free with
 * orm_model_free, which ignores static (non-owned) models and NULL.
 */
int orm_model_new(orm_model **out, const char *name, const char *table);
/** @{ */
/** Add to or change a run-time model (strings are copied). 0,
 * ORM_ENOMEM, or ORM_EINVALID for a static model. */
int orm_model_add_column(orm_model *model, const orm_column *col);
int orm_model_add_foreign_key(orm_model *model, const char *name,
                              size_t ncolumns, const char *const *columns,
                              const char *ref_table,
                              const char *const *ref_columns);
int orm_model_add_unique(orm_model *model, const char *name, size_t ncolumns,
                         const char *const *columns);
int orm_model_set_repr(orm_model *model, const char *repr);
int orm_model_set_schema(orm_model *model, const char *schema);
int orm_model_set_name(orm_model *model, const char *name);
int orm_model_set_version_column(orm_model *model, const char *column);
/** @} */
/** Deep copy of any model (static or owned) into an owned one. */
int orm_model_copy(orm_model **out, const orm_model *src);
/** Free a run-time model; static models and NULL are ignored. */
void orm_model_free(orm_model *model);

/**
 * Text <-> value, by column type. This is the one place where typed input
 * is validated (the CLI and the forms both call it).
 *
 * orm_value_parse: `text` as a user typed it → an owned value of the
 * column's kind. Integers (range-checked for SMALLINT/INTEGER/BIGINT),
 * decimals within precision/scale (kept as canonical text), booleans
 * (true/false/yes/no/on/off/1/0/t/f), ISO dates (YYYY-MM-DD), times,
 * timestamps (YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]] and a zone for
 * DATETIMETZ: Z or ±HH[:MM]), String(n) length counted in characters,
 * valid UTF-8, JSON syntax, UUID form, blobs as text bytes or `\x` hex.
 * On failure returns ORM_ETYPE with a plain message in `err`
 * ("expected a whole number", "at most 50 characters (got 51)").
 *
 * orm_value_format: a value as text for display or export (owned string,
 * free with free()). NULL gives NULL; blobs as "\x" + hex.
 */
int orm_value_parse(orm_value *out, const orm_column *col, const char *text,
                    orm_error *err);
/** A value as text for display or export (see orm_value_parse()). */
char *orm_value_format(const orm_value *v, const orm_column *col);

/**
 * Check a value against its column before it goes to the database:
 * kind, String(n) length, Numeric precision, not-null. ORM_ETYPE /
 * ORM_ENOTNULL with a message naming the column.
 */
int orm_value_check(const orm_value *v, const orm_column *col, orm_error *err);

/**
 * Canonicalize a value read from a database for its column, in place, so
 * that every dialect gives the same text: Numeric with a declared scale
 * gets exactly `scale` decimals, without one trailing zeros go; booleans
 * from integers; timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]" (fraction
 * without trailing zeros), with zone as "+HH:MM"; UUIDs lower case.
 * The value becomes owned when it has to change.
 */
int orm_value_normalize(orm_value *v, const orm_column *col);

/** Evaluate a default generator ("token_hex(16)", "uuid4()", "now()")
 * into an owned value. ORM_EINVALID for an unknown generator. */
int orm_default_generate(orm_value *out, const char *gen, orm_error *err);

#endif
