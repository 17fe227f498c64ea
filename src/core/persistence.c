/* persistence.c - snapshots as the server runs them (see persistence.h).
 *
 * BGSAVE forks through persist/child.h (the one child facility, shared with the AOF
 * rewrite: fork safety, reaping, CoW and progress reports live there). The child writes
 * the snapshot of the keyspace it inherited (copy-on-write pages) through persist/rdb.c
 * and exits; the parent keeps serving and hears of the end from child_cron(). To keep the
 * copy-on-write bill small the server cron pauses incremental rehashing while any child
 * runs.
 *
 * The dirty counter (srv.dirty) adds what each command counted (db_dirty_begin/end in
 * db/db.h: Redis's per-element counts). A successful save resets it, and what the running
 * command counted so far; a BGSAVE subtracts what it had at fork time, so changes made
 * while the child ran still count.
 *
 * Loading at start-up happens after the listeners are open: with appendonly yes the AOF
 * (persist/aof.h), else the RDB file. Either loader calls persist_loading_begin/end and,
 * every few MB, persist_loading_serve(): ready clients are served meanwhile and get
 * -LOADING for everything not flagged CMD_LOADING (dispatch checks persist.loading), as
 * Redis does. An RDB load (a dump, an AOF's RDB base) raises no keyspace events; the
 * commands an AOF replays do raise them, as in Redis 7.0.
 *
 * MISCONF: writes are refused when the last BGSAVE failed (stop-writes-on-bgsave-error,
 * with save rules) or the AOF cannot be written; persist_misconf() has Redis's texts.
 */
#include "core/persistence.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/crc64.h"
#include "base/log.h"
#include "core/client.h"
#include "core/server.h"
#include "db/db.h"
#include "persist/aof.h"
#include "persist/child.h"
#include "persist/rdb.h"
#include "pubsub/notify.h"
#include "types/types.h"

#define BGSAVE_RETRY_DELAY 5 /* seconds before a failed BGSAVE is retried by the rules */
#define LOAD_EVENTS_BYTES (2 << 20)

struct persistence persist = {.last_bgsave_ok = true, .last_bgsave_secs = -1};

void persist_setup(void)
{
    crc64_init();
}

/* ---- save rules ---- */

typedef struct save_rule {
    long long seconds, changes;
} save_rule;

/* Parses "<seconds> <changes> ..." into rules; -1 when malformed. */
static int parse_rules(const char *text, save_rule *out, int cap)
{
    int n = 0;
    const char *p = text ? text : "";
    for (;;) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            return n;
        }
        char *end;
        errno = 0;
        long long s = strtoll(p, &end, 10);
        if (end == p || errno || s < 0 || (*end != ' ')) {
            return -1;
        }
        p = end;
        while (*p == ' ') {
            p++;
        }
        long long c = strtoll(p, &end, 10);
        if (end == p || errno || c < 0 || (*end != ' ' && *end != '\0')) {
            return -1;
        }
        p = end;
        if (n < cap) {
            out[n] = (save_rule){s, c};
        }
        n++;
    }
}

const char *persist_check_save_rules(const char *text)
{
    save_rule r[1];
    return parse_rules(text, r, 0) < 0 ? "Invalid save parameters" : NULL;
}

bool persist_has_save_rules(void)
{
    save_rule r[1];
    return parse_rules(srv.cfg.save, r, 0) > 0;
}

#define ERR_MISCONF_RDB                                                                   \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "    \
    "persist to disk. Commands that may modify the data set are disabled, because this "  \
    "instance is configured to report errors during writes if RDB snapshotting fails "    \
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about " \
    "the RDB error."

/* Redis's writeCommandsDeniedByDiskError: the snapshot's error first, then the AOF's. */
const char *persist_misconf(void)
{
    static char aof_err[256];
    if (persist_writes_denied()) {
        return ERR_MISCONF_RDB;
    }
    if (!aof_refuse_writes) {
        return NULL;
    }
    snprintf(aof_err, sizeof(aof_err), "MISCONF Errors writing to the AOF file: %s",
             aof_write_error());
    return aof_err;
}

bool persist_writes_denied(void)
{
    return srv.cfg.stop_writes_on_bgsave_error && !persist.last_bgsave_ok &&
           persist_has_save_rules();
}

static void remove_temp_file(pid_t pid)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)pid);
    unlink(tmp);
}

/* ---- saving ---- */

