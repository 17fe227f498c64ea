/* command.c - COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS,
 * GETKEYSANDFLAGS, HELP), answered from the command table so that what clients are told
 * is what dispatch enforces.
 *
 * From each table row: name, arity, flags, legacy key positions, group, summary, since,
 * complexity, and the ACL categories, which are derived as Redis does:
 *   - the group's category (string -> @string, generic -> @keyspace, ...), except for
 *     containers (CLIENT, CONFIG ...), which carry none of their own;
 *   - the row's `acl` words: "dangerous" adds @dangerous, "-keyspace" removes one (SORT,
 *     SORT_RO and WAIT are generic commands without @keyspace; PUBSUB HELP lacks @pubsub);
 *   - from flags: write -> @write, readonly -> @read (not for @scripting commands), admin
 *     -> @admin @dangerous, pubsub -> @pubsub, fast -> @fast, blocking -> @blocking, and
 *     @slow for everything not @fast.
 * A row with first_key > 0 describes one key spec: begin at index first_key, a range to
 * last_key with key_step, flags key_flags.
 *
 * What a row cannot say lives in the `docs` table at the end of this file, keyed by full
 * name ("set", "client|kill"): argument trees, history, doc flags, command tips, and key
 * specs for commands whose keys a single index/range spec does not describe (keyword or
 * keynum searches, several specs, notes). That table covers every Redis 7.0 command, so a
 * family gets its documentation the day its rows land. It was produced from a reference
 * redis-server 7.0.15's own COMMAND DOCS / COMMAND INFO replies (see the grammar below).
 *
 * Reply shapes are Redis 7.0's: in RESP3 flags, categories, tips, key specs and (empty)
 * subcommand lists are sets; a non-empty subcommand list is an array; DOCS is a map.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"

/* ---- the documentation supplement ---- */

enum { DOC_DEPRECATED = 1, DOC_SYSCMD = 2 };

/* Strings use small grammars, parsed when a reply is built:
 *
 * args: arguments separated by one space; each is
 *     <type><name>[`token`][#keyspec][@since][!deprecated_since][?][*][+][(children)]
 *   type: k key, s string, i integer, d double, p pattern, t unix-time, T pure-token,
 *         o oneof, b block; flags: ? optional, * multiple, + multiple_token.
 *   e.g. SET: "kkey#0 svalue ocondition@2.6.12?(Tnx`NX` Txx`XX`) ..."
 * history: "<version>\t<text>" entries separated by "\n".
 * tips: space-separated.
 * keyspecs: one per line, "<flags>|<begin>|<find>[|<notes>]" with begin "i<index>",
 *   "k<keyword>,<startfrom>" or "u" (unknown), and find "r<lastkey>,<keystep>,<limit>",
 *   "n<keynumidx>,<firstkey>,<keystep>" or "u".
 */
typedef struct cmd_doc {
    const char *name;
    const char *args;
    const char *history;
    const char *tips;
    const char *keyspecs;
    int doc_flags;
    const char *deprecated_since;
    const char *replaced_by;
} cmd_doc;

static const cmd_doc *doc_for(const command *cmd);

/* ---- key specs ---- */

#define MAX_KEY_SPECS 8

typedef struct key_spec {
    uint32_t flags;     /* KS_* */
    char begin;         /* 'i' index, 'k' keyword, 'u' unknown */
    int index;          /* begin 'i' */
    kstr keyword;       /* begin 'k' */
    int startfrom;      /* begin 'k' */
    char find;          /* 'r' range, 'n' keynum, 'u' unknown */
    int lastkey, limit; /* find 'r' */
    int keynumidx, firstkey; /* find 'n' */
    int keystep;        /* both */
    kstr notes;         /* len 0: none */
} key_spec;

static const struct {
    uint32_t bit;
    const char *name;
} ks_names[] = {
    {KS_RO, "RO"},         {KS_RW, "RW"},         {KS_OW, "OW"},
    {KS_RM, "RM"},         {KS_ACCESS, "access"}, {KS_UPDATE, "update"},
    {KS_INSERT, "insert"}, {KS_DELETE, "delete"}, {KS_NOT_KEY, "not_key"},
    {KS_INCOMPLETE, "incomplete"}, {KS_VARIABLE_FLAGS, "variable_flags"},
};
#define NKS_NAMES (sizeof(ks_names) / sizeof(ks_names[0]))

static int read_int(const char **p)
{
    char *end;
    long v = strtol(*p, &end, 10);
    *p = end;
    if (**p == ',') {
        (*p)++;
    }
    return (int)v;
}

/* Parses one keyspecs line [p, end). */
static void spec_parse(const char *p, const char *end, key_spec *ks)
{
    memset(ks, 0, sizeof(*ks));
    while (p < end && *p != '|') {
        const char *w = p;
        while (p < end && *p != ' ' && *p != '|') {
            p++;
        }
        for (size_t i = 0; i < NKS_NAMES; i++) {
            if (strlen(ks_names[i].name) == (size_t)(p - w) &&
                !memcmp(ks_names[i].name, w, (size_t)(p - w))) {
                ks->flags |= ks_names[i].bit;
            }
        }
        if (p < end && *p == ' ') {
            p++;
        }
    }
    p++; /* '|' */
    ks->begin = *p++;
    if (ks->begin == 'i') {
        ks->index = read_int(&p);
    } else if (ks->begin == 'k') {
        const char *kw = p;
        while (*p != ',') {
            p++;
        }
        ks->keyword = kstr_make(kw, (size_t)(p - kw));
        p++;
        ks->startfrom = read_int(&p);
    }
    p++; /* '|' */
    ks->find = *p++;
    if (ks->find == 'r') {
        ks->lastkey = read_int(&p);
        ks->keystep = read_int(&p);
        ks->limit = read_int(&p);
    } else if (ks->find == 'n') {
        ks->keynumidx = read_int(&p);
        ks->firstkey = read_int(&p);
        ks->keystep = read_int(&p);
    }
    if (p < end && *p == '|') {
        ks->notes = kstr_make(p + 1, (size_t)(end - p - 1));
    }
}

/* The key specs of cmd into out (at most MAX_KEY_SPECS); returns how many. */
static int command_key_specs(const command *cmd, key_spec *out)
{
    const cmd_doc *doc = doc_for(cmd);
    if (doc && doc->keyspecs) {
        int n = 0;
        const char *p = doc->keyspecs;
        while (*p && n < MAX_KEY_SPECS) {
            const char *eol = strchr(p, '\n');
            const char *end = eol ? eol : p + strlen(p);
            spec_parse(p, end, &out[n++]);
            p = eol ? eol + 1 : end;
        }
        return n;
    }
    if (cmd->first_key <= 0) {
        return 0;
    }
    key_spec *ks = &out[0];
    memset(ks, 0, sizeof(*ks));
    ks->flags = cmd->key_flags;
    ks->begin = 'i';
    ks->index = cmd->first_key;
    ks->find = 'r';
    ks->lastkey = cmd->last_key >= 0 ? cmd->last_key - cmd->first_key : cmd->last_key;
    ks->keystep = cmd->key_step;
    return 1;
}

static bool specs_movable(const key_spec *ks, int n)
{
    for (int i = 0; i < n; i++) {
        if (ks[i].begin != 'i' || ks[i].find != 'r') {
            return true;
        }
    }
    return false;
}

static size_t count_bits(uint32_t v)
{
    size_t n = 0;
    for (; v; v &= v - 1) {
        n++;
    }
    return n;
}

static void reply_ks_flags(reply_out *o, uint32_t flags)
{
    reply_aggregate(o, REPLY_SET, count_bits(flags & ((1u << 11) - 1)));
    for (size_t i = 0; i < NKS_NAMES; i++) {
        if (flags & ks_names[i].bit) {
            reply_simple(o, ks_names[i].name);
        }
    }
}

static void reply_key_spec(reply_out *o, const key_spec *ks)
{
    reply_map(o, ks->notes.len ? 4 : 3);
    if (ks->notes.len) {
        reply_bulk_cstr(o, "notes");
        reply_bulk(o, ks->notes.p, ks->notes.len);
    }
    reply_bulk_cstr(o, "flags");
    reply_ks_flags(o, ks->flags);

    reply_bulk_cstr(o, "begin_search");
    reply_map(o, 2);
    reply_bulk_cstr(o, "type");
    if (ks->begin == 'i') {
        reply_bulk_cstr(o, "index");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 1);
        reply_bulk_cstr(o, "index");
        reply_int(o, ks->index);
    } else if (ks->begin == 'k') {
        reply_bulk_cstr(o, "keyword");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 2);
        reply_bulk_cstr(o, "keyword");
        reply_bulk(o, ks->keyword.p, ks->keyword.len);
        reply_bulk_cstr(o, "startfrom");
        reply_int(o, ks->startfrom);
    } else {
        reply_bulk_cstr(o, "unknown");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 0);
    }

    reply_bulk_cstr(o, "find_keys");
    reply_map(o, 2);
    reply_bulk_cstr(o, "type");
    if (ks->find == 'r') {
        reply_bulk_cstr(o, "range");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 3);
        reply_bulk_cstr(o, "lastkey");
        reply_int(o, ks->lastkey);
        reply_bulk_cstr(o, "keystep");
        reply_int(o, ks->keystep);
        reply_bulk_cstr(o, "limit");
        reply_int(o, ks->limit);
    } else if (ks->find == 'n') {
        reply_bulk_cstr(o, "keynum");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 3);
        reply_bulk_cstr(o, "keynumidx");
        reply_int(o, ks->keynumidx);
        reply_bulk_cstr(o, "firstkey");
        reply_int(o, ks->firstkey);
        reply_bulk_cstr(o, "keystep");
        reply_int(o, ks->keystep);
    } else {
        reply_bulk_cstr(o, "unknown");
        reply_bulk_cstr(o, "spec");
        reply_map(o, 0);
    }
}

/* ---- ACL categories ---- */

/* In Redis's order, which is the order COMMAND INFO lists them in. */
static const char *const acl_names[] = {
    "keyspace", "read",  "write",    "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",   "stream",     "pubsub",      "admin",
    "fast",     "slow",  "blocking", "dangerous", "connection", "transaction", "scripting",
};
#define NACL (sizeof(acl_names) / sizeof(acl_names[0]))

static uint32_t acl_bit(const char *p, size_t len)
{
    for (size_t i = 0; i < NACL; i++) {
        if (strlen(acl_names[i]) == len && !strncasecmp(acl_names[i], p, len)) {
            return 1u << i;
        }
    }
    return 0;
}

#define ACL(name) acl_bit(name, sizeof(name) - 1)

