/* object.h - a keyspace entry: key, value, TTL and metadata in one allocation.
 *
 *   +-------------+-------+----------------+------------+-----------+-----------------+
 *   | meta (u32)  | flags | expire (8 B,   | keylen     | key bytes | value           |
 *   | type:4 enc:4|  u8   |  if KOBJ_TTL)  | (varint)   |           |                 |
 *   | lru:24      |       |                |            |           |                 |
 *   +-------------+-------+----------------+------------+-----------+-----------------+
 *   value: string inline  -> varint length + bytes
 *          string outline -> pointer to a growable kbuf (large or appended-to strings)
 *          other types    -> pointer to the type's structure
 *
 * Fields are unaligned and read with memcpy. A small string key with TTL costs its bytes
 * plus 5 (header) + 8 (TTL) + 2 (lengths): no robj, no dictEntry, no second TTL dict.
 *
 * Ownership: the keyspace owns entries. Functions that change an entry's size return the
 * entry's new address and invalidate the old one; the caller stores the result back into
 * the table slot (db_find_ref) before anything else touches the table.
 *
 * `enc` is what OBJECT ENCODING reports, following Redis's rules (int / embstr / raw for
 * strings); it does not decide the storage, which is ours.
 */
#ifndef KV_OBJECT_H
#define KV_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kstr.h"

/* Type ids as Redis numbers them (OBJECT, RDB). */
enum { OBJ_STRING = 0, OBJ_LIST = 1, OBJ_SET = 2, OBJ_ZSET = 3, OBJ_HASH = 4 };
/* Encoding ids as Redis numbers them. */
enum {
    ENC_RAW = 0,
    ENC_INT = 1,
    ENC_HT = 2,
    ENC_INTSET = 6,
    ENC_SKIPLIST = 7,
    ENC_EMBSTR = 8,
    ENC_QUICKLIST = 9,
    ENC_LISTPACK = 11,
};

#define OBJ_EMBSTR_LIMIT 44 /* Redis: strings up to 44 bytes are embstr */

typedef struct kobj kobj;

/* Creates a string entry. expire_ms < 0: no TTL. */
kobj *kobj_new_string(kstr key, kstr val, int enc, int64_t expire_ms);
/* Creates an entry whose value is a pointer owned by the entry (other types). */
kobj *kobj_new_ptr(kstr key, int type, int enc, void *ptr, int64_t expire_ms);
void kobj_free(kobj *o);  /* NULL ok; frees string storage; other types via kobj_free_hook */
/* Pointer-valued types register how to free, measure and copy their value, indexed by
 * type id (set up by the type modules at start-up). */
typedef struct kobj_type_ops {
    void (*free)(void *ptr);
    size_t (*size)(const void *ptr);
    void *(*copy)(const void *ptr);
    /* Allocations free() would release (elements of a table; 1 for a packed blob): large
     * values are freed on the lazy-free thread. NULL means 1. */
    size_t (*free_effort)(const void *ptr);
} kobj_type_ops;
void kobj_register_type(int type, const kobj_type_ops *ops);

kstr kobj_key(const kobj *o);
int kobj_type(const kobj *o);
int kobj_enc(const kobj *o);
void kobj_set_enc(kobj *o, int enc);
/* The name OBJECT ENCODING gives an encoding id ("int", "embstr", "listpack", ...), as
 * Redis 7.0 spells it; "unknown" for an id it does not name. Static storage. */
const char *kobj_enc_name(int enc);
uint32_t kobj_lru(const kobj *o);
void kobj_set_lru(kobj *o, uint32_t lru);   /* 24 bits; no-op while kobj_lru_frozen */
void kobj_stamp_lru(kobj *o, uint32_t lru); /* always (a new entry's first stamp) */
/* Set while a snapshot child shares the keyspace's pages: touching an entry's LRU clock
 * on a read would copy its page, so reads leave it alone then (as Redis does). */
extern bool kobj_lru_frozen;

bool kobj_has_expire(const kobj *o);
int64_t kobj_expire(const kobj *o);          /* -1 when none */
/* Sets (ms >= 0) or removes (ms < 0) the TTL. May move the entry. */
kobj *kobj_with_expire(kobj *o, int64_t ms);

/* String value. Valid until the entry changes. */
kstr kobj_str(const kobj *o);
/* Replaces the string value (same key and TTL). May move the entry. */
kobj *kobj_with_str(kobj *o, kstr val, int enc);
/* Makes the string `newlen` long, keeping the first min(old, newlen) bytes and zeroing the
 * rest; returns the (possibly moved) entry and a writable pointer to the bytes in *bytes.
 * Large strings grow geometrically so repeated APPEND is amortised O(1). */
kobj *kobj_str_resize(kobj *o, size_t newlen, char **bytes);

void *kobj_ptr(const kobj *o);               /* other types */
/* Replaces the value pointer of a pointer-typed entry in place (encoding conversions, a
 * listpack that moved on growth); the old value is not freed. */
void kobj_set_ptr(kobj *o, void *ptr);
kobj *kobj_copy(const kobj *o, kstr newkey); /* deep copy under another key (COPY) */
/* The same value and TTL under another key (RENAME): o is consumed, its value moved. */
kobj *kobj_rekey(kobj *o, kstr newkey);

size_t kobj_alloc_size(const kobj *o);       /* bytes held, value storage included */
size_t kobj_free_effort(const kobj *o);      /* see kobj_type_ops.free_effort */
/* Frees the entry but not its pointer value, which is returned with the function that
 * frees it (for the lazy-free thread). Pointer-typed entries only. */
void *kobj_release_value(kobj *o, void (**free_fn)(void *));

#endif
