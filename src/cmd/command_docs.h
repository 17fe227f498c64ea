/* command_docs.h - what a command table row cannot say: the documentation supplement
 * COMMAND DOCS and COMMAND INFO read (argument trees, history, doc flags, tips, and key
 * specs richer than one index/range). It covers every Redis 7.0 command, so a family gets
 * its documentation the day its rows land. Generated from a reference redis-server 7.0's
 * own COMMAND DOCS / COMMAND INFO replies by scripts/gen_command_docs.py.
 */
#ifndef KV_COMMAND_DOCS_H
#define KV_COMMAND_DOCS_H

#include "core/command.h"

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

/* The entry for cmd (by its full name, "client|kill"), or NULL. */
const cmd_doc *command_doc_for(const command *cmd);

#endif
