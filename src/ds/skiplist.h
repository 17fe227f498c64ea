/* skiplist.h - a skiplist ordered by (score, member) with span counts, for sorted sets.
 *
 * Conventions. Elements are (double score, member bytes) pairs kept in ascending order of
 * score, ties broken by member bytes (memcmp, a shorter prefix first), so every element has
 * a unique position. Scores are never NaN (callers reject NaN before inserting). Each level
 * link carries a span (how many level-0 steps it jumps), so ranks and access by rank are
 * O(log n). Ranks are 1-based in this API (the first element has rank 1); 0 means "none".
 *
 * Nodes. One allocation per element holds the score, the backward link, the member bytes
 * and the level links (the member sits in the header's padding, the links after it,
 * 8-aligned). A node pointer stays valid until the element is deleted: zsl_update_score
 * moves the node within the list but never reallocates it, so a side index (the sorted
 * set's member -> node map) can hold node pointers.
 *
 *   +--------+----------+-----+-------+-------------+-----+------------------+------------+
 *   | score  | backward | len | level | member[len] | pad | forward[level]   | span[lv-1] |
 *   | double | node *   | u32 | u8    | bytes       | ->8 | node * each      | u32 each   |
 *   +--------+----------+-----+-------+-------------+-----+------------------+------------+
 *
 * Level 0 spans are always 1 and are not stored. Spans are 32-bit: a list holds fewer than
 * 2^32 elements (zsl_insert asserts it).
 *
 * Ownership: the list owns its nodes; zsl_deinit frees them. Nodes unlinked by the range
 * deletions are handed to a callback, which must free them (zsl_node_free) once it has
 * dropped them from any side index. Memory comes from kv_malloc. Not thread-safe, except
 * that zsl_deinit only calls kv_free (it may run on the lazy-free thread).
 */
#ifndef KV_SKIPLIST_H
#define KV_SKIPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZSL_MAX_LEVEL 32

typedef struct zsl_node zsl_node;
struct zsl_node {
    double score;
    zsl_node *backward; /* previous element, NULL for the first */
    uint32_t len;       /* member bytes */
    uint8_t level;      /* 1..ZSL_MAX_LEVEL */
    char member[];      /* len bytes, then padding, then the links (see above) */
};

typedef struct zskiplist {
    zsl_node *header; /* sentinel with ZSL_MAX_LEVEL links, holds no element */
    zsl_node *tail;   /* last element, NULL when empty */
    size_t length;
    int level;        /* highest level in use (>= 1) */
} zskiplist;

/* A score interval: [min, max] with either end exclusive. */
typedef struct zrange_score {
    double min, max;
    bool minex, maxex;
} zrange_score;

/* A lexicographic bound: a string (inclusive or exclusive), or -inf ("-") / +inf ("+"). */
typedef struct zlex_bound {
    const char *p;
    size_t len;
    int inf;  /* -1: "-", +1: "+", 0: the string p[0..len) */
    bool ex;  /* exclusive ("(" prefix) */
} zlex_bound;

typedef struct zrange_lex {
    zlex_bound min, max;
} zrange_lex;

/* Link accessors (see the layout above). */
static inline zsl_node **zsl_links(const zsl_node *n)
{
    size_t off = (offsetof(zsl_node, member) + n->len + 7) & ~(size_t)7;
    return (zsl_node **)((char *)n + off);
}

static inline zsl_node *zsl_next(const zsl_node *n)
{
    return zsl_links(n)[0];
}

static inline zsl_node *zsl_prev(const zsl_node *n)
{
    return n->backward;
}

static inline zsl_node *zsl_first(const zskiplist *zsl)
{
    return zsl_links(zsl->header)[0];
}

static inline zsl_node *zsl_last(const zskiplist *zsl)
{
    return zsl->tail;
}

/* Member comparison used for ordering and lex ranges: memcmp, then the shorter first. */
int zsl_cmp_member(const char *a, size_t alen, const char *b, size_t blen);

void zsl_init(zskiplist *zsl);
void zsl_deinit(zskiplist *zsl);  /* frees every node and the header */

/* Inserts (score, member); the caller guarantees the member is absent and score is not
 * NaN. The bytes are copied. Returns the new node. */
zsl_node *zsl_insert(zskiplist *zsl, double score, const char *member, size_t len);
/* Two-step insertion, for building a list from elements gathered elsewhere (a side index
 * filled first): zsl_node_new makes an unlinked node (level drawn, bytes copied) and
 * zsl_link puts it in place, with the same guarantees as zsl_insert. */
zsl_node *zsl_node_new(double score, const char *member, size_t len);
void zsl_link(zskiplist *zsl, zsl_node *node);
/* Unlinks node (which must be in zsl) and frees it. O(log n). */
void zsl_delete(zskiplist *zsl, zsl_node *node);
/* Changes node's score, moving it if its position changes. The node is not reallocated.
 * Returns node. */
zsl_node *zsl_update_score(zskiplist *zsl, zsl_node *node, double score);
void zsl_node_free(zsl_node *node);
/* Bytes the node's allocation was asked for (memory accounting uses kv_alloc_size). */
size_t zsl_node_size(const zsl_node *node);

/* 1-based rank of node (which must be in zsl). O(log n). */
size_t zsl_rank(const zskiplist *zsl, const zsl_node *node);
/* Element at 1-based rank, NULL when out of range. O(log n). */
zsl_node *zsl_at_rank(const zskiplist *zsl, size_t rank);

/* Range bound tests. */
bool zsl_score_gte_min(double v, const zrange_score *r);
bool zsl_score_lte_max(double v, const zrange_score *r);
bool zsl_lex_gte_min(const char *p, size_t len, const zrange_lex *r);
bool zsl_lex_lte_max(const char *p, size_t len, const zrange_lex *r);
/* True when no element could fall in r (min > max, or equal with an exclusive end). */
bool zsl_score_range_empty(const zrange_score *r);
bool zsl_lex_range_empty(const zrange_lex *r);

/* First / last element inside the range, NULL when none. O(log n). Lex ranges assume all
 * elements share one score (as ZRANGEBYLEX does). */
zsl_node *zsl_first_in_score(const zskiplist *zsl, const zrange_score *r);
zsl_node *zsl_last_in_score(const zskiplist *zsl, const zrange_score *r);
zsl_node *zsl_first_in_lex(const zskiplist *zsl, const zrange_lex *r);
zsl_node *zsl_last_in_lex(const zskiplist *zsl, const zrange_lex *r);

/* Range deletions: every unlinked node is passed to fn, which must free it (after dropping
 * it from any side index). Return the number deleted. Ranks are 1-based, inclusive. */
typedef void zsl_unlinked_fn(void *priv, zsl_node *node);
size_t zsl_delete_range_score(zskiplist *zsl, const zrange_score *r, zsl_unlinked_fn *fn,
                              void *priv);
size_t zsl_delete_range_lex(zskiplist *zsl, const zrange_lex *r, zsl_unlinked_fn *fn,
                            void *priv);
size_t zsl_delete_range_rank(zskiplist *zsl, size_t start, size_t end, zsl_unlinked_fn *fn,
                             void *priv);

#endif
