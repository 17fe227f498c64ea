/* dispatch.c - executing one parsed request (see dispatch.h).
 *
 * Checks run in Redis's order, so the first error a client sees is the one Redis gives:
 * unknown command, unknown subcommand, arity, authentication. Then the handler runs with
 * the command clock (db_now_ms) set once, and its time feeds command stats and the slow
 * log; MONITOR clients receive the request afterwards.
 *
 * Blocking commands (core/blocking.c): a command that blocked has counted its call and fed
 * MONITOR, but reaches the slow log only when served. After each top-level command
 * (after EXEC as a whole, never between queued commands) the clients blocked on keys it
 * made ready are served.
 */
#include "core/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "core/blocking.h"
#include "core/multi.h"
#include "core/persistence.h"
#include "core/server.h"
#include "core/tracking.h"
#include "db/evict.h"
#include "obs/info.h"
#include "obs/slowlog.h"
#include "persist/propagate.h"
#include "pubsub/pubsub.h"

/* The command clock. Reading the clock three times per command (wall time for TTLs,
 * monotonic start and end for the duration) costs ~10% of a pipelined GET; instead each
 * command reads the monotonic clock once (its end is the next command's start) and the
 * wall clock is derived from a base read once per batch. */
static int64_t base_wall_ms;
static uint64_t base_mono_us, last_mono_us;

void dispatch_clock_reset(void)
{
    base_wall_ms = clock_ms();
    base_mono_us = last_mono_us = clock_mono_us();
    db_now_ms = base_wall_ms;
}

static client **monitors;
static size_t nmonitors, capmonitors;

void dispatch_add_monitor(client *c)
{
    if (c->flags & CLIENT_MONITOR) {
        return;
    }
    if (nmonitors == capmonitors) {
        capmonitors = capmonitors ? capmonitors * 2 : 4;
        monitors = kv_realloc(monitors, sizeof(client *) * capmonitors);
    }
    monitors[nmonitors++] = c;
    c->flags |= CLIENT_MONITOR;
}

size_t dispatch_monitor_count(void)
{
    return nmonitors;
}

void dispatch_client_gone(client *c)
{
    if (!(c->flags & CLIENT_MONITOR)) {
        return;
    }
    for (size_t i = 0; i < nmonitors; i++) {
        if (monitors[i] == c) {
            monitors[i] = monitors[--nmonitors];
            break;
        }
    }
}

static void feed_monitors(client *c)
{
    if (!nmonitors || (c->cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN))) {
        return;
    }
    size_t cap = 128;
    for (int i = 0; i < c->argc; i++) {
        cap += c->argv[i].len * 4 + 3;
    }
    char *line = kv_malloc(cap);
    int64_t us = clock_us();
    size_t n = (size_t)sprintf(line, "+%lld.%06lld [%d %s%s]", (long long)(us / 1000000),
                               (long long)(us % 1000000), c->db->id,
                               (c->flags & CLIENT_UNIX) ? "unix:" : "",
                               (c->flags & CLIENT_UNIX) ? srv.cfg.unixsocket : c->addr);
    /* Secrets never reach monitors: AUTH's arguments and the pair after HELLO's AUTH. */
    int redact_from = c->argc, redact_to = c->argc;
    if (kstr_is(c->argv[0], "auth")) {
        redact_from = 1;
    } else if (kstr_is(c->argv[0], "hello")) {
        for (int i = 2; i + 2 < c->argc; i++) {
            if (kstr_is(c->argv[i], "auth")) {
                redact_from = i + 1;
                redact_to = i + 3;
                break;
            }
        }
    }
    for (int i = 0; i < c->argc; i++) {
        line[n++] = ' ';
        if (i >= redact_from && i < redact_to) {
            memcpy(line + n, "\"(redacted)\"", 12);
            n += 12;
        } else {
            n += str_repr(line + n, c->argv[i].p, c->argv[i].len);
        }
    }
    line[n++] = '\r';
    line[n++] = '\n';
    for (size_t i = 0; i < nmonitors; i++) {
        if (monitors[i] != c) {
            reply_raw(&monitors[i]->out, line, n);
            client_after_reply(monitors[i]);
        }
    }
    kv_free(line);
}

/* Redis's text: the name up to 128 bytes, then quoted arguments while the list is shorter
 * than 128 bytes, each cut to what is left of those 128. */
static void unknown_command(client *c)
{
    char args[256];
    size_t n = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && n < 128; i++) {
        int room = 128 - (int)n;
        int w = snprintf(args + n, sizeof(args) - n, "'%.*s' ",
                         (int)(c->argv[i].len < (size_t)room ? c->argv[i].len : (size_t)room),
                         c->argv[i].p);
        n += (size_t)w;
    }
    reply_errorf(&c->out, "ERR unknown command '%.*s', with args beginning with: %s",
                 (int)(c->argv[0].len > 128 ? 128 : c->argv[0].len), c->argv[0].p, args);
}

