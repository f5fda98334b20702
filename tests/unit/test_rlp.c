/*
 * tests/unit/test_rlp.c — RLP against the examples of the Ethereum wiki
 * ("RLP", ethereum.org developer docs) and round trips through the strict
 * decoder.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/rlp.h"

static uint8_t	      buf[1200];
static struct rlp_enc enc;

static void
ck_encoded(const char *want_hex)
{
	uint8_t want[1200];
	size_t	len, wlen;

	ck_assert_int_eq(rlp_enc_finish(&enc, &len), 0);
	ck_assert_int_eq(anchor_hex_decode_var(want_hex, strlen(want_hex), want,
			     sizeof(want), &wlen),
	    0);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(buf, want, len);
}

static void
reset(void)
{
	rlp_enc_init(&enc, buf, sizeof(buf));
}

static const char lorem[] =
    "Lorem ipsum dolor sit amet, consectetur adipisicing elit";

START_TEST(test_rlp_wiki_examples)
{
	uint8_t zero = 0x00, fifteen = 0x0f;

	reset();
	rlp_put_bytes(&enc, "dog", 3);
	ck_encoded("83646f67");

	reset();
	rlp_list_begin(&enc);
	rlp_put_bytes(&enc, "cat", 3);
	rlp_put_bytes(&enc, "dog", 3);
	rlp_list_end(&enc);
	ck_encoded("c88363617483646f67");

	reset();
	rlp_put_bytes(&enc, "", 0);
	ck_encoded("80");

	reset();
	rlp_list_begin(&enc);
	rlp_list_end(&enc);
	ck_encoded("c0");

	reset();
	rlp_put_uint(&enc, 0);
	ck_encoded("80");

	reset();
	rlp_put_bytes(&enc, &zero, 1);
	ck_encoded("00");

	reset();
	rlp_put_bytes(&enc, &fifteen, 1);
	ck_encoded("0f");

	reset();
	rlp_put_uint(&enc, 1024);
	ck_encoded("820400");

	/* The set-theoretical representation of three. */
	reset();
	rlp_list_begin(&enc);
	rlp_list_begin(&enc);
	rlp_list_end(&enc);
	rlp_list_begin(&enc);
	rlp_list_begin(&enc);
	rlp_list_end(&enc);
	rlp_list_end(&enc);
	rlp_list_begin(&enc);
	rlp_list_begin(&enc);
	rlp_list_end(&enc);
	rlp_list_begin(&enc);
	rlp_list_begin(&enc);
	rlp_list_end(&enc);
	rlp_list_end(&enc);
	rlp_list_end(&enc);
	rlp_list_end(&enc);
	ck_encoded("c7c0c1c0c3c0c1c0");

	reset();
	rlp_put_bytes(&enc, lorem, strlen(lorem));
	ck_encoded(
	    "b838"
	    "4c6f72656d20697073756d20646f6c6f722073697420616d65742c"
	    "20636f6e7365637465747572206164697069736963696e6720656c6974");
}
END_TEST

START_TEST(test_rlp_integers)
{
	static const struct {
		uint64_t    v;
		const char *hex;
	} cases[] = {
		{ 1, "01" },
		{ 127, "7f" },
		{ 128, "8180" },
		{ 255, "81ff" },
		{ 256, "820100" },
		{ 0xffffff, "83ffffff" },
		{ UINT64_MAX, "88ffffffffffffffff" },
	};
	static const uint8_t be[32] = { [30] = 0x04, [31] = 0x00 };
	static const uint8_t zeros[32] = { 0 };
	size_t		     i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		rlp_put_uint(&enc, cases[i].v);
		ck_encoded(cases[i].hex);
	}
	reset();
	rlp_put_uint_be(&enc, be, sizeof(be));
	ck_encoded("820400");
	reset();
	rlp_put_uint_be(&enc, zeros, sizeof(zeros));
	ck_encoded("80");
}
END_TEST

START_TEST(test_rlp_long_list_and_string)
{
	uint8_t big[1024];
	char	hex[64];
	size_t	len, i;

	/* A list of 56 one-byte items: long-form header f838. */
	reset();
	rlp_list_begin(&enc);
	for (i = 0; i < 56; i++)
		rlp_put_uint(&enc, 1);
	rlp_list_end(&enc);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), 0);
	ck_assert_uint_eq(len, 58);
	ck_assert_int_eq(buf[0], 0xf8);
	ck_assert_int_eq(buf[1], 56);

	/* A 1024-byte string: b9 04 00. */
	memset(big, 0xaa, sizeof(big));
	reset();
	rlp_put_bytes(&enc, big, sizeof(big));
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), 0);
	ck_assert_uint_eq(len, 1027);
	ck_assert_int_eq(anchor_hex_encode(buf, 3, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, "b90400");
}
END_TEST

