/* evict.c - maxmemory eviction (see evict.h): what to evict under each policy, and the one
 * place keys are evicted from (evict_key).
 *
 * Sampled policies (lru, lfu, ttl). As Redis: each round samples maxmemory-samples keys per
 * database into a pool of the 16 best candidates seen so far (kept across rounds, keys
 * copied, sorted by "idle": seconds unused, 255 - LFU counter, -TTL, or 15 - the sketch's
 * count under allkeys-s3fifo), then evicts the
 * best one still present. volatile-* sample the main table and keep the keys with a TTL
 * (there is no second table of TTL keys, see expire.c), asking for more samples the
 * rarer TTL keys are.
 *
 * allkeys-s3fifo: S3-FIFO's three queues (Yang et al., SOSP'23), with a frequency sketch
 * for the ghost and for choosing in M. New keys enter a small FIFO (S, ~10% of the keys).
 * A key that reaches the end of S without being read again mostly leaves at once: most
 * keys of a cache are read once, and this is where they go cheaply, before they push out
 * anything useful (it is also what makes the policy resist scans). It moves to the main
 * part (M: every key not in S) if it was read while in S, or if the sketch says it is
 * more popular than the key M would evict for it (TinyLFU's admission test: a key
 * evicted before and asked for again keeps its count, which is what S3-FIFO's ghost
 * queue is for). M evicts the key with the lowest estimated frequency among samples
 * (Redis's pool, maxmemory-samples). Measured with bench/hitratio.py, plain S3-FIFO (M as
 * a CLOCK) missed 0.87x as often as Redis's allkeys-lru on Zipf 1.0; choosing in M by
 * the sketch brings that to ~0.80x.
 *
 * Cost: two bits of the lru field per key; S is a ring of (database, key hash) pairs, 12
 * bytes for each key in S (~1.2 bytes a key); the sketch is 4 rows of 4-bit counters,
 * each twice as wide as the keyspace (4-8 bytes a key). The lru field keeps 22 bits of
 * the access clock, so OBJECT IDLETIME stays meaningful.
 *
 *   lru field under S3-FIFO:  | small:1 | hit:1 | last access, seconds mod 2^22 |
 *                               bit 23    bit 22   21..0
 */
#include "db/evict.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rand.h"
#include "db/lazyfree.h"
#include "pubsub/notify.h"

const char *const evict_policy_names[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
    "allkeys-lfu",  "allkeys-random", "noeviction", "allkeys-s3fifo", NULL,
};

evict_config evict_cfg = {0, EVICT_NOEVICTION, 5, 10, 10, 1};
evict_stats_t evict_stats;
int evict_meta = EVICT_META_LRU;

#define POOL_SIZE 16
typedef struct pool_entry pool_entry;
static struct pool_entry {
    unsigned long long idle; /* larger: a better candidate */
    int db;
    bool full;
    size_t len, cap;
    char *key; /* a buffer kept with the slot, reused */
} pool[POOL_SIZE];

static int active_policy = EVICT_NOEVICTION; /* what evict_meta was derived from */
static bool pending;                         /* over the limit when the time ran out */

/* ---- LFU: Redis's logarithmic counter with time decay ---- */

#define LFU_INIT_VAL 5

static unsigned lfu_minutes(void)
{
    return (unsigned)((db_now_ms / 60000) & 65535);
}

unsigned evict_lfu_freq(const kobj *o)
{
    uint32_t lru = kobj_lru(o);
    unsigned ldt = lru >> 8, counter = lru & 255, now = lfu_minutes();
    unsigned elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    unsigned periods = evict_cfg.lfu_decay_time ? elapsed / (unsigned)evict_cfg.lfu_decay_time
                                                : 0;
    return periods > counter ? 0 : counter - periods;
}

