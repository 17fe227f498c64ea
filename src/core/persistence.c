/* persistence.c - snapshots as the server runs them (see persistence.h).
 *
 * BGSAVE forks. The child writes the snapshot of the keyspace it inherited (copy-on-write
 * pages) through persist/rdb.c and exits; the parent keeps serving and reaps it from the
 * cron. To keep the copy-on-write bill small the parent pauses its own incremental
 * rehashing of the keyspace while a child runs (the server cron asks
 * persist_child_active()), and reads stop touching entries' LRU clocks (kobj_lru_frozen),
 * as in Redis. Fork safety: the lazy-free thread may hold its queue lock or
 * be inside the allocator at the moment of fork(); lazyfree.c's fork hooks take the
 * queue lock around the fork (jemalloc and glibc protect their own locks the same way),
 * and in the child lazy frees run inline, so the child never waits on a thread it does
 * not have.
 *
 * The dirty counter (srv.dirty) counts keyspace changes through the db change hooks: one
 * per changed key (Redis counts elements for some commands; the save rules only compare
 * it against thresholds). A successful save resets it; a BGSAVE subtracts what it had at
 * fork time, so changes made while the child ran still count.
 *
 * Loading at start-up happens after the listeners are open: every 2 MB the loader serves
 * ready clients, which get -LOADING for everything not flagged CMD_LOADING (dispatch
 * checks persist.loading), as Redis does.
 */
#include "core/persistence.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/crc64.h"
#include "base/log.h"
#include "core/client.h"
#include "core/server.h"
#include "db/db.h"
#include "db/lazyfree.h"
#include "persist/rdb.h"
#include "pubsub/notify.h"
#include "types/types.h"

#define BGSAVE_RETRY_DELAY 5 /* seconds before a failed BGSAVE is retried by the rules */
#define LOAD_EVENTS_BYTES (2 << 20)

struct persistence persist = {.child_pid = -1, .last_bgsave_ok = true,
                              .last_bgsave_secs = -1, .info_pipe = -1};

/* ---- dirty counter ---- */

static void on_key_changed(db *d, kstr key)
{
    srv.dirty++;
}

static void on_flushed(db *d)
{
    srv.dirty += (long long)db_size(d);
}

static const db_hooks dirty_hooks = {on_key_changed, on_flushed, NULL};

void persist_setup(void)
{
    crc64_init();
    db_add_hooks(&dirty_hooks);
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

bool persist_writes_denied(void)
{
    return srv.cfg.stop_writes_on_bgsave_error && !persist.last_bgsave_ok &&
           persist_has_save_rules();
}

bool persist_child_active(void)
{
    return persist.child_pid > 0;
}

/* ---- saving ---- */

static rdb_save_opts save_opts(void)
{
    rdb_save_opts o = {.compress = srv.cfg.rdbcompression, .checksum = srv.cfg.rdbchecksum,
                       .redis_ver = REDIS_COMPAT_VERSION};
    return o;
}

int persist_save(void)
{
    if (persist_child_active()) {
        log_warning("Background save already in progress");
        return -1;
    }
    rdb_save_opts o = save_opts();
    rdb_save_stats st;
    rdb_error err;
    if (rdb_save_file(srv.cfg.dbfilename, &o, &st, &err) != RDB_OK) {
        log_warning("%s", err.msg);
        return -1;
    }
    log_notice("DB saved on disk");
    srv.dirty = 0;
    srv.lastsave = time(NULL);
    persist.last_bgsave_ok = true;
    persist.saves++;
    return 0;
}

/* ---- the child's progress reports ----
 *
 * The child writes fixed-size records (keys written, copy-on-write bytes) into a pipe,
 * about once a second and once at the end; the parent keeps the last one it read. The
 * copy-on-write size is the child's Private_Dirty memory, as Redis measures it: pages
 * that stopped being shared with the parent. */

typedef struct child_report {
    long long keys, cow;
    int final;
} child_report;

static int report_fd = -1;
static uint64_t last_report_us;
static long long cow_peak, cow_sum, cow_samples; /* the child's own view, for its log */

static long long private_dirty_bytes(void)
{
    FILE *fp = fopen("/proc/self/smaps_rollup", "r");
    if (!fp) {
        return 0;
    }
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (!strncmp(line, "Private_Dirty:", 14)) {
            kb += atoll(line + 14);
        }
    }
    fclose(fp);
    return kb * 1024;
}

