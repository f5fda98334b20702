/*
 * server/edge.c — rates, upload slots and connection deadlines (edge.h).
 *
 * Tracked connections sit on one list under one mutex; the reaper walks it
 * every EDGE_REAP_INTERVAL_MS.  A deadline is an atomic the connection's
 * own thread sets without the lock.  Cutting a connection off is
 * shutdown(2), never close(2): the descriptor stays libmicrohttpd's, and
 * because edge_conn_close() runs (under the same mutex) before
 * libmicrohttpd closes the descriptor, the reaper never touches a number
 * the kernel may have handed to another socket.
 *
 * Connections per address are counted in an open-addressing table (linear
 * probing, backward-shift deletion, SipHash under a random key) of twice
 * --max-connections slots, so it is never more than half full.  A count
 * rises when libmicrohttpd reports a connection started and falls when it
 * reports it closed; the accept policy only reads it, so a connection
 * that fails between the two is never counted and never leaks.  Threads
 * accepting at once from one address may pass the limit by at most one
 * connection each.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "server/edge.h"
#include "server/ratelimit.h"

struct edge_conn {
	TAILQ_ENTRY(edge_conn) link;
	int		fd;
	_Atomic int64_t deadline_us; /* 0: none */
	struct netaddr	key;	     /* its address's count key */
	int		counted;     /* holds one of that count */
};

struct edge_count {
	struct netaddr key;
	uint32_t       n; /* 0: a free slot */
};

TAILQ_HEAD(edge_conn_list, edge_conn);

struct edge {
	struct ratelimit_rate	rate[4][2]; /* [class][0 account, 1 address] */
	struct netaddr_list	exempt;
	struct ratelimit_table *buckets;
	int64_t			header_us, body_us, min_rate;
	int			max_uploads;
	atomic_int		uploads;
	_Atomic uint64_t	cut_off;

	pthread_mutex_t	      lock; /* conns, counts, stop */
	pthread_cond_t	      wake;
	struct edge_conn_list conns;
	struct edge_count    *counts;
	size_t		      count_mask;
	unsigned char	      count_hash_key[crypto_shorthash_KEYBYTES];
	uint32_t	      per_address; /* 0: no limit */
	int		      stop;
	pthread_t	      reaper;
	int		      reaper_running;
};

int64_t
edge_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *
edge_reap(void *arg)
{
	struct edge	 *e = arg;
	struct edge_conn *c;
	struct timespec	  until;
	int64_t		  now, d;

	pthread_mutex_lock(&e->lock);
	while (!e->stop) {
		now = edge_now_us();
		TAILQ_FOREACH(c, &e->conns, link)
		{
			d = atomic_load(&c->deadline_us);
			if (d == 0 || d > now)
				continue;
			atomic_store(&c->deadline_us, 0);
			atomic_fetch_add(&e->cut_off, 1);
			/* libmicrohttpd sees the end of the stream and
			 * closes the connection itself. */
			(void)shutdown(c->fd, SHUT_RDWR);
		}
		/* The condition waits on the monotonic clock (edge_create):
		 * a step of the wall clock cannot stall the reaper. */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += EDGE_REAP_INTERVAL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&e->wake, &e->lock, &until);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int
edge_create(const struct config *cfg, struct edge **out)
{
	const char *spec[4][2] = {
		{ "off", "off" },
		{ "off", cfg->rate_signin },
		{ cfg->rate_label, cfg->rate_label_address },
		{ cfg->rate_upload, cfg->rate_upload_address },
	};
	struct edge	  *e;
	pthread_condattr_t ca;
	size_t		   n;
	int		   i, j;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LC_ERR_NOMEM;
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->wake, &ca);
	pthread_condattr_destroy(&ca);
	TAILQ_INIT(&e->conns);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			if (ratelimit_rate_parse(spec[i][j], &e->rate[i][j]) !=
			    0) {
				lc_error("event=bad_rate spec=\"%s\"",
				    spec[i][j]);
				edge_free(e);
				return LC_ERR_VALIDATION;
			}
	if (netaddr_list_parse(cfg->limits_exempt, &e->exempt) != 0) {
		lc_error("event=bad_limits_exempt list=\"%s\"",
		    cfg->limits_exempt);
		edge_free(e);
		return LC_ERR_VALIDATION;
	}
	if ((e->buckets = ratelimit_table_create(EDGE_RATE_SLOTS)) == NULL) {
		edge_free(e);
		return LC_ERR_NOMEM;
	}
	e->per_address = (uint32_t)cfg->max_connections_per_address;
	for (n = 16; n < 2 * (size_t)cfg->max_connections; n <<= 1)
		;
	if ((e->counts = calloc(n, sizeof(*e->counts))) == NULL) {
		edge_free(e);
		return LC_ERR_NOMEM;
	}
	e->count_mask = n - 1;
	randombytes_buf(e->count_hash_key, sizeof(e->count_hash_key));
	e->header_us = (int64_t)cfg->header_timeout_s * 1000000;
	e->body_us = (int64_t)cfg->body_timeout_s * 1000000;
	e->min_rate = cfg->body_min_rate;
	e->max_uploads = cfg->max_uploads;
	if (pthread_create(&e->reaper, NULL, edge_reap, e) != 0) {
		edge_free(e);
		return LC_ERR_INTERNAL;
	}
	e->reaper_running = 1;
	*out = e;
	return 0;
}

