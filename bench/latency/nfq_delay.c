/*
 * nfq_delay: hold every packet entering a network namespace for a fixed
 * time, then let it go. This kernel has no sch_netem, so the latency bench
 * delays packets in user space: iptables in the namespace sends the packets
 * coming in and going out to queue NUM (`-j NFQUEUE --queue-num NUM`); this
 * program gives each incoming packet its ACCEPT verdict DELAY_US
 * microseconds after it arrived, and each outgoing one at once.
 *
 *   nfq_delay NUM DELAY_US [COUNT_FILE]
 *
 * The whole round trip is spent on the way in, on purpose. A packet held on
 * its way out (iptables' OUTPUT) is still in its sender's kernel and counts
 * as not yet sent: TCP small queues let a socket have two such packets
 * (TSO packets) at a time and hold the third until one has left, and
 * autocorking holds a small write while one is there. An answer of three
 * packets or more, or written in parts, then waited RTT/2 more than on a
 * real link, where a packet leaves its host in microseconds and the delay
 * is on the wire. A packet coming in has left its sender (the receiving
 * side drops it from its socket before iptables sees it), so holding it
 * there is the wire. All of the delay on one side is the same as half on
 * each: every packet between the two sides crosses the link, so it moves
 * everything the outer side sees RTT/2 earlier, and what it measures (from
 * its own start to its own end) does not change.
 *
 * With COUNT_FILE it also counts round trips on the wire and keeps the
 * count there (decimal, rewritten on each change): a round trip is a TCP
 * SYN-ACK, or a packet with data from the server (leaving the namespace)
 * after the client (entering it) sent data. A connection's close, which
 * no one waits for, is not one; neither is the rest of a long answer.
 * Unlike time, the count does not grow when the machine is busy.
 *
 * The delay is the same for every incoming packet, so verdicts are due in
 * arrival order: a FIFO of (packet id, due time) is the whole schedule, and
 * packets never overtake each other (no reordering, no loss). It runs until
 * SIGTERM or SIGINT; while it is gone, packets sent to the queue are dropped,
 * so the bench adds its iptables rules after starting it and removes them
 * first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <unistd.h>

typedef struct held {
    uint32_t id;
    int64_t due_ns;
} held;

typedef struct fifo {
    held *items;
    size_t cap, head, len;
} fifo;

static volatile sig_atomic_t stop;
static int64_t delay_ns;
static int count_fd = -1;
static long long round_trips;
static int client_spoke; /* data from the client since the server's last */

/* Count a round trip per answer the client waited for (see the top). */
static void count_packet(struct nfq_data *nfa)
{
    unsigned char *data = NULL;
    int len = nfq_get_payload(nfa, &data);
    if (count_fd < 0 || len < (int)sizeof(struct iphdr))
        return;
    const struct iphdr *ip = (const struct iphdr *)data;
    size_t ihl = (size_t)ip->ihl * 4;
    if (ip->protocol != IPPROTO_TCP ||
        (size_t)len < ihl + sizeof(struct tcphdr))
        return;
    const struct tcphdr *tcp = (const struct tcphdr *)(data + ihl);
    size_t total = ntohs(ip->tot_len), head = ihl + (size_t)tcp->doff * 4;
    /* A GSO packet past 64 KiB carries 0 as its length: it has data. */
    int has_data = total == 0 || total > head;
    int inbound = nfq_get_indev(nfa) != 0;
    int counted = 0;
    if (inbound) {
        client_spoke |= has_data || (tcp->syn && !tcp->ack);
    } else if (tcp->syn || has_data) {
        counted = client_spoke;
        client_spoke = 0;
    }
    if (counted) {
        char text[24];
        int n = snprintf(text, sizeof text, "%-20lld\n", ++round_trips);
        if (pwrite(count_fd, text, (size_t)n, 0) != n)
            perror("nfq_delay: count file");
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fifo_push(fifo *q, held h)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4096;
        held *items = malloc(cap * sizeof *items);
        if (!items)
            return -1;
        for (size_t i = 0; i < q->len; i++)
            items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items;
        q->cap = cap;
        q->head = 0;
    }
    q->items[(q->head + q->len) % q->cap] = h;
    q->len++;
    return 0;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
                     struct nfq_data *nfa, void *payload)
{
    fifo *q = payload;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    (void)msg;
    if (!ph)
        return 0;
    count_packet(nfa);
    held h = {ntohl(ph->packet_id), now_ns() + delay_ns};
    /* Going out: let it leave its sender's kernel now (see the top). */
    if (nfq_get_indev(nfa) == 0)
        return nfq_set_verdict(qh, h.id, NF_ACCEPT, 0, NULL);
    if (fifo_push(q, h) != 0) {
        /* Out of memory: pass it on undelayed rather than lose it. */
        return nfq_set_verdict(qh, h.id, NF_ACCEPT, 0, NULL);
    }
    return 0;
}

