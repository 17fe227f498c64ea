/* hash_value.c - the hash value: its encodings, conversion between them, field access in
 * any encoding, iteration, the type operations (free, size, copy) and what persistence
 * reads and builds (types/value_io.h). The commands live in types/hash.c and
 * types/hash_ttl.c.
 *
 * Encodings. A small hash is a listpack of field, value, field, value ... in insertion
 * order (Redis's exact bytes, ds/listpack.h); past hash-max-listpack-entries fields, or
 * with a field or value longer than hash-max-listpack-value bytes, it becomes a field
 * table (ds/fieldtab.h: one allocation per field holding field, value and optional expire
 * time). OBJECT ENCODING reports "listpack" and "hashtable" for them, converting exactly
 * where Redis 7.0 does (the test file pins the cases); a table never converts back. When
 * a small hash gets its first field TTL its listpack becomes triplets (field, value,
 * expire ms; 0 = none), as Redis 7.4's "listpackex" but kept in insertion order; OBJECT
 * ENCODING still says "listpack" for it (7.0 has no name for it). Triplets stay triplets.
 *
 *   HASH_KIND_LP     [f1][v1][f2][v2]...             ENC_LISTPACK
 *   HASH_KIND_LPX    [f1][v1][t1][f2][v2][t2]...     ENC_LISTPACK  (t = expire ms, 0 = none)
 *   HASH_KIND_TABLE  ft * (ds/fieldtab.h)            ENC_HT
 *
 * Value pointer. The kobj holds the listpack or field table pointer with the kind in its
 * two low bits (allocations are 16-byte aligned): the type ops (free, size, copy), which
 * see only the pointer, tell the kinds apart by them, and a listpack stays a bare Redis
 * listpack.
 */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "ds/fieldtab.h"
#include "ds/listpack.h"
#include "types/hash_value.h"
#include "types/limits.h"
#include "types/types.h"
#include "types/value_io.h"

/* Redis keeps a listpack below 1 GB (LISTPACK_MAX_SAFETY_SIZE). */
#define LP_SAFETY_BYTES (1u << 30)

static void value_free(void *p)
{
    if (hash_val_kind(p) == HASH_KIND_TABLE) {
        ft_destroy(hash_val_untag(p));
    } else {
        lp_free(hash_val_untag(p));
    }
}

static size_t value_size(const void *p)
{
    return hash_val_kind(p) == HASH_KIND_TABLE ? ft_mem_usage(hash_val_untag(p)) : kv_alloc_size(hash_val_untag(p));
}

static void *value_copy(const void *p)
{
    if (hash_val_kind(p) == HASH_KIND_TABLE) {
        return hash_val_tag(ft_copy(hash_val_untag(p)), HASH_KIND_TABLE);
    }
    size_t n = lp_bytes(hash_val_untag(p));
    void *c = kv_malloc(n);
    memcpy(c, hash_val_untag(p), n);
    return hash_val_tag(c, hash_val_kind(p));
}

static size_t value_free_effort(const void *p)
{
    return hash_val_kind(p) == HASH_KIND_TABLE ? ft_size(hash_val_untag(p)) + 1 : 1;
}

static const kobj_type_ops hash_ops = {value_free, value_size, value_copy, value_free_effort};

/* ---- field access, any encoding ----------------------------------------------------- */

/* Position of field f in a packed hash of the given stride, or NULL. */
static uint8_t *lp_field(uint8_t *lp, kstr f, unsigned stride)
{
    uint8_t *p = lp_first(lp);
    return p ? lp_find(lp, p, (const uint8_t *)f.p, f.len, stride - 1) : NULL;
}

/* The expire time in a triplet's third element: 0 there means none (-1 here). */
int64_t hash_lp_ttl_at(const uint8_t *p)
{
    uint8_t buf[LP_INTBUF_SIZE];
    size_t len;
    long long v = 0;
    bool is_int = false;
    lp_get(p, &len, buf, &v, &is_int);
    return is_int && v > 0 ? v : -1;
}

size_t hash_len(const kobj *o)
{
    return hash_is_table(o) ? ft_size(hash_tab(o)) : lp_length(hash_lpk(o)) / hash_stride(o);
}

