// deps: src/ds/quicklist.c src/ds/listpack.c src/ds/lzf.c src/base/alloc.c src/base/rand.c
/* test_quicklist.c - unit tests for the quicklist (src/ds/quicklist.c).
 *
 * Random operation runs checked against a reference model (an array of byte strings),
 * for a grid of node limits (list-max-listpack-size -5..-1, 0, small and large counts)
 * and compression depths (0..3). After every operation ql_check() validates the
 * structure (counts, links, sizes, compression window) and, every few steps, the whole
 * content is compared walking both ways from a random index. Values mix canonical
 * integers (stored as listpack integers, read back as text), near-integers that must stay
 * strings ("007", "-0"), short and long strings, compressible and random bytes, and
 * entries bigger than a node.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"
#include "ds/quicklist.h"

#include "check.h"

/* ---- reference model ---- */

typedef struct val {
    char *p;
    size_t len;
} val;

typedef struct model {
    val *v;
    size_t n, cap;
} model;

static void model_insert(model *m, size_t at, val v)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, sizeof(val) * m->cap);
    }
    memmove(m->v + at + 1, m->v + at, sizeof(val) * (m->n - at));
    m->v[at] = v;
    m->n++;
}

static void model_delete(model *m, size_t at, size_t count)
{
    if (count == 0) {
        return;
    }
    for (size_t i = at; i < at + count; i++) {
        free(m->v[i].p);
    }
    memmove(m->v + at, m->v + at + count, sizeof(val) * (m->n - at - count));
    m->n -= count;
}

static void model_clear(model *m)
{
    model_delete(m, 0, m->n);
}

static val make_val(void)
{
    val v;
    char buf[64];
    switch (rand_below(10)) {
    case 0:
    case 1: { /* canonical integers of every listpack width */
        static const long long bases[] = {0, 127, -4096, 4095, 32767, -8388608, 2147483647,
                                          -9223372036854775807LL - 1, 9223372036854775807LL};
        long long x = bases[rand_below(9)];
        if (rand_below(2)) {
            x = (long long)(rand_u64() >> rand_below(64));
            if (rand_below(2)) {
                x = -x;
            }
        }
        v.len = (size_t)snprintf(buf, sizeof(buf), "%lld", x);
        v.p = malloc(v.len + 1);
        memcpy(v.p, buf, v.len + 1);
        return v;
    }
    case 2: { /* look like integers but are strings */
        static const char *const odd[] = {"007", "-0", "+1", " 1", "1 ", "",
                                          "99999999999999999999", "1e3", "0x10"};
        const char *s = odd[rand_below(9)];
        v.len = strlen(s);
        v.p = malloc(v.len + 1);
        memcpy(v.p, s, v.len + 1);
        return v;
    }
    case 3:
    case 4:
    case 5:
        v.len = 1 + rand_below(20);
        break;
    case 6:
    case 7:
        v.len = 20 + rand_below(300);
        break;
    case 8:
        v.len = 300 + rand_below(5000);
        break;
    default:
        v.len = rand_below(4) == 0 ? 9000 + rand_below(70000) : 60 + rand_below(100);
        break;
    }
    v.p = malloc(v.len + 1);
    bool compressible = rand_below(2);
    for (size_t i = 0; i < v.len; i++) {
        v.p[i] = compressible ? (char)('a' + (i / 7) % 3) : (char)rand_u64();
    }
    v.p[v.len] = '\0';
    return v;
}

static bool same(const ql_entry *e, const val *v)
{
    return e->len == v->len && (v->len == 0 || memcmp(e->s, v->p, v->len) == 0);
}

/* Walks from a random index in both directions and compares with the model. */
static void compare(quicklist *ql, model *m)
{
    CHECK(ql_count(ql) == m->n);
    if (m->n == 0) {
        ql_entry e;
        CHECK(!ql_peek(ql, false, &e));
        CHECK(!ql_peek(ql, true, &e));
        return;
    }
    size_t start = rand_below(m->n);
    bool fwd = rand_below(2);
    long long idx = rand_below(2) ? (long long)start : (long long)start - (long long)m->n;
    ql_iter it;
    ql_iter_start(&it, ql, idx, fwd);
    ql_entry e;
    size_t i = start, seen = 0;
    bool ok = true;
    while (ql_iter_next(&it, &e)) {
        ok &= same(&e, &m->v[i]);
        seen++;
        if (fwd) {
            i++;
        } else if (i-- == 0) {
            break;
        }
    }
    ql_iter_done(&it);
    CHECK(ok);
    CHECK(seen == (fwd ? m->n - start : start + 1));
    CHECK(ql_check(ql) == NULL);
}

