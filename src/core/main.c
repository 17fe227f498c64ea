/* main.c - process start-up and shutdown, listeners, accept, the cron.
 *
 * Start-up order: defaults, config file and flags, log, daemonize, pid file, modules
 * (hash seed, databases, commands, clients), the loop, listeners, "Ready to accept
 * connections". Teardown runs in reverse after the loop stops.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/rand.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/config.h"
#include "core/multi.h"
#include "core/persistence.h"
#include "core/server.h"
#include "core/tracking.h"
#include "db/db.h"
#include "db/evict.h"
#include "db/lazyfree.h"
#include "net/net.h"
#include "obs/info.h"
#include "obs/slowlog.h"
#include "persist/aof.h"
#include "persist/child.h"
#include "persist/fsyncer.h"
#include "types/types.h"

#define RESERVED_FDS 32

struct server srv;
static volatile sig_atomic_t got_signal;

static void usage(FILE *fp, int code)
{
    fprintf(fp,
            "Usage: ./kvik-server [/path/to/kvik.conf] [options] [-]\n"
            "       ./kvik-server - (read config from stdin)\n"
            "       ./kvik-server -v or --version\n"
            "       ./kvik-server -h or --help\n"
            "       ./kvik-server --check-aof [--fix] <file.manifest|file.aof>\n\n"
            "Examples:\n"
            "       ./kvik-server (run the server with default config)\n"
            "       ./kvik-server /etc/kvik/6379.conf\n"
            "       ./kvik-server --port 7777\n"
            "       ./kvik-server /etc/mykvik.conf --loglevel verbose -\n\n"
            "Directives are Redis's (redis.conf names).\n");
    exit(code);
}

static void version(void)
{
    printf("Kvik server v=%s redis_version=%s malloc=%s bits=%d\n", KVIK_VERSION,
           REDIS_COMPAT_VERSION, kv_alloc_name(), (int)(sizeof(long) * 8));
    exit(0);
}

/* Appends one argument, quoted so that split_args reads it back verbatim. */
static void append_quoted(char **buf, size_t *len, const char *s)
{
    size_t need = *len + strlen(s) * 4 + 4;
    *buf = kv_realloc(*buf, need);
    char *p = *buf + *len;
    *p++ = '"';
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (*q == '"' || *q == '\\') {
            *p++ = '\\';
            *p++ = (char)*q;
        } else if (*q < 32 || *q >= 127) {
            p += sprintf(p, "\\x%02x", *q);
        } else {
            *p++ = (char)*q;
        }
    }
    *p++ = '"';
    *p = '\0';
    *len = (size_t)(p - *buf);
}

/* "--port 7000 --save '' --bind a b" -> "port \"7000\"\nsave \"\"\nbind \"a\" \"b\"\n" */
static char *options_text(int argc, char **argv, int first)
{
    char *buf = kv_calloc(1);
    size_t len = 0;
    bool any = false;
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "-")) {
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) {
            buf = kv_realloc(buf, len + strlen(argv[i]) + 3);
            len += (size_t)sprintf(buf + len, "%s%s", any ? "\n" : "", argv[i] + 2);
            any = true;
        } else {
            buf = kv_realloc(buf, len + 2);
            buf[len++] = ' ';
            buf[len] = '\0';
            append_quoted(&buf, &len, argv[i]);
        }
    }
    buf = kv_realloc(buf, len + 2);
    buf[len++] = '\n';
    buf[len] = '\0';
    return buf;
}

static void on_signal(int sig)
{
    got_signal = sig;
}

static void setup_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
}

static void daemonize(void)
{
    if (fork() != 0) {
        exit(0);
    }
    setsid();
    FILE *fp = freopen("/dev/null", "r", stdin);
    (void)fp;
    if (!srv.cfg.logfile || !srv.cfg.logfile[0]) {
        fp = freopen("/dev/null", "w", stdout);
        (void)fp;
    }
}

static void write_pidfile(void)
{
    const char *path = srv.cfg.pidfile;
    if (!path || !path[0]) {
        if (!srv.cfg.daemonize) {
            return;
        }
        path = "/var/run/redis.pid";
    }
    FILE *fp = fopen(path, "w");
    if (!fp) {
        log_warning("Failed to write PID file: %s", strerror(errno));
        return;
    }
    fprintf(fp, "%d\n", (int)getpid());
    fclose(fp);
}

/* ---- listeners ---- */

