// deps: src/ds/ht.c src/base/alloc.c src/base/hash.c
/* test_ht.c - unit tests for the hash table (src/ds/ht.c).
 *
 * Entries are small structs holding a 64-bit key; the lookup key is a pointer to a
 * uint64_t. A second type hashes to a handful of values so that everything runs on long
 * chains. Prints a benchmark line (ns per lookup, table bytes per entry at 1M entries).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "ds/ht.h"

#include "check.h"

typedef struct ent {
    uint64_t key;
    uint64_t val;
} ent;

static uint64_t key_hash(uint64_t k)
{
    return hash_bytes(&k, sizeof(k));
}

static uint64_t ent_hash(const void *e)
{
    return key_hash(((const ent *)e)->key);
}

static bool ent_match(const void *e, const void *key)
{
    return ((const ent *)e)->key == *(const uint64_t *)key;
}

static size_t frees;

static void ent_free(void *e)
{
    frees++;
    kv_free(e);
}

/* A terrible hash: 5 distinct values, all with tag 0. */
static uint64_t bad_key_hash(uint64_t k)
{
    return k % 5;
}

static uint64_t bad_ent_hash(const void *e)
{
    return bad_key_hash(((const ent *)e)->key);
}

/* A weak but workable hash: only every 8th bucket index is used, so the table runs on
 * chains of several buckets without growing out of them. */
static uint64_t chain_key_hash(uint64_t k)
{
    return key_hash(k) & ~(uint64_t)7;
}

static uint64_t chain_ent_hash(const void *e)
{
    return chain_key_hash(((const ent *)e)->key);
}

static const ht_type good_type = {ent_hash, ent_match, NULL};
static const ht_type chain_type = {chain_ent_hash, ent_match, ent_free};
static const ht_type free_type = {ent_hash, ent_match, ent_free};
static const ht_type bad_type = {bad_ent_hash, ent_match, ent_free};

typedef uint64_t (*key_hash_fn)(uint64_t);

static ent *ent_new(uint64_t key)
{
    ent *e = kv_malloc(sizeof(*e));
    e->key = key;
    e->val = key * 3 + 1;
    return e;
}

static ent *find_key(const ht *h, key_hash_fn hf, uint64_t k)
{
    return ht_find(h, hf(k), &k);
}

static ent *remove_key(ht *h, key_hash_fn hf, uint64_t k)
{
    return ht_remove(h, hf(k), &k);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void settle(ht *h)
{
    while (ht_rehash_ms(h, 10)) {
    }
}

/* ---- 1M entries: insert, find, remove, grow, shrink; benchmark ---- */

static void test_million(void)
{
    const size_t n = 1000000;
    ent *es = kv_malloc(n * sizeof(*es));
    ht *h = ht_create(&good_type);
    size_t grows = 0, last_buckets = 0;
    for (size_t i = 0; i < n; i++) {
        es[i].key = i;
        es[i].val = i * 7;
        ht_insert(h, key_hash(i), &es[i]);
        if (ht_buckets(h) > last_buckets) {
            grows++;
        }
        last_buckets = ht_buckets(h);
    }
    CHECK(ht_size(h) == n);
    CHECK(grows > 10);
    CHECK_ALL(n, i, find_key(h, key_hash, i) == &es[i]);
    CHECK_ALL(10000, i, find_key(h, key_hash, n + i) == NULL);
    settle(h);
    CHECK(!ht_is_rehashing(h));
    CHECK(ht_buckets(h) == (size_t)1 << 18);

    /* Benchmark: random-order lookups of present keys. */
    uint64_t *order = kv_malloc(n * sizeof(*order));
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    srand(42);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = ((size_t)rand() * 31u + (size_t)rand()) % (i + 1);
        uint64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    uint64_t *hashes = kv_malloc(n * sizeof(*hashes));
    for (size_t i = 0; i < n; i++) {
        hashes[i] = key_hash(order[i]);
    }
    size_t hits = 0;
    double t0 = now_sec();
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < n; i++) {
            hits += ht_find(h, hashes[i], &order[i]) != NULL;
        }
    }
    double t1 = now_sec();
    CHECK(hits == 3 * n);
    printf("bench: %.1f ns/lookup (random order, 1M entries, hash precomputed); "
           "table %.2f bytes/entry (%zu buckets)\n",
           (t1 - t0) * 1e9 / (3.0 * (double)n), (double)ht_mem_usage(h) / (double)n,
           ht_buckets(h));
    kv_free(hashes);
    kv_free(order);

    /* Remove the odd keys, checking the other half stays intact. */
    for (size_t i = 1; i < n; i += 2) {
        if (remove_key(h, key_hash, i) != &es[i]) {
            CHECK(!"remove returned the wrong entry");
            break;
        }
    }
    CHECK(ht_size(h) == n / 2);
    CHECK(remove_key(h, key_hash, 1) == NULL);
    CHECK_ALL(n, i, find_key(h, key_hash, i) == (i % 2 ? NULL : &es[i]));

    /* Remove the rest: the table must shrink back to a bucket or two. */
    size_t max_buckets = ht_buckets(h), shrinks = 0;
    last_buckets = max_buckets;
    for (size_t i = 0; i < n; i += 2) {
        if (remove_key(h, key_hash, i) != &es[i]) {
            CHECK(!"remove returned the wrong entry");
            break;
        }
        if (ht_buckets(h) < last_buckets) {
            shrinks++;
        }
        last_buckets = ht_buckets(h);
    }
    CHECK(ht_size(h) == 0);
    CHECK(shrinks > 0);
    settle(h);
    CHECK(ht_buckets(h) <= 2);
    CHECK(ht_find(h, key_hash(0), &(uint64_t){0}) == NULL);
    ht_destroy(h);
    kv_free(es);
}

