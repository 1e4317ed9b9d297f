/*
 * A look at a MySQL/MariaDB server's greeting before logging in.
 *
 * libmariadb 3.3 starts TLS only when the server offers it and, unless
 * certificates are verified, carries on in plain text when it does not:
 * it has sent the login (and, if the server asks for the
 * mysql_clear_password plugin, the password itself) before anyone can
 * check. So with ssl_mode=REQUIRED the driver first reads the greeting
 * on a connection of its own and refuses a server that does not offer
 * TLS before libmariadb sends anything.
 */
#ifndef MY_HANDSHAKE_H
#define MY_HANDSHAKE_H

typedef enum my_tls_offer {
    MY_TLS_NO_ANSWER = -2, /* connected, but no greeting within the time */
    MY_TLS_UNKNOWN = -1,   /* no greeting read: let the real connect report */
    MY_TLS_NOT_OFFERED = 0,
    MY_TLS_OFFERED = 1
} my_tls_offer;

/* Connects to host:port over TCP (port 0: $MYSQL_TCP_PORT, else 3306),
 * reads the server's greeting within timeout_s seconds (0: 10), closes
 * the connection without sending anything, and says whether the server
 * offers TLS (the CLIENT_SSL capability), or that it did not answer in
 * time (MY_TLS_NO_ANSWER: connecting or reading the greeting took all of
 * it). */
my_tls_offer my_server_tls_offer(const char *host, unsigned port,
                                 unsigned timeout_s);

#endif
