/* conn.c - the connection family: PING ECHO QUIT RESET HELLO AUTH SELECT and CLIENT.
 *
 * Authentication is the default user's password (requirepass); there are no other users
 * yet, so AUTH with a username accepts only "default".
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "core/multi.h"
#include "core/server.h"
#include "core/tracking.h"
#include "pubsub/pubsub.h"

static void cmd_ping(client *c)
{
    if (c->argc > 2) {
        reply_error(&c->out, "ERR wrong number of arguments for 'ping' command");
        return;
    }
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2) {
        /* Subscribed RESP2 connections read every reply as a message array. */
        reply_array(&c->out, 2);
        reply_bulk_cstr(&c->out, "pong");
        reply_bulk(&c->out, c->argc == 2 ? c->argv[1].p : "", c->argc == 2 ? c->argv[1].len : 0);
    } else if (c->argc == 2) {
        reply_bulk(&c->out, c->argv[1].p, c->argv[1].len);
    } else {
        reply_simple(&c->out, "PONG");
    }
}

static void cmd_echo(client *c)
{
    reply_bulk(&c->out, c->argv[1].p, c->argv[1].len);
}

static void cmd_quit(client *c)
{
    reply_ok(&c->out);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static bool password_ok(kstr user, kstr pass)
{
    if (!kstr_is(user, "default")) {
        return false;
    }
    const char *req = srv.cfg.requirepass;
    if (!req || !req[0]) {
        return true; /* the default user has no password: any password works */
    }
    return pass.len == strlen(req) && memcmp(pass.p, req, pass.len) == 0;
}

static bool auth_or_reply(client *c, kstr user, kstr pass)
{
    if (!password_ok(user, pass)) {
        reply_error(&c->out, "WRONGPASS invalid username-password pair or user is disabled.");
        return false;
    }
    c->flags |= CLIENT_AUTHENTICATED;
    return true;
}

static void cmd_auth(client *c)
{
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 2) {
        if (!srv.cfg.requirepass || !srv.cfg.requirepass[0]) {
            reply_error(&c->out, "ERR AUTH <password> called without any password configured "
                                 "for the default user. Are you sure your configuration is "
                                 "correct?");
            return;
        }
        if (auth_or_reply(c, KSTR_LIT("default"), c->argv[1])) {
            reply_ok(&c->out);
        }
        return;
    }
    if (auth_or_reply(c, c->argv[1], c->argv[2])) {
        reply_ok(&c->out);
    }
}

static bool valid_name(kstr n)
{
    for (size_t i = 0; i < n.len; i++) {
        if (n.p[i] < '!' || n.p[i] > '~') {
            return false;
        }
    }
    return true;
}

static void set_name(client *c, kstr name)
{
    kv_free(c->name);
    c->name = name.len ? kv_memdup(name.p, name.len) : NULL;
}

static void cmd_hello(client *c)
{
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (!str_to_ll(c->argv[1].p, c->argv[1].len, &ver)) {
            reply_error(&c->out, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(&c->out, "NOPROTO unsupported protocol version");
            return;
        }
    }
    kstr user = {0}, pass = {0}, name = {0};
    bool has_auth = false, has_name = false;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (kstr_is(c->argv[j], "AUTH") && more >= 2) {
            has_auth = true;
            user = c->argv[j + 1];
            pass = c->argv[j + 2];
            j += 2;
        } else if (kstr_is(c->argv[j], "SETNAME") && more >= 1) {
            has_name = true;
            name = c->argv[j + 1];
            j += 1;
        } else {
            reply_errorf(&c->out, "ERR Syntax error in HELLO option '%.*s'",
                         (int)c->argv[j].len, c->argv[j].p);
            return;
        }
    }
    if (has_auth && !auth_or_reply(c, user, pass)) {
        return;
    }
    if (!(c->flags & CLIENT_AUTHENTICATED)) {
        reply_error(&c->out, "NOAUTH HELLO must be called with the client already "
                             "authenticated, otherwise the HELLO AUTH <user> <pass> "
                             "option can be used to authenticate the client and select the "
                             "RESP protocol version at the same time");
        return;
    }
    if (has_name) {
        if (!valid_name(name)) {
            reply_error(&c->out, "ERR Client names cannot contain spaces, newlines or special "
                                 "characters.");
            return;
        }
        set_name(c, name);
    }
    if (ver) {
        client_set_resp(c, (int)ver);
    }
    reply_map(&c->out, 7);
    reply_bulk_cstr(&c->out, "server");
    reply_bulk_cstr(&c->out, "redis");
    reply_bulk_cstr(&c->out, "version");
    reply_bulk_cstr(&c->out, REDIS_COMPAT_VERSION);
    reply_bulk_cstr(&c->out, "proto");
    reply_int(&c->out, c->resp);
    reply_bulk_cstr(&c->out, "id");
    reply_int(&c->out, (long long)c->id);
    reply_bulk_cstr(&c->out, "mode");
    reply_bulk_cstr(&c->out, "standalone");
    reply_bulk_cstr(&c->out, "role");
    reply_bulk_cstr(&c->out, "master");
    reply_bulk_cstr(&c->out, "modules");
    reply_empty_array(&c->out);
}