/* ---- lookups, removals and refs while a rehash is in progress ---- */

static void test_rehash(void)
{
    ht *h = ht_create(&free_type);
    uint64_t k = 0;
    int grow_rounds = 0;
    /* Drive the table through several grows, checking every key mid-rehash. */
    while (grow_rounds < 10) {
        ht_insert(h, key_hash(k), ent_new(k));
        k++;
        if (ht_is_rehashing(h)) {
            grow_rounds++;
            size_t steps = 0;
            while (ht_is_rehashing(h)) {
                uint64_t n = k;
                if (n < 2000 || steps % 64 == 0) {
                    CHECK_ALL(n, i, find_key(h, key_hash, i) && find_key(h, key_hash, i)->key == i);
                    CHECK(find_key(h, key_hash, n + 1) == NULL);
                }
                ht_insert(h, key_hash(k), ent_new(k));
                k++;
                steps++;
            }
            CHECK(steps > 0);
        }
    }
    CHECK(ht_size(h) == k);

    /* ht_rehash_ms finishes a rehash. */
    while (!ht_is_rehashing(h)) {
        ht_insert(h, key_hash(k), ent_new(k));
        k++;
    }
    CHECK(!ht_rehash_ms(h, 1000));
    CHECK(!ht_is_rehashing(h));
    CHECK_ALL(k, i, find_key(h, key_hash, i) != NULL);

    /* Shrink while removing; finds and removals must see both tables. */
    uint64_t live = k;
    int shrink_rounds = 0;
    for (uint64_t i = 0; i < k; i++) {
        ent *e = remove_key(h, key_hash, i);
        CHECK_ALL(1, j, e && e->key == i);
        ent_free(e);
        live--;
        if (ht_is_rehashing(h) && (i & 15) == 0) {
            shrink_rounds++;
            uint64_t probe = i + 1 + (i * 7919) % (live ? live : 1);
            if (probe < k) {
                CHECK_ALL(1, j, find_key(h, key_hash, probe) != NULL);
            }
            CHECK(find_key(h, key_hash, i) == NULL);
        }
    }
    CHECK(shrink_rounds > 0);
    CHECK(ht_size(h) == 0);
    ht_destroy(h);
}

static void test_find_ref(void)
{
    ht *h = ht_create(&free_type);
    const uint64_t n = 5000;
    for (uint64_t i = 0; i < n; i++) {
        ht_insert(h, key_hash(i), ent_new(i));
    }
    size_t swapped = 0;
    for (uint64_t i = 0; i < n; i += 3) {
        void **ref = ht_find_ref(h, key_hash(i), &i);
        if (!ref) {
            continue;
        }
        ent *old = *ref, *fresh = ent_new(i);
        fresh->val = 12345 + i;
        *ref = fresh;
        ent_free(old);
        swapped++;
    }
    CHECK(swapped == (n + 2) / 3);
    CHECK_ALL(n, i, find_key(h, key_hash, i)->val == (i % 3 ? i * 3 + 1 : 12345 + i));
    uint64_t missing = n + 1;
    CHECK(ht_find_ref(h, key_hash(missing), &missing) == NULL);
    ht_destroy(h);
}

