/* ht.h - an open hash table of entry pointers: bucketed, tagged, incrementally rehashed.
 *
 * Conventions. The table stores opaque entry pointers (void *), never copies of keys:
 * the entry itself holds its key (in the keyspace, one allocation holds key, value, TTL
 * and metadata). The caller computes the hash of a key once and passes it in; the table
 * calls back into its ht_type to re-hash an entry (when rehashing) and to compare an
 * entry against a lookup key. The table never frees entries unless ht_destroy/ht_clear is
 * given a type with entry_free.
 *
 * Layout. Buckets of 64 bytes (one cache line): a presence bitmap, one tag byte per slot
 * (8 bits of the hash, so a lookup compares keys only on a tag hit) and 7 entry slots. A
 * full bucket chains to a child bucket through its last slot. Bucket count is a power of two.
 *
 *   +------+------------------+-------------------------------------------+
 *   | meta | tags[7]          | slots[7] (void *; slot 6 may point to a    |
 *   |      |                  |           child bucket when chained)      |
 *   +------+------------------+-------------------------------------------+
 *
 * Rehashing is incremental: growing or shrinking allocates a second bucket array and
 * moves a few buckets per mutation (ht_insert/ht_remove) and per ht_rehash_ms() call from
 * the server's cron; lookups search both arrays while a rehash is in progress. There is
 * no stop-the-world resize.
 *
 * Scan. ht_scan() visits buckets in reverse-binary cursor order (as Redis's dictScan), so
 * that an entry present for the whole scan is returned at least once even when the table
 * grows, shrinks or rehashes between calls (it may be returned more than once). Cursor 0
 * starts and ends a scan.
 *
 * Validity. A slot reference from ht_find_ref() stays valid until the next ht_insert,
 * ht_remove, ht_rehash_ms, ht_clear or ht_destroy on the same table; lookups and scans do
 * not move entries. Iterators (ht_iter) pause rehashing while they live, so entries may be
 * removed during safe iteration (ht_iter_init_safe) but not inserted.
 */
#ifndef KV_HT_H
#define KV_HT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ht_type {
    /* Hash of the key held by entry; must equal the hash the caller passed when inserting. */
    uint64_t (*entry_hash)(const void *entry);
    /* True when entry holds the lookup key `key` (opaque: whatever the caller passes to find). */
    bool (*entry_match)(const void *entry, const void *key);
    /* Frees an entry on ht_clear/ht_destroy; NULL leaves entries to the caller. */
    void (*entry_free)(void *entry);
} ht_type;

typedef struct ht ht;

ht *ht_create(const ht_type *type);
void ht_destroy(ht *h);          /* NULL is a no-op; frees entries through entry_free */
void ht_clear(ht *h);            /* empties the table, frees entries through entry_free */

size_t ht_size(const ht *h);     /* number of entries */
size_t ht_buckets(const ht *h);  /* bucket count of both arrays (INFO, tests) */
bool ht_is_rehashing(const ht *h);
size_t ht_mem_usage(const ht *h); /* bytes held by bucket arrays (not entries) */

/* Lookup: the entry matching key, or NULL. */
void *ht_find(const ht *h, uint64_t hash, const void *key);
/* The slot holding the matching entry, or NULL: lets the caller swap in a reallocated
 * entry (*ref = new_entry) without a second lookup. See Validity above. */
void **ht_find_ref(ht *h, uint64_t hash, const void *key);
/* The entry stored under hash for which match(entry, arg) holds, or NULL: a lookup by
 * something other than the key (eviction keeps key hashes, not keys). */
void *ht_find_with(const ht *h, uint64_t hash, bool (*match)(const void *entry, const void *arg),
                   const void *arg);
/* Lookup hints, no effect on contents: ht_prefetch starts loading the bucket(s) where
 * hash lives; ht_prefetch_entries, called once that has had time to arrive, starts
 * loading the entries whose tag matches. A batch of lookups issues both for all its keys
 * first, so their cache misses overlap instead of following one another. */
void ht_prefetch(const ht *h, uint64_t hash);
void ht_prefetch_entries(const ht *h, uint64_t hash);
/* Adds entry; the caller guarantees no entry with the same key is present. May grow the
 * table (incrementally). Never fails (allocation failure aborts in kv_malloc). */
void ht_insert(ht *h, uint64_t hash, void *entry);
/* Removes and returns the matching entry (not freed), or NULL when absent. May shrink. */
void *ht_remove(ht *h, uint64_t hash, const void *key);

/* Does rehash work for up to `ms` milliseconds (at least one step). Returns true while
 * a rehash is still in progress afterwards. */
bool ht_rehash_ms(ht *h, int ms);

/* Calls fn(priv, entry) for every entry of the bucket(s) the cursor names, then returns
 * the next cursor (0 when the scan is complete). fn must not insert into or remove from h,
 * but may read entries; collect and act afterwards. */
typedef void ht_scan_fn(void *priv, void *entry);
uint64_t ht_scan(ht *h, uint64_t cursor, ht_scan_fn *fn, void *priv);

/* A random entry, uniform over entries (NULL when empty). */
void *ht_random(const ht *h);
/* Up to n entries from a random region of the table, for expiry and eviction sampling:
 * fast, not uniform. Returns how many were written to out. */
size_t ht_sample(const ht *h, void **out, size_t n);

/* Iteration over every entry exactly once, in table order. A safe iterator permits
 * ht_remove of the current entry (or any other) while it lives; none permit insert. */
typedef struct ht_iter {
    ht *h;
    int table;              /* 0 or 1 */
    size_t bucket;
    void *bucket_ptr;       /* current (possibly chained) bucket */
    int slot;
    bool safe;
    uint64_t fingerprint;   /* unsafe iterators assert the table did not change */
} ht_iter;

void ht_iter_init(ht_iter *it, ht *h);
void ht_iter_init_safe(ht_iter *it, ht *h);
void *ht_iter_next(ht_iter *it);  /* NULL at the end */
void ht_iter_done(ht_iter *it);   /* must be called; resumes rehashing for safe iterators */

#endif