/* Replies err (a full error line) for a command refused before it ran. A refused EXEC is
 * answered as Redis does, even outside MULTI: an EXECABORT quoting the refusal, the
 * transaction and the watches dropped, and the EXEC shown to MONITOR all the same. */
static void refuse(client *c, command *cmd, const char *err)
{
    if (cmd->parent || strcmp(cmd->name, "exec")) {
        reply_error(&c->out, err);
        return;
    }
    multi_reset(c);
    reply_errorf(&c->out, "EXECABORT Transaction discarded because of: %s",
                 strncmp(err, "ERR ", 4) ? err : err + 4);
    c->cmd = c->lastcmd = cmd;
    feed_monitors(c);
}

static bool arity_ok(const command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* Finds the command; replies with the error and returns NULL when the request names no
 * runnable command. */
static command *resolve(client *c)
{
    command *cmd = command_lookup(c->argv[0].p, c->argv[0].len);
    if (!cmd) {
        unknown_command(c);
        return NULL;
    }
    if (cmd->subs && (c->argc >= 2 || !cmd->fn)) {
        if (c->argc < 2) {
            reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command",
                         cmd->fullname);
            return NULL;
        }
        command *sub = command_lookup_sub(cmd, c->argv[1].p, c->argv[1].len);
        if (!sub) {
            char upper[32];
            size_t i = 0;
            for (; cmd->name[i] && i < sizeof(upper) - 1; i++) {
                upper[i] = (char)(cmd->name[i] >= 'a' && cmd->name[i] <= 'z'
                                      ? cmd->name[i] - 32 : cmd->name[i]);
            }
            upper[i] = '\0';
            reply_errorf(&c->out, "ERR unknown subcommand '%.*s'. Try %s HELP.",
                         (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].p,
                         upper);
            return NULL;
        }
        cmd = sub;
    }
    if (!arity_ok(cmd, c->argc)) {
        char err[192];
        snprintf(err, sizeof(err), "ERR wrong number of arguments for '%s' command",
                 cmd->fullname);
        refuse(c, cmd, err);
        cmd->stats.rejected_calls++;
        return NULL;
    }
    return cmd;
}

void dispatch_call(client *c, command *cmd)
{
    long long errors_before = c->out.errors;
    c->cmd = cmd;
    uint64_t start = last_mono_us;
    db_now_ms = base_wall_ms + (int64_t)(start - base_mono_us) / 1000;
    /* Captured once: a CONFIG SET appendonly inside the call must not unbalance it. */
    bool propagating = propagate_on;
    if (propagating) {
        propagate_enter(c->db->id);
    }
    uint32_t executing = c->flags & CLIENT_EXECUTING; /* EXEC nests calls */
    c->flags |= CLIENT_EXECUTING;
    db_dirty_frame outer;
    db_dirty_begin(&outer);
    cmd->fn(c);
    srv.dirty += db_dirty_end(&outer);
    c->flags = (c->flags & ~(uint32_t)CLIENT_EXECUTING) | executing;
    if (propagating) {
        /* Only write commands replay verbatim (DEBUG POPULATE and the like do not). */
        propagate_leave((cmd->flags & CMD_WRITE) ? c->argv : NULL, c->argc);
    }
    last_mono_us = clock_mono_us();
    long long dur = (long long)(last_mono_us - start);

    c->commands++;
    cmd->stats.calls++;
    cmd->stats.usec += dur;
    if (c->out.errors != errors_before) {
        cmd->stats.failed_calls++;
        srv.stats.total_error_replies += c->out.errors - errors_before;
        info_record_error(c->out.last_error, c->out.errors - errors_before);
    }
    srv.stats.total_commands_processed++;
    if (c->flags & CLIENT_TRACKING) {
        tracking_after_call(c, cmd);
    }
    /* Cheap guards here keep the common case (fast command, no monitor) call-free. */
    if (dur >= srv.cfg.slowlog_log_slower_than && srv.cfg.slowlog_log_slower_than >= 0 &&
        !(cmd->flags & CMD_SKIP_SLOWLOG) && !(c->flags & CLIENT_BLOCKED)) {
        slowlog_push(c, dur);
    }
    if (nmonitors) {
        feed_monitors(c);
    }
}

/* Over maxmemory after evicting what the policy allows: Redis refuses commands that may
 * grow memory (DENYOOM, or an EXEC queuing one), and inside MULTI anything that would be
 * queued, since the queue itself grows. */
