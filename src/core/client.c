/* client.c - client lifecycle, reading and parsing requests, writing replies.
 *
 *   socket --read--> shared buffer --parse--> argv --dispatch--> out chain
 *                       | unfinished request copied to c->qbuf
 *   before-sleep: write every client with pending output once (writev), arm EV_WRITE
 *   only for those the socket did not take whole.
 *
 * Backpressure: a client whose unread replies exceed OUTPUT_PAUSE bytes stops being read
 * until they drain, so a client that pipelines without reading cannot grow the server's
 * memory without bound; the server keeps serving everyone else.
 *
 * Blocked clients (core/blocking.c): parsing stops after the blocking command; the socket
 * is still read (so a disconnect is seen) and input waits in the private buffer. When
 * the client is unblocked, client_unblocked() queues it and before-sleep runs its
 * buffered requests, before writing replies.
 */
#include "core/client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/blocking.h"
#include "core/clientevict.h"
#include "core/dispatch.h"
#include "core/multi.h"
#include "core/obuf.h"
#include "core/server.h"
#include "core/tracking.h"
#include "obs/info.h"
#include "pubsub/pubsub.h"

#define IOBUF_LEN (16 * 1024)
#define OUTPUT_PAUSE (4 * 1024 * 1024)
#define BIG_ARG (32 * 1024)

static char shared_buf[IOBUF_LEN];
static client *clients;        /* doubly linked, newest first */
static size_t nclients;
static client *pending_writes; /* singly linked through pw_next */
static bool have_closed;
static client **unblocked;     /* CLIENT_UNBLOCKED clients, in unblock order */
static size_t nunblocked, capunblocked;

static void on_event(ev_loop *loop, int fd, void *data, int mask);
void (*client_write_barrier)(void);

void client_setup(void)
{
    clients = NULL;
    nclients = 0;
}

client *client_first(void)
{
    return clients;
}

size_t client_count(void)
{
    return nclients;
}

client *client_by_id(uint64_t id)
{
    for (client *c = clients; c; c = c->next) {
        if (c->id == id) {
            return c;
        }
    }
    return NULL;
}

client *client_create(int fd, bool unix_socket)
{
    client *c = kv_calloc(sizeof(*c));
    c->id = ++srv.next_client_id;
    c->fd = fd;
    c->db = db_get(0);
    c->resp = 2;
    reply_init(&c->out);
    resp_parser_init(&c->parser);
    c->ctime_ms = c->last_interaction_ms = clock_ms();
    if (!srv.cfg.requirepass || !srv.cfg.requirepass[0]) {
        c->flags |= CLIENT_AUTHENTICATED;
    }
    if (fd >= 0) {
        if (unix_socket) {
            c->flags |= CLIENT_UNIX;
            snprintf(c->addr, sizeof(c->addr), "%s:0", srv.cfg.unixsocket);
            snprintf(c->laddr, sizeof(c->laddr), "%s:0", srv.cfg.unixsocket);
        } else {
            net_set_nodelay(fd);
            if (srv.cfg.tcp_keepalive > 0) {
                net_set_keepalive(fd, srv.cfg.tcp_keepalive);
            }
            net_format_addr(fd, 0, c->addr, sizeof(c->addr));
            net_format_addr(fd, 1, c->laddr, sizeof(c->laddr));
        }
        if (ev_add(srv.loop, fd, EV_READ, on_event, c) < 0) {
            kv_free(c);
            return NULL;
        }
    } else {
        c->flags |= CLIENT_FAKE | CLIENT_AUTHENTICATED;
    }
    c->next = clients;
    if (clients) {
        clients->prev = c;
    }
    clients = c;
    nclients++;
    return c;
}

static void unlink_pending(client *c)
{
    if (!(c->flags & CLIENT_PENDING_WRITE)) {
        return;
    }
    for (client **p = &pending_writes; *p; p = &(*p)->pw_next) {
        if (*p == c) {
            *p = c->pw_next;
            break;
        }
    }
    c->flags &= ~CLIENT_PENDING_WRITE;
}

