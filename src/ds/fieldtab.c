/* fieldtab.c - field tables (layout and conventions in fieldtab.h).
 *
 * Owns: the ht that indexes the entries, the entries themselves, and the expire heap (an
 * array of the entries that have an expire time, as a binary min-heap on that time; each
 * such entry stores its own index in the heap so it can be removed or re-keyed in
 * O(log n)). Invariant: an entry has the TTL flag iff it is in the heap, and heap[i]'s
 * stored index is i.
 *
 * Moving entries. An entry that changes size is reallocated; then the one table slot and
 * (with a TTL) the one heap slot that point to it are rewritten. The table slot comes from
 * ht_find_ref, which stays valid because nothing inserts or removes in between.
 */
#include "ds/fieldtab.h"

#include <string.h>

#include "base/alloc.h"
#include "base/varint.h"
#include "base/hash.h"

#define F_TTL 0x01
#define TTL_BYTES 12 /* expire (8) + heap index (4) */
#define HEAP_MIN_CAP 8

struct ft_entry {
    uint8_t flags;
    uint8_t data[]; /* [expire, heap idx] flen field vlen value */
};

struct ft {
    ht *h;
    ft_entry **heap;
    size_t nheap, capheap;
    size_t entry_bytes; /* usable bytes of all entries, for ft_mem_usage */
};

typedef struct lookup {
    const void *p;
    size_t len;
} lookup;

/* ---- entry layout ---- */

static inline bool has_ttl(const ft_entry *e)
{
    return (e->flags & F_TTL) != 0;
}

/* Offset in data[] of the field length varint. */
static inline size_t body_off(const ft_entry *e)
{
    return has_ttl(e) ? TTL_BYTES : 0;
}

static inline uint32_t heap_idx(const ft_entry *e)
{
    uint32_t i;
    memcpy(&i, e->data + 8, sizeof(i));
    return i;
}

static inline void set_heap_idx(ft_entry *e, size_t i)
{
    uint32_t v = (uint32_t)i;
    memcpy(e->data + 8, &v, sizeof(v));
}

static inline int64_t expire_of(const ft_entry *e)
{
    int64_t at;
    memcpy(&at, e->data, sizeof(at));
    return at;
}

const char *ft_field(const ft_entry *e, size_t *len)
{
    const uint8_t *p = e->data + body_off(e);
    p += varint_get(p, len);
    return (const char *)p;
}

const char *ft_value(const ft_entry *e, size_t *len)
{
    size_t flen;
    const uint8_t *p = e->data + body_off(e);
    p += varint_get(p, &flen) + flen;
    p += varint_get(p, len);
    return (const char *)p;
}

int64_t ft_expire(const ft_entry *e)
{
    return has_ttl(e) ? expire_of(e) : -1;
}

static size_t entry_len(bool ttl, size_t flen, size_t vlen)
{
    return 1 + (ttl ? TTL_BYTES : 0) + varint_len(flen) + flen + varint_len(vlen) + vlen;
}

/* A new entry; with ttl, its expire time is `at` and its heap index is left for the
 * caller to set (heap_push). */
static ft_entry *entry_new(ft *t, const void *f, size_t flen, const void *v, size_t vlen, bool ttl,
                           int64_t at)
{
    ft_entry *e = kv_malloc(entry_len(ttl, flen, vlen));
    e->flags = ttl ? F_TTL : 0;
    uint8_t *p = e->data;
    if (ttl) {
        memcpy(p, &at, sizeof(at));
        memset(p + 8, 0, 4);
        p += TTL_BYTES;
    }
    p += varint_put(p, flen);
    if (flen) {
        memcpy(p, f, flen);
    }
    p += flen;
    p += varint_put(p, vlen);
    if (vlen) {
        memcpy(p, v, vlen);
    }
    t->entry_bytes += kv_alloc_size(e);
    return e;
}

static void entry_free_counted(ft *t, ft_entry *e)
{
    t->entry_bytes -= kv_alloc_size(e);
    kv_free(e);
}

/* ---- the index ---- */

static uint64_t entry_hash(const void *e)
{
    size_t len;
    const char *f = ft_field(e, &len);
    return hash_bytes(f, len);
}

static bool entry_match(const void *e, const void *key)
{
    const lookup *k = key;
    size_t len;
    const char *f = ft_field(e, &len);
    return len == k->len && (len == 0 || memcmp(f, k->p, len) == 0);
}

