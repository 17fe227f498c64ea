/* ht.c - the bucketed, tagged, incrementally rehashed hash table behind ht.h.
 *
 * Owns: bucket arrays and chained child buckets. Entries belong to the caller; the table
 * stores their pointers and frees them only through type->entry_free in ht_clear/destroy.
 *
 * Layout. A bucket is one 64-byte cache line:
 *
 *   byte 0      bytes 1..7          bytes 8..63
 *   +--------+--------------------+-----------------------------------------------+
 *   | meta   | tag0 .. tag6       | slot0 .. slot6  (void *)                      |
 *   +--------+--------------------+-----------------------------------------------+
 *   meta bit s (s < 7): slot s holds an entry; meta bit 7 (CHAINED): slot 6 holds a
 *   pointer to a child bucket, and presence bit 6 is then always clear.
 *
 * An entry with hash h lives in the chain that starts at bucket (h & mask) of its table;
 * its tag is h >> 56, so the index (low bits) and the tag (high bits) are independent. A
 * lookup loads the head bucket, compares the 7 tags at once (SWAR on the first 8 bytes)
 * and calls entry_match only on a tag hit: one cache line plus the entry itself.
 *
 * Terms. t[0] is the main table; while rehashing, t[1] is the new one and every bucket
 * of t[0] below rehash_idx has been emptied into it. New entries go to t[1] while it
 * exists. Entries only ever move (a) within their own chain (chain growth on insert, chain
 * compaction on remove) or (b) from t[0] to t[1] by the rehash, which is what ht_scan's
 * reverse-binary cursor is built to survive.
 *
 * Pausing. A live safe iterator sets `paused`: then nothing moves at all. Insert does no
 * rehash step and starts no resize (a full chain still gets a child; inserting while
 * iterating is outside the contract but stays memory-safe), remove only clears the slot;
 * chain compaction and shrinking wait for a later remove (or the last ht_iter_done).
 * Unsafe iterators pause nothing (as Redis): lookups never rehash, so only a mutation can
 * disturb them, and the fingerprint check in ht_iter_next/ht_iter_done aborts on that.
 *
 * Sizing. Grow (double) when entries exceed 77% of 7 * buckets, or when more than a
 * quarter of the buckets have a child and the table is more than half full (so a weak
 * hash that piles keys into a few chains cannot grow the table without bound). Shrink
 * when under 1/8 full, to the smallest size that is at most half full.
 */
#include "ds/ht.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"

#define SLOTS 7
#define CHAINED 0x80u
#define PRESENT_ALL 0x7fu
#define GROW_PERCENT 77     /* soft maximum fill, percent of 7 * buckets */
#define SHRINK_DIVISOR 8    /* shrink below 1/8 fill */
#define STEP_EMPTY_VISITS 10 /* empty buckets a rehash step may skip per bucket it moves */
#define RANDOM_TRIES 256     /* ht_random's rejection sampling gives up after this many */

typedef struct bucket {
    uint8_t meta;
    uint8_t tags[SLOTS];
    void *slots[SLOTS];
} bucket;

static_assert(sizeof(bucket) == 64, "a bucket must be exactly one cache line");
static_assert(sizeof(void *) == 8, "the bucket layout assumes 64-bit pointers");

typedef struct table {
    bucket *b;       /* 64-byte aligned array of mask + 1 buckets, NULL when absent */
    void *raw;       /* what kv_malloc returned (b may be raw rounded up to 64) */
    size_t mask;
    size_t used;     /* entries in this table */
    size_t children; /* child buckets hanging off this table's chains */
    size_t max_chain; /* high-water mark of chain length in buckets (ht_random's bound) */
} table;

struct ht {
    const ht_type *type;
    table t[2];
    size_t rehash_idx; /* meaningful while t[1].b != NULL */
    int paused;        /* live safe iterators */
};

/* ---- checks, small helpers ---- */

#define HT_CHECK(cond, msg)                                                               \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            ht_panic(__FILE__, __LINE__, msg);                                            \
        }                                                                                 \
    } while (0)

static _Noreturn void ht_panic(const char *file, int line, const char *msg)
{
    fprintf(stderr, "kvik: %s:%d: hash table invariant violated: %s\n", file, line, msg);
    fflush(stderr);
    abort();
}

