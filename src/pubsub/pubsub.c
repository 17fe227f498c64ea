/* pubsub.c - publish/subscribe: who listens to what, and delivering messages.
 *
 * Three registries, one per kind of subscription (channels, glob patterns, shard
 * channels), each an ht of `chan` entries: the name plus the clients subscribed to it in
 * subscription order (delivery follows that order). An entry lives while it has a
 * subscriber: the last unsubscribe frees it, so PUBSUB CHANNELS and NUMPAT are just the
 * registries' contents.
 *
 * Each client's subscriptions (c->pubsub, a `subs` created on first subscribe) are one ht
 * per kind holding pointers to the same `chan` entries, so "am I subscribed?" and
 * "unsubscribe me from everything" never search the registries.
 *
 * Messages are appended to the receivers' output chains during PUBLISH, as push
 * aggregates (arrays in RESP2, `>` in RESP3). A client with any subscription carries
 * CLIENT_PUBSUB, which confines a RESP2 connection to the commands allowed in that mode.
 *
 * A subscriber that does not read is disconnected by the `client-output-buffer-limit`
 * pubsub class (core/obuf.c), checked, as Redis does, whenever a message is appended.
 */
#include "pubsub/pubsub.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/util.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "ds/ht.h"

enum { KIND_CHANNEL, KIND_PATTERN, KIND_SHARD, NKINDS };

typedef struct chan {
    uint64_t hash;
    client **subs;
    size_t nsubs, cap;
    size_t len;
    char name[];
} chan;

typedef struct subs {
    ht *set[NKINDS];
} subs;

/* The confirmation each kind sends. */
static const char *const sub_word[NKINDS] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const unsub_word[NKINDS] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

static ht *registry[NKINDS];

static uint64_t chan_hash(const void *e)
{
    return ((const chan *)e)->hash;
}

/* key is a kstr naming the channel. */
static bool chan_match(const void *e, const void *key)
{
    const chan *ch = e;
    const kstr *k = key;
    return ch->len == k->len && memcmp(ch->name, k->p, k->len) == 0;
}

static const ht_type chan_type = {chan_hash, chan_match, NULL};

static ht *reg(int kind)
{
    if (!registry[kind]) {
        registry[kind] = ht_create(&chan_type);
    }
    return registry[kind];
}

static size_t set_size(const subs *s, int kind)
{
    return s && s->set[kind] ? ht_size(s->set[kind]) : 0;
}

/* Redis counts channels and patterns together; shard channels apart. */
static size_t reply_count(const client *c, int kind)
{
    const subs *s = c->pubsub;
    if (kind == KIND_SHARD) {
        return set_size(s, KIND_SHARD);
    }
    return set_size(s, KIND_CHANNEL) + set_size(s, KIND_PATTERN);
}

static void update_flag(client *c)
{
    const subs *s = c->pubsub;
    if (set_size(s, KIND_CHANNEL) + set_size(s, KIND_PATTERN) + set_size(s, KIND_SHARD)) {
        c->flags |= CLIENT_PUBSUB;
    } else {
        c->flags &= ~CLIENT_PUBSUB;
    }
}

/* name NULL sends a null channel (unsubscribing from all when none were held). */
static void confirm(client *c, const char *word, const char *name, size_t len, size_t count)
{
    reply_aggregate(&c->out, REPLY_PUSH, 3);
    reply_bulk_cstr(&c->out, word);
    if (name) {
        reply_bulk(&c->out, name, len);
    } else {
        reply_null(&c->out);
    }
    reply_int(&c->out, (long long)count);
}

static void subscribe(client *c, int kind, kstr name)
{
    subs *s = c->pubsub;
    if (!s) {
        s = c->pubsub = kv_calloc(sizeof(*s));
    }
    if (!s->set[kind]) {
        s->set[kind] = ht_create(&chan_type);
    }
    uint64_t h = hash_bytes(name.p, name.len);
    if (!ht_find(s->set[kind], h, &name)) {
        chan *ch = ht_find(reg(kind), h, &name);
        if (!ch) {
            ch = kv_malloc(sizeof(*ch) + name.len + 1);
            ch->hash = h;
            ch->subs = NULL;
            ch->nsubs = ch->cap = 0;
            ch->len = name.len;
            memcpy(ch->name, name.p, name.len);
            ch->name[name.len] = '\0';
            ht_insert(registry[kind], h, ch);
        }
        if (ch->nsubs == ch->cap) {
            ch->cap = ch->cap ? ch->cap * 2 : 4;
            ch->subs = kv_realloc(ch->subs, ch->cap * sizeof(client *));
        }
        ch->subs[ch->nsubs++] = c;
        ht_insert(s->set[kind], h, ch);
    }
    confirm(c, sub_word[kind], name.p, name.len, reply_count(c, kind));
}

