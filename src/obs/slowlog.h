/* slowlog.h - the slow log: commands slower than slowlog-log-slower-than µs, newest first,
 * at most slowlog-max-len entries; entries copy (truncated) arguments, as Redis does. */
#ifndef KV_SLOWLOG_H
#define KV_SLOWLOG_H

#include "core/client.h"

void slowlog_push(client *c, long long duration_us);
void slowlog_reset(void);
void slowlog_trim(void);     /* after slowlog-max-len shrinks */
void cmd_slowlog_get(client *c);
void cmd_slowlog_len(client *c);
void cmd_slowlog_reset(client *c);
void cmd_slowlog_help(client *c);

#endif