static inline bool rehashing(const ht *h)
{
    return h->t[1].b != NULL;
}

static inline size_t nbuckets(const table *t)
{
    return t->b ? t->mask + 1 : 0;
}

static inline uint8_t tag_of(uint64_t hash)
{
    return (uint8_t)(hash >> 56);
}

static inline bool is_chained(const bucket *b)
{
    return (b->meta & CHAINED) != 0;
}

static inline bucket *child_of(const bucket *b)
{
    return is_chained(b) ? (bucket *)b->slots[SLOTS - 1] : NULL;
}

/* Slots of b that may hold entries: all 7, or 6 when slot 6 links a child. */
static inline unsigned usable_mask(const bucket *b)
{
    return is_chained(b) ? PRESENT_ALL >> 1 : PRESENT_ALL;
}

static inline unsigned present_mask(const bucket *b)
{
    return b->meta & PRESENT_ALL;
}

/* Thread-local, so that future per-thread shards never share it. Sampling quality only. */
static _Thread_local uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Bits of present slots whose tag equals `tag`: bit s for slot s. */
static inline unsigned tag_matches(const bucket *b, uint8_t tag)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t w;
    memcpy(&w, b, 8); /* byte 0 = meta, byte 1 + s = tag of slot s */
    uint64_t x = w ^ (0x0101010101010101ULL * tag);
    /* Exact zero-byte test: the high bit of each byte of z is set iff that byte of x is 0. */
    uint64_t z = ~(((x & lo7) + lo7) | x | lo7);
    /* Gather the 8 high bits into one byte (byte k -> bit k), then drop the meta byte. */
    unsigned bytes = (unsigned)((z * 0x0002040810204081ULL) >> 56);
    return (bytes >> 1) & present_mask(b);
#else
    unsigned m = 0;
    for (int s = 0; s < SLOTS; s++) {
        m |= (unsigned)(b->tags[s] == tag) << s;
    }
    return m & present_mask(b);
#endif
}

/* ---- tables ---- */