void client_close(client *c)
{
    cevict_forget(c);
    unlink_pending(c);
    blocking_client_gone(c);
    if (c->flags & CLIENT_UNBLOCKED) {
        for (size_t i = 0; i < nunblocked; i++) {
            if (unblocked[i] == c) {
                unblocked[i] = NULL;
            }
        }
    }
    dispatch_client_gone(c);
    multi_reset(c);
    pubsub_client_gone(c);
    tracking_client_gone(c);
    if (c->fd >= 0) {
        ev_del(srv.loop, c->fd, EV_READ | EV_WRITE);
        close(c->fd);
    }
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        clients = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    nclients--;
    reply_reset(&c->out);
    kv_free(c->qbuf);
    kv_free(c->slices);
    kv_free(c->argv);
    kv_free(c->name);
    kv_free(c->lib_name);
    kv_free(c->lib_ver);
    kv_free(c);
}

void client_close_async(client *c)
{
    cevict_forget(c);
    c->flags |= CLIENT_CLOSE_ASAP;
    have_closed = true;
}

void client_close_async_drop_output(client *c)
{
    client_close_async(c);
    if (!(c->flags & CLIENT_EXECUTING)) {
        reply_reset(&c->out);
        c->out.discard = true; /* a closing client's replies are never written */
    }
}

void client_free_closed(void)
{
    if (!have_closed) {
        return;
    }
    have_closed = false;
    client *c = clients;
    while (c) {
        client *next = c->next;
        if (c->flags & CLIENT_CLOSE_ASAP) {
            client_close(c);
        }
        c = next;
    }
}

void client_set_resp(client *c, int resp)
{
    c->resp = resp;
    c->out.resp = resp;
}

void client_after_reply(client *c)
{
    if (c->out.pending && !(c->flags & CLIENT_PENDING_WRITE) && c->fd >= 0) {
        c->flags |= CLIENT_PENDING_WRITE;
        c->pw_next = pending_writes;
        pending_writes = c;
    }
    obuf_maybe_check(c);
    cevict_check(c);
}

/* ---- reading and parsing ---- */

static void ensure_argv(client *c, size_t want)
{
    if (want <= c->slices_cap) {
        return;
    }
    c->slices = kv_realloc(c->slices, want * sizeof(resp_arg));
    c->argv = kv_realloc(c->argv, want * sizeof(kstr));
    c->slices_cap = c->argv_cap = want;
}

static void protocol_error(client *c, const char *msg)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "ERR %s", msg);
    reply_error(&c->out, buf);
    srv.stats.total_error_replies++;
    info_record_error("ERR", 1);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    log_verbose("Protocol error (%s) from client: id=%llu addr=%s", msg,
                (unsigned long long)c->id, c->addr);
}

/* ---- pipelined batches ----
 *
 * Each key lookup costs two dependent cache misses (the bucket, then the entry): more
 * than parsing and running a GET or SET. So when more requests follow the one just
 * parsed, up to BATCH_MAX of them are parsed ahead, the key of each (taken to be argv[1]:
 * true of most commands, and a wrong guess only wastes a prefetch) hashed and its bucket
 * prefetched, then the entries those buckets point at. The requests then run in order
 * from the stored parse, the lookups reuse the hashes (db_prefetch), and each finds its
 * lines in cache. Parsing ahead uses a throwaway parser state and limits no request can
 * change: only authenticated clients batch (AUTH changes the limits).
 */
#define BATCH_MAX DB_PREFETCH_MAX
#define BATCH_ARGS 64 /* slices shared by the requests of one batch */

typedef struct batch {
    size_t start;              /* buffer offset of request `next` */
    int n, next;
    uint32_t len[BATCH_MAX];   /* bytes of request i */
    uint16_t argc[BATCH_MAX], first[BATCH_MAX];
    resp_arg args[BATCH_ARGS]; /* offsets relative to the request's start */
} batch;

