/* notify.c - keyspace notifications (see notify.h): the flag letters of
 * `notify-keyspace-events` and publishing an event on its two channels.
 *
 * An event for key k in database n goes out, as in Redis, as PUBLISH
 * __keyspace@n__:k <event> when K is on and PUBLISH __keyevent@n__:<event> k when E is
 * on, keyspace first. The channel name is built on the stack for usual key lengths.
 */
#include "pubsub/notify.h"

#include <stdbool.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "pubsub/pubsub.h"

int notify_mask;
static int configured;
static bool suspended;

static void update_mask(void)
{
    bool channels = configured & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
    notify_mask = channels && !suspended ? configured : 0;
}

void notify_set_flags(int flags)
{
    configured = flags;
    update_mask();
}

void notify_suspend(bool on)
{
    suspended = on;
    update_mask();
}

int notify_flags(void)
{
    return configured;
}

int notify_flags_parse(const char *s, size_t len)
{
    int flags = 0;
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case 'A': flags |= NOTIFY_ALL; break;
        case 'g': flags |= NOTIFY_GENERIC; break;
        case '$': flags |= NOTIFY_STRING; break;
        case 'l': flags |= NOTIFY_LIST; break;
        case 's': flags |= NOTIFY_SET; break;
        case 'h': flags |= NOTIFY_HASH; break;
        case 'z': flags |= NOTIFY_ZSET; break;
        case 'x': flags |= NOTIFY_EXPIRED; break;
        case 'e': flags |= NOTIFY_EVICTED; break;
        case 'K': flags |= NOTIFY_KEYSPACE; break;
        case 'E': flags |= NOTIFY_KEYEVENT; break;
        case 't': flags |= NOTIFY_STREAM; break;
        case 'm': flags |= NOTIFY_KEY_MISS; break;
        case 'd': flags |= NOTIFY_MODULE; break;
        case 'n': flags |= NOTIFY_NEW; break;
        default: return -1;
        }
    }
    return flags;
}

void notify_flags_format(int flags, char *buf, size_t cap)
{
    static const struct {
        int bit;
        char ch;
    } classes[] = {
        {NOTIFY_GENERIC, 'g'}, {NOTIFY_STRING, '$'}, {NOTIFY_LIST, 'l'},
        {NOTIFY_SET, 's'},     {NOTIFY_HASH, 'h'},   {NOTIFY_ZSET, 'z'},
        {NOTIFY_EXPIRED, 'x'}, {NOTIFY_EVICTED, 'e'}, {NOTIFY_STREAM, 't'},
        {NOTIFY_MODULE, 'd'},  {NOTIFY_NEW, 'n'},
    };
    size_t n = 0;
    if (cap < 16) {
        return;
    }
    /* As Redis: with all of A set, "n" is not shown even when set. */
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        buf[n++] = 'A';
    } else {
        for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
            if (flags & classes[i].bit) {
                buf[n++] = classes[i].ch;
            }
        }
    }
    if (flags & NOTIFY_KEYSPACE) {
        buf[n++] = 'K';
    }
    if (flags & NOTIFY_KEYEVENT) {
        buf[n++] = 'E';
    }
    if (flags & NOTIFY_KEY_MISS) {
        buf[n++] = 'm';
    }
    buf[n] = '\0';
}

/* Publishes prefix + middle on a channel built in buf (or the heap when it is large). */
static void publish_on(const char *prefix, int dbid, kstr middle, kstr msg)
{
    char small[256];
    char head[48];
    int hl = snprintf(head, sizeof(head), "__%s@%d__:", prefix, dbid);
    size_t len = (size_t)hl + middle.len;
    char *buf = len <= sizeof(small) ? small : kv_malloc(len);
    memcpy(buf, head, (size_t)hl);
    if (middle.len) {
        memcpy(buf + hl, middle.p, middle.len);
    }
    pubsub_publish(kstr_make(buf, len), msg);
    if (buf != small) {
        kv_free(buf);
    }
}

void notify_publish(int cls, const char *event, const db *d, kstr key)
{
    if (!pubsub_has_subscribers()) {
        return; /* enabled but unheard: skip building the channel names */
    }
    kstr ev = kstr_make(event, strlen(event));
    if (notify_mask & NOTIFY_KEYSPACE) {
        publish_on("keyspace", d->id, key, ev);
    }
    if (notify_mask & NOTIFY_KEYEVENT) {
        publish_on("keyevent", d->id, ev, key);
    }
}
