/* db.h - the keyspace: numbered databases of entries, lookups with lazy expiry, TTL
 * bookkeeping, the active expiry cycle and keyspace statistics.
 *
 * Conventions. Keys are kstrs borrowed for the call. Entries (kobj) are owned by the
 * database; a pointer returned by a lookup is valid until the next call that mutates that
 * database. To change an entry in a way that may move it, take its slot with db_ref() and
 * store the result back: `*ref = kobj_with_str(*ref, v, enc)`. Use db_set_expire() rather
 * than kobj_with_expire() directly: it also keeps the per-database TTL count.
 *
 * Time. db_now_ms is the command's clock: the server sets it once before each command, so
 * that a command (and a transaction later) sees one instant, as Redis does.
 */
#ifndef KV_DB_H
#define KV_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "base/kstr.h"
#include "db/object.h"
#include "ds/ht.h"

typedef struct db {
    int id;
    ht *keys;
    size_t expires;         /* entries with a TTL */
    uint64_t expire_cursor; /* active expiry scan position */
    int64_t avg_ttl;        /* estimate, for INFO keyspace */
} db;

typedef struct db_stats {
    long long hits, misses, expired_keys, expired_stale_perc_x100, expire_cycle_cpu_us;
    long long expire_cycle_time_used;
} db_stats_t;

extern db_stats_t db_stats;
extern int64_t db_now_ms;
extern uint32_t db_lru_clock; /* seconds, 24 bits, updated by the server cron */
/* While set (loading a persisted dataset) nothing counts as expired, as in Redis: the
 * replayed commands must see the keys they saw when they first ran. */
extern bool db_expiry_paused;

void db_setup(int count);
void db_teardown(void);
int db_count(void);
db *db_get(int id);

/* Lookups. All of them delete an expired key first (lazy expiry). */
kobj *db_find(db *d, kstr key);          /* no stats, no LRU touch (EXISTS-like checks) */
kobj *db_find_read(db *d, kstr key);     /* counts hits/misses, touches LRU */
/* Prefetch hints for a batch of lookups (see ht_prefetch). db_prefetch_begin() starts a
 * batch; db_prefetch() hashes a key, starts loading its bucket and returns the hash; once
 * all keys are in, db_prefetch_entry() for each hash starts loading the entries. The
 * hashes are remembered by key address, so the lookups that follow do not hash again:
 * the key bytes must stay unchanged at that address until db_prefetch_end(). */
#define DB_PREFETCH_MAX 16
void db_prefetch_begin(void);
uint64_t db_prefetch(db *d, kstr key);
void db_prefetch_entry(db *d, uint64_t hash);
void db_prefetch_end(void);
kobj **db_ref(db *d, kstr key);          /* slot of the key, NULL when absent */

void db_add(db *d, kobj *o);             /* the key must be absent */
/* Sets key to the new entry o (created with the same key), replacing and freeing any
 * previous one. */
void db_set(db *d, kobj *o);
bool db_delete(db *d, kstr key);
/* Removes the entry without freeing it (RENAME, MOVE). */
kobj *db_take(db *d, kstr key);
/* Sets (ms >= 0) or clears (ms < 0) the TTL of the entry in slot ref. */
void db_set_expire(db *d, kobj **ref, int64_t ms);

size_t db_size(const db *d);
/* Empties the database; async hands the old table to the lazy-free thread. */
void db_flush(db *d, bool async);
/* Frees an entry taken out of the keyspace (db_take): a large collection is handed to the
 * lazy-free thread so deleting it never stalls the server. */
void db_free_entry(kobj *o);
void db_swap(db *a, db *b);
kobj *db_random(db *d);                  /* deletes expired entries it meets; NULL when empty */
bool db_is_expired(const kobj *o);

/* SCAN: calls fn for live entries in the cursor's buckets; returns the next cursor.
 * Expired entries are skipped; with reap they are also deleted (SCAN, as Redis), else
 * left to expiry (KEYS). */
