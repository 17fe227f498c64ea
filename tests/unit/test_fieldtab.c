// deps: src/ds/fieldtab.c src/ds/ht.c src/base/alloc.c src/base/hash.c
/* test_fieldtab.c - unit tests for field tables (src/ds/fieldtab.c).
 *
 * Random operations (set, set keeping the TTL, delete, expire add/change/remove, delete
 * the earliest-expiring entry) are checked against a plain array model after every step
 * that can disagree: size, volatile count, each field's value and expire time, and that
 * ft_next_expiring names an entry with the smallest expire time. Then copies, iteration
 * with deletion, SCAN coverage across growth, and a 1M-entry memory figure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "ds/fieldtab.h"

#include "check.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- the model ---- */

#define NFIELDS 300
#define VMAX 300

typedef struct model_entry {
    bool present;
    char value[VMAX];
    size_t vlen;
    int64_t expire;
} model_entry;

static model_entry model[NFIELDS];

static size_t field_name(int i, char *buf)
{
    /* Field lengths vary from 1 to ~150 bytes, some with NUL bytes. */
    size_t len = (size_t)(i % 7 == 0 ? 100 + i % 50 : 1 + i % 13);
    for (size_t j = 0; j < len; j++) {
        buf[j] = (char)('a' + (i + j) % 26);
    }
    memcpy(buf, &i, sizeof(i) < len ? sizeof(i) : len);
    if (len < sizeof(i)) {
        buf[0] = (char)i;
        if (len > 1) {
            buf[1] = (char)(i >> 8);
        }
    }
    return len;
}

static void random_value(char *buf, size_t *len)
{
    size_t r = next_rand() % 10;
    *len = r < 6 ? next_rand() % 12 : (r < 9 ? next_rand() % 130 : next_rand() % VMAX);
    for (size_t j = 0; j < *len; j++) {
        buf[j] = (char)next_rand();
    }
}

static void check_all(ft *t)
{
    size_t size = 0, vol = 0;
    int64_t min = INT64_MAX;
    bool ok = true;
    for (int i = 0; i < NFIELDS; i++) {
        char f[200];
        size_t flen = field_name(i, f);
        ft_entry *e = ft_find(t, f, flen);
        if (!model[i].present) {
            ok &= e == NULL;
            continue;
        }
        size++;
        if (!e) {
            ok = false;
            continue;
        }
        size_t len, vlen;
        const char *got = ft_field(e, &len);
        ok &= len == flen && memcmp(got, f, flen) == 0;
        const char *v = ft_value(e, &vlen);
        ok &= vlen == model[i].vlen && (vlen == 0 || memcmp(v, model[i].value, vlen) == 0);
        ok &= ft_expire(e) == model[i].expire;
        if (model[i].expire >= 0) {
            vol++;
            if (model[i].expire < min) {
                min = model[i].expire;
            }
        }
    }
    CHECK(ok);
    CHECK(ft_size(t) == size);
    CHECK(ft_volatile(t) == vol);
    ft_entry *first = ft_next_expiring(t);
    if (vol == 0) {
        CHECK(first == NULL);
    } else {
        CHECK(first != NULL && ft_expire(first) == min);
    }
}

static int field_index(const ft_entry *e)
{
    size_t len;
    const char *f = ft_field(e, &len);
    for (int i = 0; i < NFIELDS; i++) {
        char buf[200];
        size_t l = field_name(i, buf);
        if (l == len && memcmp(buf, f, l) == 0) {
            return i;
        }
    }
    return -1;
}

