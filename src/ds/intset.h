/* intset.h - a sorted set of integers in one contiguous allocation (Redis's intset).
 *
 * The byte layout is Redis's intset, so that RDB files can carry it as a blob both ways:
 *
 *   +--------------+--------------+---------------------------------------------+
 *   | encoding u32 | length u32   | length integers of `encoding` bytes each,    |
 *   | LE: 2, 4, 8  | LE           | little-endian two's complement, ascending,   |
 *   |              |              | no duplicates                                |
 *   +--------------+--------------+---------------------------------------------+
 *
 * All members share the narrowest width that holds every member added so far: adding a
 * wider value upgrades the whole set (it never narrows again, as in Redis). Lookups are
 * binary searches; adds and removes move the tail, so they are O(n): the set is meant
 * for small sizes (set-max-intset-entries, 512 by default).
 *
 * Conventions. An intset is `intset *` (opaque bytes); functions that change it may move
 * it and return the new pointer (the old one is invalid). The allocation is exactly the
 * blob (header + members), from kv_malloc. Not thread-safe; no hidden state.
 */
#ifndef KV_INTSET_H
#define KV_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct intset intset;

#define INTSET_HEADER 8 /* encoding + length */

intset *intset_new(void);
void intset_free(intset *is);                  /* NULL is a no-op */
intset *intset_dup(const intset *is);

uint32_t intset_len(const intset *is);         /* number of members */
size_t intset_bytes(const intset *is);         /* blob size: header + members */
unsigned intset_width(const intset *is);       /* bytes per member: 2, 4 or 8 */

/* Adds v; *added (if non-NULL) says whether it was absent. Returns the new set. */
intset *intset_add(intset *is, int64_t v, bool *added);
/* Removes v; *removed (if non-NULL) says whether it was present. Returns the new set. */
intset *intset_remove(intset *is, int64_t v, bool *removed);
bool intset_find(const intset *is, int64_t v);
/* Member at index pos (0 = smallest); pos < intset_len(). */
int64_t intset_get(const intset *is, uint32_t pos);

/* Checks a blob read from outside (RDB): the header, that the size matches, and with deep
 * also that members are strictly ascending. */
bool intset_validate(const void *p, size_t size, bool deep);

#endif
