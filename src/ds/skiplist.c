/* skiplist.c - the (score, member) skiplist with spans behind large sorted sets.
 *
 * Owns node allocation and the link/span bookkeeping; see skiplist.h for the node layout
 * and the conventions. Invariants, for every level i of every node x (the header too):
 *   - links(x)[i] is the next node whose level exceeds i, or NULL;
 *   - span(x, i) is how many level-0 steps links(x)[i] jumps; for a NULL link it is the
 *     number of nodes after x (which keeps the arithmetic of insertions at the end
 *     uniform). Level-0 spans are 1 by construction and never stored;
 *   - the header's spans are maintained for levels below zsl->level only; a level that
 *     comes into use gets its header span reset to the current length.
 * Levels are drawn with p = 1/4 (as Redis), capped at ZSL_MAX_LEVEL, so a search visits
 * about 1.33 * log4(n) * 4 nodes and a node carries 1.33 links on average.
 *
 * The search that every mutation starts with records, per level, the last node before the
 * target (`update`) and that node's rank (`rank`), from which spans are adjusted in O(level).
 */
#include "ds/skiplist.h"

#include <assert.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"

static_assert(offsetof(zsl_node, member) == 21, "member bytes start in the header padding");

/* ---- node layout ---- */

static inline size_t links_off(size_t len)
{
    return (offsetof(zsl_node, member) + len + 7) & ~(size_t)7;
}

static inline uint32_t *span_arr(const zsl_node *n)
{
    return (uint32_t *)(zsl_links(n) + n->level);
}

static inline size_t span_get(const zsl_node *n, int i)
{
    return i == 0 ? 1 : span_arr(n)[i - 1];
}

static inline void span_set(zsl_node *n, int i, size_t v)
{
    if (i > 0) {
        span_arr(n)[i - 1] = (uint32_t)v;
    }
}

static size_t node_size_for(int level, size_t len)
{
    return links_off(len) + (size_t)level * sizeof(zsl_node *) +
           (size_t)(level - 1) * sizeof(uint32_t);
}

size_t zsl_node_size(const zsl_node *node)
{
    return node_size_for(node->level, node->len);
}

static zsl_node *node_new(int level, double score, const char *member, size_t len)
{
    size_t size = node_size_for(level, len);
    zsl_node *n = kv_malloc(size);
    n->score = score;
    n->backward = NULL;
    n->len = (uint32_t)len;
    n->level = (uint8_t)level;
    if (len) {
        memcpy(n->member, member, len);
    }
    size_t off = links_off(len);
    memset((char *)n + off, 0, size - off);
    return n;
}

void zsl_node_free(zsl_node *node)
{
    kv_free(node);
}

/* ---- ordering ---- */

int zsl_cmp_member(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t min = alen < blen ? alen : blen;
    int c = min ? memcmp(a, b, min) : 0;
    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* True when node n sorts before (score, member). */
static inline bool node_before(const zsl_node *n, double score, const char *m, size_t len)
{
    return n->score < score ||
           (n->score == score && zsl_cmp_member(n->member, n->len, m, len) < 0);
}

/* ---- level generator: two random bits per coin (p = 1/4) ---- */

static int random_level(void)
{
    uint64_t r = rand_u64();
    int level = 1;
    while ((r & 3) == 0 && level < ZSL_MAX_LEVEL) {
        level++;
        r >>= 2;
    }
    return level;
}

/* ---- lifecycle ---- */

void zsl_init(zskiplist *zsl)
{
    zsl->header = node_new(ZSL_MAX_LEVEL, 0, NULL, 0);
    zsl->tail = NULL;
    zsl->length = 0;
    zsl->level = 1;
}

void zsl_deinit(zskiplist *zsl)
{
    if (!zsl->header) {
        return;
    }
    zsl_node *x = zsl_first(zsl);
    while (x) {
        zsl_node *next = zsl_next(x);
        kv_free(x);
        x = next;
    }
    kv_free(zsl->header);
    zsl->header = NULL;
    zsl->tail = NULL;
    zsl->length = 0;
}

/* ---- insert / delete ---- */

/* Links node (its level set, links unused) at its (score, member) position. */
void zsl_link(zskiplist *zsl, zsl_node *node)
{
    assert(zsl->length < UINT32_MAX);
    zsl_node *update[ZSL_MAX_LEVEL];
    size_t rank[ZSL_MAX_LEVEL];
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        rank[i] = i == zsl->level - 1 ? 0 : rank[i + 1];
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && node_before(f, node->score, node->member, node->len)) {
            rank[i] += span_get(x, i);
            x = f;
        }
        update[i] = x;
    }
    int level = node->level;
    if (level > zsl->level) {
        for (int i = zsl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            span_set(zsl->header, i, zsl->length);
        }
        zsl->level = level;
    }
    zsl_node **nl = zsl_links(node);
    for (int i = 0; i < level; i++) {
        zsl_node **ul = zsl_links(update[i]);
        nl[i] = ul[i];
        ul[i] = node;
        span_set(node, i, span_get(update[i], i) - (rank[0] - rank[i]));
        span_set(update[i], i, rank[0] - rank[i] + 1);
    }
    for (int i = level; i < zsl->level; i++) {
        span_set(update[i], i, span_get(update[i], i) + 1);
    }
    node->backward = update[0] == zsl->header ? NULL : update[0];
    if (nl[0]) {
        nl[0]->backward = node;
    } else {
        zsl->tail = node;
    }
    zsl->length++;
}