START_TEST(test_rlp_errors)
{
	uint8_t small[4];
	size_t	len;

	rlp_enc_init(&enc, small, sizeof(small));
	rlp_put_bytes(&enc, "dogs", 4);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), ANCHOR_ENOSPC);

	/* ["dog"] is c4 83 64 6f 67: with 4 bytes the payload fits but
	 * the list header does not. */
	rlp_enc_init(&enc, small, sizeof(small));
	rlp_list_begin(&enc);
	rlp_put_bytes(&enc, "dog", 3);
	rlp_list_end(&enc);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), ANCHOR_ENOSPC);
	rlp_enc_init(&enc, buf, 5);
	rlp_list_begin(&enc);
	rlp_put_bytes(&enc, "dog", 3);
	rlp_list_end(&enc);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), 0);
	ck_assert_uint_eq(len, 5);

	reset();
	rlp_list_begin(&enc);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), ANCHOR_EINVAL);
	reset();
	rlp_list_end(&enc);
	ck_assert_int_eq(rlp_enc_finish(&enc, &len), ANCHOR_EINVAL);
}
END_TEST

START_TEST(test_rlp_decode)
{
	struct rlp_item it, sub;
	uint64_t	v;
	size_t		used, off;
	uint8_t		in[80];
	size_t		n;

	/* ["cat", "dog"] */
	ck_assert_int_eq(anchor_hex_decode_var("c88363617483646f67", 18, in,
			     sizeof(in), &n),
	    0);
	ck_assert_int_eq(rlp_decode_item(in, n, &it, &used), 0);
	ck_assert_int_eq(it.is_list, 1);
	ck_assert_uint_eq(used, n);
	ck_assert_uint_eq(it.len, 8);
	ck_assert_int_eq(rlp_decode_item(it.payload, it.len, &sub, &off), 0);
	ck_assert_int_eq(sub.is_list, 0);
	ck_assert_uint_eq(sub.len, 3);
	ck_assert_mem_eq(sub.payload, "cat", 3);
	ck_assert_int_eq(rlp_decode_item(it.payload + off, it.len - off, &sub,
			     &used),
	    0);
	ck_assert_mem_eq(sub.payload, "dog", 3);

	/* Integers round trip. */
	reset();
	rlp_put_uint(&enc, 0x123456789a);
	ck_assert_int_eq(rlp_enc_finish(&enc, &n), 0);
	ck_assert_int_eq(rlp_decode_item(buf, n, &it, &used), 0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), 0);
	ck_assert_uint_eq(v, 0x123456789a);
	ck_assert_int_eq(rlp_decode_item((const uint8_t *)"\x80", 1, &it,
			     &used),
	    0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), 0);
	ck_assert_uint_eq(v, 0);

	/* Lorem: long string form. */
	reset();
	rlp_put_bytes(&enc, lorem, strlen(lorem));
	ck_assert_int_eq(rlp_enc_finish(&enc, &n), 0);
	ck_assert_int_eq(rlp_decode_item(buf, n, &it, &used), 0);
	ck_assert_uint_eq(it.len, strlen(lorem));
	ck_assert_int_eq(rlp_decode_item(buf, n - 1, &it, &used),
	    ANCHOR_EINVAL);
}
END_TEST

START_TEST(test_rlp_decode_noncanonical)
{
	static const char *bad[] = {
		"",		    /* nothing */
		"8105",		    /* single byte < 0x80 wrapped */
		"b80548656c6c6f",   /* long form for 5 bytes */
		"b9000548656c6c6f", /* leading zero in the length */
		"83646f",	    /* truncated */
		"c3c0c0",	    /* list payload truncated */
		"f8020102",	    /* long list form for 2 bytes */
		"bf",		    /* length of length beyond input */
	};
	struct rlp_item it;
	uint8_t		in[16];
	size_t		n, used, i;
	uint64_t	v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(anchor_hex_decode_var(bad[i], strlen(bad[i]),
				     in, sizeof(in), &n),
		    0);
		ck_assert_msg(rlp_decode_item(in, n, &it, &used) ==
			ANCHOR_EINVAL,
		    "case %zu", i);
	}
	/* Integer with a leading zero, or a list, or too long. */
	ck_assert_int_eq(rlp_decode_item((const uint8_t *)"\x82\x00\x01", 3,
			     &it, &used),
	    0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), ANCHOR_EINVAL);
	ck_assert_int_eq(rlp_decode_item((const uint8_t *)"\x00", 1, &it,
			     &used),
	    0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), ANCHOR_EINVAL);
	ck_assert_int_eq(rlp_decode_item((const uint8_t *)"\xc0", 1, &it,
			     &used),
	    0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), ANCHOR_EINVAL);
	ck_assert_int_eq(
	    rlp_decode_item((const uint8_t *)"\x89\x01\x02\x03\x04\x05\x06\x07"
					     "\x08\x09",
		10, &it, &used),
	    0);
	ck_assert_int_eq(rlp_item_uint(&it, &v), ANCHOR_EINVAL);
}
END_TEST

static Suite *
rlp_suite(void)
{
	Suite *s = suite_create("rlp");
	TCase *tc = tcase_create("rlp");

	tcase_add_test(tc, test_rlp_wiki_examples);
	tcase_add_test(tc, test_rlp_integers);
	tcase_add_test(tc, test_rlp_long_list_and_string);
	tcase_add_test(tc, test_rlp_errors);
	tcase_add_test(tc, test_rlp_decode);
	tcase_add_test(tc, test_rlp_decode_noncanonical);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rlp_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