static void batch_fill(client *c, batch *b, char *buf, size_t at, size_t len,
                       const resp_limits *lim)
{
    resp_parser p;
    resp_parser_init(&p);
    uint64_t hashes[BATCH_MAX];
    int used = 0;
    b->start = at;
    b->n = b->next = 0;
    db_prefetch_begin();
    while (b->n < BATCH_MAX && at < len && buf[at] == '*') {
        if (resp_parse(&p, buf + at, len - at, lim, b->args + used,
                       (size_t)(BATCH_ARGS - used)) != RESP_OK ||
            p.argc == 0 || p.consumed > UINT32_MAX) {
            break; /* incomplete, large or odd: the general path takes it from here */
        }
        int i = b->n++;
        b->len[i] = (uint32_t)p.consumed;
        b->argc[i] = (uint16_t)p.argc;
        b->first[i] = (uint16_t)used;
        hashes[i] = 0;
        if (p.argc >= 2) {
            resp_arg k = b->args[used + 1];
            hashes[i] = db_prefetch(c->db, kstr_make(buf + at + k.off, k.len));
        }
        used += (int)p.argc;
        at += p.consumed;
    }
    for (int i = 0; i < b->n; i++) {
        if (b->argc[i] >= 2) {
            db_prefetch_entry(c->db, hashes[i]);
        }
    }
}

/* Takes the next request of the batch if it starts at `at` and the client is still
 * authenticated (RESET may have ended that); else drops the batch. */
static bool batch_take(client *c, batch *b, size_t at)
{
    if (b->next >= b->n || b->start != at || !(c->flags & CLIENT_AUTHENTICATED)) {
        b->n = b->next = 0;
        return false;
    }
    int i = b->next++;
    ensure_argv(c, b->argc[i]);
    memcpy(c->slices, b->args + b->first[i], sizeof(resp_arg) * b->argc[i]);
    c->parser.argc = b->argc[i];
    c->parser.consumed = b->len[i];
    b->start += b->len[i];
    return true;
}

static size_t run_requests(client *c, char *buf, size_t len);

/* Parses and executes the requests in buf[0..len). Returns bytes consumed: the rest is an
 * unfinished request (or input left unread behind backpressure or a closing client). */
static size_t process_buffer(client *c, char *buf, size_t len)
{
    size_t done = run_requests(c, buf, len);
    db_prefetch_end(); /* the hashes it remembered point into buf */
    return done;
}

static size_t run_requests(client *c, char *buf, size_t len)
{
    size_t done = 0;
    resp_limits lim = {srv.cfg.proto_max_bulk_len, RESP_MAX_INLINE_LEN_DEFAULT,
                       !(c->flags & CLIENT_AUTHENTICATED)};
    batch b;
    b.n = b.next = 0;
    while (done < len) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) {
            return len; /* drop the rest, as Redis does after QUIT or an error */
        }
        if (c->flags & CLIENT_BLOCKED) {
            break;      /* the rest runs once unblocked (client_unblocked) */
        }
        if (c->out.pending > OUTPUT_PAUSE) {
            break;
        }
        lim.unauthenticated = !(c->flags & CLIENT_AUTHENTICATED);
        int rc = batch_take(c, &b, done)
                     ? RESP_OK
                     : resp_parse(&c->parser, buf + done, len - done, &lim, c->slices,
                                  c->slices_cap);
        if (rc == RESP_GROW) {
            ensure_argv(c, c->parser.argv_want); /* already geometric, capped at argc */
            continue;
        }
        if (rc == RESP_NEED_MORE) {
            break;
        }
        if (rc == RESP_ERROR) {
            protocol_error(c, c->parser.error);
            return len;
        }
        size_t argc = c->parser.argc;
        c->argv_mem = 0;
        for (size_t i = 0; i < argc; i++) {
            c->argv[i] = kstr_make(buf + done + c->slices[i].off, c->slices[i].len);
            c->argv_mem += c->slices[i].len;
        }
        c->argc = (int)argc;
        size_t used = c->parser.consumed;
        if (b.next >= b.n && done + used < len && !lim.unauthenticated) {
            batch_fill(c, &b, buf, done + used, len, &lim); /* more requests follow */
        }
        /* As Redis, client eviction is checked before each command: the previous ones'
         * replies count, and a client evicted here does not run this one. */
        if (argc > 0 && cevict_check(c)) {
            c->argc = 0;
            return len;
        }
        if (argc > 0) {
            dispatch_command(c);
        }
        c->argc = 0;
        if (!(c->flags & CLIENT_BLOCKED)) {
            c->argv_mem = 0; /* a blocked command's arguments stay, for CLIENT LIST */
        }
        done += used;
    }
    return done;
}

