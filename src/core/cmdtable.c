/* cmdtable.c - the registry: every command family contributes its table, registered here
 * once at start-up into a case-insensitive lookup table.
 *
 * Family tables live beside their handlers (types/string.c, cmd/keys.c, ...) and end with
 * an entry whose name is NULL. To add a family, declare its table in core/families.h and
 * list it below.
 *
 * The lookup runs once per request, so it is a flat open-addressed array rather than the
 * keyed ht: names are short and the set is fixed at start-up, clients can only look up
 * (never insert), so an unkeyed case-folding hash cannot be used to degrade it, and a
 * probe is a multiply per byte plus one compare instead of SipHash, strlen and
 * strncasecmp.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/command.h"
#include "core/families.h"

static command *const families[] = {
    conn_commands,   string_commands,  keys_commands,
    server_commands, command_commands, multi_commands,
    list_commands,   hash_commands,    set_commands,
    zset_commands,   pubsub_commands,
    memory_commands,
    aof_commands,
};

#define LOOKUP_SLOTS 1024 /* power of two, at least 4x the commands: short probes */
#define NAME_MAX_LEN 255

static command *slots[LOOKUP_SLOTS];
static uint8_t slot_len[LOOKUP_SLOTS];
static command **all;
static size_t nall;

static inline unsigned char fold(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
}

/* FNV-1a over the bytes with bit 5 set: 'A' and 'a' hash alike; other bytes that only
 * differ in that bit collide, which the compare sorts out. */
static inline uint32_t name_hash(const char *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ ((unsigned char)p[i] | 0x20u)) * 16777619u;
    }
    return h ^ (h >> 16);
}

/* name is a table name (lowercase); p the client's bytes in any case. */
static inline bool name_eq(const char *name, const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] != fold((unsigned char)p[i])) {
            return false;
        }
    }
    return true;
}

static void table_put(command *c)
{
    size_t len = strlen(c->name);
    if (len > NAME_MAX_LEN || nall >= LOOKUP_SLOTS / 4) {
        log_warning("command table: cannot register '%s'", c->name);
        abort();
    }
    for (size_t i = 0; i < len; i++) {
        if (fold((unsigned char)c->name[i]) != (unsigned char)c->name[i]) {
            log_warning("command table: name '%s' is not lowercase", c->name);
            abort();
        }
    }
    uint32_t i = name_hash(c->name, len) & (LOOKUP_SLOTS - 1);
    while (slots[i]) {
        i = (i + 1) & (LOOKUP_SLOTS - 1);
    }
    slots[i] = c;
    slot_len[i] = (uint8_t)len;
}

void command_setup(void)
{
    for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        for (command *c = families[f]; c->name; c++) {
            snprintf(c->fullname, sizeof(c->fullname), "%s", c->name);
            for (command *s = c->subs; s && s->name; s++) {
                s->parent = c;
                snprintf(s->fullname, sizeof(s->fullname), "%s|%s", c->name, s->name);
            }
            table_put(c);
            all = kv_realloc(all, sizeof(command *) * (nall + 1));
            all[nall++] = c;
        }
    }
}

command *command_lookup(const char *name, size_t len)
{
    if (len == 0 || len > NAME_MAX_LEN) {
        return NULL;
    }
    uint32_t i = name_hash(name, len) & (LOOKUP_SLOTS - 1);
    for (command *c; (c = slots[i]) != NULL; i = (i + 1) & (LOOKUP_SLOTS - 1)) {
        if (slot_len[i] == len && name_eq(c->name, name, len)) {
            return c;
        }
    }
    return NULL;
}

command *command_lookup_sub(const command *parent, const char *name, size_t len)
{
    for (command *s = parent->subs; s && s->name; s++) {
        if (strlen(s->name) == len && strncasecmp(s->name, name, len) == 0) {
            return s;
        }
    }
    return NULL;
}

command *command_at(size_t i)
{
    return i < nall ? all[i] : NULL;
}

size_t command_total(void)
{
    return nall;
}
