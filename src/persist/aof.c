/* aof.c - the append-only file at run time: state, buffer, fsync policy, rewrites,
 * start-up, BGREWRITEAOF, INFO (see aof.h).
 *
 * States, as Redis 7.0:
 *   OFF           nothing is logged.
 *   ON            commands are appended to the last incremental file of the manifest.
 *   WAIT_REWRITE  appendonly was just turned on: the first base is being written by a
 *                 child; commands go to a temporary incremental file that joins the
 *                 manifest, with that base, when the child succeeds.
 *
 * A rewrite never needs a rewrite buffer: at its start the parent opens a new
 * incremental file, so the child's snapshot plus the files from that one on are the
 * whole dataset. On success the base and the older incremental files become history,
 * the manifest is replaced atomically and the history deleted.
 *
 * Base files: write_base() is the only place that chooses a base's format: with
 * aof-use-rdb-preamble yes (Redis's default) a snapshot in RDB format through
 * persist/rdb.h (a .base.rdb file, aof-base aux field set), else the AOF format
 * (persist/aof_rewrite.h). The loader tells them apart by content (aof_load.c).
 *
 * The rewrite child is persist/child.h's (one child at a time, shared with BGSAVE); the
 * start-up load uses core/persistence.h's one loading state.
 */
#include "persist/aof.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/client.h"
#include "core/persistence.h"
#include "core/server.h"
#include "db/db.h"
#include "persist/aof_load.h"
#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"
#include "persist/aof_rewrite.h"
#include "persist/child.h"
#include "persist/fsyncer.h"
#include "persist/propagate.h"
#include "persist/rdb.h"
#include "persist/respbuf.h"

enum { AOF_OFF = 0, AOF_ON, AOF_WAIT_REWRITE };

struct aof_config aof_cfg;
bool aof_refuse_writes;
const char *const aof_fsync_names[] = {"everysec", "always", "no", NULL};

static struct {
    int state;
    int fd;
    respbuf buf;
    int selected_db;
    int64_t last_ts;            /* last #TS annotation (seconds) */
    aof_manifest m;
    bool manifest_loaded;
    long long current_size;     /* base + incremental files */
    long long rewrite_base_size; /* current_size after the last rewrite or load */
    long long incr_size;        /* bytes of the open incremental file */
    long long unsynced;         /* bytes written since the last fsync request */
    int64_t last_fsync_ms;
    long long delayed_fsync;
    bool last_write_ok;
    int last_write_errno;
    /* rewrite */
    bool scheduled;
    int64_t rewrite_start_ms;
    long long last_rewrite_time_sec;
    bool last_bgrewrite_ok;
    long long rewrites, consecutive_failures;
    long long keep_incr_from;   /* incr seq opened at the rewrite's start; LLONG_MAX none */
    int64_t last_failure_ms;
    bool temp_incr;             /* WAIT_REWRITE: fd is the temp incremental file */
    bool rewrite_rdb;           /* the running rewrite writes an RDB base */
} aof = {.fd = -1, .selected_db = -1, .last_write_ok = true, .last_rewrite_time_sec = -1,
         .last_bgrewrite_ok = true};

static const char *dir_name(void)
{
    return aof_cfg.appenddirname;
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir_name(), name);
}

static void temp_incr_name(char *out, size_t cap)
{
    snprintf(out, cap, "temp-%s.incr", aof_cfg.appendfilename);
}

