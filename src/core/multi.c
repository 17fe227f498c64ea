/* multi.c - transactions (see multi.h).
 *
 * Queue: each queued command is one allocation holding its kstr array and the argument
 * bytes, so EXEC can point c->argv at it. Watch registry: a hash table keyed by (db id,
 * key) whose entries list the watching clients; each client keeps the keys it watches, so
 * UNWATCH and disconnect undo their registrations without a scan.
 *
 * Expiry, as Redis 7.0: a key that was live at WATCH and has expired by EXEC is a change,
 * even if nothing deleted it yet. A key that had already expired at WATCH (still in
 * memory, not yet reclaimed) counts as missing: WATCH does not delete it, and its later
 * deletion (lazy or active expiry, flush) is no change; a new value is.
 */
#include "core/multi.h"

#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "ds/ht.h"

typedef struct queued {
    command *cmd;
    int argc;
    size_t mem;
    kstr argv[]; /* followed by the argument bytes */
} queued;

typedef struct multi_state {
    queued **cmds;
    size_t n, cap, mem;
} multi_state;

/* One client watching a key; `expired`: the key had already expired at WATCH (see top). */
typedef struct watcher {
    client *c;
    bool expired;
} watcher;

/* One watched (db, key): the clients watching it. */
typedef struct watched_key {
    int dbid;
    watcher *watchers;
    size_t n, cap;
    size_t keylen;
    char key[];
} watched_key;

/* A client's own list of the keys it watches. */
typedef struct watch_list {
    watched_key **items;
    size_t n, cap;
} watch_list;

struct wkey {
    int dbid;
    kstr key;
};

static ht *registry;

static uint64_t wk_hash_key(int dbid, kstr key)
{
    return hash_bytes(key.p, key.len) ^ ((uint64_t)dbid * 0x9e3779b97f4a7c15ULL);
}

static uint64_t wk_hash(const void *e)
{
    const watched_key *w = e;
    return wk_hash_key(w->dbid, kstr_make(w->key, w->keylen));
}

static bool wk_match(const void *e, const void *k)
{
    const watched_key *w = e;
    const struct wkey *q = k;
    return w->dbid == q->dbid && kstr_eq(kstr_make(w->key, w->keylen), q->key);
}

static const ht_type registry_type = {wk_hash, wk_match, NULL};

/* ---- queue ---- */

bool multi_runs_immediately(const command *cmd)
{
    static const char *const names[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(cmd->name, names[i]) && !cmd->parent) {
            return true;
        }
    }
    return false;
}

void multi_queue(client *c, command *cmd)
{
    multi_state *m = c->mstate;
    size_t bytes = 0;
    for (int i = 0; i < c->argc; i++) {
        bytes += c->argv[i].len;
    }
    queued *q = kv_malloc(sizeof(queued) + sizeof(kstr) * (size_t)c->argc + bytes);
    q->cmd = cmd;
    q->argc = c->argc;
    char *p = (char *)(q->argv + c->argc);
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].p, c->argv[i].len);
        q->argv[i] = kstr_make(p, c->argv[i].len);
        p += c->argv[i].len;
    }
    q->mem = kv_alloc_size(q);
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->cmds = kv_realloc(m->cmds, sizeof(queued *) * m->cap);
    }
    m->cmds[m->n++] = q;
    m->mem += q->mem;
    reply_raw(&c->out, "+QUEUED\r\n", 9);
}

void multi_flag_error(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        c->flags |= CLIENT_DIRTY_EXEC;
    }
}

static void discard_queue(client *c)
{
    multi_state *m = c->mstate;
    if (m) {
        for (size_t i = 0; i < m->n; i++) {
            kv_free(m->cmds[i]);
        }
        kv_free(m->cmds);
        kv_free(m);
        c->mstate = NULL;
    }
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS);
}

size_t multi_queued(const client *c)
{
    return c->mstate ? ((multi_state *)c->mstate)->n : 0;
}

bool multi_queued_write(const client *c)
{
    const multi_state *m = c->mstate;
    for (size_t i = 0; m && i < m->n; i++) {
        if (m->cmds[i]->cmd->flags & CMD_WRITE) {
            return true;
        }
    }
    return false;
}

