/* notify.h - keyspace notifications: `notify-keyspace-events` classes and the events that
 * writers, expiry and lookups raise (published on __keyspace@<db>__:<key> and
 * __keyevent@<db>__:<event>, as Redis does).
 *
 * Cost. notify_keyspace_event() is inline: with notifications off (the default) a call
 * is one load and one test of notify_mask. notify_mask is the configured classes when K
 * or E is on, else 0, since a class without a channel kind publishes nothing.
 *
 * Ownership. event is a static string; key and the db are borrowed for the call.
 */
#ifndef KV_NOTIFY_H
#define KV_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kstr.h"
#include "db/db.h"

/* Redis's NOTIFY_* bits and letters. */
enum {
    NOTIFY_KEYSPACE = 1 << 0, /* K */
    NOTIFY_KEYEVENT = 1 << 1, /* E */
    NOTIFY_GENERIC = 1 << 2,  /* g */
    NOTIFY_STRING = 1 << 3,   /* $ */
    NOTIFY_LIST = 1 << 4,     /* l */
    NOTIFY_SET = 1 << 5,      /* s */
    NOTIFY_HASH = 1 << 6,     /* h */
    NOTIFY_ZSET = 1 << 7,     /* z */
    NOTIFY_EXPIRED = 1 << 8,  /* x */
    NOTIFY_EVICTED = 1 << 9,  /* e */
    NOTIFY_STREAM = 1 << 10,  /* t */
    NOTIFY_KEY_MISS = 1 << 11, /* m (not part of A) */
    NOTIFY_MODULE = 1 << 13,  /* d */
    NOTIFY_NEW = 1 << 14,     /* n (not part of A) */
    NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH |
                 NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE,
};

extern int notify_mask;

/* Sets the configured classes (CONFIG SET / config file). */
void notify_set_flags(int flags);
int notify_flags(void);
/* Parses Redis's flag letters; -1 on a character Redis rejects. */
int notify_flags_parse(const char *s, size_t len);
/* Writes the canonical string CONFIG GET shows (Redis's order: "A" or the class letters,
 * then K, E, m). cap must be at least 16. */
void notify_flags_format(int flags, char *buf, size_t cap);

/* While suspended (loading a snapshot) nothing is published: the keys a load adds are
 * not events, as in Redis. */
void notify_suspend(bool on);

void notify_publish(int cls, const char *event, const db *d, kstr key);

static inline void notify_keyspace_event(int cls, const char *event, const db *d, kstr key)
{
    if (notify_mask & cls) {
        notify_publish(cls, event, d, key);
    }
}

#endif