bool hash_get_field(const kobj *o, kstr f, hash_fval *v)
{
    if (hash_is_table(o)) {
        ft_entry *e = ft_find(hash_tab(o), f.p, f.len);
        if (e) {
            v->s = hash_entry_value(e);
        }
        return e != NULL;
    }
    uint8_t *lp = hash_lpk(o), *p = lp_field(lp, f, hash_stride(o));
    if (p) {
        v->s = hash_lp_str(lp_next(lp, p), v->buf);
    }
    return p != NULL;
}

/* Whether field f exists; *at gets its expire time (-1: none). */
bool hash_field_ttl(const kobj *o, kstr f, int64_t *at)
{
    if (hash_is_table(o)) {
        ft_entry *e = ft_find(hash_tab(o), f.p, f.len);
        *at = e ? ft_expire(e) : -1;
        return e != NULL;
    }
    uint8_t *lp = hash_lpk(o), *p = lp_field(lp, f, hash_stride(o));
    *at = p && hash_kind(o) == HASH_KIND_LPX ? hash_lp_ttl_at(hash_lp_skip(lp, p, 2)) : -1;
    return p != NULL;
}

static void convert_to_table(kobj *o)
{
    uint8_t *lp = hash_lpk(o), buf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    bool triplets = hash_kind(o) == HASH_KIND_LPX;
    ft *t = ft_create();
    for (uint8_t *p = lp_first(lp); p;) {
        kstr f = hash_lp_str(p, buf);
        p = lp_next(lp, p);
        kstr v = hash_lp_str(p, vbuf);
        p = lp_next(lp, p);
        ft_entry *e = ft_set(t, f.p, f.len, v.p, v.len, false, NULL);
        if (triplets) {
            int64_t at = hash_lp_ttl_at(p);
            if (at >= 0) {
                ft_set_expire(t, e, at);
            }
            p = lp_next(lp, p);
        }
    }
    lp_free(lp);
    kobj_set_ptr(o, hash_val_tag(t, HASH_KIND_TABLE));
    kobj_set_enc(o, ENC_HT);
}

/* Pairs to triplets, every field without expire time: the first TTL of a small hash. */
static void convert_to_triplets(kobj *o)
{
    uint8_t *lp = hash_lpk(o), buf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    uint8_t *n = lp_new(lp_bytes(lp) + lp_length(lp) + 8);
    for (uint8_t *p = lp_first(lp); p; p = hash_lp_skip(lp, p, 2)) {
        kstr f = hash_lp_str(p, buf), v = hash_lp_str(lp_next(lp, p), vbuf);
        n = lp_append(n, (const uint8_t *)f.p, f.len);
        n = lp_append(n, (const uint8_t *)v.p, v.len);
        n = lp_append_int(n, 0);
    }
    lp_free(lp);
    kobj_set_ptr(o, hash_val_tag(n, HASH_KIND_LPX));
}

static bool over_value_limit(size_t len)
{
    return (unsigned long long)len > (unsigned long long)type_limits.hash_max_listpack_value;
}

/* Sets field f to v (Redis's hashTypeSet): a packed hash converts first when f or v is
 * longer than hash-max-listpack-value, after the insert when it holds more than
 * hash-max-listpack-entries fields. keep_ttl: an existing field keeps its expire time
 * (HINCRBY, HSETEX KEEPTTL); otherwise a set drops it (HSET). Returns true when f is new. */
bool hash_set_field(kobj *o, kstr f, kstr v, bool keep_ttl)
{
    if (!hash_is_table(o) && (over_value_limit(f.len) || over_value_limit(v.len) ||
                         lp_bytes(hash_lpk(o)) + f.len + v.len + 32 > LP_SAFETY_BYTES)) {
        convert_to_table(o);
    }
    if (hash_is_table(o)) {
        bool added;
        ft_set(hash_tab(o), f.p, f.len, v.p, v.len, keep_ttl, &added);
        return added;
    }
    unsigned s = hash_stride(o);
    uint8_t *lp = hash_lpk(o), *p = lp_field(lp, f, s);
    if (p) {
        uint8_t *vp;
        lp = lp_insert(lp, (const uint8_t *)v.p, v.len, lp_next(lp, p), LP_REPLACE, &vp);
        if (s == 3 && !keep_ttl) {
            uint8_t *tp = lp_next(lp, vp);
            if (hash_lp_ttl_at(tp) >= 0) {
                lp = lp_insert(lp, (const uint8_t *)"0", 1, tp, LP_REPLACE, NULL);
            }
        }
        hash_set_lp(o, lp);
        return false;
    }
    lp = lp_append(lp, (const uint8_t *)f.p, f.len);
    lp = lp_append(lp, (const uint8_t *)v.p, v.len);
    if (s == 3) {
        lp = lp_append_int(lp, 0);
    }
    hash_set_lp(o, lp);
    if ((long long)(lp_length(lp) / s) > type_limits.hash_max_listpack_entries) {
        convert_to_table(o);
    }
    return true;
}