static void on_accept(ev_loop *loop, int lfd, void *data, int mask)
{
    bool is_unix = data != NULL;
    for (int i = 0; i < 1000; i++) {
        int fd = net_accept(lfd);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                log_warning("Accepting client connection: %s", strerror(errno));
            }
            return;
        }
        srv.stats.total_connections_received++;
        if (client_count() >= (size_t)srv.cfg.maxclients ||
            fd >= ev_setsize(srv.loop)) {
            static const char err[] = "-ERR max number of clients reached\r\n";
            ssize_t w = write(fd, err, sizeof(err) - 1);
            (void)w;
            srv.stats.rejected_connections++;
            close(fd);
            continue;
        }
        client *c = client_create(fd, is_unix);
        if (!c) {
            close(fd);
            continue;
        }
        log_verbose("Accepted %s", c->addr);
    }
}

static void close_tcp_listeners(void)
{
    for (int i = 0; i < srv.nlisten; i++) {
        ev_del(srv.loop, srv.listen_fds[i], EV_READ);
        close(srv.listen_fds[i]);
    }
    srv.nlisten = 0;
}

/* Opens a listener per bind address; "-addr" is optional (skipped when unavailable). */
static const char *open_tcp_listeners(int *fds, int *n)
{
    static char why[NET_ERR_LEN + 128];
    char addrs[1024];
    snprintf(addrs, sizeof(addrs), "%s", srv.cfg.bind ? srv.cfg.bind : "");
    *n = 0;
    if (srv.cfg.port == 0) {
        return NULL;
    }
    char *save = NULL;
    for (char *a = strtok_r(addrs, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
        bool optional = a[0] == '-';
        const char *addr = optional ? a + 1 : a;
        char err[NET_ERR_LEN];
        int fd = net_listen_tcp(err, addr, srv.cfg.port, srv.cfg.tcp_backlog);
        if (fd < 0) {
            if (optional || errno == EAFNOSUPPORT) {
                log_notice("Skipping optional bind %s:%d: %s", addr, srv.cfg.port, err);
                continue;
            }
            snprintf(why, sizeof(why), "Failed listening on port %d (tcp), %s:%d: %s",
                     srv.cfg.port, addr, srv.cfg.port, err);
            for (int i = 0; i < *n; i++) {
                close(fds[i]);
            }
            *n = 0;
            return why;
        }
        if (*n == MAX_LISTENERS) {
            close(fd);
            break;
        }
        fds[(*n)++] = fd;
    }
    return NULL;
}

const char *server_relisten(void)
{
    if (!srv.loop) {
        return NULL; /* start-up: listeners open later */
    }
    /* The old sockets hold the port: close them first. On failure CONFIG SET restores the
     * old values and calls this again, which reopens them. */
    close_tcp_listeners();
    int fds[MAX_LISTENERS], n;
    if (open_tcp_listeners(fds, &n)) {
        return "Failed to bind to specified addresses.";
    }
    for (int i = 0; i < n; i++) {
        srv.listen_fds[i] = fds[i];
        ev_add(srv.loop, fds[i], EV_READ, on_accept, NULL);
    }
    srv.nlisten = n;
    return NULL;
}

const char *server_adjust_maxclients(void)
{
    rlim_t want = (rlim_t)srv.cfg.maxclients + RESERVED_FDS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        struct rlimit nl = rl;
        nl.rlim_cur = want;
        if (nl.rlim_max < want) {
            nl.rlim_max = want;
        }
        if (setrlimit(RLIMIT_NOFILE, &nl) != 0) {
            nl.rlim_max = rl.rlim_max;
            nl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &nl);
            getrlimit(RLIMIT_NOFILE, &rl);
            if (rl.rlim_cur < want) {
                if (!srv.loop) {
                    int old = srv.cfg.maxclients;
                    srv.cfg.maxclients = (int)(rl.rlim_cur > RESERVED_FDS
                                                   ? rl.rlim_cur - RESERVED_FDS : 1);
                    log_warning("You requested maxclients of %d requiring at least %d max file "
                                "descriptors. Server can't set maximum open files to %d; "
                                "maxclients is now %d.", old, (int)want, (int)want,
                                srv.cfg.maxclients);
                    return NULL;
                }
                return "The operating system is not able to handle the specified number of "
                       "clients";
            }
        }
    }
    if (srv.loop && ev_resize(srv.loop, srv.cfg.maxclients + RESERVED_FDS * 4) < 0) {
        return "The event loop API used by Redis is not able to handle the specified number "
               "of clients";
    }
    return NULL;
}