static bool refused_for_memory(client *c, command *cmd)
{
    if (evict_perform() != EVICT_FAIL) {
        return false;
    }
    bool is_exec = !cmd->parent && !strcmp(cmd->name, "exec");
    if ((cmd->flags & CMD_DENYOOM) || (is_exec && (multi_queued_flags(c) & CMD_DENYOOM))) {
        return true;
    }
    if (!(c->flags & CLIENT_MULTI)) {
        return false;
    }
    static const char *const ends[] = {"exec", "discard", "quit", "reset"};
    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        if (!cmd->parent && !strcmp(cmd->name, ends[i])) {
            return false;
        }
    }
    return true;
}

/* A command refused before it ran: counted, and inside MULTI it poisons the EXEC. */
static void rejected(client *c)
{
    srv.stats.total_error_replies++;
    info_record_error(c->out.last_error, 1);
    multi_flag_error(c);
}

void dispatch_command(client *c)
{
    bool skip = c->flags & CLIENT_REPLY_SKIP_NEXT;
    if (skip) {
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
        c->flags |= CLIENT_REPLY_SKIP;
    }
    c->out.discard = (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) != 0;
    if (tracking_nclients) {
        tracking_command_begin(c);
    }

    command *cmd = resolve(c);
    const char *misconf;
    if (cmd) {
        /* CLIENT LIST's cmd=: the last command sent, run or queued; while EXEC replays
         * the queue it stays "exec", as in Redis. */
        c->lastcmd = cmd;
    }
    if (!cmd) {
        rejected(c);
    } else if (!(c->flags & CLIENT_AUTHENTICATED) && !(cmd->flags & CMD_NO_AUTH)) {
        refuse(c, cmd, "NOAUTH Authentication required.");
        cmd->stats.rejected_calls++;
        rejected(c);
    } else if (evict_cfg.maxmemory && refused_for_memory(c, cmd)) {
        refuse(c, cmd, "OOM command not allowed when used memory > 'maxmemory'.");
        cmd->stats.rejected_calls++;
        rejected(c);
    } else if ((misconf = persist_misconf()) != NULL &&
               ((cmd->flags & CMD_WRITE) || (!cmd->parent && !strcmp(cmd->name, "ping")) ||
                (!cmd->parent && !strcmp(cmd->name, "exec") &&
                 (multi_queued_flags(c) & CMD_WRITE)))) {
        refuse(c, cmd, misconf);
        cmd->stats.rejected_calls++;
        rejected(c);
    } else if ((c->flags & CLIENT_PUBSUB) && c->resp == 2 && !pubsub_allowed_in_context(cmd)) {
        char err[256];
        snprintf(err, sizeof(err),
                 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                 "QUIT / RESET are allowed in this context",
                 cmd->fullname);
        refuse(c, cmd, err);
        cmd->stats.rejected_calls++;
        rejected(c);
    } else if (persist.loading && !(cmd->flags & CMD_LOADING)) {
        refuse(c, cmd, "LOADING Redis is loading the dataset in memory");
        cmd->stats.rejected_calls++;
        rejected(c);
    } else if ((c->flags & CLIENT_MULTI) && !multi_runs_immediately(cmd)) {
        if (cmd->flags & CMD_NO_MULTI) {
            reply_error(&c->out, "ERR Command not allowed inside a transaction");
            rejected(c);
        } else {
            multi_queue(c, cmd);
        }
    } else {
        dispatch_call(c, cmd);
    }
    if (skip) {
        c->flags &= ~CLIENT_REPLY_SKIP;
    }
    c->out.discard = false;
    if (tracking_nclients) {
        tracking_command_end(c, cmd);
    }
    blocking_handle_ready();
}

/* ---- argument helpers ---- */

bool arg_ll_or_reply(client *c, kstr a, long long *out)
{
    if (!str_to_ll(a.p, a.len, out)) {
        reply_error(&c->out, ERR_NOT_INT);
        return false;
    }
    return true;
}

bool arg_ll_range_or_reply(client *c, kstr a, long long min, long long max, long long *out,
                           const char *msg)
{
    long long v;
    if (!str_to_ll(a.p, a.len, &v)) {
        reply_error(&c->out, ERR_NOT_INT);
        return false;
    }
    if (v < min || v > max) {
        reply_error(&c->out, msg ? msg : ERR_NOT_INT);
        return false;
    }
    *out = v;
    return true;
}

bool arg_double_or_reply(client *c, kstr a, double *out)
{
    if (!str_to_d(a.p, a.len, out)) {
        reply_error(&c->out, ERR_NOT_FLOAT);
        return false;
    }
    return true;
}

void reply_syntax_error(client *c)
{
    reply_error(&c->out, ERR_SYNTAX);
}

void reply_wrongtype(client *c)
{
    reply_error(&c->out, ERR_WRONGTYPE);
}

void reply_subcommand_help(client *c, const char *const *lines)
{
    size_t n = 0;
    while (lines[n]) {
        n++;
    }
    reply_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        reply_simple(&c->out, lines[i]);
    }
}
