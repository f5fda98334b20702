/*
 * tests/unit/test_market_vote.c — the signed messages of DESIGN.md and their
 * verification: vote_message() (vote.h), auth_login_message() and
 * auth_verify_hex() (auth.h).
 *
 * The messages are fields joined by "\n" with no trailing newline; clients
 * in other languages must produce the same bytes, so the tests compare
 * bytes, not just strings.  Verification runs libsodium's Ed25519 on a
 * fresh keypair and on the first test vector of RFC 8032 §7.1.  No
 * database.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "labeling/auth.h"
#include "labeling/limits.h"
#include "labeling/vote.h"

struct signer {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	char	      pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
};

static void
signer_init(struct signer *s)
{
	ck_assert_int_eq(crypto_sign_keypair(s->pk, s->sk), 0);
	sodium_bin2hex(s->pk_hex, sizeof(s->pk_hex), s->pk, sizeof(s->pk));
}

static void
sign_hex(const struct signer *s, const char *msg, size_t len,
    char out[2 * crypto_sign_BYTES + 1])
{
	unsigned char sig[crypto_sign_BYTES];

	ck_assert_int_eq(crypto_sign_detached(sig, NULL,
			     (const unsigned char *)msg, len, s->sk),
	    0);
	sodium_bin2hex(out, 2 * crypto_sign_BYTES + 1, sig, sizeof(sig));
}

/* Flip one bit of the hex digit at `pos`, keeping it lower-case hex. */
static void
flip_hex(char *hex, size_t pos)
{
	static const char digits[] = "0123456789abcdef";
	int		  v = (int)(strchr(digits, hex[pos]) - digits);

	hex[pos] = digits[v ^ 1];
}

static void
setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
}

START_TEST(test_vote_message_bytes)
{
	static const char want[] = "labelchain:vote:v1\n12\n34\ncat";
	char		  buf[256];
	int		  n;

	memset(buf, 'Z', sizeof(buf));
	n = vote_message(12, 34, "cat", buf, sizeof(buf));
	ck_assert_int_eq(n, (int)sizeof(want) - 1);
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0); /* and NUL */
	ck_assert_int_ne(buf[n - 1], '\n');
}
END_TEST

START_TEST(test_vote_message_label_verbatim)
{
	char buf[256];
	int  n;

	/* The label goes in byte for byte: no escaping, no trimming, and a
	 * '%' is not a format. */
	n = vote_message(1, 2, " A \"b\" \\ %s h\xc3\xa9\t", buf, sizeof(buf));
	ck_assert_int_eq(n, 23 + 16);
	ck_assert_str_eq(buf,
	    "labelchain:vote:v1\n1\n2\n A \"b\" \\ %s h\xc3\xa9\t");
	n = vote_message(INT64_MAX, INT64_MAX, "x", buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "labelchain:vote:v1\n9223372036854775807\n"
	    "9223372036854775807\nx");
	ck_assert_int_eq(n, (int)strlen(buf));
	n = vote_message(0, -1, "", buf, sizeof(buf));
	ck_assert_str_eq(buf, "labelchain:vote:v1\n0\n-1\n");
}
END_TEST

START_TEST(test_vote_message_longest_fits)
{
	/* Longest ids and label: what vote.c's message buffer must hold. */
	char label[LC_MAX_LABEL_BYTES + 1];
	char buf[64 + LC_MAX_LABEL_BYTES];

	memset(label, 'l', LC_MAX_LABEL_BYTES);
	label[LC_MAX_LABEL_BYTES] = '\0';
	ck_assert_int_eq(vote_message(INT64_MAX, INT64_MAX, label, buf,
			     sizeof(buf)),
	    19 + 19 + 1 + 19 + 1 + LC_MAX_LABEL_BYTES);
}
END_TEST

START_TEST(test_vote_message_too_small)
{
	char buf[32];

	/* "labelchain:vote:v1\n12\n34\ncat" is 28 bytes + NUL. */
	ck_assert_int_eq(vote_message(12, 34, "cat", buf, 29), 28);
	ck_assert_int_eq(vote_message(12, 34, "cat", buf, 28), -1);
	ck_assert_int_eq(vote_message(12, 34, "cat", buf, 1), -1);
	ck_assert_int_eq(vote_message(12, 34, "cat", NULL, 0), -1);
}
END_TEST

