/*
 * tests/unit/test_merkle_leaf.c — the canonical leaf record (leaf.h) and
 * the hex helpers (hex.h) it and the chain client share.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/leaf.h"
#include "anchor/merkle.h"

#define K1 "aa00000000000000000000000000000000000000000000000000000000000001"
#define K2 "0b00000000000000000000000000000000000000000000000000000000000002"
#define K3 "AB00000000000000000000000000000000000000000000000000000000000003"
#define DATA "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

static struct leaf_vote votes[3] = {
	{ K1, "cat", "01ff" },
	{ K2, "dog", "02EE" },
	{ K3, "cat", "03dd" },
};

static struct leaf_record
sample(void)
{
	struct leaf_record r;

	memset(&r, 0, sizeof(r));
	r.project = 7;
	r.task = 123456789012;
	r.data_sha256 = DATA;
	r.label = "cat";
	r.confidence_bp = 9750;
	r.votes = votes;
	r.n_votes = 3;
	r.finalized_at = "2024-05-01T12:34:56.789Z";
	return r;
}

static const char sample_json[] =
    "{\"v\":1,\"project\":7,\"task\":123456789012,"
    "\"data_sha256\":"
    "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
    "\"label\":\"cat\",\"confidence_bp\":9750,\"votes\":["
    "{\"key\":\"0b00000000000000000000000000000000000000000000000000000000000002\",\"label\":\"dog\",\"sig\":\"02ee\"},"
    "{\"key\":\"aa00000000000000000000000000000000000000000000000000000000000001\",\"label\":\"cat\",\"sig\":\"01ff\"},"
    "{\"key\":\"ab00000000000000000000000000000000000000000000000000000000000003\",\"label\":\"cat\",\"sig\":\"03dd\"}"
    "],\"finalized_at\":\"2024-05-01T12:34:56.789Z\"}";

START_TEST(test_leaf_canonical)
{
	struct leaf_record r = sample();
	char		   buf[2048];
	size_t		   len;

	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len), 0);
	ck_assert_str_eq(buf, sample_json);
	ck_assert_uint_eq(len, strlen(sample_json));
}
END_TEST

START_TEST(test_leaf_order_independent)
{
	struct leaf_vote   rev[3] = { votes[2], votes[0], votes[1] };
	struct leaf_record r = sample();
	char		   buf[2048];
	size_t		   len;

	r.votes = rev;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len), 0);
	ck_assert_str_eq(buf, sample_json);
}
END_TEST

START_TEST(test_leaf_escaping)
{
	struct leaf_record r = sample();
	char		   buf[2048];
	size_t		   len;

	r.n_votes = 0;
	r.project = 0;
	r.confidence_bp = 0;
	r.finalized_at = "2024-05-01T00:00:00Z";
	r.label = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f é 猫 😀";
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len), 0);
	ck_assert_str_eq(buf,
	    "{\"v\":1,\"project\":0,\"task\":123456789012,\"data_sha256\":"
	    "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
	    "\"label\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f é 猫 😀\","
	    "\"confidence_bp\":0,\"votes\":[],"
	    "\"finalized_at\":\"2024-05-01T00:00:00Z\"}");
}
END_TEST

START_TEST(test_leaf_invalid)
{
	struct leaf_vote   dup[2] = { votes[0], votes[0] };
	struct leaf_vote   badsig[1] = { { K1, "cat", "0g" } };
	struct leaf_vote   oddsig[1] = { { K1, "cat", "012" } };
	struct leaf_vote   badlabel[1] = { { K1, "\xc3\x28", "01" } };
	struct leaf_vote   nokey[1] = { { NULL, "cat", "01" } };
	static const char *bad_utf8[] = {
		"\xc3\x28",
		"\xa0\xa1",
		"\xe2\x28\xa1",
		"\xe2\x82\x28",
		"\xf0\x28\x8c\xbc",
		"\xc0\xaf",
		"\xe0\x80\xaf",
		"\xed\xa0\x80",
		"\xf4\x90\x80\x80",
		"\xf8\x88\x80\x80\x80",
		"\xe2\x82",
	};
	static const char *bad_times[] = {
		"2024-05-01T12:34:56",
		"2024-05-01 12:34:56Z",
		"2024-05-01T12:34:56+00:00",
		"2024-5-01T12:34:56Z",
		"2024-05-01T12:34:56.Z",
		"2024-05-01T12:34:56ZZ",
		"",
	};
	struct leaf_record r;
	char		   buf[2048];
	size_t		   len, i;

	r = sample();
	r.votes = dup;
	r.n_votes = 2;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r.votes = badsig;
	r.n_votes = 1;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r.votes = oddsig;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r.votes = badlabel;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r.votes = nokey;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);

	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		r = sample();
		r.label = bad_utf8[i];
		ck_assert_msg(leaf_record_json(&r, buf, sizeof(buf), &len) ==
			ANCHOR_EINVAL,
		    "utf8 case %zu", i);
	}
	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		r = sample();
		r.finalized_at = bad_times[i];
		ck_assert_msg(leaf_record_json(&r, buf, sizeof(buf), &len) ==
			ANCHOR_EINVAL,
		    "time case %zu", i);
	}
	r = sample();
	r.finalized_at = NULL;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r = sample();
	r.confidence_bp = LEAF_MAX_BP + 1;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r = sample();
	r.data_sha256 = "9f86";
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r = sample();
	r.project = -1;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r = sample();
	r.n_votes = LEAF_MAX_VOTES + 1;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
	r = sample();
	r.label = NULL;
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len),
	    ANCHOR_EINVAL);
}
END_TEST

START_TEST(test_leaf_buffer_sizes)
{
	struct leaf_record r = sample();
	char		   buf[2048], *a;
	size_t		   len, need, alen;

	ck_assert_int_eq(leaf_record_json(&r, NULL, 0, &need), ANCHOR_ENOSPC);
	ck_assert_uint_eq(need, strlen(sample_json));
	/* Exactly the length: no room for the NUL. */
	ck_assert_int_eq(leaf_record_json(&r, buf, need, &len), ANCHOR_ENOSPC);
	ck_assert_uint_eq(len, need);
	ck_assert_int_eq(leaf_record_json(&r, buf, need + 1, &len), 0);
	ck_assert_str_eq(buf, sample_json);

	ck_assert_int_eq(leaf_record_json_alloc(&r, &a, &alen), 0);
	ck_assert_str_eq(a, sample_json);
	ck_assert_uint_eq(alen, need);
	free(a);
	r.confidence_bp = 99999;
	ck_assert_int_eq(leaf_record_json_alloc(&r, &a, &alen), ANCHOR_EINVAL);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_leaf_many_votes)
{
	static struct leaf_vote many[LEAF_MAX_VOTES];
	static char		keys[LEAF_MAX_VOTES][65];
	struct leaf_record	r = sample();
	char		       *json, *p, prev[65] = "";
	size_t			len, i, seen = 0;

	/* Keys in descending order: the sort must reverse them all. */
	for (i = 0; i < LEAF_MAX_VOTES; i++) {
		snprintf(keys[i], sizeof(keys[i]), "%064zx",
		    (size_t)(LEAF_MAX_VOTES - i));
		many[i].key = keys[i];
		many[i].label = "x";
		many[i].sig = "00";
	}
	r.votes = many;
	r.n_votes = LEAF_MAX_VOTES;
	ck_assert_int_eq(leaf_record_json_alloc(&r, &json, &len), 0);
	for (p = json; (p = strstr(p, "\"key\":\"")) != NULL; p += 7 + 64) {
		ck_assert_int_lt(strncmp(prev, p + 7, 64), 0);
		memcpy(prev, p + 7, 64);
		seen++;
	}
	ck_assert_uint_eq(seen, LEAF_MAX_VOTES);
	free(json);
}
END_TEST

