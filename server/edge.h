/*
 * server/edge.h — what labelchaind refuses before it does any work: rates
 * per client address and per account, deadlines on slow clients, and a cap
 * on large uploads in progress.
 *
 * Rates are token buckets (ratelimit.h) in one fixed table, keyed by the
 * class of request and who asks: the client address (its IPv6 /64,
 * netaddr.h) unless --limits-exempt names it, or the account.  A refused
 * request gets 429 with Retry-After.
 *
 * Deadlines: libmicrohttpd's connection timeout only measures silence, so a
 * client that trickles one byte at a time keeps a connection forever.  Each
 * connection therefore carries a deadline: its headers must be complete
 * within --header-timeout of its opening (or of the end of its previous
 * request, for keep-alive), and its body must have arrived, at any moment,
 * at --body-min-rate bytes per second after a grace of --body-timeout
 * (the deadline moves on by one second per body-min-rate bytes received).
 * A reaper thread shuts down the socket of a connection past its deadline;
 * libmicrohttpd then sees the connection end and closes it in its own
 * thread.
 *
 * Connections per address are counted here too (its IPv6 /64; exempt
 * addresses are not), and refused past --max-connections-per-address.
 *
 * Thread-safe; the tracked connections are bounded by --max-connections,
 * the buckets by EDGE_RATE_SLOTS.  No libmicrohttpd here: http.c calls in
 * from its callbacks.
 */
#ifndef LC_EDGE_H
#define LC_EDGE_H

#include <stdint.h>

#include "server/config.h"
#include "server/netaddr.h"

#define EDGE_RATE_SLOTS 65536 /* token buckets held at once */
#define EDGE_REAP_INTERVAL_MS 250

enum edge_class {
	EDGE_OPEN = 0, /* not rate-limited */
	EDGE_SIGNIN,   /* challenge, login: per address */
	EDGE_LABEL,    /* claims, votes: per account and per address */
	EDGE_UPLOAD,   /* task uploads: per account and per address */
};

struct edge;
struct edge_conn;

/* Parses the limits of `cfg` (checked by config_load already) and starts
 * the reaper.  Returns 0, or a negative LC_ERR_* code.  Free with
 * edge_free(), which stops the reaper. */
int  edge_create(const struct config *cfg, struct edge **out);
void edge_free(struct edge *e); /* NULL: no-op */

/* The monotonic clock, microseconds. */
int64_t edge_now_us(void);

/*
 * Take a token for a request of `cls` from `addr` by `account_id` (0 before
 * sign-in) at now_us.  Returns 0, or LC_ERR_RATE_LIMIT with *retry_after_s
 * the seconds until a retry can succeed (at least 1).
 */
int
edge_rate_take(struct edge *e, enum edge_class cls, const struct netaddr *addr,
    int64_t account_id, int64_t now_us, int *retry_after_s);

/* A slot for a large upload's body: 0, or LC_ERR_RATE_LIMIT when
 * --max-uploads are in progress.  Give it back with edge_upload_end(). */
int  edge_upload_begin(struct edge *e);
void edge_upload_end(struct edge *e);

/*
 * Connections.  edge_conn_admit() says whether a client at `a` may open one
 * more (0) or already holds --max-connections-per-address (-1; exempt
 * addresses never do).  edge_conn_open() registers an accepted socket,
 * counts it against its address (NULL: none known) and sets its header
 * deadline (NULL when out of memory: the connection is then neither
 * counted nor timed by us); edge_conn_close() forgets and frees it, and
 * must come before the socket is closed.  edge_conn_deadline() sets the
 * moment after which the reaper cuts the connection off (0: none).
 */
int edge_conn_admit(struct edge *e, const struct netaddr *a);
struct edge_conn *
edge_conn_open(struct edge *e, int fd, const struct netaddr *a, int64_t now_us);
void edge_conn_close(struct edge *e, struct edge_conn *c);
void edge_conn_deadline(struct edge_conn *c, int64_t deadline_us);
/* Deadlines: for headers due from now; for a body that started at
 * start_us and has brought `received` bytes so far. */
int64_t edge_header_deadline(const struct edge *e, int64_t now_us);
int64_t
edge_body_deadline(const struct edge *e, int64_t start_us, uint64_t received);

/* For metrics: connections cut off so far, large uploads in progress. */
uint64_t edge_cut_off(struct edge *e);
int	 edge_uploads(struct edge *e);

#endif
