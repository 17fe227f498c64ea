/* server.c - the server family: INFO CONFIG TIME LASTSAVE SAVE BGSAVE SHUTDOWN MONITOR
 * SLOWLOG DEBUG.
 *
 * Most handlers are thin: INFO text comes from obs/info.c, CONFIG from core/config.c, the
 * slow log from obs/slowlog.c, COMMAND lives in cmd/command.c. DEBUG carries the
 * subcommands tests and tools rely on (SLEEP, OBJECT, PROTOCOL, POPULATE, LOG, ERROR);
 * it is refused unless enable-debug-command allows it, as in Redis 7.0 where it defaults
 * to "no".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "core/client.h"
#include "core/config.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "core/persistence.h"
#include "core/server.h"
#include "obs/info.h"
#include "obs/slowlog.h"
#include "persist/child.h"
#include "persist/rdb.h"

/* ---- INFO, TIME, LASTSAVE ---- */

static void cmd_info(client *c)
{
    size_t len;
    char *text = info_generate(c->argv + 1, c->argc - 1, &len);
    reply_verbatim(&c->out, text, len, "txt");
    kv_free(text);
}

static void cmd_time(client *c)
{
    int64_t us = clock_us();
    reply_array(&c->out, 2);
    reply_bulk_ll(&c->out, us / 1000000);
    reply_bulk_ll(&c->out, us % 1000000);
}

static void cmd_lastsave(client *c)
{
    reply_int(&c->out, srv.lastsave);
}

/* ---- SAVE, BGSAVE (core/persistence.c does the work) ---- */

static void cmd_save(client *c)
{
    if (child_kind() == CHILD_RDB) {
        reply_error(&c->out, "ERR Background save already in progress");
        return;
    }
    if (persist_save() == 0) {
        reply_ok(&c->out);
    } else {
        reply_error(&c->out, "ERR");
    }
}

static void cmd_bgsave(client *c)
{
    if (c->argc > 1 && !(c->argc == 2 && kstr_is(c->argv[1], "schedule"))) {
        reply_syntax_error(c);
        return;
    }
    /* SCHEDULE waits for another kind of child (AOF rewrite); with none, it starts now.
     * Inside EXEC the save is always deferred to the cron, as Redis does. */
    if (child_kind() == CHILD_RDB) {
        reply_error(&c->out, "ERR Background save already in progress");
    } else if (child_active() && c->argc == 1 && !(c->flags & CLIENT_MULTI)) {
        reply_error(&c->out, "ERR Another child process is active (AOF?): can't BGSAVE right "
                             "now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever "
                             "possible.");
    } else if (child_active() || (c->flags & CLIENT_MULTI)) {
        persist.scheduled = true;
        reply_simple(&c->out, "Background saving scheduled");
    } else if (persist_bgsave() == 0) {
        reply_simple(&c->out, "Background saving started");
    } else {
        reply_error(&c->out, "ERR");
    }
}

/* ---- CONFIG: the handlers are core/config.c's; RESETSTAT also clears what INFO owns ---- */

static void config_resetstat(client *c)
{
    info_reset_stats();
    cmd_config_resetstat(c);
}

/* ---- SHUTDOWN, MONITOR ---- */