/* ---- cron ---- */

void server_prepare_shutdown(void)
{
    log_warning("User requested shutdown...");
    close_tcp_listeners();
    if (srv.unix_fd >= 0) {
        close(srv.unix_fd);
        srv.unix_fd = -1;
        unlink(srv.cfg.unixsocket);
        log_notice("Removing the unix socket file.");
    }
    if (srv.cfg.pidfile && srv.cfg.pidfile[0]) {
        unlink(srv.cfg.pidfile);
        log_notice("Removing the pid file.");
    }
    log_warning("Kvik is now ready to exit, bye bye...");
    ev_stop(srv.loop);
}

static long cron(ev_loop *loop, long long id, void *data)
{
    int hz = srv.cfg.hz < 1 ? 1 : (srv.cfg.hz > 500 ? 500 : srv.cfg.hz);
    long period = 1000 / hz;
    int64_t now = clock_ms();
    db_lru_clock = (uint32_t)(now / 1000) & 0xffffff;
    srv.cron_loops++;
    if (got_signal) {
        log_warning("Received %s scheduling shutdown...", got_signal == SIGINT ? "SIGINT"
                                                                               : "SIGTERM");
        got_signal = 0;
        if (persist_shutdown(false, false, false) < 0) {
            log_warning("SIGTERM received but errors trying to shut down the server, check "
                        "the logs for more information");
        } else {
            server_prepare_shutdown();
            return EV_NOMORE;
        }
    }
    child_cron();
    persist_cron();
    client_cron(now);
    if (!srv.active_expire_disabled) {
        db_expire_cycle((uint64_t)period * 1000 / 4); /* at most 25% of the time */
        hash_expire_cycle((uint64_t)period * 1000 / 4);
    }
    if (!child_active()) {
        db_rehash(1); /* moving entries would copy pages the child still shares */
    }
    aof_cron();
    info_cron();
    return period;
}

/* Eviction that ran out of its time slice goes on between turns of the loop, as Redis's
 * eviction timer does, so memory comes down even when no command arrives. */
static long long evict_timer_id = -1;

static long evict_timer(ev_loop *loop, long long id, void *data)
{
    if (evict_perform() == EVICT_RUNNING) {
        return 1;
    }
    evict_timer_id = -1;
    return EV_NOMORE;
}

static void before_sleep(ev_loop *loop)
{
    /* The AOF is written (and fsynced with appendfsync always) after every command of
     * this turn ran and before any reply leaves: nothing is acknowledged unlogged. */
    client_run_unblocked();
    aof_before_sleep();
    if (evict_pending() && evict_timer_id < 0) {
        evict_timer_id = ev_timer_add(loop, 0, evict_timer, NULL);
    }
    client_flush_pending();
    client_free_closed();
    if (srv.shutdown_asap) {
        srv.shutdown_asap = false;
        server_prepare_shutdown();
    }
}

/* ---- main ---- */

static void random_hex(char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    FILE *fp = fopen("/dev/urandom", "r");
    for (size_t i = 0; i < n; i++) {
        int v = fp ? fgetc(fp) : rand();
        out[i] = hex[v & 15];
    }
    out[n] = '\0';
    if (fp) {
        fclose(fp);
    }
}

