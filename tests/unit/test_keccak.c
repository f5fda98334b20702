/*
 * tests/unit/test_keccak.c — Keccak-256 against known digests.
 *
 * Sources: "" and "abc" (Keccak team / DESIGN.md); the quick brown fox
 * (Keccak-256 column of common test tables); keccak(0xc0) and keccak(0x80),
 * the empty uncle list and empty trie root of every Ethereum header;
 * Ethereum's genesis block hash over its RLP header (540 bytes, four
 * blocks of the sponge); and digests computed by anvil's web3_sha3 (revm's
 * independent Keccak) for 135 and 136 bytes (the one-byte 0x81 pad and the
 * exactly-full block) and for 1000 bytes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/keccak.h"
#include "anchor/rlp.h"

static void
ck_digest(const void *data, size_t len, const char *want)
{
	uint8_t d[KECCAK256_LEN];
	char	hex[2 * KECCAK256_LEN + 1];

	keccak256(data, len, d);
	ck_assert_int_eq(anchor_hex_encode(d, sizeof(d), hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, want);
}

START_TEST(test_keccak_short)
{
	static const uint8_t c0 = 0xc0, e80 = 0x80;

	ck_digest("", 0,
	    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	ck_digest("abc", 3,
	    "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
	ck_digest("The quick brown fox jumps over the lazy dog", 43,
	    "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
	ck_digest(&c0, 1,
	    "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
	ck_digest(&e80, 1,
	    "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
	ck_assert_int_eq(keccak256_selftest(), 0);
}
END_TEST

START_TEST(test_keccak_block_edges)
{
	uint8_t a[136], seq[1000];
	size_t	i;

	memset(a, 'a', sizeof(a));
	ck_digest(a, 135,
	    "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
	ck_digest(a, 136,
	    "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
	for (i = 0; i < sizeof(seq); i++)
		seq[i] = (uint8_t)(i % 251);
	ck_digest(seq, sizeof(seq),
	    "af692982e84a5a9688359025660a7857cd28ee7c8d867cfa1677baf2e6d1f63b");
}
END_TEST

START_TEST(test_keccak_incremental)
{
	struct keccak256_ctx ctx;
	uint8_t		     seq[1000], one[KECCAK256_LEN], inc[KECCAK256_LEN];
	size_t		     i, split, step;

	for (i = 0; i < sizeof(seq); i++)
		seq[i] = (uint8_t)(i * 7 + 3);
	keccak256(seq, sizeof(seq), one);
	for (split = 0; split <= sizeof(seq); split += 17) {
		keccak256_init(&ctx);
		keccak256_update(&ctx, seq, split);
		keccak256_update(&ctx, seq + split, sizeof(seq) - split);
		keccak256_final(&ctx, inc);
		ck_assert_mem_eq(one, inc, sizeof(one));
	}
	for (step = 1; step <= 137; step += 34) {
		keccak256_init(&ctx);
		for (i = 0; i < sizeof(seq); i += step)
			keccak256_update(&ctx, seq + i,
			    sizeof(seq) - i < step ? sizeof(seq) - i : step);
		keccak256_final(&ctx, inc);
		ck_assert_mem_eq(one, inc, sizeof(one));
	}
}
END_TEST

/* Header fields of Ethereum mainnet block 0. */
START_TEST(test_keccak_genesis_header)
{
	static const char *hashes[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
	};
	static const char *roots[] = {
		"d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544",
		"56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
		"56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
	};
	static const char extra[] =
	    "11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa";
	uint8_t	       buf[600], h[32], coinbase[20], bloom[256], nonce[8];
	uint8_t	       digest[KECCAK256_LEN];
	char	       hex[65];
	struct rlp_enc e;
	size_t	       i, len;

	memset(coinbase, 0, sizeof(coinbase));
	memset(bloom, 0, sizeof(bloom));
	memset(nonce, 0, sizeof(nonce));
	nonce[7] = 0x42;
	rlp_enc_init(&e, buf, sizeof(buf));
	rlp_list_begin(&e);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(anchor_hex_decode(hashes[i], 64, h, 32), 0);
		rlp_put_bytes(&e, h, 32);
	}
	rlp_put_bytes(&e, coinbase, sizeof(coinbase));
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(anchor_hex_decode(roots[i], 64, h, 32), 0);
		rlp_put_bytes(&e, h, 32);
	}
	rlp_put_bytes(&e, bloom, sizeof(bloom));
	rlp_put_uint(&e, 17179869184u); /* difficulty 0x400000000 */
	rlp_put_uint(&e, 0);		/* number */
	rlp_put_uint(&e, 5000);		/* gas limit */
	rlp_put_uint(&e, 0);		/* gas used */
	rlp_put_uint(&e, 0);		/* timestamp */
	ck_assert_int_eq(anchor_hex_decode(extra, 64, h, 32), 0);
	rlp_put_bytes(&e, h, 32);
	memset(h, 0, sizeof(h));
	rlp_put_bytes(&e, h, 32); /* mix hash */
	rlp_put_bytes(&e, nonce, sizeof(nonce));
	rlp_list_end(&e);
	ck_assert_int_eq(rlp_enc_finish(&e, &len), 0);
	keccak256(buf, len, digest);
	ck_assert_int_eq(anchor_hex_encode(digest, 32, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex,
	    "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
}
END_TEST

static Suite *
keccak_suite(void)
{
	Suite *s = suite_create("keccak");
	TCase *tc = tcase_create("keccak");

	tcase_add_test(tc, test_keccak_short);
	tcase_add_test(tc, test_keccak_block_edges);
	tcase_add_test(tc, test_keccak_incremental);
	tcase_add_test(tc, test_keccak_genesis_header);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(keccak_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
