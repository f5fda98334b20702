/*
 * tests/unit/test_ratelimit.c — token buckets (server/ratelimit.h): rate
 * parsing, exact grants and waits, the bounded table, and its lock under
 * threads.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "server/ratelimit.h"

#define S INT64_C(1000000)

START_TEST(rate_parse)
{
	static const char    *bad[] = { "", "0/s:1", "10/x:1", "10/s", "10/s:0",
		   "10/s:1x", "-1/s:1", "1/s:1000001", " 1/s:1", "1000001/s:1",
		   "10/s:", "/s:1", "1/s:-1", "on", "10/sec:1" };
	struct ratelimit_rate r;
	size_t		      i;

	ck_assert_int_eq(ratelimit_rate_parse("10/s:100", &r), 0);
	ck_assert_int_eq(r.interval_us, 100000);
	ck_assert_int_eq(r.burst, 100);
	ck_assert_int_eq(ratelimit_rate_parse("30/m:60", &r), 0);
	ck_assert_int_eq(r.interval_us, 2 * S);
	ck_assert_int_eq(r.burst, 60);
	ck_assert_int_eq(ratelimit_rate_parse("2/h:1", &r), 0);
	ck_assert_int_eq(r.interval_us, 1800 * S);
	ck_assert_int_eq(ratelimit_rate_parse("1000000/s:1000000", &r), 0);
	ck_assert_int_eq(r.interval_us, 1);
	ck_assert_int_eq(ratelimit_rate_parse("off", &r), 0);
	ck_assert_int_eq(r.interval_us, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ratelimit_rate_parse(bad[i], &r) == -1,
		    "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(take_burst_then_rate)
{
	struct ratelimit_rate r = { S, 3 }; /* 1/s, burst 3 */
	int64_t		      tat = 0, retry, t0 = 1000 * S;
	int		      i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(ratelimit_take(&tat, &r, t0, 1, &retry), 0);
		ck_assert_int_eq(retry, 0);
	}
	/* Empty: the next token is exactly one interval away. */
	ck_assert_int_eq(ratelimit_take(&tat, &r, t0, 1, &retry), -1);
	ck_assert_int_eq(retry, S);
	ck_assert_int_eq(ratelimit_take(&tat, &r, t0 + S / 4, 1, &retry), -1);
	ck_assert_int_eq(retry, 3 * S / 4);
	/* A refusal costs nothing: one token back after one interval. */
	ck_assert_int_eq(ratelimit_take(&tat, &r, t0 + S, 1, &retry), 0);
	ck_assert_int_eq(ratelimit_take(&tat, &r, t0 + S, 1, &retry), -1);
	/* A long rest refills the burst, and no more than the burst. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_take(&tat, &r, t0 + 100 * S, 1,
				     &retry),
		    0);
	ck_assert_int_eq(ratelimit_take(&tat, &r, t0 + 100 * S, 1, &retry), -1);
}
END_TEST

START_TEST(take_steady_rate)
{
	struct ratelimit_rate r = { S / 10, 5 }; /* 10/s, burst 5 */
	int64_t		      tat = 0, retry, t;
	int		      granted = 0;

	/* Asking every millisecond for 10 s: the burst plus 10 per s. */
	for (t = 0; t < 10 * S; t += 1000)
		if (ratelimit_take(&tat, &r, S + t, 1, &retry) == 0)
			granted++;
	ck_assert_int_ge(granted, 5 + 99);
	ck_assert_int_le(granted, 5 + 100);
}
END_TEST

START_TEST(take_cost_and_unlimited)
{
	struct ratelimit_rate r = { S, 4 }, off = { 0, 0 };
	int64_t		      tat = 0, retry;
	int		      i;

	ck_assert_int_eq(ratelimit_take(&tat, &r, S, 3, &retry), 0);
	ck_assert_int_eq(ratelimit_take(&tat, &r, S, 2, &retry), -1);
	ck_assert_int_eq(retry, S);
	ck_assert_int_eq(ratelimit_take(&tat, &r, S, 1, &retry), 0);
	/* More than a burst can never be granted. */
	tat = 0;
	ck_assert_int_eq(ratelimit_take(&tat, &r, 100 * S, 5, &retry), -1);
	ck_assert_int_eq(retry, 4 * S);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(ratelimit_take(&tat, &off, S, 1, &retry), 0);
}
END_TEST