static void test_random_ops(void)
{
    ft *t = ft_create();
    memset(model, 0, sizeof(model));
    for (int i = 0; i < NFIELDS; i++) {
        model[i].expire = -1;
    }
    for (int step = 0; step < 40000; step++) {
        int i = (int)(next_rand() % NFIELDS);
        char f[200];
        size_t flen = field_name(i, f);
        int op = (int)(next_rand() % 100);
        if (op < 40) {
            bool keep = next_rand() % 2, added;
            char v[VMAX];
            size_t vlen;
            random_value(v, &vlen);
            ft_entry *e = ft_set(t, f, flen, v, vlen, keep, &added);
            CHECK(added == !model[i].present);
            if (!model[i].present || !keep) {
                model[i].expire = -1;
            }
            model[i].present = true;
            memcpy(model[i].value, v, vlen);
            model[i].vlen = vlen;
            CHECK(ft_expire(e) == model[i].expire);
        } else if (op < 55) {
            CHECK(ft_delete(t, f, flen) == model[i].present);
            model[i].present = false;
            model[i].expire = -1;
        } else if (op < 85) {
            ft_entry *e = ft_find(t, f, flen);
            CHECK((e != NULL) == model[i].present);
            if (e) {
                int64_t at = next_rand() % 4 == 0 ? -1 : (int64_t)(next_rand() % 1000);
                e = ft_set_expire(t, e, at);
                model[i].expire = at < 0 ? -1 : at;
                CHECK(ft_expire(e) == model[i].expire);
                CHECK(ft_find(t, f, flen) == e);
            }
        } else if (op < 95) {
            ft_entry *e = ft_next_expiring(t);
            if (e) {
                int j = field_index(e);
                CHECK(j >= 0 && model[j].present && model[j].expire == ft_expire(e));
                if (j >= 0) {
                    ft_delete_entry(t, e);
                    model[j].present = false;
                    model[j].expire = -1;
                }
            }
        } else {
            ft_entry *e = ft_random(t);
            CHECK((e == NULL) == (ft_size(t) == 0));
            if (e) {
                int j = field_index(e);
                CHECK(j >= 0 && model[j].present);
            }
        }
        if (step % 97 == 0) {
            check_all(t);
        }
    }
    check_all(t);

    /* A copy holds the same entries and expire times, independently. */
    ft *c = ft_copy(t);
    check_all(c);
    ft_iter it;
    ft_iter_init(&it, c, true);
    ft_entry *e;
    size_t n = 0;
    while ((e = ft_iter_next(&it)) != NULL) {
        ft_delete_entry(c, e);
        n++;
    }
    ft_iter_done(&it);
    CHECK(n == ft_size(t));
    CHECK(ft_size(c) == 0 && ft_volatile(c) == 0 && ft_next_expiring(c) == NULL);
    check_all(t);
    ft_destroy(c);

    /* Draining by expire order yields non-decreasing times. */
    int64_t last = -1;
    bool ordered = true;
    while ((e = ft_next_expiring(t)) != NULL) {
        ordered &= ft_expire(e) >= last;
        last = ft_expire(e);
        int j = field_index(e);
        model[j].present = false;
        model[j].expire = -1;
        ft_delete_entry(t, e);
    }
    CHECK(ordered);
    check_all(t);
    ft_destroy(t);
    ft_destroy(NULL);
}

static void test_empty_field_and_value(void)
{
    ft *t = ft_create();
    bool added;
    ft_entry *e = ft_set(t, "", 0, "", 0, false, &added);
    CHECK(added);
    size_t len = 99;
    ft_field(e, &len);
    CHECK(len == 0);
    ft_value(e, &len);
    CHECK(len == 0);
    e = ft_set_expire(t, e, 5);
    CHECK(ft_expire(e) == 5 && ft_volatile(t) == 1);
    e = ft_set(t, "", 0, "x", 1, true, &added);
    CHECK(!added && ft_expire(e) == 5);
    const char *v = ft_value(e, &len);
    CHECK(len == 1 && v[0] == 'x');
    CHECK(ft_delete(t, "", 0));
    CHECK(!ft_delete(t, "", 0));
    CHECK(ft_size(t) == 0 && ft_volatile(t) == 0);
    ft_destroy(t);
}

struct scan_seen {
    unsigned char *seen;
    size_t n;
};

static void scan_cb(void *priv, ft_entry *e)
{
    struct scan_seen *s = priv;
    size_t len;
    const char *f = ft_field(e, &len);
    unsigned idx;
    memcpy(&idx, f, sizeof(idx));
    s->seen[idx] = 1;
    s->n++;
}

