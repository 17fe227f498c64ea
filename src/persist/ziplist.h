/* ziplist.h - reading the packed encodings older Redis versions wrote into RDB files:
 * ziplist (lists, small hashes and sorted sets until Redis 7.0 switched to listpack) and
 * zipmap (small hashes before Redis 2.6). Redis 7.0 still loads both, converting them to
 * listpacks on the way; so does Kvik, through these walkers.
 *
 * Conventions. The blob is untrusted: every read is bounds-checked against size and a
 * malformed blob makes the walker return false. Entries are handed to fn as bytes
 * (integers rendered as decimal text into a buffer valid for the call). fn returns false
 * to stop (the walker then returns false too). No allocation, no state.
 */
#ifndef KV_ZIPLIST_H
#define KV_ZIPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef bool zl_entry_fn(void *priv, const uint8_t *s, size_t len);

bool ziplist_walk(const uint8_t *zl, size_t size, zl_entry_fn *fn, void *priv);
/* Zipmap: fn is called for the field, then for the value, of each pair. */
bool zipmap_walk(const uint8_t *zm, size_t size, zl_entry_fn *fn, void *priv);

#endif
