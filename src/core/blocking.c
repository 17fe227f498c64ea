/* blocking.c - clients blocked on keys, their wake-up, timeouts and unblocking (see
 * blocking.h for the contract).
 *
 *   registry (ht): (db id, key) -> bkey: FIFO of the clients blocked on it
 *        bkey "q" db0:  [c7] <-> [c9] <-> [c12]      first blocked is served first
 *   client->bstate: the blocked command (cmd, argv copy, serve function), its deadline and
 *        heap slot, and one entry per key holding the client's FIFO node for that key, so
 *        unblocking unlinks in O(keys) without searching.
 *   ready queue: (db id, key) copies in signal order; bkey->ready de-duplicates.
 *   timeout heap: blocked clients with a deadline, earliest first; one event timer armed
 *        for the earliest deadline (monotonic ms), re-armed from its own callback.
 *
 * Invariant: a client is in the registry, and in the heap when it has a deadline, exactly
 * while CLIENT_BLOCKED is set; bkeys with no clients are freed at once. The ready queue
 * holds copies, never bkey pointers, so a bkey may go away while its key is queued.
 *
 * Wake-up comes from the keyspace change hook (every add, replace, delete and in-place
 * write signals its key), so writers need no explicit call; blocking_signal_key_ready()
 * is public for writes that bypass the hook. The hook subscribes at setup (or on the
 * first block) beside WATCH's (db_add_hooks).
 */
#include "core/blocking.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/util.h"
#include "core/server.h"
#include "obs/info.h"
#include "obs/slowlog.h"
#include "persist/propagate.h"

typedef struct bnode {
    client *c;
    struct bnode *prev, *next;
} bnode;

typedef struct bkey {
    int dbid;
    bool ready;              /* in the ready queue */
    bnode *head, *tail;
    size_t keylen;
    char key[];
} bkey;

typedef struct bent {
    bkey *k;
    bnode node;
} bent;

typedef struct bstate {
    blocking_serve_fn *serve;
    command *cmd;
    int argc;
    kstr *argv;              /* points into args */
    int64_t deadline;        /* monotonic ms; 0 = none */
    size_t heap_idx;
    int nkeys;
    bent *keys;
    char *args;              /* argument bytes */
} bstate;

typedef struct rkey {
    struct rkey *next;
    int dbid;
    size_t keylen;
    char key[];
} rkey;

struct lookup {
    int dbid;
    kstr key;
};

bool blocking_have_ready;

static ht *registry;
static rkey *ready_head, *ready_tail;
static size_t nblocked;
static client **heap;
static size_t nheap, capheap;
static long long timer_id = -1;
static int64_t timer_due;
static bool hooked;

static int64_t mono_ms(void)
{
    return (int64_t)(clock_mono_us() / 1000);
}

/* ---- registry ---- */

static uint64_t key_hash(int dbid, kstr key)
{
    return hash_bytes(key.p, key.len) ^ ((uint64_t)(dbid + 1) * 0x9e3779b97f4a7c15ULL);
}

static uint64_t bk_hash(const void *e)
{
    const bkey *k = e;
    return key_hash(k->dbid, kstr_make(k->key, k->keylen));
}

static bool bk_match(const void *e, const void *l)
{
    const bkey *k = e;
    const struct lookup *q = l;
    return k->dbid == q->dbid && kstr_eq(kstr_make(k->key, k->keylen), q->key);
}

static const ht_type registry_type = {bk_hash, bk_match, NULL};

static bkey *find_key(int dbid, kstr key)
{
    struct lookup q = {dbid, key};
    return ht_find(registry, key_hash(dbid, key), &q);
}

/* ---- timeout heap ---- */

static int64_t deadline_of(size_t i)
{
    return ((bstate *)heap[i]->bstate)->deadline;
}

static void heap_set(size_t i, client *c)
{
    heap[i] = c;
    ((bstate *)c->bstate)->heap_idx = i;
}