START_TEST(test_login_message_bytes)
{
	static const char challenge[] = "00112233445566778899aabbccddeeff"
					"00112233445566778899aabbccddeeff";
	char		  buf[128];
	int		  n;

	n = auth_login_message(challenge, buf, sizeof(buf));
	ck_assert_int_eq(n, 20 + AUTH_CHALLENGE_LEN);
	ck_assert_int_eq(memcmp(buf, "labelchain:login:v1\n", 20), 0);
	ck_assert_int_eq(memcmp(buf + 20, challenge, sizeof(challenge)), 0);
	ck_assert_int_eq(auth_login_message(challenge, buf, 85), 84);
	ck_assert_int_eq(auth_login_message(challenge, buf, 84), -1);
	ck_assert_int_eq(auth_login_message("", buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "labelchain:login:v1\n");
}
END_TEST

START_TEST(test_verify_good)
{
	struct signer s;
	char	      msg[256], sig[129];
	int	      n;

	signer_init(&s);
	n = vote_message(7, 9, "dog", msg, sizeof(msg));
	sign_hex(&s, msg, (size_t)n, sig);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), 0);
}
END_TEST

START_TEST(test_verify_flipped_bits)
{
	struct signer s;
	char	      msg[256], sig[129], bad[129];
	int	      n;
	size_t	      i;

	signer_init(&s);
	n = vote_message(7, 9, "dog", msg, sizeof(msg));
	sign_hex(&s, msg, (size_t)n, sig);
	/* Any bit of the signature. */
	for (i = 0; i < 128; i += 7) {
		memcpy(bad, sig, sizeof(bad));
		flip_hex(bad, i);
		ck_assert_msg(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n) ==
			-1,
		    "flipped digit %zu verifies", i);
	}
	/* Any bit of the message. */
	for (i = 0; i < (size_t)n; i++) {
		msg[i] ^= 0x01;
		ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n),
		    -1);
		msg[i] ^= 0x01;
	}
	/* Another label, assignment or a trailing newline. */
	n = vote_message(7, 9, "cat", msg, sizeof(msg));
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), -1);
	n = vote_message(8, 9, "dog", msg, sizeof(msg));
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), -1);
	n = vote_message(7, 9, "dog\n", msg, sizeof(msg));
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), -1);
	n = vote_message(7, 9, "dog", msg, sizeof(msg));
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n - 1),
	    -1);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), 0);
}
END_TEST

START_TEST(test_verify_wrong_key)
{
	struct signer s, other;
	char	      msg[128], sig[129];
	int	      n;

	signer_init(&s);
	signer_init(&other);
	n = auth_login_message("abcd", msg, sizeof(msg));
	sign_hex(&s, msg, (size_t)n, sig);
	ck_assert_int_eq(auth_verify_hex(other.pk_hex, sig, msg, (size_t)n),
	    -1);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), 0);
	/* Small-order (all-zero) key with an all-zero signature. */
	ck_assert_int_eq(auth_verify_hex("00000000000000000000000000000000"
					 "00000000000000000000000000000000",
			     "0000000000000000000000000000000000000000000000000"
			     "0000000000000000000000000000000000000000000000000"
			     "000000000000000000000000000000",
			     msg, (size_t)n),
	    -1);
}
END_TEST

START_TEST(test_verify_domain_separation)
{
	struct signer s;
	char	      login[128], vote[128], sig[129];
	int	      nl, nv;

	/* A login signature is never a vote signature. */
	signer_init(&s);
	nl = auth_login_message("1\n2\ncat", login, sizeof(login));
	nv = vote_message(1, 2, "cat", vote, sizeof(vote));
	sign_hex(&s, login, (size_t)nl, sig);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, login, (size_t)nl), 0);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, vote, (size_t)nv), -1);
}
END_TEST

