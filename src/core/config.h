/* config.h - the directive table: config files, `--name value` flags, CONFIG GET/SET.
 *
 * Directive names are Redis's. A name Redis knows that Kvik does not implement yet is
 * accepted at start-up with a logged warning (so existing redis.conf files still start);
 * a name Redis does not know, or a bad value, stops start-up with file, line and reason
 * in Redis's words.
 */
#ifndef KV_CONFIG_H
#define KV_CONFIG_H

#include <stdbool.h>

#include "core/client.h"

void config_set_defaults(void);
/* Loads the file (may be NULL) and then the command-line options text ("port 7000\n...").
 * On error prints Redis's FATAL CONFIG FILE ERROR block to stderr and returns -1. */
int config_load(const char *file, const char *options);
/* Warnings collected while loading (unimplemented directives), logged once the log is up. */
void config_log_warnings(void);

void cmd_config_get(client *c);
void cmd_config_set(client *c);
void cmd_config_resetstat(client *c);
void cmd_config_rewrite(client *c);
void cmd_config_help(client *c);

#endif