static void heap_up(size_t i)
{
    client *c = heap[i];
    int64_t d = ((bstate *)c->bstate)->deadline;
    while (i > 0 && deadline_of((i - 1) / 2) > d) {
        heap_set(i, heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(i, c);
}

static void heap_down(size_t i)
{
    client *c = heap[i];
    int64_t d = ((bstate *)c->bstate)->deadline;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        int64_t md = d;
        if (l < nheap && deadline_of(l) < md) {
            m = l;
            md = deadline_of(l);
        }
        if (l + 1 < nheap && deadline_of(l + 1) < md) {
            m = l + 1;
        }
        if (m == i) {
            break;
        }
        heap_set(i, heap[m]);
        i = m;
    }
    heap_set(i, c);
}

static void heap_remove(client *c)
{
    size_t i = ((bstate *)c->bstate)->heap_idx;
    client *last = heap[--nheap];
    if (i == nheap) {
        return;
    }
    heap_set(i, last);
    heap_up(i);
    heap_down(((bstate *)last->bstate)->heap_idx);
}

static void time_out(client *c);

static long on_timer(ev_loop *loop, long long id, void *data)
{
    int64_t now = mono_ms();
    while (nheap && deadline_of(0) <= now) {
        time_out(heap[0]);
    }
    if (!nheap) {
        timer_id = -1;
        return EV_NOMORE;
    }
    long wait = (long)(deadline_of(0) - now);
    timer_due = now + wait;
    return wait;
}

static void heap_add(client *c)
{
    if (nheap == capheap) {
        capheap = capheap ? capheap * 2 : 16;
        heap = kv_realloc(heap, sizeof(client *) * capheap);
    }
    heap_set(nheap, c);
    heap_up(nheap++);
    int64_t d = ((bstate *)c->bstate)->deadline;
    if (timer_id < 0 || d < timer_due) {
        /* A later timer stays behind, dead, until its due time: one per new earliest
         * deadline, never one per blocked client. */
        if (timer_id >= 0) {
            ev_timer_del(srv.loop, timer_id);
        }
        int64_t wait = d - mono_ms();
        timer_id = ev_timer_add(srv.loop, wait > 0 ? (long)wait : 0, on_timer, NULL);
        timer_due = d;
    }
}

/* ---- hooks ---- */

static void on_key_changed(db *d, kstr key)
{
    blocking_signal_key_ready(d, key);
}

static void on_swapped(db *a, db *b)
{
    if (!nblocked) {
        return;
    }
    /* Runs before the swap; serving runs after the command, on the swapped contents. */
    ht_iter it;
    ht_iter_init(&it, registry);
    for (bkey *k; (k = ht_iter_next(&it));) {
        if (k->dbid == a->id || k->dbid == b->id) {
            blocking_signal_key_ready(db_get(k->dbid), kstr_make(k->key, k->keylen));
        }
    }
    ht_iter_done(&it);
}

void blocking_setup(void)
{
    if (hooked) {
        return;
    }
    hooked = true;
    registry = ht_create(&registry_type);
    static const db_hooks hooks = {on_key_changed, NULL, on_swapped};
    db_add_hooks(&hooks);
}

/* ---- blocking and unblocking ---- */

bool blocking_timeout_or_reply(client *c, kstr arg, long long *timeout_ms)
{
    long double secs;
    if (!str_to_ld(arg.p, arg.len, &secs)) {
        reply_error(&c->out, "ERR timeout is not a float or out of range");
        return false;
    }
    /* Redis 7.0 converts with ceill and a plain cast: values past LLONG_MAX ms (inf too)
     * come out negative on x86, hence "negative" for 1e20 and inf; -0.0001 rounds up to 0
     * (forever). */
    long double ms = ceill(secs * 1000.0L);
    if (!(ms < 9223372036854775807.0L) || ms < 0) {
        reply_error(&c->out, "ERR timeout is negative");
        return false;
    }
    long long t = (long long)ms;
    /* Redis adds the clock without an overflow check; the wrapped deadline never comes. */
    if (t > LLONG_MAX - clock_ms()) {
        t = 0;
    }
    *timeout_ms = t;
    return true;
}

bool blocking_may_block(const client *c)
{
    return !(c->flags & (CLIENT_MULTI | CLIENT_FAKE));
}

void blocking_block(client *c, const kstr *keys, int nkeys, long long timeout_ms,
                    blocking_serve_fn *serve)
{
    blocking_setup();
    size_t bytes = 0;
    for (int i = 0; i < c->argc; i++) {
        bytes += c->argv[i].len;
    }
    bstate *b = kv_calloc(sizeof(*b));
    b->serve = serve;
    b->cmd = c->cmd;
    b->argc = c->argc;
    b->argv = kv_malloc(sizeof(kstr) * (size_t)c->argc);
    b->args = kv_malloc(bytes ? bytes : 1);
    char *p = b->args;
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].p, c->argv[i].len);
        b->argv[i] = kstr_make(p, c->argv[i].len);
        p += c->argv[i].len;
    }
    b->keys = kv_malloc(sizeof(bent) * (size_t)nkeys);
    c->bstate = b;
    c->flags |= CLIENT_BLOCKED;
    nblocked++;

    int dbid = c->db->id;
    for (int i = 0; i < nkeys; i++) {
        bool dup = false;
        for (int j = 0; j < b->nkeys && !dup; j++) {
            dup = kstr_eq(kstr_make(b->keys[j].k->key, b->keys[j].k->keylen), keys[i]);
        }
        if (dup) {
            continue;
        }
        bkey *k = find_key(dbid, keys[i]);
        if (!k) {
            k = kv_calloc(sizeof(*k) + keys[i].len);
            k->dbid = dbid;
            k->keylen = keys[i].len;
            memcpy(k->key, keys[i].p, keys[i].len);
            ht_insert(registry, key_hash(dbid, keys[i]), k);
        }
        bent *e = &b->keys[b->nkeys++];
        e->k = k;
        e->node.c = c;
        e->node.next = NULL;
        e->node.prev = k->tail;
        if (k->tail) {
            k->tail->next = &e->node;
        } else {
            k->head = &e->node;
        }
        k->tail = &e->node;
    }
    if (timeout_ms > 0) {
        /* Rounded up to the next whole ms: the timer compares whole ms and must never fire
         * before the full timeout has passed. */
        b->deadline = (int64_t)((clock_mono_us() + 999) / 1000) + timeout_ms;
        heap_add(c);
    }
}