static unsigned lfu_incr(unsigned counter)
{
    if (counter == 255) {
        return 255;
    }
    double r = (double)(rand_u64() >> 11) / (double)(1ULL << 53);
    double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    double p = 1.0 / (base * evict_cfg.lfu_log_factor + 1);
    return r < p ? counter + 1 : counter;
}

static void lfu_update(kobj *o)
{
    unsigned counter = lfu_incr(evict_lfu_freq(o));
    kobj_set_lru(o, (lfu_minutes() << 8) | counter);
}

/* ---- S3-FIFO metadata ---- */

#define S3_SMALL (1u << 23)     /* in S */
#define S3_HIT (1u << 22)       /* read again since it entered S */
#define S3_CLOCK_BITS 22
#define S3_CLOCK_MASK ((1u << S3_CLOCK_BITS) - 1)

/* ---- the frequency sketch (S3-FIFO's ghost, with counts) ----
 *
 * A count-min sketch of 4-bit counters, 4 rows of `width` counters (two a byte), counting
 * every access to every key, cached or not; all counters are halved every 10 x keys
 * accesses, so it follows what is popular now (TinyLFU's reset). 4-8 bytes a key. */

#define SK_ROWS 4
#define SK_MAX 15

static struct {
    uint8_t *cells;  /* row r, counter i: nibble i & 1 of byte r * width / 2 + i / 2 */
    size_t width;    /* a power of two */
    unsigned shift;  /* 64 - log2(width) */
    size_t keys;     /* keys when last fitted: the halving period is 10 x keys */
    size_t adds;
} sketch;

static const uint64_t sk_mult[SK_ROWS] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                          0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL};

static size_t sk_index(uint64_t h, int row)
{
    return (size_t)(((h ^ (h >> 29)) * sk_mult[row]) >> sketch.shift);
}

static unsigned sk_get(int row, size_t i)
{
    uint8_t b = sketch.cells[(size_t)row * sketch.width / 2 + i / 2];
    return (i & 1) ? b >> 4 : b & 15;
}

static unsigned sk_estimate(uint64_t h)
{
    if (!sketch.cells) {
        return 0;
    }
    unsigned m = SK_MAX;
    for (int r = 0; r < SK_ROWS; r++) {
        unsigned v = sk_get(r, sk_index(h, r));
        m = v < m ? v : m;
    }
    return m;
}

static void sk_release(void)
{
    kv_free(sketch.cells);
    memset(&sketch, 0, sizeof(sketch));
}

/* Sized to the keyspace: width the power of two >= 2 x keys (at least 4096); resizing
 * starts over, which only happens while the keyspace doubles. Half as wide missed ~4%
 * more often on bench/hitratio.py's Zipf 1.0 (collisions inflate the counts of rare keys);
 * twice as wide gained nothing. */
static void sk_fit(size_t keys)
{
    size_t want = 4096;
    sketch.keys = keys;
    while (want < keys * 2) {
        want *= 2;
    }
    if (sketch.cells && sketch.width >= want) {
        return;
    }
    kv_free(sketch.cells);
    sketch.width = want;
    sketch.cells = kv_calloc(SK_ROWS * want / 2);
    sketch.shift = 64 - (unsigned)__builtin_ctzll(want);
    sketch.adds = 0;
}

/* Conservative update: only the counters at the minimum grow. */
static void sk_add(uint64_t h)
{
    if (!sketch.cells) {
        return;
    }
    unsigned m = sk_estimate(h);
    if (m < SK_MAX) {
        for (int r = 0; r < SK_ROWS; r++) {
            size_t i = sk_index(h, r);
            if (sk_get(r, i) == m) {
                sketch.cells[(size_t)r * sketch.width / 2 + i / 2] += (i & 1) ? 16 : 1;
            }
        }
    }
    if (++sketch.adds >= (sketch.keys > 4096 ? sketch.keys : 4096) * 10) {
        for (size_t j = 0; j < SK_ROWS * sketch.width / 2; j++) {
            sketch.cells[j] = (uint8_t)((sketch.cells[j] >> 1) & 0x77);
        }
        sketch.adds = 0;
    }
}

