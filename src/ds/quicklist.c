/* quicklist.c - a doubly linked list of listpack nodes with optional LZF compression of
 * the inner nodes (see quicklist.h for the contract).
 *
 *   head                                                         tail
 *   [raw] <-> [raw] <-> [lzf] <-> [lzf] <-> ... <-> [lzf] <-> [raw] <-> [raw]
 *   |<- compress ->|                                          |<- compress ->|
 *
 * Node: prev/next links, the listpack (or, while compressed, an lzf blob: u32 compressed
 * size + bytes), the listpack's size in bytes (kept while compressed: it is the
 * decompressed size), the entry count and three flags. 32 bytes.
 *
 * Invariants (ql_check verifies them):
 *   - no node is empty; count is the sum of node counts, len the number of nodes;
 *   - a raw node's sz equals its listpack's byte count and count its entry count;
 *   - with compress = d > 0, the d nodes at each end are raw (no_compress clear) and
 *     every other node is compressed or marked no_compress: under MIN_COMPRESS bytes, or
 *     its last compression attempt saved too little (cleared when its bytes change,
 *     then retried when the access ends);
 *   - a node decompressed for an access carries `recompress` only while that access
 *     lasts (one iterator, or one call).
 *
 * Window upkeep: settle(ql, node) after every change of the node chain (a node added or
 * removed) makes the d end nodes on each side raw and the first node past them
 * compressed; it also compresses `node` when that lies past the window. Pushes that fit
 * in the end node change no link and skip it, so the common push costs no walk.
 */
#include "ds/quicklist.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ds/lzf.h"

#define SIZE_SAFETY_LIMIT 8192 /* byte ceiling of count-limited nodes */
#define FILL_MAX 32767
#define COMPRESS_MAX 65535
#define MIN_COMPRESS 48        /* smaller nodes are not worth compressing */
#define MIN_COMPRESS_GAIN 8    /* compress only when it saves at least this */

static const size_t size_limits[] = {4096, 8192, 16384, 32768, 65536};

struct ql_node {
    ql_node *prev, *next;
    uint8_t *lp;               /* listpack, or lzf_blob while compressed */
    uint32_t sz;               /* listpack bytes */
    uint32_t count : 29;
    uint32_t compressed : 1;
    uint32_t recompress : 1;   /* decompressed for an access: compress when it ends */
    uint32_t no_compress : 1;  /* compression did not pay off for the current bytes */
};

typedef struct lzf_blob {
    uint32_t csz;
    uint8_t data[];
} lzf_blob;

/* ---- nodes ---- */

static ql_node *node_new(uint8_t *lp, uint32_t count)
{
    ql_node *n = kv_calloc(sizeof(*n));
    n->lp = lp;
    n->sz = (uint32_t)lp_bytes(lp);
    n->count = count;
    return n;
}

static void node_free(ql_node *n)
{
    kv_free(n->lp);
    kv_free(n);
}

/* Keeps the node's bookkeeping after its listpack changed. */
static void node_update(ql_node *n, uint8_t *lp, long delta)
{
    n->lp = lp;
    n->sz = (uint32_t)lp_bytes(lp);
    n->count = (uint32_t)((long)n->count + delta);
    n->no_compress = 0;
}

static void compress_node(ql_node *n)
{
    n->recompress = 0;
    if (n->compressed || n->no_compress) {
        return;
    }
    if (n->sz < MIN_COMPRESS) {
        n->no_compress = 1;
        return;
    }
    lzf_blob *b = kv_malloc(sizeof(*b) + n->sz);
    size_t csz = lzf_compress(n->lp, n->sz, b->data, n->sz - MIN_COMPRESS_GAIN);
    if (csz == 0) {
        kv_free(b);
        n->no_compress = 1;
        return;
    }
    b->csz = (uint32_t)csz;
    b = kv_realloc(b, sizeof(*b) + csz);
    kv_free(n->lp);
    n->lp = (uint8_t *)b;
    n->compressed = 1;
}

static void decompress_node(ql_node *n)
{
    if (!n->compressed) {
        return;
    }
    lzf_blob *b = (lzf_blob *)n->lp;
    uint8_t *lp = kv_malloc(n->sz);
    size_t got = lzf_decompress(b->data, b->csz, lp, n->sz);
    if (got != n->sz) {
        /* Our own blob: anything else is memory corruption. */
        abort();
    }
    kv_free(b);
    n->lp = lp;
    n->compressed = 0;
}

/* Makes inner node n readable for an access; close_node() ends the access, compressing
 * it again (or retrying, if it was left raw and its bytes changed meanwhile). A raw node
 * with no_compress is inner too (see the invariants), so it is marked the same way. */