/* ---- scan ---- */

typedef struct scan_state {
    uint8_t *seen; /* per base key */
    uint64_t nbase;
    size_t calls;
} scan_state;

static void scan_mark(void *priv, void *entry)
{
    scan_state *st = priv;
    uint64_t key = ((ent *)entry)->key;
    if (key < st->nbase && st->seen[key] < 255) {
        st->seen[key]++;
    }
    st->calls++;
}

enum { SCAN_GROW, SCAN_SHRINK, SCAN_WAVE };

/* Keys [0, nbase) stay for the whole scan; extra keys from 1e9 up come and go between
 * ht_scan calls, so the table grows, shrinks and rehashes under the cursor. */
static void scan_case(const ht_type *type, key_hash_fn hf, uint64_t nbase, int mode, int batch)
{
    ht *h = ht_create(type);
    for (uint64_t i = 0; i < nbase; i++) {
        ht_insert(h, hf(i), ent_new(i));
    }
    uint64_t extra_lo = 1000000000, extra_hi = extra_lo;
    if (mode == SCAN_SHRINK) {
        for (int i = 0; i < batch * 400; i++, extra_hi++) {
            ht_insert(h, hf(extra_hi), ent_new(extra_hi));
        }
        settle(h);
    }
    scan_state st = {kv_calloc(nbase), nbase, 0};
    uint64_t cursor = 0;
    size_t resizes = 0, last = ht_buckets(h), scans = 0, rehashing_scans = 0;
    do {
        rehashing_scans += ht_is_rehashing(h);
        cursor = ht_scan(h, cursor, scan_mark, &st);
        scans++;
        bool grow = mode == SCAN_GROW || (mode == SCAN_WAVE && (scans / 64) % 2 == 0);
        for (int i = 0; i < batch; i++) {
            if (grow) {
                ht_insert(h, hf(extra_hi), ent_new(extra_hi));
                extra_hi++;
            } else if (extra_lo < extra_hi) {
                ent_free(remove_key(h, hf, extra_lo));
                extra_lo++;
            }
        }
        if (ht_buckets(h) != last) {
            resizes++;
            last = ht_buckets(h);
        }
    } while (cursor != 0 && scans < 5000000);
    CHECK(cursor == 0);
    CHECK_ALL(nbase, i, st.seen[i] >= 1);
    CHECK(resizes > 0);
    CHECK(rehashing_scans > 0);
    CHECK(st.calls >= nbase);
    kv_free(st.seen);
    ht_destroy(h);
}

static void test_scan(void)
{
    /* Empty table: a scan is one call returning 0. */
    ht *h = ht_create(&good_type);
    CHECK(ht_scan(h, 0, scan_mark, NULL) == 0);
    ht_destroy(h);

    /* Stable table: every entry exactly once. */
    h = ht_create(&free_type);
    const uint64_t n = 20000;
    for (uint64_t i = 0; i < n; i++) {
        ht_insert(h, key_hash(i), ent_new(i));
    }
    settle(h);
    scan_state st = {kv_calloc(n), n, 0};
    uint64_t cursor = 0;
    do {
        cursor = ht_scan(h, cursor, scan_mark, &st);
    } while (cursor);
    CHECK_ALL(n, i, st.seen[i] == 1);
    CHECK(st.calls == n);
    kv_free(st.seen);
    ht_destroy(h);

    /* A scan outruns growth only if a call adds fewer entries than a bucket holds: the
     * cursor covers 1/buckets of the key space per call (SCAN behaves the same). */
    scan_case(&free_type, key_hash, 5000, SCAN_GROW, 8);
    scan_case(&free_type, key_hash, 50, SCAN_GROW, 4);
    scan_case(&free_type, key_hash, 5000, SCAN_SHRINK, 300);
    scan_case(&free_type, key_hash, 3000, SCAN_WAVE, 100);
    scan_case(&free_type, key_hash, 50, SCAN_WAVE, 7);
    scan_case(&bad_type, bad_key_hash, 400, SCAN_GROW, 2);
    scan_case(&bad_type, bad_key_hash, 400, SCAN_WAVE, 20);
}

