/* server.h - process-wide state that the core owns: configuration values, listeners, the
 * loop and counters. Modules below core do not include this: they receive what they need
 * (db gets its clock and counters through db.h). Command handlers of the core's own
 * families (server, connection, client, config) read it.
 */
#ifndef KV_SERVER_H
#define KV_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "event/ev.h"

#define KVIK_VERSION "0.1.0"
#define REDIS_COMPAT_VERSION "7.0.15"
#define MAX_LISTENERS 16

struct config_values {
    int port;
    char *bind;               /* space-separated addresses */
    char *unixsocket;
    unsigned unixsocketperm;
    int databases;
    char *requirepass;
    int timeout;
    int tcp_keepalive;
    int tcp_backlog;
    int maxclients;
    int loglevel;
    char *logfile;
    bool daemonize;
    char *pidfile;
    int hz;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    char *dir;
    long long slowlog_log_slower_than;
    long long slowlog_max_len;
    int enable_debug_command; /* 0 no, 1 yes, 2 local */
    bool always_show_logo;
    char *save;               /* "<seconds> <changes> ...", "" = no save rules */
    char *dbfilename;
    bool rdbcompression;
    bool rdbchecksum;
    bool stop_writes_on_bgsave_error;
    int rdb_key_save_delay;   /* µs per key written by SAVE, BGSAVE, rewrites (tests) */
};

struct server_stats {
    long long total_connections_received;
    long long total_commands_processed;
    long long rejected_connections;
    long long net_input_bytes, net_output_bytes;
    long long total_error_replies;
    long long unexpected_error_replies;
    long long client_qbuf_limit_disconnections;
    long long evicted_clients; /* maxmemory-clients (core/clientevict.c) */
};

struct server {
    struct config_values cfg;
    struct server_stats stats;
    ev_loop *loop;
    int listen_fds[MAX_LISTENERS];
    int nlisten;
    int unix_fd;
    char *config_file;        /* absolute path, NULL when started without one */
    char *executable;
    int64_t start_ms;
    uint64_t start_mono_us;
    int64_t lastsave;
    uint64_t next_client_id;
    long long cron_loops;
    bool shutdown_asap;
    bool active_expire_disabled; /* DEBUG SET-ACTIVE-EXPIRE 0 */
    int exit_code;
    char run_id[41];
    uint64_t resident_peak;
    long long dirty;          /* changes since the last successful save */
};

extern struct server srv;

/* Stops the server cleanly (SHUTDOWN, SIGTERM): closes listeners, removes the pid file
 * and unix socket, logs, and exits the loop. */
void server_prepare_shutdown(void);
/* Re-opens TCP listeners after port/bind changed; NULL or the reason it failed (the old
 * listeners are kept then). */
const char *server_relisten(void);
/* Resizes the event loop (and the fd limit) after maxclients changed; NULL or a reason. */
const char *server_adjust_maxclients(void);

#endif