size_t multi_mem(const client *c)
{
    return c->mstate ? ((multi_state *)c->mstate)->mem : 0;
}

/* ---- watch ---- */

static watcher *watcher_of(watched_key *wk, const client *c)
{
    for (size_t i = 0; i < wk->n; i++) {
        if (wk->watchers[i].c == c) {
            return &wk->watchers[i];
        }
    }
    return NULL;
}

static void unwatch_all(client *c)
{
    watch_list *wl = c->watched;
    if (!wl) {
        return;
    }
    for (size_t i = 0; i < wl->n; i++) {
        watched_key *wk = wl->items[i];
        watcher *w = watcher_of(wk, c);
        if (w) {
            *w = wk->watchers[--wk->n];
        }
        if (wk->n == 0) {
            struct wkey k = {wk->dbid, kstr_make(wk->key, wk->keylen)};
            ht_remove(registry, wk_hash_key(wk->dbid, k.key), &k);
            kv_free(wk->watchers);
            kv_free(wk);
        }
    }
    kv_free(wl->items);
    kv_free(wl);
    c->watched = NULL;
}

static void watch_key(client *c, kstr key)
{
    watch_list *wl = c->watched;
    if (!wl) {
        wl = c->watched = kv_calloc(sizeof(*wl));
    }
    int dbid = c->db->id;
    for (size_t i = 0; i < wl->n; i++) {
        watched_key *wk = wl->items[i];
        if (wk->dbid == dbid && kstr_eq(kstr_make(wk->key, wk->keylen), key)) {
            return; /* already watched */
        }
    }
    struct wkey k = {dbid, key};
    uint64_t h = wk_hash_key(dbid, key);
    watched_key *wk = ht_find(registry, h, &k);
    if (!wk) {
        wk = kv_calloc(sizeof(*wk) + key.len);
        wk->dbid = dbid;
        wk->keylen = key.len;
        memcpy(wk->key, key.p, key.len);
        ht_insert(registry, h, wk);
    }
    if (wk->n == wk->cap) {
        wk->cap = wk->cap ? wk->cap * 2 : 2;
        wk->watchers = kv_realloc(wk->watchers, sizeof(watcher) * wk->cap);
    }
    /* A peek, not a lookup: lazy expiry here would signal a change to this very watch. */
    kobj *o = db_peek(c->db, key);
    wk->watchers[wk->n++] = (watcher){c, o && db_is_expired(o)};
    if (wl->n == wl->cap) {
        wl->cap = wl->cap ? wl->cap * 2 : 4;
        wl->items = kv_realloc(wl->items, sizeof(watched_key *) * wl->cap);
    }
    wl->items[wl->n++] = wk;
}

static void touch(db *d, kstr key)
{
    if (!ht_size(registry)) {
        return;
    }
    struct wkey k = {d->id, key};
    watched_key *wk = ht_find(registry, wk_hash_key(d->id, key), &k);
    if (!wk) {
        return;
    }
    /* The hook runs after the change: a key gone now was deleted. */
    bool present = db_peek(d, key) != NULL;
    for (size_t i = 0; i < wk->n; i++) {
        watcher *w = &wk->watchers[i];
        if (w->expired && !present) {
            w->expired = false; /* the already expired key went away: no change */
            continue;
        }
        w->c->flags |= CLIENT_DIRTY_CAS;
    }
}

/* Before the keys of `emptied` go, replaced by those of `replaced_with` (SWAPDB) or by
 * nothing (flush): marks the watchers of emptied's keys whose value changes. */
static void touch_all_in_db(db *emptied, db *replaced_with)
{
    if (!ht_size(registry)) {
        return;
    }
    ht_iter it;
    ht_iter_init(&it, registry);
    for (watched_key *wk; (wk = ht_iter_next(&it));) {
        if (wk->dbid != emptied->id) {
            continue;
        }
        kstr key = kstr_make(wk->key, wk->keylen);
        kobj *was = db_peek(emptied, key);
        kobj *now = replaced_with ? db_peek(replaced_with, key) : NULL;
        if (!was && !now) {
            continue;
        }
        for (size_t i = 0; i < wk->n; i++) {
            watcher *w = &wk->watchers[i];
            if (w->expired) {
                if (!now) {
                    w->expired = false; /* the already expired key went away */
                    continue;
                }
                if (db_is_expired(now)) {
                    continue; /* expired before, expired after */
                }
            } else if (!was && db_is_expired(now)) {
                w->expired = true; /* missing before, an expired key after: still missing */
                continue;
            }
            w->c->flags |= CLIENT_DIRTY_CAS;
        }
    }
    ht_iter_done(&it);
}