static void test_big_and_scan(void)
{
    enum { N = 1000000 };
    size_t before = kv_used_memory();
    ft *t = ft_create();
    char f[32], v[32];
    for (unsigned i = 0; i < N; i++) {
        memcpy(f, &i, sizeof(i));
        int fl = snprintf(f + 4, sizeof(f) - 4, "field:%u", i) + 4;
        int vl = snprintf(v, sizeof(v), "value:%u", i);
        ft_set(t, f, (size_t)fl, v, (size_t)vl, false, NULL);
    }
    size_t used = kv_used_memory() - before;
    CHECK(ft_size(t) == N);
    CHECK(ft_mem_usage(t) <= used + 64 && ft_mem_usage(t) + 4096 >= used);
    printf("fieldtab: %.1f bytes per entry at 1M entries (16-byte fields, ~12-byte values)\n",
           (double)used / N);

    /* Rehash steps without writes finish a resize left half done: never more memory,
     * every entry still found. */
    size_t mem_before = ft_mem_usage(t);
    for (int i = 0; i < 20000; i++) {
        ft_rehash_step(t);
    }
    CHECK(ft_mem_usage(t) <= mem_before);
    bool found = true;
    for (unsigned i = 0; i < N; i += 997) {
        memcpy(f, &i, sizeof(i));
        int fl = snprintf(f + 4, sizeof(f) - 4, "field:%u", i) + 4;
        found &= ft_find(t, f, (size_t)fl) != NULL;
    }
    CHECK(found);

    /* A SCAN started before half the entries are deleted returns every survivor. */
    struct scan_seen s = {calloc(N, 1), 0};
    uint64_t cursor = ft_scan(t, 0, scan_cb, &s);
    for (unsigned i = 0; i < N; i += 2) {
        memcpy(f, &i, sizeof(i));
        int fl = snprintf(f + 4, sizeof(f) - 4, "field:%u", i) + 4;
        CHECK(ft_delete(t, f, (size_t)fl) || (i % 2 == 1));
    }
    while (cursor) {
        cursor = ft_scan(t, cursor, scan_cb, &s);
    }
    bool all = true;
    for (unsigned i = 1; i < N; i += 2) {
        all &= s.seen[i] == 1;
    }
    CHECK(all);
    free(s.seen);

    /* Expire times on many entries: the heap hands them out in order. */
    ft_iter it;
    ft_iter_init(&it, t, false);
    ft_entry *e;
    size_t n = 0;
    while ((e = ft_iter_next(&it)) != NULL) {
        n++;
    }
    ft_iter_done(&it);
    CHECK(n == N / 2);
    for (unsigned i = 1; i < N; i += 2) {
        memcpy(f, &i, sizeof(i));
        int fl = snprintf(f + 4, sizeof(f) - 4, "field:%u", i) + 4;
        e = ft_find(t, f, (size_t)fl);
        ft_set_expire(t, e, (int64_t)(next_rand() % 100000));
    }
    CHECK(ft_volatile(t) == N / 2);
    int64_t last = -1;
    bool ordered = true;
    for (int k = 0; k < 1000; k++) {
        e = ft_next_expiring(t);
        ordered &= ft_expire(e) >= last;
        last = ft_expire(e);
        ft_delete_entry(t, e);
    }
    CHECK(ordered);
    CHECK(ft_volatile(t) == N / 2 - 1000);
    ft_destroy(t);
    CHECK(kv_used_memory() == before);
}

static void test_rehash_after_growth(void)
{
    ft *t = ft_create();
    char f[32];
    size_t last_mem = 0, n = 0;
    /* Insert until the memory jumps (a growth started), then stop writing. */
    for (;;) {
        int fl = snprintf(f, sizeof(f), "k%zu", n++);
        ft_set(t, f, (size_t)fl, "v", 1, false, NULL);
        size_t mem = ft_mem_usage(t);
        if (n > 5000 && mem > last_mem + 20000) {
            break;
        }
        last_mem = mem;
    }
    size_t grown = ft_mem_usage(t);
    for (int i = 0; i < 1000; i++) {
        ft_rehash_step(t);
    }
    CHECK(ft_mem_usage(t) < grown); /* the old bucket array is gone */
    bool found = true;
    for (size_t i = 0; i < n; i++) {
        int fl = snprintf(f, sizeof(f), "k%zu", i);
        found &= ft_find(t, f, (size_t)fl) != NULL;
    }
    CHECK(found);
    ft_destroy(t);
}

int main(void)
{
    uint8_t seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    hash_set_seed(seed);
    test_empty_field_and_value();
    test_random_ops();
    test_rehash_after_growth();
    test_big_and_scan();
    return check_summary("test_fieldtab");
}
