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
#include "cmd/command_docs.h"

/* The documentation supplement (arguments, history, tips, key specs) is in
 * command_docs.c. */

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
    const cmd_doc *doc = command_doc_for(cmd);
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
    const cmd_doc *doc = command_doc_for(cmd);

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
    const cmd_doc *doc = command_doc_for(cmd);
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
            const command *cmd = command_at(i);
            reply_bulk(&c->out, cmd->fullname, strlen(cmd->fullname));
            reply_command_docs(&c->out, cmd);
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

int command_for_each_key(const command *cmd, const kstr *argv, int argc, command_key_fn *fn,
                         void *priv)
{
    key_ref small[16];
    size_t need = (size_t)argc * MAX_KEY_SPECS;
    key_ref *keys = need <= sizeof(small) / sizeof(small[0]) ? small
                                                            : kv_malloc(sizeof(key_ref) * need);
    int n = keys_special(cmd, argv, argc, keys);
    if (n == -2) {
        n = keys_from_specs(cmd, argv, argc, keys);
    }
    for (int i = 0; i < n; i++) {
        fn(priv, keys[i].pos);
    }
    if (keys != small) {
        kv_free(keys);
    }
    return n < 0 ? 0 : n;
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