static rdb_save_opts save_opts(void)
{
    rdb_save_opts o = {.compress = srv.cfg.rdbcompression, .checksum = srv.cfg.rdbchecksum,
                       .redis_ver = REDIS_COMPAT_VERSION,
                       .key_delay_us = srv.cfg.rdb_key_save_delay};
    return o;
}

int persist_save(void)
{
    if (child_kind() == CHILD_RDB) {
        log_warning("Background save already in progress");
        return -1;
    }
    rdb_save_opts o = save_opts();
    rdb_save_stats st;
    rdb_error err;
    persist.saves++; /* rdb_saves counts attempts, as Redis */
    if (rdb_save_file(srv.cfg.dbfilename, &o, &st, &err) != RDB_OK) {
        log_warning("%s", err.msg);
        return -1;
    }
    log_notice("DB saved on disk");
    srv.dirty = 0;
    db_dirty_clear();
    srv.lastsave = time(NULL);
    persist.last_bgsave_ok = true;
    return 0;
}

/* The child: write, rename, exit. _exit skips the parent's atexit handlers and stdio
 * buffers, which belong to the parent. */
static void bgsave_progress(void *priv, long long keys)
{
    child_report_progress(keys);
}

static void child_main(void)
{
    rdb_save_opts o = save_opts();
    o.progress = bgsave_progress;
    rdb_save_stats st;
    rdb_error err;
    int rc = rdb_save_file(srv.cfg.dbfilename, &o, &st, &err);
    if (rc != RDB_OK) {
        log_warning("%s", err.msg);
        _exit(1);
    }
    log_notice("DB saved on disk");
    child_report_final(st.keys, "RDB");
    _exit(0);
}

static void bgsave_done(pid_t pid, bool ok, int bysignal)
{
    persist.last_bgsave_secs = (clock_ms() - persist.child_start_ms) / 1000;
    if (ok) {
        log_notice("Background saving terminated with success");
        srv.dirty -= persist.dirty_at_fork;
        srv.lastsave = time(NULL);
        persist.last_bgsave_ok = true;
    } else if (bysignal) {
        log_warning("Background saving terminated by signal %d", bysignal);
        remove_temp_file(pid);
        /* SIGUSR1 is how Redis kills its own child on purpose: not an error then. */
        if (bysignal != SIGUSR1) {
            persist.last_bgsave_ok = false;
        }
    } else {
        log_warning("Background saving error");
        persist.last_bgsave_ok = false;
    }
}

int persist_bgsave(void)
{
    if (child_active()) {
        return -1;
    }
    persist.dirty_at_fork = srv.dirty;
    persist.last_bgsave_try = time(NULL);
    pid_t pid = child_fork(CHILD_RDB, bgsave_done);
    if (pid == 0) {
        child_main();
    }
    if (pid < 0) {
        persist.last_bgsave_ok = false;
        log_warning("Can't save in background: fork: %s", strerror(errno));
        return -1;
    }
    log_notice("Background saving started by pid %d", (int)pid);
    persist.saves++; /* counted when the child starts, as Redis */
    persist.child_start_ms = clock_ms();
    persist.scheduled = false;
    return 0;
}

/* Stops a running BGSAVE (FLUSHALL, SHUTDOWN): no error, and no temp file left. */
static void kill_bgsave(void)
{
    if (child_kind() != CHILD_RDB) {
        return;
    }
    pid_t pid = child_pid();
    child_kill();
    remove_temp_file(pid);
}

void persist_cron(void)
{
    if (child_active()) {
        return;
    }
    if (persist.scheduled) {
        persist_bgsave();
        return;
    }
    save_rule rules[64];
    int n = parse_rules(srv.cfg.save, rules, 64);
    time_t now = time(NULL);
    for (int i = 0; i < n && i < 64; i++) {
        if (srv.dirty >= rules[i].changes &&
            now - srv.lastsave > rules[i].seconds &&
            (now - persist.last_bgsave_try > BGSAVE_RETRY_DELAY || persist.last_bgsave_ok)) {
            log_notice("%lld changes in %lld seconds. Saving...", rules[i].changes,
                       rules[i].seconds);
            persist_bgsave();
            return;
        }
    }
}

