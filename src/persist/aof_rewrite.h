/* aof_rewrite.h - the AOF-format base file: the whole dataset as the shortest commands
 * that rebuild it (the layout Redis writes with aof-use-rdb-preamble no).
 */
#ifndef KV_AOF_REWRITE_H
#define KV_AOF_REWRITE_H

#include <stdbool.h>

/* Writes every live key of every database to path (created or truncated) and fsyncs it.
 * `timestamp`: starts with a "#TS:<unix time>" annotation (aof-timestamp-enabled);
 * `incremental_fsync`: fsync every 4 MB written (aof-rewrite-incremental-fsync), so the
 * final fsync does not stall on a huge dirty page cache; `key_delay_us`:
 * rdb-key-save-delay (clock_debug_delay per key, a test hook). Reads the keyspace only, never
 * changes or frees anything: safe in a forked child, where it reports its progress
 * (persist/child.h). Returns 0 and the keys written in *keys, or -1 with errno set. */
int aof_rewrite_base(const char *path, bool timestamp, bool incremental_fsync,
                     int key_delay_us, long long *keys);

#endif