void
edge_free(struct edge *e)
{
	struct edge_conn *c;

	if (e == NULL)
		return;
	if (e->reaper_running) {
		pthread_mutex_lock(&e->lock);
		e->stop = 1;
		pthread_cond_signal(&e->wake);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->reaper, NULL);
	}
	while ((c = TAILQ_FIRST(&e->conns)) != NULL) {
		TAILQ_REMOVE(&e->conns, c, link);
		free(c);
	}
	ratelimit_table_free(e->buckets);
	free(e->counts);
	netaddr_list_free(&e->exempt);
	pthread_cond_destroy(&e->wake);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* The bucket key: class, kind, then an account id or an address key. */
static int
edge_take(struct edge *e, enum edge_class cls, int by_address,
    const uint8_t *who, size_t who_len, int64_t now_us, int64_t *retry_us)
{
	uint8_t key[RATELIMIT_KEY_BYTES];

	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)cls;
	key[1] = (uint8_t)by_address;
	memcpy(key + 4, who, who_len);
	return ratelimit_table_take(e->buckets, key, &e->rate[cls][by_address],
	    now_us, retry_us);
}

int
edge_rate_take(struct edge *e, enum edge_class cls, const struct netaddr *addr,
    int64_t account_id, int64_t now_us, int *retry_after_s)
{
	struct netaddr k;
	int64_t	       retry_us = 0;
	int	       refused = 0;

	*retry_after_s = 0;
	if (cls == EDGE_OPEN || cls > EDGE_UPLOAD)
		return 0;
	/*
	 * The address first: a refusal there costs the account nothing.  A
	 * request refused by the account's bucket has taken one from the
	 * address's: it did reach us.
	 */
	if (addr != NULL && !netaddr_list_match(&e->exempt, addr)) {
		netaddr_limit_key(addr, &k);
		refused = edge_take(e, cls, 1, k.b, sizeof(k.b), now_us,
			      &retry_us) != 0;
	}
	if (!refused && account_id > 0)
		refused = edge_take(e, cls, 0, (const uint8_t *)&account_id,
			      sizeof(account_id), now_us, &retry_us) != 0;
	if (!refused)
		return 0;
	*retry_after_s = (int)((retry_us + 999999) / 1000000);
	if (*retry_after_s < 1)
		*retry_after_s = 1;
	return LC_ERR_RATE_LIMIT;
}

int
edge_upload_begin(struct edge *e)
{
	int n = atomic_load(&e->uploads);

	do {
		if (n >= e->max_uploads)
			return LC_ERR_RATE_LIMIT;
	} while (!atomic_compare_exchange_weak(&e->uploads, &n, n + 1));
	return 0;
}

void
edge_upload_end(struct edge *e)
{
	atomic_fetch_sub(&e->uploads, 1);
}