static void cmd_shutdown(client *c)
{
    bool nosave = false, save = false, now = false, force = false, do_abort = false;
    for (int i = 1; i < c->argc; i++) {
        kstr a = c->argv[i];
        if (kstr_is(a, "nosave")) {
            nosave = true;
        } else if (kstr_is(a, "save")) {
            save = true;
        } else if (kstr_is(a, "now")) {
            now = true;
        } else if (kstr_is(a, "force")) {
            force = true;
        } else if (kstr_is(a, "abort")) {
            do_abort = true;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if ((do_abort && (nosave || save || now || force)) || (nosave && save)) {
        reply_syntax_error(c);
        return;
    }
    if (do_abort) {
        /* Shutdown never waits (no replicas to catch up), so none can be in progress. */
        reply_error(&c->out, "ERR No shutdown in progress.");
        return;
    }
    /* Saves now (SAVE, or save rules without NOSAVE) so that a failure can be answered;
     * FORCE shuts down anyway. Redis sends no reply on success: the connection closes
     * with the process. Input pipelined after SHUTDOWN is dropped, as Redis never reads
     * it. */
    if (persist_shutdown(save, nosave, force) < 0 && !force) {
        reply_error(&c->out, "ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    srv.shutdown_asap = true;
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void cmd_monitor(client *c)
{
    if (c->flags & CLIENT_MONITOR) {
        return; /* Redis ignores a repeated MONITOR without replying */
    }
    dispatch_add_monitor(c);
    reply_ok(&c->out);
}

/* ---- DEBUG ---- */

static bool is_local(const client *c)
{
    if (c->flags & CLIENT_UNIX) {
        return true;
    }
    const char *colon = strrchr(c->addr, ':');
    size_t iplen = colon ? (size_t)(colon - c->addr) : strlen(c->addr);
    return (iplen == 9 && !strncmp(c->addr, "127.0.0.1", 9)) ||
           (iplen == 3 && !strncmp(c->addr, "::1", 3));
}

static bool debug_allowed_or_reply(client *c)
{
    /* enable-debug-command: 0 no, 1 yes, 2 local (loopback or the unix socket only). */
    int mode = srv.cfg.enable_debug_command;
    if (mode == 1 || (mode == 2 && is_local(c))) {
        return true;
    }
    reply_error(&c->out, "ERR DEBUG command not allowed. If the enable-debug-command option is "
                         "set to \"local\", you can run it from a local connection, otherwise "
                         "you need to set this option in the configuration file, and then "
                         "restart the server.");
    return false;
}

static void debug_sleep(client *c)
{
    char buf[64];
    size_t n = c->argv[2].len < sizeof(buf) - 1 ? c->argv[2].len : sizeof(buf) - 1;
    memcpy(buf, c->argv[2].p, n);
    buf[n] = '\0';
    /* strtod without checks, as Redis: junk sleeps 0 seconds. */
    double secs = strtod(buf, NULL);
    long long us = (long long)(secs * 1000000);
    if (us > 0) {
        struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        }
    }
    reply_ok(&c->out);
}

/* What the value takes in a snapshot (DEBUG OBJECT serializedlength), LZF included as
 * rdbcompression says: the snapshot writer measures it. */
static size_t serialized_length(const kobj *o)
{
    return rdb_value_size(o, srv.cfg.rdbcompression);
}

static void debug_object(client *c)
{
    kobj *o = db_find(c->db, c->argv[2]);
    if (!o) {
        reply_error(&c->out, "ERR no such key");
        return;
    }
    int refcount = 1;
    if (kobj_type(o) == OBJ_STRING && kobj_enc(o) == ENC_INT) {
        /* Redis shares the objects of 0..9999 and reports them as immortal. */
        long long ll;
        kstr v = kobj_str(o);
        if (str_to_ll(v.p, v.len, &ll) && ll >= 0 && ll < 10000) {
            refcount = INT_MAX;
        }
    }
    uint32_t lru = kobj_lru(o);
    uint32_t idle = db_lru_clock >= lru ? db_lru_clock - lru : db_lru_clock + (1u << 24) - lru;
    char buf[256];
    snprintf(buf, sizeof(buf),
             "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%u",
             (void *)o, refcount, kobj_enc_name(kobj_enc(o)), serialized_length(o), lru, idle);
    reply_simple(&c->out, buf);
}

static void debug_protocol(client *c)
{
    kstr t = c->argv[2];
    reply_out *o = &c->out;
    if (kstr_is(t, "string")) {
        reply_bulk_cstr(o, "Hello World");
    } else if (kstr_is(t, "integer")) {
        reply_int(o, 12345);
    } else if (kstr_is(t, "double")) {
        reply_double(o, 3.141);
    } else if (kstr_is(t, "bignum")) {
        /* The reply builder has no big-number type: this command exists to show each
         * wire type, so it writes the RESP3 frame itself (RESP2 gets a bulk string). */
        static const char big[] = "1234567999999999999999999999999999999";
        if (c->resp >= 3) {
            reply_raw(o, "(", 1);
            reply_raw(o, big, sizeof(big) - 1);
            reply_raw(o, "\r\n", 2);
        } else {
            reply_bulk(o, big, sizeof(big) - 1);
        }
    } else if (kstr_is(t, "null")) {
        reply_null(o);
    } else if (kstr_is(t, "array") || kstr_is(t, "set")) {
        reply_aggregate(o, kstr_is(t, "set") ? REPLY_SET : REPLY_ARRAY, 3);
        for (int i = 0; i < 3; i++) {
            reply_int(o, i);
        }
    } else if (kstr_is(t, "map")) {
        reply_map(o, 3);
        for (int i = 0; i < 3; i++) {
            reply_int(o, i);
            reply_bool(o, i == 1);
        }
    } else if (kstr_is(t, "attrib")) {
        /* Attributes do not exist in RESP2: only the reply that follows is sent. */
        if (c->resp >= 3) {
            reply_raw(o, "|1\r\n", 4);
            reply_bulk_cstr(o, "key-popularity");
            reply_array(o, 2);
            reply_bulk_cstr(o, "key:123");
            reply_int(o, 90);
        }
        reply_bulk_cstr(o, "Some real reply following the attribute");
    } else if (kstr_is(t, "push")) {
        if (c->resp < 3) {
            reply_error(o, "ERR RESP2 is not supported by this command");
            return;
        }
        reply_aggregate(o, REPLY_PUSH, 2);
        reply_bulk_cstr(o, "server-cpu-usage");
        reply_int(o, 42);
        reply_bulk_cstr(o, "Some real reply following the push reply");
    } else if (kstr_is(t, "verbatim")) {
        static const char text[] = "This is a verbatim\nstring";
        reply_verbatim(o, text, sizeof(text) - 1, "txt");
    } else if (kstr_is(t, "true") || kstr_is(t, "false")) {
        reply_bool(o, kstr_is(t, "true"));
    } else {
        reply_error(o, "ERR Wrong protocol type name. Please use one of the following: "
                       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                       "true|false");
    }
}

/* Redis gives the same message for junk and for negatives here. */
static bool positive_long_or_reply(client *c, kstr a, long long *out)
{
    if (!str_to_ll(a.p, a.len, out) || *out < 0) {
        reply_error(&c->out, "ERR value is out of range, must be positive");
        return false;
    }
    return true;
}

/* DEBUG POPULATE count [prefix] [size]: keys prefix:N holding "value:N" (cut or padded
 * with zero bytes to size); existing keys are left alone. */
static void debug_populate(client *c)
{
    long long count, size = 0;
    if (!positive_long_or_reply(c, c->argv[2], &count)) {
        return;
    }
    if (c->argc == 5 && !positive_long_or_reply(c, c->argv[4], &size)) {
        return;
    }
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "%.*s", c->argc >= 4 ? (int)c->argv[3].len : 3,
             c->argc >= 4 ? c->argv[3].p : "key");
    char *val = size ? kv_calloc((size_t)size) : NULL;
    for (long long i = 0; i < count; i++) {
        char key[160], buf[64];
        int klen = snprintf(key, sizeof(key), "%s:%lld", prefix, i);
        if (klen >= (int)sizeof(key)) {
            klen = sizeof(key) - 1;
        }
        kstr k = kstr_make(key, (size_t)klen);
        if (db_find(c->db, k)) {
            continue;
        }
        int blen = snprintf(buf, sizeof(buf), "value:%lld", i);
        kstr v;
        if (size) {
            memset(val, 0, (size_t)size);
            memcpy(val, buf, (size_t)(size < blen ? size : blen));
            v = kstr_make(val, (size_t)size);
        } else {
            v = kstr_make(buf, (size_t)blen);
        }
        int enc = v.len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW;
        db_add(c->db, kobj_new_string(k, v, enc, -1));
    }
    kv_free(val);
    reply_ok(&c->out);
}

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load, as Redis. */
static void debug_reload(client *c)
{
    bool nosave = false, noflush = false, merge = false;
    for (int i = 2; i < c->argc; i++) {
        if (kstr_is(c->argv[i], "nosave")) {
            nosave = true;
        } else if (kstr_is(c->argv[i], "noflush")) {
            noflush = true;
        } else if (kstr_is(c->argv[i], "merge")) {
            merge = true;
        } else {
            reply_error(&c->out, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                                 "options.");
            return;
        }
    }
    const char *why;
    if (persist_debug_reload(nosave, noflush, merge, &why) < 0) {
        reply_error(&c->out, why ? why : "ERR");
        return;
    }
    reply_ok(&c->out);
}

static void debug_help(client *c)
{
    static const char *const help[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help.",
        NULL};
    reply_subcommand_help(c, help);
}

static void cmd_debug(client *c)
{
    if (!debug_allowed_or_reply(c)) {
        return;
    }
    kstr sub = c->argv[1];
    if (kstr_is(sub, "help") && c->argc == 2) {
        debug_help(c);
    } else if (kstr_is(sub, "sleep") && c->argc == 3) {
        debug_sleep(c);
    } else if (kstr_is(sub, "object") && c->argc == 3) {
        debug_object(c);
    } else if (kstr_is(sub, "protocol") && c->argc == 3) {
        debug_protocol(c);
    } else if (kstr_is(sub, "populate") && c->argc >= 3 && c->argc <= 5) {
        debug_populate(c);
    } else if (kstr_is(sub, "set-active-expire") && c->argc == 3) {
        long long v;
        if (!arg_ll_or_reply(c, c->argv[2], &v)) {
            return;
        }
        srv.active_expire_disabled = v == 0;
        reply_ok(&c->out);
    } else if (kstr_is(sub, "reload")) {
        debug_reload(c);
    } else if (kstr_is(sub, "log") && c->argc == 3) {
        log_warning("DEBUG LOG: %.*s", (int)c->argv[2].len, c->argv[2].p);
        reply_ok(&c->out);
    } else if (kstr_is(sub, "error") && c->argc == 3) {
        char *msg = kv_memdup(c->argv[2].p, c->argv[2].len);
        reply_error(&c->out, msg); /* the caller's text is the whole error, code included */
        kv_free(msg);
    } else {
        reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for "
                     "'%.*s'. Try DEBUG HELP.",
                     (int)(sub.len > 128 ? 128 : sub.len), sub.p);
    }
}

/* ---- the table ---- */

#define SRV "server"
#define ADMIN_CMD (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CONFIG_N "O(N) when N is the number of configuration parameters provided"
#define HELP_SUMMARY "Show helpful text about the different subcommands"

static command config_subs[] = {
    {"get", cmd_config_get, -3, ADMIN_CMD, 0, 0, 0, 0, SRV,
     "Get the values of configuration parameters", "2.0.0", CONFIG_N, NULL, NULL},
    {"set", cmd_config_set, -4, ADMIN_CMD, 0, 0, 0, 0, SRV,
     "Set configuration parameters to the given values", "2.0.0", CONFIG_N, NULL, NULL},
    {"resetstat", config_resetstat, 2, ADMIN_CMD, 0, 0, 0, 0, SRV,
     "Reset the stats returned by INFO", "2.0.0", "O(1)", NULL, NULL},
    {"rewrite", cmd_config_rewrite, 2, ADMIN_CMD, 0, 0, 0, 0, SRV,
     "Rewrite the configuration file with the in memory configuration", "2.8.0", "O(1)",
     NULL, NULL},
    {"help", cmd_config_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV, HELP_SUMMARY,
     "5.0.0", "O(1)", NULL, NULL},
    {0},
};

static command slowlog_subs[] = {
    {"get", cmd_slowlog_get, -2, CMD_ADMIN | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV,
     "Get the slow log's entries", "2.2.12", "O(N) where N is the number of entries returned",
     NULL, NULL},
    {"len", cmd_slowlog_len, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV,
     "Get the slow log's length", "2.2.12", "O(1)", NULL, NULL},
    {"reset", cmd_slowlog_reset, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV,
     "Clear all entries from the slow log", "2.2.12",
     "O(N) where N is the number of entries in the slowlog", NULL, NULL},
    {"help", cmd_slowlog_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV, HELP_SUMMARY,
     "6.2.0", "O(1)", NULL, NULL},
    {0},
};

command server_commands[] = {
    {"info", cmd_info, -1, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV,
     "Get information and statistics about the server", "1.0.0", "O(1)", "dangerous", NULL},
    {"config", NULL, -2, 0, 0, 0, 0, 0, SRV, "A container for server configuration commands",
     "2.0.0", "Depends on subcommand.", NULL, config_subs},
    {"time", cmd_time, 1, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, 0, SRV,
     "Return the current server time", "2.6.0", "O(1)", NULL, NULL},
    {"lastsave", cmd_lastsave, 1, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, 0, SRV,
     "Get the UNIX time stamp of the last successful save to disk", "1.0.0", "O(1)",
     "admin dangerous", NULL},
    {"shutdown", cmd_shutdown, -1, ADMIN_CMD | CMD_NO_MULTI | CMD_SENTINEL | CMD_ALLOW_BUSY, 0,
     0, 0, 0, SRV, "Synchronously save the dataset to disk and then shut down the server",
     "1.0.0",
     "O(N) when saving, where N is the total number of keys in all databases when saving "
     "data, otherwise O(1)",
     NULL, NULL},
    {"monitor", cmd_monitor, 1, ADMIN_CMD, 0, 0, 0, 0, SRV,
     "Listen for all requests received by the server in real time", "1.0.0", NULL, NULL,
     NULL},
    {"slowlog", NULL, -2, 0, 0, 0, 0, 0, SRV, "A container for slow log commands", "2.2.12",
     "Depends on subcommand.", NULL, slowlog_subs},
    {"debug", cmd_debug, -2, ADMIN_CMD, 0, 0, 0, 0, SRV, "A container for debugging commands",
     "1.0.0", "Depends on subcommand.", NULL, NULL},
    {"save", cmd_save, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, 0, 0, 0,
     0, SRV, "Synchronously save the dataset to disk", "1.0.0",
     "O(N) where N is the total number of keys in all databases", NULL, NULL},
    {"bgsave", cmd_bgsave, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, 0, 0, 0, 0, SRV,
     "Asynchronously save the dataset to disk", "1.0.0", "O(1)", NULL, NULL},
    {0},
};
