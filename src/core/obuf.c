/* obuf.c - output buffer limits per client class (see obuf.h).
 *
 * A client's class is pubsub while it holds a subscription, else normal (there are no
 * replicas yet; their class is configurable all the same, as Redis keeps it). Soft-limit
 * time is counted in whole seconds, as Redis does: over the soft limit at one check
 * starts the clock, under it at a later check stops it, and more than soft_seconds
 * between the first and a later check closes the client.
 */
#include "core/obuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"

#define MB (1024ULL * 1024)

obuf_limit obuf_limits[OBUF_CLASSES] = {
    [OBUF_NORMAL] = {0, 0, 0},
    [OBUF_REPLICA] = {256 * MB, 64 * MB, 60},
    [OBUF_PUBSUB] = {32 * MB, 8 * MB, 60},
};
size_t obuf_threshold = 8 * MB;

static void update_threshold(void)
{
    unsigned long long min = (unsigned long long)-1;
    for (int i = 0; i < OBUF_CLASSES; i++) {
        if (obuf_limits[i].hard && obuf_limits[i].hard < min) {
            min = obuf_limits[i].hard;
        }
        if (obuf_limits[i].soft && obuf_limits[i].soft < min) {
            min = obuf_limits[i].soft;
        }
    }
    obuf_threshold = min > (unsigned long long)(size_t)-1 ? (size_t)-1 : (size_t)min;
}

static int class_by_name(const char *w)
{
    if (!strcasecmp(w, "normal")) {
        return OBUF_NORMAL;
    }
    if (!strcasecmp(w, "slave") || !strcasecmp(w, "replica")) {
        return OBUF_REPLICA;
    }
    if (!strcasecmp(w, "pubsub")) {
        return OBUF_PUBSUB;
    }
    return -1; /* "master" too: its class is not configurable */
}

#define MAX_WORDS 64

const char *obuf_parse(const char *s, size_t len)
{
    char *copy = kv_memdup(s, len);
    char *words[MAX_WORDS];
    int n = 0;
    const char *err = NULL;
    /* Redis splits on every single space, so two spaces make an empty word. An empty
     * value has no words and changes nothing. */
    if (len) {
        char *p = copy;
        for (;;) {
            if (n == MAX_WORDS) {
                err = "Wrong number of arguments in buffer limit configuration.";
                goto out;
            }
            words[n++] = p;
            char *sp = strchr(p, ' ');
            if (!sp) {
                break;
            }
            *sp = '\0';
            p = sp + 1;
        }
    }
    if (n % 4) {
        err = "Wrong number of arguments in buffer limit configuration.";
        goto out;
    }
    obuf_limit vals[OBUF_CLASSES];
    bool given[OBUF_CLASSES] = {false};
    for (int j = 0; j < n; j += 4) {
        int cls = class_by_name(words[j]);
        if (cls < 0) {
            err = "Invalid client class specified in buffer limit configuration.";
            goto out;
        }
        unsigned long long hard, soft;
        char *end;
        /* Redis reads the seconds with strtoll into an int: it wraps, and a wrapped
         * negative is refused. */
        int secs = (int)strtoll(words[j + 3], &end, 10);
        if (!str_to_mem(words[j + 1], &hard) || !str_to_mem(words[j + 2], &soft) || secs < 0 ||
            *end != '\0') {
            err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            goto out;
        }
        vals[cls] = (obuf_limit){hard, soft, secs};
        given[cls] = true;
    }
    for (int i = 0; i < OBUF_CLASSES; i++) {
        if (given[i]) {
            obuf_limits[i] = vals[i];
        }
    }
    update_threshold();
out:
    kv_free(copy);
    return err;
}

void obuf_format(char *buf, size_t cap)
{
    static const char *const names[OBUF_CLASSES] = {"normal", "slave", "pubsub"};
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < OBUF_CLASSES && n < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s%s %llu %llu %d", i ? " " : "", names[i],
                         obuf_limits[i].hard, obuf_limits[i].soft, obuf_limits[i].soft_seconds);
        if (w < 0) {
            break;
        }
        n += (size_t)w;
    }
}

void obuf_check_limits(client *c)
{
    if (c->flags & (CLIENT_FAKE | CLIENT_CLOSE_ASAP)) {
        return;
    }
    const obuf_limit *l = &obuf_limits[(c->flags & CLIENT_PUBSUB) ? OBUF_PUBSUB : OBUF_NORMAL];
    unsigned long long used = c->out.pending;
    bool hard = l->hard && used >= l->hard;
    bool soft = l->soft && used >= l->soft;
    if (soft) {
        int64_t now = clock_ms() / 1000; /* also from the cron, between commands */
        if (!c->obuf_soft_since) {
            c->obuf_soft_since = now;
            soft = false;
        } else if (now - c->obuf_soft_since <= l->soft_seconds) {
            soft = false;
        }
    } else {
        c->obuf_soft_since = 0;
    }
    if (!hard && !soft) {
        return;
    }
    char info[1024];
    client_info_line(c, info, sizeof(info));
    log_warning("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
                info);
    client_close_async(c);
}