static long long file_size(const char *name)
{
    char path[4096];
    struct stat st;
    path_of(path, sizeof(path), name);
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int ensure_dir(void)
{
    if (mkdir(dir_name(), 0755) < 0 && errno != EEXIST) {
        log_warning("Can't open or create append-only dir %s: %s", dir_name(), strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- base files: the one place that knows their format ---- */

static void rdb_base_progress(void *priv, long long keys)
{
    child_report_progress(keys);
}

/* Writes the dataset as a base file at path: RDB (rdb true) or AOF format. In the
 * rewrite child, progress goes to the parent (INFO current_save_keys_processed). */
static int write_base(const char *path, bool rdb, long long *keys)
{
    if (!rdb) {
        return aof_rewrite_base(path, aof_cfg.timestamp_enabled,
                                aof_cfg.rewrite_incremental_fsync, srv.cfg.rdb_key_save_delay,
                                keys);
    }
    rdb_save_opts o = {.compress = srv.cfg.rdbcompression, .checksum = srv.cfg.rdbchecksum,
                       .aof_base = true, .redis_ver = REDIS_COMPAT_VERSION,
                       .progress = rdb_base_progress,
                       .key_delay_us = srv.cfg.rdb_key_save_delay};
    rdb_save_stats st;
    rdb_error err;
    if (rdb_save_file(path, &o, &st, &err) != RDB_OK) {
        log_warning("%s", err.msg);
        errno = err.sys_errno ? err.sys_errno : EIO;
        return -1;
    }
    *keys = st.keys;
    return 0;
}

/* ---- the stream of commands ---- */

static void sink(int dbid, const char *resp, size_t len)
{
    if (aof.state == AOF_WAIT_REWRITE && child_kind() != CHILD_AOF) {
        return; /* the rewrite still to start snapshots this change */
    }
    if (aof_cfg.timestamp_enabled) {
        int64_t now = db_now_ms / 1000;
        if (now != aof.last_ts) {
            char ts[40];
            int n = snprintf(ts, sizeof(ts), "#TS:%" PRId64 "\r\n", now);
            rb_add(&aof.buf, ts, (size_t)n);
            aof.last_ts = now;
        }
    }
    if (dbid != aof.selected_db) {
        char num[24];
        int n = snprintf(num, sizeof(num), "%d", dbid);
        kstr sel[2] = {KSTR_LIT("SELECT"), kstr_make(num, (size_t)n)};
        rb_command(&aof.buf, sel, 2);
        aof.selected_db = dbid;
    }
    rb_add(&aof.buf, resp, len);
}

static bool fsync_suspended(void)
{
    return aof_cfg.no_fsync_on_rewrite && child_active();
}

/* Writes the buffer; fsyncs per policy. force: also fsync for everysec right away. */
static void flush_buffer(bool force)
{
    if (aof.fd < 0) {
        aof.buf.len = 0;
        return;
    }
    size_t off = 0;
    while (off < aof.buf.len) {
        ssize_t n = write(aof.fd, aof.buf.p + off, aof.buf.len - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (aof.last_write_ok) {
                log_warning("Error writing to the AOF file: %s", strerror(errno));
            }
            aof.last_write_ok = false;
            aof.last_write_errno = errno;
            if (aof_cfg.appendfsync == AOF_FSYNC_ALWAYS) {
                log_warning("Can't recover from AOF write error when the AOF fsync policy is "
                            "'always'. Exiting...");
                exit(1);
            }
            break;
        }
        off += (size_t)n;
    }
    if (off) {
        memmove(aof.buf.p, aof.buf.p + off, aof.buf.len - off);
        aof.buf.len -= off;
        aof.current_size += (long long)off;
        aof.incr_size += (long long)off;
        aof.unsynced += (long long)off;
        if (!aof.last_write_ok && aof.buf.len == 0) {
            aof.last_write_ok = true;
        }
    }
    if (aof.buf.cap > 4 * 1024 * 1024 && aof.buf.len == 0) {
        rb_free(&aof.buf); /* a burst must not pin its buffer */
    }
    if (aof_cfg.appendfsync == AOF_FSYNC_NO) {
        aof.unsynced = 0; /* the kernel's business */
    }
    if (!aof.unsynced || fsync_suspended()) {
        return;
    }
    int64_t now = clock_ms();
    if (aof_cfg.appendfsync == AOF_FSYNC_ALWAYS) {
        if (fdatasync(aof.fd) < 0 && errno != EINVAL) {
            log_warning("Can't persist the AOF file: fsync: %s. Exiting...", strerror(errno));
            exit(1);
        }
        aof.unsynced = 0;
        aof.last_fsync_ms = now;
    } else if (aof_cfg.appendfsync == AOF_FSYNC_EVERYSEC &&
               (force || now - aof.last_fsync_ms >= 1000)) {
        if (fsyncer_pending() && !force) {
            aof.delayed_fsync++; /* the disk is slow: one fsync in flight at a time */
            return;
        }
        fsyncer_submit(aof.fd, false);
        aof.unsynced = 0;
        aof.last_fsync_ms = now;
    }
}

static void update_refusal(void)
{
    bool refuse = aof_write_error() != NULL;
    if (refuse != aof_refuse_writes) {
        aof_refuse_writes = refuse;
        if (!refuse) {
            log_warning("AOF write error looks solved, Kvik can write again.");
        }
    }
}

void aof_before_sleep(void)
{
    if (aof.buf.len || aof.unsynced) {
        flush_buffer(false);
        update_refusal();
    }
}

void aof_write_barrier(void)
{
    if (aof_cfg.appendfsync == AOF_FSYNC_ALWAYS && (aof.buf.len || aof.unsynced)) {
        flush_buffer(false);
    }
}

/* Opens name in the AOF dir for appending (created if missing). */
static int open_append(const char *name, bool truncate_it)
{
    char path[4096];
    path_of(path, sizeof(path), name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | (truncate_it ? O_TRUNC : 0), 0644);
    if (fd < 0) {
        log_warning("Can't open the append-only file %s: %s", name, strerror(errno));
    }
    return fd;
}

/* Hands the current fd to the fsync thread to be synced and closed, and makes fd the
 * one written from now on. */
static void switch_fd(int fd)
{
    flush_buffer(false);
    if (aof.fd >= 0) {
        fsyncer_submit(aof.fd, true);
    }
    aof.fd = fd;
    aof.selected_db = -1; /* a new file starts with its own SELECT */
    aof.last_ts = 0;
    aof.incr_size = 0;
    aof.unsynced = 0;
}

static int save_manifest(void)
{
    if (aof_manifest_save(&aof.m, dir_name(), aof_cfg.appendfilename) < 0) {
        log_warning("Can't persist the AOF manifest file %s.manifest: %s",
                    aof_cfg.appendfilename, strerror(errno));
        return -1;
    }
    return 0;
}

/* A rewrite starts: from now on commands go to a new incremental file. */
static int open_new_incr(void)
{
    if (aof.state == AOF_OFF) {
        aof.keep_incr_from = LLONG_MAX;
        return 0;
    }
    /* What is buffered belongs before the snapshot the child is about to take: write it
     * to the current file now (a retried WAIT_REWRITE truncates that very file below,
     * which is right: the new snapshot holds it). */
    flush_buffer(false);
    if (aof.state == AOF_WAIT_REWRITE) {
        char name[512];
        temp_incr_name(name, sizeof(name));
        int fd = open_append(name, true);
        if (fd < 0) {
            return -1;
        }
        log_notice("Creating AOF incr file %s on background rewrite", name);
        switch_fd(fd);
        aof.temp_incr = true;
        return 0;
    }
    const char *name = aof_manifest_new_incr(&aof.m, aof_cfg.appendfilename);
    int fd = open_append(name, true);
    if (fd < 0 || save_manifest() < 0) {
        if (fd >= 0) {
            close(fd);
        }
        kv_free(aof.m.incr[--aof.m.nincr].name);
        aof.m.incr_seq--;
        return -1;
    }
    log_notice("Creating AOF incr file %s on background rewrite", name);
    aof.keep_incr_from = aof.m.incr_seq;
    switch_fd(fd);
    return 0;
}

/* After 3 failures in a row, automatic and scheduled rewrites wait 1, 2, 4 ... up to 60
 * minutes between attempts (Redis's aofRewriteLimited): a full disk must not fork a
 * child every cron tick. BGREWRITEAOF itself is never held back. */
static bool rewrite_limited(void)
{
    if (aof.consecutive_failures < 3) {
        return false;
    }
    long long shift = aof.consecutive_failures - 3;
    long long wait_min = shift >= 6 ? 60 : (1LL << shift);
    if (clock_ms() - aof.last_failure_ms < wait_min * 60000) {
        return true;
    }
    return false;
}

static void rewrite_done(pid_t pid, bool ok, int bysignal);

/* What a rewrite child that did not finish may leave: its base file, and the RDB
 * writer's own temp file (the snapshot is written there, then renamed). */
static void remove_child_temp(pid_t pid)
{
    char name[64], path[4096];
    snprintf(name, sizeof(name), "temp-rewriteaof-bg-%d.aof", (int)pid);
    path_of(path, sizeof(path), name);
    unlink(path);
    snprintf(name, sizeof(name), "temp-%d.rdb", (int)pid);
    path_of(path, sizeof(path), name);
    unlink(path);
}

static int rewrite_start(void)
{
    if (child_active()) {
        return -1;
    }
    if (ensure_dir() < 0 || open_new_incr() < 0) {
        aof.last_bgrewrite_ok = false;
        return -1;
    }
    aof.rewrite_rdb = aof_cfg.use_rdb_preamble;
    pid_t pid = child_fork(CHILD_AOF, rewrite_done);
    if (pid < 0) {
        log_warning("Can't rewrite append only file in background: fork: %s", strerror(errno));
        aof.last_bgrewrite_ok = false;
        return -1;
    }
    if (pid == 0) {
        char name[64], path[4096];
        snprintf(name, sizeof(name), "temp-rewriteaof-bg-%d.aof", (int)getpid());
        path_of(path, sizeof(path), name);
        long long keys = 0;
        if (write_base(path, aof.rewrite_rdb, &keys) < 0) {
            log_warning("Write error writing append only file on disk: %s", strerror(errno));
            unlink(path);
            _exit(1);
        }
        log_notice("Successfully created the temporary AOF base file %s", name);
        child_report_final(keys, "AOF rewrite");
        _exit(0);
    }
    log_notice("Background append only file rewriting started by pid %ld", (long)pid);
    aof.rewrites++; /* counted when the child starts, as Redis */
    aof.scheduled = false;
    aof.rewrite_start_ms = clock_ms();
    return 0;
}

static void delete_history(void)
{
    if (aof_cfg.disable_auto_gc || !aof.m.nhist) {
        return;
    }
    for (size_t i = 0; i < aof.m.nhist; i++) {
        char path[4096];
        path_of(path, sizeof(path), aof.m.hist[i].name);
        log_notice("Removing the history file %s in the background", aof.m.hist[i].name);
        int fd = open(path, O_RDONLY);
        unlink(path);
        if (fd >= 0) {
            fsyncer_close(fd); /* freeing the blocks happens at this last close */
        }
    }
    aof_manifest_drop_history(&aof.m);
    save_manifest();
}

static void rewrite_failed(pid_t pid)
{
    remove_child_temp(pid);
    aof.last_bgrewrite_ok = false;
    aof.consecutive_failures++;
    aof.last_failure_ms = clock_ms();
    if (aof.state == AOF_WAIT_REWRITE) {
        aof.scheduled = true; /* appendonly stays on: try again from the cron */
    }
}

static void rewrite_done(pid_t pid, bool ok, int bysignal)
{
    aof.last_rewrite_time_sec = (clock_ms() - aof.rewrite_start_ms) / 1000;
    aof.rewrite_start_ms = 0;
    if (!ok) {
        if (bysignal) {
            log_warning("Background AOF rewrite terminated by signal");
        } else {
            log_warning("Background AOF rewrite terminated with error");
        }
        rewrite_failed(pid);
        return;
    }
    log_notice("Background AOF rewrite terminated with success");
    char tmp[64], tmp_path[4096], base[512], base_path[4096];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-bg-%d.aof", (int)pid);
    path_of(tmp_path, sizeof(tmp_path), tmp);
    aof_manifest_base_name(&aof.m, aof_cfg.appendfilename, aof.rewrite_rdb, base, sizeof(base));
    path_of(base_path, sizeof(base_path), base);
    if (rename(tmp_path, base_path) < 0) {
        log_warning("Error trying to rename the temporary AOF base file %s into %s: %s", tmp,
                    base, strerror(errno));
        rewrite_failed(pid);
        return;
    }
    log_notice("Successfully renamed the temporary AOF base file %s into %s", tmp, base);
    if (aof.state == AOF_WAIT_REWRITE) {
        char tname[512], tpath[4096], ipath[4096];
        temp_incr_name(tname, sizeof(tname));
        path_of(tpath, sizeof(tpath), tname);
        const char *incr = aof_manifest_new_incr(&aof.m, aof_cfg.appendfilename);
        path_of(ipath, sizeof(ipath), incr);
        if (rename(tpath, ipath) < 0) {
            log_warning("Error trying to rename the temporary AOF incr file %s into %s: %s",
                        tname, incr, strerror(errno));
            kv_free(aof.m.incr[--aof.m.nincr].name);
            aof.m.incr_seq--;
            unlink(base_path);
            rewrite_failed(pid);
            return;
        }
        log_notice("Successfully renamed the temporary AOF incr file %s into %s", tname, incr);
        aof.keep_incr_from = aof.m.incr_seq;
        aof.temp_incr = false;
    }
    aof_manifest_new_base(&aof.m, aof_cfg.appendfilename, aof.rewrite_rdb, aof.keep_incr_from);
    if (save_manifest() < 0) {
        aof.last_bgrewrite_ok = false;
        aof.consecutive_failures++;
        aof.last_failure_ms = clock_ms();
        return;
    }
    aof.manifest_loaded = true;
    if (aof.state == AOF_WAIT_REWRITE) {
        aof.state = AOF_ON;
        /* The buffer of the temp file is flushed to the same fd, now under its final name:
         * fsync it so the manifest never names a file with less than was acknowledged. */
        flush_buffer(true);
    }
    delete_history();
    long long incr_total = 0;
    for (size_t i = 0; i < aof.m.nincr; i++) {
        incr_total += file_size(aof.m.incr[i].name);
    }
    aof.current_size = file_size(base) + incr_total;
    aof.rewrite_base_size = aof.current_size;
    aof.last_bgrewrite_ok = true;
    aof.consecutive_failures = 0;
    log_notice("Background AOF rewrite finished successfully");
}

void aof_cron(void)
{
    update_refusal(); /* picks up fsync errors from the thread; child_cron() reaps */
    if (child_active() || rewrite_limited()) {
        if (aof.unsynced && aof.state != AOF_OFF) {
            flush_buffer(false);
        }
        return;
    }
    if (aof.scheduled) {
        rewrite_start(); /* appendonly turned on, or BGREWRITEAOF while a child ran */
    }
    if (aof.state == AOF_ON && !child_active() && aof_cfg.auto_rewrite_percentage &&
        aof.current_size > aof_cfg.auto_rewrite_min_size) {
        long long base = aof.rewrite_base_size ? aof.rewrite_base_size : 1;
        long long growth = (aof.current_size * 100 / base) - 100;
        if (growth >= aof_cfg.auto_rewrite_percentage) {
            log_notice("Starting automatic rewriting of AOF on %lld%% growth", growth);
            rewrite_start();
        }
    }
    /* everysec with no new writes: the last second's data still gets its fsync. */
    if (aof.unsynced && aof.state != AOF_OFF) {
        flush_buffer(false);
    }
}

/* ---- turning it on and off ---- */

static void kill_rewrite(void)
{
    if (child_kind() != CHILD_AOF) {
        return;
    }
    pid_t pid = child_pid();
    log_notice("Killing running AOF rewrite child: %ld", (long)pid);
    child_kill();
    remove_child_temp(pid);
}

static void stop_appendonly(void)
{
    flush_buffer(false);
    fsyncer_drain(); /* no job may still name the fd closed below */
    if (aof.fd >= 0) {
        fdatasync(aof.fd);
        close(aof.fd);
        aof.fd = -1;
    }
    kill_rewrite();
    if (aof.temp_incr) {
        char tname[512], tpath[4096];
        temp_incr_name(tname, sizeof(tname));
        path_of(tpath, sizeof(tpath), tname);
        unlink(tpath);
        aof.temp_incr = false;
    }
    aof.state = AOF_OFF;
    aof.scheduled = false;
    aof.buf.len = 0;
    aof.last_write_ok = true;
    aof_refuse_writes = false;
    propagate_set_sink(NULL);
}

const char *aof_apply_appendonly(void)
{
    if (!srv.loop) {
        return NULL; /* start-up: aof_startup() acts on it */
    }
    if (persist.loading) {
        return "can't change appendonly while loading the dataset";
    }
    if (!aof_cfg.appendonly && aof.state != AOF_OFF) {
        stop_appendonly();
        log_notice("AOF disabled");
    } else if (aof_cfg.appendonly && aof.state == AOF_OFF) {
        fsyncer_setup();
        if (child_kind() == CHILD_AOF) {
            kill_rewrite(); /* a BGREWRITEAOF of the AOF-off kind: this one supersedes it */
        }
        aof.state = AOF_WAIT_REWRITE;
        aof.selected_db = -1;
        propagate_set_sink(sink);
        if (child_active()) {
            aof.scheduled = true;
            log_notice("AOF was enabled but there is already another background operation. An "
                       "AOF background was scheduled to start when possible.");
        } else if (rewrite_start() < 0) {
            aof.state = AOF_OFF;
            propagate_set_sink(NULL);
            log_warning("Redis needs to enable the AOF but can't trigger a background AOF "
                        "rewrite operation. Check the above logs for more info about the "
                        "error.");
            return "Unable to turn on AOF. Check server logs.";
        }
    }
    return NULL;
}

int aof_shutdown(bool force)
{
    if (child_kind() == CHILD_AOF) {
        /* Without its first base the log is not the dataset yet: exiting loses it. */
        if (aof.state == AOF_WAIT_REWRITE) {
            if (!force) {
                log_warning("Writing initial AOF, can't exit.");
                return -1;
            }
            log_warning("Writing initial AOF. Exit anyway.");
        }
        log_warning("There is a child rewriting the AOF. Killing it!");
        kill_rewrite();
    }
    if (aof.state == AOF_OFF) {
        return 0;
    }
    flush_buffer(false);
    if (aof.fd >= 0) {
        log_notice("Calling fsync() on the AOF file.");
        fdatasync(aof.fd);
    }
    fsyncer_drain();
    return 0;
}

/* ---- start-up ---- */

/* No manifest: a single appendonly.aof from before Redis 7 becomes the base. */
static int upgrade_old_style(void)
{
    struct stat st;
    if (stat(aof_cfg.appendfilename, &st) < 0 || !S_ISREG(st.st_mode)) {
        return 0;
    }
    if (ensure_dir() < 0) {
        return -1;
    }
    char path[4096];
    path_of(path, sizeof(path), aof_cfg.appendfilename);
    if (rename(aof_cfg.appendfilename, path) < 0) {
        log_warning("Error moving the old-style AOF %s into %s: %s", aof_cfg.appendfilename,
                    dir_name(), strerror(errno));
        return -1;
    }
    aof.m.base = kv_malloc(sizeof(aof_file));
    *aof.m.base = (aof_file){kv_strdup(aof_cfg.appendfilename), 1, AOF_FILE_BASE};
    aof.m.base_seq = 1;
    if (save_manifest() < 0) {
        return -1;
    }
    log_notice("Successfully migrated an old-style AOF %s into the AOF directory",
               aof_cfg.appendfilename);
    return 1;
}

static int read_manifest(void)
{
    char path[4096], err[256];
    snprintf(path, sizeof(path), "%s/%s.manifest", dir_name(), aof_cfg.appendfilename);
    int rc = aof_manifest_load(&aof.m, path, err, sizeof(err));
    if (rc < 0) {
        log_warning("%s", err);
        return -1;
    }
    if (rc == 1) {
        if (!aof_cfg.appendonly) {
            return 0;
        }
        return upgrade_old_style() < 0 ? -1 : 0;
    }
    aof.manifest_loaded = true;
    return 0;
}

static int load_all(void)
{
    size_t nfiles = (aof.m.base ? 1 : 0) + aof.m.nincr;
    if (!nfiles) {
        return 0;
    }
    long long total = 0;
    if (aof.m.base) {
        total += file_size(aof.m.base->name);
    }
    for (size_t i = 0; i < aof.m.nincr; i++) {
        total += file_size(aof.m.incr[i].name);
    }
    persist_loading_begin(total);
    uint64_t t0 = clock_mono_us();
    int rc = AOF_LOAD_OK;
    size_t done = 0;
    for (size_t i = 0; i < nfiles && rc >= 0; i++) {
        bool base = aof.m.base && i == 0;
        const char *name = base ? aof.m.base->name : aof.m.incr[i - (aof.m.base ? 1 : 0)].name;
        uint64_t t = clock_mono_us();
        rc = aof_load_file(dir_name(), name, ++done == nfiles, aof_cfg.load_truncated);
        if (rc >= 0) {
            log_notice("DB loaded from %s file %s: %.3f seconds", base ? "base" : "incr", name,
                       (double)(clock_mono_us() - t) / 1e6);
        }
    }
    persist_loading_end();
    if (rc == AOF_LOAD_ABORTED) {
        return AOF_STARTUP_ABORTED;
    }
    if (rc < 0) {
        return -1;
    }
    log_notice("DB loaded from append only file: %.3f seconds",
               (double)(clock_mono_us() - t0) / 1e6);
    return 0;
}

/* Appendonly on after loading: a base if the log is empty, then the incremental file. */
static int open_at_startup(void)
{
    if (ensure_dir() < 0) {
        return -1;
    }
    bool dirty = false, created_base = false;
    if (!aof.m.base && !aof.m.nincr) {
        char base[512], path[4096];
        bool rdb = aof_cfg.use_rdb_preamble;
        long long keys;
        aof_manifest_base_name(&aof.m, aof_cfg.appendfilename, rdb, base, sizeof(base));
        path_of(path, sizeof(path), base);
        if (write_base(path, rdb, &keys) < 0) {
            log_warning("Can't create the AOF base file %s: %s", base, strerror(errno));
            return -1;
        }
        aof_manifest_new_base(&aof.m, aof_cfg.appendfilename, rdb, 0);
        log_notice("Creating AOF base file %s on server start", base);
        dirty = created_base = true;
    }
    const char *incr;
    if (aof.m.nincr) {
        incr = aof.m.incr[aof.m.nincr - 1].name;
        log_notice("Opening AOF incr file %s on server start", incr);
    } else {
        incr = aof_manifest_new_incr(&aof.m, aof_cfg.appendfilename);
        log_notice("Creating AOF incr file %s on server start", incr);
        dirty = true;
    }
    int fd = open_append(incr, false);
    if (fd < 0) {
        return -1;
    }
    if (dirty && save_manifest() < 0) {
        close(fd);
        return -1;
    }
    aof.manifest_loaded = true;
    aof.fd = fd;
    aof.incr_size = file_size(incr);
    /* A base written just now is not counted, as Redis (its sizes come from the load). */
    aof.current_size = (aof.m.base && !created_base ? file_size(aof.m.base->name) : 0);
    for (size_t i = 0; i < aof.m.nincr; i++) {
        aof.current_size += file_size(aof.m.incr[i].name);
    }
    aof.rewrite_base_size = aof.current_size;
    aof.state = AOF_ON;
    aof.selected_db = -1;
    aof.last_fsync_ms = clock_ms();
    fsyncer_setup();
    propagate_set_sink(sink);
    delete_history(); /* left by a crash between a rewrite and its clean-up */
    return 0;
}

int aof_startup(void)
{
    if (read_manifest() < 0) {
        return -1;
    }
    if (!aof_cfg.appendonly) {
        return 0;
    }
    int rc = load_all();
    if (rc < 0) {
        return rc;
    }
    return open_at_startup();
}

const char *aof_write_error(void)
{
    if (aof.state == AOF_OFF) {
        return NULL;
    }
    int e = aof.last_write_ok ? fsyncer_error() : aof.last_write_errno;
    return e ? strerror(e) : NULL;
}

/* ---- BGREWRITEAOF ---- */

static void cmd_bgrewriteaof(client *c)
{
    if (child_kind() == CHILD_AOF) {
        reply_error(&c->out, "ERR Background append only file rewriting already in progress");
    } else if (child_active() || (c->flags & CLIENT_MULTI)) {
        /* Inside EXEC the fork waits for the cron, as Redis does. */
        aof.scheduled = true;
        reply_simple(&c->out, "Background append only file rewriting scheduled");
    } else if (rewrite_start() == 0) {
        reply_simple(&c->out, "Background append only file rewriting started");
    } else {
        reply_error(&c->out, "ERR Can't execute an AOF background rewriting. Please check the "
                             "server logs for more information.");
    }
}

command aof_commands[] = {
    {"bgrewriteaof", cmd_bgrewriteaof, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, 0, 0,
     0, 0, "server", "Asynchronously rewrite the append-only file", "1.0.0", "O(1)", NULL,
     NULL},
    {0},
};

/* ---- INFO ---- */

size_t aof_info(int part, char *buf, size_t cap)
{
    int n = 0;
    buf[0] = '\0';
    if (part == 0) {
        child_stats cs;
        child_get_stats(&cs);
        long long cur = aof.rewrite_start_ms ? (clock_ms() - aof.rewrite_start_ms) / 1000 : -1;
        n = snprintf(buf, cap,
                     "aof_enabled:%d\r\n"
                     "aof_rewrite_in_progress:%d\r\n"
                     "aof_rewrite_scheduled:%d\r\n"
                     "aof_last_rewrite_time_sec:%lld\r\n"
                     "aof_current_rewrite_time_sec:%lld\r\n"
                     "aof_last_bgrewrite_status:%s\r\n"
                     "aof_rewrites:%lld\r\n"
                     "aof_rewrites_consecutive_failures:%lld\r\n"
                     "aof_last_write_status:%s\r\n"
                     "aof_last_cow_size:%lld\r\n",
                     aof.state != AOF_OFF, child_kind() == CHILD_AOF, aof.scheduled,
                     aof.last_rewrite_time_sec, cur, aof.last_bgrewrite_ok ? "ok" : "err",
                     aof.rewrites, aof.consecutive_failures,
                     aof.last_write_ok ? "ok" : "err", cs.last_cow[CHILD_AOF]);
    } else if (part == 1 && aof.state != AOF_OFF) {
        n = snprintf(buf, cap,
                     "aof_current_size:%lld\r\n"
                     "aof_base_size:%lld\r\n"
                     "aof_pending_rewrite:%d\r\n"
                     "aof_buffer_length:%zu\r\n"
                     "aof_pending_bio_fsync:%zu\r\n"
                     "aof_delayed_fsync:%lld\r\n",
                     aof.current_size, aof.rewrite_base_size, aof.scheduled, aof.buf.len,
                     fsyncer_pending(), aof.delayed_fsync);
    }
    if (n < 0) {
        n = 0;
    }
    return (size_t)n < cap ? (size_t)n : cap - 1;
}
