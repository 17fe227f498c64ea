/* quicklist.h - a doubly linked list of listpack nodes: the list type's storage.
 *
 *   quicklist: head -> [node: listpack of entries] <-> [node] <-> ... <-> [node] <- tail
 *
 * Node size. `fill` is Redis's list-max-listpack-size: negative values cap a node's
 * listpack bytes (-1 4 KB, -2 8 KB, -3 16 KB, -4 32 KB, -5 64 KB; below -5 = -5); positive
 * values cap its entry count (at most 32767), with an 8 KB byte ceiling as a safety limit.
 * An entry bigger than the cap gets a node of its own. Pushes and pops at both ends are
 * O(1) (amortised: the end node's listpack is edited in place).
 *
 * Compression. `compress` is list-compress-depth: that many nodes at each end stay plain,
 * every node between them is kept LZF-compressed (when that saves at least 8 bytes; nodes
 * under 48 bytes are never compressed). Reading or editing an inner node decompresses it
 * for the access and compresses it again afterwards. 0 = never compress.
 *
 * Entries are byte strings; ones that are canonical integers are stored as listpack
 * integers and read back as their decimal text (listpack's rule), so values round-trip.
 *
 * Conventions. The quicklist owns its nodes and their listpacks (kv_malloc). An entry
 * read through ql_entry points into a node (or into the ql_entry's own buffer for
 * integers) and stays valid until the next change to the quicklist, or until the iterator
 * that produced it moves on (it may recompress the node). Indexes are 0-based; negative
 * indexes count from the tail (-1 = last). Not thread-safe.
 */
#ifndef KV_QUICKLIST_H
#define KV_QUICKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds/listpack.h"

typedef struct ql_node ql_node;

typedef struct quicklist {
    ql_node *head, *tail;
    size_t count;         /* entries in all nodes */
    uint32_t len;         /* nodes */
    int16_t fill;
    uint16_t compress;
} quicklist;

/* One entry as read: s[0..len) is its value (decimal text for an integer entry, held in
 * buf). */
typedef struct ql_entry {
    const uint8_t *s;
    size_t len;
    uint8_t buf[LP_INTBUF_SIZE];
} ql_entry;

quicklist *ql_create(int fill, int compress);
void ql_destroy(quicklist *ql);            /* NULL is a no-op */
quicklist *ql_dup(const quicklist *ql);    /* deep copy (COPY), same options */
size_t ql_count(const quicklist *ql);
size_t ql_mem_usage(const quicklist *ql);  /* bytes held: struct, nodes, listpacks */

void ql_push(quicklist *ql, bool tail, const void *s, size_t len);
/* The head (tail = false) or tail entry; false when empty. */
bool ql_peek(quicklist *ql, bool tail, ql_entry *e);
/* Removes the head or tail entry; false when empty. */
bool ql_pop_discard(quicklist *ql, bool tail);

/* The entry at index; false when out of range. */
bool ql_index(quicklist *ql, long long index, ql_entry *e);
/* Replaces the entry at index; false when out of range. */
bool ql_replace(quicklist *ql, long long index, const void *s, size_t len);
/* Deletes `count` entries starting at index (clamped to the end); returns how many. */
size_t ql_del_range(quicklist *ql, long long index, size_t count);

/* Iteration from an index in either direction, with deletion and insertion at the
 * current entry. Between ql_iter_start and ql_iter_done the quicklist may be changed only
 * through the iterator. */
typedef struct ql_iter {
    quicklist *ql;
    ql_node *node;        /* node of the current position */
    uint8_t *p;           /* entry last returned, or (after a delete) the next one */
    size_t offset;        /* start offset in node, until the first step */
    int state;
    bool forward;
} ql_iter;

/* Positions it before the entry at index (out of range: the iteration is empty). */
void ql_iter_start(ql_iter *it, quicklist *ql, long long index, bool forward);
/* Reads the next entry; false at the end. */
bool ql_iter_next(ql_iter *it, ql_entry *e);
/* Deletes the entry last returned; iteration continues with the one after it. */
void ql_iter_delete(ql_iter *it);
/* Inserts s before or after the entry last returned. Ends the iteration: only
 * ql_iter_done may follow. */
void ql_iter_insert(ql_iter *it, const void *s, size_t len, bool after);
/* Releases the iterator (recompresses the node it held open). */
void ql_iter_done(ql_iter *it);

/* Snapshot access. ql_each_node calls fn for each node, head first, with its listpack
 * (lp, sz bytes) or, for a compressed node, its LZF data (lzf, lzf_len; lp is NULL) and
 * sz, the listpack size it decompresses to: a snapshot writes either form as it is. It
 * changes nothing, so it is safe in a forked child. ql_append_listpack adds lp (a valid
 * listpack, ownership passes) as the tail node; one that breaks the fill limit is pushed
 * entry by entry instead. */
typedef void ql_node_fn(void *priv, const uint8_t *lp, size_t sz, const uint8_t *lzf,
                        size_t lzf_len);
void ql_each_node(const quicklist *ql, ql_node_fn *fn, void *priv);
void ql_append_listpack(quicklist *ql, uint8_t *lp);

/* Checks every invariant (counts, sizes, links, compression window); for tests. Returns
 * NULL or a description of the first violation. */
const char *ql_check(quicklist *ql);
/* Nodes currently compressed; for tests. */
size_t ql_compressed_nodes(const quicklist *ql);

#endif