/* Keeps buf[done..len) (an unfinished request) in the client's private buffer. */
static void keep_rest(client *c, const char *buf, size_t done, size_t len, bool is_private)
{
    size_t rest = len - done;
    if (is_private) {
        if (rest == 0) {
            /* Everything consumed: give the buffer back unless it is small. */
            if (c->qcap > IOBUF_LEN) {
                kv_free(c->qbuf);
                c->qbuf = NULL;
                c->qcap = 0;
            }
            c->qlen = 0;
        } else if (done) {
            memmove(c->qbuf, c->qbuf + done, rest);
            c->qlen = rest;
        }
        return;
    }
    if (rest == 0) {
        return;
    }
    if (c->qcap < rest) {
        c->qbuf = kv_realloc(c->qbuf, rest < IOBUF_LEN ? IOBUF_LEN : rest);
        c->qcap = kv_alloc_size(c->qbuf);
    }
    memcpy(c->qbuf, buf + done, rest);
    c->qlen = rest;
}

static void pause_reading(client *c)
{
    if (!(c->flags & CLIENT_READ_PAUSED)) {
        c->flags |= CLIENT_READ_PAUSED;
        ev_del(srv.loop, c->fd, EV_READ);
    }
}

static void read_and_process(client *c)
{
    char *buf;
    size_t avail;
    bool is_private = c->qlen > 0;
    if (is_private) {
        /* Grow towards what the parser says it needs (a large bulk then arrives with few
         * reads), but at most doubling per read: memory follows the bytes received, so a
         * client announcing a huge bulk and sending nothing holds little. */
        size_t want = c->qlen + IOBUF_LEN;
        if (c->parser.need_hint > want) {
            size_t doubled = c->qcap * 2;
            want = c->parser.need_hint < doubled ? c->parser.need_hint : doubled;
            if (want < c->qlen + IOBUF_LEN) {
                want = c->qlen + IOBUF_LEN;
            }
        }
        if (want > c->qcap) {
            c->qbuf = kv_realloc(c->qbuf, want);
            c->qcap = kv_alloc_size(c->qbuf);
        }
        buf = c->qbuf;
        avail = c->qcap - c->qlen;
    } else {
        buf = shared_buf;
        avail = sizeof(shared_buf);
    }
    size_t start = is_private ? c->qlen : 0;
    ssize_t n = read(c->fd, buf + start, avail);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return;
        }
        log_verbose("Reading from client: %s", strerror(errno));
        client_close_async(c);
        return;
    }
    if (n == 0) {
        log_verbose("Client closed connection id=%llu addr=%s", (unsigned long long)c->id,
                    c->addr);
        client_close_async(c);
        return;
    }
    srv.stats.net_input_bytes += n;
    dispatch_clock_reset();
    c->last_interaction_ms = db_now_ms;
    size_t len = start + (size_t)n;
    if (is_private) {
        c->qlen = len;
    }
    size_t done = process_buffer(c, buf, len);
    keep_rest(c, buf, done, len, is_private);
    if (c->qlen > (size_t)srv.cfg.client_query_buffer_limit) {
        log_warning("Closing client that reached max query buffer length: id=%llu addr=%s "
                    "qbuf=%zu", (unsigned long long)c->id, c->addr, c->qlen);
        srv.stats.client_qbuf_limit_disconnections++;
        client_close_async(c);
        return;
    }
    if (c->out.pending > OUTPUT_PAUSE) {
        pause_reading(c);
    }
    client_after_reply(c);
}

/* Resumes a client paused by backpressure once its output drained: first the requests
 * still buffered, then the socket. */
