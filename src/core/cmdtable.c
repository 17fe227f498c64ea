/* cmdtable.c - the registry: every command family contributes its table, registered here
 * once at start-up into a case-insensitive lookup table.
 *
 * Family tables live beside their handlers (types/string.c, cmd/keys.c, ...) and end with
 * an entry whose name is NULL. To add a family, declare its table in core/families.h and
 * list it below.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "core/command.h"
#include "core/families.h"
#include "ds/ht.h"

static command *const families[] = {
    conn_commands,   string_commands,  keys_commands,
    server_commands, command_commands, multi_commands,
    list_commands,   hash_commands,    set_commands,
    zset_commands,
};

static ht *table;
static command **all;
static size_t nall;

typedef struct name_key {
    const char *p;
    size_t len;
} name_key;

static uint64_t cmd_hash(const void *e)
{
    const command *c = e;
    return hash_nocase(c->name, strlen(c->name));
}

static bool cmd_match(const void *e, const void *key)
{
    const command *c = e;
    const name_key *k = key;
    return strlen(c->name) == k->len && strncasecmp(c->name, k->p, k->len) == 0;
}

static const ht_type cmd_type = {cmd_hash, cmd_match, NULL};

void command_setup(void)
{
    table = ht_create(&cmd_type);
    for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        for (command *c = families[f]; c->name; c++) {
            snprintf(c->fullname, sizeof(c->fullname), "%s", c->name);
            for (command *s = c->subs; s && s->name; s++) {
                s->parent = c;
                snprintf(s->fullname, sizeof(s->fullname), "%s|%s", c->name, s->name);
            }
            ht_insert(table, hash_nocase(c->name, strlen(c->name)), c);
            all = kv_realloc(all, sizeof(command *) * (nall + 1));
            all[nall++] = c;
        }
    }
}

command *command_lookup(const char *name, size_t len)
{
    name_key k = {name, len};
    return ht_find(table, hash_nocase(name, len), &k);
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