/* Takes c out of every structure and frees its state. Replies are the caller's. */
static void unblock(client *c)
{
    bstate *b = c->bstate;
    for (int i = 0; i < b->nkeys; i++) {
        bkey *k = b->keys[i].k;
        bnode *n = &b->keys[i].node;
        if (n->prev) {
            n->prev->next = n->next;
        } else {
            k->head = n->next;
        }
        if (n->next) {
            n->next->prev = n->prev;
        } else {
            k->tail = n->prev;
        }
        if (!k->head) {
            struct lookup q = {k->dbid, kstr_make(k->key, k->keylen)};
            ht_remove(registry, key_hash(k->dbid, q.key), &q);
            kv_free(k);
        }
    }
    if (b->deadline) {
        heap_remove(c);
    }
    kv_free(b->keys);
    kv_free(b->argv);
    kv_free(b->args);
    kv_free(b);
    c->bstate = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    c->argv_mem = 0;
    nblocked--;
}

/* After a reply was queued for c and c left the blocked state: write it, then run what c
 * pipelined meanwhile. */
static void finish(client *c)
{
    client_after_reply(c);
    client_unblocked(c);
}

/* Appends a reply to blocked client c the way its own command would: CLIENT REPLY OFF
 * still drops it. */
static void reply_as_blocked(client *c, const char *err)
{
    bool discard = c->out.discard;
    c->out.discard = (c->flags & CLIENT_REPLY_OFF) != 0;
    if (err) {
        reply_error(&c->out, err);
    } else {
        reply_null_array(&c->out);
    }
    c->out.discard = discard;
}

static void time_out(client *c)
{
    reply_as_blocked(c, NULL);
    unblock(c);
    finish(c);
}