/* ---- iterators ---- */

static void iter_case(const ht_type *type, key_hash_fn hf, uint64_t n, bool mid_rehash)
{
    ht *h = ht_create(type);
    uint64_t k = 0;
    for (; k < n; k++) {
        ht_insert(h, hf(k), ent_new(k));
    }
    if (mid_rehash) {
        while (!ht_is_rehashing(h)) {
            ht_insert(h, hf(k), ent_new(k));
            k++;
        }
        ht_insert(h, hf(k), ent_new(k)); /* one rehash step: entries in both tables */
        k++;
    }
    n = k;
    bool was_rehashing = ht_is_rehashing(h);
    size_t buckets = ht_buckets(h);

    /* Unsafe: every entry exactly once. */
    uint8_t *returned = kv_calloc(n), *removed = kv_calloc(n);
    ht_iter it;
    ht_iter_init(&it, h);
    size_t count = 0;
    for (ent *e; (e = ht_iter_next(&it));) {
        returned[e->key]++;
        count++;
    }
    ht_iter_done(&it);
    CHECK(count == n);
    CHECK_ALL(n, i, returned[i] == 1);

    /* Safe: remove the current entry (key % 3 == 0) and a not yet seen one (key % 3 == 1
     * removes key + 1); removed entries must not come back, the rest exactly once. */
    memset(returned, 0, n);
    ht_iter_init_safe(&it, h);
    bool bad = false;
    for (ent *e; (e = ht_iter_next(&it));) {
        uint64_t key = e->key;
        bad |= removed[key] || returned[key];
        returned[key] = 1;
        if (key % 3 == 0) {
            ent *r = remove_key(h, hf, key);
            bad |= r != e;
            removed[key] = 1;
            ent_free(r);
        } else if (key % 3 == 1 && key + 1 < n && !returned[key + 1]) {
            ent *r = remove_key(h, hf, key + 1);
            bad |= r == NULL;
            removed[key + 1] = 1;
            ent_free(r);
        }
        bad |= ht_buckets(h) != buckets || ht_is_rehashing(h) != was_rehashing;
    }
    ht_iter_done(&it);
    CHECK(!bad);
    CHECK_ALL(n, i, returned[i] || removed[i]);
    size_t live = 0;
    for (uint64_t i = 0; i < n; i++) {
        live += !removed[i];
    }
    CHECK(ht_size(h) == live);
    CHECK_ALL(n, i, (find_key(h, hf, i) != NULL) == !removed[i]);

    /* Remove everything else (compaction and shrinking resume) and check the table. */
    for (uint64_t i = 0; i < n; i++) {
        if (!removed[i]) {
            ent_free(remove_key(h, hf, i));
        }
    }
    CHECK(ht_size(h) == 0);
    settle(h);
    CHECK(ht_buckets(h) <= 2);
    ht_iter_init_safe(&it, h);
    CHECK(ht_iter_next(&it) == NULL);
    ht_iter_done(&it);
    kv_free(returned);
    kv_free(removed);
    ht_destroy(h);
}

static void test_iter(void)
{
    ht *h = ht_create(&good_type);
    ht_iter it;
    ht_iter_init(&it, h);
    CHECK(ht_iter_next(&it) == NULL);
    ht_iter_done(&it);
    ht_destroy(h);

    iter_case(&free_type, key_hash, 100000, false);
    iter_case(&free_type, key_hash, 100000, true);
    iter_case(&bad_type, bad_key_hash, 3000, false);
    iter_case(&bad_type, bad_key_hash, 3000, true);

    /* Safe iteration removing everything: shrinking waits for ht_iter_done. */
    h = ht_create(&free_type);
    for (uint64_t i = 0; i < 50000; i++) {
        ht_insert(h, key_hash(i), ent_new(i));
    }
    settle(h);
    size_t big = ht_buckets(h);
    ht_iter_init_safe(&it, h);
    for (ent *e; (e = ht_iter_next(&it));) {
        ent_free(remove_key(h, key_hash, e->key));
    }
    CHECK(ht_buckets(h) == big);
    ht_iter_done(&it);
    CHECK(ht_size(h) == 0);
    settle(h);
    CHECK(ht_buckets(h) < big);
    ht_destroy(h);
}