zsl_node *zsl_node_new(double score, const char *member, size_t len)
{
    assert(len <= UINT32_MAX);
    return node_new(random_level(), score, member, len);
}

zsl_node *zsl_insert(zskiplist *zsl, double score, const char *member, size_t len)
{
    zsl_node *node = zsl_node_new(score, member, len);
    zsl_link(zsl, node);
    return node;
}

/* Unlinks x given the update vector of a search that stopped right before it. */
static void unlink_node(zskiplist *zsl, zsl_node *x, zsl_node **update)
{
    zsl_node **xl = zsl_links(x);
    for (int i = 0; i < zsl->level; i++) {
        zsl_node **ul = zsl_links(update[i]);
        if (ul[i] == x) {
            span_set(update[i], i, span_get(update[i], i) + span_get(x, i) - 1);
            ul[i] = xl[i];
        } else {
            span_set(update[i], i, span_get(update[i], i) - 1);
        }
    }
    if (xl[0]) {
        xl[0]->backward = x->backward;
    } else {
        zsl->tail = x->backward;
    }
    while (zsl->level > 1 && zsl_links(zsl->header)[zsl->level - 1] == NULL) {
        zsl->level--;
    }
    zsl->length--;
}

/* Fills update[] for the position of node (which is in the list). */
static void find_update(const zskiplist *zsl, const zsl_node *node, zsl_node **update)
{
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && node_before(f, node->score, node->member, node->len)) {
            x = f;
        }
        update[i] = x;
    }
    assert(zsl_links(x)[0] == node);
}

void zsl_delete(zskiplist *zsl, zsl_node *node)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    find_update(zsl, node, update);
    unlink_node(zsl, node, update);
    kv_free(node);
}

zsl_node *zsl_update_score(zskiplist *zsl, zsl_node *node, double score)
{
    /* Stays in place when it still sorts between its neighbours: no search at all. */
    zsl_node *prev = node->backward, *next = zsl_next(node);
    if ((!prev || node_before(prev, score, node->member, node->len)) &&
        (!next || !node_before(next, score, node->member, node->len))) {
        node->score = score;
        return node;
    }
    zsl_node *update[ZSL_MAX_LEVEL];
    find_update(zsl, node, update);
    unlink_node(zsl, node, update);
    node->score = score;
    node->backward = NULL;
    zsl_link(zsl, node);
    return node;
}

/* ---- ranks ---- */

size_t zsl_rank(const zskiplist *zsl, const zsl_node *node)
{
    size_t rank = 0;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) &&
               (f == node || node_before(f, node->score, node->member, node->len))) {
            rank += span_get(x, i);
            x = f;
        }
        if (x == node) {
            return rank;
        }
    }
    return 0;
}

zsl_node *zsl_at_rank(const zskiplist *zsl, size_t rank)
{
    if (rank == 0 || rank > zsl->length) {
        return NULL;
    }
    size_t traversed = 0;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && traversed + span_get(x, i) <= rank) {
            traversed += span_get(x, i);
            x = f;
        }
        if (traversed == rank) {
            return x;
        }
    }
    return NULL;
}

/* ---- ranges ---- */

bool zsl_score_gte_min(double v, const zrange_score *r)
{
    return r->minex ? v > r->min : v >= r->min;
}

bool zsl_score_lte_max(double v, const zrange_score *r)
{
    return r->maxex ? v < r->max : v <= r->max;
}