typedef void db_scan_fn(void *priv, kobj *o);
uint64_t db_scan(db *d, uint64_t cursor, bool reap, db_scan_fn *fn, void *priv);

/* Active expiry: spends at most budget_us reclaiming expired entries across databases. */
void db_expire_cycle(uint64_t budget_us);
/* Incremental rehashing of the tables for up to ms milliseconds in total. */
void db_rehash(int ms);

uint64_t db_key_hash(kstr key);

/* Change hooks: the layers above subscribe at start-up (WATCH, blocked clients; keyspace
 * notifications later), each with the callbacks it needs (NULL for the others).
 * key_changed runs after a key's value or TTL changed or the key went away (write, delete,
 * expiry); flushed runs before a database is emptied; swapped before two are swapped.
 * Writers that change an entry in place through db_ref() call db_touch() themselves. */
typedef struct db_hooks {
    void (*key_changed)(db *d, kstr key);
    void (*flushed)(db *d);
    void (*swapped)(db *a, db *b);
    /* After key_changed, when that change was the key expiring (lazily or actively). */
    void (*expired)(db *d, kstr key);
} db_hooks;

#define DB_MAX_HOOKS 8
extern const db_hooks *db_hooks_list[DB_MAX_HOOKS];
extern int db_hooks_count;

/* Adds a subscriber; hooks run in the order they were added. h must outlive the server. */
void db_add_hooks(const db_hooks *h);

/* Change counting: Redis's server.dirty, what the `save` rules and INFO
 * rdb_changes_since_last_save compare. A write command states its count with db_dirty(n)
 * as Redis does (elements added, removed or updated: SADD of three new members is 3, of
 * three present ones 0); a command that states nothing counts one per key it changed
 * (db_touch). Expiry and eviction are not a command's doing and count nothing, as in
 * Redis 7.0. Whoever runs a command brackets it with db_dirty_begin/db_dirty_end and adds
 * the result to the server's counter; frames nest (EXEC, a blocked client served while a
 * command runs), each counting only its own command. The key-changed hooks (WATCH,
 * tracking, wake-ups) are separate and see every change. */
typedef struct db_dirty_frame {
    long long touched; /* keys changed: the count when nothing was stated */
    long long stated;  /* sum of db_dirty() */
    bool has_stated;
} db_dirty_frame;

extern db_dirty_frame db_dirty_cur;

static inline void db_dirty(long long n)
{
    db_dirty_cur.stated += n;
    db_dirty_cur.has_stated = true;
}

/* Saves the running frame in *saved and opens an empty one. */
static inline void db_dirty_begin(db_dirty_frame *saved)
{
    *saved = db_dirty_cur;
    db_dirty_cur = (db_dirty_frame){0};
}

/* Closes the frame db_dirty_begin opened: its count, and *saved runs again. */
static inline long long db_dirty_end(const db_dirty_frame *saved)
{
    long long n = db_dirty_cur.has_stated ? db_dirty_cur.stated : db_dirty_cur.touched;
    db_dirty_cur = *saved;
    return n > 0 ? n : 0;
}

/* The db_touch just made was no change of the command's (an expiry, an eviction). */
static inline void db_dirty_uncount(void)
{
    db_dirty_cur.touched--;
}

/* Forgets what the running command counted so far: a save inside it (SAVE, FLUSHALL with
 * save rules, DEBUG RELOAD) zeroes the counter, and only later changes count. */
static inline void db_dirty_clear(void)
{
    db_dirty_cur.touched = db_dirty_cur.stated = 0;
}

static inline void db_touch(db *d, kstr key)
{
    db_dirty_cur.touched++;
    for (int i = 0; i < db_hooks_count; i++) {
        if (db_hooks_list[i]->key_changed) {
            db_hooks_list[i]->key_changed(d, key);
        }
    }
}

/* Runs the expired hooks for key (deleted for having expired; its key_changed ran). */
void db_notify_expired(db *d, kstr key);

/* The entry under key, expired or not, without lazy expiry or stats (WATCH's checks). */
kobj *db_peek(db *d, kstr key);

#endif
