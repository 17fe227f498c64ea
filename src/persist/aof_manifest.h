/* aof_manifest.h - Redis 7's multi-part AOF manifest: which files make up the log.
 *
 * The manifest <appendfilename>.manifest in <appenddirname> lists one file a line,
 * "file <name> seq <n> type <b|h|i>": at most one base (b), history files awaiting
 * deletion (h) and the incremental files (i) in replay order. Files are named
 * <appendfilename>.<seq>.base.<aof|rdb> and <appendfilename>.<seq>.incr.aof.
 *
 * Ownership: a manifest owns its name strings; aof_manifest_clear() frees them.
 */
#ifndef KV_AOF_MANIFEST_H
#define KV_AOF_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

enum { AOF_FILE_BASE = 'b', AOF_FILE_HIST = 'h', AOF_FILE_INCR = 'i' };

typedef struct aof_file {
    char *name;
    long long seq;
    int type;
} aof_file;

typedef struct aof_manifest {
    aof_file *base;             /* NULL when there is none */
    aof_file *incr, *hist;
    size_t nincr, nhist;
    long long base_seq, incr_seq; /* highest sequence numbers in use */
} aof_manifest;

void aof_manifest_clear(aof_manifest *m);
/* Reads path. Returns 0, 1 when the file does not exist, -1 with Redis's reason in err. */
int aof_manifest_load(aof_manifest *m, const char *path, char *err, size_t errcap);
/* Writes the manifest atomically (temp file in dir, fsync, rename, fsync dir). 0 or -1
 * (errno set). */
int aof_manifest_save(const aof_manifest *m, const char *dir, const char *filename);

/* Adds a new incremental file (next sequence number) and returns its name (owned by m). */
const char *aof_manifest_new_incr(aof_manifest *m, const char *filename);
/* Makes name (a base with the next base sequence number) the base; the old base and the
 * incremental files with seq < keep_incr_from become history. Returns the base name. */
const char *aof_manifest_new_base(aof_manifest *m, const char *filename, bool rdb,
                                  long long keep_incr_from);
void aof_manifest_drop_history(aof_manifest *m);
/* The base's name with ".<seq>.base.aof" for the next base seq (not added). */
void aof_manifest_base_name(const aof_manifest *m, const char *filename, bool rdb, char *out,
                            size_t cap);
bool aof_file_is_rdb(const char *name);

#endif