static const struct {
    const char *group, *category;
} group_categories[] = {
    {"generic", "keyspace"},   {"string", "string"},       {"list", "list"},
    {"set", "set"},            {"sorted-set", "sortedset"}, {"hash", "hash"},
    {"pubsub", "pubsub"},      {"transactions", "transaction"},
    {"connection", "connection"}, {"scripting", "scripting"},
    {"hyperloglog", "hyperloglog"}, {"geo", "geo"},        {"stream", "stream"},
    {"bitmap", "bitmap"},
};

static uint32_t acl_categories(const command *cmd)
{
    uint32_t cats = 0;
    if (!cmd->subs && cmd->group) {
        for (size_t i = 0; i < sizeof(group_categories) / sizeof(group_categories[0]); i++) {
            if (!strcmp(cmd->group, group_categories[i].group)) {
                cats |= acl_bit(group_categories[i].category,
                                strlen(group_categories[i].category));
            }
        }
    }
    for (const char *p = cmd->acl; p && *p;) {
        while (*p == ' ') {
            p++;
        }
        bool remove = *p == '-';
        p += remove;
        const char *w = p;
        while (*p && *p != ' ') {
            p++;
        }
        uint32_t bit = acl_bit(w, (size_t)(p - w));
        cats = remove ? cats & ~bit : cats | bit;
    }
    uint32_t f = cmd->flags;
    if (f & CMD_WRITE) {
        cats |= ACL("write");
    }
    if ((f & CMD_READONLY) && !(cats & ACL("scripting"))) {
        cats |= ACL("read");
    }
    if (f & CMD_ADMIN) {
        cats |= ACL("admin") | ACL("dangerous");
    }
    if (f & CMD_PUBSUB) {
        cats |= ACL("pubsub");
    }
    if (f & CMD_FAST) {
        cats |= ACL("fast");
    }
    if (f & CMD_BLOCKING) {
        cats |= ACL("blocking");
    }
    if (!(cats & ACL("fast"))) {
        cats |= ACL("slow");
    }
    return cats;
}

/* ---- COMMAND INFO entries ---- */

/* Flags as COMMAND INFO names them, in Redis's order. may_replicate and sentinel are
 * real flags that Redis deliberately does not show; movablekeys is computed. */
enum { FLAG_MOVABLE = 1u << 31 };
static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_ASKING, "asking"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"},
    {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_NO_MULTI, "no_multi"},
    {FLAG_MOVABLE, "movablekeys"},
    {CMD_ALLOW_BUSY, "allow_busy"},
};
#define NFLAG_NAMES (sizeof(flag_names) / sizeof(flag_names[0]))

/* Number of space-separated words in s (NULL: none). */
static size_t count_words(const char *s)
{
    size_t n = 0;
    for (const char *p = s; p && *p;) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        n++;
        while (*p && *p != ' ') {
            p++;
        }
    }
    return n;
}

static void reply_words(reply_out *o, const char *s)
{
    for (const char *p = s; p && *p;) {
        while (*p == ' ') {
            p++;
        }
        const char *w = p;
        while (*p && *p != ' ') {
            p++;
        }
        if (p > w) {
            reply_bulk(o, w, (size_t)(p - w));
        }
    }
}

static void reply_command_info(reply_out *o, const command *cmd)
{
    key_spec specs[MAX_KEY_SPECS];
    int nspecs = command_key_specs(cmd, specs);
    uint32_t flags = cmd->flags | (specs_movable(specs, nspecs) ? FLAG_MOVABLE : 0);
    const cmd_doc *doc = doc_for(cmd);

    reply_array(o, 10);
    reply_bulk_cstr(o, cmd->fullname);
    reply_int(o, cmd->arity);
    size_t nflags = 0;
    for (size_t i = 0; i < NFLAG_NAMES; i++) {
        nflags += (flags & flag_names[i].bit) != 0;
    }
    reply_aggregate(o, REPLY_SET, nflags);
    for (size_t i = 0; i < NFLAG_NAMES; i++) {
        if (flags & flag_names[i].bit) {
            reply_simple(o, flag_names[i].name);
        }
    }
    reply_int(o, cmd->first_key);
    reply_int(o, cmd->last_key);
    reply_int(o, cmd->key_step);

    uint32_t cats = acl_categories(cmd);
    reply_aggregate(o, REPLY_SET, count_bits(cats));
    for (size_t i = 0; i < NACL; i++) {
        if (cats & (1u << i)) {
            char name[24];
            name[0] = '@';
            strcpy(name + 1, acl_names[i]);
            reply_simple(o, name);
        }
    }

    const char *tips = doc ? doc->tips : NULL;
    reply_aggregate(o, REPLY_SET, count_words(tips));
    reply_words(o, tips);

    reply_aggregate(o, REPLY_SET, (size_t)nspecs);
    for (int i = 0; i < nspecs; i++) {
        reply_key_spec(o, &specs[i]);
    }

    if (cmd->subs) {
        size_t n = 0;
        while (cmd->subs[n].name) {
            n++;
        }
        reply_array(o, n);
        for (size_t i = 0; i < n; i++) {
            reply_command_info(o, &cmd->subs[i]);
        }
    } else {
        reply_aggregate(o, REPLY_SET, 0);
    }
}

/* ---- COMMAND DOCS ---- */

enum { ARG_OPTIONAL = 1, ARG_MULTIPLE = 2, ARG_MULTIPLE_TOKEN = 4 };

typedef struct doc_arg {
    char type;
    kstr name, token, since, deprecated;
    bool has_token;
    int key_spec;          /* -1: not a key */
    unsigned flags;        /* ARG_* */
    const char *children;  /* first child, or NULL */
} doc_arg;

static const char *arg_type_name(char code)
{
    switch (code) {
    case 'k': return "key";
    case 's': return "string";
    case 'i': return "integer";
    case 'd': return "double";
    case 'p': return "pattern";
    case 't': return "unix-time";
    case 'T': return "pure-token";
    case 'o': return "oneof";
    case 'b': return "block";
    default: return "string";
    }
}

/* p is at '('; returns the position after the matching ')'. */
static const char *skip_group(const char *p)
{
    int depth = 0;
    do {
        if (*p == '`') {
            p = strchr(p + 1, '`');
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        }
        p++;
    } while (depth > 0 && *p);
    return p;
}

static kstr read_version(const char **p)
{
    const char *s = ++*p;
    while ((**p >= '0' && **p <= '9') || **p == '.') {
        (*p)++;
    }
    return kstr_make(s, (size_t)(*p - s));
}

/* Parses the argument at p; returns the position of the next sibling (or of the ')' or
 * NUL that ends the list). */
static const char *arg_parse(const char *p, doc_arg *a)
{
    memset(a, 0, sizeof(*a));
    a->key_spec = -1;
    a->type = *p++;
    const char *s = p;
    while (*p && !strchr("`#@!?*+( )", *p)) {
        p++;
    }
    a->name = kstr_make(s, (size_t)(p - s));
    for (;;) {
        switch (*p) {
        case '`':
            s = ++p;
            p = strchr(p, '`');
            a->token = kstr_make(s, (size_t)(p - s));
            a->has_token = true;
            p++;
            break;
        case '#':
            p++;
            a->key_spec = read_int(&p);
            break;
        case '@':
            a->since = read_version(&p);
            break;
        case '!':
            a->deprecated = read_version(&p);
            break;
        case '?':
            a->flags |= ARG_OPTIONAL;
            p++;
            break;
        case '*':
            a->flags |= ARG_MULTIPLE;
            p++;
            break;
        case '+':
            a->flags |= ARG_MULTIPLE_TOKEN;
            p++;
            break;
        case '(':
            a->children = p + 1;
            p = skip_group(p);
            break;
        default:
            return *p == ' ' ? p + 1 : p;
        }
    }
}

static void reply_args(reply_out *o, const char *list)
{
    size_t n = 0;
    doc_arg a;
    for (const char *p = list; *p && *p != ')'; n++) {
        p = arg_parse(p, &a);
    }
    reply_array(o, n);
    for (const char *p = list; *p && *p != ')';) {
        p = arg_parse(p, &a);
        size_t fields = 2 + (a.key_spec >= 0) + a.has_token + (a.since.len > 0) +
                        (a.deprecated.len > 0) + (a.flags != 0) + (a.children != NULL);
        reply_map(o, fields);
        reply_bulk_cstr(o, "name");
        reply_bulk(o, a.name.p, a.name.len);
        reply_bulk_cstr(o, "type");
        reply_bulk_cstr(o, arg_type_name(a.type));
        if (a.key_spec >= 0) {
            reply_bulk_cstr(o, "key_spec_index");
            reply_int(o, a.key_spec);
        }
        if (a.has_token) {
            reply_bulk_cstr(o, "token");
            reply_bulk(o, a.token.p, a.token.len);
        }
        if (a.since.len) {
            reply_bulk_cstr(o, "since");
            reply_bulk(o, a.since.p, a.since.len);
        }
        if (a.deprecated.len) {
            reply_bulk_cstr(o, "deprecated_since");
            reply_bulk(o, a.deprecated.p, a.deprecated.len);
        }
        if (a.flags) {
            reply_bulk_cstr(o, "flags");
            reply_aggregate(o, REPLY_SET, count_bits(a.flags));
            if (a.flags & ARG_OPTIONAL) {
                reply_simple(o, "optional");
            }
            if (a.flags & ARG_MULTIPLE) {
                reply_simple(o, "multiple");
            }
            if (a.flags & ARG_MULTIPLE_TOKEN) {
                reply_simple(o, "multiple_token");
            }
        }
        if (a.children) {
            reply_bulk_cstr(o, "arguments");
            reply_args(o, a.children);
        }
    }
}

static void reply_history(reply_out *o, const char *h)
{
    size_t n = 1;
    for (const char *p = h; *p; p++) {
        n += *p == '\n';
    }
    reply_aggregate(o, REPLY_SET, n);
    while (*h) {
        const char *tab = strchr(h, '\t');
        const char *eol = strchr(tab, '\n');
        const char *end = eol ? eol : tab + strlen(tab);
        reply_array(o, 2);
        reply_bulk(o, h, (size_t)(tab - h));
        reply_bulk(o, tab + 1, (size_t)(end - tab - 1));
        h = eol ? eol + 1 : end;
    }
}