static void check_structure(quicklist *ql, const char *op)
{
    const char *err = ql_check(ql);
    if (err) {
        fprintf(stderr, "after %s: %s\n", op, err);
    }
    CHECK(err == NULL);
}

/* ---- the random run ---- */

static void run(int fill, int depth, int steps)
{
    quicklist *ql = ql_create(fill, depth);
    model m = {0};
    size_t compressed_seen = 0, max_nodes = 0;
    for (int step = 0; step < steps; step++) {
        int op = (int)rand_below(100);
        const char *name = "";
        if (op < 40) { /* push; keep lists growing to many nodes */
            name = "push";
            val v = make_val();
            bool tail = rand_below(2);
            ql_push(ql, tail, v.p, v.len);
            model_insert(&m, tail ? m.n : 0, v);
        } else if (op < 55) { /* pop (peek + discard) */
            name = "pop";
            bool tail = rand_below(2);
            ql_entry e;
            bool got = ql_peek(ql, tail, &e);
            CHECK(got == (m.n > 0));
            if (got) {
                CHECK(same(&e, &m.v[tail ? m.n - 1 : 0]));
                CHECK(ql_pop_discard(ql, tail));
                model_delete(&m, tail ? m.n - 1 : 0, 1);
            } else {
                CHECK(!ql_pop_discard(ql, tail));
            }
        } else if (op < 62) { /* replace */
            name = "replace";
            val v = make_val();
            long long idx = m.n ? (long long)rand_below(m.n) : 0;
            if (rand_below(2)) {
                idx -= (long long)m.n;
            }
            bool ok = ql_replace(ql, idx, v.p, v.len);
            CHECK(ok == (m.n > 0));
            if (ok) {
                size_t at = idx < 0 ? (size_t)(idx + (long long)m.n) : (size_t)idx;
                free(m.v[at].p);
                m.v[at] = v;
            } else {
                free(v.p);
            }
        } else if (op < 67) { /* delete a range */
            name = "del_range";
            if (m.n) {
                size_t at = rand_below(m.n);
                size_t count = rand_below(4) ? rand_below(5) : rand_below(m.n + 3);
                size_t expect = count > m.n - at ? m.n - at : count;
                CHECK(ql_del_range(ql, (long long)at, count) == expect);
                model_delete(&m, at, expect);
            } else {
                CHECK(ql_del_range(ql, 0, 3) == 0);
            }
        } else if (op < 77) { /* insert next to a random entry through an iterator */
            name = "insert";
            val v = make_val();
            if (m.n) {
                size_t at = rand_below(m.n);
                bool after = rand_below(2);
                ql_iter it;
                ql_iter_start(&it, ql, (long long)at, rand_below(2));
                ql_entry e;
                CHECK(ql_iter_next(&it, &e));
                CHECK(same(&e, &m.v[at]));
                ql_iter_insert(&it, v.p, v.len, after);
                ql_iter_done(&it);
                model_insert(&m, after ? at + 1 : at, v);
            } else {
                free(v.p);
            }
        } else if (op < 85) { /* delete while iterating (LREM-like), either direction */
            name = "iter_delete";
            if (m.n) {
                bool fwd = rand_below(2);
                size_t start = rand_below(m.n);
                unsigned every = 1 + (unsigned)rand_below(3);
                size_t limit = rand_below(3) ? 1 + rand_below(50) : (size_t)-1;
                ql_iter it;
                ql_iter_start(&it, ql, (long long)start, fwd);
                ql_entry e;
                size_t i = start, removed = 0;
                unsigned k = 0;
                bool ok = true;
                while (removed < limit && ql_iter_next(&it, &e)) {
                    ok &= same(&e, &m.v[i]);
                    if (++k % every == 0) {
                        ql_iter_delete(&it);
                        model_delete(&m, i, 1);
                        removed++;
                        if (!fwd) {
                            if (i == 0) {
                                break;
                            }
                            i--;
                        }
                    } else if (fwd) {
                        i++;
                    } else {
                        if (i == 0) {
                            break;
                        }
                        i--;
                    }
                }
                ql_iter_done(&it);
                CHECK(ok);
            }
        } else if (op < 88) { /* out-of-range accesses */
            name = "range";
            ql_iter it;
            ql_entry e;
            ql_iter_start(&it, ql, (long long)m.n, true);
            CHECK(!ql_iter_next(&it, &e));
            ql_iter_done(&it);
            ql_iter_start(&it, ql, -(long long)m.n - 1, false);
            CHECK(!ql_iter_next(&it, &e));
            ql_iter_done(&it);
            CHECK(!ql_replace(ql, (long long)m.n, "x", 1));
        } else if (op < 90) { /* copy */
            name = "dup";
            quicklist *c = ql_dup(ql);
            check_structure(c, "dup (copy)");
            compare(c, &m);
            ql_destroy(c);
        } else if (op == 90 && rand_below(8) == 0) {
            name = "clear";
            ql_destroy(ql);
            ql = ql_create(fill, depth);
            model_clear(&m);
        } else {
            name = "compare";
            compare(ql, &m);
        }
        check_structure(ql, name);
        compressed_seen += ql_compressed_nodes(ql);
        max_nodes = ql->len > max_nodes ? ql->len : max_nodes;
        if (failed) {
            fprintf(stderr, "fill=%d depth=%d step=%d op=%s\n", fill, depth, step, name);
            exit(1);
        }
    }
    compare(ql, &m);
    CHECK(ql_mem_usage(ql) > 0);
    if (depth > 0 && max_nodes > 2 * (size_t)depth + 2) {
        CHECK(compressed_seen > 0); /* the run did exercise compression */
    }
    ql_destroy(ql);
    model_clear(&m);
    free(m.v);
}