static void open_node(ql_node *n)
{
    if (n->compressed) {
        decompress_node(n);
        n->recompress = 1;
    } else if (n->no_compress) {
        n->recompress = 1;
    }
}

static void close_node(ql_node *n)
{
    if (n->recompress) {
        compress_node(n);
    }
}

/* See the top: keeps the compression window after the chain changed. */
static void settle(quicklist *ql, ql_node *node)
{
    if (ql->compress == 0 || ql->len == 0) {
        return;
    }
    ql_node *fwd = ql->head, *rev = ql->tail;
    bool in_window = false;
    for (unsigned d = 0; d < ql->compress; d++) {
        decompress_node(fwd);
        decompress_node(rev);
        fwd->recompress = rev->recompress = 0;
        fwd->no_compress = rev->no_compress = 0;
        in_window |= fwd == node || rev == node;
        if (fwd == rev || fwd->next == rev) {
            return; /* the windows meet: nothing is inner */
        }
        fwd = fwd->next;
        rev = rev->prev;
    }
    if (node && !in_window) {
        compress_node(node);
    }
    compress_node(fwd);
    compress_node(rev);
}

static void link_after(quicklist *ql, ql_node *at, ql_node *n)
{
    n->prev = at;
    if (at) {
        n->next = at->next;
        if (at->next) {
            at->next->prev = n;
        } else {
            ql->tail = n;
        }
        at->next = n;
    } else {
        n->next = ql->head;
        if (ql->head) {
            ql->head->prev = n;
        } else {
            ql->tail = n;
        }
        ql->head = n;
    }
    ql->len++;
}

static void link_before(quicklist *ql, ql_node *at, ql_node *n)
{
    link_after(ql, at ? at->prev : ql->tail, n);
}

static void unlink_node(quicklist *ql, ql_node *n)
{
    if (n->prev) {
        n->prev->next = n->next;
    } else {
        ql->head = n->next;
    }
    if (n->next) {
        n->next->prev = n->prev;
    } else {
        ql->tail = n->prev;
    }
    ql->len--;
}

static bool allows(const quicklist *ql, const ql_node *n, size_t entry_bytes)
{
    size_t new_sz = (size_t)n->sz + entry_bytes;
    if (ql->fill < 0) {
        return new_sz <= size_limits[-ql->fill - 1];
    }
    return (long)n->count < ql->fill && new_sz <= SIZE_SAFETY_LIMIT;
}

static ql_node *node_with(const void *s, size_t len)
{
    uint8_t *lp = lp_new(0);
    lp = lp_append(lp, s, len);
    return node_new(lp, 1);
}

/* Splits raw node n so that it keeps entries [0, at) and a new node, linked after it,
 * holds [at, count). Returns the new node (raw). */
static ql_node *split_node(quicklist *ql, ql_node *n, size_t at)
{
    size_t total = n->count;
    uint8_t *copy = kv_malloc(n->sz);
    memcpy(copy, n->lp, n->sz);
    node_update(n, lp_delete_range(n->lp, (long)at, total - at), -(long)(total - at));
    copy = lp_delete_range(copy, 0, at);
    ql_node *m = node_new(copy, (uint32_t)(total - at));
    link_after(ql, n, m);
    return m;
}

/* Inserts s at entry offset `at` (0..count) of raw node n: in n if it has room, else in
 * the neighbour at that end, else in a new node (splitting n for a middle position).
 * Leaves every touched node settled. */
static void insert_in_node(quicklist *ql, ql_node *n, size_t at, const void *s, size_t len)
{
    size_t esz = lp_entry_size_for(s, len);
    ql->count++;
    if (allows(ql, n, esz)) {
        uint8_t *p = lp_seek(n->lp, (long)at);
        node_update(n, lp_insert(n->lp, s, len, p, LP_BEFORE, NULL), 1);
        settle(ql, n);
        return;
    }
    ql_node *nb = at == n->count ? n->next : at == 0 ? n->prev : NULL;
    if (nb && allows(ql, nb, esz)) {
        open_node(nb);
        node_update(nb, nb == n->next ? lp_prepend(nb->lp, s, len) : lp_append(nb->lp, s, len),
                    1);
        close_node(nb);
        settle(ql, n);
        return;
    }
    if (at == 0 || at == n->count) {
        ql_node *m = node_with(s, len);
        if (at == 0) {
            link_before(ql, n, m);
        } else {
            link_after(ql, n, m);
        }
        settle(ql, n);
        settle(ql, m);
        return;
    }
    /* A full node, a middle position: split there. Settle after each node added: one
     * settle handles a window shift of one node. */
    ql_node *right = split_node(ql, n, at);
    settle(ql, right);
    settle(ql, n);
    ql_node *target = allows(ql, n, esz) ? n : allows(ql, right, esz) ? right : NULL;
    if (target) {
        open_node(target);
        node_update(target, target == n ? lp_append(n->lp, s, len) : lp_prepend(right->lp, s, len),
                    1);
        close_node(target);
        return;
    }
    ql_node *m = node_with(s, len);
    link_after(ql, n, m);
    settle(ql, m);
}