/* Give every packet that is due its verdict; the time until the next. */
static int64_t release_due(struct nfq_q_handle *qh, fifo *q)
{
    int64_t now = now_ns();
    while (q->len) {
        held *h = &q->items[q->head];
        if (h->due_ns > now)
            return h->due_ns - now;
        nfq_set_verdict(qh, h->id, NF_ACCEPT, 0, NULL);
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    return -1;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s QUEUE_NUM DELAY_US [COUNT_FILE]\n", argv[0]);
        return 2;
    }
    unsigned long num = strtoul(argv[1], &end, 10);
    if (*end || num > 65535) {
        fprintf(stderr, "nfq_delay: bad queue number '%s'\n", argv[1]);
        return 2;
    }
    long long delay_us = strtoll(argv[2], &end, 10);
    if (*end || delay_us < 0 || delay_us > 10000000) {
        fprintf(stderr, "nfq_delay: bad delay '%s' (microseconds, 0..1e7)\n",
                argv[2]);
        return 2;
    }
    delay_ns = delay_us * 1000;
    if (argc == 4 &&
        (count_fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        perror(argv[3]);
        return 1;
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    fifo q = {0};
    struct nfq_handle *h = nfq_open();
    if (!h) {
        perror("nfq_delay: nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)num, on_packet, &q);
    if (!qh) {
        perror("nfq_delay: nfq_create_queue");
        nfq_close(h);
        return 1;
    }
    /* Metadata (and the IP and TCP headers when counting); big queue and
     * socket buffer: a bulk transfer keeps a whole window of packets held
     * at once. GSO packets stay whole. */
    if ((count_fd < 0 ? nfq_set_mode(qh, NFQNL_COPY_META, 0)
                      : nfq_set_mode(qh, NFQNL_COPY_PACKET, 128)) < 0 ||
        nfq_set_queue_maxlen(qh, 1 << 20) < 0) {
        perror("nfq_delay: queue setup");
        return 1;
    }
    nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
    nfnl_rcvbufsiz(nfq_nfnlh(h), 64u << 20);

    int fd = nfq_fd(h);
    char buf[65536] __attribute__((aligned));
    printf("nfq_delay: queue %lu, %lld us\n", num, delay_us);
    fflush(stdout);
    while (!stop) {
        int64_t wait_ns = release_due(qh, &q);
        struct timespec ts = {0, 0}, *timeout = NULL;
        if (wait_ns >= 0) {
            ts.tv_sec = wait_ns / 1000000000;
            ts.tv_nsec = wait_ns % 1000000000;
            timeout = &ts;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = ppoll(&pfd, 1, timeout, NULL);
        if (n < 0 && errno != EINTR) {
            perror("nfq_delay: ppoll");
            break;
        }
        if (n <= 0)
            continue;
        /* Read everything waiting, without blocking. */
        for (;;) {
            ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (len < 0) {
                if (errno == ENOBUFS) {
                    fprintf(stderr, "nfq_delay: socket buffer overrun\n");
                    continue;
                }
                break;
            }
            nfq_handle_packet(h, buf, (int)len);
        }
    }
    /* Let held packets go before leaving. */
    while (q.len) {
        nfq_set_verdict(qh, q.items[q.head].id, NF_ACCEPT, 0, NULL);
        q.head = (q.head + 1) % q.cap;
        q.len--;
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    free(q.items);
    return 0;
}