static void child_report_send(long long keys, int final)
{
    if (report_fd < 0) {
        return;
    }
    child_report rep = {keys, private_dirty_bytes(), final};
    cow_peak = rep.cow > cow_peak ? rep.cow : cow_peak;
    cow_sum += rep.cow;
    cow_samples++;
    /* A full pipe drops the record: the parent only wants the latest. */
    ssize_t n = write(report_fd, &rep, sizeof(rep));
    (void)n;
}

static void child_progress(void *priv, long long keys)
{
    uint64_t now = clock_mono_us();
    if (now - last_report_us >= 1000000) {
        last_report_us = now;
        child_report_send(keys, 0);
    }
}

static void read_reports(void)
{
    child_report rep;
    while (persist.info_pipe >= 0 &&
           read(persist.info_pipe, &rep, sizeof(rep)) == (ssize_t)sizeof(rep)) {
        persist.save_keys_done = rep.keys;
        persist.cow_bytes = rep.cow;
        persist.cow_peak = rep.cow > persist.cow_peak ? rep.cow : persist.cow_peak;
        persist.cow_updated_ms = clock_ms();
        if (rep.final) {
            persist.last_cow_bytes = rep.cow;
        }
    }
}

static void close_reports(void)
{
    if (persist.info_pipe >= 0) {
        close(persist.info_pipe);
        persist.info_pipe = -1;
    }
    persist.save_keys_done = persist.save_keys_total = 0;
    persist.cow_bytes = persist.cow_peak = 0;
    persist.cow_updated_ms = 0;
}

/* The child: write, rename, exit. _exit skips the parent's atexit handlers and stdio
 * buffers, which belong to the parent. */
static void child_main(void)
{
    log_role = 'C';
    /* On a busy machine the save yields to the server it forked from: clients' latency
     * matters more than how soon the file is complete. */
    if (setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0) + 5) < 0) {
        log_verbose("Could not lower the priority of the saving child: %s", strerror(errno));
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    /* The listeners are the parent's: a child outliving it must not hold the port. */
    for (int i = 0; i < srv.nlisten; i++) {
        close(srv.listen_fds[i]);
    }
    if (srv.unix_fd >= 0) {
        close(srv.unix_fd);
    }
    rdb_save_opts o = save_opts();
    o.progress = child_progress;
    last_report_us = clock_mono_us();
    rdb_save_stats st;
    rdb_error err;
    int rc = rdb_save_file(srv.cfg.dbfilename, &o, &st, &err);
    if (rc != RDB_OK) {
        log_warning("%s", err.msg);
        _exit(1);
    }
    log_notice("DB saved on disk");
    child_report_send(st.keys, 1);
    log_notice("Fork CoW for RDB: current %lld MB, peak %lld MB, average %lld MB",
               (long long)(private_dirty_bytes() >> 20), cow_peak >> 20,
               (cow_sum / cow_samples) >> 20);
    _exit(0);
}

int persist_bgsave(void)
{
    if (persist_child_active()) {
        return -1;
    }
    persist.dirty_at_fork = srv.dirty;
    persist.last_bgsave_try = time(NULL);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        fds[0] = fds[1] = -1;
    }
    long long total = 0;
    for (int i = 0; i < db_count(); i++) {
        total += (long long)db_size(db_get(i));
    }
    uint64_t t0 = clock_mono_us();
    lazyfree_fork_prepare();
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0) {
        lazyfree_fork_child();
        if (fds[0] >= 0) {
            close(fds[0]);
        }
        report_fd = fds[1];
        child_main();
    }
    lazyfree_fork_parent();
    if (fds[1] >= 0) {
        close(fds[1]);
    }
    persist.last_fork_us = (long long)(clock_mono_us() - t0);
    if (pid > 0) {
        persist.total_forks++;
    }
    if (pid < 0) {
        if (fds[0] >= 0) {
            close(fds[0]);
        }
        persist.last_bgsave_ok = false;
        log_warning("Can't save in background: fork: %s", strerror(fork_errno));
        return -1;
    }
    log_notice("Background saving started by pid %d", (int)pid);
    persist.child_pid = pid;
    persist.info_pipe = fds[0];
    persist.save_keys_total = total;
    persist.save_keys_done = 0;
    persist.last_cow_bytes = 0;
    kobj_lru_frozen = true;
    persist.child_start_ms = clock_ms();
    persist.scheduled = false;
    return 0;
}