bool zsl_score_range_empty(const zrange_score *r)
{
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

/* Orders two bounds: -inf below every string, +inf above. */
static int bound_cmp(const zlex_bound *a, const zlex_bound *b)
{
    if (a->inf != 0 && a->inf == b->inf) {
        return 0;
    }
    if (a->inf < 0 || b->inf > 0) {
        return -1;
    }
    if (a->inf > 0 || b->inf < 0) {
        return 1;
    }
    return zsl_cmp_member(a->p, a->len, b->p, b->len);
}

bool zsl_lex_gte_min(const char *p, size_t len, const zrange_lex *r)
{
    if (r->min.inf) {
        return r->min.inf < 0;
    }
    int c = zsl_cmp_member(p, len, r->min.p, r->min.len);
    return r->min.ex ? c > 0 : c >= 0;
}

bool zsl_lex_lte_max(const char *p, size_t len, const zrange_lex *r)
{
    if (r->max.inf) {
        return r->max.inf > 0;
    }
    int c = zsl_cmp_member(p, len, r->max.p, r->max.len);
    return r->max.ex ? c < 0 : c <= 0;
}

bool zsl_lex_range_empty(const zrange_lex *r)
{
    int c = bound_cmp(&r->min, &r->max);
    return c > 0 || (c == 0 && (r->min.ex || r->max.ex));
}

static bool score_range_meets(const zskiplist *zsl, const zrange_score *r)
{
    if (zsl_score_range_empty(r) || !zsl->tail || !zsl_score_gte_min(zsl->tail->score, r)) {
        return false;
    }
    zsl_node *first = zsl_first(zsl);
    return zsl_score_lte_max(first->score, r);
}

static bool lex_range_meets(const zskiplist *zsl, const zrange_lex *r)
{
    if (zsl_lex_range_empty(r) || !zsl->tail ||
        !zsl_lex_gte_min(zsl->tail->member, zsl->tail->len, r)) {
        return false;
    }
    zsl_node *first = zsl_first(zsl);
    return zsl_lex_lte_max(first->member, first->len, r);
}

zsl_node *zsl_first_in_score(const zskiplist *zsl, const zrange_score *r)
{
    if (!score_range_meets(zsl, r)) {
        return NULL;
    }
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && !zsl_score_gte_min(f->score, r)) {
            x = f;
        }
    }
    x = zsl_links(x)[0];
    return x && zsl_score_lte_max(x->score, r) ? x : NULL;
}

zsl_node *zsl_last_in_score(const zskiplist *zsl, const zrange_score *r)
{
    if (!score_range_meets(zsl, r)) {
        return NULL;
    }
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && zsl_score_lte_max(f->score, r)) {
            x = f;
        }
    }
    return x != zsl->header && zsl_score_gte_min(x->score, r) ? x : NULL;
}

zsl_node *zsl_first_in_lex(const zskiplist *zsl, const zrange_lex *r)
{
    if (!lex_range_meets(zsl, r)) {
        return NULL;
    }
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && !zsl_lex_gte_min(f->member, f->len, r)) {
            x = f;
        }
    }
    x = zsl_links(x)[0];
    return x && zsl_lex_lte_max(x->member, x->len, r) ? x : NULL;
}

zsl_node *zsl_last_in_lex(const zskiplist *zsl, const zrange_lex *r)
{
    if (!lex_range_meets(zsl, r)) {
        return NULL;
    }
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && zsl_lex_lte_max(f->member, f->len, r)) {
            x = f;
        }
    }
    return x != zsl->header && zsl_lex_gte_min(x->member, x->len, r) ? x : NULL;
}

/* Deletes consecutive nodes from links(update[0])[0] on while keep(node) holds. */
typedef bool keep_fn(const zsl_node *n, const void *range, size_t traversed);

static size_t delete_run(zskiplist *zsl, zsl_node **update, keep_fn *in_range,
                         const void *range, size_t traversed, zsl_unlinked_fn *fn, void *priv)
{
    size_t removed = 0;
    zsl_node *x = zsl_links(update[0])[0];
    while (x && in_range(x, range, traversed + removed)) {
        zsl_node *next = zsl_next(x);
        unlink_node(zsl, x, update);
        fn(priv, x);
        removed++;
        x = next;
    }
    return removed;
}

static bool in_score_max(const zsl_node *n, const void *range, size_t traversed)
{
    return zsl_score_lte_max(n->score, range);
}

static bool in_lex_max(const zsl_node *n, const void *range, size_t traversed)
{
    return zsl_lex_lte_max(n->member, n->len, range);
}

static bool in_rank_end(const zsl_node *n, const void *range, size_t traversed)
{
    return traversed < *(const size_t *)range;
}

size_t zsl_delete_range_score(zskiplist *zsl, const zrange_score *r, zsl_unlinked_fn *fn,
                              void *priv)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && !zsl_score_gte_min(f->score, r)) {
            x = f;
        }
        update[i] = x;
    }
    return delete_run(zsl, update, in_score_max, r, 0, fn, priv);
}

size_t zsl_delete_range_lex(zskiplist *zsl, const zrange_lex *r, zsl_unlinked_fn *fn,
                            void *priv)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && !zsl_lex_gte_min(f->member, f->len, r)) {
            x = f;
        }
        update[i] = x;
    }
    return delete_run(zsl, update, in_lex_max, r, 0, fn, priv);
}

size_t zsl_delete_range_rank(zskiplist *zsl, size_t start, size_t end, zsl_unlinked_fn *fn,
                             void *priv)
{
    if (start == 0 || start > end) {
        return 0;
    }
    zsl_node *update[ZSL_MAX_LEVEL];
    size_t traversed = 0;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *f;
        while ((f = zsl_links(x)[i]) && traversed + span_get(x, i) < start) {
            traversed += span_get(x, i);
            x = f;
        }
        update[i] = x;
    }
    /* traversed = start - 1 here; delete while the rank (traversed + removed + 1) <= end. */
    return delete_run(zsl, update, in_rank_end, &end, traversed, fn, priv);
}