static void table_init(table *t, unsigned exp)
{
    size_t n = (size_t)1 << exp;
    size_t bytes = n * sizeof(bucket);
    void *raw = kv_malloc(bytes);
    if ((uintptr_t)raw & 63) {
        /* The allocator did not hand out a cache-line aligned block (jemalloc does for
         * these sizes; glibc does not): take 63 spare bytes and align by hand. */
        kv_free(raw);
        raw = kv_malloc(bytes + 63);
    }
    t->raw = raw;
    t->b = (bucket *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
    memset(t->b, 0, bytes);
    t->mask = n - 1;
    t->used = 0;
    t->children = 0;
    t->max_chain = 1;
}

static void table_reset(table *t)
{
    memset(t, 0, sizeof(*t));
}

/* Frees every child bucket (and through free_fn every entry) and the array itself. */
static void table_free(table *t, void (*free_fn)(void *))
{
    for (size_t i = 0; t->b && i <= t->mask; i++) {
        bucket *b = &t->b[i];
        bool head = true;
        while (b) {
            bucket *next = child_of(b);
            if (free_fn) {
                unsigned m = present_mask(b);
                while (m) {
                    int s = __builtin_ctz(m);
                    m &= m - 1;
                    free_fn(b->slots[s]);
                }
            }
            if (!head) {
                kv_free(b);
            }
            head = false;
            b = next;
        }
    }
    kv_free(t->raw);
    table_reset(t);
}

/* Puts entry into the first free slot of the chain starting at head; false when full. */
static bool chain_place(bucket *head, uint8_t tag, void *entry)
{
    for (bucket *b = head; b; b = child_of(b)) {
        unsigned free_slots = usable_mask(b) & ~present_mask(b);
        if (free_slots) {
            int s = __builtin_ctz(free_slots);
            b->tags[s] = tag;
            b->slots[s] = entry;
            b->meta |= (uint8_t)(1u << s);
            return true;
        }
    }
    return false;
}

static void table_add(table *t, size_t idx, uint8_t tag, void *entry)
{
    bucket *head = &t->b[idx];
    if (!chain_place(head, tag, entry)) {
        /* Every slot of the chain is taken: the last bucket has 7 entries and no child.
         * Its slot 6 entry moves into a new child, whose slot 1 takes the new entry. */
        bucket *last = head;
        size_t len = 1;
        while (is_chained(last)) {
            last = child_of(last);
            len++;
        }
        if (len + 1 > t->max_chain) {
            t->max_chain = len + 1;
        }
        bucket *child = kv_calloc(sizeof(bucket));
        child->tags[0] = last->tags[SLOTS - 1];
        child->slots[0] = last->slots[SLOTS - 1];
        child->tags[1] = tag;
        child->slots[1] = entry;
        child->meta = 0x3;
        last->slots[SLOTS - 1] = child;
        last->meta = (uint8_t)((last->meta & ~(1u << (SLOTS - 1))) | CHAINED);
        t->children++;
    }
    t->used++;
}

/* Slot of the entry matching key in the chain at head, or NULL. */
static void **chain_find(const ht *h, bucket *b, uint8_t tag, const void *key)
{
    do {
        unsigned m = tag_matches(b, tag);
        while (m) {
            int s = __builtin_ctz(m);
            m &= m - 1;
            if (h->type->entry_match(b->slots[s], key)) {
                return &b->slots[s];
            }
        }
        b = child_of(b);
    } while (b);
    return NULL;
}

/* After a removal in the chain at head: while the entries of the last child fit into the
 * holes before it (plus the link slot its removal frees), fold it back and free it. */
static void chain_compact(table *t, bucket *head)
{
    while (is_chained(head)) {
        bucket *prev = head, *last = child_of(head);
        unsigned holes = 1; /* prev's link slot, once last is unlinked */
        holes += (unsigned)__builtin_popcount(usable_mask(head) & ~present_mask(head));
        while (is_chained(last)) {
            prev = last;
            last = child_of(last);
            holes += (unsigned)__builtin_popcount(usable_mask(prev) & ~present_mask(prev));
        }
        if ((unsigned)__builtin_popcount(present_mask(last)) > holes) {
            return;
        }
        prev->slots[SLOTS - 1] = NULL;
        prev->meta &= (uint8_t)~CHAINED;
        unsigned m = present_mask(last);
        while (m) {
            int s = __builtin_ctz(m);
            m &= m - 1;
            bool ok = chain_place(head, last->tags[s], last->slots[s]);
            HT_CHECK(ok, "chain compaction ran out of holes");
        }
        kv_free(last);
        t->children--;
    }
}

/* ---- rehash ---- */

static unsigned exp_of(size_t nbuckets)
{
    return (unsigned)__builtin_ctzll((unsigned long long)nbuckets);
}

/* Smallest exponent whose table holds n entries at no more than percent% fill. */
static unsigned exp_for(size_t n, unsigned percent)
{
    unsigned e = 0;
    while (e < 62 && ((size_t)SLOTS << e) * percent < n * 100) {
        e++;
    }
    return e;
}

static void resize_start(ht *h, unsigned exp)
{
    if (exp == exp_of(nbuckets(&h->t[0]))) {
        return;
    }
    table_init(&h->t[1], exp);
    h->rehash_idx = 0;
}

static void rehash_finish(ht *h)
{
    HT_CHECK(h->t[0].used == 0, "rehash finished with entries left behind");
    table_free(&h->t[0], NULL);
    h->t[0] = h->t[1];
    table_reset(&h->t[1]);
    h->rehash_idx = 0;
}

/* Moves the chain at t[0] bucket idx into t[1] and frees its children. */
static void rehash_bucket(ht *h, size_t idx)
{
    table *from = &h->t[0], *to = &h->t[1];
    bucket *head = &from->b[idx];
    /* Shrinking keeps the low bits: the new index follows from the old one, no hashing. */
    bool shrinking = to->mask < from->mask;
    bucket *b = head;
    while (b) {
        bucket *next = child_of(b);
        unsigned m = present_mask(b);
        while (m) {
            int s = __builtin_ctz(m);
            m &= m - 1;
            void *e = b->slots[s];
            size_t to_idx = shrinking ? (idx & to->mask) : (h->type->entry_hash(e) & to->mask);
            table_add(to, to_idx, b->tags[s], e);
            from->used--;
        }
        if (b != head) {
            kv_free(b);
            from->children--;
        }
        b = next;
    }
    memset(head, 0, sizeof(*head));
}

/* Moves up to n non-empty buckets, skipping at most STEP_EMPTY_VISITS * n empty ones. */
static void rehash_step(ht *h, size_t n)
{
    size_t empty_visits = n * STEP_EMPTY_VISITS;
    while (n > 0 && rehashing(h)) {
        table *from = &h->t[0];
        if (from->used == 0 && from->children == 0) {
            rehash_finish(h);
            return;
        }
        while (h->rehash_idx <= from->mask && from->b[h->rehash_idx].meta == 0) {
            h->rehash_idx++;
            if (--empty_visits == 0) {
                return;
            }
        }
        if (h->rehash_idx <= from->mask) {
            rehash_bucket(h, h->rehash_idx);
            h->rehash_idx++;
            n--;
        }
        if (h->rehash_idx > from->mask) {
            rehash_finish(h);
        }
    }
}

static void maybe_grow(ht *h)
{
    const table *t = &h->t[0];
    size_t n = nbuckets(t);
    bool full = t->used * 100 > n * SLOTS * GROW_PERCENT;
    bool long_chains = t->children > n / 4 && t->used * 2 > n * SLOTS;
    if (full || long_chains) {
        unsigned e = exp_for(t->used + 1, GROW_PERCENT);
        unsigned cur = exp_of(n);
        resize_start(h, e > cur ? e : cur + 1);
    }
}

static void maybe_shrink(ht *h)
{
    const table *t = &h->t[0];
    size_t n = nbuckets(t);
    if (n > 1 && t->used * SHRINK_DIVISOR < n * SLOTS) {
        resize_start(h, exp_for(t->used, 50));
    }
}

/* ---- public API ---- */

ht *ht_create(const ht_type *type)
{
    HT_CHECK(type && type->entry_hash && type->entry_match, "ht_type lacks callbacks");
    ht *h = kv_calloc(sizeof(*h));
    h->type = type;
    return h;
}

void ht_clear(ht *h)
{
    table_free(&h->t[0], h->type->entry_free);
    table_free(&h->t[1], h->type->entry_free);
    h->rehash_idx = 0;
}

void ht_destroy(ht *h)
{
    if (!h) {
        return;
    }
    ht_clear(h);
    kv_free(h);
}

size_t ht_size(const ht *h)
{
    return h->t[0].used + h->t[1].used;
}

size_t ht_buckets(const ht *h)
{
    return nbuckets(&h->t[0]) + nbuckets(&h->t[1]);
}

bool ht_is_rehashing(const ht *h)
{
    return rehashing(h);
}

size_t ht_mem_usage(const ht *h)
{
    size_t bytes = kv_alloc_size(h);
    for (int i = 0; i < 2; i++) {
        bytes += kv_alloc_size(h->t[i].raw) + h->t[i].children * sizeof(bucket);
    }
    return bytes;
}

void **ht_find_ref(ht *h, uint64_t hash, const void *key)
{
    uint8_t tag = tag_of(hash);
    const table *t0 = &h->t[0];
    if (t0->used) {
        size_t idx = hash & t0->mask;
        if (!rehashing(h) || idx >= h->rehash_idx) {
            void **ref = chain_find(h, &t0->b[idx], tag, key);
            if (ref) {
                return ref;
            }
        }
    }
    const table *t1 = &h->t[1];
    if (t1->used) {
        return chain_find(h, &t1->b[hash & t1->mask], tag, key);
    }
    return NULL;
}

static void *chain_find_with(const bucket *b, uint8_t tag,
                             bool (*match)(const void *entry, const void *arg), const void *arg)
{
    do {
        for (unsigned m = tag_matches(b, tag); m; m &= m - 1) {
            void *e = b->slots[__builtin_ctz(m)];
            if (match(e, arg)) {
                return e;
            }
        }
        b = child_of(b);
    } while (b);
    return NULL;
}

void *ht_find_with(const ht *h, uint64_t hash, bool (*match)(const void *entry, const void *arg),
                   const void *arg)
{
    uint8_t tag = tag_of(hash);
    const table *t0 = &h->t[0], *t1 = &h->t[1];
    if (t0->used) {
        size_t idx = hash & t0->mask;
        if (!rehashing(h) || idx >= h->rehash_idx) {
            void *e = chain_find_with(&t0->b[idx], tag, match, arg);
            if (e) {
                return e;
            }
        }
    }
    return t1->used ? chain_find_with(&t1->b[hash & t1->mask], tag, match, arg) : NULL;
}

void ht_prefetch(const ht *h, uint64_t hash)
{
    for (int i = 0; i < 2; i++) {
        const table *t = &h->t[i];
        if (t->used) {
            __builtin_prefetch(&t->b[hash & t->mask]);
        }
    }
}

void ht_prefetch_entries(const ht *h, uint64_t hash)
{
    uint8_t tag = tag_of(hash);
    for (int i = 0; i < 2; i++) {
        const table *t = &h->t[i];
        if (t->used) {
            const bucket *b = &t->b[hash & t->mask];
            for (unsigned m = tag_matches(b, tag); m; m &= m - 1) {
                __builtin_prefetch(b->slots[__builtin_ctz(m)]);
            }
        }
    }
}

void *ht_find(const ht *h, uint64_t hash, const void *key)
{
    /* ht_find_ref only reads; the cast spares a duplicate of the lookup path. */
    void **ref = ht_find_ref((ht *)h, hash, key);
    return ref ? *ref : NULL;
}

void ht_insert(ht *h, uint64_t hash, void *entry)
{
    HT_CHECK(entry != NULL, "NULL entry");
    if (!h->t[0].b) {
        table_init(&h->t[0], 0);
    }
    if (rehashing(h) && !h->paused) {
        /* Catch up faster when inserts outrun the rehash and the new table overfills. */
        bool overfull = ht_size(h) >= nbuckets(&h->t[1]) * SLOTS;
        rehash_step(h, overfull ? 8 : 1);
    }
    table *t = rehashing(h) ? &h->t[1] : &h->t[0];
    table_add(t, hash & t->mask, tag_of(hash), entry);
    if (!rehashing(h) && !h->paused) {
        maybe_grow(h);
    }
}

void *ht_remove(ht *h, uint64_t hash, const void *key)
{
    if (ht_size(h) == 0) {
        return NULL;
    }
    if (rehashing(h) && !h->paused) {
        rehash_step(h, 1);
    }
    uint8_t tag = tag_of(hash);
    for (int i = 0; i < 2; i++) {
        table *t = &h->t[i];
        if (t->used == 0) {
            continue;
        }
        size_t idx = hash & t->mask;
        if (i == 0 && rehashing(h) && idx < h->rehash_idx) {
            continue;
        }
        bucket *head = &t->b[idx];
        for (bucket *b = head; b; b = child_of(b)) {
            unsigned m = tag_matches(b, tag);
            while (m) {
                int s = __builtin_ctz(m);
                m &= m - 1;
                void *e = b->slots[s];
                if (!h->type->entry_match(e, key)) {
                    continue;
                }
                b->meta &= (uint8_t)~(1u << s);
                b->slots[s] = NULL;
                t->used--;
                if (!h->paused) {
                    if (is_chained(head)) {
                        chain_compact(t, head);
                    }
                    if (!rehashing(h)) {
                        maybe_shrink(h);
                    }
                }
                return e;
            }
        }
    }
    return NULL;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool ht_rehash_ms(ht *h, int ms)
{
    if (!rehashing(h) || h->paused) {
        return rehashing(h);
    }
    uint64_t deadline = now_us() + (uint64_t)(ms > 0 ? ms : 0) * 1000u;
    do {
        rehash_step(h, 100);
    } while (rehashing(h) && now_us() < deadline);
    return rehashing(h);
}

/* ---- scan ---- */

static uint64_t rev64(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}

/* Adds one to the cursor's bits under mask, counting from the high bit down, so that the
 * bucket order is the same prefix order at every table size. */
static uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    v = rev64(v);
    v++;
    return rev64(v);
}

static void scan_chain(bucket *b, ht_scan_fn *fn, void *priv)
{
    for (; b; b = child_of(b)) {
        unsigned m = present_mask(b);
        while (m) {
            int s = __builtin_ctz(m);
            m &= m - 1;
            fn(priv, b->slots[s]);
        }
    }
}

uint64_t ht_scan(ht *h, uint64_t v, ht_scan_fn *fn, void *priv)
{
    if (ht_size(h) == 0) {
        return 0;
    }
    if (!rehashing(h)) {
        uint64_t m0 = h->t[0].mask;
        scan_chain(&h->t[0].b[v & m0], fn, priv);
        return cursor_next(v, m0);
    }
    /* Two tables: visit the small table's bucket, then every bucket of the large table
     * that its index expands to; entries in flight between them are seen either way. */
    const table *small = &h->t[0], *large = &h->t[1];
    if (small->mask > large->mask) {
        const table *tmp = small;
        small = large;
        large = tmp;
    }
    uint64_t m0 = small->mask, m1 = large->mask;
    scan_chain(&small->b[v & m0], fn, priv);
    do {
        scan_chain(&large->b[v & m1], fn, priv);
        v = cursor_next(v, m1);
    } while (v & (m0 ^ m1));
    return v;
}

/* ---- sampling ---- */

/* A chain of t has at most this many buckets. The high-water mark only drops when the
 * table is replaced, but a chain can never be longer than all children plus its head. */
static size_t chain_bound(const table *t)
{
    return t->max_chain < t->children + 1 ? t->max_chain : t->children + 1;
}

/* Not uniform: a random non-empty chain, then a random entry of it, so entries of long
 * chains are under-sampled. Only for tables whose chains make rejection hopeless. */
static void *random_by_chain(const ht *h, size_t skip, size_t n0, size_t total)
{
    for (;;) {
        size_t i = (size_t)(rng_next() % total);
        const bucket *head = i < n0 ? &h->t[0].b[skip + i] : &h->t[1].b[i - n0];
        size_t count = 0;
        for (const bucket *b = head; b; b = child_of(b)) {
            count += (size_t)__builtin_popcount(present_mask(b));
        }
        if (count == 0) {
            continue;
        }
        size_t k = (size_t)(rng_next() % count);
        for (const bucket *b = head; b; b = child_of(b)) {
            unsigned m = present_mask(b);
            size_t c = (size_t)__builtin_popcount(m);
            if (k < c) {
                while (k--) {
                    m &= m - 1;
                }
                return b->slots[__builtin_ctz(m)];
            }
            k -= c;
        }
    }
}

void *ht_random(const ht *h)
{
    if (ht_size(h) == 0) {
        return NULL;
    }
    /* Rejection sampling, exactly uniform: every live bucket of table i stands for
     * bound_i * 7 equally likely positions (bucket, depth, slot), so both tables of a
     * rehash are weighted by their size; a position is accepted when it holds an entry.
     * t[0] below rehash_idx is empty and left out. Expected tries are positions over
     * entries: a few on a table between its grow and shrink points. */
    size_t skip = rehashing(h) ? h->rehash_idx : 0;
    size_t n0 = nbuckets(&h->t[0]) - skip, n1 = nbuckets(&h->t[1]);
    size_t d0 = chain_bound(&h->t[0]), d1 = rehashing(h) ? chain_bound(&h->t[1]) : 0;
    size_t w0 = n0 * d0, total = w0 + n1 * d1;
    for (int tries = 0; tries < RANDOM_TRIES; tries++) {
        size_t x = (size_t)(rng_next() % total);
        const bucket *b;
        size_t depth;
        if (x < w0) {
            b = &h->t[0].b[skip + x / d0];
            depth = x % d0;
        } else {
            x -= w0;
            b = &h->t[1].b[x / d1];
            depth = x % d1;
        }
        while (depth > 0 && b) {
            b = child_of(b);
            depth--;
        }
        unsigned s = (unsigned)(rng_next() % SLOTS);
        if (b && (present_mask(b) & (1u << s))) {
            return b->slots[s];
        }
    }
    /* Pathological: a weak hash left a few very long chains, or removals under a paused
     * table left it nearly empty. Settle for progress. */
    return random_by_chain(h, skip, n0, n0 + n1);
}

static size_t sample_chain(const bucket *b, void **out, size_t got, size_t n)
{
    for (; b && got < n; b = child_of(b)) {
        unsigned m = present_mask(b);
        while (m && got < n) {
            int s = __builtin_ctz(m);
            m &= m - 1;
            out[got++] = b->slots[s];
        }
    }
    return got;
}

size_t ht_sample(const ht *h, void **out, size_t n)
{
    if (n == 0 || ht_size(h) == 0) {
        return 0;
    }
    const table *t0 = &h->t[0], *t1 = &h->t[1];
    size_t maxmask = t0->mask > t1->mask ? t0->mask : t1->mask;
    if (!rehashing(h)) {
        maxmask = t0->mask;
    }
    size_t idx = (size_t)rng_next() & maxmask;
    size_t got = 0;
    /* Walk consecutive buckets (both tables at the same index while rehashing), each at
     * most once, so no entry is returned twice. */
    for (size_t step = 0; got < n && step <= maxmask && step < n * 10; step++) {
        if (idx <= t0->mask && (!rehashing(h) || idx >= h->rehash_idx)) {
            got = sample_chain(&t0->b[idx], out, got, n);
        }
        if (rehashing(h) && idx <= t1->mask) {
            got = sample_chain(&t1->b[idx], out, got, n);
        }
        idx = (idx + 1) & maxmask;
    }
    if (got == 0) {
        /* A sparse stretch: callers can count on progress while the table has entries. */
        out[got++] = ht_random(h);
    }
    return got;
}

/* ---- iterators ---- */

static uint64_t fingerprint(const ht *h)
{
    uint64_t parts[6] = {
        (uint64_t)(uintptr_t)h->t[0].b, h->t[0].used, (uint64_t)(uintptr_t)h->t[1].b,
        h->t[1].used, h->rehash_idx, h->t[0].mask,
    };
    uint64_t fp = 0;
    for (int i = 0; i < 6; i++) {
        fp = (fp ^ parts[i]) * 0x100000001b3ULL;
        fp ^= fp >> 29;
    }
    return fp;
}

static void iter_init(ht_iter *it, ht *h, bool safe)
{
    memset(it, 0, sizeof(*it));
    it->h = h;
    it->safe = safe;
    if (safe) {
        h->paused++;
    } else {
        it->fingerprint = fingerprint(h);
    }
}

void ht_iter_init(ht_iter *it, ht *h)
{
    iter_init(it, h, false);
}

void ht_iter_init_safe(ht_iter *it, ht *h)
{
    iter_init(it, h, true);
}

void *ht_iter_next(ht_iter *it)
{
    ht *h = it->h;
    if (!it->safe) {
        HT_CHECK(it->fingerprint == fingerprint(h), "table changed under an unsafe iterator");
    }
    for (;;) {
        bucket *b = it->bucket_ptr;
        if (b) {
            unsigned m = present_mask(b) >> it->slot;
            if (m) {
                int s = it->slot + __builtin_ctz(m);
                it->slot = s + 1;
                return b->slots[s];
            }
            bucket *child = child_of(b);
            if (child) {
                it->bucket_ptr = child;
                it->slot = 0;
                continue;
            }
            it->bucket++;
            it->bucket_ptr = NULL;
        }
        const table *t = &h->t[it->table];
        if (it->bucket >= nbuckets(t)) {
            if (it->table == 0 && rehashing(h)) {
                it->table = 1;
                it->bucket = 0;
                continue;
            }
            return NULL;
        }
        it->bucket_ptr = &t->b[it->bucket];
        it->slot = 0;
    }
}

void ht_iter_done(ht_iter *it)
{
    ht *h = it->h;
    if (it->safe) {
        HT_CHECK(h->paused > 0, "unbalanced ht_iter_done");
        if (--h->paused == 0 && h->t[0].b && !rehashing(h)) {
            /* Removals while paused could not shrink; let the next mutation's rehash
             * steps do it (starting a resize moves nothing, so refs stay valid). */
            maybe_shrink(h);
        }
    } else {
        HT_CHECK(it->fingerprint == fingerprint(h), "table changed under an unsafe iterator");
    }
    it->h = NULL;
}
