/*
 * server/ratelimit.c — token buckets as theoretical arrival times, and the
 * fixed table that holds them (ratelimit.h).
 *
 * The table is open addressing: a key hashes to a slot and may live in any
 * of the RATELIMIT_PROBE slots from there.  A lookup that misses takes the
 * first slot of its run that is free or holds a refilled bucket, else the
 * bucket of the run with the smallest tat (the fullest).  No deletion is
 * needed: refilled buckets are simply overwritten.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/ratelimit.h"

int
ratelimit_rate_parse(const char *text, struct ratelimit_rate *out)
{
	const char *p = text;
	char	   *end;
	long	    rate, burst;
	int64_t	    unit_us;

	if (strcmp(text, "off") == 0) {
		out->interval_us = 0;
		out->burst = 0;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	rate = strtol(p, &end, 10);
	if (errno != 0 || rate < 1 || rate > 1000000 || *end != '/')
		return -1;
	switch (end[1]) {
	case 's':
		unit_us = INT64_C(1000000);
		break;
	case 'm':
		unit_us = INT64_C(60000000);
		break;
	case 'h':
		unit_us = INT64_C(3600000000);
		break;
	default:
		return -1;
	}
	if (end[2] != ':' || end[3] < '0' || end[3] > '9')
		return -1;
	errno = 0;
	burst = strtol(end + 3, &end, 10);
	if (errno != 0 || *end != '\0' || burst < 1 ||
	    burst > RATELIMIT_MAX_BURST)
		return -1;
	out->interval_us = unit_us / rate;
	if (out->interval_us < 1)
		out->interval_us = 1;
	out->burst = (int)burst;
	return 0;
}

int
ratelimit_take(int64_t *tat, const struct ratelimit_rate *r, int64_t now_us,
    int cost, int64_t *retry_us)
{
	int64_t start, allowed;

	*retry_us = 0;
	if (r->interval_us <= 0)
		return 0;
	if (cost < 1)
		cost = 1;
	if (cost > r->burst) {
		*retry_us = r->interval_us * r->burst;
		return -1;
	}
	start = *tat > now_us ? *tat : now_us;
	/* How far ahead of now the bucket may be and still hold `cost`. */
	allowed = r->interval_us * (int64_t)(r->burst - cost);
	if (start - now_us > allowed) {
		*retry_us = start - now_us - allowed;
		return -1;
	}
	*tat = start + r->interval_us * cost;
	return 0;
}

/* ---- the table ------------------------------------------------------- */

struct ratelimit_slot {
	uint8_t key[RATELIMIT_KEY_BYTES];
	int64_t tat; /* 0: never used */
};

struct ratelimit_table {
	pthread_mutex_t	       lock;
	size_t		       mask;
	unsigned char	       hash_key[crypto_shorthash_KEYBYTES];
	struct ratelimit_slot *slot;
};

struct ratelimit_table *
ratelimit_table_create(size_t slots)
{
	struct ratelimit_table *t;
	size_t			n = RATELIMIT_PROBE;

	while (n < slots && n < ((size_t)1 << 30))
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->slot = calloc(n, sizeof(*t->slot))) == NULL) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->mask = n - 1;
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
	return t;
}

void
ratelimit_table_free(struct ratelimit_table *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slot);
	free(t);
}

int
ratelimit_table_take(struct ratelimit_table *t,
    const uint8_t key[RATELIMIT_KEY_BYTES], const struct ratelimit_rate *r,
    int64_t now_us, int64_t *retry_us)
{
	struct ratelimit_slot *s, *found = NULL, *victim = NULL;
	unsigned char	       h[crypto_shorthash_BYTES];
	uint64_t	       start;
	size_t		       i;
	int		       rc;

	*retry_us = 0;
	if (r->interval_us <= 0)
		return 0;
	crypto_shorthash(h, key, RATELIMIT_KEY_BYTES, t->hash_key);
	memcpy(&start, h, sizeof(start));
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < RATELIMIT_PROBE; i++) {
		s = &t->slot[(start + i) & t->mask];
		if (s->tat != 0 &&
		    memcmp(s->key, key, RATELIMIT_KEY_BYTES) == 0) {
			found = s;
			break;
		}
		if (victim == NULL || s->tat < victim->tat)
			victim = s;
	}
	if (found == NULL) {
		/* victim: an unused slot (tat 0), a refilled bucket (tat <=
		 * now, as good as absent) or, failing both, the fullest. */
		found = victim;
		memcpy(found->key, key, RATELIMIT_KEY_BYTES);
		found->tat = now_us;
	}
	rc = ratelimit_take(&found->tat, r, now_us, 1, retry_us);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

size_t
ratelimit_table_live(struct ratelimit_table *t, int64_t now_us)
{
	size_t i, n = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i <= t->mask; i++)
		if (t->slot[i].tat > now_us)
			n++;
	pthread_mutex_unlock(&t->lock);
	return n;
}