/* ---- random and sample ---- */

static void test_random(void)
{
    ht *h = ht_create(&free_type);
    CHECK(ht_random(h) == NULL);
    void *out[32];
    CHECK(ht_sample(h, out, 32) == 0);

    const uint64_t n = 1000;
    for (uint64_t i = 0; i < n; i++) {
        ht_insert(h, key_hash(i), ent_new(i));
    }
    settle(h);
    uint32_t *hits = kv_calloc(n * sizeof(*hits));
    const size_t draws = 300000;
    bool ok = true;
    for (size_t d = 0; d < draws; d++) {
        ent *e = ht_random(h);
        ok &= e && e->key < n && find_key(h, key_hash, e->key) == e;
        if (e) {
            hits[e->key]++;
        }
    }
    CHECK(ok);
    /* Expected 300 each (test_random_uniform checks the distribution itself). */
    CHECK_ALL(n, i, hits[i] > 150 && hits[i] < 450);
    kv_free(hits);

    for (int r = 0; r < 1000; r++) {
        size_t got = ht_sample(h, out, 20);
        ok &= got > 0 && got <= 20;
        for (size_t j = 0; j < got; j++) {
            ok &= find_key(h, key_hash, ((ent *)out[j])->key) == out[j];
        }
    }
    CHECK(ok);

    /* Mid-rehash and a sparse table. */
    uint64_t k = n;
    while (!ht_is_rehashing(h)) {
        ht_insert(h, key_hash(k), ent_new(k));
        k++;
    }
    ok = true;
    for (int r = 0; r < 1000; r++) {
        ent *e = ht_random(h);
        ok &= e && find_key(h, key_hash, e->key) == e;
        size_t got = ht_sample(h, out, 5);
        ok &= got > 0 && got <= 5;
    }
    CHECK(ok);
    for (uint64_t i = 1; i < k; i++) {
        ent_free(remove_key(h, key_hash, i));
    }
    CHECK(ht_size(h) == 1);
    ok = true;
    for (int r = 0; r < 100; r++) {
        ent *e = ht_random(h);
        ok &= e && e->key == 0;
        ok &= ht_sample(h, out, 3) == 1 && out[0] == e;
    }
    CHECK(ok);
    ht_destroy(h);
}

/* Pearson's chi-square of ht_random over the keys 0..n-1 (all in h), draws per key. */
static double random_chi2(const ht *h, uint64_t n, size_t per_key)
{
    uint32_t *hits = kv_calloc(n * sizeof(*hits));
    size_t draws = (size_t)n * per_key;
    bool ok = true;
    for (size_t d = 0; d < draws; d++) {
        ent *e = ht_random(h);
        ok &= e != NULL && e->key < n;
        if (ok) {
            hits[e->key]++;
        }
    }
    CHECK(ok);
    double chi2 = 0;
    for (uint64_t i = 0; i < n; i++) {
        double diff = (double)hits[i] - (double)per_key;
        chi2 += diff * diff / (double)per_key;
    }
    kv_free(hits);
    return chi2;
}

/* Chi-square bound for n - 1 degrees of freedom: mean plus 6 standard deviations (the
 * generator is deterministic, but the bound should hold for any seed). */
static bool chi2_ok(double chi2, uint64_t n)
{
    double df = (double)(n - 1);
    return chi2 < df + 6 * sqrt(2 * df);
}

/* Insert keys 0..n-1 and settle; or, if mid_rehash, stop (returning how many) a few
 * inserts after the first rehash past 1000 entries started, so that both tables hold
 * entries (each insert moves a bucket or so). */
static uint64_t fill_table(ht *h, key_hash_fn hf, uint64_t n, bool mid_rehash)
{
    uint64_t extra = 0;
    for (uint64_t i = 0; i < n; i++) {
        ht_insert(h, hf(i), ent_new(i));
        if (mid_rehash && i > 1000 && ht_is_rehashing(h) && ++extra == 30) {
            return i + 1;
        }
    }
    settle(h);
    return n;
}