static void entry_free(void *e)
{
    kv_free(e);
}

static const ht_type field_type = {entry_hash, entry_match, entry_free};

/* ---- the expire heap ---- */

static inline bool heap_less(const ft *t, size_t a, size_t b)
{
    return expire_of(t->heap[a]) < expire_of(t->heap[b]);
}

static inline void heap_put(ft *t, size_t i, ft_entry *e)
{
    t->heap[i] = e;
    set_heap_idx(e, i);
}

static void sift_up(ft *t, size_t i)
{
    ft_entry *e = t->heap[i];
    int64_t at = expire_of(e);
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (expire_of(t->heap[parent]) <= at) {
            break;
        }
        heap_put(t, i, t->heap[parent]);
        i = parent;
    }
    heap_put(t, i, e);
}

static void sift_down(ft *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->nheap && heap_less(t, l, m)) {
            m = l;
        }
        if (r < t->nheap && heap_less(t, r, m)) {
            m = r;
        }
        if (m == i) {
            return;
        }
        ft_entry *tmp = t->heap[i];
        heap_put(t, i, t->heap[m]);
        heap_put(t, m, tmp);
        i = m;
    }
}

static void heap_push(ft *t, ft_entry *e)
{
    if (t->nheap == t->capheap) {
        t->capheap = t->capheap ? t->capheap * 2 : HEAP_MIN_CAP;
        t->heap = kv_realloc(t->heap, t->capheap * sizeof(*t->heap));
    }
    heap_put(t, t->nheap++, e);
    sift_up(t, t->nheap - 1);
}

static void heap_remove(ft *t, ft_entry *e)
{
    size_t i = heap_idx(e);
    ft_entry *last = t->heap[--t->nheap];
    if (i != t->nheap) {
        heap_put(t, i, last);
        sift_down(t, i);
        sift_up(t, heap_idx(last));
    }
    if (t->nheap == 0) {
        kv_free(t->heap);
        t->heap = NULL;
        t->capheap = 0;
    } else if (t->capheap > HEAP_MIN_CAP && t->nheap < t->capheap / 4) {
        t->capheap /= 2;
        t->heap = kv_realloc(t->heap, t->capheap * sizeof(*t->heap));
    }
}

/* ---- public API ---- */

ft *ft_create(void)
{
    ft *t = kv_calloc(sizeof(*t));
    t->h = ht_create(&field_type);
    return t;
}

void ft_destroy(ft *t)
{
    if (!t) {
        return;
    }
    ht_destroy(t->h);
    kv_free(t->heap);
    kv_free(t);
}

size_t ft_size(const ft *t)
{
    return ht_size(t->h);
}

size_t ft_volatile(const ft *t)
{
    return t->nheap;
}

size_t ft_mem_usage(const ft *t)
{
    return kv_alloc_size(t) + ht_mem_usage(t->h) + kv_alloc_size(t->heap) + t->entry_bytes;
}

ft_entry *ft_find(const ft *t, const void *f, size_t flen)
{
    lookup k = {f, flen};
    return ht_find(t->h, hash_bytes(f, flen), &k);
}

ft_entry *ft_set(ft *t, const void *f, size_t flen, const void *v, size_t vlen, bool keep_expire,
                 bool *added)
{
    lookup k = {f, flen};
    uint64_t hash = hash_bytes(f, flen);
    ft_entry **ref = (ft_entry **)ht_find_ref(t->h, hash, &k);
    if (added) {
        *added = ref == NULL;
    }
    if (!ref) {
        ft_entry *e = entry_new(t, f, flen, v, vlen, false, -1);
        ht_insert(t->h, hash, e);
        return e;
    }
    ft_entry *e = *ref;
    if (has_ttl(e) && !keep_expire) {
        /* The header shrinks: build the entry afresh. */
        heap_remove(t, e);
        ft_entry *n = entry_new(t, f, flen, v, vlen, false, -1);
        entry_free_counted(t, e);
        *ref = n;
        return n;
    }
    /* Same header and field: only the value part changes, in place or by realloc. */
    size_t old_vlen;
    const char *old_v = ft_value(e, &old_vlen);
    size_t voff = (size_t)((const uint8_t *)old_v - (const uint8_t *)e) - varint_len(old_vlen);
    size_t newlen = voff + varint_len(vlen) + vlen;
    size_t oldlen = voff + varint_len(old_vlen) + old_vlen;
    if (newlen != oldlen) {
        t->entry_bytes -= kv_alloc_size(e);
        e = kv_realloc(e, newlen);
        t->entry_bytes += kv_alloc_size(e);
    }
    uint8_t *p = (uint8_t *)e + voff;
    p += varint_put(p, vlen);
    if (vlen) {
        memcpy(p, v, vlen);
    }
    if (e != *ref) {
        *ref = e;
        if (has_ttl(e)) {
            t->heap[heap_idx(e)] = e;
        }
    }
    return e;
}