/* name may point into the entry itself (unsubscribing from all): the entry is freed only
 * after the last use of it. */
static void unsubscribe(client *c, int kind, kstr name, bool notify)
{
    subs *s = c->pubsub;
    uint64_t h = hash_bytes(name.p, name.len);
    chan *ch = s && s->set[kind] ? ht_remove(s->set[kind], h, &name) : NULL;
    if (ch) {
        for (size_t i = 0; i < ch->nsubs; i++) {
            if (ch->subs[i] == c) {
                memmove(ch->subs + i, ch->subs + i + 1, (ch->nsubs - i - 1) * sizeof(client *));
                ch->nsubs--;
                break;
            }
        }
    }
    if (notify) {
        confirm(c, unsub_word[kind], name.p, name.len, reply_count(c, kind));
    }
    if (ch && ch->nsubs == 0) {
        ht_remove(registry[kind], h, &name);
        kv_free(ch->subs);
        kv_free(ch);
    }
}

static void unsubscribe_all(client *c, int kind, bool notify)
{
    subs *s = c->pubsub;
    size_t n = set_size(s, kind);
    if (n == 0) {
        if (notify) {
            confirm(c, unsub_word[kind], NULL, 0, reply_count(c, kind));
        }
        return;
    }
    chan **list = kv_malloc(n * sizeof(chan *));
    size_t k = 0;
    ht_iter it;
    ht_iter_init(&it, s->set[kind]);
    for (chan *ch; (ch = ht_iter_next(&it)) != NULL;) {
        list[k++] = ch;
    }
    ht_iter_done(&it);
    for (size_t i = 0; i < k; i++) {
        unsubscribe(c, kind, (kstr){list[i]->name, list[i]->len}, notify);
    }
    kv_free(list);
}

void pubsub_client_gone(client *c)
{
    subs *s = c->pubsub;
    if (!s) {
        return;
    }
    for (int kind = 0; kind < NKINDS; kind++) {
        unsubscribe_all(c, kind, false);
        ht_destroy(s->set[kind]);
    }
    kv_free(s);
    c->pubsub = NULL;
    c->flags &= ~CLIENT_PUBSUB;
}

void pubsub_client_counts(const client *c, size_t *sub, size_t *psub, size_t *ssub)
{
    const subs *s = c->pubsub;
    *sub = set_size(s, KIND_CHANNEL);
    *psub = set_size(s, KIND_PATTERN);
    *ssub = set_size(s, KIND_SHARD);
}