static void resume_reading(client *c)
{
    c->flags &= ~CLIENT_READ_PAUSED;
    if (c->qlen) {
        dispatch_clock_reset();
        size_t done = process_buffer(c, c->qbuf, c->qlen);
        keep_rest(c, c->qbuf, done, c->qlen, true);
        if (c->out.pending > OUTPUT_PAUSE) {
            c->flags |= CLIENT_READ_PAUSED;
            return;
        }
    }
    ev_add(srv.loop, c->fd, EV_READ, on_event, c);
}

/* ---- writing ---- */

/* Writes what the socket takes. Returns false when the client was closed. */
static bool write_client(client *c)
{
    ssize_t w = reply_write(&c->out, c->fd);
    if (w < 0) {
        log_verbose("Error writing to client: %s", strerror(errno));
        client_close_async(c);
        return false;
    }
    srv.stats.net_output_bytes += w;
    if (cevict_on && !(c->flags & CLIENT_NO_EVICT)) {
        cevict_update(c);
    }
    if (c->out.pending == 0) {
        ev_del(srv.loop, c->fd, EV_WRITE);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
            client_close_async(c);
            return false;
        }
        if (c->flags & CLIENT_READ_PAUSED) {
            resume_reading(c);
            client_after_reply(c);
        }
    } else if (c->flags & CLIENT_READ_PAUSED && c->out.pending < OUTPUT_PAUSE / 2) {
        /* Half drained: accept more requests; the write event stays armed. */
        resume_reading(c);
    }
    return true;
}

/* The one callback for a client's socket (the loop keeps one per fd): the mask says
 * whether this call is for readability or writability. */
static void on_event(ev_loop *loop, int fd, void *data, int mask)
{
    client *c = data;
    if (c->flags & CLIENT_CLOSE_ASAP) {
        return;
    }
    if (mask & EV_READ) {
        read_and_process(c);
    } else if (mask & EV_WRITE) {
        if (client_write_barrier) {
            client_write_barrier();
        }
        write_client(c);
    }
}

void client_unblocked(client *c)
{
    if (c->flags & CLIENT_UNBLOCKED) {
        return;
    }
    if (nunblocked == capunblocked) {
        capunblocked = capunblocked ? capunblocked * 2 : 8;
        unblocked = kv_realloc(unblocked, sizeof(client *) * capunblocked);
    }
    c->flags |= CLIENT_UNBLOCKED;
    unblocked[nunblocked++] = c;
}

/* Runs the requests unblocked clients pipelined while they waited. Those may unblock
 * further clients (appended here, run in the same pass) or block again. */
static void run_unblocked(void)
{
    for (size_t i = 0; i < nunblocked; i++) {
        client *c = unblocked[i];
        if (!c) {
            continue;
        }
        c->flags &= ~CLIENT_UNBLOCKED;
        if (!c->qlen || (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP | CLIENT_READ_PAUSED))) {
            continue; /* a paused client resumes through resume_reading() */
        }
        dispatch_clock_reset();
        size_t done = process_buffer(c, c->qbuf, c->qlen);
        keep_rest(c, c->qbuf, done, c->qlen, true);
        if (c->out.pending > OUTPUT_PAUSE) {
            pause_reading(c);
        }
        client_after_reply(c);
    }
    nunblocked = 0;
}

void client_run_unblocked(void)
{
    if (nunblocked) {
        run_unblocked();
    }
}

void client_flush_pending(void)
{
    if (nunblocked) {
        run_unblocked();
    }
    tracking_before_sleep(); /* BCAST invalidations go out with this turn's writes */
    if (cevict_on) {
        cevict_run(); /* as Redis's before-sleep: whatever grew without a checkpoint */
    }
    while (pending_writes) {
        client *c = pending_writes;
        pending_writes = c->pw_next;
        c->flags &= ~CLIENT_PENDING_WRITE;
        if (c->flags & CLIENT_CLOSE_ASAP) {
            continue;
        }
        if (write_client(c) && c->out.pending) {
            ev_add(srv.loop, c->fd, EV_WRITE, on_event, c);
        }
    }
}

