/**
 * @file
 * Connection options every network driver reads alike: TLS (mode,
 * certificate files) and timeouts (connect, statement), from a URL's
 * query under the names libpq, MySQL clients and SQLAlchemy users write,
 * so the same URL options mean the same on PostgreSQL and MariaDB:
 *
 * | meaning                | accepted keys                |
 * |------------------------|------------------------------|
 * | TLS mode               | `sslmode`, `ssl_mode`, `ssl` |
 * | CA file (root cert)    | `sslrootcert`, `ssl_ca`      |
 * | client certificate     | `sslcert`, `ssl_cert`        |
 * | client key             | `sslkey`, `ssl_key`          |
 * | connect timeout        | `connect_timeout` (seconds)  |
 * | statement timeout      | `statement_timeout`          |
 *
 * A mode is any of libpq's or MySQL's words (case-insensitive, `-` or
 * `_`): disable(d), allow, prefer(red), require(d), verify-ca,
 * verify-full / verify-identity; `ssl` also takes true/false. A statement
 * timeout is a number with an optional unit `ms`, `s` or `min` (bare:
 * milliseconds, as PostgreSQL's setting reads it).
 */
#ifndef ORM_SYS_CONNOPT_H
#define ORM_SYS_CONNOPT_H

#include <stddef.h>

#include "orm/api.h"
#include "orm/error.h"
#include "orm/url.h"

/** The connect timeout when neither the URL nor orm_db_options give one
 * (orm_db_options.connect_timeout_s 0): every network driver waits this
 * long for a server that does not answer, never without end. */
#define ORM_CONNECT_TIMEOUT_DEFAULT_S 10

/** TLS modes, weakest first. */
typedef enum orm_tls_mode {
    ORM_TLS_UNSET = 0,  /**< not given: the client library's default */
    ORM_TLS_DISABLE,    /**< never */
    ORM_TLS_ALLOW,      /**< plain first, TLS if the server insists */
    ORM_TLS_PREFER,     /**< TLS when offered, else plain */
    ORM_TLS_REQUIRE,    /**< TLS or nothing; a given CA is still checked */
    ORM_TLS_VERIFY_CA,  /**< and the certificate chain is checked */
    ORM_TLS_VERIFY_FULL /**< and the certificate names the host */
} orm_tls_mode;

/** What a URL says about TLS and timeouts. Strings are borrowed from the
 * URL. */
typedef struct orm_conn_params {
    orm_tls_mode tls;          /**< ORM_TLS_UNSET when not given */
    const char *tls_key;       /**< the key that gave the mode, as written */
    const char *tls_value;     /**< its value, as written */
    const char *ca_file;       /**< CA certificate file, or NULL */
    const char *cert_file;     /**< client certificate file, or NULL */
    const char *key_file;      /**< client key file, or NULL */
    int connect_timeout_s;     /**< 0: not given */
    long statement_timeout_ms; /**< 0: none */
} orm_conn_params;

/**
 * Read the options above from `url`'s query into *out. Returns 0, or
 * ORM_EINVALID (message names the key and what is wrong with its value)
 * for an unknown mode, a bad number, or two keys that disagree.
 */
ORM_API int orm_conn_params_read(orm_conn_params *out, const orm_url *url,
                                 orm_error *err);

/** Is `key` one orm_conn_params_read() consumes? (A driver that hands
 * other query parameters to its client library skips these.) */
ORM_API int orm_conn_param_is_known(const char *key);

/**
 * A duration as a person reads it: "2 s", "1.5 s", "0.25 s", "3 min"
 * would be "180 s". Writes into buf (always terminated); returns buf.
 */
ORM_API const char *orm_duration_text(char *buf, size_t size, long ms);

/** Why a TLS connection was refused, for orm_conn_tls_failure(). */
typedef enum orm_tls_failure {
    ORM_TLS_FAIL_OTHER = 0, /**< anything else in the TLS handshake */
    ORM_TLS_FAIL_HOST,      /**< the certificate does not name the host */
    ORM_TLS_FAIL_CA         /**< not signed by the CA (file) */
} orm_tls_failure;

/**
 * Set `err` (ORM_ECONNECT) to one message for a refused TLS connection,
 * the same on every dialect: what failed, the host (and port, 0: none)
 * asked for, the CA file (or that none was given), the mode, that the
 * login was not sent (for HOST and CA: drivers call this only when the
 * check came before the login), then the client library's own words. `detail`
 * is the library's text; it must not contain a password. Returns the code.
 */
ORM_API int orm_conn_tls_failure(orm_error *err, const orm_conn_params *p,
                                 orm_tls_failure why, const char *host,
                                 int port, const char *detail);

/**
 * Set `err` (ORM_ECONNECT) to "cannot connect to HOST:PORT: the server
 * did not answer within N s (connect_timeout)". Returns the code.
 */
ORM_API int orm_conn_timeout_failure(orm_error *err, const char *host, int port,
                                     int seconds);

/**
 * Set `err` (ORM_ETIMEOUT) to "statement cancelled after N s
 * (statement_timeout)". Returns the code.
 */
ORM_API int orm_statement_timeout_failure(orm_error *err, long ms);

#endif