static void child_done(int status)
{
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    read_reports();
    close_reports();
    persist.last_bgsave_secs = (clock_ms() - persist.child_start_ms) / 1000;
    persist.child_pid = -1;
    kobj_lru_frozen = false;
    if (ok) {
        log_notice("Background saving terminated with success");
        srv.dirty -= persist.dirty_at_fork;
        srv.lastsave = time(NULL);
        persist.last_bgsave_ok = true;
        persist.saves++;
    } else if (WIFSIGNALED(status)) {
        log_warning("Background saving terminated by signal %d", WTERMSIG(status));
        /* SIGUSR1 is how Redis kills its own child on purpose: not an error then. */
        if (WTERMSIG(status) != SIGUSR1) {
            persist.last_bgsave_ok = false;
        }
    } else {
        log_warning("Background saving error");
        persist.last_bgsave_ok = false;
    }
}

static void kill_child(void)
{
    if (!persist_child_active()) {
        return;
    }
    pid_t pid = persist.child_pid;
    kill(pid, SIGUSR1);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)pid);
    unlink(tmp);
    persist.child_pid = -1;
    close_reports();
    kobj_lru_frozen = false;
}

void persist_cron(void)
{
    if (persist_child_active()) {
        int status;
        read_reports();
        pid_t r = waitpid(persist.child_pid, &status, WNOHANG);
        if (r == persist.child_pid) {
            child_done(status);
        } else if (r < 0 && errno == ECHILD) {
            persist.child_pid = -1;
            close_reports();
            kobj_lru_frozen = false;
            persist.last_bgsave_ok = false;
        }
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

int persist_shutdown(bool force_save, bool nosave)
{
    if (persist.loading) {
        return 0; /* never save a partial dataset over the file being loaded */
    }
    if (persist_child_active()) {
        log_warning("There is a child saving an .rdb. Killing it!");
        kill_child();
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

static bool load_progress(void *priv, long long bytes)
{
    uint64_t now = clock_mono_us();
    persist.loading_loaded_bytes = bytes;
    if (now - last_log_us >= 1000000 && persist.loading_total_bytes > 0) {
        last_log_us = now;
        log_notice("Loading RDB: %.0f%% (%lld of %lld MB)",
                   (double)bytes * 100 / (double)persist.loading_total_bytes, bytes >> 20,
                   persist.loading_total_bytes >> 20);
    }
    if (srv.loop && priv) {
        ev_poll_files(srv.loop);
        client_flush_pending();
        client_free_closed();
        if (srv.shutdown_asap || (load_signal && *load_signal)) {
            log_warning("Shutdown requested while loading: stopping without saving.");
            return false;
        }
    }
    return true;
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

/* Loads the file into the (empty or not) keyspace; serve: process client events. */
static int load_file(bool serve, bool merge, rdb_load_stats *st, rdb_error *err)
{
    struct stat sb;
    persist.loading_total_bytes = stat(srv.cfg.dbfilename, &sb) == 0 ? sb.st_size : 0;
    persist.loading_loaded_bytes = 0;
    persist.loading_start = time(NULL);
    persist.loading = true;
    notify_suspend(true);
    last_log_us = clock_mono_us();
    rdb_load_opts o = {.checksum = srv.cfg.rdbchecksum, .skip_expired = true,
                       .progress = load_progress, .priv = serve ? &persist : NULL,
                       .progress_bytes = LOAD_EVENTS_BYTES, .on_aux = on_aux,
                       .replace = merge};
    int rc = rdb_load_file(srv.cfg.dbfilename, &o, st, err);
    persist.loading = false;
    notify_suspend(false);
    if (rc == RDB_OK) {
        persist.last_load_keys_loaded = st->keys_loaded;
        persist.last_load_keys_expired = st->keys_expired;
        log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.", st->keys_loaded,
                   st->keys_expired);
    }
    return rc;
}

int persist_load_at_startup(volatile sig_atomic_t *signal_flag)
{
    uint64_t t0 = clock_mono_us();
    rdb_load_stats st;
    rdb_error err;
    load_signal = signal_flag;
    int rc = load_file(true, false, &st, &err);
    load_signal = NULL;
    srv.dirty = 0;
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
    if (persist_child_active()) {
        kill_child();
    }
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
    int rc = load_file(false, merge, &st, &err);
    srv.dirty = 0;
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
    printf("[offset 0] Checking RDB file %s\n", path);
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
    return 0;
}