bool hash_del_field(kobj *o, kstr f)
{
    if (hash_is_table(o)) {
        return ft_delete(hash_tab(o), f.p, f.len);
    }
    unsigned s = hash_stride(o);
    uint8_t *lp = hash_lpk(o), *p = lp_field(lp, f, s);
    if (!p) {
        return false;
    }
    for (unsigned i = 0; i < s; i++) {
        lp = lp_delete(lp, p, &p);
    }
    hash_set_lp(o, lp);
    return true;
}

/* Gives existing field f the expire time at, or none (at < 0). A packed hash gets
 * triplets for its first TTL. */
void hash_store_ttl(kobj *o, kstr f, int64_t at)
{
    if (hash_is_table(o)) {
        ft_set_expire(hash_tab(o), ft_find(hash_tab(o), f.p, f.len), at);
        return;
    }
    if (hash_kind(o) == HASH_KIND_LP) {
        if (at < 0) {
            return;
        }
        convert_to_triplets(o);
    }
    char buf[24];
    size_t len = ll_to_str(buf, at < 0 ? 0 : at);
    uint8_t *lp = hash_lpk(o), *tp = hash_lp_skip(lp, lp_field(lp, f, 3), 2);
    hash_set_lp(o, lp_insert(lp, (const uint8_t *)buf, len, tp, LP_REPLACE, NULL));
}


void hash_iter_init(hash_iter *it, kobj *o)
{
    it->table = hash_is_table(o);
    if (it->table) {
        ft_iter_init(&it->fi, hash_tab(o), false);
    } else {
        it->stride = hash_stride(o);
        it->lp = hash_lpk(o);
        it->p = lp_first(it->lp);
    }
}

bool hash_iter_next(hash_iter *it, kstr *f, kstr *v)
{
    if (it->table) {
        ft_entry *e = ft_iter_next(&it->fi);
        if (!e) {
            return false;
        }
        *f = hash_entry_field(e);
        *v = hash_entry_value(e);
        return true;
    }
    if (!it->p) {
        return false;
    }
    *f = hash_lp_str(it->p, it->fbuf);
    *v = hash_lp_str(lp_next(it->lp, it->p), it->vbuf);
    it->p = hash_lp_skip(it->lp, it->p, it->stride);
    return true;
}

void hash_iter_done(hash_iter *it)
{
    if (it->table) {
        ft_iter_done(&it->fi);
    }
}


/* The earliest field expire time of o, -1 when no field has one. */
int64_t hash_min_expire(const kobj *o)
{
    if (hash_is_table(o)) {
        ft_entry *e = ft_next_expiring(hash_tab(o));
        return e ? ft_expire(e) : -1;
    }
    int64_t min = -1;
    if (hash_kind(o) == HASH_KIND_LPX) {
        uint8_t *lp = hash_lpk(o);
        for (uint8_t *p = hash_lp_skip(lp, lp_first(lp), 2); p; p = hash_lp_skip(lp, p, 3)) {
            int64_t at = hash_lp_ttl_at(p);
            if (at >= 0 && (min < 0 || at < min)) {
                min = at;
            }
        }
    }
    return min;
}


void hash_type_setup(void)
{
    kobj_register_type(OBJ_HASH, &hash_ops);
    hash_ttl_setup();
}

/* ---- persistence (types/value_io.h) ------------------------------------------------- */

/* A builder fills an entry under an empty name through the commands' own set_field and
 * store_ttl (so conversions happen where HSET's would); finish renames it. */
struct hash_builder {
    kobj *o;
};

size_t hash_value_len(const kobj *o)
{
    return hash_len(o);
}

