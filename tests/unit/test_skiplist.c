// deps: src/ds/skiplist.c src/base/alloc.c src/base/rand.c
/* test_skiplist.c - unit tests for the sorted-set skiplist (src/ds/skiplist.c).
 *
 * The reference model is a plain array of (score, member, node) kept sorted by insertion;
 * random operations (insert, delete, score update, rank, access by rank, score and lex
 * ranges in both directions, range deletions) run against both and are compared, and the
 * list's structure (order, backward links, tail, every level's spans) is checked from
 * scratch every few operations. The model records node pointers, so the tests also check
 * that a node keeps its address across score updates (the sorted set's map relies on it).
 * Prints a line with bytes per node for 1M members.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/rand.h"
#include "ds/skiplist.h"

#include "check.h"

/* ---- reference model ---- */

typedef struct item {
    double score;
    char member[24];
    size_t len;
    zsl_node *node;
} item;

typedef struct model {
    item *v;
    size_t n, cap;
} model;

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int item_cmp(double s, const char *m, size_t len, const item *b)
{
    if (s < b->score) {
        return -1;
    }
    if (s > b->score) {
        return 1;
    }
    return zsl_cmp_member(m, len, b->member, b->len);
}

/* Index where (s, m) is or would go. */
static size_t model_pos(const model *md, double s, const char *m, size_t len)
{
    size_t lo = 0, hi = md->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (item_cmp(s, m, len, &md->v[mid]) > 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static long model_find_member(const model *md, const char *m, size_t len)
{
    for (size_t i = 0; i < md->n; i++) {
        if (md->v[i].len == len && memcmp(md->v[i].member, m, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static void model_insert(model *md, item it)
{
    if (md->n == md->cap) {
        md->cap = md->cap ? md->cap * 2 : 64;
        md->v = realloc(md->v, md->cap * sizeof(item));
    }
    size_t at = model_pos(md, it.score, it.member, it.len);
    memmove(md->v + at + 1, md->v + at, (md->n - at) * sizeof(item));
    md->v[at] = it;
    md->n++;
}

static void model_remove_at(model *md, size_t at)
{
    memmove(md->v + at, md->v + at + 1, (md->n - at - 1) * sizeof(item));
    md->n--;
}

/* ---- structure check ---- */

static size_t index_of(const model *md, const zsl_node *n)
{
    size_t at = model_pos(md, n->score, n->member, n->len);
    return at < md->n && md->v[at].node == n ? at : (size_t)-1;
}

/* Checks the whole list against the model: order and identity at level 0, backward
 * links, tail, length, and for every level that each link's span equals the rank
 * distance (via zsl_at_rank and zsl_rank too). */
static bool check_structure(const zskiplist *zsl, const model *md)
{
    if (zsl->length != md->n) {
        fprintf(stderr, "length %zu vs %zu\n", zsl->length, md->n);
        return false;
    }
    zsl_node *x = zsl_first(zsl), *prev = NULL;
    for (size_t i = 0; i < md->n; i++, prev = x, x = zsl_next(x)) {
        if (x != md->v[i].node || x->backward != prev || x->score != md->v[i].score) {
            fprintf(stderr, "order broken at %zu\n", i);
            return false;
        }
    }
    if (x != NULL || zsl->tail != (md->n ? md->v[md->n - 1].node : NULL)) {
        return false;
    }
    if (zsl->level < 1 || zsl->level > ZSL_MAX_LEVEL) {
        return false;
    }
    for (int lv = 0; lv < zsl->level; lv++) {
        const zsl_node *from = zsl->header;
        size_t from_rank = 0;
        while (zsl_links(from)[lv]) {
            const zsl_node *to = zsl_links(from)[lv];
            size_t to_rank = index_of(md, to) + 1;
            size_t span = lv == 0 ? 1 : ((const uint32_t *)(zsl_links(from) + from->level))[lv - 1];
            if (to_rank == 0 || to->level <= lv || span != to_rank - from_rank) {
                fprintf(stderr, "span broken at level %d rank %zu\n", lv, from_rank);
                return false;
            }
            from = to;
            from_rank = to_rank;
        }
    }
    if (zsl->level > 1 && zsl_links(zsl->header)[zsl->level - 1] == NULL) {
        return false;
    }
    for (size_t i = 0; i < md->n; i++) {
        if (zsl_rank(zsl, md->v[i].node) != i + 1 || zsl_at_rank(zsl, i + 1) != md->v[i].node) {
            fprintf(stderr, "rank broken at %zu\n", i);
            return false;
        }
    }
    return zsl_at_rank(zsl, 0) == NULL && zsl_at_rank(zsl, md->n + 1) == NULL;
}

/* ---- random values ---- */

#define POOL 600

static size_t make_member(char *buf, size_t id)
{
    /* Varying lengths and a shared prefix, so ordering by length matters too. */
    static const char *prefixes[] = {"", "m", "mm", "m:"};
    return (size_t)snprintf(buf, 24, "%s%zu", prefixes[id % 4], id / 4);
}

static double random_score(void)
{
    switch (rnd_below(10)) {
    case 0:
        return -INFINITY;
    case 1:
        return INFINITY;
    case 2:
    case 3:
    case 4:
        return (double)rnd_below(8); /* many ties */
    default:
        return ((double)(int64_t)rnd_below(2000001) - 1000000.0) / 7.0;
    }
}

static void random_score_range(zrange_score *r)
{
    r->min = random_score();
    r->max = rnd_below(4) ? r->min + (double)rnd_below(300000) / 3.0 : random_score();
    if (isnan(r->max)) {
        r->max = INFINITY;
    }
    r->minex = rnd_below(2);
    r->maxex = rnd_below(2);
}

static bool model_in_score(const item *it, const zrange_score *r)
{
    return zsl_score_gte_min(it->score, r) && zsl_score_lte_max(it->score, r);
}

static void random_lex_bound(zlex_bound *b, char *buf)
{
    size_t k = rnd_below(12);
    if (k == 0) {
        *b = (zlex_bound){NULL, 0, -1, true};
    } else if (k == 1) {
        *b = (zlex_bound){NULL, 0, 1, true};
    } else {
        size_t len = make_member(buf, rnd_below(POOL + 20));
        if (rnd_below(3) == 0 && len > 1) {
            len--; /* a prefix that is not a member */
        }
        *b = (zlex_bound){buf, len, 0, rnd_below(2) != 0};
    }
}

static bool model_in_lex(const item *it, const zrange_lex *r)
{
    return zsl_lex_gte_min(it->member, it->len, r) && zsl_lex_lte_max(it->member, it->len, r);
}

/* ---- tests ---- */

static void test_basic(void)
{
    zskiplist zsl;
    zsl_init(&zsl);
    CHECK(zsl.length == 0 && zsl_first(&zsl) == NULL && zsl_last(&zsl) == NULL);
    zsl_node *b = zsl_insert(&zsl, 2, "b", 1);
    zsl_node *a = zsl_insert(&zsl, 1, "a", 1);
    zsl_node *c = zsl_insert(&zsl, 2, "c", 1);
    zsl_node *e = zsl_insert(&zsl, 2, "", 0);
    CHECK(zsl_first(&zsl) == a && zsl_next(a) == e && zsl_next(e) == b && zsl_next(b) == c);
    CHECK(zsl_last(&zsl) == c && zsl_prev(c) == b && zsl_prev(a) == NULL);
    CHECK(zsl_rank(&zsl, a) == 1 && zsl_rank(&zsl, e) == 2 && zsl_rank(&zsl, c) == 4);
    CHECK(b->len == 1 && b->member[0] == 'b' && e->len == 0);
    CHECK(zsl_update_score(&zsl, a, 3) == a && zsl_last(&zsl) == a && zsl_rank(&zsl, a) == 4);
    zrange_score r = {2, 2, false, false};
    CHECK(zsl_first_in_score(&zsl, &r) == e && zsl_last_in_score(&zsl, &r) == c);
    r.maxex = true;
    CHECK(zsl_first_in_score(&zsl, &r) == NULL && zsl_score_range_empty(&r));
    zsl_delete(&zsl, e);
    CHECK(zsl.length == 3 && zsl_first(&zsl) == b && zsl_prev(b) == NULL);
    zsl_deinit(&zsl);

    /* Lex bound ordering: "-" below everything, "+" above, "- -" and "+ +" empty. */
    zrange_lex lr = {{NULL, 0, -1, true}, {NULL, 0, 1, true}};
    CHECK(!zsl_lex_range_empty(&lr));
    lr.max = lr.min;
    CHECK(zsl_lex_range_empty(&lr));
    lr = (zrange_lex){{"a", 1, 0, false}, {"a", 1, 0, false}};
    CHECK(!zsl_lex_range_empty(&lr));
    lr.max.ex = true;
    CHECK(zsl_lex_range_empty(&lr));
    lr = (zrange_lex){{"b", 1, 0, false}, {"a", 1, 0, false}};
    CHECK(zsl_lex_range_empty(&lr));
    lr = (zrange_lex){{NULL, 0, 1, true}, {"a", 1, 0, false}};
    CHECK(zsl_lex_range_empty(&lr));
    CHECK(zsl_cmp_member("ab", 2, "abc", 3) < 0 && zsl_cmp_member("b", 1, "abc", 3) > 0);
    CHECK(zsl_cmp_member("\xff", 1, "\x01", 1) > 0 && zsl_cmp_member("", 0, "", 0) == 0);
}

typedef struct unlinked {
    model *md;
    size_t count;
    bool ok;
} unlinked;

static void on_unlinked(void *priv, zsl_node *n)
{
    unlinked *u = priv;
    long at = model_find_member(u->md, n->member, n->len);
    if (at < 0 || u->md->v[at].node != n) {
        u->ok = false;
    } else {
        model_remove_at(u->md, (size_t)at);
    }
    u->count++;
    zsl_node_free(n);
}

/* One random operation; lex = true keeps every score at 0 (lex ranges need it). */
static void random_op(zskiplist *zsl, model *md, bool lex)
{
    char buf[24], buf2[24];
    size_t op = rnd_below(100);
    if (op < 40) { /* insert or update */
        size_t len = make_member(buf, rnd_below(POOL));
        double s = lex ? 0 : random_score();
        long at = model_find_member(md, buf, len);
        if (at < 0) {
            item it = {s, "", len, NULL};
            memcpy(it.member, buf, len);
            it.node = zsl_insert(zsl, s, buf, len);
            CHECK(it.node->score == s && it.node->len == len);
            model_insert(md, it);
        } else if (!lex) {
            item it = md->v[at];
            model_remove_at(md, (size_t)at);
            it.score = s;
            CHECK(zsl_update_score(zsl, it.node, s) == it.node);
            model_insert(md, it);
        }
    } else if (op < 55) { /* delete */
        if (md->n) {
            size_t at = rnd_below(md->n);
            zsl_delete(zsl, md->v[at].node);
            model_remove_at(md, at);
        }
    } else if (op < 65) { /* rank, access by rank, rank ranges in both directions */
        if (md->n) {
            size_t at = rnd_below(md->n);
            CHECK(zsl_rank(zsl, md->v[at].node) == at + 1);
            CHECK(zsl_at_rank(zsl, at + 1) == md->v[at].node);
            size_t lo = rnd_below(md->n), hi = lo + rnd_below(md->n - lo);
            size_t n = 0;
            for (zsl_node *x = zsl_at_rank(zsl, lo + 1); x && lo + n <= hi; x = zsl_next(x)) {
                if (x != md->v[lo + n].node) {
                    break;
                }
                n++;
            }
            CHECK(n == hi - lo + 1);
            n = 0;
            for (zsl_node *x = zsl_at_rank(zsl, hi + 1); x && n <= hi - lo; x = zsl_prev(x)) {
                if (x != md->v[hi - n].node) {
                    break;
                }
                n++;
            }
            CHECK(n == hi - lo + 1);
        }
        CHECK(zsl_at_rank(zsl, md->n + 1 + rnd_below(3)) == NULL);
    } else if (op < 85) { /* ranges, both directions */
        size_t lo = md->n, hi = 0, count = 0; /* model: first and last index in range */
        zsl_node *first, *last;
        if (lex) {
            zrange_lex r;
            random_lex_bound(&r.min, buf);
            random_lex_bound(&r.max, buf2);
            for (size_t i = 0; i < md->n; i++) {
                if (model_in_lex(&md->v[i], &r)) {
                    lo = i < lo ? i : lo;
                    hi = i;
                    count++;
                }
            }
            first = zsl_first_in_lex(zsl, &r);
            last = zsl_last_in_lex(zsl, &r);
            CHECK(zsl_lex_range_empty(&r) ? count == 0 : true);
        } else {
            zrange_score r;
            random_score_range(&r);
            for (size_t i = 0; i < md->n; i++) {
                if (model_in_score(&md->v[i], &r)) {
                    lo = i < lo ? i : lo;
                    hi = i;
                    count++;
                }
            }
            first = zsl_first_in_score(zsl, &r);
            last = zsl_last_in_score(zsl, &r);
        }
        if (count == 0) {
            CHECK(first == NULL && last == NULL);
        } else {
            CHECK(first == md->v[lo].node && last == md->v[hi].node);
            CHECK(hi - lo + 1 == count); /* ranges are contiguous */
            /* Walk forward from first and backward from last over the range. */
            size_t n = 0;
            for (zsl_node *x = first; x && n < count; x = zsl_next(x), n++) {
                if (x != md->v[lo + n].node) {
                    break;
                }
            }
            CHECK(n == count);
            n = 0;
            for (zsl_node *x = last; x && n < count; x = zsl_prev(x), n++) {
                if (x != md->v[hi - n].node) {
                    break;
                }
            }
            CHECK(n == count);
            CHECK(zsl_rank(zsl, last) - zsl_rank(zsl, first) + 1 == count);
        }
    } else if (op < 90) { /* delete a range (small ones, to keep the list populated) */
        unlinked u = {md, 0, true};
        size_t before = md->n, expect = 0;
        size_t kind = rnd_below(2);
        if (kind == 0 && md->n) {
            size_t start = 1 + rnd_below(md->n), end = start + rnd_below(6);
            expect = (end > md->n ? md->n : end) - start + 1;
            CHECK(zsl_delete_range_rank(zsl, start, end, on_unlinked, &u) == expect);
        } else if (lex) {
            zrange_lex r;
            random_lex_bound(&r.min, buf);
            random_lex_bound(&r.max, buf2);
            for (size_t i = 0; i < md->n; i++) {
                expect += model_in_lex(&md->v[i], &r);
            }
            if (expect > 8) {
                return;
            }
            CHECK(zsl_delete_range_lex(zsl, &r, on_unlinked, &u) == expect);
        } else {
            zrange_score r;
            random_score_range(&r);
            for (size_t i = 0; i < md->n; i++) {
                expect += model_in_score(&md->v[i], &r);
            }
            if (expect > 8) {
                return;
            }
            CHECK(zsl_delete_range_score(zsl, &r, on_unlinked, &u) == expect);
        }
        CHECK(u.ok && u.count == expect && md->n == before - expect);
    } else { /* walk everything backward from the tail */
        size_t n = 0;
        for (zsl_node *x = zsl_last(zsl); x; x = zsl_prev(x), n++) {
            if (n >= md->n || x != md->v[md->n - 1 - n].node) {
                break;
            }
        }
        CHECK(n == md->n);
    }
}

static void random_case(bool lex, size_t ops, uint64_t seed)
{
    rng = seed;
    rand_seed(seed * 31 + 7);
    zskiplist zsl;
    model md = {0};
    zsl_init(&zsl);
    int bad = 0;
    for (size_t i = 0; i < ops; i++) {
        random_op(&zsl, &md, lex);
        if (i % 97 == 0 && !check_structure(&zsl, &md) && bad++ < 3) {
            failed++;
            fprintf(stderr, "FAIL structure after op %zu (lex=%d)\n", i, lex);
        }
    }
    CHECK(check_structure(&zsl, &md));
    /* Drain with rank deletions from the front, checking as it shrinks. */
    unlinked u = {&md, 0, true};
    while (md.n) {
        size_t before = md.n;
        zsl_delete_range_rank(&zsl, 1, 1 + rnd_below(40), on_unlinked, &u);
        CHECK(md.n < before && zsl.length == md.n);
    }
    CHECK(u.ok && check_structure(&zsl, &md) && zsl.level == 1);
    zsl_deinit(&zsl);
    free(md.v);
}

static void test_random_scores(void)
{
    random_case(false, 300000, 12345);
    random_case(false, 100000, 777);
}

static void test_random_lex(void)
{
    random_case(true, 200000, 4242);
}

static void test_edge_ranks(void)
{
    zskiplist zsl;
    zsl_init(&zsl);
    CHECK(zsl_delete_range_rank(&zsl, 1, 10, on_unlinked, NULL) == 0);
    CHECK(zsl_at_rank(&zsl, 1) == NULL);
    zrange_score all = {-INFINITY, INFINITY, false, false};
    CHECK(zsl_first_in_score(&zsl, &all) == NULL && zsl_last_in_score(&zsl, &all) == NULL);
    char buf[24];
    for (int i = 0; i < 1000; i++) {
        size_t len = (size_t)snprintf(buf, sizeof(buf), "%04d", i);
        zsl_insert(&zsl, i, buf, len);
    }
    CHECK(zsl_at_rank(&zsl, 1000)->score == 999 && zsl_at_rank(&zsl, 1)->score == 0);
    zrange_score r = {-INFINITY, 10, false, true};
    CHECK(zsl_last_in_score(&zsl, &r)->score == 9);
    r = (zrange_score){998, INFINITY, true, false};
    CHECK(zsl_first_in_score(&zsl, &r)->score == 999);
    r = (zrange_score){999, INFINITY, true, false};
    CHECK(zsl_first_in_score(&zsl, &r) == NULL);
    /* start > end and start 0 delete nothing. */
    CHECK(zsl_delete_range_rank(&zsl, 5, 4, on_unlinked, NULL) == 0);
    CHECK(zsl_delete_range_rank(&zsl, 0, 4, on_unlinked, NULL) == 0);
    zsl_deinit(&zsl);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1M members "member:<i>" with random scores: prints bytes per node (usable sizes), ns
 * per insert and per rank lookup. */
static void test_million(void)
{
    rand_seed(1);
    rng = 99;
    zskiplist zsl;
    size_t base = kv_used_memory();
    zsl_init(&zsl);
    enum { N = 1000000 };
    zsl_node **nodes = malloc(N * sizeof(*nodes));
    char buf[32];
    double t0 = now_sec();
    for (int i = 0; i < N; i++) {
        size_t len = (size_t)snprintf(buf, sizeof(buf), "member:%d", i);
        nodes[i] = zsl_insert(&zsl, (double)rnd_below(1000000000), buf, len);
    }
    double t1 = now_sec();
    size_t sum = 0;
    for (int i = 0; i < N; i += 7) {
        sum += zsl_rank(&zsl, nodes[i]);
    }
    double t2 = now_sec();
    CHECK(sum > 0 && zsl.length == N);
    size_t prev = 0;
    bool sorted = true;
    for (size_t r = 1; r <= N; r += 9973) {
        zsl_node *x = zsl_at_rank(&zsl, r);
        sorted &= x && zsl_rank(&zsl, x) == r && x->score >= (double)prev;
        prev = (size_t)x->score;
    }
    CHECK(sorted);
    printf("  1M nodes: %.1f bytes/node, insert %.0f ns, rank %.0f ns\n",
           (double)(kv_used_memory() - base) / N, (t1 - t0) * 1e9 / N,
           (t2 - t1) * 1e9 / (N / 7));
    zsl_deinit(&zsl);
    free(nodes);
}

int main(void)
{
    size_t base = kv_used_memory();
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"basic", test_basic},           {"edge_ranks", test_edge_ranks},
        {"random_scores", test_random_scores}, {"random_lex", test_random_lex},
        {"million", test_million},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int before = failed;
        double t0 = now_sec();
        tests[i].fn();
        printf("%-14s %s (%.2fs)\n", tests[i].name, failed == before ? "ok" : "FAILED",
               now_sec() - t0);
        fflush(stdout);
    }
    CHECK(kv_used_memory() == base);
    return check_summary("test_skiplist");
}
