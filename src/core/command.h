/* command.h - the command table: one declaration per command drives dispatch and COMMAND.
 *
 * A declaration names the handler, arity (negative: at least -arity arguments, the command
 * name included), flags, key positions (first, last, step; last -1 = the last argument,
 * -2 = the one before), the ACL/doc group and the one-line summary. Commands with
 * subcommands (CLIENT, CONFIG, ...) list them in `subs`, each a full declaration whose
 * name is the subcommand ("setname"); the container has no handler of its own unless it
 * also works without a subcommand.
 *
 * Handlers are `void cmd_name(client *c)`: argument checks that the table can express
 * (arity, auth, flags) are done by dispatch before the call.
 */
#ifndef KV_COMMAND_H
#define KV_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "base/kstr.h"

struct client;
typedef void cmd_fn(struct client *c);

enum {
    CMD_WRITE = 1 << 0,
    CMD_READONLY = 1 << 1,
    CMD_DENYOOM = 1 << 2,
    CMD_ADMIN = 1 << 3,
    CMD_PUBSUB = 1 << 4,
    CMD_NOSCRIPT = 1 << 5,
    CMD_BLOCKING = 1 << 6,
    CMD_LOADING = 1 << 7,
    CMD_STALE = 1 << 8,
    CMD_SKIP_MONITOR = 1 << 9,
    CMD_SKIP_SLOWLOG = 1 << 10,
    CMD_FAST = 1 << 11,
    CMD_NO_AUTH = 1 << 12,
    CMD_MAY_REPLICATE = 1 << 13,
    CMD_NO_MULTI = 1 << 14,
    CMD_ALLOW_BUSY = 1 << 15,
    CMD_SENTINEL = 1 << 16,
    CMD_NO_MANDATORY_KEYS = 1 << 17,
    CMD_NO_ASYNC_LOADING = 1 << 18,
    CMD_ASKING = 1 << 19,
};

/* Key-spec flags as COMMAND INFO names them. */
enum {
    KS_RO = 1 << 0,
    KS_RW = 1 << 1,
    KS_OW = 1 << 2,
    KS_RM = 1 << 3,
    KS_ACCESS = 1 << 4,
    KS_UPDATE = 1 << 5,
    KS_INSERT = 1 << 6,
    KS_DELETE = 1 << 7,
    KS_NOT_KEY = 1 << 8,
    KS_INCOMPLETE = 1 << 9,
    KS_VARIABLE_FLAGS = 1 << 10,
};

typedef struct command_stats {
    long long calls, usec, rejected_calls, failed_calls;
} command_stats;

typedef struct command {
    const char *name;
    cmd_fn *fn;
    int arity;
    uint32_t flags;
    int first_key, last_key, key_step;
    uint32_t key_flags;         /* KS_* for the key spec */
    const char *group;          /* "string", "generic", "connection", "server" */
    const char *summary;
    const char *since;
    const char *complexity;
    const char *acl;            /* extra ACL categories, space separated ("keyspace") */
    struct command *subs;       /* NULL-name terminated */
    struct command *parent;     /* set at start-up for subcommands */
    command_stats stats;
    char fullname[48];          /* "get" or "client|setname", set at start-up */
} command;

void command_setup(void);
/* Looks up by name (case-insensitive); NULL when unknown. */
command *command_lookup(const char *name, size_t len);
command *command_lookup_sub(const command *parent, const char *name, size_t len);
/* Iterates over top-level commands: i from 0 until NULL. */
command *command_at(size_t i);
size_t command_total(void);   /* COMMAND COUNT */

/* Calls fn for the position in argv of each key of the request (argv[0] is the command
 * name), as COMMAND GETKEYS finds them; returns how many (0 when the arguments do not
 * fit the command's key specs). */
typedef void command_key_fn(void *priv, int pos);
int command_for_each_key(const command *cmd, const kstr *argv, int argc, command_key_fn *fn,
                         void *priv);

#endif
