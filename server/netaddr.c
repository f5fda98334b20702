/*
 * server/netaddr.c — addresses, /64 keys and exempt lists (netaddr.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/netaddr.h"

static const uint8_t netaddr_v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

static int
netaddr_is_v4(const struct netaddr *a)
{
	return memcmp(a->b, netaddr_v4_prefix, sizeof(netaddr_v4_prefix)) == 0;
}

int
netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
    struct netaddr *out)
{
	const struct sockaddr_in  *v4;
	const struct sockaddr_in6 *v6;

	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(*v4)) {
		v4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(out->b, netaddr_v4_prefix, sizeof(netaddr_v4_prefix));
		memcpy(out->b + 12, &v4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(*v6)) {
		v6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(out->b, &v6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

void
netaddr_limit_key(const struct netaddr *a, struct netaddr *out)
{
	*out = *a;
	if (!netaddr_is_v4(a))
		memset(out->b + 8, 0, 8);
}

void
netaddr_format(const struct netaddr *a, char *buf, size_t len)
{
	char text[NETADDR_TEXT_LEN];

	if (netaddr_is_v4(a))
		inet_ntop(AF_INET, a->b + 12, text, sizeof(text));
	else
		inet_ntop(AF_INET6, a->b, text, sizeof(text));
	snprintf(buf, len, "%s", text);
}

static void
netaddr_mask(struct netaddr *a, int bits)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a->b[i] &= (uint8_t)(0xff00u >> bits);
			bits = 0;
		}
	}
}

/* One "ADDR" or "ADDR/BITS" of `len` bytes. */
static int
netaddr_net_parse(const char *s, size_t len, struct netaddr_net *out)
{
	char	       buf[64], *slash, *end;
	struct in_addr v4;
	long	       bits;
	int	       max;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	bits = -1;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		memcpy(out->addr.b, netaddr_v4_prefix,
		    sizeof(netaddr_v4_prefix));
		memcpy(out->addr.b + 12, &v4, 4);
		max = 32;
		if (bits > max)
			return -1;
		out->bits = 96 + (int)(bits < 0 ? max : bits);
	} else if (inet_pton(AF_INET6, buf, out->addr.b) == 1) {
		max = 128;
		if (bits > max)
			return -1;
		out->bits = (int)(bits < 0 ? max : bits);
	} else
		return -1;
	netaddr_mask(&out->addr, out->bits);
	return 0;
}

int
netaddr_list_parse(const char *text, struct netaddr_list *out)
{
	const char *p, *comma;
	size_t	    n = 1, len;

	out->net = NULL;
	out->n = 0;
	for (p = text; *p != '\0'; p++)
		if (*p == ',')
			n++;
	if (*text == '\0')
		return 0;
	if ((out->net = calloc(n, sizeof(*out->net))) == NULL)
		return -1;
	for (p = text;; p = comma + 1) {
		while (*p == ' ')
			p++;
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (netaddr_net_parse(p, len, &out->net[out->n]) != 0) {
			netaddr_list_free(out);
			return -1;
		}
		out->n++;
		if (comma == NULL)
			break;
	}
	return 0;
}

void
netaddr_list_free(struct netaddr_list *l)
{
	free(l->net);
	l->net = NULL;
	l->n = 0;
}

int
netaddr_list_match(const struct netaddr_list *l, const struct netaddr *a)
{
	struct netaddr m;
	size_t	       i;

	for (i = 0; i < l->n; i++) {
		m = *a;
		netaddr_mask(&m, l->net[i].bits);
		if (memcmp(m.b, l->net[i].addr.b, 16) == 0)
			return 1;
	}
	return 0;
}