/* Removes node n (empty, or being dropped whole). */
static void drop_node(quicklist *ql, ql_node *n)
{
    unlink_node(ql, n);
    node_free(n);
}

/* The node holding entry index (0 <= index < count) and the entry's offset in it. */
static ql_node *locate(const quicklist *ql, size_t index, size_t *offset)
{
    if (index < ql->count / 2) {
        size_t seen = 0;
        for (ql_node *n = ql->head; n; n = n->next) {
            if (index < seen + n->count) {
                *offset = index - seen;
                return n;
            }
            seen += n->count;
        }
    } else {
        size_t seen = ql->count;
        for (ql_node *n = ql->tail; n; n = n->prev) {
            seen -= n->count;
            if (index >= seen) {
                *offset = index - seen;
                return n;
            }
        }
    }
    return NULL;
}

/* Normalises a possibly negative index; false when out of range. */
static bool norm_index(const quicklist *ql, long long index, size_t *out)
{
    if (index < 0) {
        if ((unsigned long long)(-(index + 1)) >= ql->count) {
            return false;
        }
        *out = ql->count - (size_t)(-(index + 1)) - 1;
        return true;
    }
    if ((unsigned long long)index >= ql->count) {
        return false;
    }
    *out = (size_t)index;
    return true;
}

static void read_entry(const uint8_t *p, ql_entry *e)
{
    e->s = lp_get(p, &e->len, e->buf, NULL, NULL);
}

/* ---- public ---- */

quicklist *ql_create(int fill, int compress)
{
    quicklist *ql = kv_calloc(sizeof(*ql));
    ql->fill = (int16_t)(fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill);
    ql->compress = (uint16_t)(compress > COMPRESS_MAX ? COMPRESS_MAX : compress < 0 ? 0
                                                                                     : compress);
    return ql;
}

void ql_destroy(quicklist *ql)
{
    if (!ql) {
        return;
    }
    ql_node *n = ql->head;
    while (n) {
        ql_node *next = n->next;
        node_free(n);
        n = next;
    }
    kv_free(ql);
}

quicklist *ql_dup(const quicklist *ql)
{
    quicklist *c = ql_create(ql->fill, ql->compress);
    for (ql_node *n = ql->head; n; n = n->next) {
        size_t bytes = n->compressed ? sizeof(lzf_blob) + ((lzf_blob *)n->lp)->csz : n->sz;
        ql_node *m = kv_malloc(sizeof(*m));
        *m = *n;
        m->recompress = 0;
        m->lp = kv_malloc(bytes);
        memcpy(m->lp, n->lp, bytes);
        m->prev = m->next = NULL;
        link_after(c, c->tail, m);
    }
    c->count = ql->count;
    return c;
}

size_t ql_count(const quicklist *ql)
{
    return ql->count;
}

size_t ql_mem_usage(const quicklist *ql)
{
    size_t total = kv_alloc_size(ql);
    for (ql_node *n = ql->head; n; n = n->next) {
        total += kv_alloc_size(n) + kv_alloc_size(n->lp);
    }
    return total;
}

void ql_push(quicklist *ql, bool tail, const void *s, size_t len)
{
    ql_node *n = tail ? ql->tail : ql->head;
    if (n && allows(ql, n, lp_entry_size_for(s, len))) {
        /* End nodes are raw whenever compression is on (depth >= 1). */
        node_update(n, tail ? lp_append(n->lp, s, len) : lp_prepend(n->lp, s, len), 1);
        ql->count++;
        return;
    }
    ql_node *m = node_with(s, len);
    if (tail) {
        link_after(ql, ql->tail, m);
    } else {
        link_after(ql, NULL, m);
    }
    ql->count++;
    settle(ql, m);
}

bool ql_peek(quicklist *ql, bool tail, ql_entry *e)
{
    ql_node *n = tail ? ql->tail : ql->head;
    if (!n) {
        return false;
    }
    read_entry(tail ? lp_last(n->lp) : lp_first(n->lp), e);
    return true;
}

