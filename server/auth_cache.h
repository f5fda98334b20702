/*
 * server/auth_cache.h — recently checked bearer tokens, in memory.
 *
 * Most requests of a labeler carry the same token, and checking it costs a
 * database round trip per request.  A token that the database accepted is
 * remembered here, by the SHA-256 the database stores, with its account
 * and roles, for at most --auth-cache-ttl seconds and never past the
 * session's own expiry.  A logout on this instance forgets the token at
 * once; another instance that cached it accepts it until its entry
 * expires: the TTL is the longest a revoked token can still be used (0
 * turns the cache off).  Unknown tokens are not cached, so a wrong token
 * always reaches the database (and its rate limits).
 *
 * Thread-safe; fixed size (AUTH_CACHE_SLOTS, open addressing, the oldest
 * entry of a full probe run is replaced).  No allocation after create.
 */
#ifndef LC_AUTH_CACHE_H
#define LC_AUTH_CACHE_H

#include <stdint.h>

#define AUTH_CACHE_SLOTS 8192
#define AUTH_CACHE_PROBE 8

struct auth_cache;

/* ttl_s 0: a cache that remembers nothing.  NULL when out of memory. */
struct auth_cache *auth_cache_create(int ttl_s);
void		   auth_cache_free(struct auth_cache *c); /* NULL: no-op */

/* 1 and the account when the token's hash is remembered and fresh. */
int auth_cache_get(struct auth_cache *c, const uint8_t hash[32],
    int64_t *account_id, unsigned *roles);
/* Remember a token the database accepted, valid for valid_s seconds
 * more (-1: no expiry of its own). */
void auth_cache_put(struct auth_cache *c, const uint8_t hash[32],
    int64_t account_id, unsigned roles, int64_t valid_s);
/* Forget a token (logout). */
void auth_cache_forget(struct auth_cache *c, const uint8_t hash[32]);

#endif
