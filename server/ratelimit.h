/*
 * server/ratelimit.h — token buckets, and a fixed-size table of them keyed
 * by who is asking (an address, an account).
 *
 * A bucket holds at most `burst` tokens and gains one every `interval_us`;
 * a request takes one token or is refused with the time until one is back
 * (Retry-After).  A bucket is kept as a single number, its theoretical
 * arrival time `tat`: the moment at which it will be full again.  With
 * T = interval_us, the bucket holds burst - (tat - now) / T tokens while
 * tat > now, and is full once tat <= now.  Taking n tokens is allowed when
 * max(tat, now) - now <= (burst - n) T, and moves tat on by n T.  This is
 * the token bucket in its "virtual scheduling" form (the Generic Cell Rate
 * Algorithm of ITU-T I.371, the leaky bucket as a meter): exact integer
 * arithmetic, no refill step, one int64 per key.
 *
 * A full bucket and an absent one behave alike, so the table may forget any
 * bucket that has refilled: it has a fixed number of slots and never
 * allocates after creation.  When every slot a key may use holds a live
 * bucket, the one closest to full is replaced (a client then gets at most a
 * fresh burst; it takes more distinct keys than slots to get there).
 *
 * Pure except for ratelimit_table_*, which lock a mutex and hash keys with
 * SipHash-2-4 (libsodium's crypto_shorthash) under a random key, so that a
 * client cannot choose keys that collide.  Time is always an argument.
 */
#ifndef LC_RATELIMIT_H
#define LC_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* A rate: one token per interval_us, at most burst at once. */
struct ratelimit_rate {
	int64_t interval_us; /* 0: unlimited */
	int	burst;	     /* >= 1 when limited */
};

#define RATELIMIT_MAX_BURST 1000000

/*
 * Parse "RATE/UNIT:BURST" (UNIT s, m or h; e.g. "10/s:100", "30/m:30") or
 * "off".  RATE from 1 to 1000000 per unit, BURST from 1 to
 * RATELIMIT_MAX_BURST.  Returns 0, or -1 for anything else.
 */
int ratelimit_rate_parse(const char *text, struct ratelimit_rate *out);

/*
 * Take `cost` tokens from the bucket *tat at time now_us (any monotonic
 * clock, microseconds).  Returns 0 and moves *tat on, or -1 and leaves it,
 * with *retry_us the wait until the tokens would be there (for a cost above
 * the burst: the time to refill a whole burst).  An unlimited rate always
 * grants.
 */
int ratelimit_take(int64_t *tat, const struct ratelimit_rate *r, int64_t now_us,
    int cost, int64_t *retry_us);

/* The table.  Keys are RATELIMIT_KEY_BYTES of the caller's choosing. */
#define RATELIMIT_KEY_BYTES 20
#define RATELIMIT_PROBE 8 /* slots a key may occupy */

struct ratelimit_table;

/* slots is rounded up to a power of two (at least RATELIMIT_PROBE).
 * NULL when out of memory. */
struct ratelimit_table *ratelimit_table_create(size_t slots);
void ratelimit_table_free(struct ratelimit_table *t); /* NULL: no-op */

/* ratelimit_take() on the bucket of `key`; thread-safe. */
int ratelimit_table_take(struct ratelimit_table *t,
    const uint8_t key[RATELIMIT_KEY_BYTES], const struct ratelimit_rate *r,
    int64_t now_us, int64_t *retry_us);

/* Buckets currently held (not yet refilled) at now_us; for metrics and
 * tests. */
size_t ratelimit_table_live(struct ratelimit_table *t, int64_t now_us);

#endif