START_TEST(test_leaf_hash_of_record)
{
	struct merkle_hasher *h;
	struct leaf_record    r = sample();
	uint8_t		      a[MERKLE_HASH_LEN], b[MERKLE_HASH_LEN];
	char		      buf[2048];
	size_t		      len;

	/* The leaf hash covers the exact bytes: one escaped character
	 * more or less changes it. */
	ck_assert_int_eq(merkle_hasher_create(&h), 0);
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(merkle_leaf_hash(h, buf, len, a), 0);
	r.label = "cat ";
	ck_assert_int_eq(leaf_record_json(&r, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(merkle_leaf_hash(h, buf, len, b), 0);
	ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
	merkle_hasher_free(h);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t	 b[4];
	char	 s[16];
	uint64_t v;
	size_t	 n;

	ck_assert_int_eq(anchor_hex_decode("0xDEADbeef", 10, b, 4), 0);
	ck_assert_int_eq(anchor_hex_encode(b, 4, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "deadbeef");
	ck_assert_int_eq(anchor_hex_encode(b, 4, s, 8), ANCHOR_ENOSPC);
	ck_assert_int_eq(anchor_hex_decode("deadbeef", 8, b, 3), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_decode("deadbeeg", 8, b, 4), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_decode_var("0x", 2, b, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(anchor_hex_decode_var("abc", 3, b, 4, &n),
	    ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_decode_var("0011223344", 10, b, 4, &n),
	    ANCHOR_ENOSPC);
	ck_assert_int_eq(anchor_hex_is_valid("0aF9", 4), 1);
	ck_assert_int_eq(anchor_hex_is_valid("0aF", 3), 0);
	ck_assert_int_eq(anchor_hex_is_valid("", 0), 0);

	ck_assert_int_eq(anchor_hex_quantity_parse("0x0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(anchor_hex_quantity_parse("0x7a69", &v), 0);
	ck_assert_uint_eq(v, 31337);
	ck_assert_int_eq(anchor_hex_quantity_parse("0xffffffffffffffff", &v),
	    0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(anchor_hex_quantity_parse("0x1ffffffffffffffff", &v),
	    ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_quantity_parse("0x01", &v), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_quantity_parse("0x", &v), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_quantity_parse("12", &v), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_quantity_parse(NULL, &v), ANCHOR_EINVAL);
	ck_assert_int_eq(anchor_hex_quantity_format(0, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "0x0");
	ck_assert_int_eq(anchor_hex_quantity_format(31337, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "0x7a69");
	ck_assert_int_eq(anchor_hex_quantity_format(31337, s, 6),
	    ANCHOR_ENOSPC);
	ck_assert_str_eq(anchor_strerror(ANCHOR_ERPC), "rpc error response");
	ck_assert_str_eq(anchor_strerror(12345), "unknown error");
}
END_TEST

static Suite *
leaf_suite(void)
{
	Suite *s = suite_create("leaf");
	TCase *tc = tcase_create("leaf");

	tcase_add_test(tc, test_leaf_canonical);
	tcase_add_test(tc, test_leaf_order_independent);
	tcase_add_test(tc, test_leaf_escaping);
	tcase_add_test(tc, test_leaf_invalid);
	tcase_add_test(tc, test_leaf_buffer_sizes);
	tcase_add_test(tc, test_leaf_many_votes);
	tcase_add_test(tc, test_leaf_hash_of_record);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(leaf_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