bool ft_delete(ft *t, const void *f, size_t flen)
{
    lookup k = {f, flen};
    ft_entry *e = ht_remove(t->h, hash_bytes(f, flen), &k);
    if (!e) {
        return false;
    }
    if (has_ttl(e)) {
        heap_remove(t, e);
    }
    entry_free_counted(t, e);
    return true;
}

void ft_delete_entry(ft *t, ft_entry *e)
{
    lookup k;
    k.p = ft_field(e, &k.len);
    ft_entry *gone = ht_remove(t->h, hash_bytes(k.p, k.len), &k);
    (void)gone; /* == e: fields are unique */
    if (has_ttl(e)) {
        heap_remove(t, e);
    }
    entry_free_counted(t, e);
}

ft_entry *ft_set_expire(ft *t, ft_entry *e, int64_t at)
{
    bool want = at >= 0;
    if (want && has_ttl(e)) {
        int64_t old = expire_of(e);
        memcpy(e->data, &at, sizeof(at));
        if (at < old) {
            sift_up(t, heap_idx(e));
        } else if (at > old) {
            sift_down(t, heap_idx(e));
        }
        return e;
    }
    if (!want && !has_ttl(e)) {
        return e;
    }
    /* The header grows or shrinks by the TTL bytes: rebuild the entry and repoint the
     * table slot at it. */
    lookup k;
    size_t vlen;
    k.p = ft_field(e, &k.len);
    const char *v = ft_value(e, &vlen);
    ft_entry *n = entry_new(t, k.p, k.len, v, vlen, want, at);
    ft_entry **ref = (ft_entry **)ht_find_ref(t->h, hash_bytes(k.p, k.len), &k);
    *ref = n;
    if (want) {
        heap_push(t, n);
    } else {
        heap_remove(t, e);
    }
    entry_free_counted(t, e);
    return n;
}

ft_entry *ft_next_expiring(const ft *t)
{
    return t->nheap ? t->heap[0] : NULL;
}

void ft_rehash_step(ft *t)
{
    ht_rehash_ms(t->h, 0);
}

ft_entry *ft_random(const ft *t)
{
    return ht_random(t->h);
}

struct scan_ctx {
    ft_scan_fn *fn;
    void *priv;
};

static void scan_one(void *priv, void *e)
{
    struct scan_ctx *s = priv;
    s->fn(s->priv, e);
}

uint64_t ft_scan(ft *t, uint64_t cursor, ft_scan_fn *fn, void *priv)
{
    struct scan_ctx s = {fn, priv};
    return ht_scan(t->h, cursor, scan_one, &s);
}

void ft_iter_init(ft_iter *it, ft *t, bool safe)
{
    if (safe) {
        ht_iter_init_safe(&it->it, t->h);
    } else {
        ht_iter_init(&it->it, t->h);
    }
}

ft_entry *ft_iter_next(ft_iter *it)
{
    return ht_iter_next(&it->it);
}

void ft_iter_done(ft_iter *it)
{
    ht_iter_done(&it->it);
}

ft *ft_copy(const ft *t)
{
    ft *c = ft_create();
    ht_iter it;
    ht_iter_init(&it, t->h);
    ft_entry *e;
    while ((e = ht_iter_next(&it)) != NULL) {
        size_t flen, vlen;
        const char *f = ft_field(e, &flen);
        const char *v = ft_value(e, &vlen);
        ft_entry *n = entry_new(c, f, flen, v, vlen, has_ttl(e), ft_expire(e));
        ht_insert(c->h, hash_bytes(f, flen), n);
        if (has_ttl(n)) {
            heap_push(c, n);
        }
    }
    ht_iter_done(&it);
    return c;
}
