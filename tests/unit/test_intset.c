// deps: src/ds/intset.c src/base/alloc.c
/* test_intset.c - unit tests for the integer set (src/ds/intset.c).
 *
 * Checks the byte layout against hand-written Redis intset blobs, upgrades at each width
 * boundary, validation of corrupt blobs, and random adds/removes/lookups against a
 * reference model (a sorted array), re-checking the whole blob after every operation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ds/intset.h"

#include "check.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool blob_is(const intset *is, const uint8_t *expect, size_t n)
{
    return intset_bytes(is) == n && memcmp(is, expect, n) == 0;
}

static void test_empty(void)
{
    intset *is = intset_new();
    static const uint8_t empty[] = {2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(blob_is(is, empty, sizeof(empty)));
    CHECK(intset_len(is) == 0);
    CHECK(!intset_find(is, 0));
    bool removed = true;
    is = intset_remove(is, 5, &removed);
    CHECK(!removed);
    CHECK(!intset_validate(is, intset_bytes(is), true)); /* empty: never valid on disk */
    intset_free(is);
    intset_free(NULL);
}

static void test_layout(void)
{
    intset *is = intset_new();
    bool added;
    is = intset_add(is, 5, &added);
    CHECK(added);
    is = intset_add(is, -3, &added);
    is = intset_add(is, 5, &added);
    CHECK(!added);
    static const uint8_t two[] = {2, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 5, 0};
    CHECK(blob_is(is, two, sizeof(two)));

    /* 70000 needs 4 bytes: every member is rewritten at width 4, 70000 goes last. */
    is = intset_add(is, 70000, &added);
    CHECK(added);
    static const uint8_t four[] = {4, 0, 0, 0, 3, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff,
                                   5, 0, 0, 0, 0x70, 0x11, 0x01, 0x00};
    CHECK(blob_is(is, four, sizeof(four)));

    /* A wide negative goes first. */
    is = intset_add(is, INT64_MIN, &added);
    CHECK(intset_width(is) == 8);
    CHECK(intset_len(is) == 4);
    CHECK(intset_get(is, 0) == INT64_MIN);
    CHECK(intset_get(is, 1) == -3);
    CHECK(intset_get(is, 2) == 5);
    CHECK(intset_get(is, 3) == 70000);
    const uint8_t *b = (const uint8_t *)is;
    CHECK(b[0] == 8 && b[8] == 0 && b[15] == 0x80); /* INT64_MIN little-endian */
    CHECK(intset_validate(is, intset_bytes(is), true));

    /* Removing never narrows (Redis keeps the width). */
    bool removed;
    is = intset_remove(is, INT64_MIN, &removed);
    CHECK(removed);
    is = intset_remove(is, 70000, &removed);
    CHECK(intset_width(is) == 8);
    CHECK(intset_bytes(is) == 8 + 2 * 8);
    CHECK(intset_find(is, -3) && intset_find(is, 5) && !intset_find(is, 70000));
    intset_free(is);
}

static void test_boundaries(void)
{
    static const int64_t vals[] = {
        INT16_MIN, INT16_MAX, (int64_t)INT16_MIN - 1, (int64_t)INT16_MAX + 1,
        INT32_MIN, INT32_MAX, (int64_t)INT32_MIN - 1, (int64_t)INT32_MAX + 1,
        INT64_MIN, INT64_MAX, 0, -1, 1,
    };
    static const unsigned widths[] = {2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 2, 2, 2};
    size_t n = sizeof(vals) / sizeof(vals[0]);
    for (size_t i = 0; i < n; i++) {
        intset *is = intset_add(intset_new(), vals[i], NULL);
        CHECK(intset_width(is) == widths[i]);
        CHECK(intset_get(is, 0) == vals[i]);
        CHECK(intset_find(is, vals[i]));
        intset_free(is);
    }
    /* Narrow set: wider values are neither found nor removed. */
    intset *is = intset_add(intset_new(), 1, NULL);
    CHECK(!intset_find(is, (int64_t)INT16_MAX + 1));
    CHECK(!intset_find(is, INT64_MIN));
    bool removed = true;
    is = intset_remove(is, INT64_MAX, &removed);
    CHECK(!removed && intset_len(is) == 1);
    intset *d = intset_dup(is);
    CHECK(d != is && intset_bytes(d) == intset_bytes(is) && memcmp(d, is, intset_bytes(is)) == 0);
    intset_free(d);
    intset_free(is);
}

