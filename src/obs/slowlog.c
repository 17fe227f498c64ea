/* slowlog.c - slow log entries (see slowlog.h).
 *
 * Kept as a doubly linked list, newest at the head. Arguments are copied at push time:
 * at most 32 (the last one replaced by "... (N more arguments)") and each at most 128
 * bytes (the rest noted as "... (N more bytes)").
 */
#include "obs/slowlog.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "core/dispatch.h"
#include "core/server.h"

#define MAX_ARGC 32
#define MAX_ARGLEN 128

typedef struct entry {
    struct entry *prev, *next;
    long long id, time, duration;
    int argc;
    char **argv;
    size_t *argl;
    char *peer, *name;
} entry;

static entry *head, *tail;
static long long count, next_id;

static void entry_free(entry *e)
{
    for (int i = 0; i < e->argc; i++) {
        kv_free(e->argv[i]);
    }
    kv_free(e->argv);
    kv_free(e->argl);
    kv_free(e->peer);
    kv_free(e->name);
    kv_free(e);
}

static void drop_tail(void)
{
    entry *e = tail;
    tail = e->prev;
    if (tail) {
        tail->next = NULL;
    } else {
        head = NULL;
    }
    count--;
    entry_free(e);
}

void slowlog_trim(void)
{
    while (count > srv.cfg.slowlog_max_len && tail) {
        drop_tail();
    }
}

void slowlog_push(client *c, long long duration_us)
{
    if (srv.cfg.slowlog_log_slower_than < 0 || duration_us < srv.cfg.slowlog_log_slower_than) {
        return;
    }
    entry *e = kv_calloc(sizeof(*e));
    e->id = next_id++;
    e->time = clock_ms() / 1000;
    e->duration = duration_us;
    e->argc = c->argc > MAX_ARGC ? MAX_ARGC : c->argc;
    e->argv = kv_malloc(sizeof(char *) * (size_t)e->argc);
    e->argl = kv_malloc(sizeof(size_t) * (size_t)e->argc);
    for (int i = 0; i < e->argc; i++) {
        char buf[MAX_ARGLEN + 64];
        size_t n;
        if (e->argc != c->argc && i == e->argc - 1) {
            n = (size_t)snprintf(buf, sizeof(buf), "... (%d more arguments)",
                                 c->argc - e->argc + 1);
            e->argv[i] = kv_memdup(buf, n);
        } else if (c->argv[i].len > MAX_ARGLEN) {
            memcpy(buf, c->argv[i].p, MAX_ARGLEN);
            n = MAX_ARGLEN + (size_t)snprintf(buf + MAX_ARGLEN, 64, "... (%zu more bytes)",
                                              c->argv[i].len - MAX_ARGLEN);
            e->argv[i] = kv_memdup(buf, n);
        } else {
            n = c->argv[i].len;
            e->argv[i] = kv_memdup(c->argv[i].p, n);
        }
        e->argl[i] = n;
    }
    e->peer = kv_strdup(c->addr);
    e->name = kv_strdup(c->name ? c->name : "");
    e->next = head;
    if (head) {
        head->prev = e;
    } else {
        tail = e;
    }
    head = e;
    count++;
    slowlog_trim();
}

void slowlog_reset(void)
{
    while (tail) {
        drop_tail();
    }
}

void cmd_slowlog_get(client *c)
{
    long long n = 10;
    if (c->argc == 3) {
        if (!str_to_ll(c->argv[2].p, c->argv[2].len, &n) || n < -1) {
            reply_error(&c->out, "ERR count should be greater than or equal to -1");
            return;
        }
        if (n == -1) {
            n = count;
        }
    } else if (c->argc > 3) {
        reply_errorf(&c->out, "ERR wrong number of arguments for 'slowlog|get' command");
        return;
    }
    if (n > count) {
        n = count;
    }
    reply_array(&c->out, (size_t)n);
    entry *e = head;
    for (long long i = 0; i < n; i++, e = e->next) {
        reply_array(&c->out, 6);
        reply_int(&c->out, e->id);
        reply_int(&c->out, e->time);
        reply_int(&c->out, e->duration);
        reply_array(&c->out, (size_t)e->argc);
        for (int j = 0; j < e->argc; j++) {
            reply_bulk(&c->out, e->argv[j], e->argl[j]);
        }
        reply_bulk_cstr(&c->out, e->peer);
        reply_bulk_cstr(&c->out, e->name);
    }
}

void cmd_slowlog_len(client *c)
{
    reply_int(&c->out, count);
}

void cmd_slowlog_reset(client *c)
{
    slowlog_reset();
    reply_ok(&c->out);
}

void cmd_slowlog_help(client *c)
{
    static const char *const help[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Print this help.",
        NULL};
    reply_subcommand_help(c, help);
}