static void cmd_select(client *c)
{
    long long id;
    if (!arg_ll_range_or_reply(c, c->argv[1], INT_MIN, INT_MAX, &id,
                               "ERR value is out of range, value must between -2147483648 and "
                               "2147483647")) {
        return;
    }
    if (id < 0 || id >= db_count()) {
        reply_error(&c->out, "ERR DB index is out of range");
        return;
    }
    c->db = db_get((int)id);
    reply_ok(&c->out);
}

static void cmd_reset(client *c)
{
    multi_reset(c);
    pubsub_client_gone(c);
    tracking_reset(c);
    c->db = db_get(0);
    client_set_resp(c, 2);
    set_name(c, (kstr){0});
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT |
                  CLIENT_NO_EVICT);
    c->out.discard = false;
    if (c->flags & CLIENT_MONITOR) {
        dispatch_client_gone(c);
        c->flags &= ~CLIENT_MONITOR;
    }
    if (srv.cfg.requirepass && srv.cfg.requirepass[0]) {
        c->flags &= ~CLIENT_AUTHENTICATED;
    }
    reply_simple(&c->out, "RESET");
}

/* ---- CLIENT ---- */

static void client_id(client *c)
{
    reply_int(&c->out, (long long)c->id);
}

static void client_setname(client *c)
{
    if (!valid_name(c->argv[2])) {
        reply_error(&c->out, "ERR Client names cannot contain spaces, newlines or special "
                             "characters.");
        return;
    }
    set_name(c, c->argv[2]);
    reply_ok(&c->out);
}

static void client_getname(client *c)
{
    reply_bulk_cstr(&c->out, c->name);
}

static void client_info(client *c)
{
    char line[2048];
    size_t n = client_info_line(c, line, sizeof(line) - 1);
    line[n++] = '\n';
    reply_verbatim(&c->out, line, n, "txt");
}

/* Client types as TYPE names them: a client with a subscription is of type pubsub, not
 * normal; there are no masters or replicas. */
enum { TYPE_ANY, TYPE_NORMAL, TYPE_PUBSUB, TYPE_NONE };

static int type_or_reply(client *c, kstr t)
{
    if (kstr_is(t, "normal")) {
        return TYPE_NORMAL;
    }
    if (kstr_is(t, "pubsub")) {
        return TYPE_PUBSUB;
    }
    if (kstr_is(t, "master") || kstr_is(t, "replica") || kstr_is(t, "slave")) {
        return TYPE_NONE;
    }
    reply_errorf(&c->out, "ERR Unknown client type '%.*s'", (int)t.len, t.p);
    return -1;
}

static bool type_matches(const client *o, int type)
{
    switch (type) {
    case TYPE_NORMAL:
        return !(o->flags & CLIENT_PUBSUB);
    case TYPE_PUBSUB:
        return (o->flags & CLIENT_PUBSUB) != 0;
    case TYPE_NONE:
        return false;
    default:
        return true;
    }
}

