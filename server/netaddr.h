/*
 * server/netaddr.h — client addresses as limits see them.
 *
 * Every address is held as 16 bytes: IPv6 as is, IPv4 as an IPv4-mapped
 * IPv6 address (RFC 4291 §2.5.5.2), so one table serves both.  Limits
 * count an IPv4 client by its address and an IPv6 client by its /64: one
 * subscriber is routinely given a whole /64 (RFC 6177), so counting single
 * IPv6 addresses would let one client be 2^64 clients.
 *
 * Lists ("127.0.0.0/8,::1") name the addresses exempt from the per-address
 * limits.  Pure: no allocation but the list's own.
 */
#ifndef LC_NETADDR_H
#define LC_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct netaddr {
	uint8_t b[16];
};

#define NETADDR_TEXT_LEN 46 /* INET6_ADDRSTRLEN */

/* From an accepted peer's address (AF_INET or AF_INET6); -1 otherwise. */
int netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
    struct netaddr *out);
/* The key limits count by: the IPv4 address, or the IPv6 /64. */
void netaddr_limit_key(const struct netaddr *a, struct netaddr *out);
/* Text form (IPv4 dotted for mapped addresses). */
void netaddr_format(const struct netaddr *a, char *buf, size_t len);

struct netaddr_net {
	struct netaddr addr; /* masked to its prefix */
	int	       bits; /* prefix length over the 16 bytes */
};

struct netaddr_list {
	struct netaddr_net *net; /* owned */
	size_t		    n;
};

/*
 * Parse a comma-separated list of addresses or CIDR prefixes, IPv4 or
 * IPv6 ("127.0.0.0/8,::1"; "" is the empty list).  Returns 0, or -1 with
 * `out` empty.  Free with netaddr_list_free().
 */
int  netaddr_list_parse(const char *text, struct netaddr_list *out);
void netaddr_list_free(struct netaddr_list *l);
/* 1 when `a` is inside one of the list's prefixes. */
int netaddr_list_match(const struct netaddr_list *l, const struct netaddr *a);

#endif