static void reply_command_docs(reply_out *o, const command *cmd)
{
    const cmd_doc *doc = doc_for(cmd);
    static const cmd_doc none = {0};
    if (!doc) {
        doc = &none;
    }
    size_t fields = 1 + (cmd->summary != NULL) + (cmd->since != NULL) +
                    (cmd->complexity != NULL) + (doc->doc_flags != 0) +
                    (doc->deprecated_since != NULL) + (doc->replaced_by != NULL) +
                    (doc->history != NULL) + (doc->args != NULL) + (cmd->subs != NULL);
    reply_map(o, fields);
    if (cmd->summary) {
        reply_bulk_cstr(o, "summary");
        reply_bulk_cstr(o, cmd->summary);
    }
    if (cmd->since) {
        reply_bulk_cstr(o, "since");
        reply_bulk_cstr(o, cmd->since);
    }
    reply_bulk_cstr(o, "group");
    reply_bulk_cstr(o, cmd->group ? cmd->group : "generic");
    if (cmd->complexity) {
        reply_bulk_cstr(o, "complexity");
        reply_bulk_cstr(o, cmd->complexity);
    }
    if (doc->doc_flags) {
        reply_bulk_cstr(o, "doc_flags");
        reply_aggregate(o, REPLY_SET, count_bits((uint32_t)doc->doc_flags));
        if (doc->doc_flags & DOC_DEPRECATED) {
            reply_simple(o, "deprecated");
        }
        if (doc->doc_flags & DOC_SYSCMD) {
            reply_simple(o, "syscmd");
        }
    }
    if (doc->deprecated_since) {
        reply_bulk_cstr(o, "deprecated_since");
        reply_bulk_cstr(o, doc->deprecated_since);
    }
    if (doc->replaced_by) {
        reply_bulk_cstr(o, "replaced_by");
        reply_bulk_cstr(o, doc->replaced_by);
    }
    if (doc->history) {
        reply_bulk_cstr(o, "history");
        reply_history(o, doc->history);
    }
    if (doc->args) {
        reply_bulk_cstr(o, "arguments");
        reply_args(o, doc->args);
    }
    if (cmd->subs) {
        size_t n = 0;
        while (cmd->subs[n].name) {
            n++;
        }
        reply_bulk_cstr(o, "subcommands");
        reply_map(o, n);
        for (size_t i = 0; i < n; i++) {
            reply_bulk_cstr(o, cmd->subs[i].fullname);
            reply_command_docs(o, &cmd->subs[i]);
        }
    }
}

/* ---- lookups ---- */

/* "get" or "client|kill", case-insensitively; NULL when unknown. */
static command *lookup_fullname(kstr name)
{
    const char *bar = memchr(name.p, '|', name.len);
    if (!bar) {
        return command_lookup(name.p, name.len);
    }
    command *parent = command_lookup(name.p, (size_t)(bar - name.p));
    kstr rest = kstr_make(bar + 1, name.len - (size_t)(bar - name.p) - 1);
    if (!parent || !parent->subs || memchr(rest.p, '|', rest.len)) {
        return NULL;
    }
    return command_lookup_sub(parent, rest.p, rest.len);
}

/* The command an argument vector runs, as dispatch would pick it: the container itself
 * when it is given alone. */
static command *lookup_argv(const kstr *argv, int argc)
{
    command *cmd = command_lookup(argv[0].p, argv[0].len);
    if (cmd && cmd->subs && argc >= 2) {
        cmd = command_lookup_sub(cmd, argv[1].p, argv[1].len);
    }
    return cmd;
}

/* ---- handlers ---- */

static size_t count_subs(const command *cmd)
{
    size_t n = 0;
    while (cmd->subs && cmd->subs[n].name) {
        n++;
    }
    return n;
}

static void cmd_command(client *c)
{
    size_t n = command_total();
    reply_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        reply_command_info(&c->out, command_at(i));
    }
}

static void command_count(client *c)
{
    reply_int(&c->out, (long long)command_total());
}

static void command_info(client *c)
{
    if (c->argc == 2) {
        cmd_command(c);
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - 2));
    for (int i = 2; i < c->argc; i++) {
        command *cmd = lookup_fullname(c->argv[i]);
        if (cmd) {
            reply_command_info(&c->out, cmd);
        } else {
            reply_null(&c->out);
        }
    }
}

static void command_docs(client *c)
{
    if (c->argc == 2) {
        size_t n = command_total();
        reply_map(&c->out, n);
        for (size_t i = 0; i < n; i++) {
            reply_bulk_cstr(&c->out, command_at(i)->fullname);
            reply_command_docs(&c->out, command_at(i));
        }
        return;
    }
    size_t found = 0;
    for (int i = 2; i < c->argc; i++) {
        found += lookup_fullname(c->argv[i]) != NULL;
    }
    reply_map(&c->out, found);
    for (int i = 2; i < c->argc; i++) {
        command *cmd = lookup_fullname(c->argv[i]);
        if (cmd) {
            reply_bulk_cstr(&c->out, cmd->fullname);
            reply_command_docs(&c->out, cmd);
        }
    }
}

typedef struct list_filter {
    char kind;          /* 0 none, 'm' module, 'a' ACL category, 'p' pattern */
    uint32_t category;  /* 'a': 0 when the name is unknown (nothing matches) */
    kstr pattern;
} list_filter;

static bool list_match(const list_filter *f, const command *cmd)
{
    switch (f->kind) {
    case 'm':
        return false; /* no module commands */
    case 'a':
        return f->category && (acl_categories(cmd) & f->category);
    case 'p':
        return glob_match(f->pattern.p, f->pattern.len, cmd->fullname, strlen(cmd->fullname),
                          true);
    default:
        return true;
    }
}

static void command_list(client *c)
{
    list_filter f = {0};
    if (c->argc == 5 && kstr_is(c->argv[2], "filterby")) {
        kstr kind = c->argv[3], arg = c->argv[4];
        if (kstr_is(kind, "module")) {
            f.kind = 'm';
        } else if (kstr_is(kind, "aclcat")) {
            f.kind = 'a';
            f.category = acl_bit(arg.p, arg.len);
        } else if (kstr_is(kind, "pattern")) {
            f.kind = 'p';
            f.pattern = arg;
        } else {
            reply_syntax_error(c);
            return;
        }
    } else if (c->argc != 2) {
        reply_syntax_error(c);
        return;
    }
    void *len = reply_defer(&c->out);
    size_t n = 0;
    for (size_t i = 0; command_at(i); i++) {
        const command *cmd = command_at(i);
        if (list_match(&f, cmd)) {
            reply_bulk_cstr(&c->out, cmd->fullname);
            n++;
        }
        for (size_t j = 0; j < count_subs(cmd); j++) {
            if (list_match(&f, &cmd->subs[j])) {
                reply_bulk_cstr(&c->out, cmd->subs[j].fullname);
                n++;
            }
        }
    }
    reply_defer_set(&c->out, len, REPLY_ARRAY, n);
}

typedef struct key_ref {
    int pos;
    uint32_t flags;
} key_ref;

/* Finds the keys of argv (argv[0] is the command name) following the key specs, as
 * Redis's getKeysUsingKeySpecs does (specs with an unknown search are skipped; only the
 * commands keys_special handles have them). Returns the number of keys, or -1 when the
 * arguments contradict a spec (a key count past the end). out holds argc *
 * MAX_KEY_SPECS entries. */
static int keys_from_specs(const command *cmd, const kstr *argv, int argc, key_ref *out)
{
    key_spec specs[MAX_KEY_SPECS];
    int nspecs = command_key_specs(cmd, specs);
    int n = 0;
    for (int s = 0; s < nspecs; s++) {
        const key_spec *ks = &specs[s];
        if (ks->flags & KS_NOT_KEY) {
            continue;
        }
        int first = 0;
        if (ks->begin == 'i') {
            first = ks->index;
        } else if (ks->begin == 'k') {
            int start = ks->startfrom > 0 ? ks->startfrom : argc + ks->startfrom;
            int end = ks->startfrom > 0 ? argc - 1 : 0;
            for (int i = start; i != end; i += start <= end ? 1 : -1) {
                if (i >= argc || i < 1) {
                    break;
                }
                if (argv[i].len == ks->keyword.len &&
                    !strncasecmp(argv[i].p, ks->keyword.p, ks->keyword.len)) {
                    first = i + 1;
                    break;
                }
            }
            if (!first) {
                continue;
            }
        } else {
            continue;
        }
        int last, step;
        if (ks->find == 'r') {
            if (ks->lastkey >= 0) {
                last = first + ks->lastkey;
            } else if (!ks->limit) {
                last = argc + ks->lastkey;
            } else {
                last = first + ((argc - first) / ks->limit + ks->lastkey);
            }
            step = ks->keystep;
        } else if (ks->find == 'n') {
            long long numkeys;
            int at = first + ks->keynumidx;
            if (at >= argc || !str_to_ll(argv[at].p, argv[at].len, &numkeys) || numkeys < 0 ||
                numkeys > argc) {
                return -1;
            }
            first += ks->firstkey;
            last = first + (int)numkeys - 1;
            step = ks->keystep;
        } else {
            continue;
        }
        if (last >= argc || last < first || first >= argc) {
            return -1;
        }
        if (step < 1) {
            step = 1;
        }
        for (int i = first; i <= last; i += step) {
            out[n].pos = i;
            out[n].flags = ks->flags;
            n++;
        }
    }
    return n;
}

/* The five commands whose keys their specs cannot pin down (a VARIABLE_FLAGS,
 * INCOMPLETE or unknown spec) get Redis's per-command key finders: SET's key is written
 * only unless GET is given; BITFIELD is read-only with GET and OVERFLOW alone; SORT may
 * STORE into a second key; MIGRATE takes its keys after KEYS when the key argument is
 * empty. Returns -2 for any other command. */
static int keys_special(const command *cmd, const kstr *argv, int argc, key_ref *out)
{
    const char *name = cmd->fullname;
    if (!strcmp(name, "set")) {
        out[0].pos = 1;
        out[0].flags = KS_OW | KS_UPDATE;
        for (int i = 3; i < argc; i++) {
            if (kstr_is(argv[i], "get")) {
                out[0].flags = KS_RW | KS_ACCESS | KS_UPDATE;
                break;
            }
        }
        return 1;
    }
    if (!strcmp(name, "bitfield")) {
        bool readonly = true;
        for (int i = 2; i < argc && readonly; i++) {
            int more = argc - i - 1;
            if (kstr_is(argv[i], "get") && more >= 2) {
                i += 2;
            } else if (kstr_is(argv[i], "overflow") && more >= 1) {
                i += 1;
            } else {
                readonly = false; /* SET, INCRBY or a syntax error: assume a write */
            }
        }
        out[0].pos = 1;
        out[0].flags = readonly ? KS_RO | KS_ACCESS : KS_RW | KS_ACCESS | KS_UPDATE;
        return 1;
    }
    if (!strcmp(name, "sort") || !strcmp(name, "sort_ro")) {
        int n = 1;
        out[0].pos = 1;
        out[0].flags = KS_RO | KS_ACCESS;
        for (int i = 2; i < argc && !strcmp(name, "sort"); i++) {
            if (kstr_is(argv[i], "limit")) {
                i += 2;
            } else if (kstr_is(argv[i], "get") || kstr_is(argv[i], "by")) {
                i += 1;
            } else if (kstr_is(argv[i], "store") && i + 1 < argc) {
                out[1].pos = i + 1; /* the last STORE wins, as in SORT itself */
                out[1].flags = KS_OW | KS_UPDATE;
                n = 2;
            }
        }
        return n;
    }
    if (!strcmp(name, "migrate")) {
        int first = 3, num = 1;
        for (int i = 6; i < argc; i++) {
            if (kstr_is(argv[i], "keys")) {
                if (argv[3].len > 0) {
                    return 0; /* KEYS needs an empty key argument */
                }
                first = i + 1;
                num = argc - first;
                break;
            }
            if (kstr_is(argv[i], "auth")) {
                i += 1;
            } else if (kstr_is(argv[i], "auth2")) {
                i += 2;
            }
        }
        for (int i = 0; i < num; i++) {
            out[i].pos = first + i;
            out[i].flags = KS_RW | KS_ACCESS | KS_DELETE;
        }
        return num;
    }
    return -2;
}

