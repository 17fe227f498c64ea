/* value_io.h - what persistence (src/persist) reads and builds of collection values.
 *
 * Reading. Where a value's bytes are Redis's own (intset, listpack) they are handed out as
 * they are, so a snapshot writes them as blobs like Redis does; otherwise the elements are
 * visited one by one. Readers do not change the value and allocate nothing that outlives
 * the call, so they are safe in a forked child.
 *
 * Building. Values filled element by element follow the type's own conversion rules, which
 * are Redis's (its loader converts at the same limits); a packed blob read from a file is
 * adopted when it is within the configured limits and converted otherwise. The blob must
 * have been validated by the caller (lp_validate, intset_validate). Builders own what they
 * hold until finish (which returns a new keyspace entry) or abort (which frees it).
 *
 * Lists need no builder: a list value is a quicklist (ds/quicklist.h) the loader creates
 * with type_limits and fills; ql_each_node reads its packed nodes. The element visitors
 * (list_value_each, zset_value_each) serve the AOF rewrite, which writes commands: they
 * go in the type's natural order (list head to tail, sorted set by ascending score).
 */
#ifndef KV_VALUE_IO_H
#define KV_VALUE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kstr.h"
#include "db/object.h"
#include "ds/intset.h"

typedef struct set_builder set_builder;
typedef struct hash_builder hash_builder;
typedef struct zset_builder zset_builder;

/* ---- lists (types/list.c) ---- */
void list_value_each(const kobj *o, void (*fn)(void *priv, kstr elem), void *priv);

/* ---- sets (types/set.c) ---- */
size_t set_value_len(const kobj *o);
const intset *set_value_intset(const kobj *o); /* the intset blob, NULL if not one */
/* set_value_each: types/set.h. */
set_builder *set_build_start(size_t hint);
bool set_build_add(set_builder *b, kstr member); /* false: already there */
kobj *set_build_finish(set_builder *b, kstr key, int64_t expire_ms);
void set_build_abort(set_builder *b);
/* Adopts a validated intset blob (ownership passes); NULL when it is empty. */
kobj *set_from_intset(kstr key, intset *is, int64_t expire_ms);

/* ---- hashes (types/hash_value.c; hash_ttl_hashes: types/hash_ttl.c) ---- */
size_t hash_value_len(const kobj *o);
/* The field/value listpack when the hash is one without field TTLs, else NULL. */
const uint8_t *hash_value_listpack(const kobj *o);
/* 0 when no hash anywhere has field TTLs (a snapshot can skip looking for them); else the
 * number of hashes that had some when last seen (an upper bound). */
size_t hash_ttl_hashes(void);
/* Earliest field expire time (ms), -1 when no field has one. */
int64_t hash_value_min_expire(const kobj *o);
/* Every field, value and expire time (-1: none); fn must not change the hash. */
void hash_value_each(const kobj *o, void (*fn)(void *priv, kstr f, kstr v, int64_t at),
                     void *priv);
hash_builder *hash_build_start(size_t hint);
bool hash_build_add(hash_builder *b, kstr f, kstr v, int64_t at); /* false: duplicate */
kobj *hash_build_finish(hash_builder *b, kstr key, int64_t expire_ms);
void hash_build_abort(hash_builder *b);
/* Adopts a validated listpack of field, value pairs (ownership passes); NULL when it is
 * empty, has an odd count or a duplicate field (then lp is freed). */
kobj *hash_from_listpack(kstr key, uint8_t *lp, int64_t expire_ms);

/* ---- sorted sets (types/zset_value.c) ---- */
size_t zset_value_len(const kobj *o);
const uint8_t *zset_value_listpack(const kobj *o); /* member, score pairs, or NULL */
/* Members from the highest to the lowest (Redis writes them so, which makes its loader's
 * inserts cheap). */
void zset_value_each_rev(const kobj *o, void (*fn)(void *priv, kstr m, double score),
                         void *priv);
/* Members by ascending score. */
void zset_value_each(const kobj *o, void (*fn)(void *priv, kstr m, double score),
                     void *priv);
zset_builder *zset_build_start(size_t hint);
bool zset_build_add(zset_builder *b, kstr m, double score); /* false: duplicate */
kobj *zset_build_finish(zset_builder *b, kstr key, int64_t expire_ms);
void zset_build_abort(zset_builder *b);
/* Adopts a validated listpack of member, score pairs in order (ownership passes); NULL
 * when it is empty or malformed (then lp is freed). */
kobj *zset_from_listpack(kstr key, uint8_t *lp, int64_t expire_ms);

#endif