void evict_touch_slow(kobj *o)
{
    if (evict_meta == EVICT_META_LFU) {
        lfu_update(o);
        return;
    }
    if (sketch.cells) {
        sk_add(db_key_hash(kobj_key(o)));
    }
    uint32_t lru = kobj_lru(o) & ~S3_CLOCK_MASK;
    kobj_set_lru(o, lru | S3_HIT | (db_lru_clock & S3_CLOCK_MASK));
}

long long evict_idle_seconds(const kobj *o)
{
    uint32_t bits = evict_meta == EVICT_META_S3FIFO ? S3_CLOCK_BITS : 24;
    uint32_t mask = (1u << bits) - 1;
    uint32_t now = db_lru_clock & mask, lru = kobj_lru(o) & mask;
    /* The clock wraps (24 bits: ~194 days): count across the wrap. */
    return now >= lru ? (long long)(now - lru) : (long long)now + (mask - lru);
}

bool evict_policy_is_lfu(void)
{
    return evict_cfg.policy == EVICT_VOLATILE_LFU || evict_cfg.policy == EVICT_ALLKEYS_LFU;
}

/* ---- the small FIFO of S3-FIFO: a ring of (database, key hash) ---- */

static struct {
    uint64_t *hash;
    uint32_t *db;
    size_t cap, head, len; /* cap: a power of two */
} ring;

static void ring_push(int dbid, uint64_t h)
{
    if (ring.len == ring.cap) {
        size_t cap = ring.cap ? ring.cap * 2 : 1024;
        uint64_t *hs = kv_malloc(sizeof(*hs) * cap);
        uint32_t *ds = kv_malloc(sizeof(*ds) * cap);
        for (size_t i = 0; i < ring.len; i++) {
            hs[i] = ring.hash[(ring.head + i) & (ring.cap - 1)];
            ds[i] = ring.db[(ring.head + i) & (ring.cap - 1)];
        }
        kv_free(ring.hash);
        kv_free(ring.db);
        ring.hash = hs;
        ring.db = ds;
        ring.cap = cap;
        ring.head = 0;
    }
    size_t at = (ring.head + ring.len) & (ring.cap - 1);
    ring.hash[at] = h;
    ring.db[at] = (uint32_t)dbid;
    ring.len++;
}

static bool match_hash(const void *entry, const void *arg)
{
    return db_key_hash(kobj_key(entry)) == *(const uint64_t *)arg;
}

/* Pops the oldest entry of S that is still a small key; NULL when S is empty. */
static kobj *ring_pop(db **dp)
{
    while (ring.len) {
        uint64_t h = ring.hash[ring.head];
        db *d = db_get((int)ring.db[ring.head]);
        ring.head = (ring.head + 1) & (ring.cap - 1);
        ring.len--;
        kobj *o = d ? ht_find_with(d->keys, h, match_hash, &h) : NULL;
        if (o && (kobj_lru(o) & S3_SMALL)) {
            *dp = d;
            return o;
        }
    }
    return NULL;
}

static void ring_release(void)
{
    kv_free(ring.hash);
    kv_free(ring.db);
    memset(&ring, 0, sizeof(ring));
}

static size_t total_keys(void)
{
    size_t n = 0;
    for (int i = 0; i < db_count(); i++) {
        n += db_size(db_get(i));
    }
    return n;
}