static void getkeys(client *c, bool with_flags)
{
    const kstr *argv = c->argv + 2;
    int argc = c->argc - 2;
    command *cmd = lookup_argv(argv, argc);
    if (!cmd) {
        reply_error(&c->out, "ERR Invalid command specified");
        return;
    }
    key_spec specs[MAX_KEY_SPECS];
    int nspecs = command_key_specs(cmd, specs);
    bool has_keys = false;
    for (int i = 0; i < nspecs; i++) {
        has_keys |= !(specs[i].flags & KS_NOT_KEY);
    }
    if (!has_keys) {
        reply_error(&c->out, "ERR The command has no key arguments");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(&c->out, "ERR Invalid number of arguments specified for command");
        return;
    }
    key_ref *keys = kv_malloc(sizeof(key_ref) * (size_t)argc * MAX_KEY_SPECS);
    int n = keys_special(cmd, argv, argc, keys);
    if (n == -2) {
        n = keys_from_specs(cmd, argv, argc, keys);
    }
    if (n <= 0) {
        if (cmd->flags & CMD_NO_MANDATORY_KEYS) {
            reply_empty_array(&c->out);
        } else {
            reply_error(&c->out, "ERR Invalid arguments specified for command");
        }
        kv_free(keys);
        return;
    }
    reply_array(&c->out, (size_t)n);
    for (int i = 0; i < n; i++) {
        const kstr *k = &argv[keys[i].pos];
        if (with_flags) {
            reply_array(&c->out, 2);
            reply_bulk(&c->out, k->p, k->len);
            reply_ks_flags(&c->out, keys[i].flags);
        } else {
            reply_bulk(&c->out, k->p, k->len);
        }
    }
    kv_free(keys);
}

static void command_getkeys(client *c)
{
    getkeys(c, false);
}

static void command_getkeysandflags(client *c)
{
    getkeys(c, true);
}

static void command_help(client *c)
{
    static const char *const help[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
        NULL};
    reply_subcommand_help(c, help);
}

#define CMDF (CMD_LOADING | CMD_STALE)
#define GETKEYS_COMPLEXITY "O(N) where N is the number of arguments to the command"