int persist_shutdown(bool force_save, bool nosave, bool force)
{
    if (persist.loading) {
        return 0; /* never save a partial dataset over the file being loaded */
    }
    if (child_kind() == CHILD_RDB) {
        log_warning("There is a child saving an .rdb. Killing it!");
        kill_bgsave();
    }
    if (aof_shutdown(force) < 0) { /* stops a rewrite; writes and fsyncs what is logged */
        return -1;
    }
    if (nosave || (!force_save && !persist_has_save_rules())) {
        return 0;
    }
    log_notice("Saving the final RDB snapshot before exiting.");
    if (persist_save() < 0) {
        log_warning("Error trying to save the DB, can't exit.");
        return -1;
    }
    return 0;
}

/* ---- loading ---- */

static uint64_t last_log_us; /* progress lines: one a second at most */

static volatile sig_atomic_t *load_signal; /* main's signal flag, checked while loading */
static bool load_serving;                  /* start-up: clients are served meanwhile */

void persist_loading_begin(long long total_bytes)
{
    persist.loading_total_bytes = total_bytes;
    persist.loading_loaded_bytes = 0;
    persist.loading_start = time(NULL);
    persist.loading_rdb_used_mem = 0;
    persist.loading = true;
    last_log_us = clock_mono_us();
}

void persist_loading_end(void)
{
    persist.loading = false;
}

bool persist_loading_serve(long long loaded_bytes)
{
    persist.loading_loaded_bytes = loaded_bytes;
    if (!srv.loop || !load_serving) {
        return true;
    }
    ev_poll_files(srv.loop);
    client_flush_pending();
    client_free_closed();
    if (srv.shutdown_asap || (load_signal && *load_signal)) {
        log_warning("Shutdown requested while loading: stopping without saving.");
        return false;
    }
    return true;
}

static bool load_progress(void *priv, long long bytes)
{
    long long base = priv ? *(const long long *)priv : 0;
    uint64_t now = clock_mono_us();
    if (!priv && now - last_log_us >= 1000000 && persist.loading_total_bytes > 0) {
        last_log_us = now;
        log_notice("Loading RDB: %.0f%% (%lld of %lld MB)",
                   (double)bytes * 100 / (double)persist.loading_total_bytes, bytes >> 20,
                   persist.loading_total_bytes >> 20);
    }
    return persist_loading_serve(base + bytes);
}

static void on_aux(void *priv, long long off, const char *k, size_t klen, const char *v,
                   size_t vlen)
{
    if (klen == 9 && !memcmp(k, "redis-ver", 9)) {
        log_notice("Loading RDB produced by version %.*s", (int)vlen, v);
    } else if (klen == 5 && !memcmp(k, "ctime", 5)) {
        long long t = atoll(v);
        long long age = (long long)time(NULL) - t;
        log_notice("RDB age %lld seconds", age < 0 ? 0 : age);
    } else if (klen == 8 && !memcmp(k, "used-mem", 8)) {
        persist.loading_rdb_used_mem = atoll(v);
        log_notice("RDB memory usage when created %.2f Mb",
                   (double)persist.loading_rdb_used_mem / (1024 * 1024));
    }
}

void persist_rdb_load_opts(rdb_load_opts *o, bool merge, const long long *base_offset)
{
    *o = (rdb_load_opts){.checksum = srv.cfg.rdbchecksum, .skip_expired = true,
                         .progress = load_progress, .priv = (void *)base_offset,
                         .progress_bytes = LOAD_EVENTS_BYTES, .on_aux = on_aux,
                         .replace = merge};
}

/* Loads the file into the (empty or not) keyspace. */
static int load_file(bool merge, rdb_load_stats *st, rdb_error *err)
{
    struct stat sb;
    persist_loading_begin(stat(srv.cfg.dbfilename, &sb) == 0 ? sb.st_size : 0);
    rdb_load_opts o;
    persist_rdb_load_opts(&o, merge, NULL);
    notify_suspend(true); /* a snapshot load raises no keyspace events, as Redis */
    int rc = rdb_load_file(srv.cfg.dbfilename, &o, st, err);
    notify_suspend(false);
    persist_loading_end();
    if (rc == RDB_OK) {
        persist.last_load_keys_loaded = st->keys_loaded;
        persist.last_load_keys_expired = st->keys_expired;
        log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.", st->keys_loaded,
                   st->keys_expired);
    }
    return rc;
}

/* As Redis's loadDataFromDisk: with appendonly yes the AOF is the dataset (an RDB file
 * beside it is ignored), else the RDB file. */
