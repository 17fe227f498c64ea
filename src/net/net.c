/* net.c - socket helpers (see net.h). */
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(char *err, const char *what, int fd)
{
    snprintf(err, NET_ERR_LEN, "%s: %s", what, strerror(errno));
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

int net_listen_tcp(char *err, const char *addr, int port, int backlog)
{
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    if (addr && !strcmp(addr, "*")) {
        addr = NULL;
        hints.ai_family = AF_INET;
    } else if (addr && !strcmp(addr, "::*")) {
        addr = NULL;
        hints.ai_family = AF_INET6;
    }
    int rc = getaddrinfo(addr, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, NET_ERR_LEN, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(res);
        return fail(err, "socket", -1);
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (res->ai_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
        freeaddrinfo(res);
        return fail(err, "bind", fd);
    }
    freeaddrinfo(res);
    if (listen(fd, backlog) < 0) {
        return fail(err, "listen", fd);
    }
    return fd;
}

int net_listen_unix(char *err, const char *path, unsigned perm, int backlog)
{
    struct sockaddr_un sa = {0};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, NET_ERR_LEN, "unix socket path too long");
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(err, "socket", -1);
    }
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        return fail(err, "bind", fd);
    }
    if (perm) {
        chmod(path, perm);
    }
    if (listen(fd, backlog) < 0) {
        return fail(err, "listen", fd);
    }
    return fd;
}

int net_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && errno == EINTR) {
            continue;
        }
        return fd;
    }
}

int net_set_nodelay(int fd)
{
    int on = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

int net_set_keepalive(int fd, int interval)
{
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) < 0) {
        return -1;
    }
    int idle = interval, intvl = interval / 3 ? interval / 3 : 1, cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    return 0;
}

void net_format_addr(int fd, int local, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int rc = local ? getsockname(fd, (struct sockaddr *)&ss, &len)
                   : getpeername(fd, (struct sockaddr *)&ss, &len);
    if (rc < 0) {
        snprintf(out, cap, "?:0");
        return;
    }
    char ip[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        snprintf(out, cap, "%s:%d", ip, ntohs(s->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        snprintf(out, cap, "%s:%d", ip, ntohs(s->sin6_port));
    } else {
        struct sockaddr_un *s = (struct sockaddr_un *)&ss;
        snprintf(out, cap, "%s:0", local && s->sun_path[0] ? s->sun_path : "");
    }
}
