/**
 * @file
 * The models file: models declared in INI, like the seed's class.
 *
 *     [Account]
 *     __tablename__ = accounts
 *     __repr__ = <Account {handle}>
 *     id = Integer primary_key
 *     handle = String(50) unique not_null
 *     secret_key = String(128) secret default=token_hex(16)
 *     owner_id = Integer references=accounts.id index
 *
 * Column options: primary_key, unique, not_null, nullable, index, secret,
 * autoincrement, default=LITERAL ('text', 12, true, null, or a generator
 * token_hex(N) / uuid4() / now()), server_default=SQL, references=TABLE.COL.
 * Model keys: __tablename__, __repr__, __schema__, __version__ (a column
 * used for optimistic locking), __unique__ = col1, col2.
 */
#ifndef ORM_MODELFILE_H
#define ORM_MODELFILE_H

#include <stddef.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/model.h"

/** One problem found in a models file. */
typedef struct orm_modelfile_problem {
    char *path;    /**< the file (or the name given for text) */
    int line;      /**< 1-based line */
    char *message; /**< what is wrong */
} orm_modelfile_problem;

/** What a models file gave: its models and its problems. */
typedef struct orm_modelfile {
    orm_model **models;              /**< owned run-time models */
    size_t nmodels;                  /**< number of models */
    orm_modelfile_problem *problems; /**< "path:line: message" items */
    size_t nproblems;                /**< number of problems */
} orm_modelfile;

/**
 * Load a models file (or text). Everything valid is kept; each problem is
 * recorded with its line, and the function returns ORM_EPARSE when there
 * was any (the models that loaded are still in *out). ORM_EIO when the
 * file cannot be read (err says why). *out is owned (orm_modelfile_free);
 * take models out of it by setting their slot to NULL.
 */
ORM_API int orm_modelfile_load(orm_modelfile **out, const char *path,
                               orm_error *err);
/** orm_modelfile_load() on text; problems name `name_for_messages`. */
ORM_API int orm_modelfile_parse(orm_modelfile **out, const char *text,
                                const char *name_for_messages, orm_error *err);
/** Free the result and the models left in it. Accepts NULL. */
ORM_API void orm_modelfile_free(orm_modelfile *mf);
/** "path:line: message" lines joined by '\n' (owned string). */
ORM_API char *orm_modelfile_problems_text(const orm_modelfile *mf);

#endif
