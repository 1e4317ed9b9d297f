/**
 * @file
 * The whole public API of the orb ORM: include this one header.
 */
#ifndef ORM_ORM_H
#define ORM_ORM_H

#include "orm/error.h"
#include "orm/value.h"
#include "orm/model.h"
#include "orm/url.h"
#include "orm/expr.h"
#include "orm/db.h"
#include "orm/record.h"
#include "orm/session.h"
#include "orm/query.h"
#include "orm/modelfile.h"
#include "orm/version.h"

/**
 * The detail of the last failure on a handle, whatever its type: an
 * orm_db, orm_session, orm_query or orm_cursor (const or not). It is
 * orm_db_error(), orm_session_error(), orm_query_error() or
 * orm_cursor_error(), chosen by C11 `_Generic`; the result is borrowed
 * from the handle. Where each call puts its failure: see orm/error.h.
 *
 *     if (orm_query_all(q, &rows, &n) != 0)
 *         fprintf(stderr, "%s\n", orm_error_text(orm_last_error(q)));
 */
#define orm_last_error(handle)                                                 \
    _Generic((handle),                                                         \
        orm_db *: orm_db_error,                                                \
        const orm_db *: orm_db_error,                                          \
        orm_session *: orm_session_error,                                      \
        const orm_session *: orm_session_error,                                \
        orm_query *: orm_query_error,                                          \
        const orm_query *: orm_query_error,                                    \
        orm_cursor *: orm_cursor_error,                                        \
        const orm_cursor *: orm_cursor_error)(handle)

#endif