bool pubsub_allowed_in_context(const command *cmd)
{
    static const char *const allowed[] = {"ping",         "subscribe",   "ssubscribe",
                                          "unsubscribe",  "sunsubscribe", "psubscribe",
                                          "punsubscribe", "quit",         "reset"};
    if (cmd->parent) {
        return false;
    }
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        if (strcmp(cmd->name, allowed[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- delivery ---- */

/* One message as its receivers get it: encoded at most once per protocol (RESP2 array,
 * RESP3 push), then copied to each receiver. */
typedef struct message {
    const char *word;
    const chan *pat;
    kstr channel, msg;
    reply_out enc[2]; /* [0] RESP2, [1] RESP3 */
    bool built[2];
} message;

static void message_init(message *m, const char *word, const chan *pat, kstr channel, kstr msg)
{
    m->word = word;
    m->pat = pat;
    m->channel = channel;
    m->msg = msg;
    m->built[0] = m->built[1] = false;
}

static void message_done(message *m)
{
    for (int v = 0; v < 2; v++) {
        if (m->built[v]) {
            reply_reset(&m->enc[v]);
        }
    }
}

static void push_message(client *to, message *m)
{
    if (to->flags & CLIENT_CLOSE_ASAP) {
        return;
    }
    int v = to->resp > 2;
    reply_out *e = &m->enc[v];
    if (!m->built[v]) {
        reply_init(e);
        e->resp = to->resp;
        reply_aggregate(e, REPLY_PUSH, m->pat ? 4 : 3);
        reply_bulk_cstr(e, m->word);
        if (m->pat) {
            reply_bulk(e, m->pat->name, m->pat->len);
        }
        reply_bulk(e, m->channel.p, m->channel.len);
        reply_bulk(e, m->msg.p, m->msg.len);
        m->built[v] = true;
    }
    reply_append_copy(&to->out, e);
    client_after_reply(to); /* also applies the output buffer limits */
}

/* Returns the number of deliveries (a client matching twice counts twice, as in Redis). */
static long long publish(int kind, kstr channel, kstr msg)
{
    long long receivers = 0;
    if (registry[kind]) {
        chan *ch = ht_find(registry[kind], hash_bytes(channel.p, channel.len), &channel);
        message m;
        message_init(&m, kind == KIND_SHARD ? "smessage" : "message", NULL, channel, msg);
        for (size_t i = 0; ch && i < ch->nsubs; i++) {
            push_message(ch->subs[i], &m);
            receivers++;
        }
        message_done(&m);
    }
    if (kind == KIND_CHANNEL && registry[KIND_PATTERN] && ht_size(registry[KIND_PATTERN])) {
        ht_iter it;
        ht_iter_init(&it, registry[KIND_PATTERN]);
        for (chan *pat; (pat = ht_iter_next(&it)) != NULL;) {
            if (!glob_match(pat->name, pat->len, channel.p, channel.len, false)) {
                continue;
            }
            message m;
            message_init(&m, "pmessage", pat, channel, msg);
            for (size_t i = 0; i < pat->nsubs; i++) {
                push_message(pat->subs[i], &m);
                receivers++;
            }
            message_done(&m);
        }
        ht_iter_done(&it);
    }
    return receivers;
}

/* ---- commands ---- */

long long pubsub_publish(kstr channel, kstr msg)
{
    return publish(KIND_CHANNEL, channel, msg);
}

bool pubsub_has_subscribers(void)
{
    return (registry[KIND_CHANNEL] && ht_size(registry[KIND_CHANNEL])) ||
           (registry[KIND_PATTERN] && ht_size(registry[KIND_PATTERN]));
}

static void subscribe_generic(client *c, int kind)
{
    for (int i = 1; i < c->argc; i++) {
        subscribe(c, kind, c->argv[i]);
    }
    update_flag(c);
}

static void unsubscribe_generic(client *c, int kind)
{
    if (c->argc == 1) {
        unsubscribe_all(c, kind, true);
    } else {
        for (int i = 1; i < c->argc; i++) {
            unsubscribe(c, kind, c->argv[i], true);
        }
    }
    update_flag(c);
}

/* SUBSCRIBE and PSUBSCRIBE may run inside EXEC (Redis keeps that for compatibility);
 * SSUBSCRIBE may not. */
static void cmd_subscribe(client *c)
{
    subscribe_generic(c, KIND_CHANNEL);
}

static void cmd_psubscribe(client *c)
{
    subscribe_generic(c, KIND_PATTERN);
}

static void cmd_ssubscribe(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(&c->out, "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        return;
    }
    subscribe_generic(c, KIND_SHARD);
}

static void cmd_unsubscribe(client *c)
{
    unsubscribe_generic(c, KIND_CHANNEL);
}

static void cmd_punsubscribe(client *c)
{
    unsubscribe_generic(c, KIND_PATTERN);
}

static void cmd_sunsubscribe(client *c)
{
    unsubscribe_generic(c, KIND_SHARD);
}

static void cmd_publish(client *c)
{
    reply_int(&c->out, pubsub_publish(c->argv[1], c->argv[2]));
}

static void cmd_spublish(client *c)
{
    reply_int(&c->out, publish(KIND_SHARD, c->argv[1], c->argv[2]));
}

/* ---- PUBSUB ---- */

static void syntax_error(client *c)
{
    reply_errorf(&c->out,
                 "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try PUBSUB "
                 "HELP.",
                 (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].p);
}

static void channels_generic(client *c, int kind)
{
    if (c->argc > 3) {
        syntax_error(c);
        return;
    }
    ht *h = registry[kind];
    size_t n = h ? ht_size(h) : 0;
    chan **match = kv_malloc((n ? n : 1) * sizeof(chan *));
    size_t k = 0;
    if (h) {
        ht_iter it;
        ht_iter_init(&it, h);
        for (chan *ch; (ch = ht_iter_next(&it)) != NULL;) {
            if (c->argc == 2 ||
                glob_match(c->argv[2].p, c->argv[2].len, ch->name, ch->len, false)) {
                match[k++] = ch;
            }
        }
        ht_iter_done(&it);
    }
    reply_array(&c->out, k);
    for (size_t i = 0; i < k; i++) {
        reply_bulk(&c->out, match[i]->name, match[i]->len);
    }
    kv_free(match);
}

static void numsub_generic(client *c, int kind)
{
    reply_array(&c->out, (size_t)(c->argc - 2) * 2);
    for (int i = 2; i < c->argc; i++) {
        kstr name = c->argv[i];
        chan *ch = registry[kind] ? ht_find(registry[kind], hash_bytes(name.p, name.len), &name)
                                  : NULL;
        reply_bulk(&c->out, name.p, name.len);
        reply_int(&c->out, ch ? (long long)ch->nsubs : 0);
    }
}

static void pubsub_channels(client *c)
{
    channels_generic(c, KIND_CHANNEL);
}

static void pubsub_shardchannels(client *c)
{
    channels_generic(c, KIND_SHARD);
}

static void pubsub_numsub(client *c)
{
    numsub_generic(c, KIND_CHANNEL);
}

static void pubsub_shardnumsub(client *c)
{
    numsub_generic(c, KIND_SHARD);
}

static void pubsub_numpat(client *c)
{
    reply_int(&c->out, registry[KIND_PATTERN] ? (long long)ht_size(registry[KIND_PATTERN]) : 0);
}

static void pubsub_help(client *c)
{
    static const char *const lines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: "
        "'*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
        NULL,
    };
    reply_subcommand_help(c, lines);
}

#define PS "pubsub"
#define SUBF (CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define PUBF (CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST)
#define INFOF (CMD_PUBSUB | CMD_LOADING | CMD_STALE)

static command pubsub_subs[] = {
    {"channels", pubsub_channels, -2, INFOF, 0, 0, 0, 0, PS, "List active channels", "2.8.0",
     "O(N) where N is the number of active channels, and assuming constant time pattern "
     "matching (relatively short channels and patterns)", NULL, NULL},
    {"help", pubsub_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, PS,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", NULL, NULL},
    {"numpat", pubsub_numpat, 2, INFOF, 0, 0, 0, 0, PS,
     "Get the count of unique patterns pattern subscriptions", "2.8.0", "O(1)", NULL, NULL},
    {"numsub", pubsub_numsub, -2, INFOF, 0, 0, 0, 0, PS,
     "Get the count of subscribers for channels", "2.8.0",
     "O(N) for the NUMSUB subcommand, where N is the number of requested channels", NULL,
     NULL},
    {"shardchannels", pubsub_shardchannels, -2, INFOF, 0, 0, 0, 0, PS,
     "List active shard channels", "7.0.0",
     "O(N) where N is the number of active shard channels, and assuming constant time "
     "pattern matching (relatively short shard channels).", NULL, NULL},
    {"shardnumsub", pubsub_shardnumsub, -2, INFOF, 0, 0, 0, 0, PS,
     "Get the count of subscribers for shard channels", "7.0.0",
     "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard "
     "channels", NULL, NULL},
    {0},
};

command pubsub_commands[] = {
    {"subscribe", cmd_subscribe, -2, SUBF, 0, 0, 0, 0, PS,
     "Listen for messages published to the given channels", "2.0.0",
     "O(N) where N is the number of channels to subscribe to.", NULL, NULL},
    {"unsubscribe", cmd_unsubscribe, -1, SUBF, 0, 0, 0, 0, PS,
     "Stop listening for messages posted to the given channels", "2.0.0",
     "O(N) where N is the number of clients already subscribed to a channel.", NULL, NULL},
    {"psubscribe", cmd_psubscribe, -2, SUBF, 0, 0, 0, 0, PS,
     "Listen for messages published to channels matching the given patterns", "2.0.0",
     "O(N) where N is the number of patterns the client is already subscribed to.", NULL,
     NULL},
    {"punsubscribe", cmd_punsubscribe, -1, SUBF, 0, 0, 0, 0, PS,
     "Stop listening for messages posted to channels matching the given patterns", "2.0.0",
     "O(N+M) where N is the number of patterns the client is already subscribed and M is "
     "the number of total patterns subscribed in the system (by any client).", NULL, NULL},
    {"publish", cmd_publish, 3, PUBF, 0, 0, 0, 0, PS, "Post a message to a channel", "2.0.0",
     "O(N+M) where N is the number of clients subscribed to the receiving channel and M is "
     "the total number of subscribed patterns (by any client).", NULL, NULL},
    {"ssubscribe", cmd_ssubscribe, -2, SUBF, 1, -1, 1, KS_NOT_KEY, PS,
     "Listen for messages published to the given shard channels", "7.0.0",
     "O(N) where N is the number of shard channels to subscribe to.", NULL, NULL},
    {"sunsubscribe", cmd_sunsubscribe, -1, SUBF, 1, -1, 1, KS_NOT_KEY, PS,
     "Stop listening for messages posted to the given shard channels", "7.0.0",
     "O(N) where N is the number of clients already subscribed to a shard channel.", NULL,
     NULL},
    {"spublish", cmd_spublish, 3, PUBF, 1, 1, 1, KS_NOT_KEY, PS,
     "Post a message to a shard channel", "7.0.0",
     "O(N) where N is the number of clients subscribed to the receiving shard channel.", NULL,
     NULL},
    {"pubsub", NULL, -2, 0, 0, 0, 0, 0, PS, "A container for Pub/Sub commands", "2.8.0",
     "Depends on subcommand.", NULL, pubsub_subs},
    {0},
};