const uint8_t *hash_value_listpack(const kobj *o)
{
    return hash_kind(o) == HASH_KIND_LP ? hash_lpk(o) : NULL;
}


int64_t hash_value_min_expire(const kobj *o)
{
    return hash_may_have_ttls(o) ? hash_min_expire(o) : -1;
}

void hash_value_each(const kobj *o, void (*fn)(void *priv, kstr f, kstr v, int64_t at),
                     void *priv)
{
    if (hash_is_table(o)) {
        ft_iter it;
        ft_iter_init(&it, hash_tab(o), false);
        ft_entry *e;
        while ((e = ft_iter_next(&it)) != NULL) {
            fn(priv, hash_entry_field(e), hash_entry_value(e), ft_expire(e));
        }
        ft_iter_done(&it);
        return;
    }
    uint8_t *lp = hash_lpk(o), fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    bool triplets = hash_kind(o) == HASH_KIND_LPX;
    for (uint8_t *p = lp_first(lp); p;) {
        kstr f = hash_lp_str(p, fbuf);
        p = lp_next(lp, p);
        kstr v = hash_lp_str(p, vbuf);
        p = lp_next(lp, p);
        int64_t at = -1;
        if (triplets) {
            at = hash_lp_ttl_at(p);
            p = lp_next(lp, p);
        }
        fn(priv, f, v, at);
    }
}

hash_builder *hash_build_start(size_t hint)
{
    hash_builder *b = kv_malloc(sizeof(*b));
    b->o = kobj_new_ptr(kstr_make("", 0), OBJ_HASH, ENC_LISTPACK, lp_new(0), -1);
    if ((long long)hint > type_limits.hash_max_listpack_entries) {
        convert_to_table(b->o);
    }
    return b;
}

bool hash_build_add(hash_builder *b, kstr f, kstr v, int64_t at)
{
    if (!hash_set_field(b->o, f, v, false)) {
        return false;
    }
    if (at >= 0) {
        hash_store_ttl(b->o, f, at);
    }
    return true;
}

kobj *hash_build_finish(hash_builder *b, kstr key, int64_t expire_ms)
{
    kobj *o = b->o;
    kv_free(b);
    if (hash_len(o) == 0) {
        kobj_free(o);
        return NULL;
    }
    o = kobj_rekey(o, key);
    return expire_ms >= 0 ? kobj_with_expire(o, expire_ms) : o;
}

void hash_build_abort(hash_builder *b)
{
    if (b) {
        kobj_free(b->o);
        kv_free(b);
    }
}

/* Redis's loader keeps a listpack within the limits as it is and converts a larger one. */
kobj *hash_from_listpack(kstr key, uint8_t *lp, int64_t expire_ms)
{
    size_t n = lp_length(lp);
    bool fits = n > 0 && n % 2 == 0 &&
                (long long)(n / 2) <= type_limits.hash_max_listpack_entries;
    uint8_t buf[LP_INTBUF_SIZE];
    for (uint8_t *p = n % 2 == 0 ? lp_first(lp) : NULL; p && fits; p = lp_next(lp, p)) {
        kstr s = hash_lp_str(p, buf);
        fits = !over_value_limit(s.len);
    }
    if (fits) {
        for (uint8_t *p = lp_first(lp); p; p = hash_lp_skip(lp, p, 2)) {
            kstr f = hash_lp_str(p, buf);
            uint8_t *after = hash_lp_skip(lp, p, 2);
            if (after && lp_find(lp, after, (const uint8_t *)f.p, f.len, 1)) {
                lp_free(lp);
                return NULL; /* duplicate field */
            }
        }
        return kobj_new_ptr(key, OBJ_HASH, ENC_LISTPACK, lp, expire_ms);
    }
    if (n == 0 || n % 2) {
        lp_free(lp);
        return NULL;
    }
    hash_builder *b = hash_build_start(n / 2);
    uint8_t vbuf[LP_INTBUF_SIZE];
    for (uint8_t *p = lp_first(lp); p; p = hash_lp_skip(lp, p, 2)) {
        if (!hash_build_add(b, hash_lp_str(p, buf), hash_lp_str(lp_next(lp, p), vbuf), -1)) {
            hash_build_abort(b);
            lp_free(lp);
            return NULL;
        }
    }
    lp_free(lp);
    return hash_build_finish(b, key, expire_ms);
}