int persist_load_at_startup(volatile sig_atomic_t *signal_flag)
{
    uint64_t t0 = clock_mono_us();
    rdb_load_stats st;
    rdb_error err;
    load_signal = signal_flag;
    load_serving = true;
    int aof = aof_startup(); /* with appendonly no it reads the manifest only */
    int rc = RDB_ERR_NOENT;
    if (aof == AOF_STARTUP_ABORTED) {
        rc = RDB_ERR_ABORTED;
    } else if (aof == 0 && !aof_cfg.appendonly) {
        rc = load_file(false, &st, &err);
    }
    load_serving = false;
    load_signal = NULL;
    if (!aof_cfg.appendonly) {
        srv.dirty = 0; /* an AOF's replayed commands stay counted, as in Redis */
    }
    if (aof < 0 && aof != AOF_STARTUP_ABORTED) {
        return -1; /* the AOF code said why */
    }
    if (rc == RDB_ERR_NOENT) {
        return 0;
    }
    if (rc == RDB_ERR_ABORTED) {
        srv.shutdown_asap = false;
        return 1;
    }
    if (rc != RDB_OK) {
        log_warning("Fatal error loading the DB (%s at offset %lld): %s", rdb_err_name(err.code),
                    err.offset, err.msg);
        if (rc == RDB_ERR_TRUNCATED || rc == RDB_ERR_IO) {
            log_warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
        }
        for (int i = 0; i < db_count(); i++) {
            db_flush(db_get(i), false); /* the partial load: the process exits */
        }
        return -1;
    }
    log_notice("DB loaded from disk: %.3f seconds", (double)(clock_mono_us() - t0) / 1e6);
    return 0;
}

void persist_after_flushall(void)
{
    kill_bgsave();
    if (persist_has_save_rules()) {
        persist_save();
    }
}

int persist_debug_reload(bool nosave, bool noflush, bool merge, const char **why)
{
    *why = NULL;
    if (!nosave && persist_save() < 0) {
        return -1;
    }
    if (!noflush) {
        for (int i = 0; i < db_count(); i++) {
            db_flush(db_get(i), false);
        }
    }
    rdb_load_stats st;
    rdb_error err;
    int rc = load_file(merge, &st, &err);
    srv.dirty = 0;
    db_dirty_clear(); /* the flush and the load are no changes (as Redis) */
    if (rc != RDB_OK) {
        log_warning("Error loading the RDB (%s at offset %lld): %s", rdb_err_name(err.code),
                    err.offset, err.msg);
        *why = "ERR Error trying to load the RDB dump, check server logs.";
        return -1;
    }
    log_notice("DB reloaded by DEBUG RELOAD");
    return 0;
}

/* ---- --check-rdb ---- */

static void check_aux(void *priv, long long off, const char *k, size_t klen, const char *v,
                      size_t vlen)
{
    printf("[offset %lld] AUX FIELD %.*s = '%.*s'\n", off, (int)klen, k, (int)vlen, v);
}

static void check_selectdb(void *priv, long long off, int id)
{
    printf("[offset %lld] Selecting DB ID %d\n", off, id);
}

int persist_check_rdb_main(const char *path)
{
    return persist_check_rdb(path, path, NULL);
}

int persist_check_rdb(const char *path, const char *shown, long long *end)
{
    printf("[offset 0] Checking RDB file %s\n", shown);
    rdb_load_opts o = {.checksum = true, .discard = true, .on_aux = check_aux,
                       .on_selectdb = check_selectdb};
    rdb_load_stats st;
    rdb_error err;
    int rc = rdb_load_file(path, &o, &st, &err);
    if (rc != RDB_OK) {
        printf("--- RDB ERROR DETECTED ---\n");
        printf("[offset %lld] %s\n", err.offset, err.msg);
        printf("[additional info] %s\n", rdb_err_name(err.code));
        printf("[info] %lld keys read\n", st.keys_loaded);
        printf("[info] %lld expires\n", st.keys_with_expire);
        return 1;
    }
    printf("[offset %lld] %s\n", st.bytes, st.checksum_present ? "Checksum OK"
                                                               : "RDB file was saved with "
                                                                 "checksum disabled: no check "
                                                                 "performed.");
    printf("[offset %lld] \\o/ RDB looks OK! \\o/\n", st.bytes);
    printf("[info] %lld keys read\n", st.keys_loaded);
    printf("[info] %lld expires\n", st.keys_with_expire);
    printf("[info] %lld already expired\n", st.keys_expired);
    if (end) {
        *end = st.bytes;
    }
    return 0;
}