static void test_random_uniform(void)
{
    static const struct {
        const ht_type *type;
        key_hash_fn hf;
    } cases[] = {{&free_type, key_hash}, {&chain_type, chain_key_hash}};
    for (size_t c = 0; c < 2; c++) {
        /* Settled tables at a few fills, then mid-rehash (both tables live, sampled
         * without stepping the rehash: ht_random never moves entries). */
        const uint64_t sizes[] = {50, 700, 3000};
        for (size_t k = 0; k < 3; k++) {
            ht *h = ht_create(cases[c].type);
            uint64_t n = fill_table(h, cases[c].hf, sizes[k], false);
            double chi2 = random_chi2(h, n, 200);
            CHECK(chi2_ok(chi2, n));
            if (!chi2_ok(chi2, n)) {
                fprintf(stderr, "  case %zu n=%llu chi2=%.1f\n", c, (unsigned long long)n, chi2);
            }
            ht_destroy(h);
        }
        ht *h = ht_create(cases[c].type);
        uint64_t n = fill_table(h, cases[c].hf, 100000, true);
        CHECK(ht_is_rehashing(h));
        double chi2 = random_chi2(h, n, 200);
        CHECK(chi2_ok(chi2, n));
        if (!chi2_ok(chi2, n)) {
            fprintf(stderr, "  case %zu rehash n=%llu chi2=%.1f\n", c, (unsigned long long)n,
                    chi2);
        }
        ht_destroy(h);
    }
    /* The pathological hash (5 chains) still returns members, quickly. */
    ht *h = ht_create(&bad_type);
    uint64_t n = fill_table(h, bad_key_hash, 3000, false);
    bool ok = true;
    for (int r = 0; r < 10000; r++) {
        ent *e = ht_random(h);
        ok &= e && find_key(h, bad_key_hash, e->key) == e;
    }
    CHECK(ok && n == 3000);
    ht_destroy(h);
}

/* ---- destroy / clear free entries; memory returns to baseline ---- */

static void test_destroy(void)
{
    size_t base = kv_used_memory();
    ht *h = ht_create(&free_type);
    frees = 0;
    uint64_t k = 0;
    for (; k < 10000; k++) {
        ht_insert(h, key_hash(k), ent_new(k));
    }
    while (!ht_is_rehashing(h)) {
        ht_insert(h, key_hash(k), ent_new(k));
        k++;
    }
    ht_destroy(h);
    CHECK(frees == k);
    CHECK(kv_used_memory() == base);

    h = ht_create(&bad_type);
    frees = 0;
    for (k = 0; k < 2000; k++) {
        ht_insert(h, bad_key_hash(k), ent_new(k));
    }
    ht_clear(h);
    CHECK(frees == 2000);
    CHECK(ht_size(h) == 0 && ht_buckets(h) == 0);
    CHECK(find_key(h, bad_key_hash, 7) == NULL);
    ht_insert(h, bad_key_hash(7), ent_new(7));
    CHECK(find_key(h, bad_key_hash, 7)->key == 7);
    ht_destroy(h);
    CHECK(frees == 2001);
    CHECK(kv_used_memory() == base);
    ht_destroy(NULL);
}

/* ---- a hash with 5 distinct values ---- */

static void test_collisions(void)
{
    size_t base = kv_used_memory();
    ht *h = ht_create(&bad_type);
    const uint64_t n = 6000;
    for (uint64_t i = 0; i < n; i++) {
        ht_insert(h, bad_key_hash(i), ent_new(i));
    }
    settle(h);
    CHECK(ht_size(h) == n);
    /* Chains may not make the table grow past what a good hash would need. */
    CHECK(ht_buckets(h) * 7 * 38 <= n * 100);
    CHECK_ALL(n, i, find_key(h, bad_key_hash, i)->key == i);
    CHECK(find_key(h, bad_key_hash, n) == NULL);
    for (uint64_t i = 0; i < n; i += 2) {
        ent_free(remove_key(h, bad_key_hash, i));
    }
    CHECK_ALL(n, i, (find_key(h, bad_key_hash, i) != NULL) == (i % 2 == 1));
    for (uint64_t i = 1; i < n; i += 2) {
        ent_free(remove_key(h, bad_key_hash, i));
    }
    CHECK(ht_size(h) == 0);
    settle(h);
    /* Compaction freed the chains: only the (shrunk) array is left. */
    CHECK(ht_mem_usage(h) < 1024);
    ht_destroy(h);
    CHECK(kv_used_memory() == base);
}