int main(int argc, char **argv)
{
    memset(&srv, 0, sizeof(srv));
    srv.unix_fd = -1;
    char *exe = realpath(argv[0], NULL);
    srv.executable = exe ? exe : argv[0]; /* INFO shows an absolute path, as Redis */
    int first_opt = 1;
    if (argc >= 2) {
        if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) {
            version();
        }
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
            usage(stdout, 0);
        }
        if (!strcmp(argv[1], "--check-aof")) {
            config_set_defaults(); /* an RDB preamble is checked with the RDB loader */
            hash_setup();
            types_setup();
            return aof_check_main(argc - 2, argv + 2);
        }
    }
    if (argc == 3 && !strcmp(argv[1], "--check-rdb")) {
        config_set_defaults();
        hash_setup();
        types_setup();
        return persist_check_rdb_main(argv[2]);
    }
    const char *file = NULL;
    if (argc >= 2 && (argv[1][0] != '-' || !strcmp(argv[1], "-"))) {
        file = argv[1];
        first_opt = 2;
    }
    if (argc >= 2 && !strcmp(argv[argc - 1], "-") && file != argv[argc - 1]) {
        file = "-";
    }
    config_set_defaults();
    char *opts = options_text(argc, argv, first_opt);
    int rc = config_load(file, opts);
    kv_free(opts);
    if (rc < 0) {
        return 1;
    }
    if (file && strcmp(file, "-")) {
        char *abs = realpath(file, NULL);
        srv.config_file = abs ? kv_strdup(abs) : NULL;
        free(abs);
    }
    if (srv.cfg.dir && srv.cfg.dir[0] && chdir(srv.cfg.dir) != 0) {
        fprintf(stderr, "Can't chdir to '%s': %s\n", srv.cfg.dir, strerror(errno));
        return 1;
    }
    if (log_setup(srv.cfg.loglevel, srv.cfg.logfile) < 0) {
        fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
        return 1;
    }
    if (srv.cfg.daemonize) {
        daemonize();
    }
    log_warning("oO0OoO0OoO0Oo Kvik is starting oO0OoO0OoO0Oo");
    log_warning("Kvik version=%s (Redis %s compatible), bits=%d, pid=%d, just started",
                KVIK_VERSION, REDIS_COMPAT_VERSION, (int)(sizeof(long) * 8), (int)getpid());
    log_warning(file ? "Configuration loaded" : "No config file specified, using the default "
                                                "config.");
    config_log_warnings();
    if (evict_cfg.maxmemory > 0 && evict_cfg.maxmemory < 1024 * 1024) {
        log_warning("WARNING: You specified a maxmemory value that is less than 1MB (current "
                    "value is %llu bytes). Are you sure this is what you really want?",
                    (unsigned long long)evict_cfg.maxmemory);
    }
    server_adjust_maxclients();

    srv.start_ms = clock_ms();
    srv.start_mono_us = clock_mono_us();
    srv.lastsave = srv.start_ms / 1000;
    random_hex(srv.run_id, 40);
    hash_setup();
    rand_seed(clock_mono_us() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)srv.start_ms);
    types_setup();
    lazyfree_setup();
    db_setup(srv.cfg.databases);
    command_setup();
    client_setup();
    multi_setup();
    blocking_setup();
    persist_setup();
    tracking_setup();
    setup_signals();
    srv.loop = ev_create(srv.cfg.maxclients + RESERVED_FDS * 4);

    const char *err = open_tcp_listeners(srv.listen_fds, &srv.nlisten);
    if (err) {
        log_warning("%s", err);
        return 1;
    }
    for (int i = 0; i < srv.nlisten; i++) {
        ev_add(srv.loop, srv.listen_fds[i], EV_READ, on_accept, NULL);
    }
    if (srv.cfg.unixsocket && srv.cfg.unixsocket[0]) {
        char nerr[NET_ERR_LEN];
        srv.unix_fd = net_listen_unix(nerr, srv.cfg.unixsocket, srv.cfg.unixsocketperm,
                                      srv.cfg.tcp_backlog);
        if (srv.unix_fd < 0) {
            log_warning("Failed opening Unix socket: %s", nerr);
            return 1;
        }
        ev_add(srv.loop, srv.unix_fd, EV_READ, on_accept, (void *)1);
    }
    if (srv.nlisten == 0 && srv.unix_fd < 0) {
        log_warning("Configured to not listen anywhere, exiting.");
        return 1;
    }
    write_pidfile();
    log_notice("Kvik %s, port: %d, PID: %d", KVIK_VERSION, srv.cfg.port, (int)getpid());
    log_notice("Server initialized");
    client_write_barrier = aof_write_barrier;
    int loaded = persist_load_at_startup(&got_signal);
    if (loaded < 0) {
        return 1;
    }
    if (loaded > 0) {
        /* SHUTDOWN or a signal while loading: stop now, without saving (as Redis). */
        server_prepare_shutdown();
    } else {
        log_notice("Ready to accept connections");
        ev_timer_add(srv.loop, 1, cron, NULL);
        ev_set_before_sleep(srv.loop, before_sleep);
        ev_run(srv.loop);
    }

    /* Teardown in reverse. */
    while (client_first()) {
        client_close(client_first());
    }
    slowlog_reset();
    fsyncer_teardown();
    db_teardown();
    lazyfree_teardown();
    ev_destroy(srv.loop);
    return srv.exit_code;
}
