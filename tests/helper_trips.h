/*
 * Counting round trips on the wire, for tests that hold orb to a budget
 * of them: a TCP proxy on 127.0.0.1 in front of a test server that counts
 * every answer a client waited for (server data after client data), as
 * the latency bench's nfq_delay does (bench/README.md). Exact and
 * independent of timing or load. Every connection through the proxy
 * counts (orb's cancel connection too).
 */
#ifndef HELPER_TRIPS_H
#define HELPER_TRIPS_H

typedef struct test_trips test_trips;

/* Start a proxy to the host and port of `url` (a postgresql:// or
 * mysql:// test URL); *proxied is `url` with its host and port replaced
 * by the proxy's (owned). Fails the test when it cannot. */
test_trips *test_trips_start(const char *url, char **proxied);
/* Round trips counted so far, over every connection. */
long test_trips_count(test_trips *t);
/* Connections made through the proxy so far (a cancel opens one). */
long test_trips_connections(test_trips *t);
/* Bytes the servers sent so far, over every connection. */
long test_trips_server_bytes(test_trips *t);
/* The network goes away after `bytes` more bytes have come from the
 * servers (over every connection): from then on nothing is passed either
 * way, nothing is closed, and a new connection is never answered (its
 * SYN is dropped: the listen queue is kept full), as when a cable is
 * pulled or a firewall starts dropping. 0: now (returns once it is). */
void test_trips_cut_after(test_trips *t, long bytes);
/* Whether the network has gone away (test_trips_cut_after). */
int test_trips_cut(test_trips *t);
/* Stop the proxy and close its connections. NULL is fine. */
void test_trips_stop(test_trips *t);

#endif