/* Small tables: every size from 0 through a few grows, find/remove order mixed. */
static void test_small(void)
{
    for (uint64_t n = 0; n < 200; n += 7) {
        ht *h = ht_create(&free_type);
        for (uint64_t i = 0; i < n; i++) {
            ht_insert(h, key_hash(i), ent_new(i));
        }
        CHECK_ALL(n, i, find_key(h, key_hash, i)->key == i);
        for (uint64_t i = n; i-- > 0;) {
            ent_free(remove_key(h, key_hash, i));
        }
        CHECK(ht_size(h) == 0);
        CHECK(ht_mem_usage(h) < 4096);
        ht_destroy(h);
    }
}

/* Random insert/remove/find against a presence bitmap, with rehash_ms calls, scans and
 * safe iterations mixed in; the key range is small so the table grows and shrinks. */
static void random_ops_case(const ht_type *type, key_hash_fn hf, uint64_t range, size_t ops)
{
    ht *h = ht_create(type);
    uint8_t *present = kv_calloc(range);
    size_t live = 0, grows = 0, shrinks = 0, last_buckets = 0;
    uint64_t x = 88172645463325252ULL;
    bool ok = true, was_rehashing = false;
    for (size_t op = 0; op < ops && ok; op++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Alternate insert-heavy and remove-heavy phases (about 74% and 8% of the range
         * live) so that the table keeps growing and shrinking. */
        unsigned insert_below = (op / (ops / 8 + 1)) % 2 ? 70 : 8;
        uint64_t k = (x >> 8) % range;
        unsigned what = (unsigned)(x % 100);
        ent *e = find_key(h, hf, k);
        ok &= (e != NULL) == present[k] && (!e || e->key == k);
        if (what < insert_below && !present[k]) {
            ht_insert(h, hf(k), ent_new(k));
            present[k] = 1;
            live++;
        } else if (what < 95 && present[k]) {
            e = remove_key(h, hf, k);
            ok &= e && e->key == k;
            ent_free(e);
            present[k] = 0;
            live--;
        } else if (what == 95) {
            ht_rehash_ms(h, 0);
        } else if (what == 96) {
            ht_iter it;
            size_t count = 0, before = live;
            ht_iter_init_safe(&it, h);
            for (ent *c; (c = ht_iter_next(&it));) {
                count++;
                uint64_t ck = c->key;
                if (ck % 4 == 0) {
                    ent_free(remove_key(h, hf, ck));
                    present[ck] = 0;
                    live--;
                }
            }
            ht_iter_done(&it);
            ok &= count == before;
        }
        ok &= ht_size(h) == live;
        /* A resize starts when the bucket count jumps by the new table's size. */
        size_t nb = ht_buckets(h);
        if (ht_is_rehashing(h) && !was_rehashing && last_buckets) {
            grows += nb - last_buckets > last_buckets;
            shrinks += nb - last_buckets < last_buckets;
        }
        was_rehashing = ht_is_rehashing(h);
        last_buckets = nb;
    }
    CHECK(grows > 2 && shrinks > 2);
    CHECK(ok);
    CHECK_ALL(range, i, (find_key(h, hf, i) != NULL) == present[i]);
    kv_free(present);
    ht_destroy(h);
}

static void test_random_ops(void)
{
    random_ops_case(&free_type, key_hash, 10000, 400000);
    random_ops_case(&bad_type, bad_key_hash, 1500, 200000);
}

int main(void)
{
    uint8_t seed[16] = "kvik-ht-test-sd";
    hash_set_seed(seed);
    size_t base = kv_used_memory();

    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"small", test_small},   {"million", test_million}, {"rehash", test_rehash},
        {"find_ref", test_find_ref}, {"scan", test_scan},   {"iter", test_iter},
        {"random", test_random}, {"random_uniform", test_random_uniform},
        {"destroy", test_destroy}, {"collisions", test_collisions},
        {"random_ops", test_random_ops},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int before = failed;
        double t0 = now_sec();
        tests[i].fn();
        printf("%-12s %s (%.2fs)\n", tests[i].name, failed == before ? "ok" : "FAILED",
               now_sec() - t0);
        fflush(stdout);
    }
    CHECK(kv_used_memory() == base);

    return check_summary("test_ht");
}
