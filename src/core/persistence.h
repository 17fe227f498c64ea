/* persistence.h - snapshots as the server runs them: SAVE, BGSAVE (a forked child),
 * the `save` rules, loading at start-up, DEBUG RELOAD, saving at shutdown, the dirty
 * counter and what INFO persistence reports. The file format is persist/rdb.h's.
 *
 * State lives in `persist` (below) and in srv.dirty / srv.lastsave; the main thread owns
 * all of it.
 */
#ifndef KV_PERSISTENCE_H
#define KV_PERSISTENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

struct persistence {
    int64_t child_start_ms;     /* of the BGSAVE child */
    long long dirty_at_fork;    /* srv.dirty when the child forked */
    bool last_bgsave_ok;
    int64_t last_bgsave_try;    /* seconds: failed saves are retried after 5 s */
    long long last_bgsave_secs; /* -1 before the first */
    long long saves;            /* rdb_saves */
    bool scheduled;             /* BGSAVE SCHEDULE waiting for a child to end */
    /* loading */
    bool loading;
    int64_t loading_start;      /* seconds */
    long long loading_total_bytes, loading_loaded_bytes;
    long long loading_rdb_used_mem;
    long long last_load_keys_loaded, last_load_keys_expired;
};

extern struct persistence persist;

void persist_setup(void);
/* Loads dbfilename from dir at start-up, serving clients (-LOADING) meanwhile. Returns 0
 * when loaded (or there is no file), -1 when the file cannot be loaded (the caller exits
 * with an error), 1 when a SHUTDOWN or a signal (*signal_flag set by the handler) asked to
 * stop during the load (the caller shuts down). */
int persist_load_at_startup(volatile sig_atomic_t *signal_flag);
/* SAVE: 0, or -1 after logging why. */
int persist_save(void);
/* BGSAVE: 0 when the child started, -1 after logging why. */
int persist_bgsave(void);
/* Cron: reads the child's progress, reaps it, runs save rules and scheduled saves. */
void persist_cron(void);
/* Shutdown, as Redis's prepareForShutdown: kills a BGSAVE child, stops an AOF rewrite and
 * fsyncs the AOF (aof_shutdown: refused while the first AOF is written, unless force),
 * saves when asked (force_save) or when save rules exist (unless nosave). 0, or -1 when
 * something failed (the server must not exit, unless SHUTDOWN FORCE). */
int persist_shutdown(bool force_save, bool nosave, bool force);
/* After FLUSHALL (Redis's flushAllDataAndResetRDB): a running BGSAVE child is killed and,
 * with save rules, the now empty dataset is saved. */
void persist_after_flushall(void);
/* DEBUG RELOAD: save (unless nosave), empty (unless noflush), load; merge lets loaded
 * keys replace existing ones (else a conflict is an error). 0 or -1. */
int persist_debug_reload(bool nosave, bool noflush, bool merge, const char **why);
/* Whether writes are refused with MISCONF (stop-writes-on-bgsave-error). */
bool persist_writes_denied(void);
/* The -MISCONF error line (without the dash) when write commands, PING and EXEC of a
 * transaction with writes must be refused: a failed BGSAVE (as above) or an AOF that
 * cannot be written; NULL when they may run. The text stays valid until the next call. */
const char *persist_misconf(void);
/* The one loading state, for the RDB and the AOF loaders alike: INFO loading:1 and the
 * loading_* fields, -LOADING for commands without CMD_LOADING. */
void persist_loading_begin(long long total_bytes);
void persist_loading_end(void);
/* While loading, every few MB: records the bytes loaded and, at start-up, serves ready
 * clients. False when a SHUTDOWN or a signal asked to stop: the loader gives up and the
 * server exits without saving (as Redis). */
bool persist_loading_serve(long long loaded_bytes);
/* RDB load options as the server loads (checksum, expired keys skipped, clients served,
 * aux fields logged); base_offset (may be NULL): bytes loaded before this stream (an AOF
 * base counts into the AOF's total), borrowed for the load. The caller suspends keyspace
 * notifications around the load (notify_suspend). */
struct rdb_load_opts;
void persist_rdb_load_opts(struct rdb_load_opts *o, bool merge, const long long *base_offset);
/* Whether the save rules are non-empty. */
bool persist_has_save_rules(void);
/* Checks a `save` value ("<seconds> <changes> ..." or ""); NULL or the error. */
const char *persist_check_save_rules(const char *text);
/* `kvik-server --check-rdb FILE`: prints a report, returns the exit status. */
int persist_check_rdb_main(const char *path);
/* The same report for the RDB at the start of path, named `shown` (redis-check-aof checks
 * an AOF's RDB preamble so); 0 when sane, with the RDB's length in *end (may be NULL). */
int persist_check_rdb(const char *path, const char *shown, long long *end);

#endif
