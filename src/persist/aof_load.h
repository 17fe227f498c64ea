/* aof_load.h - replaying one AOF file into the keyspace (start-up). Internal to the AOF
 * modules. */
#ifndef KV_AOF_LOAD_H
#define KV_AOF_LOAD_H

#include <stdbool.h>
#include <stdint.h>

enum {
    AOF_LOAD_OK = 0,
    AOF_LOAD_TRUNCATED = 1,
    AOF_LOAD_EMPTY = 2,
    AOF_LOAD_FAILED = -1,
    AOF_LOAD_ABORTED = -2, /* a SHUTDOWN or a signal while loading */
};

/* Replays dir/name through the command handlers with a fake client. A file ending
 * inside a command (or inside MULTI) is truncated to its last complete command when
 * `last_file` and `load_truncated` allow it; otherwise, and for any other damage, the
 * error is logged and AOF_LOAD_FAILED returned. Client events are served meanwhile
 * (commands answer -LOADING); persist.loading_loaded_bytes advances by the file's bytes. */
int aof_load_file(const char *dir, const char *name, bool last_file, bool load_truncated);

#endif