void evict_key_added(db *d, uint64_t hash, kobj *o, const kobj *old)
{
    switch (evict_meta) {
    case EVICT_META_LRU:
        kobj_set_lru(o, db_lru_clock);
        break;
    case EVICT_META_LFU:
        /* As Redis: an overwritten key keeps its counter, and the write counts as an
         * access. */
        if (old) {
            kobj_set_lru(o, kobj_lru(old));
            lfu_update(o);
        } else {
            kobj_set_lru(o, (lfu_minutes() << 8) | LFU_INIT_VAL);
        }
        break;
    case EVICT_META_S3FIFO:
        if (old) {
            kobj_set_lru(o, kobj_lru(old));
            evict_touch_slow(o);
        } else if (evict_cfg.maxmemory) {
            kobj_set_lru(o, S3_SMALL | (db_lru_clock & S3_CLOCK_MASK));
            ring_push(d->id, hash);
            sk_fit(total_keys());
            sk_add(hash);
            /* Under the limit nothing pops S: keep it from growing with the whole
             * keyspace, moving its oldest keys to M (as they would once the cache
             * fills). */
            if (ring.len > 4096 && ring.len > total_keys() / 4) {
                db *pd;
                kobj *p = ring_pop(&pd);
                if (p) {
                    kobj_set_lru(p, kobj_lru(p) & S3_CLOCK_MASK);
                }
            }
        } else {
            kobj_set_lru(o, db_lru_clock & S3_CLOCK_MASK);
        }
        break;
    }
}

/* Entries written under another policy carry other bits where S3-FIFO keeps its small
 * and hit flags: start them all in M. */
static void s3_reset_all(void)
{
    for (int i = 0; i < db_count(); i++) {
        ht_iter it;
        ht_iter_init(&it, db_get(i)->keys);
        for (kobj *o; (o = ht_iter_next(&it));) {
            kobj_set_lru(o, kobj_lru(o) & S3_CLOCK_MASK);
        }
        ht_iter_done(&it);
    }
}

void evict_config_changed(void)
{
    int p = evict_cfg.policy;
    int meta = (p == EVICT_VOLATILE_LFU || p == EVICT_ALLKEYS_LFU) ? EVICT_META_LFU
               : p == EVICT_ALLKEYS_S3FIFO                         ? EVICT_META_S3FIFO
                                                                   : EVICT_META_LRU;
    if (meta == EVICT_META_S3FIFO && active_policy != EVICT_ALLKEYS_S3FIFO) {
        s3_reset_all();
    }
    if (meta != EVICT_META_S3FIFO) {
        ring_release();
        sk_release();
    }
    for (int i = 0; i < POOL_SIZE; i++) {
        pool[i].full = false; /* idle values of another policy do not compare */
    }
    active_policy = p;
    evict_meta = meta;
}

/* ---- the one way keys leave by eviction ---- */

static void evict_key(db *d, kobj *o)
{
    kobj *gone = db_take(d, kobj_key(o));
    db_dirty_uncount(); /* an eviction is no change of the command's (as Redis) */
    evict_stats.evicted_keys++;
    notify_keyspace_event(NOTIFY_EVICTED, "evicted", d, kobj_key(gone));
    db_free_entry(gone);
}

/* ---- the sampling pool (lru, lfu, ttl) ---- */

#define SAMPLES_MAX 512

static unsigned long long idle_of(const kobj *o)
{
    switch (evict_cfg.policy) {
    case EVICT_ALLKEYS_S3FIFO:
        return SK_MAX - sk_estimate(db_key_hash(kobj_key(o)));
    case EVICT_VOLATILE_TTL:
        return ULLONG_MAX - (unsigned long long)kobj_expire(o);
    case EVICT_VOLATILE_LFU:
    case EVICT_ALLKEYS_LFU:
        return 255 - evict_lfu_freq(o);
    default:
        return (unsigned long long)evict_idle_seconds(o);
    }
}

static void pool_put(int k, unsigned long long idle, int dbid, kstr key)
{
    pool_entry *e = &pool[k];
    if (e->cap < key.len || !e->key) {
        kv_free(e->key);
        e->cap = key.len < 64 ? 64 : key.len;
        e->key = kv_malloc(e->cap);
    }
    memcpy(e->key, key.p, key.len);
    e->full = true;
    e->len = key.len;
    e->idle = idle;
    e->db = dbid;
}

