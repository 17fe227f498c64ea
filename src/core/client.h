/* client.h - a connected client: its socket, query buffer, parsed arguments and replies.
 *
 * Lifecycle: client_create() on accept, client_close() when the peer goes, after QUIT or
 * a protocol error (once the reply is written), or on CLIENT KILL. Handlers never free a
 * client: they set CLIENT_CLOSE_ASAP and the loop frees it in before-sleep, so a pointer
 * to the running client stays valid for the whole command.
 *
 * Reading: a client with no partial request reads into a shared buffer; only the bytes
 * of an unfinished request are copied into a private buffer. Idle clients therefore hold
 * no input memory. Arguments (argv) point into whichever buffer holds the request and are
 * valid until the command returns.
 */
#ifndef KV_CLIENT_H
#define KV_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/kstr.h"
#include "core/command.h"
#include "db/db.h"
#include "net/net.h"
#include "proto/reply.h"
#include "proto/resp_parse.h"

enum {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0,
    CLIENT_CLOSE_ASAP = 1 << 1,
    CLIENT_AUTHENTICATED = 1 << 2,
    CLIENT_MONITOR = 1 << 3,
    CLIENT_PENDING_WRITE = 1 << 4,
    CLIENT_UNIX = 1 << 5,
    CLIENT_NO_EVICT = 1 << 6,
    CLIENT_REPLY_OFF = 1 << 7,
    CLIENT_REPLY_SKIP_NEXT = 1 << 8,
    CLIENT_REPLY_SKIP = 1 << 9,
    CLIENT_READ_PAUSED = 1 << 10, /* backpressure: too much output pending */
    CLIENT_FAKE = 1 << 11,
    CLIENT_MULTI = 1 << 12,
    CLIENT_DIRTY_CAS = 1 << 13,  /* a watched key changed: EXEC fails */
    CLIENT_DIRTY_EXEC = 1 << 14, /* a command was rejected while queueing: EXECABORT */
    CLIENT_BLOCKED = 1 << 15,    /* waiting in a blocking command (core/blocking.c) */
    CLIENT_UNBLOCKED = 1 << 16,  /* unblocked; its buffered requests run before sleep */
    CLIENT_PUBSUB = 1 << 17,     /* has a subscription (pubsub/pubsub.c) */
    /* Client-side caching (core/tracking.c). */
    CLIENT_TRACKING = 1 << 18,
    CLIENT_TRACKING_BCAST = 1 << 19,
    CLIENT_TRACKING_OPTIN = 1 << 20,
    CLIENT_TRACKING_OPTOUT = 1 << 21,
    CLIENT_TRACKING_CACHING = 1 << 22, /* CLIENT CACHING given for the next command */
    CLIENT_TRACKING_NOLOOP = 1 << 23,
    CLIENT_TRACKING_BROKEN_REDIR = 1 << 24, /* the redirect target has gone */
    CLIENT_EXECUTING = 1 << 25, /* a handler is building its reply (may hold reply_defer) */
};

typedef struct client {
    uint64_t id;
    int fd;
    uint32_t flags;
    int resp;                 /* protocol, mirrored in out.resp */
    db *db;
    char *name;               /* NULL when unset */
    char *lib_name, *lib_ver; /* CLIENT SETINFO */
    char addr[NET_ADDR_LEN], laddr[NET_ADDR_LEN];

    char *qbuf;               /* private buffer for an unfinished request, or NULL */
    size_t qlen, qcap;
    resp_parser parser;
    resp_arg *slices;
    size_t slices_cap;
    kstr *argv;
    int argc;
    size_t argv_cap;
    size_t argv_mem;          /* bytes of the arguments of the current command */

    command *cmd, *lastcmd;
    void *mstate;             /* MULTI queue (core/multi.c), NULL outside MULTI */
    void *watched;            /* WATCHed keys (core/multi.c) */
    void *bstate;             /* blocked command (core/blocking.c), NULL when not blocked */
    void *pubsub;             /* subscriptions (pubsub/pubsub.c), NULL before the first */
    void *tracking;           /* client-side caching (core/tracking.c), NULL when off */
    reply_out out;
    int64_t ctime_ms, last_interaction_ms;
    long long commands;       /* processed by this client */
    int64_t obuf_soft_since;  /* s: output went over its soft limit (core/obuf.c); 0 under */
    size_t mem_counted;       /* memory last added to the client eviction sum (clientevict.c) */

    struct client *prev, *next;  /* all clients */
    struct client *pw_next;      /* pending-write list */
} client;

void client_setup(void);
client *client_create(int fd, bool unix_socket);
void client_close(client *c);          /* immediate: only from the loop, never a handler */
void client_close_async(client *c);    /* from handlers */
/* Closes c asynchronously and frees its pending output now, unless its own handler is
 * running: what it held is gone before the next client grows (client eviction). */
void client_close_async_drop_output(client *c);
void client_free_closed(void);         /* before-sleep: frees CLOSE_ASAP clients */
void client_flush_pending(void);       /* before-sleep: writes buffered replies */
/* before-sleep: runs what unblocked clients pipelined (client_flush_pending does it too;
 * call it first when something must happen between those commands and the writes). */
void client_run_unblocked(void);
/* Runs before replies are written outside before-sleep (a socket that became writable
 * mid-turn may carry replies to commands of this turn): the AOF with appendfsync always
 * must reach the disk first. NULL: nothing to do. */
extern void (*client_write_barrier)(void);
void client_after_reply(client *c);    /* accounting after a reply was queued */
/* c left the blocked state: the requests it pipelined meanwhile run before the loop
 * sleeps (never nested inside another client's command). */
void client_unblocked(client *c);

client *client_first(void);            /* iteration over all clients */
client *client_by_id(uint64_t id);
size_t client_count(void);
void client_set_resp(client *c, int resp);
/* Writes one CLIENT LIST line (no newline) for c into buf. */
size_t client_info_line(const client *c, char *buf, size_t cap);
/* Memory the client holds, as CLIENT LIST tot-mem and client eviction count it: the
 * struct, query buffer, argument arrays, pending output, MULTI queue, subscriptions. */
size_t client_memory(const client *c);
/* Closes clients idle for more than `timeout` seconds (the timeout directive). */
void client_cron(int64_t now_ms);

#endif
