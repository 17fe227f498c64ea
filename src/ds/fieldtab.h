/* fieldtab.h - a table of field -> value pairs, each pair with an optional expire time:
 * the general encoding of the hash type.
 *
 * Conventions. An entry is ONE allocation holding its field, its value and, only when it
 * has one, its expire time, so a field costs its bytes plus a few header bytes and one
 * slot of the hash table (ds/ht.h) that indexes it:
 *
 *   +-------+--------------------------+---------+-------+---------+-------+
 *   | flags | expire i64, heap idx u32 | flen    | field | vlen    | value |
 *   | u8    | (12 bytes, only if TTL)  | varint  | bytes | varint  | bytes |
 *   +-------+--------------------------+---------+-------+---------+-------+
 *
 * Entries with an expire time are also kept in a binary min-heap ordered by that time
 * (each such entry remembers its heap position), so the earliest one is found in O(1) and
 * removed in O(log n); entries without one pay nothing for it. Expire times are opaque
 * int64 values to this module (the hash type stores ms since the epoch); a negative time
 * means "none". Nothing here reads a clock: callers decide what is expired.
 *
 * Entry pointers (ft_entry *) are valid until the next change to the table; functions
 * that may move an entry (a value that changes size, an expire time added or removed)
 * return its new address. Field and value bytes returned by the accessors are borrowed
 * for the same span. Memory comes from kv_malloc (base/alloc.h); field hashes from
 * hash_bytes (base/hash.h). Not thread-safe.
 */
#ifndef KV_FIELDTAB_H
#define KV_FIELDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds/ht.h"

typedef struct ft ft;
typedef struct ft_entry ft_entry;

ft *ft_create(void);
void ft_destroy(ft *t);   /* NULL is a no-op; frees every entry */
ft *ft_copy(const ft *t); /* deep copy, expire times included */

size_t ft_size(const ft *t);      /* entries */
size_t ft_volatile(const ft *t);  /* entries with an expire time */
size_t ft_mem_usage(const ft *t); /* bytes held: table, heap and entries */

/* The entry for field f, or NULL. */
ft_entry *ft_find(const ft *t, const void *f, size_t flen);

/* Sets field f to value v. An existing entry keeps its expire time when keep_expire,
 * else loses it; a new entry has none. Returns the (possibly moved or new) entry and sets
 * *added (if not NULL) to whether the field was new. */
ft_entry *ft_set(ft *t, const void *f, size_t flen, const void *v, size_t vlen, bool keep_expire,
                 bool *added);
/* Removes and frees the entry for f; false when there is none. */
bool ft_delete(ft *t, const void *f, size_t flen);
/* Removes and frees e, an entry of t. */
void ft_delete_entry(ft *t, ft_entry *e);

/* Gives e the expire time `at` (>= 0) or removes it (< 0). Returns e's new address. */
ft_entry *ft_set_expire(ft *t, ft_entry *e, int64_t at);
/* The entry with the earliest expire time, NULL when no entry has one. */
ft_entry *ft_next_expiring(const ft *t);

const char *ft_field(const ft_entry *e, size_t *len);
const char *ft_value(const ft_entry *e, size_t *len);
int64_t ft_expire(const ft_entry *e); /* -1 when none */

/* Moves part of an in-progress resize (about 100 buckets; nothing when none is under
 * way). Writes rehash as they go; this is for tables that are read but no longer
 * written, so that a finished growth does not keep both bucket arrays forever. Entry
 * pointers stay valid. */
void ft_rehash_step(ft *t);

/* A random entry, close to uniform; NULL when empty. */
ft_entry *ft_random(const ft *t);

/* SCAN over the table (ds/ht.h cursor semantics): fn gets each entry of the cursor's
 * buckets and must not change the table. Returns the next cursor, 0 at the end. */
typedef void ft_scan_fn(void *priv, ft_entry *e);
uint64_t ft_scan(ft *t, uint64_t cursor, ft_scan_fn *fn, void *priv);

/* Iteration over every entry once. A safe iterator allows ft_delete_entry (of any entry)
 * while it lives; nothing may be added or moved (no ft_set, no ft_set_expire). */
typedef struct ft_iter {
    ht_iter it;
} ft_iter;
void ft_iter_init(ft_iter *it, ft *t, bool safe);
ft_entry *ft_iter_next(ft_iter *it); /* NULL at the end */
void ft_iter_done(ft_iter *it);

#endif