/* Inserts keeping the pool sorted by idle, ascending; the best candidates sit right. */
static void pool_insert(unsigned long long idle, int dbid, kstr key)
{
    int k = 0;
    while (k < POOL_SIZE && pool[k].full && pool[k].idle < idle) {
        k++;
    }
    if (k == 0 && pool[POOL_SIZE - 1].full) {
        return; /* worse than everything in a full pool */
    }
    /* Full slots are packed to the left; buffers move with their slots. */
    if (k < POOL_SIZE && !pool[k].full) {
        /* an empty slot: take it */
    } else if (!pool[POOL_SIZE - 1].full) {
        pool_entry last = pool[POOL_SIZE - 1];
        memmove(&pool[k + 1], &pool[k], sizeof(pool_entry) * (size_t)(POOL_SIZE - k - 1));
        pool[k] = last;
    } else {
        k--; /* drop the worst (leftmost) to make room */
        pool_entry first = pool[0];
        memmove(&pool[0], &pool[1], sizeof(pool_entry) * (size_t)k);
        pool[k] = first;
    }
    pool_put(k, idle, dbid, key);
}

static bool volatile_policy(void)
{
    return evict_cfg.policy <= EVICT_VOLATILE_TTL;
}

static void pool_populate(db *d)
{
    void *sample[SAMPLES_MAX];
    size_t want = evict_cfg.samples < SAMPLES_MAX ? (size_t)evict_cfg.samples : SAMPLES_MAX;
    size_t ask = want;
    if (volatile_policy()) {
        /* Expect want TTL keys among the samples. */
        size_t ratio = (db_size(d) + d->expires - 1) / d->expires;
        ask = want * ratio < SAMPLES_MAX ? want * ratio : SAMPLES_MAX;
    }
    size_t n = ht_sample(d->keys, sample, ask), used = 0;
    for (size_t i = 0; i < n && used < want; i++) {
        kobj *o = sample[i];
        if (volatile_policy() && !kobj_has_expire(o)) {
            continue;
        }
        if (evict_cfg.policy == EVICT_ALLKEYS_S3FIFO && (kobj_lru(o) & S3_SMALL)) {
            continue;
        }
        used++;
        pool_insert(idle_of(o), d->id, kobj_key(o));
    }
}

static kobj *pool_best(db **dp)
{
    for (int tries = 0; tries < 16; tries++) {
        bool any = false;
        for (int i = 0; i < db_count(); i++) {
            db *d = db_get(i);
            if (volatile_policy() ? d->expires > 0 : db_size(d) > 0) {
                pool_populate(d);
                any = true;
            }
        }
        if (!any) {
            return NULL;
        }
        for (int k = POOL_SIZE - 1; k >= 0; k--) {
            if (!pool[k].full) {
                continue;
            }
            db *d = db_get(pool[k].db);
            kstr key = kstr_make(pool[k].key, pool[k].len);
            kobj *o = d ? db_peek(d, key) : NULL;
            /* Empty the slot, keeping its buffer for reuse. */
            char *buf = pool[k].key;
            size_t cap = pool[k].cap;
            memmove(&pool[k], &pool[k + 1], sizeof(pool_entry) * (size_t)(POOL_SIZE - k - 1));
            pool[POOL_SIZE - 1] = (pool_entry){0, 0, false, 0, cap, buf};
            if (o && (!volatile_policy() || kobj_has_expire(o)) &&
                !(evict_cfg.policy == EVICT_ALLKEYS_S3FIFO && (kobj_lru(o) & S3_SMALL))) {
                *dp = d;
                return o;
            }
        }
    }
    return NULL;
}

/* ---- random ---- */

static int next_db;