static void test_validate(void)
{
    uint8_t ok[] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0};
    CHECK(intset_validate(ok, sizeof(ok), true));
    CHECK(!intset_validate(ok, 7, false));                 /* short header */
    CHECK(!intset_validate(ok, sizeof(ok) - 1, false));    /* size mismatch */
    uint8_t bad_enc[] = {3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
    CHECK(!intset_validate(bad_enc, sizeof(bad_enc), false));
    uint8_t unsorted[] = {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0};
    CHECK(intset_validate(unsorted, sizeof(unsorted), false));
    CHECK(!intset_validate(unsorted, sizeof(unsorted), true));
    uint8_t dup[] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0};
    CHECK(!intset_validate(dup, sizeof(dup), true));
    uint8_t long_len[] = {2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 1, 0};
    CHECK(!intset_validate(long_len, sizeof(long_len), false));
}

/* ---- random operations against a sorted-array model ---- */

typedef struct model {
    int64_t *v;
    size_t n, cap;
} model;

static size_t model_pos(const model *m, int64_t x, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid] < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < m->n && m->v[lo] == x;
    return lo;
}

static bool model_add(model *m, int64_t x)
{
    bool found;
    size_t pos = model_pos(m, x, &found);
    if (found) {
        return false;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(int64_t));
    }
    memmove(m->v + pos + 1, m->v + pos, (m->n - pos) * sizeof(int64_t));
    m->v[pos] = x;
    m->n++;
    return true;
}

static bool model_remove(model *m, int64_t x)
{
    bool found;
    size_t pos = model_pos(m, x, &found);
    if (!found) {
        return false;
    }
    memmove(m->v + pos, m->v + pos + 1, (m->n - pos - 1) * sizeof(int64_t));
    m->n--;
    return true;
}

static unsigned model_width(const model *m)
{
    unsigned w = 2;
    for (size_t i = 0; i < m->n; i++) {
        int64_t x = m->v[i];
        if (x < INT32_MIN || x > INT32_MAX) {
            return 8;
        }
        if (x < INT16_MIN || x > INT16_MAX) {
            w = 4;
        }
    }
    return w;
}

/* Values from a few ranges so that every width, upgrade and collision shows up. */
static int64_t random_value(int stage)
{
    uint64_t r = next_rand();
    switch ((stage + (int)(r % 7)) % 4) {
    case 0:
        return (int64_t)(r % 200) - 100;
    case 1:
        return (int64_t)(r % 140000) - 70000;
    case 2:
        return (int64_t)(r % 10000000000ULL) - 5000000000LL;
    default:
        return (int64_t)next_rand();
    }
}

static void test_random_model(void)
{
    int bad = 0;
    for (int round = 0; round < 40 && !bad; round++) {
        intset *is = intset_new();
        model m = {0};
        unsigned max_width = 2; /* the set never narrows: the widest width seen so far */
        int ops = 200 + (int)(next_rand() % 3000);
        for (int i = 0; i < ops && !bad; i++) {
            int64_t x = random_value(round);
            unsigned op = (unsigned)(next_rand() % 10);
            if (op < 5) {
                bool added;
                is = intset_add(is, x, &added);
                bad += added != model_add(&m, x);
            } else if (op < 8) {
                /* Remove something present half of the time. */
                if (m.n && (next_rand() & 1)) {
                    x = m.v[next_rand() % m.n];
                }
                bool removed;
                is = intset_remove(is, x, &removed);
                bad += removed != model_remove(&m, x);
            } else {
                bool found;
                model_pos(&m, x, &found);
                bad += intset_find(is, x) != found;
            }
            unsigned w = model_width(&m);
            max_width = w > max_width ? w : max_width;
            bad += intset_len(is) != m.n;
            bad += intset_width(is) != max_width;
            bad += intset_bytes(is) != 8 + m.n * max_width;
            for (size_t k = 0; k < m.n && !bad; k++) {
                bad += intset_get(is, (uint32_t)k) != m.v[k];
            }
            if (m.n) {
                bad += !intset_validate(is, intset_bytes(is), true);
            }
            if (bad) {
                fprintf(stderr, "model mismatch: round %d op %d value %" PRId64 "\n", round, i,
                        x);
            }
        }
        /* Every member is found, and neighbours that are absent are not. */
        for (size_t k = 0; k < m.n && !bad; k++) {
            bad += !intset_find(is, m.v[k]);
            if (m.v[k] != INT64_MAX && (k + 1 == m.n || m.v[k + 1] != m.v[k] + 1)) {
                bad += intset_find(is, m.v[k] + 1);
            }
        }
        intset_free(is);
        free(m.v);
    }
    CHECK(bad == 0);
}

int main(void)
{
    size_t before = kv_used_memory();
    test_empty();
    test_layout();
    test_boundaries();
    test_validate();
    test_random_model();
    CHECK(kv_used_memory() == before);
    return check_summary("test_intset");
}