/* Pushes and pops only at the ends, as queues do, and checks node sizing. */
static void test_node_limits(void)
{
    quicklist *ql = ql_create(-2, 0);
    char v[100];
    memset(v, 'x', sizeof(v));
    for (int i = 0; i < 1000; i++) {
        ql_push(ql, true, v, sizeof(v));
    }
    /* 102-byte entries in 8 KB nodes: 80 per node. */
    CHECK(ql->len == (1000 + 79) / 80);
    ql_destroy(ql);

    ql = ql_create(5, 0);
    for (int i = 0; i < 12; i++) {
        ql_push(ql, false, "a", 1);
    }
    CHECK(ql->len == 3);
    ql_destroy(ql);

    ql = ql_create(-1, 1); /* an entry bigger than the limit gets its own node */
    char *big = malloc(10000);
    memset(big, 'b', 10000);
    ql_push(ql, true, "a", 1);
    ql_push(ql, true, big, 10000);
    ql_push(ql, true, "c", 1);
    CHECK(ql->len == 3);
    ql_entry e;
    CHECK(ql_peek(ql, true, &e) && e.len == 1 && e.s[0] == 'c');
    ql_iter it;
    ql_iter_start(&it, ql, 1, true);
    CHECK(ql_iter_next(&it, &e) && e.len == 10000 && e.s[9999] == 'b');
    ql_iter_done(&it);
    CHECK(ql_check(ql) == NULL);
    free(big);
    ql_destroy(ql);

    /* Inner nodes of a long compressible list are compressed; ends are not. */
    ql = ql_create(-2, 1);
    for (int i = 0; i < 10000; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "element:%06d", i);
        ql_push(ql, true, buf, (size_t)n);
    }
    CHECK(ql_compressed_nodes(ql) == ql->len - 2);
    CHECK(ql_check(ql) == NULL);
    ql_iter_start(&it, ql, 5000, true);
    CHECK(ql_iter_next(&it, &e) && e.len == 14 && memcmp(e.s, "element:005000", 14) == 0);
    ql_iter_done(&it);
    CHECK(ql_check(ql) == NULL);
    while (ql_count(ql)) {
        ql_pop_discard(ql, false);
    }
    CHECK(ql->len == 0 && ql->head == NULL && ql->tail == NULL);
    ql_destroy(ql);
}

int main(int argc, char **argv)
{
    rand_seed(88172645463325252ULL);
    int steps = argc > 1 ? atoi(argv[1]) : 3000;
    if (argc > 2) {
        rand_seed(strtoull(argv[2], NULL, 10));
    }
    test_node_limits();
    static const int fills[] = {-1, -2, -5, 0, 1, 2, 3, 16, 128};
    static const int depths[] = {0, 1, 2, 3};
    for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
        for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
            run(fills[f], depths[d], steps);
        }
    }
    return check_summary("test_quicklist");
}
