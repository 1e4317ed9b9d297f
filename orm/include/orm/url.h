/**
 * @file
 * Connection URLs, written as SQLAlchemy writes them:
 *
 *     sqlite:///relative.db   sqlite:////absolute/path.db
 *     sqlite://  sqlite:///:memory:   (an in-memory database)
 *     postgresql://user:password@host:port/dbname?sslmode=require
 *     mysql://user:password@host:port/dbname   (also mariadb://)
 *     dialect+driver://...   (the driver part is accepted and ignored)
 *
 * User, password, host, database and query values are percent-decoded.
 * Errors name the part that is wrong and never contain the password.
 */
#ifndef ORM_URL_H
#define ORM_URL_H

#include <stddef.h>

#include "orm/api.h"
#include "orm/error.h"

/** One `?key=value` query parameter, percent-decoded. */
typedef struct orm_url_param {
    char *key;   /**< the name */
    char *value; /**< the value */
} orm_url_param;

/** A parsed URL; every string is owned by it. */
typedef struct orm_url {
    char *dialect;  /**< "sqlite", "postgresql", "mysql" (normalized:
                       "postgres" → "postgresql", "mariadb" → "mysql") */
    char *driver;   /**< the "+driver" part, or NULL */
    char *user;     /**< NULL when absent */
    char *password; /**< NULL when absent */
    char *host;     /**< NULL when absent; "[::1]" is stored as "::1" */
    int port;       /**< 0 when absent */
    char *database; /**< sqlite: file path (NULL or ":memory:" = memory) */
    orm_url_param *params; /**< query parameters in the order written */
    size_t nparams;        /**< number of params */
} orm_url;

/** Parse `text`. On success *out is owned by the caller (orm_url_free). */
ORM_API int orm_url_parse(orm_url **out, const char *text, orm_error *err);
/** Free a parsed URL. Accepts NULL. */
ORM_API void orm_url_free(orm_url *url);

/** Value of a query parameter, or NULL. */
ORM_API const char *orm_url_param_get(const orm_url *url, const char *key);

/** Replace the password (copied; NULL removes it). */
ORM_API int orm_url_set_password(orm_url *url, const char *password);

/**
 * The URL as text without the password (a password that was present shows
 * as "***"), for titles, messages and as the key of saved state. Owned
 * string, free(). `redact` = 0 keeps the password (for handing to a
 * driver only; never print it).
 */
ORM_API char *orm_url_format(const orm_url *url, int redact);

#endif