START_TEST(test_verify_hex_format)
{
	struct signer s;
	char	      msg[64], sig[129], bad[140], pk[80];
	size_t	      i;
	int	      n;

	signer_init(&s);
	n = vote_message(1, 1, "a", msg, sizeof(msg));
	sign_hex(&s, msg, (size_t)n, sig);

	/* Upper-case hex is refused (DESIGN.md: hex in lower case). */
	strcpy(bad, sig);
	for (i = 0; bad[i] != '\0'; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(pk, s.pk_hex);
	for (i = 0; pk[i] != '\0'; i++)
		if (pk[i] >= 'a' && pk[i] <= 'f')
			pk[i] = (char)(pk[i] - 'a' + 'A');
	if (strcmp(pk, s.pk_hex) != 0)
		ck_assert_int_eq(auth_verify_hex(pk, sig, msg, (size_t)n), -1);

	/* Wrong lengths. */
	strcpy(bad, sig);
	bad[127] = '\0';
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(bad, sig);
	strcat(bad, "0");
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(bad, sig);
	strcat(bad, "00");
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(pk, s.pk_hex);
	pk[62] = '\0';
	ck_assert_int_eq(auth_verify_hex(pk, sig, msg, (size_t)n), -1);
	strcpy(pk, s.pk_hex);
	strcat(pk, "00");
	ck_assert_int_eq(auth_verify_hex(pk, sig, msg, (size_t)n), -1);

	/* Not hex, spaces, prefixes, nothing. */
	strcpy(bad, sig);
	bad[10] = 'g';
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(bad, sig);
	bad[0] = ' ';
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, bad, msg, (size_t)n), -1);
	strcpy(pk, "0x");
	strcat(pk, s.pk_hex + 2);
	ck_assert_int_eq(auth_verify_hex(pk, sig, msg, (size_t)n), -1);
	ck_assert_int_eq(auth_verify_hex("", sig, msg, (size_t)n), -1);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, "", msg, (size_t)n), -1);
	ck_assert_int_eq(auth_verify_hex(NULL, sig, msg, (size_t)n), -1);
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, NULL, msg, (size_t)n), -1);
	/* And the untouched pair still verifies. */
	ck_assert_int_eq(auth_verify_hex(s.pk_hex, sig, msg, (size_t)n), 0);
}
END_TEST

START_TEST(test_verify_rfc8032_vector)
{
	/* RFC 8032 §7.1, TEST 1: the empty message. */
	static const char pk[] = "d75a980182b10ab7d54bfed3c964073a"
				 "0ee172f3daa62325af021a68f707511a";
	static const char sig[] = "e5564300c360ac729086e2cc806e828a"
				  "84877f1eb8e5d974d873e065224901555f"
				  "b8821590a33bacc61e39701cf9b46bd25b"
				  "f5f0595bbe24655141438e7a100b";

	ck_assert_int_eq(auth_verify_hex(pk, sig, "", 0), 0);
	ck_assert_int_eq(auth_verify_hex(pk, sig, "\n", 1), -1);
}
END_TEST

static Suite *
market_vote_suite(void)
{
	Suite *s = suite_create("market_vote");
	TCase *msg = tcase_create("messages");
	TCase *ver = tcase_create("verify");

	tcase_add_test(msg, test_vote_message_bytes);
	tcase_add_test(msg, test_vote_message_label_verbatim);
	tcase_add_test(msg, test_vote_message_longest_fits);
	tcase_add_test(msg, test_vote_message_too_small);
	tcase_add_test(msg, test_login_message_bytes);
	suite_add_tcase(s, msg);
	tcase_add_unchecked_fixture(ver, setup, NULL);
	tcase_add_test(ver, test_verify_good);
	tcase_add_test(ver, test_verify_flipped_bits);
	tcase_add_test(ver, test_verify_wrong_key);
	tcase_add_test(ver, test_verify_domain_separation);
	tcase_add_test(ver, test_verify_hex_format);
	tcase_add_test(ver, test_verify_rfc8032_vector);
	suite_add_tcase(s, ver);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_vote_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