bool blocking_unblock(client *target, bool error)
{
    if (!(target->flags & CLIENT_BLOCKED)) {
        return false;
    }
    bstate *b = target->bstate;
    command *cmd = b->cmd;
    if (error) {
        reply_as_blocked(target, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
        srv.stats.total_error_replies++;
        info_record_error("UNBLOCKED", 1);
    } else {
        reply_as_blocked(target, NULL);
    }
    unblock(target);
    /* Redis 7.0 counts a failed call either way, and logs an argument-less slow log
     * entry (its argv is already gone by then). */
    cmd->stats.failed_calls++;
    int argc = target->argc;
    target->argc = 0;
    slowlog_push(target, 0);
    target->argc = argc;
    finish(target);
    return true;
}

void blocking_client_gone(client *c)
{
    if (c->flags & CLIENT_BLOCKED) {
        unblock(c);
    }
}

size_t blocking_clients(void)
{
    return nblocked;
}

size_t blocking_clients_in_timeout(void)
{
    return nheap;
}

/* ---- serving ---- */

void blocking_signal_key_ready(db *d, kstr key)
{
    if (!nblocked) {
        return;
    }
    bkey *k = find_key(d->id, key);
    if (!k || k->ready) {
        return;
    }
    k->ready = true;
    rkey *r = kv_malloc(sizeof(*r) + key.len);
    r->next = NULL;
    r->dbid = d->id;
    r->keylen = key.len;
    memcpy(r->key, key.p, key.len);
    if (ready_tail) {
        ready_tail->next = r;
    } else {
        ready_head = r;
    }
    ready_tail = r;
    blocking_have_ready = true;
}

/* Runs c's serve function with its blocked command in place. True when it served c. */
static bool serve_client(client *c, kstr key)
{
    bstate *b = c->bstate;
    kstr *argv = c->argv;
    int argc = c->argc;
    command *cmd = c->cmd;
    bool discard = c->out.discard;
    c->argv = b->argv;
    c->argc = b->argc;
    c->cmd = b->cmd;
    c->out.discard = (c->flags & CLIENT_REPLY_OFF) != 0;
    long long errors_before = c->out.errors;
    uint64_t start = clock_mono_us();
    bool propagating = propagate_on;
    if (propagating) {
        propagate_enter(c->db->id); /* a unit of its own; serve functions rewrite */
    }
    uint32_t executing = c->flags & CLIENT_EXECUTING;
    c->flags |= CLIENT_EXECUTING;
    db_dirty_frame outer;
    db_dirty_begin(&outer);
    bool served = b->serve(c, key);
    srv.dirty += db_dirty_end(&outer);
    c->flags = (c->flags & ~(uint32_t)CLIENT_EXECUTING) | executing;
    if (propagating) {
        propagate_leave(NULL, 0);
    }
    long long dur = (long long)(clock_mono_us() - start);
    if (served) {
        command_stats *st = &b->cmd->stats;
        st->usec += dur;
        long long errs = c->out.errors - errors_before;
        if (errs) {
            st->failed_calls++;
            srv.stats.total_error_replies += errs;
            info_record_error(c->out.last_error, errs);
        }
        if (!(b->cmd->flags & CMD_SKIP_SLOWLOG)) {
            slowlog_push(c, dur);
        }
    }
    c->argv = argv;
    c->argc = argc;
    c->cmd = cmd;
    c->out.discard = discard;
    return served;
}

/* Serves the clients blocked on one ready key, in the order they blocked, while the key
 * exists (a served pop that empties a collection deletes its key). */
static void serve_key(int dbid, kstr key)
{
    db *d = db_get(dbid);
    bkey *k = find_key(dbid, key);
    bnode *n = k ? k->head : NULL;
    while (n) {
        if (!db_find(d, key)) {
            break;
        }
        bnode *next = n->next;
        client *c = n->c;
        bool last = next == NULL;
        if (!(c->flags & CLIENT_CLOSE_ASAP) && serve_client(c, key)) {
            unblock(c); /* may free k when c was its last client */
            finish(c);
        }
        if (last) {
            break;
        }
        n = next;
    }
    /* Signals raised while serving this key were for this visit: drop the mark only now
     * so they do not queue a second, useless one. */
    k = find_key(dbid, key);
    if (k) {
        k->ready = false;
    }
}

void blocking_serve_ready(void)
{
    while (ready_head) {
        rkey *r = ready_head;
        ready_head = r->next;
        if (!ready_head) {
            ready_tail = NULL;
        }
        serve_key(r->dbid, kstr_make(r->key, r->keylen));
        kv_free(r);
    }
    blocking_have_ready = false;
}