bool ql_pop_discard(quicklist *ql, bool tail)
{
    ql_node *n = tail ? ql->tail : ql->head;
    if (!n) {
        return false;
    }
    ql->count--;
    if (n->count == 1) {
        drop_node(ql, n);
        settle(ql, NULL);
        return true;
    }
    node_update(n, lp_delete(n->lp, tail ? lp_last(n->lp) : lp_first(n->lp), NULL), -1);
    return true;
}

bool ql_replace(quicklist *ql, long long index, const void *s, size_t len)
{
    size_t i, off;
    if (!norm_index(ql, index, &i)) {
        return false;
    }
    ql_node *n = locate(ql, i, &off);
    open_node(n);
    uint8_t *p = lp_seek(n->lp, (long)off);
    size_t esz = lp_entry_size_for(s, len);
    /* Room check as for an insert of the size difference: a node holding only this entry
     * always takes it, as does a node that stays within its limit. */
    ql_entry cur;
    read_entry(p, &cur);
    size_t cur_sz = lp_entry_size_for(cur.s, cur.len);
    bool fits = n->count == 1 || esz <= cur_sz || allows(ql, n, esz - cur_sz);
    if (fits) {
        node_update(n, lp_insert(n->lp, s, len, p, LP_REPLACE, NULL), 0);
        close_node(n);
        return true;
    }
    /* Too big for this node: delete the old entry, insert the new one in its place. */
    node_update(n, lp_delete(n->lp, p, NULL), -1);
    ql->count--;
    n->recompress = 0;
    insert_in_node(ql, n, off, s, len);
    return true;
}

size_t ql_del_range(quicklist *ql, long long index, size_t count)
{
    size_t i, off;
    if (count == 0 || !norm_index(ql, index, &i)) {
        return 0;
    }
    if (count > ql->count - i) {
        count = ql->count - i;
    }
    size_t left = count;
    ql_node *n = locate(ql, i, &off);
    bool dropped = false;
    while (left && n) {
        ql_node *next = n->next;
        size_t take = n->count - off;
        if (take > left) {
            take = left;
        }
        if (take == n->count) {
            drop_node(ql, n);
            dropped = true;
        } else {
            open_node(n);
            node_update(n, lp_delete_range(n->lp, (long)off, take), -(long)take);
            close_node(n);
        }
        left -= take;
        off = 0;
        n = next;
    }
    ql->count -= count;
    if (dropped) {
        settle(ql, NULL);
    }
    return count;
}

/* ---- iterator ---- */

/* Iterator states: START (node located, not opened, offset = first entry), AT (p is the
 * entry last returned, node open), READY (p is the next entry to return, NULL = past the
 * node's end; node open), CROSS (node is the next node, not opened yet), END. */
enum { IT_START, IT_AT, IT_READY, IT_CROSS, IT_END };

void ql_iter_start(ql_iter *it, quicklist *ql, long long index, bool forward)
{
    memset(it, 0, sizeof(*it));
    it->ql = ql;
    it->forward = forward;
    size_t i;
    if (!norm_index(ql, index, &i)) {
        it->state = IT_END;
        return;
    }
    it->node = locate(ql, i, &it->offset);
    it->state = IT_START;
}

static uint8_t *node_end_entry(ql_node *n, bool forward)
{
    return forward ? lp_first(n->lp) : lp_last(n->lp);
}

bool ql_iter_next(ql_iter *it, ql_entry *e)
{
    uint8_t *p;
    switch (it->state) {
    case IT_START:
        open_node(it->node);
        p = lp_seek(it->node->lp, (long)it->offset);
        break;
    case IT_AT:
        p = it->forward ? lp_next(it->node->lp, it->p) : lp_prev(it->node->lp, it->p);
        break;
    case IT_READY:
        p = it->p;
        break;
    case IT_CROSS:
        open_node(it->node);
        p = node_end_entry(it->node, it->forward);
        break;
    default:
        return false;
    }
    while (!p) {
        close_node(it->node);
        it->node = it->forward ? it->node->next : it->node->prev;
        if (!it->node) {
            it->state = IT_END;
            return false;
        }
        open_node(it->node);
        p = node_end_entry(it->node, it->forward);
    }
    it->p = p;
    it->state = IT_AT;
    read_entry(p, e);
    return true;
}

