/* aof.h - the append-only file in Redis 7's multi-part layout.
 *
 * While appendonly is on, every change to the dataset reaches the file as commands
 * (through persist/propagate.h), buffered per event-loop turn and written before the
 * replies of that turn go out; appendfsync decides when it is fsynced: always (before the
 * replies), everysec (by a background thread, about once a second) or no (by the OS).
 *
 * The log is a directory (appenddirname) holding a manifest, one base file (the dataset
 * at the last rewrite) and incremental files (the commands since). BGREWRITEAOF, an
 * automatic rewrite on growth, or turning appendonly on at run time writes a new base in
 * a forked child while the parent keeps appending to a new incremental file; when the
 * child is done the manifest is switched atomically and the old files deleted.
 *
 * The base is an RDB snapshot (.base.rdb) with aof-use-rdb-preamble yes, Redis's default,
 * else commands (.base.aof). The rewrite child is persist/child.h's, shared with BGSAVE.
 *
 * Start-up (with appendonly yes, instead of the RDB file) loads an RDB base with the
 * snapshot loader and replays commands through the real command handlers.
 */
#ifndef KV_AOF_H
#define KV_AOF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/command.h"

/* The directives (core/config.c rows point here). */
struct aof_config {
    bool appendonly;
    int appendfsync;            /* AOF_FSYNC_* */
    char *appendfilename;
    char *appenddirname;
    int auto_rewrite_percentage;
    long long auto_rewrite_min_size;
    bool load_truncated;
    bool use_rdb_preamble;      /* rewrites write the base as RDB (.base.rdb) */
    bool timestamp_enabled;
    bool rewrite_incremental_fsync;
    bool no_fsync_on_rewrite;
    bool disable_auto_gc;
};
enum { AOF_FSYNC_EVERYSEC = 0, AOF_FSYNC_ALWAYS = 1, AOF_FSYNC_NO = 2 };
extern struct aof_config aof_cfg;
extern const char *const aof_fsync_names[]; /* "everysec", "always", "no", NULL */

/* Start-up, after the listeners are open and before "Ready to accept connections"
 * (called by persist_load_at_startup): reads the manifest and, when appendonly is on,
 * replays the files (serving -LOADING meanwhile) and opens the incremental file. 0, -1
 * after logging a fatal error, AOF_STARTUP_ABORTED when a SHUTDOWN or a signal stopped
 * the load. */
int aof_startup(void);
#define AOF_STARTUP_ABORTED (-2)
/* Before the loop sleeps, before replies are written: writes the buffered commands and
 * fsyncs as appendfsync says. */
void aof_before_sleep(void);
/* A reply is about to be written mid-turn: with appendfsync always, what it may depend
 * on is written and fsynced first (client_write_barrier). */
void aof_write_barrier(void);
/* Server cron: reaps the rewrite child, starts scheduled and automatic rewrites. */
void aof_cron(void);
/* Shutdown (persist_shutdown): stops a rewrite child, writes and fsyncs what is
 * buffered. -1 (nothing done) while the first base of a just enabled AOF is being
 * written, unless force (SHUTDOWN FORCE), as Redis. */
int aof_shutdown(bool force);
/* CONFIG SET appendonly: starts (with a rewrite) or stops logging. NULL or an error. */
const char *aof_apply_appendonly(void);

/* INFO persistence: the aof_* lines from aof_enabled to aof_last_cow_size (`part` 0),
 * the lines shown only when the AOF is on (1). Returns the length written to buf. */
size_t aof_info(int part, char *buf, size_t cap);
/* While the AOF cannot be written or fsynced: the reason (strerror), else NULL. Write
 * commands and PING are refused then with -MISCONF, as Redis does. */
const char *aof_write_error(void);
extern bool aof_refuse_writes; /* aof_write_error() != NULL, kept current for dispatch */

/* kvik-server --check-aof [--fix] FILE: redis-check-aof's report and exit status. */
int aof_check_main(int argc, char **argv);

extern command aof_commands[]; /* BGREWRITEAOF */

#endif
