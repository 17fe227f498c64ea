/* listpack.h - a packed list of strings and integers in one contiguous allocation.
 *
 * The byte layout is Redis's listpack (so RDB files can carry small collections as
 * blobs, both ways): a 6-byte header (total bytes u32 LE, element count u16 LE, 65535 =
 * "count by walking"), then entries, then an end byte 0xFF. Each entry is an encoding byte
 * (7-bit uint, 6-bit string, 13-bit int, 12-bit string, 16/24/32/64-bit int, 32-bit
 * string), its data, and a backlen (1-5 bytes, variable length, read right to left) so the
 * list can be walked both ways. Strings that are canonical integers are stored as
 * integers (as Redis does), and read back as their decimal text.
 *
 * Conventions. A listpack is `uint8_t *`; every function that changes it may move it and
 * returns the new pointer (the old one is invalid). An entry position `p` points at an
 * entry's encoding byte and is valid until the next change. Positions come from lp_first,
 * lp_last, lp_next, lp_prev, lp_seek, lp_find; NULL means "none" (past either end).
 * Memory comes from kv_malloc (base/alloc.h). Not thread-safe; no hidden state.
 */
#ifndef KV_LISTPACK_H
#define KV_LISTPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LP_INTBUF_SIZE 21 /* room for a long long in decimal */

typedef enum { LP_BEFORE, LP_AFTER, LP_REPLACE } lp_where;

uint8_t *lp_new(size_t capacity_hint);
void lp_free(uint8_t *lp);
size_t lp_bytes(const uint8_t *lp);      /* total size in bytes */
size_t lp_length(const uint8_t *lp);     /* number of entries */

uint8_t *lp_first(uint8_t *lp);
uint8_t *lp_last(uint8_t *lp);
uint8_t *lp_next(uint8_t *lp, uint8_t *p);
uint8_t *lp_prev(uint8_t *lp, uint8_t *p);
/* Entry at index (negative from the end, -1 = last); NULL when out of range. */
uint8_t *lp_seek(uint8_t *lp, long index);

/* Reads the entry at p. For a string entry returns its bytes and sets *len; for an integer
 * entry writes its decimal text into intbuf (LP_INTBUF_SIZE bytes) and returns intbuf,
 * also setting *ival and *is_int when those are non-NULL. */
const uint8_t *lp_get(const uint8_t *p, size_t *len, uint8_t *intbuf, long long *ival,
                      bool *is_int);
/* True when entry p equals the bytes s[0..len). */
bool lp_eq(const uint8_t *p, const uint8_t *s, size_t len);

uint8_t *lp_append(uint8_t *lp, const uint8_t *s, size_t len);
uint8_t *lp_prepend(uint8_t *lp, const uint8_t *s, size_t len);
uint8_t *lp_append_int(uint8_t *lp, long long v);
/* Inserts s before or after p, or replaces p (LP_REPLACE). *newp (if non-NULL) receives
 * the position of the inserted/replaced entry in the returned listpack. */
uint8_t *lp_insert(uint8_t *lp, const uint8_t *s, size_t len, uint8_t *p, lp_where where,
                   uint8_t **newp);
/* Deletes the entry at p; *nextp (if non-NULL) receives the position of the entry that
 * followed it (NULL when it was the last). */
uint8_t *lp_delete(uint8_t *lp, uint8_t *p, uint8_t **nextp);
/* Deletes count entries starting at index (negative from the end). */
uint8_t *lp_delete_range(uint8_t *lp, long index, size_t count);

/* Finds the first entry equal to s at or after p, comparing one entry and then skipping
 * `skip` entries (skip = 1 searches the fields of a field/value listpack). NULL if none. */
uint8_t *lp_find(uint8_t *lp, uint8_t *p, const uint8_t *s, size_t len, unsigned skip);

/* Checks a listpack read from outside (RDB): header, every entry, the end byte; with
 * deep = false only the header. */
bool lp_validate(const uint8_t *lp, size_t size, bool deep);

/* Bytes an entry of this string would take (to decide conversions before inserting). */
size_t lp_entry_size_for(const uint8_t *s, size_t len);

#endif