static void client_list(client *c)
{
    uint64_t *ids = NULL;
    size_t nids = 0;
    int type = TYPE_ANY;
    if (c->argc >= 3) {
        if (kstr_is(c->argv[2], "TYPE") && c->argc == 4) {
            if ((type = type_or_reply(c, c->argv[3])) < 0) {
                return;
            }
        } else if (kstr_is(c->argv[2], "ID") && c->argc >= 4) {
            ids = kv_malloc(sizeof(uint64_t) * (size_t)(c->argc - 3));
            for (int j = 3; j < c->argc; j++) {
                long long v;
                if (!str_to_ll(c->argv[j].p, c->argv[j].len, &v) || v <= 0) {
                    reply_error(&c->out, "ERR Invalid client ID");
                    kv_free(ids);
                    return;
                }
                ids[nids++] = (uint64_t)v;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    size_t cap = 4096, len = 0;
    char *out = kv_malloc(cap);
    for (client *o = client_first(); o; o = o->next) {
        if ((o->flags & CLIENT_FAKE) || !type_matches(o, type)) {
            continue;
        }
        if (ids) {
            bool want = false;
            for (size_t i = 0; i < nids; i++) {
                want |= ids[i] == o->id;
            }
            if (!want) {
                continue;
            }
        }
        if (cap - len < 2100) {
            cap *= 2;
            out = kv_realloc(out, cap);
        }
        len += client_info_line(o, out + len, cap - len - 1);
        out[len++] = '\n';
    }
    reply_verbatim(&c->out, out, len, "txt");
    kv_free(out);
    kv_free(ids);
}

static void client_kill(client *c)
{
    /* Old form: CLIENT KILL addr:port */
    if (c->argc == 3) {
        for (client *o = client_first(); o; o = o->next) {
            if (!(o->flags & CLIENT_FAKE) && strlen(o->addr) == c->argv[2].len &&
                !memcmp(o->addr, c->argv[2].p, c->argv[2].len)) {
                if (o == c) {
                    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
                } else {
                    client_close_async(o);
                }
                reply_ok(&c->out);
                return;
            }
        }
        reply_error(&c->out, "ERR No such client");
        return;
    }
    if ((c->argc - 2) % 2 != 0) {
        reply_syntax_error(c);
        return;
    }
    long long id = 0;
    kstr addr = {0}, laddr = {0}, user = {0};
    bool skipme = true;
    int type = TYPE_ANY;
    for (int j = 2; j < c->argc; j += 2) {
        kstr opt = c->argv[j], val = c->argv[j + 1];
        if (kstr_is(opt, "ID")) {
            if (!str_to_ll(val.p, val.len, &id) || id <= 0) {
                reply_error(&c->out, "ERR client-id should be greater than 0");
                return;
            }
        } else if (kstr_is(opt, "ADDR")) {
            addr = val;
        } else if (kstr_is(opt, "LADDR")) {
            laddr = val;
        } else if (kstr_is(opt, "USER")) {
            user = val;
        } else if (kstr_is(opt, "TYPE")) {
            if ((type = type_or_reply(c, val)) < 0) {
                return;
            }
        } else if (kstr_is(opt, "SKIPME")) {
            if (kstr_is(val, "yes")) {
                skipme = true;
            } else if (kstr_is(val, "no")) {
                skipme = false;
            } else {
                reply_syntax_error(c);
                return;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    long long killed = 0;
    for (client *o = client_first(); o; o = o->next) {
        if (o->flags & CLIENT_FAKE) {
            continue;
        }
        if ((id && o->id != (uint64_t)id) ||
            (addr.p && !(strlen(o->addr) == addr.len && !memcmp(o->addr, addr.p, addr.len))) ||
            (laddr.p &&
             !(strlen(o->laddr) == laddr.len && !memcmp(o->laddr, laddr.p, laddr.len))) ||
            (user.p && !kstr_is(user, "default")) || !type_matches(o, type) ||
            (skipme && o == c)) {
            continue;
        }
        if (o == c) {
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        } else {
            client_close_async(o);
        }
        killed++;
    }
    reply_int(&c->out, killed);
}

static void client_setinfo(client *c)
{
    kstr attr = c->argv[2], val = c->argv[3];
    char **dst;
    if (kstr_is(attr, "lib-name")) {
        dst = &c->lib_name;
    } else if (kstr_is(attr, "lib-ver")) {
        dst = &c->lib_ver;
    } else {
        reply_errorf(&c->out, "ERR Unrecognized option '%.*s'", (int)attr.len, attr.p);
        return;
    }
    if (!valid_name(val)) {
        reply_errorf(&c->out, "ERR %s cannot contain spaces, newlines or special characters.",
                     dst == &c->lib_name ? "lib-name" : "lib-ver");
        return;
    }
    kv_free(*dst);
    *dst = val.len ? kv_memdup(val.p, val.len) : NULL;
    reply_ok(&c->out);
}

static void client_no_evict(client *c)
{
    if (kstr_is(c->argv[2], "on")) {
        c->flags |= CLIENT_NO_EVICT;
    } else if (kstr_is(c->argv[2], "off")) {
        c->flags &= ~CLIENT_NO_EVICT;
    } else {
        reply_syntax_error(c);
        return;
    }
    reply_ok(&c->out);
}

static void client_reply(client *c)
{
    if (kstr_is(c->argv[2], "on")) {
        c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
        c->out.discard = false;
        reply_ok(&c->out);
    } else if (kstr_is(c->argv[2], "off")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (kstr_is(c->argv[2], "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF)) {
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
        }
    } else {
        reply_syntax_error(c);
    }
}

/* CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: 1 when the client was blocked (core/blocking.c). */
static void client_unblock(client *c)
{
    if (c->argc > 4) {
        reply_errorf(&c->out, "ERR unknown subcommand or wrong number of arguments for "
                     "'%.*s'. Try CLIENT HELP.",
                     (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].p);
        return;
    }
    bool error = false;
    if (c->argc == 4) {
        if (kstr_is(c->argv[3], "error")) {
            error = true;
        } else if (!kstr_is(c->argv[3], "timeout")) {
            reply_error(&c->out, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (!arg_ll_or_reply(c, c->argv[2], &id)) {
        return;
    }
    client *target = id > 0 ? client_by_id((uint64_t)id) : NULL;
    reply_int(&c->out, target && blocking_unblock(target, error) ? 1 : 0);
}

static void client_help(client *c)
{
    static const char *const help[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "HELP",
        "    Print this help.",
        NULL};
    reply_subcommand_help(c, help);
}

#define CONN "connection"
static command client_subs[] = {
    {"id", client_id, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Returns the client ID for the current connection", "5.0.0", "O(1)", NULL, NULL},
    {"setname", client_setname, 3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Set the current connection name", "2.6.9", "O(1)", NULL, NULL},
    {"getname", client_getname, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Get the current connection name", "2.6.9", "O(1)", NULL, NULL},
    {"info", client_info, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Returns information about the current client connection.", "6.2.0", "O(1)", NULL, NULL},
    {"list", client_list, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0,
     CONN, "Get the list of client connections", "2.4.0", "O(N) where N is the number of client "
     "connections", NULL, NULL},
    {"kill", client_kill, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0,
     CONN, "Kill the connection of a client", "2.4.0", "O(N) where N is the number of client "
     "connections", NULL, NULL},
    {"setinfo", client_setinfo, 4, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Set client or connection specific info", "7.2.0", "O(1)", NULL, NULL},
    {"no-evict", client_no_evict, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0,
     0, 0, CONN, "Set client eviction mode for the current connection", "7.0.0", "O(1)", NULL,
     NULL},
    {"reply", client_reply, 3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Instruct the server whether to reply to commands", "3.2.0", "O(1)", NULL, NULL},
    {"unblock", client_unblock, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0,
     0, CONN, "Unblock a client blocked in a blocking command from a different connection",
     "5.0.0", "O(log N) where N is the number of client connections", NULL, NULL},
    {"help", client_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, CONN,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", NULL, NULL},
    {"tracking", tracking_cmd_tracking, -3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0,
     CONN, "Enable or disable server assisted client side caching support", "6.0.0",
     "O(1). Some options may introduce additional complexity.", NULL, NULL},
    {"caching", tracking_cmd_caching, 3, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0,
     CONN, "Instruct the server about tracking or not keys in the next request", "6.0.0",
     "O(1)", NULL, NULL},
    {"getredir", tracking_cmd_getredir, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, 0,
     CONN, "Get tracking notifications redirection client ID if any", "6.0.0", "O(1)", NULL,
     NULL},
    {"trackinginfo", tracking_cmd_trackinginfo, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0,
     0, 0, CONN, "Return information about server assisted client side caching for the "
     "current connection", "6.2.0", "O(1)", NULL, NULL},
    {0},
};

command conn_commands[] = {
    {"ping", cmd_ping, -1, CMD_FAST, 0, 0, 0, 0, CONN, "Ping the server", "1.0.0", "O(1)", NULL, NULL},
    {"echo", cmd_echo, 2, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, 0, CONN, "Echo the given string", "1.0.0",
     "O(1)", NULL, NULL},
    {"quit", cmd_quit, -1, CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST |
     CMD_NO_AUTH, 0, 0, 0, 0, CONN, "Close the connection", "1.0.0", "O(1)", NULL, NULL},
    {"reset", cmd_reset, 1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH |
     CMD_ALLOW_BUSY, 0, 0, 0, 0, CONN, "Reset the connection", "6.2.0", "O(1)", NULL, NULL},
    {"hello", cmd_hello, -1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH |
     CMD_ALLOW_BUSY, 0, 0, 0, 0, CONN, "Handshake with Redis", "6.0.0", "O(1)",
     NULL, NULL},
    {"auth", cmd_auth, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH |
     CMD_ALLOW_BUSY, 0, 0, 0, 0, CONN, "Authenticate to the server", "1.0.0",
     "O(N) where N is the number of passwords defined for the user", NULL, NULL},
    {"select", cmd_select, 2, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, 0, CONN,
     "Change the selected database for the current connection", "1.0.0", "O(1)", NULL, NULL},
    {"client", NULL, -2, CMD_SENTINEL, 0, 0, 0, 0, CONN,
     "A container for client connection commands.", "2.4.0", "Depends on subcommand.", NULL,
     client_subs},
    {0},
};
