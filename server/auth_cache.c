/*
 * server/auth_cache.c — recently checked bearer tokens (auth_cache.h).
 *
 * The slot of a hash is its first 8 bytes modulo AUTH_CACHE_SLOTS (the hash
 * is SHA-256 of a random token: uniform); a lookup or insert probes
 * AUTH_CACHE_PROBE slots on from there.  One mutex: the critical sections
 * are a few comparisons.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/auth_cache.h"

struct auth_entry {
	uint8_t	 hash[32];
	int64_t	 account_id;
	unsigned roles;
	int64_t	 until_ms; /* monotonic; 0: empty */
};

struct auth_cache {
	pthread_mutex_t	  lock;
	int		  ttl_s;
	struct auth_entry slot[AUTH_CACHE_SLOTS];
};

static int64_t
auth_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
auth_slot(const uint8_t hash[32])
{
	uint64_t h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)(h % AUTH_CACHE_SLOTS);
}

struct auth_cache *
auth_cache_create(int ttl_s)
{
	struct auth_cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->ttl_s = ttl_s > 0 ? ttl_s : 0;
	return c;
}

void
auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int
auth_cache_get(struct auth_cache *c, const uint8_t hash[32],
    int64_t *account_id, unsigned *roles)
{
	struct auth_entry *e;
	int64_t		   now;
	size_t		   i, s;
	int		   found = 0;

	if (c == NULL || c->ttl_s == 0)
		return 0;
	now = auth_now_ms();
	s = auth_slot(hash);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < AUTH_CACHE_PROBE; i++) {
		e = &c->slot[(s + i) % AUTH_CACHE_SLOTS];
		if (e->until_ms > now && memcmp(e->hash, hash, 32) == 0) {
			*account_id = e->account_id;
			*roles = e->roles;
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void
auth_cache_put(struct auth_cache *c, const uint8_t hash[32], int64_t account_id,
    unsigned roles, int64_t valid_s)
{
	struct auth_entry *e, *victim = NULL;
	int64_t		   now, until;
	size_t		   i, s;

	if (c == NULL || c->ttl_s == 0 || valid_s == 0)
		return;
	now = auth_now_ms();
	until = now + (int64_t)c->ttl_s * 1000;
	if (valid_s > 0 && valid_s < c->ttl_s)
		until = now + valid_s * 1000;
	s = auth_slot(hash);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < AUTH_CACHE_PROBE; i++) {
		e = &c->slot[(s + i) % AUTH_CACHE_SLOTS];
		if (memcmp(e->hash, hash, 32) == 0 || e->until_ms <= now) {
			victim = e;
			break;
		}
		if (victim == NULL || e->until_ms < victim->until_ms)
			victim = e;
	}
	memcpy(victim->hash, hash, 32);
	victim->account_id = account_id;
	victim->roles = roles;
	victim->until_ms = until;
	pthread_mutex_unlock(&c->lock);
}

void
auth_cache_forget(struct auth_cache *c, const uint8_t hash[32])
{
	struct auth_entry *e;
	size_t		   i, s;

	if (c == NULL)
		return;
	s = auth_slot(hash);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < AUTH_CACHE_PROBE; i++) {
		e = &c->slot[(s + i) % AUTH_CACHE_SLOTS];
		if (memcmp(e->hash, hash, 32) == 0)
			memset(e, 0, sizeof(*e));
	}
	pthread_mutex_unlock(&c->lock);
}
