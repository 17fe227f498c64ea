/* net.h - sockets: TCP and Unix listeners, accept, socket options, address strings.
 *
 * Thin wrappers over the BSD socket API that return -1 and fill `err` (a caller-owned
 * buffer of NET_ERR_LEN bytes) with a readable reason, so start-up can log exactly why a
 * bind failed. All sockets are created non-blocking and close-on-exec.
 */
#ifndef KV_NET_H
#define KV_NET_H

#include <stddef.h>

#define NET_ERR_LEN 256
#define NET_ADDR_LEN 64 /* "[ipv6]:port" fits */

int net_listen_tcp(char *err, const char *addr, int port, int backlog);
int net_listen_unix(char *err, const char *path, unsigned perm, int backlog);
/* Accepts one connection; -1 with errno EAGAIN when none is pending. */
int net_accept(int lfd);
int net_set_nodelay(int fd);
int net_set_keepalive(int fd, int interval);
/* "ip:port" of the peer (or of our side, local=1); "/path:0" style for Unix sockets
 * as Redis prints them. */
void net_format_addr(int fd, int local, char *out, size_t cap);

#endif
