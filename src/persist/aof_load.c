/* aof_load.c - replaying an AOF file (see aof_load.h).
 *
 * Commands run through their real handlers on a fake client whose replies are dropped,
 * with expiry paused (db_expiry_paused) so each command sees the keys it saw when it
 * first ran. MULTI/EXEC use the transaction code as a client would: queued commands run
 * only at EXEC, so a file that ends inside a transaction leaves none of it applied and
 * is cut back to just before its MULTI. Every 1024 commands, if 50 ms passed, clients
 * are served once (core/persistence.h: INFO shows loading:1, other commands get
 * -LOADING); a SHUTDOWN or a signal meanwhile stops the load. A file that starts with
 * "REDIS" (a .base.rdb, or an old-style AOF with an RDB preamble) is loaded by the
 * snapshot loader first, its commands, if any, read on from where the RDB part ends.
 */
#include "persist/aof_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/multi.h"
#include "core/persistence.h"
#include "core/server.h"
#include "db/db.h"
#include "persist/aof_reader.h"
#include "persist/rdb.h"
#include "pubsub/notify.h"

#define PUMP_EVERY 1024
#define PUMP_MS 50

/* False when the load must stop (a SHUTDOWN or a signal). */
static bool pump(uint64_t *last_us, long long loaded)
{
    uint64_t now = clock_mono_us();
    if (now - *last_us < PUMP_MS * 1000) {
        return true;
    }
    *last_us = now;
    db_expiry_paused = false; /* client commands (INFO) run with the real clock rules */
    bool go_on = persist_loading_serve(loaded);
    db_expiry_paused = true;
    return go_on;
}

/* An RDB preamble (a .base.rdb file, or an old-style AOF that starts with one): loaded by
 * the snapshot loader. Returns its length, or -1 after logging the error. */
static long long load_preamble(const char *path, const char *name, long long size,
                               long long base_loaded, int *rc)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_warning("Fatal error: can't open the append log file %s for reading: %s", name,
                    strerror(errno));
        *rc = AOF_LOAD_FAILED;
        return -1;
    }
    log_notice("Reading RDB base file on AOF loading...");
    rdb_load_opts o;
    persist_rdb_load_opts(&o, false, &base_loaded);
    o.skip_expired = false; /* as Redis: an AOF keeps what the RDB part holds */
    rdb_load_stats st;
    rdb_error err;
    /* An RDB part raises no events and counts no changes; the commands after it do. */
    long long dirty = srv.dirty;
    notify_suspend(true);
    int r = rdb_load_fd(fd, size, &o, &st, &err);
    notify_suspend(false);
    srv.dirty = dirty;
    close(fd);
    if (r == RDB_ERR_ABORTED) {
        *rc = AOF_LOAD_ABORTED;
        return -1;
    }
    if (r != RDB_OK) {
        log_warning("Error reading the RDB base file %s, AOF loading aborted (%s at offset "
                    "%lld): %s", name, rdb_err_name(err.code), err.offset, err.msg);
        *rc = AOF_LOAD_FAILED;
        return -1;
    }
    persist.last_load_keys_loaded = st.keys_loaded;
    persist.last_load_keys_expired = st.keys_expired;
    log_notice("Reading the remaining AOF tail...");
    return st.bytes;
}

/* The command named by argv, subcommand resolved; NULL when unknown. */
static command *resolve(const kstr *argv, int argc)
{
    command *cmd = command_lookup(argv[0].p, argv[0].len);
    if (cmd && cmd->subs && argc >= 2) {
        command *sub = command_lookup_sub(cmd, argv[1].p, argv[1].len);
        if (sub) {
            return sub;
        }
        return cmd->fn ? cmd : NULL;
    }
    return cmd && cmd->fn ? cmd : NULL;
}

