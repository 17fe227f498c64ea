/* evict.h - maxmemory: eviction policies and the per-key access metadata they keep.
 *
 * Policies. Redis's eight (noeviction, allkeys-/volatile- lru, lfu, random, volatile-ttl)
 * with Redis's sampling and 16-entry candidate pool, plus allkeys-s3fifo (Kvik only, see
 * evict.c).
 * volatile-* policies only ever pick keys that have a TTL.
 *
 * Metadata lives in the entry's 24-bit lru field (object.h); what it means depends on the
 * policy, so switching policy at run time takes a while to settle, as in Redis:
 *   LRU, random, ttl, noeviction: seconds clock of the last access (db_lru_clock)
 *   LFU:     minutes of the last decrement (16 bits) << 8 | log counter (8 bits)
 *   S3-FIFO: small:1 | hit:1 | seconds clock of the last access (22 bits)
 *
 * Accounting. "Used" for eviction is what the allocator holds minus what has been handed
 * to the lazy-free thread but not freed yet, so freeing a large value in the background
 * does not make eviction delete more keys than it needs to.
 *
 * The keyspace calls evict_touch() on each access and evict_key_added() on each new key;
 * the server calls evict_perform() before each command when maxmemory is set.
 */
#ifndef KV_EVICT_H
#define KV_EVICT_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Redis's order (CONFIG's enum), then Kvik's own. */
enum {
    EVICT_VOLATILE_LRU,
    EVICT_VOLATILE_LFU,
    EVICT_VOLATILE_RANDOM,
    EVICT_VOLATILE_TTL,
    EVICT_ALLKEYS_LRU,
    EVICT_ALLKEYS_LFU,
    EVICT_ALLKEYS_RANDOM,
    EVICT_NOEVICTION,
    EVICT_ALLKEYS_S3FIFO,
};

/* Policy names indexed by the enum above, NULL-terminated (CONFIG's accepted words). */
extern const char *const evict_policy_names[];

/* The directives; config stores into these and calls evict_config_changed(). */
typedef struct evict_config {
    long long maxmemory;      /* bytes, 0: no limit */
    int policy;
    int samples;              /* maxmemory-samples */
    int tenacity;             /* maxmemory-eviction-tenacity, 0..100 */
    int lfu_log_factor;
    int lfu_decay_time;       /* minutes per counter decrement */
} evict_config;

extern evict_config evict_cfg;

typedef struct evict_stats {
    long long evicted_keys;
    long long exceeded_time_us;      /* total_eviction_exceeded_time, ms in INFO */
    uint64_t exceeded_since_us;      /* 0 when under the limit */
} evict_stats_t;

extern evict_stats_t evict_stats;

/* Which metadata layout the policy uses; kept in one byte so evict_touch is a load and a
 * compare on the hot path. */
enum { EVICT_META_LRU, EVICT_META_LFU, EVICT_META_S3FIFO };
extern int evict_meta;

void evict_touch_slow(kobj *o);

/* A read or write accessed the entry. */
static inline void evict_touch(kobj *o)
{
    if (kobj_lru_frozen) {
        return;
    }
    if (evict_meta == EVICT_META_LRU) {
        kobj_set_lru(o, db_lru_clock);
    } else {
        evict_touch_slow(o);
    }
}

/* A key was added to d (hash: its key hash). old: the entry it replaced, or NULL; it is
 * still readable. Sets the new entry's metadata. */
void evict_key_added(db *d, uint64_t hash, kobj *o, const kobj *old);

/* Re-reads evict_cfg after CONFIG SET or start-up. */
void evict_config_changed(void);

enum { EVICT_OK, EVICT_RUNNING, EVICT_FAIL };
/* Evicts until used memory is under maxmemory, for at most the time the tenacity allows.
 * EVICT_OK: under the limit; EVICT_RUNNING: still over, more work is pending
 * (evict_pending() is true and the caller runs this again soon); EVICT_FAIL: over the
 * limit and nothing more may be evicted (noeviction, no volatile keys ...). */
int evict_perform(void);
bool evict_pending(void);
/* Memory as eviction counts it (see Accounting). */
size_t evict_used_memory(void);

bool evict_policy_is_lfu(void);
/* OBJECT FREQ's value under an LFU policy: the counter after the decay due by now. */
unsigned evict_lfu_freq(const kobj *o);
/* OBJECT IDLETIME's value (seconds) under a non-LFU policy. */
long long evict_idle_seconds(const kobj *o);

#endif