static command command_subs[] = {
    {"count", command_count, 2, CMDF, 0, 0, 0, 0, "server",
     "Get total number of Redis commands", "2.8.13", "O(1)", "connection", NULL},
    {"docs", command_docs, -2, CMDF, 0, 0, 0, 0, "server",
     "Get array of specific Redis command documentation", "7.0.0",
     "O(N) where N is the number of commands to look up", "connection", NULL},
    {"getkeys", command_getkeys, -4, CMDF, 0, 0, 0, 0, "server",
     "Extract keys given a full Redis command", "2.8.13", GETKEYS_COMPLEXITY, "connection",
     NULL},
    {"getkeysandflags", command_getkeysandflags, -4, CMDF, 0, 0, 0, 0, "server",
     "Extract keys and access flags given a full Redis command", "7.0.0", GETKEYS_COMPLEXITY,
     "connection", NULL},
    {"help", command_help, 2, CMDF, 0, 0, 0, 0, "server",
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", "connection", NULL},
    {"info", command_info, -2, CMDF, 0, 0, 0, 0, "server",
     "Get array of specific Redis command details, or all when no argument is given.",
     "2.8.13", "O(N) where N is the number of commands to look up", "connection", NULL},
    {"list", command_list, -2, CMDF, 0, 0, 0, 0, "server", "Get an array of Redis command names",
     "7.0.0", "O(N) where N is the total number of Redis commands", "connection", NULL},
    {0},
};

command command_commands[] = {
    {"command", cmd_command, -1, CMDF, 0, 0, 0, 0, "server",
     "Get array of Redis command details", "2.8.13",
     "O(N) where N is the total number of Redis commands", "connection", command_subs},
    {0},
};

/* ---- the documentation table ----
 *
 * Sorted by name (bytewise), searched with bsearch. Regenerate from a reference
 * redis-server rather than editing by hand when Redis's documentation changes.
 */

static const cmd_doc docs[] = {
    {"acl|cat",
        .args = "scategoryname?"},
    {"acl|deluser",
        .args = "susername*"},
    {"acl|dryrun",
        .args = "susername scommand sarg?*"},
    {"acl|genpass",
        .args = "ibits?"},
    {"acl|getuser",
        .args = "susername",
        .history = "6.2.0\tAdded Pub/Sub channel patterns.\n7.0.0\tAdded selectors and changed "
        "the format of key and channel patterns from a list to their rule representation."},
    {"acl|log",
        .args = "ooperation?(icount Treset`RESET`)"},
    {"acl|setuser",
        .args = "susername srule?*",
        .history = "6.2.0\tAdded Pub/Sub channel patterns.\n7.0.0\tAdded selectors and key based "
        "permissions."},
    {"append",
        .args = "kkey#0 svalue"},
    {"auth",
        .args = "susername@6.0.0? spassword",
        .history = "6.0.0\tAdded ACL style (username and password)."},
    {"bgsave",
        .args = "Tschedule`SCHEDULE`@3.2.2?",
        .history = "3.2.2\tAdded the `SCHEDULE` option."},
    {"bitcount",
        .args = "kkey#0 bindex?(istart iend oindex_unit@7.0.0?(Tbyte`BYTE` Tbit`BIT`))",
        .history = "7.0.0\tAdded the `BYTE|BIT` option."},
    {"bitfield",
        .args = "kkey#0 ooperation?*(bencoding_offset`GET`(sencoding ioffset) "
        "bwrite(owrap_sat_fail`OVERFLOW`?(Twrap`WRAP` Tsat`SAT` Tfail`FAIL`) "
        "owrite_operation(bencoding_offset_value`SET`(sencoding ioffset ivalue) "
        "bencoding_offset_increment`INCRBY`(sencoding ioffset iincrement))))",
        .keyspecs = "RW access update variable_flags|i1|r0,1,0|This command allows both access "
        "and modification of the key"},
    {"bitfield_ro",
        .args = "kkey#0 bencoding_offset`GET`?*+(sencoding ioffset)"},
    {"bitop",
        .args = "soperation kdestkey#0 kkey#1*",
        .keyspecs = "OW update|i2|r0,1,0\nRO access|i3|r-1,1,0"},
    {"bitpos",
        .args = "kkey#0 ibit bindex?(istart bend_index?(iend oindex_unit@7.0.0?(Tbyte`BYTE` "
        "Tbit`BIT`)))",
        .history = "7.0.0\tAdded the `BYTE|BIT` option."},
    {"blmove",
        .args = "ksource#0 kdestination#1 owherefrom(Tleft`LEFT` Tright`RIGHT`) "
        "owhereto(Tleft`LEFT` Tright`RIGHT`) dtimeout",
        .keyspecs = "RW access delete|i1|r0,1,0\nRW insert|i2|r0,1,0"},
    {"blmpop",
        .args = "dtimeout inumkeys kkey#0* owhere(Tleft`LEFT` Tright`RIGHT`) icount`COUNT`?",
        .keyspecs = "RW access delete|i2|n0,1,1"},
    {"blpop",
        .args = "kkey#0* dtimeout",
        .history = "6.0.0\t`timeout` is interpreted as a double instead of an integer."},
    {"brpop",
        .args = "kkey#0* dtimeout",
        .history = "6.0.0\t`timeout` is interpreted as a double instead of an integer."},
    {"brpoplpush",
        .args = "ksource#0 kdestination#1 dtimeout",
        .history = "6.0.0\t`timeout` is interpreted as a double instead of an integer.",
        .keyspecs = "RW access delete|i1|r0,1,0\nRW insert|i2|r0,1,0",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments"},
    {"bzmpop",
        .args = "dtimeout inumkeys kkey#0* owhere(Tmin`MIN` Tmax`MAX`) icount`COUNT`?",
        .keyspecs = "RW access delete|i2|n0,1,1"},
    {"bzpopmax",
        .args = "kkey#0* dtimeout",
        .history = "6.0.0\t`timeout` is interpreted as a double instead of an integer."},
    {"bzpopmin",
        .args = "kkey#0* dtimeout",
        .history = "6.0.0\t`timeout` is interpreted as a double instead of an integer."},
    {"client|caching",
        .args = "omode(Tyes`YES` Tno`NO`)"},
    {"client|info",
        .tips = "nondeterministic_output"},
    {"client|kill",
        .args = "ofilter(sip:port!2.8.12 onew-format*(iclient-id`ID`@2.8.12? "
        "onormal_master_slave_pubsub`TYPE`@2.8.12?(Tnormal`NORMAL` Tmaster`MASTER`@3.2.0 "
        "Tslave`SLAVE` Treplica`REPLICA`@5.0.0 Tpubsub`PUBSUB`) susername`USER`? sip:port`ADDR`? "
        "sip:port`LADDR`@6.2.0? syes/no`SKIPME`?))",
        .history = "2.8.12\tAdded new filter format.\n2.8.12\t`ID` option.\n3.2.0\tAdded "
        "`master` type in for `TYPE` option.\n5.0.0\tReplaced `slave` `TYPE` with `replica`. "
        "`slave` still supported for backward compatibility.\n6.2.0\t`LADDR` option."},
    {"client|list",
        .args = "onormal_master_replica_pubsub`TYPE`@5.0.0?(Tnormal`NORMAL` Tmaster`MASTER` "
        "Treplica`REPLICA` Tpubsub`PUBSUB`) bid`ID`@6.2.0?(iclient-id*)",
        .history = "2.8.12\tAdded unique client `id` field.\n5.0.0\tAdded optional `TYPE` "
        "filter.\n6.0.0\tAdded `user` field.\n6.2.0\tAdded `argv-mem`, `tot-mem`, `laddr` and "
        "`redir` fields and the optional `ID` filter.\n7.0.0\tAdded `resp`, `multi-mem`, `rbs` "
        "and `rbp` fields.\n7.0.3\tAdded `ssub` field.",
        .tips = "nondeterministic_output"},
    {"client|no-evict",
        .args = "oenabled(Ton`ON` Toff`OFF`)"},
    {"client|pause",
        .args = "itimeout omode@6.2.0?(Twrite`WRITE` Tall`ALL`)",
        .history = "6.2.0\t`CLIENT PAUSE WRITE` mode added along with the `mode` option."},
    {"client|reply",
        .args = "oon_off_skip(Ton`ON` Toff`OFF` Tskip`SKIP`)"},
    {"client|setname",
        .args = "sconnection-name"},
    {"client|tracking",
        .args = "ostatus(Ton`ON` Toff`OFF`) iclient-id`REDIRECT`? sprefix`PREFIX`?*+ "
        "Tbcast`BCAST`? Toptin`OPTIN`? Toptout`OPTOUT`? Tnoloop`NOLOOP`?"},
    {"client|unblock",
        .args = "iclient-id otimeout_error?(Ttimeout`TIMEOUT` Terror`ERROR`)"},
    {"cluster|addslots",
        .args = "islot*"},
    {"cluster|addslotsrange",
        .args = "bstart-slot_end-slot*(istart-slot iend-slot)"},
    {"cluster|bumpepoch",
        .tips = "nondeterministic_output"},
    {"cluster|count-failure-reports",
        .args = "snode-id",
        .tips = "nondeterministic_output"},
    {"cluster|countkeysinslot",
        .args = "islot"},
    {"cluster|delslots",
        .args = "islot*"},
    {"cluster|delslotsrange",
        .args = "bstart-slot_end-slot*(istart-slot iend-slot)"},
    {"cluster|failover",
        .args = "ooptions?(Tforce`FORCE` Ttakeover`TAKEOVER`)"},
    {"cluster|forget",
        .args = "snode-id"},
    {"cluster|getkeysinslot",
        .args = "islot icount",
        .tips = "nondeterministic_output"},
    {"cluster|info",
        .tips = "nondeterministic_output"},
    {"cluster|keyslot",
        .args = "skey"},
    {"cluster|links",
        .tips = "nondeterministic_output"},
    {"cluster|meet",
        .args = "sip iport icluster_bus_port@4.0.0?",
        .history = "4.0.0\tAdded the optional `cluster_bus_port` argument."},
    {"cluster|nodes",
        .tips = "nondeterministic_output"},
    {"cluster|replicas",
        .args = "snode-id",
        .tips = "nondeterministic_output"},
    {"cluster|replicate",
        .args = "snode-id"},
    {"cluster|reset",
        .args = "ohard_soft?(Thard`HARD` Tsoft`SOFT`)"},
    {"cluster|set-config-epoch",
        .args = "iconfig-epoch"},
    {"cluster|setslot",
        .args = "islot osubcommand(snode-id`IMPORTING` snode-id`MIGRATING` snode-id`NODE` "
        "Tstable`STABLE`)"},
    {"cluster|shards",
        .tips = "nondeterministic_output"},
    {"cluster|slaves",
        .args = "snode-id",
        .tips = "nondeterministic_output",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "5.0.0",
        .replaced_by = "`CLUSTER REPLICAS`"},
    {"cluster|slots",
        .history = "4.0.0\tAdded node IDs.\n7.0.0\tAdded additional networking metadata field.",
        .tips = "nondeterministic_output",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "7.0.0",
        .replaced_by = "`CLUSTER SHARDS`"},
    {"command",
        .tips = "nondeterministic_output_order"},
    {"command|docs",
        .args = "scommand-name?*",
        .tips = "nondeterministic_output_order"},
    {"command|info",
        .args = "scommand-name?*",
        .history = "7.0.0\tAllowed to be called with no argument to get info on all commands.",
        .tips = "nondeterministic_output_order"},
    {"command|list",
        .args = "ofilterby`FILTERBY`?(smodule-name`MODULE` scategory`ACLCAT` ppattern`PATTERN`)",
        .tips = "nondeterministic_output_order"},
    {"config|get",
        .args = "bparameter*(sparameter)",
        .history = "7.0.0\tAdded the ability to pass multiple pattern parameters in one call"},
    {"config|set",
        .args = "bparameter_value*(sparameter svalue)",
        .history = "7.0.0\tAdded the ability to set multiple parameters in one call.",
        .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {"copy",
        .args = "ksource#0 kdestination#1 idestination-db`DB`? Treplace`REPLACE`?",
        .keyspecs = "RO access|i1|r0,1,0\nOW update|i2|r0,1,0"},
    {"dbsize",
        .tips = "request_policy:all_shards response_policy:agg_sum"},
    {"debug",
        .doc_flags = DOC_SYSCMD},
    {"decr",
        .args = "kkey#0"},
    {"decrby",
        .args = "kkey#0 idecrement"},
    {"del",
        .args = "kkey#0*",
        .tips = "request_policy:multi_shard response_policy:agg_sum"},
    {"dump",
        .args = "kkey#0",
        .tips = "nondeterministic_output"},
    {"echo",
        .args = "smessage"},
    {"eval",
        .args = "sscript inumkeys kkey#0?* sarg?*",
        .keyspecs = "RW access update|i2|n0,1,1|We cannot tell how the keys will be used so we "
        "assume the worst, RW and UPDATE"},
    {"eval_ro",
        .args = "sscript inumkeys kkey#0?* sarg?*",
        .keyspecs = "RO access|i2|n0,1,1|We cannot tell how the keys will be used so we assume "
        "the worst, RO and ACCESS"},
    {"evalsha",
        .args = "ssha1 inumkeys kkey#0?* sarg?*",
        .keyspecs = "RW access update|i2|n0,1,1"},
    {"evalsha_ro",
        .args = "ssha1 inumkeys kkey#0?* sarg?*",
        .keyspecs = "RO access|i2|n0,1,1"},
    {"exists",
        .args = "kkey#0*",
        .history = "3.0.3\tAccepts multiple `key` arguments.",
        .tips = "request_policy:multi_shard response_policy:agg_sum"},
    {"expire",
        .args = "kkey#0 iseconds ocondition@7.0.0?(Tnx`NX` Txx`XX` Tgt`GT` Tlt`LT`)",
        .history = "7.0.0\tAdded options: `NX`, `XX`, `GT` and `LT`."},
    {"expireat",
        .args = "kkey#0 tunix-time-seconds ocondition@7.0.0?(Tnx`NX` Txx`XX` Tgt`GT` Tlt`LT`)",
        .history = "7.0.0\tAdded options: `NX`, `XX`, `GT` and `LT`."},
    {"expiretime",
        .args = "kkey#0"},
    {"failover",
        .args = "btarget`TO`?(shost iport Tforce`FORCE`?) Tabort`ABORT`? imilliseconds`TIMEOUT`?"},
    {"fcall",
        .args = "sfunction inumkeys kkey#0?* sarg?*",
        .keyspecs = "RW access update|i2|n0,1,1|We cannot tell how the keys will be used so we "
        "assume the worst, RW and UPDATE"},
    {"fcall_ro",
        .args = "sfunction inumkeys kkey#0?* sarg?*",
        .keyspecs = "RO access|i2|n0,1,1|We cannot tell how the keys will be used so we assume "
        "the worst, RO and ACCESS"},
    {"flushall",
        .args = "oasync?(Tasync`ASYNC`@4.0.0 Tsync`SYNC`@6.2.0)",
        .history = "4.0.0\tAdded the `ASYNC` flushing mode modifier.\n6.2.0\tAdded the `SYNC` "
        "flushing mode modifier.",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"flushdb",
        .args = "oasync?(Tasync`ASYNC`@4.0.0 Tsync`SYNC`@6.2.0)",
        .history = "4.0.0\tAdded the `ASYNC` flushing mode modifier.\n6.2.0\tAdded the `SYNC` "
        "flushing mode modifier.",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"function|delete",
        .args = "slibrary-name",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"function|flush",
        .args = "oasync?(Tasync`ASYNC` Tsync`SYNC`)",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"function|kill",
        .tips = "request_policy:all_shards response_policy:one_succeeded"},
    {"function|list",
        .args = "slibrary-name-pattern`LIBRARYNAME`? Twithcode`WITHCODE`?",
        .tips = "nondeterministic_output_order"},
    {"function|load",
        .args = "Treplace`REPLACE`? sfunction-code",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"function|restore",
        .args = "sserialized-value opolicy?(Tflush`FLUSH` Tappend`APPEND` Treplace`REPLACE`)",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"function|stats",
        .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"geoadd",
        .args = "kkey#0 ocondition@6.2.0?(Tnx`NX` Txx`XX`) Tchange`CH`@6.2.0? "
        "blongitude_latitude_member*(dlongitude dlatitude smember)",
        .history = "6.2.0\tAdded the `CH`, `NX` and `XX` options."},
    {"geodist",
        .args = "kkey#0 smember1 smember2 ounit?(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`)"},
    {"geohash",
        .args = "kkey#0 smember*"},
    {"geopos",
        .args = "kkey#0 smember*"},
    {"georadius",
        .args = "kkey#0 dlongitude dlatitude dradius ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`) "
        "Twithcoord`WITHCOORD`? Twithdist`WITHDIST`? Twithhash`WITHHASH`? bcount?(icount`COUNT` "
        "Tany`ANY`@6.2.0?) oorder?(Tasc`ASC` Tdesc`DESC`) kkey`STORE`#1? kkey`STOREDIST`#2?",
        .history = "6.2.0\tAdded the `ANY` option for `COUNT`.\n7.0.0\tAdded support for "
        "uppercase unit names.",
        .keyspecs = "RO access|i1|r0,1,0\nOW update|kSTORE,6|r0,1,0\nOW "
        "update|kSTOREDIST,6|r0,1,0",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"},
    {"georadius_ro",
        .args = "kkey#0 dlongitude dlatitude dradius ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`) "
        "Twithcoord`WITHCOORD`? Twithdist`WITHDIST`? Twithhash`WITHHASH`? bcount?(icount`COUNT` "
        "Tany`ANY`@6.2.0?) oorder?(Tasc`ASC` Tdesc`DESC`)",
        .history = "6.2.0\tAdded the `ANY` option for `COUNT`.",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument"},
    {"georadiusbymember",
        .args = "kkey#0 smember dradius ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`) "
        "Twithcoord`WITHCOORD`? Twithdist`WITHDIST`? Twithhash`WITHHASH`? bcount?(icount`COUNT` "
        "Tany`ANY`?) oorder?(Tasc`ASC` Tdesc`DESC`) kkey`STORE`#1? kkey`STOREDIST`#2?",
        .history = "7.0.0\tAdded support for uppercase unit names.",
        .keyspecs = "RO access|i1|r0,1,0\nOW update|kSTORE,5|r0,1,0\nOW "
        "update|kSTOREDIST,5|r0,1,0",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` "
        "arguments"},
    {"georadiusbymember_ro",
        .args = "kkey#0 smember dradius ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`) "
        "Twithcoord`WITHCOORD`? Twithdist`WITHDIST`? Twithhash`WITHHASH`? bcount?(icount`COUNT` "
        "Tany`ANY`?) oorder?(Tasc`ASC` Tdesc`DESC`)",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"},
    {"geosearch",
        .args = "kkey#0 ofrom(smember`FROMMEMBER` blongitude_latitude`FROMLONLAT`(dlongitude "
        "dlatitude)) oby(bcircle(dradius`BYRADIUS` ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`)) "
        "bbox(dwidth`BYBOX` dheight ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`))) oorder?(Tasc`ASC` "
        "Tdesc`DESC`) bcount?(icount`COUNT` Tany`ANY`?) Twithcoord`WITHCOORD`? "
        "Twithdist`WITHDIST`? Twithhash`WITHHASH`?",
        .history = "7.0.0\tAdded support for uppercase unit names."},
    {"geosearchstore",
        .args = "kdestination#0 ksource#1 ofrom(smember`FROMMEMBER` "
        "blongitude_latitude`FROMLONLAT`(dlongitude dlatitude)) oby(bcircle(dradius`BYRADIUS` "
        "ounit(Tm`M` Tkm`KM` Tft`FT` Tmi`MI`)) bbox(dwidth`BYBOX` dheight ounit(Tm`M` Tkm`KM` "
        "Tft`FT` Tmi`MI`))) oorder?(Tasc`ASC` Tdesc`DESC`) bcount?(icount`COUNT` Tany`ANY`?) "
        "Tstoredist`STOREDIST`?",
        .history = "7.0.0\tAdded support for uppercase unit names.",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|r0,1,0"},
    {"get",
        .args = "kkey#0"},
    {"getbit",
        .args = "kkey#0 ioffset"},
    {"getdel",
        .args = "kkey#0"},
    {"getex",
        .args = "kkey#0 oexpiration?(iseconds`EX` imilliseconds`PX` tunix-time-seconds`EXAT` "
        "tunix-time-milliseconds`PXAT` Tpersist`PERSIST`)",
        .keyspecs = "RW access update|i1|r0,1,0|RW and UPDATE because it changes the TTL"},
    {"getrange",
        .args = "kkey#0 istart iend"},
    {"getset",
        .args = "kkey#0 svalue",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`SET` with the `!GET` argument"},
    {"hdel",
        .args = "kkey#0 sfield*",
        .history = "2.4.0\tAccepts multiple `field` arguments."},
    {"hello",
        .args = "barguments?(iprotover busername_password`AUTH`?(susername spassword) "
        "sclientname`SETNAME`?)",
        .history = "6.2.0\t`protover` made optional; when called without arguments the command "
        "reports the current connection's context."},
    {"hexists",
        .args = "kkey#0 sfield"},
    {"hget",
        .args = "kkey#0 sfield"},
    {"hgetall",
        .args = "kkey#0",
        .tips = "nondeterministic_output_order"},
    {"hincrby",
        .args = "kkey#0 sfield iincrement"},
    {"hincrbyfloat",
        .args = "kkey#0 sfield dincrement"},
    {"hkeys",
        .args = "kkey#0",
        .tips = "nondeterministic_output_order"},
    {"hlen",
        .args = "kkey#0"},
    {"hmget",
        .args = "kkey#0 sfield*"},
    {"hmset",
        .args = "kkey#0 bfield_value*(sfield svalue)",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "4.0.0",
        .replaced_by = "`HSET` with multiple field-value pairs"},
    {"hrandfield",
        .args = "kkey#0 boptions?(icount Twithvalues`WITHVALUES`?)",
        .tips = "nondeterministic_output"},
    {"hscan",
        .args = "kkey#0 icursor ppattern`MATCH`? icount`COUNT`?",
        .tips = "nondeterministic_output"},
    {"hset",
        .args = "kkey#0 bfield_value*(sfield svalue)",
        .history = "4.0.0\tAccepts multiple `field` and `value` arguments."},
    {"hsetnx",
        .args = "kkey#0 sfield svalue"},
    {"hstrlen",
        .args = "kkey#0 sfield"},
    {"hvals",
        .args = "kkey#0",
        .tips = "nondeterministic_output_order"},
    {"incr",
        .args = "kkey#0"},
    {"incrby",
        .args = "kkey#0 iincrement"},
    {"incrbyfloat",
        .args = "kkey#0 dincrement"},
    {"info",
        .args = "ssection?*",
        .history = "7.0.0\tAdded support for taking multiple section arguments.",
        .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"keys",
        .args = "ppattern",
        .tips = "request_policy:all_shards nondeterministic_output_order"},
    {"lastsave",
        .tips = "nondeterministic_output"},
    {"latency|doctor",
        .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {"latency|graph",
        .args = "sevent",
        .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {"latency|histogram",
        .args = "scommand?*",
        .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {"latency|history",
        .args = "sevent",
        .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {"latency|latest",
        .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {"latency|reset",
        .args = "sevent?*",
        .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {"lcs",
        .args = "kkey1#0 kkey2#0 Tlen`LEN`? Tidx`IDX`? ilen`MINMATCHLEN`? "
        "Twithmatchlen`WITHMATCHLEN`?"},
    {"lindex",
        .args = "kkey#0 iindex"},
    {"linsert",
        .args = "kkey#0 owhere(Tbefore`BEFORE` Tafter`AFTER`) spivot selement"},
    {"llen",
        .args = "kkey#0"},
    {"lmove",
        .args = "ksource#0 kdestination#1 owherefrom(Tleft`LEFT` Tright`RIGHT`) "
        "owhereto(Tleft`LEFT` Tright`RIGHT`)",
        .keyspecs = "RW access delete|i1|r0,1,0\nRW insert|i2|r0,1,0"},
    {"lmpop",
        .args = "inumkeys kkey#0* owhere(Tleft`LEFT` Tright`RIGHT`) icount`COUNT`?",
        .keyspecs = "RW access delete|i1|n0,1,1"},
    {"lolwut",
        .args = "iversion`VERSION`?"},
    {"lpop",
        .args = "kkey#0 icount@6.2.0?",
        .history = "6.2.0\tAdded the `count` argument."},
    {"lpos",
        .args = "kkey#0 selement irank`RANK`? inum-matches`COUNT`? ilen`MAXLEN`?"},
    {"lpush",
        .args = "kkey#0 selement*",
        .history = "2.4.0\tAccepts multiple `element` arguments."},
    {"lpushx",
        .args = "kkey#0 selement*",
        .history = "4.0.0\tAccepts multiple `element` arguments."},
    {"lrange",
        .args = "kkey#0 istart istop"},
    {"lrem",
        .args = "kkey#0 icount selement"},
    {"lset",
        .args = "kkey#0 iindex selement"},
    {"ltrim",
        .args = "kkey#0 istart istop"},
    {"memory|doctor",
        .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"memory|malloc-stats",
        .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"memory|purge",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"memory|stats",
        .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"memory|usage",
        .args = "kkey#0 icount`SAMPLES`?"},
    {"mget",
        .args = "kkey#0*",
        .tips = "request_policy:multi_shard"},
    {"migrate",
        .args = "shost iport okey_or_empty_string(kkey#0 Tempty_string``) idestination-db "
        "itimeout Tcopy`COPY`@3.0.0? Treplace`REPLACE`@3.0.0? "
        "oauthentication?(spassword`AUTH`@4.0.7? busername_password`AUTH2`@6.0.0?(susername "
        "spassword)) kkey`KEYS`#1@3.0.6?*",
        .history = "3.0.0\tAdded the `COPY` and `REPLACE` options.\n3.0.6\tAdded the `KEYS` "
        "option.\n4.0.7\tAdded the `AUTH` option.\n6.0.0\tAdded the `AUTH2` option.",
        .tips = "nondeterministic_output",
        .keyspecs = "RW access delete|i3|r0,1,0\nRW access delete incomplete|kKEYS,-2|r-1,1,0"},
    {"module|list",
        .tips = "nondeterministic_output_order"},
    {"module|load",
        .args = "spath sarg?*"},
    {"module|loadex",
        .args = "spath bconfigs`CONFIG`?*+(sname svalue) bargs`ARGS`?*(sarg)"},
    {"module|unload",
        .args = "sname"},
    {"move",
        .args = "kkey#0 idb"},
    {"mset",
        .args = "bkey_value*(kkey#0 svalue)",
        .tips = "request_policy:multi_shard response_policy:all_succeeded"},
    {"msetnx",
        .args = "bkey_value*(kkey#0 svalue)",
        .tips = "request_policy:multi_shard response_policy:agg_min"},
    {"object|encoding",
        .args = "kkey#0",
        .tips = "nondeterministic_output"},
    {"object|freq",
        .args = "kkey#0",
        .tips = "nondeterministic_output"},
    {"object|idletime",
        .args = "kkey#0",
        .tips = "nondeterministic_output"},
    {"object|refcount",
        .args = "kkey#0",
        .tips = "nondeterministic_output"},
    {"persist",
        .args = "kkey#0"},
    {"pexpire",
        .args = "kkey#0 imilliseconds ocondition@7.0.0?(Tnx`NX` Txx`XX` Tgt`GT` Tlt`LT`)",
        .history = "7.0.0\tAdded options: `NX`, `XX`, `GT` and `LT`."},
    {"pexpireat",
        .args = "kkey#0 tunix-time-milliseconds ocondition@7.0.0?(Tnx`NX` Txx`XX` Tgt`GT` "
        "Tlt`LT`)",
        .history = "7.0.0\tAdded options: `NX`, `XX`, `GT` and `LT`."},
    {"pexpiretime",
        .args = "kkey#0"},
    {"pfadd",
        .args = "kkey#0 selement?*"},
    {"pfcount",
        .args = "kkey#0*",
        .keyspecs = "RW access|i1|r-1,1,0|RW because it may change the internal representation "
        "of the key, and propagate to replicas"},
    {"pfdebug",
        .args = "ssubcommand kkey#0",
        .doc_flags = DOC_SYSCMD},
    {"pfmerge",
        .args = "kdestkey#0 ksourcekey#1*",
        .keyspecs = "RW access insert|i1|r0,1,0\nRO access|i2|r-1,1,0"},
    {"pfselftest",
        .doc_flags = DOC_SYSCMD},
    {"ping",
        .args = "smessage?",
        .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {"psetex",
        .args = "kkey#0 imilliseconds svalue"},
    {"psubscribe",
        .args = "bpattern*(ppattern)"},
    {"psync",
        .args = "sreplicationid ioffset"},
    {"pttl",
        .args = "kkey#0",
        .history = "2.8.0\tAdded the -2 reply.",
        .tips = "nondeterministic_output"},
    {"publish",
        .args = "schannel smessage"},
    {"pubsub|channels",
        .args = "ppattern?"},
    {"pubsub|numsub",
        .args = "schannel?*"},
    {"pubsub|shardchannels",
        .args = "ppattern?"},
    {"pubsub|shardnumsub",
        .args = "sshardchannel?*"},
    {"punsubscribe",
        .args = "ppattern?*"},
    {"randomkey",
        .tips = "request_policy:all_shards nondeterministic_output"},
    {"rename",
        .args = "kkey#0 knewkey#1",
        .keyspecs = "RW access delete|i1|r0,1,0\nOW update|i2|r0,1,0"},
    {"renamenx",
        .args = "kkey#0 knewkey#1",
        .history = "3.2.0\tThe command no longer returns an error when source and destination "
        "names are the same.",
        .keyspecs = "RW access delete|i1|r0,1,0\nOW insert|i2|r0,1,0"},
    {"replconf",
        .doc_flags = DOC_SYSCMD},
    {"replicaof",
        .args = "oargs(bhost-port(shost iport) bno-one(Tno`NO` Tone`ONE`))"},
    {"restore",
        .args = "kkey#0 ittl sserialized-value Treplace`REPLACE`@3.0.0? Tabsttl`ABSTTL`@5.0.0? "
        "iseconds`IDLETIME`@5.0.0? ifrequency`FREQ`@5.0.0?",
        .history = "3.0.0\tAdded the `REPLACE` modifier.\n5.0.0\tAdded the `ABSTTL` "
        "modifier.\n5.0.0\tAdded the `IDLETIME` and `FREQ` options."},
    {"restore-asking",
        .args = "kkey#0 ittl sserialized-value Treplace`REPLACE`@3.0.0? Tabsttl`ABSTTL`@5.0.0? "
        "iseconds`IDLETIME`@5.0.0? ifrequency`FREQ`@5.0.0?",
        .history = "3.0.0\tAdded the `REPLACE` modifier.\n5.0.0\tAdded the `ABSTTL` "
        "modifier.\n5.0.0\tAdded the `IDLETIME` and `FREQ` options.",
        .doc_flags = DOC_SYSCMD},
    {"rpop",
        .args = "kkey#0 icount@6.2.0?",
        .history = "6.2.0\tAdded the `count` argument."},
    {"rpoplpush",
        .args = "ksource#0 kdestination#1",
        .keyspecs = "RW access delete|i1|r0,1,0\nRW insert|i2|r0,1,0",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments"},
    {"rpush",
        .args = "kkey#0 selement*",
        .history = "2.4.0\tAccepts multiple `element` arguments."},
    {"rpushx",
        .args = "kkey#0 selement*",
        .history = "4.0.0\tAccepts multiple `element` arguments."},
    {"sadd",
        .args = "kkey#0 smember*",
        .history = "2.4.0\tAccepts multiple `member` arguments."},
    {"scan",
        .args = "icursor ppattern`MATCH`? icount`COUNT`? stype`TYPE`@6.0.0?",
        .history = "6.0.0\tAdded the `TYPE` subcommand.",
        .tips = "nondeterministic_output request_policy:special"},
    {"scard",
        .args = "kkey#0"},
    {"script|debug",
        .args = "omode(Tyes`YES` Tsync`SYNC` Tno`NO`)"},
    {"script|exists",
        .args = "ssha1*",
        .tips = "request_policy:all_shards response_policy:agg_logical_and"},
    {"script|flush",
        .args = "oasync@6.2.0?(Tasync`ASYNC` Tsync`SYNC`)",
        .history = "6.2.0\tAdded the `ASYNC` and `SYNC` flushing mode modifiers.",
        .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {"script|kill",
        .tips = "request_policy:all_shards response_policy:one_succeeded"},
    {"script|load",
        .args = "sscript",
        .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {"sdiff",
        .args = "kkey#0*",
        .tips = "nondeterministic_output_order"},
    {"sdiffstore",
        .args = "kdestination#0 kkey#1*",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|r-1,1,0"},
    {"select",
        .args = "iindex"},
    {"set",
        .args = "kkey#0 svalue ocondition@2.6.12?(Tnx`NX` Txx`XX`) Tget`GET`@6.2.0? "
        "oexpiration?(iseconds`EX`@2.6.12 imilliseconds`PX`@2.6.12 "
        "tunix-time-seconds`EXAT`@6.2.0 tunix-time-milliseconds`PXAT`@6.2.0 "
        "Tkeepttl`KEEPTTL`@6.0.0)",
        .history = "2.6.12\tAdded the `EX`, `PX`, `NX` and `XX` options.\n6.0.0\tAdded the "
        "`KEEPTTL` option.\n6.2.0\tAdded the `GET`, `EXAT` and `PXAT` option.\n7.0.0\tAllowed "
        "the `NX` and `GET` options to be used together.",
        .keyspecs = "RW access update variable_flags|i1|r0,1,0|RW and ACCESS due to the optional "
        "`GET` argument"},
    {"setbit",
        .args = "kkey#0 ioffset ivalue"},
    {"setex",
        .args = "kkey#0 iseconds svalue"},
    {"setnx",
        .args = "kkey#0 svalue"},
    {"setrange",
        .args = "kkey#0 ioffset svalue"},
    {"shutdown",
        .args = "onosave_save?(Tnosave`NOSAVE` Tsave`SAVE`) Tnow`NOW`@7.0.0? "
        "Tforce`FORCE`@7.0.0? Tabort`ABORT`@7.0.0?",
        .history = "7.0.0\tAdded the `NOW`, `FORCE` and `ABORT` modifiers."},
    {"sinter",
        .args = "kkey#0*",
        .tips = "nondeterministic_output_order"},
    {"sintercard",
        .args = "inumkeys kkey#0* ilimit`LIMIT`?",
        .keyspecs = "RO access|i1|n0,1,1"},
    {"sinterstore",
        .args = "kdestination#0 kkey#1*",
        .keyspecs = "RW update|i1|r0,1,0\nRO access|i2|r-1,1,0"},
    {"sismember",
        .args = "kkey#0 smember"},
    {"slaveof",
        .args = "oargs(bhost-port(shost iport) bno-one(Tno`NO` Tone`ONE`))",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "5.0.0",
        .replaced_by = "`REPLICAOF`"},
    {"slowlog|get",
        .args = "icount?",
        .history = "4.0.0\tAdded client IP address, port and name to the reply.",
        .tips = "request_policy:all_nodes nondeterministic_output"},
    {"slowlog|len",
        .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output"},
    {"slowlog|reset",
        .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {"smembers",
        .args = "kkey#0",
        .tips = "nondeterministic_output_order"},
    {"smismember",
        .args = "kkey#0 smember*"},
    {"smove",
        .args = "ksource#0 kdestination#1 smember",
        .keyspecs = "RW access delete|i1|r0,1,0\nRW insert|i2|r0,1,0"},
    {"sort",
        .args = "kkey#0 ppattern`BY`#1? boffset_count`LIMIT`?(ioffset icount) ppattern`GET`#1?*+ "
        "oorder?(Tasc`ASC` Tdesc`DESC`) Tsorting`ALPHA`? kdestination`STORE`#2?",
        .keyspecs = "RO access|i1|r0,1,0\nRO access|u|u|For the optional BY/GET keyword. It is "
        "marked 'unknown' because the key names derive from the content of the key we sort\nOW "
        "update|u|u|For the optional STORE keyword. It is marked 'unknown' because the keyword "
        "can appear anywhere in the argument array"},
    {"sort_ro",
        .args = "kkey#0 ppattern`BY`#1? boffset_count`LIMIT`?(ioffset icount) ppattern`GET`#1?*+ "
        "oorder?(Tasc`ASC` Tdesc`DESC`) Tsorting`ALPHA`?",
        .keyspecs = "RO access|i1|r0,1,0\nRO access|u|u|For the optional BY/GET keyword. It is "
        "marked 'unknown' because the key names derive from the content of the key we sort"},
    {"spop",
        .args = "kkey#0 icount@3.2.0?",
        .history = "3.2.0\tAdded the `count` argument.",
        .tips = "nondeterministic_output"},
    {"spublish",
        .args = "sshardchannel smessage"},
    {"srandmember",
        .args = "kkey#0 icount@2.6.0?",
        .history = "2.6.0\tAdded the optional `count` argument.",
        .tips = "nondeterministic_output"},
    {"srem",
        .args = "kkey#0 smember*",
        .history = "2.4.0\tAccepts multiple `member` arguments."},
    {"sscan",
        .args = "kkey#0 icursor ppattern`MATCH`? icount`COUNT`?",
        .tips = "nondeterministic_output"},
    {"ssubscribe",
        .args = "sshardchannel*"},
    {"strlen",
        .args = "kkey#0"},
    {"subscribe",
        .args = "schannel*"},
    {"substr",
        .args = "kkey#0 istart iend",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "2.0.0",
        .replaced_by = "`GETRANGE`"},
    {"sunion",
        .args = "kkey#0*",
        .tips = "nondeterministic_output_order"},
    {"sunionstore",
        .args = "kdestination#0 kkey#1*",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|r-1,1,0"},
    {"sunsubscribe",
        .args = "sshardchannel?*"},
    {"swapdb",
        .args = "iindex1 iindex2"},
    {"time",
        .tips = "nondeterministic_output"},
    {"touch",
        .args = "kkey#0*",
        .tips = "request_policy:multi_shard response_policy:agg_sum"},
    {"ttl",
        .args = "kkey#0",
        .history = "2.8.0\tAdded the -2 reply.",
        .tips = "nondeterministic_output"},
    {"type",
        .args = "kkey#0"},
    {"unlink",
        .args = "kkey#0*",
        .tips = "request_policy:multi_shard response_policy:agg_sum"},
    {"unsubscribe",
        .args = "schannel?*"},
    {"wait",
        .args = "inumreplicas itimeout",
        .tips = "request_policy:all_shards response_policy:agg_min"},
    {"watch",
        .args = "kkey#0*"},
    {"xack",
        .args = "kkey#0 sgroup sid*"},
    {"xadd",
        .args = "kkey#0 Tnomkstream`NOMKSTREAM`@6.2.0? btrim?(ostrategy(Tmaxlen`MAXLEN` "
        "Tminid`MINID`@6.2.0) ooperator?(Tequal`=` Tapproximately`~`) sthreshold "
        "icount`LIMIT`@6.2.0?) oid_or_auto(Tauto_id`*` sid) bfield_value*(sfield svalue)",
        .history = "6.2.0\tAdded the `NOMKSTREAM` option, `MINID` trimming strategy and the "
        "`LIMIT` option.\n7.0.0\tAdded support for the `<ms>-*` explicit ID form.",
        .tips = "nondeterministic_output",
        .keyspecs = "RW update|i1|r0,1,0|UPDATE instead of INSERT because of the optional "
        "trimming feature"},
    {"xautoclaim",
        .args = "kkey#0 sgroup sconsumer smin-idle-time sstart icount`COUNT`? Tjustid`JUSTID`?",
        .history = "7.0.0\tAdded an element to the reply array, containing deleted entries the "
        "command cleared from the PEL",
        .tips = "nondeterministic_output"},
    {"xclaim",
        .args = "kkey#0 sgroup sconsumer smin-idle-time sid* ims`IDLE`? "
        "tunix-time-milliseconds`TIME`? icount`RETRYCOUNT`? Tforce`FORCE`? Tjustid`JUSTID`? "
        "sid`LASTID`?",
        .tips = "nondeterministic_output"},
    {"xdel",
        .args = "kkey#0 sid*"},
    {"xgroup|create",
        .args = "kkey#0 sgroupname oid(sid Tnew_id`$`) Tmkstream`MKSTREAM`? "
        "ientries_read`ENTRIESREAD`?",
        .history = "7.0.0\tAdded the `entries_read` named argument."},
    {"xgroup|createconsumer",
        .args = "kkey#0 sgroupname sconsumername"},
    {"xgroup|delconsumer",
        .args = "kkey#0 sgroupname sconsumername"},
    {"xgroup|destroy",
        .args = "kkey#0 sgroupname"},
    {"xgroup|setid",
        .args = "kkey#0 sgroupname oid(sid Tnew_id`$`) ientries_read`ENTRIESREAD`?",
        .history = "7.0.0\tAdded the optional `entries_read` argument."},
    {"xinfo|consumers",
        .args = "kkey#0 sgroupname",
        .tips = "nondeterministic_output"},
    {"xinfo|groups",
        .args = "kkey#0",
        .history = "7.0.0\tAdded the `entries-read` and `lag` fields"},
    {"xinfo|stream",
        .args = "kkey#0 bfull`FULL`?(icount`COUNT`?)",
        .history = "6.0.0\tAdded the `FULL` modifier.\n7.0.0\tAdded the `max-deleted-entry-id`, "
        "`entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"},
    {"xlen",
        .args = "kkey#0"},
    {"xpending",
        .args = "kkey#0 sgroup bfilters?(imin-idle-time`IDLE`@6.2.0? sstart send icount "
        "sconsumer?)",
        .history = "6.2.0\tAdded the `IDLE` option and exclusive range intervals.",
        .tips = "nondeterministic_output"},
    {"xrange",
        .args = "kkey#0 sstart send icount`COUNT`?",
        .history = "6.2.0\tAdded exclusive ranges."},
    {"xread",
        .args = "icount`COUNT`? imilliseconds`BLOCK`? bstreams`STREAMS`(kkey#0* sid*)",
        .keyspecs = "RO access|kSTREAMS,1|r-1,1,2"},
    {"xreadgroup",
        .args = "bgroup_consumer`GROUP`(sgroup sconsumer) icount`COUNT`? imilliseconds`BLOCK`? "
        "Tnoack`NOACK`? bstreams`STREAMS`(kkey#0* sid*)",
        .keyspecs = "RO access|kSTREAMS,4|r-1,1,2"},
    {"xrevrange",
        .args = "kkey#0 send sstart icount`COUNT`?",
        .history = "6.2.0\tAdded exclusive ranges."},
    {"xsetid",
        .args = "kkey#0 slast-id ientries_added`ENTRIESADDED`@7.0.0? "
        "smax_deleted_entry_id`MAXDELETEDID`@7.0.0?",
        .history = "7.0.0\tAdded the `entries_added` and `max_deleted_entry_id` arguments."},
    {"xtrim",
        .args = "kkey#0 btrim(ostrategy(Tmaxlen`MAXLEN` Tminid`MINID`@6.2.0) "
        "ooperator?(Tequal`=` Tapproximately`~`) sthreshold icount`LIMIT`@6.2.0?)",
        .history = "6.2.0\tAdded the `MINID` trimming strategy and the `LIMIT` option.",
        .tips = "nondeterministic_output"},
    {"zadd",
        .args = "kkey#0 ocondition@3.0.2?(Tnx`NX` Txx`XX`) ocomparison@6.2.0?(Tgt`GT` Tlt`LT`) "
        "Tchange`CH`@3.0.2? Tincrement`INCR`@3.0.2? bscore_member*(dscore smember)",
        .history = "2.4.0\tAccepts multiple elements.\n3.0.2\tAdded the `XX`, `NX`, `CH` and "
        "`INCR` options.\n6.2.0\tAdded the `GT` and `LT` options."},
    {"zcard",
        .args = "kkey#0"},
    {"zcount",
        .args = "kkey#0 dmin dmax"},
    {"zdiff",
        .args = "inumkeys kkey#0* Twithscores`WITHSCORES`?",
        .keyspecs = "RO access|i1|n0,1,1"},
    {"zdiffstore",
        .args = "kdestination#0 inumkeys kkey#1*",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|n0,1,1"},
    {"zincrby",
        .args = "kkey#0 iincrement smember"},
    {"zinter",
        .args = "inumkeys kkey#0* iweight`WEIGHTS`?* oaggregate`AGGREGATE`?(Tsum`SUM` Tmin`MIN` "
        "Tmax`MAX`) Twithscores`WITHSCORES`?",
        .keyspecs = "RO access|i1|n0,1,1"},
    {"zintercard",
        .args = "inumkeys kkey#0* ilimit`LIMIT`?",
        .keyspecs = "RO access|i1|n0,1,1"},
    {"zinterstore",
        .args = "kdestination#0 inumkeys kkey#1* iweight`WEIGHTS`?* "
        "oaggregate`AGGREGATE`?(Tsum`SUM` Tmin`MIN` Tmax`MAX`)",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|n0,1,1"},
    {"zlexcount",
        .args = "kkey#0 smin smax"},
    {"zmpop",
        .args = "inumkeys kkey#0* owhere(Tmin`MIN` Tmax`MAX`) icount`COUNT`?",
        .keyspecs = "RW access delete|i1|n0,1,1"},
    {"zmscore",
        .args = "kkey#0 smember*"},
    {"zpopmax",
        .args = "kkey#0 icount?"},
    {"zpopmin",
        .args = "kkey#0 icount?"},
    {"zrandmember",
        .args = "kkey#0 boptions?(icount Twithscores`WITHSCORES`?)",
        .tips = "nondeterministic_output"},
    {"zrange",
        .args = "kkey#0 sstart sstop osortby@6.2.0?(Tbyscore`BYSCORE` Tbylex`BYLEX`) "
        "Trev`REV`@6.2.0? boffset_count`LIMIT`@6.2.0?(ioffset icount) Twithscores`WITHSCORES`?",
        .history = "6.2.0\tAdded the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."},
    {"zrangebylex",
        .args = "kkey#0 smin smax boffset_count`LIMIT`?(ioffset icount)",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`ZRANGE` with the `BYLEX` argument"},
    {"zrangebyscore",
        .args = "kkey#0 dmin dmax Twithscores`WITHSCORES`@2.0.0? boffset_count`LIMIT`?(ioffset "
        "icount)",
        .history = "2.0.0\tAdded the `WITHSCORES` modifier.",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`ZRANGE` with the `BYSCORE` argument"},
    {"zrangestore",
        .args = "kdst#0 ksrc#1 smin smax osortby?(Tbyscore`BYSCORE` Tbylex`BYLEX`) Trev`REV`? "
        "boffset_count`LIMIT`?(ioffset icount)",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|r0,1,0"},
    {"zrank",
        .args = "kkey#0 smember"},
    {"zrem",
        .args = "kkey#0 smember*",
        .history = "2.4.0\tAccepts multiple elements."},
    {"zremrangebylex",
        .args = "kkey#0 smin smax"},
    {"zremrangebyrank",
        .args = "kkey#0 istart istop"},
    {"zremrangebyscore",
        .args = "kkey#0 dmin dmax"},
    {"zrevrange",
        .args = "kkey#0 istart istop Twithscores`WITHSCORES`?",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`ZRANGE` with the `REV` argument"},
    {"zrevrangebylex",
        .args = "kkey#0 smax smin boffset_count`LIMIT`?(ioffset icount)",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`ZRANGE` with the `REV` and `BYLEX` arguments"},
    {"zrevrangebyscore",
        .args = "kkey#0 dmax dmin Twithscores`WITHSCORES`? boffset_count`LIMIT`?(ioffset icount)",
        .history = "2.1.6\t`min` and `max` can be exclusive.",
        .doc_flags = DOC_DEPRECATED,
        .deprecated_since = "6.2.0",
        .replaced_by = "`ZRANGE` with the `REV` and `BYSCORE` arguments"},
    {"zrevrank",
        .args = "kkey#0 smember"},
    {"zscan",
        .args = "kkey#0 icursor ppattern`MATCH`? icount`COUNT`?",
        .tips = "nondeterministic_output"},
    {"zscore",
        .args = "kkey#0 smember"},
    {"zunion",
        .args = "inumkeys kkey#0* iweight`WEIGHTS`?* oaggregate`AGGREGATE`?(Tsum`SUM` Tmin`MIN` "
        "Tmax`MAX`) Twithscores`WITHSCORES`?",
        .keyspecs = "RO access|i1|n0,1,1"},
    {"zunionstore",
        .args = "kdestination#0 inumkeys kkey#1* iweight`WEIGHTS`?* "
        "oaggregate`AGGREGATE`?(Tsum`SUM` Tmin`MIN` Tmax`MAX`)",
        .keyspecs = "OW update|i1|r0,1,0\nRO access|i2|n0,1,1"},
};

static int doc_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const cmd_doc *)elem)->name);
}

static const cmd_doc *doc_for(const command *cmd)
{
    char name[sizeof(cmd->fullname)];
    size_t i = 0;
    for (; cmd->fullname[i] && i < sizeof(name) - 1; i++) {
        char ch = cmd->fullname[i];
        name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    name[i] = '\0';
    return bsearch(name, docs, sizeof(docs) / sizeof(docs[0]), sizeof(docs[0]), doc_cmp);
}