/* ---- introspection and cron ---- */

/* CLIENT LIST flags, in Redis's order. */
static void flags_string(const client *c, char *out)
{
    static const struct {
        uint32_t flag;
        char ch;
    } marks[] = {{CLIENT_MONITOR, 'O'},   {CLIENT_PUBSUB, 'P'}, {CLIENT_MULTI, 'x'},
                 {CLIENT_BLOCKED, 'b'},    {CLIENT_TRACKING, 't'},
                 {CLIENT_TRACKING_BROKEN_REDIR, 'R'}, {CLIENT_TRACKING_BCAST, 'B'},
                 {CLIENT_DIRTY_CAS, 'd'},
                 {CLIENT_CLOSE_AFTER_REPLY, 'c'}, {CLIENT_UNBLOCKED, 'u'},
                 {CLIENT_CLOSE_ASAP, 'A'}, {CLIENT_UNIX, 'U'},
                 {CLIENT_NO_EVICT, 'e'}};
    char *p = out;
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        if (c->flags & marks[i].flag) {
            *p++ = marks[i].ch;
        }
    }
    if (p == out) {
        *p++ = 'N';
    }
    *p = '\0';
}

size_t client_info_line(const client *c, char *buf, size_t cap)
{
    char flags[16];
    flags_string(c, flags);
    size_t sub, psub, ssub;
    pubsub_client_counts(c, &sub, &psub, &ssub);
    int64_t now = clock_ms();
    size_t qbuf_free = c->qcap > c->qlen ? c->qcap - c->qlen : 0;
    size_t omem = c->out.pending;
    size_t tot = client_memory(c);
    int n = snprintf(
        buf, cap,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%zu "
        "psub=%zu ssub=%zu multi=%lld qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=%zu rbs=%zu "
        "rbp=%zu obl=0 oll=0 omem=%zu tot-mem=%zu events=r%s cmd=%s user=default redir=%lld "
        "resp=%d lib-name=%s lib-ver=%s",
        (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
        (long long)(now - c->ctime_ms) / 1000, (long long)(now - c->last_interaction_ms) / 1000,
        flags, c->db->id, sub, psub, ssub,
        (c->flags & CLIENT_MULTI) ? (long long)multi_queued(c) : -1LL,
        c->qlen, qbuf_free, c->argv_mem, multi_mem(c), c->qcap, c->qlen, omem, tot,
        c->out.pending ? "w" : "", c->lastcmd ? c->lastcmd->fullname : "NULL",
        tracking_redirect_of(c), c->resp,
        c->lib_name ? c->lib_name : "", c->lib_ver ? c->lib_ver : "");
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

size_t client_memory(const client *c)
{
    size_t mem = sizeof(client) + c->qcap + c->out.pending + multi_mem(c) +
                 c->argv_cap * (sizeof(kstr) + sizeof(resp_arg));
    if (c->pubsub) {
        /* Redis counts a dict entry and slot per channel, a list node per pattern. */
        size_t sub, psub, ssub;
        pubsub_client_counts(c, &sub, &psub, &ssub);
        mem += (sub + ssub) * 32 + psub * 24;
    }
    return mem;
}

void client_cron(int64_t now_ms)
{
    /* A client over its soft output limit that neither reads nor gets more output is
     * still closed once the limit's time is up, as Redis's client cron does. */
    for (client *c = clients; c; c = c->next) {
        if (c->obuf_soft_since) {
            obuf_check_limits(c);
        }
    }
    if (cevict_on) {
        cevict_cron();
    }
    if (srv.cfg.timeout <= 0) {
        return;
    }
    for (client *c = clients; c; c = c->next) {
        /* Blocked clients wait on their own timeout, as in Redis. */
        if (c->fd < 0 || (c->flags & (CLIENT_MONITOR | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED))) {
            continue;
        }
        if (now_ms - c->last_interaction_ms > (int64_t)srv.cfg.timeout * 1000) {
            log_verbose("Closing idle client");
            client_close_async(c);
        }
    }
}
