/* hash_value.h - what the pieces of the hash family share (not for other modules: they
 * read hashes through types/value_io.h and types/types.h).
 *
 * types/hash_value.c owns the value: its three kinds (listpack pairs, listpack triplets,
 * field table, told by the low bits of the value pointer), field access in any kind, and
 * iteration. types/hash_ttl.c owns field expiry: the registry, lazy and active removal of
 * due fields and the commands that set or read field TTLs. types/hash.c owns the plain
 * commands, the key lookup every hash command starts with, and the family's table.
 */
#ifndef KV_HASH_VALUE_H
#define KV_HASH_VALUE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kstr.h"
#include "core/client.h"
#include "db/object.h"
#include "ds/fieldtab.h"
#include "ds/listpack.h"

/* ---- the value (types/hash_value.c) ---- */

enum { HASH_KIND_LP = 0, HASH_KIND_TABLE = 1, HASH_KIND_LPX = 2 };
#define HASH_KIND_MASK ((uintptr_t)3)

static inline int hash_val_kind(const void *p)
{
    return (int)((uintptr_t)p & HASH_KIND_MASK);
}

static inline void *hash_val_untag(const void *p)
{
    return (void *)((uintptr_t)p & ~HASH_KIND_MASK);
}

static inline void *hash_val_tag(void *p, int kind)
{
    assert(((uintptr_t)p & HASH_KIND_MASK) == 0); /* the allocator aligns to 16 */
    return (void *)((uintptr_t)p | (uintptr_t)kind);
}

static inline int hash_kind(const kobj *o)
{
    return hash_val_kind(kobj_ptr(o));
}

static inline bool hash_is_table(const kobj *o)
{
    return hash_kind(o) == HASH_KIND_TABLE;
}

static inline ft *hash_tab(const kobj *o)
{
    return hash_val_untag(kobj_ptr(o));
}

static inline uint8_t *hash_lpk(const kobj *o)
{
    return hash_val_untag(kobj_ptr(o));
}

/* Listpack elements per field: field, value (, expire time). */
static inline unsigned hash_stride(const kobj *o)
{
    return hash_kind(o) == HASH_KIND_LPX ? 3 : 2;
}

/* Stores a (possibly moved) listpack back, keeping the kind. */
static inline void hash_set_lp(kobj *o, uint8_t *lp)
{
    kobj_set_ptr(o, hash_val_tag(lp, hash_kind(o)));
}

/* A field's value as read: bytes in the hash, or in buf for a listpack integer. */
typedef struct hash_fval {
    kstr s;
    uint8_t buf[LP_INTBUF_SIZE];
} hash_fval;

static inline kstr hash_entry_field(const ft_entry *e)
{
    kstr k;
    k.p = ft_field(e, &k.len);
    return k;
}

static inline kstr hash_entry_value(const ft_entry *e)
{
    kstr k;
    k.p = ft_value(e, &k.len);
    return k;
}

static inline kstr hash_lp_str(const uint8_t *p, uint8_t *buf)
{
    kstr k;
    k.p = (const char *)lp_get(p, &k.len, buf, NULL, NULL);
    return k;
}

/* The element `n` places after p (NULL past the end). */
static inline uint8_t *hash_lp_skip(uint8_t *lp, uint8_t *p, unsigned n)
{
    while (p && n--) {
        p = lp_next(lp, p);
    }
    return p;
}

/* Iteration over field/value pairs in storage order (listpack: insertion order). Nothing
 * may change the hash while an iterator lives. */
typedef struct hash_iter {
    bool table;
    unsigned stride;
    uint8_t *lp, *p;
    ft_iter fi;
    uint8_t fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
} hash_iter;

/* Whether o may hold fields with TTLs (triplets may have had them all persisted). */
static inline bool hash_may_have_ttls(const kobj *o)
{
    return hash_is_table(o) ? ft_volatile(hash_tab(o)) > 0 : hash_kind(o) == HASH_KIND_LPX;
}

size_t hash_len(const kobj *o);
/* Field f's value into *v (valid until the hash changes); false when f is absent. */
bool hash_get_field(const kobj *o, kstr f, hash_fval *v);
/* Whether field f exists; *at gets its expire time (-1: none). */
bool hash_field_ttl(const kobj *o, kstr f, int64_t *at);
/* Sets f to v, converting as Redis's hashTypeSet; true when f is new (see hash_value.c). */
bool hash_set_field(kobj *o, kstr f, kstr v, bool keep_ttl);
bool hash_del_field(kobj *o, kstr f);
/* Gives existing field f the expire time at, or none (at < 0). */
void hash_store_ttl(kobj *o, kstr f, int64_t at);
/* The expire time in a triplet's third element (-1: none). */
int64_t hash_lp_ttl_at(const uint8_t *p);
/* The earliest field expire time of o, -1 when no field has one. */
int64_t hash_min_expire(const kobj *o);
void hash_iter_init(hash_iter *it, kobj *o);
bool hash_iter_next(hash_iter *it, kstr *f, kstr *v);
void hash_iter_done(hash_iter *it);

/* ---- field expiry (types/hash_ttl.c) ---- */

void hash_ttl_setup(void);
/* Lazy expiry at lookup: removes o's due fields; deletes the key when none is left
 * (returns false then). */
bool hash_expire_due_fields(db *d, kstr key, kobj *o);
void cmd_hexpire(client *c);
void cmd_hpexpire(client *c);
void cmd_hexpireat(client *c);
void cmd_hpexpireat(client *c);
void cmd_httl(client *c);
void cmd_hpttl(client *c);
void cmd_hexpiretime(client *c);
void cmd_hpexpiretime(client *c);
void cmd_hpersist(client *c);
void cmd_hgetdel(client *c);
void cmd_hgetex(client *c);
void cmd_hsetex(client *c);

/* ---- command helpers (types/hash.c) ---- */

/* The hash under key with its due fields expired, NULL when there is none; replies
 * WRONGTYPE for another type and sets *wrong. */
kobj *hash_lookup(client *c, kstr key, bool read, bool *wrong);
kobj *hash_create(client *c, kstr key);
/* After a write: deletes a hash left empty (returns true), else signals the change. */
bool hash_finish_write(client *c, kstr key, kobj *o, bool changed);
void hash_reply_kstr(client *c, kstr s);
void hash_reply_arity(client *c);

#endif