/* ---- connections per address (under e->lock) ----------------------- */

static size_t
edge_count_home(const struct edge *e, const struct netaddr *k)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t      v;

	crypto_shorthash(h, k->b, sizeof(k->b), e->count_hash_key);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & e->count_mask;
}

/* The slot holding k, or the free slot where it belongs; NULL only if
 * the table were full, which its size rules out. */
static struct edge_count *
edge_count_find(struct edge *e, const struct netaddr *k)
{
	size_t i = edge_count_home(e, k), n;

	for (n = 0; n <= e->count_mask; n++, i = (i + 1) & e->count_mask)
		if (e->counts[i].n == 0 ||
		    memcmp(e->counts[i].key.b, k->b, sizeof(k->b)) == 0)
			return &e->counts[i];
	return NULL;
}

/* Free slot i, moving later entries of its run back (Knuth 6.4, R). */
static void
edge_count_delete(struct edge *e, size_t i)
{
	size_t j = i, h;

	for (;;) {
		j = (j + 1) & e->count_mask;
		if (e->counts[j].n == 0)
			break;
		h = edge_count_home(e, &e->counts[j].key);
		/* Entry j stays unless its home is cyclically outside
		 * (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			e->counts[i] = e->counts[j];
			i = j;
		}
	}
	e->counts[i].n = 0;
}

static int
edge_counts_address(const struct edge *e, const struct netaddr *a)
{
	return a != NULL && e->per_address > 0 &&
	    !netaddr_list_match(&e->exempt, a);
}

int
edge_conn_admit(struct edge *e, const struct netaddr *a)
{
	struct edge_count *s;
	struct netaddr	   k;
	int		   full;

	if (!edge_counts_address(e, a))
		return 0;
	netaddr_limit_key(a, &k);
	pthread_mutex_lock(&e->lock);
	s = edge_count_find(e, &k);
	full = s != NULL && s->n >= e->per_address;
	pthread_mutex_unlock(&e->lock);
	return full ? -1 : 0;
}

struct edge_conn *
edge_conn_open(struct edge *e, int fd, const struct netaddr *a, int64_t now_us)
{
	struct edge_conn  *c;
	struct edge_count *s;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	atomic_store(&c->deadline_us, edge_header_deadline(e, now_us));
	c->counted = edge_counts_address(e, a);
	if (c->counted)
		netaddr_limit_key(a, &c->key);
	pthread_mutex_lock(&e->lock);
	TAILQ_INSERT_TAIL(&e->conns, c, link);
	if (c->counted && (s = edge_count_find(e, &c->key)) != NULL) {
		s->key = c->key;
		s->n++;
	} else
		c->counted = 0;
	pthread_mutex_unlock(&e->lock);
	return c;
}

void
edge_conn_close(struct edge *e, struct edge_conn *c)
{
	struct edge_count *s;

	if (c == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	TAILQ_REMOVE(&e->conns, c, link);
	if (c->counted && (s = edge_count_find(e, &c->key)) != NULL &&
	    s->n > 0 && --s->n == 0)
		edge_count_delete(e, (size_t)(s - e->counts));
	pthread_mutex_unlock(&e->lock);
	free(c);
}

void
edge_conn_deadline(struct edge_conn *c, int64_t deadline_us)
{
	if (c != NULL)
		atomic_store(&c->deadline_us, deadline_us);
}

int64_t
edge_header_deadline(const struct edge *e, int64_t now_us)
{
	return now_us + e->header_us;
}

int64_t
edge_body_deadline(const struct edge *e, int64_t start_us, uint64_t received)
{
	uint64_t extra_us;

	/* received stays below LC_MAX_BODY_BYTES plus one read (http.c
	 * cuts off past that): no overflow. */
	extra_us = received * 1000000 / (uint64_t)e->min_rate;
	return start_us + e->body_us + (int64_t)extra_us;
}

uint64_t
edge_cut_off(struct edge *e)
{
	return atomic_load(&e->cut_off);
}

int
edge_uploads(struct edge *e)
{
	return atomic_load(&e->uploads);
}