static bool arity_ok(const command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

static void run(client *c, command *cmd)
{
    if ((c->flags & CLIENT_MULTI) && !multi_runs_immediately(cmd)) {
        multi_queue(c, cmd);
        return;
    }
    dispatch_clock_reset(); /* EXEC's queue runs through dispatch_call and its clock */
    c->cmd = cmd;
    db_dirty_frame outer;
    db_dirty_begin(&outer);
    cmd->fn(c);
    srv.dirty += db_dirty_end(&outer);
}

static int truncated(const char *dir, const char *name, long long valid, bool last_file,
                     bool load_truncated)
{
    if (!last_file) {
        log_warning("Fatal error: the truncated file is not the last file");
        return AOF_LOAD_FAILED;
    }
    if (load_truncated) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        log_warning("!!! Warning: short read while loading the AOF file %s!!!", name);
        log_warning("!!! Truncating the AOF %s at offset %lld !!!", name, valid);
        if (truncate(path, valid) < 0) {
            log_warning("Error truncating the AOF file %s: %s", name, strerror(errno));
        } else {
            log_warning("AOF %s loaded anyway because aof-load-truncated is enabled", name);
            return AOF_LOAD_TRUNCATED;
        }
    }
    log_warning("Unexpected end of file reading the append only file %s. You can: 1) Make a "
                "backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
                "2) Alternatively you can set the 'aof-load-truncated' configuration option to "
                "yes and restart the server.", name);
    return AOF_LOAD_FAILED;
}

int aof_load_file(const char *dir, const char *name, bool last_file, bool load_truncated)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) < 0) {
        log_warning("The AOF file %s doesn't exist", name);
        return AOF_LOAD_FAILED;
    }
    if (st.st_size == 0) {
        return AOF_LOAD_EMPTY;
    }
    aof_reader *r = aof_reader_open(path);
    if (!r) {
        log_warning("Fatal error: can't open the append log file %s for reading: %s", name,
                    strerror(errno));
        return AOF_LOAD_FAILED;
    }
    long long base_loaded = persist.loading_loaded_bytes;
    int rc = AOF_LOAD_OK;
    if (aof_file_starts_with_rdb(path) == 1) {
        long long len = load_preamble(path, name, (long long)st.st_size, base_loaded, &rc);
        if (len < 0) {
            aof_reader_close(r);
            return rc;
        }
        aof_reader_seek(r, len);
    }
    client *c = client_create(-1, false);
    c->out.discard = true;
    long long before_multi = 0, count = 0;
    uint64_t last_pump = clock_mono_us();
    db_expiry_paused = true;
    for (;;) {
        long long before = r->valid_up_to;
        int s = aof_reader_next(r);
        if (s == AOF_READ_EOF) {
            if (c->flags & CLIENT_MULTI) {
                log_warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", name);
                rc = truncated(dir, name, before_multi, last_file, load_truncated);
            }
            break;
        }
        if (s == AOF_READ_TRUNC) {
            long long valid = (c->flags & CLIENT_MULTI) ? before_multi : r->valid_up_to;
            rc = truncated(dir, name, valid, last_file, load_truncated);
            break;
        }
        if (s == AOF_READ_BAD) {
            log_warning("Bad file format reading the append only file %s: make a backup of "
                        "your AOF file, then use ./redis-check-aof --fix <filename.manifest>",
                        name);
            log_warning("AOF %s: %s at offset %lld (the last valid command ends at %lld)", name,
                        r->why, r->err_pos, r->valid_up_to);
            rc = AOF_LOAD_FAILED;
            break;
        }
        if (s == AOF_READ_IOERR) {
            log_warning("Unrecoverable error reading the append only file %s: %s", name,
                        strerror(errno));
            rc = AOF_LOAD_FAILED;
            break;
        }
        command *cmd = resolve(r->argv, r->argc);
        if (!cmd) {
            log_warning("Unknown command '%.*s' reading the append only file %s",
                        (int)(r->argv[0].len > 128 ? 128 : r->argv[0].len), r->argv[0].p, name);
            log_warning("AOF %s: the command starts at offset %lld", name, before);
            rc = AOF_LOAD_FAILED;
            break;
        }
        if (!arity_ok(cmd, r->argc)) {
            log_warning("Bad file format reading the append only file %s: wrong number of "
                        "arguments for '%s' at offset %lld", name, cmd->fullname, before);
            rc = AOF_LOAD_FAILED;
            break;
        }
        if (!(c->flags & CLIENT_MULTI) && !strcmp(cmd->fullname, "multi")) {
            before_multi = before;
        }
        c->argv = r->argv;
        c->argc = r->argc;
        db_now_ms = clock_ms();
        run(c, cmd);
        if (++count % PUMP_EVERY == 0 && !pump(&last_pump, base_loaded + r->valid_up_to)) {
            rc = AOF_LOAD_ABORTED;
            break;
        }
    }
    db_expiry_paused = false;
    persist.loading_loaded_bytes = base_loaded + r->valid_up_to;
    multi_reset(c);
    c->argv = NULL;
    c->argc = 0;
    client_close(c);
    aof_reader_close(r);
    return rc;
}