static void
key_of(uint8_t key[RATELIMIT_KEY_BYTES], uint32_t n)
{
	memset(key, 0, RATELIMIT_KEY_BYTES);
	memcpy(key, &n, sizeof(n));
}

START_TEST(table_keys_apart)
{
	struct ratelimit_table *t = ratelimit_table_create(64);
	struct ratelimit_rate	r = { S, 2 };
	uint8_t			a[RATELIMIT_KEY_BYTES], b[RATELIMIT_KEY_BYTES];
	int64_t			retry;

	ck_assert_ptr_nonnull(t);
	key_of(a, 1);
	key_of(b, 2);
	ck_assert_int_eq(ratelimit_table_take(t, a, &r, S, &retry), 0);
	ck_assert_int_eq(ratelimit_table_take(t, a, &r, S, &retry), 0);
	ck_assert_int_eq(ratelimit_table_take(t, a, &r, S, &retry), -1);
	ck_assert_int_eq(retry, S);
	ck_assert_int_eq(ratelimit_table_take(t, b, &r, S, &retry), 0);
	ck_assert_uint_eq(ratelimit_table_live(t, S), 2);
	/* Refilled buckets are as good as gone. */
	ck_assert_uint_eq(ratelimit_table_live(t, 10 * S), 0);
	ck_assert_int_eq(ratelimit_table_take(t, a, &r, 10 * S, &retry), 0);
	ratelimit_table_free(t);
	ratelimit_table_free(NULL);
}
END_TEST

START_TEST(table_bounded)
{
	struct ratelimit_table *t = ratelimit_table_create(1); /* 8 slots */
	struct ratelimit_rate	r = { 3600 * S, 1 };
	uint8_t			k[RATELIMIT_KEY_BYTES];
	int64_t			retry;
	uint32_t		i;

	ck_assert_ptr_nonnull(t);
	/* Far more keys than slots: every one is served, memory stays. */
	for (i = 0; i < 100000; i++) {
		key_of(k, i);
		ck_assert_int_eq(ratelimit_table_take(t, k, &r, S + i, &retry),
		    0);
	}
	ck_assert_uint_le(ratelimit_table_live(t, S + i), 8);
	/* The last key is still held: its bucket is empty. */
	key_of(k, i - 1);
	ck_assert_int_eq(ratelimit_table_take(t, k, &r, S + i, &retry), -1);
	ratelimit_table_free(t);
}
END_TEST

struct hammer {
	struct ratelimit_table *t;
	int			granted;
};

static void *
hammer_run(void *arg)
{
	struct hammer	     *h = arg;
	struct ratelimit_rate r = { 3600 * S, 5000 };
	uint8_t		      k[RATELIMIT_KEY_BYTES];
	int64_t		      retry;
	int		      i;

	for (i = 0; i < 20000; i++) {
		key_of(k, (uint32_t)(i % 3));
		if (ratelimit_table_take(h->t, k, &r, S, &retry) == 0)
			h->granted++;
	}
	return NULL;
}

START_TEST(table_threads)
{
	struct hammer h[4];
	pthread_t     th[4];
	int	      i, total = 0;

	h[0].t = ratelimit_table_create(1024);
	ck_assert_ptr_nonnull(h[0].t);
	for (i = 0; i < 4; i++) {
		h[i].t = h[0].t;
		h[i].granted = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer_run,
				     &h[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += h[i].granted;
	}
	/* Three keys, no refill: exactly three bursts, not one more. */
	ck_assert_int_eq(total, 3 * 5000);
	ratelimit_table_free(h[0].t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	if (sodium_init() < 0)
		return 1;
	tcase_add_test(tc, rate_parse);
	tcase_add_test(tc, take_burst_then_rate);
	tcase_add_test(tc, take_steady_rate);
	tcase_add_test(tc, take_cost_and_unlimited);
	tcase_add_test(tc, table_keys_apart);
	tcase_add_test(tc, table_bounded);
	tcase_add_test(tc, table_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
