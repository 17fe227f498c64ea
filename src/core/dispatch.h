/* dispatch.h - from a parsed request to a handler: lookup, arity, auth, the command
 * clock, stats, slowlog and MONITOR feed. */
#ifndef KV_DISPATCH_H
#define KV_DISPATCH_H

#include "core/client.h"

/* Reads the clocks; call before a batch of commands (each read or resume). */
void dispatch_clock_reset(void);
void dispatch_command(client *c);
/* Runs a resolved command with stats, slow log and MONITOR (EXEC replays through it). */
void dispatch_call(client *c, command *cmd);
void dispatch_client_gone(client *c); /* drops the client from monitor lists */
void dispatch_add_monitor(client *c);
size_t dispatch_monitor_count(void);

/* Shared argument helpers: on failure they reply with Redis's error and return false. */
bool arg_ll_or_reply(client *c, kstr a, long long *out);
bool arg_ll_range_or_reply(client *c, kstr a, long long min, long long max, long long *out,
                           const char *msg);
bool arg_double_or_reply(client *c, kstr a, double *out);
void reply_syntax_error(client *c);
void reply_wrongtype(client *c);
void reply_subcommand_help(client *c, const char *const *lines);

#define ERR_WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NOT_INT "ERR value is not an integer or out of range"
#define ERR_NOT_FLOAT "ERR value is not a valid float"
#define ERR_SYNTAX "ERR syntax error"

#endif