static kobj *random_pick(db **dp)
{
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(next_db);
        next_db = (next_db + 1) % db_count();
        if (evict_cfg.policy == EVICT_ALLKEYS_RANDOM) {
            if (db_size(d)) {
                *dp = d;
                return ht_random(d->keys);
            }
            continue;
        }
        if (!d->expires) {
            continue;
        }
        void *sample[64];
        for (int tries = 0; tries < 64; tries++) {
            size_t n = ht_sample(d->keys, sample, 64);
            size_t start = rand_below(n);
            for (size_t j = 0; j < n; j++) {
                kobj *o = sample[(start + j) % n];
                if (kobj_has_expire(o)) {
                    *dp = d;
                    return o;
                }
            }
        }
    }
    return NULL;
}

/* ---- S3-FIFO ---- */

static void promote(kobj *o)
{
    kobj_set_lru(o, kobj_lru(o) & S3_CLOCK_MASK);
}

static kobj *s3fifo_pick(db **dp)
{
    size_t total = total_keys();
    /* S over its share: its oldest key leaves, or moves to M when it was read again in S
     * or is, by the sketch, more popular than the key M would give up for it. */
    while (ring.len > total / 10) {
        kobj *o = ring_pop(dp);
        if (!o) {
            break;
        }
        if (kobj_lru(o) & S3_HIT) {
            promote(o);
            continue;
        }
        db *vd;
        kobj *v = pool_best(&vd);
        if (!v) {
            promote(o);
            continue;
        }
        if (sk_estimate(db_key_hash(kobj_key(o))) > sk_estimate(db_key_hash(kobj_key(v)))) {
            promote(o);
            *dp = vd;
            return v;
        }
        return o;
    }
    kobj *o = pool_best(dp);
    return o ? o : ring_pop(dp);
}

/* ---- the eviction loop ---- */

size_t evict_used_memory(void)
{
    size_t used = kv_used_memory(), lazy = lazyfree_pending_bytes();
    return used > lazy ? used - lazy : 0;
}

/* Redis's time limit per call from maxmemory-eviction-tenacity: 0..500 µs linearly up to
 * 10, then growing 15% a step, unlimited at 100. */
static uint64_t time_limit_us(void)
{
    int t = evict_cfg.tenacity;
    if (t <= 10) {
        return 50u * (uint64_t)t;
    }
    if (t < 100) {
        return (uint64_t)(500.0 * pow(1.15, t - 10.0));
    }
    return UINT64_MAX;
}

static kobj *pick(db **dp)
{
    switch (evict_cfg.policy) {
    case EVICT_ALLKEYS_RANDOM:
    case EVICT_VOLATILE_RANDOM:
        return random_pick(dp);
    case EVICT_ALLKEYS_S3FIFO:
        return s3fifo_pick(dp);
    default:
        return pool_best(dp);
    }
}

static void exceeded_end(void)
{
    if (evict_stats.exceeded_since_us) {
        evict_stats.exceeded_time_us +=
            (long long)(clock_mono_us() - evict_stats.exceeded_since_us);
        evict_stats.exceeded_since_us = 0;
    }
}

int evict_perform(void)
{
    size_t limit = (size_t)evict_cfg.maxmemory;
    if (!limit || evict_used_memory() <= limit) {
        pending = false;
        exceeded_end();
        return EVICT_OK;
    }
    if (evict_cfg.policy == EVICT_NOEVICTION) {
        pending = false;
        return EVICT_FAIL;
    }
    uint64_t start = clock_mono_us(), budget = time_limit_us();
    if (!evict_stats.exceeded_since_us) {
        evict_stats.exceeded_since_us = start;
    }
    for (long n = 1;; n++) {
        db *d = NULL;
        kobj *o = pick(&d);
        if (!o) {
            pending = false;
            return EVICT_FAIL;
        }
        evict_key(d, o);
        if (evict_used_memory() <= limit) {
            pending = false;
            exceeded_end();
            return EVICT_OK;
        }
        if (n % 16 == 0 && clock_mono_us() - start > budget) {
            pending = true;
            return EVICT_RUNNING;
        }
    }
}

bool evict_pending(void)
{
    return pending;
}