static void flushed(db *d)
{
    touch_all_in_db(d, NULL);
}

static void swapped(db *a, db *b)
{
    touch_all_in_db(a, b);
    touch_all_in_db(b, a);
}

/* A watched key, live at WATCH, that has logically expired since. */
static bool watched_key_expired(client *c)
{
    watch_list *wl = c->watched;
    for (size_t i = 0; wl && i < wl->n; i++) {
        watched_key *wk = wl->items[i];
        if (watcher_of(wk, c)->expired) {
            continue;
        }
        kobj *o = db_peek(db_get(wk->dbid), kstr_make(wk->key, wk->keylen));
        if (o && db_is_expired(o)) {
            return true;
        }
    }
    return false;
}

void multi_reset(client *c)
{
    discard_queue(c);
    unwatch_all(c);
}

void multi_setup(void)
{
    registry = ht_create(&registry_type);
    static const db_hooks hooks = {touch, flushed, swapped};
    db_add_hooks(&hooks);
}

/* ---- commands ---- */

static void cmd_multi(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(&c->out, "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    c->mstate = kv_calloc(sizeof(multi_state));
    reply_ok(&c->out);
}

static void cmd_discard(client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(&c->out, "ERR DISCARD without MULTI");
        return;
    }
    multi_reset(c);
    reply_ok(&c->out);
}

static void cmd_exec(client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(&c->out, "ERR EXEC without MULTI");
        return;
    }
    if (watched_key_expired(c)) {
        c->flags |= CLIENT_DIRTY_CAS;
    }
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(&c->out, "EXECABORT Transaction discarded because of previous errors.");
        multi_reset(c);
        return;
    }
    if (c->flags & CLIENT_DIRTY_CAS) {
        reply_null_array(&c->out);
        multi_reset(c);
        return;
    }
    /* Watches end before the commands run: their own writes must not abort anything. */
    unwatch_all(c);
    multi_state *m = c->mstate;
    kstr *argv = c->argv;
    int argc = c->argc;
    command *exec_cmd = c->cmd;
    reply_array(&c->out, m->n);
    for (size_t i = 0; i < m->n; i++) {
        queued *q = m->cmds[i];
        c->argv = q->argv;
        c->argc = q->argc;
        dispatch_call(c, q->cmd);
    }
    c->argv = argv;
    c->argc = argc;
    c->cmd = exec_cmd;
    discard_queue(c);
}

static void cmd_watch(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(&c->out, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (int i = 1; i < c->argc; i++) {
        watch_key(c, c->argv[i]);
    }
    reply_ok(&c->out);
}

static void cmd_unwatch(client *c)
{
    unwatch_all(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    reply_ok(&c->out);
}

#define TX "transactions"
#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

command multi_commands[] = {
    {"multi", cmd_multi, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 0, 0, 0, 0, TX,
     "Mark the start of a transaction block", "1.2.0", "O(1)", NULL, NULL},
    {"exec", cmd_exec, 1, TX_FLAGS | CMD_SKIP_SLOWLOG, 0, 0, 0, 0, TX,
     "Execute all commands issued after MULTI", "1.2.0",
     "Depends on commands in the transaction", NULL, NULL},
    {"discard", cmd_discard, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 0, 0, 0, 0, TX,
     "Discard all commands issued after MULTI", "2.0.0",
     "O(N), when N is the number of queued commands", NULL, NULL},
    {"watch", cmd_watch, -2, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 1, -1, 1, KS_RO, TX,
     "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0",
     "O(1) for every key.", NULL, NULL},
    {"unwatch", cmd_unwatch, 1, TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY, 0, 0, 0, 0, TX,
     "Forget about all watched keys", "2.2.0", "O(1)", NULL, NULL},
    {0},
};