void ql_iter_delete(ql_iter *it)
{
    quicklist *ql = it->ql;
    ql_node *n = it->node;
    ql->count--;
    if (n->count == 1) {
        ql_node *next = it->forward ? n->next : n->prev;
        drop_node(ql, n);
        it->node = next;
        it->p = NULL;
        it->state = next ? IT_CROSS : IT_END;
        /* The node we move to is not open yet: settling cannot disturb the iteration. */
        settle(ql, NULL);
        return;
    }
    size_t off = (size_t)(it->p - n->lp);
    uint8_t *nextp;
    node_update(n, lp_delete(n->lp, it->p, &nextp), -1);
    it->p = it->forward ? nextp : lp_prev(n->lp, n->lp + off);
    it->state = IT_READY;
}

void ql_iter_insert(ql_iter *it, const void *s, size_t len, bool after)
{
    ql_node *n = it->node;
    size_t at = 0;
    for (uint8_t *q = lp_first(n->lp); q && q != it->p; q = lp_next(n->lp, q)) {
        at++;
    }
    n->recompress = 0;
    insert_in_node(it->ql, n, after ? at + 1 : at, s, len);
    it->node = NULL;
    it->state = IT_END;
}

void ql_iter_done(ql_iter *it)
{
    if ((it->state == IT_AT || it->state == IT_READY) && it->node) {
        close_node(it->node);
    }
    it->node = NULL;
    it->state = IT_END;
}

/* ---- checks ---- */

void ql_each_node(const quicklist *ql, ql_node_fn *fn, void *priv)
{
    for (const ql_node *n = ql->head; n; n = n->next) {
        if (n->compressed) {
            const lzf_blob *b = (const lzf_blob *)n->lp;
            fn(priv, NULL, n->sz, b->data, b->csz);
        } else {
            fn(priv, n->lp, n->sz, NULL, 0);
        }
    }
}

void ql_append_listpack(quicklist *ql, uint8_t *lp)
{
    size_t count = lp_length(lp), bytes = lp_bytes(lp);
    if (count == 0) {
        lp_free(lp);
        return;
    }
    bool fits = ql->fill < 0 ? bytes <= size_limits[-ql->fill - 1]
                             : (long)count <= ql->fill && bytes <= SIZE_SAFETY_LIMIT;
    if (!fits && count > 1) {
        ql_entry e;
        for (uint8_t *p = lp_first(lp); p; p = lp_next(lp, p)) {
            e.s = lp_get(p, &e.len, e.buf, NULL, NULL);
            ql_push(ql, true, e.s, e.len);
        }
        lp_free(lp);
        return;
    }
    ql_node *n = node_new(lp, (uint32_t)count);
    link_after(ql, ql->tail, n);
    ql->count += count;
    /* The node that was the tail may now be inner: settle() compresses it. */
    settle(ql, n->prev);
}

size_t ql_compressed_nodes(const quicklist *ql)
{
    size_t k = 0;
    for (ql_node *n = ql->head; n; n = n->next) {
        k += n->compressed;
    }
    return k;
}

const char *ql_check(quicklist *ql)
{
    size_t total = 0, nodes = 0;
    ql_node *prev = NULL;
    for (ql_node *n = ql->head; n; prev = n, n = n->next) {
        nodes++;
        if (n->prev != prev) {
            return "broken prev link";
        }
        if (n->count == 0) {
            return "empty node";
        }
        if (n->recompress) {
            return "node left open";
        }
        total += n->count;
        if (!n->compressed) {
            if (n->sz != lp_bytes(n->lp)) {
                return "node sz differs from its listpack";
            }
            if (lp_length(n->lp) != n->count) {
                return "node count differs from its listpack";
            }
        } else {
            lzf_blob *b = (lzf_blob *)n->lp;
            uint8_t *tmp = kv_malloc(n->sz);
            size_t got = lzf_decompress(b->data, b->csz, tmp, n->sz);
            bool ok = got == n->sz && lp_length(tmp) == n->count && lp_bytes(tmp) == n->sz;
            kv_free(tmp);
            if (!ok) {
                return "compressed node does not decompress to its listpack";
            }
        }
        if (ql->compress) {
            size_t from_head = nodes - 1;
            size_t from_tail = ql->len - nodes;
            bool in_window = from_head < ql->compress || from_tail < ql->compress;
            if (in_window && (n->compressed || n->no_compress)) {
                return "node inside the compression window is compressed";
            }
            if (!in_window && !n->compressed && !n->no_compress) {
                return "inner node is not compressed";
            }
        } else if (n->compressed || n->no_compress) {
            return "compressed node with compression off";
        }
    }
    if (prev != ql->tail) {
        return "tail is not the last node";
    }
    if (nodes != ql->len) {
        return "len differs from the node count";
    }
    if (total != ql->count) {
        return "count differs from the sum of node counts";
    }
    return NULL;
}
