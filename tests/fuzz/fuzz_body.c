/*
 * tests/fuzz/fuzz_body.c — the small JSON bodies of the API, read the way
 * their handlers read them (server/h_account.c, h_market.c, h_project.c):
 * market_json_parse, then the fields of each body with market_json_get_str
 * / market_json_get_i64 and the vote's "next".
 *
 *   POST /v1/auth/challenge	{public_key}
 *   POST /v1/auth/login	{public_key, challenge, signature}
 *   POST /v1/assignments/{id}/vote {label, signature, next?}
 *   POST /v1/me/stake, /unstake, /v1/projects/{id}/fund {amount}
 *
 * Every body is tried on the same bytes.  What a reader accepts respects
 * its contract: a string of 1..max bytes (strlen, so no NUL inside), an
 * integer in [min, max] equal to the JSON number, "next" a boolean; a
 * refusal leaves a NUL-terminated detail; the signed messages built from
 * accepted fields (auth_login_message, vote_message) fit or are refused,
 * never truncated silently; a signature check on accepted fields answers 0
 * or -1 and only 0 when libsodium agrees.  Leaks are ASan's to find.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "labeling/auth.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/vote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_detail(const char *detail)
{
	if (memchr(detail, '\0', LC_DETAIL_LEN) == NULL)
		abort();
}

/* obj.name as the handlers read it, checked against the contract. */
static const char *
get_str(const cJSON *body, const char *name, size_t max)
{
	char	    detail[LC_DETAIL_LEN];
	const char *s;
	size_t	    n;

	memset(detail, 'x', sizeof(detail));
	detail[sizeof(detail) - 1] = '\0';
	s = market_json_get_str(body, name, max, detail);
	if (s == NULL) {
		check_detail(detail);
		return NULL;
	}
	n = strlen(s);
	if (n == 0 || n > max)
		abort();
	return s;
}

static void
check_amount(const cJSON *body)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "amount");
	char	     detail[LC_DETAIL_LEN] = "";
	int64_t	     amount = -1;

	if (market_json_get_i64(body, "amount", 1, LC_MAX_AMOUNT, &amount,
		detail) != 0) {
		check_detail(detail);
		if (amount != -1) /* nothing written on refusal */
			abort();
		return;
	}
	if (!cJSON_IsNumber(v) || amount < 1 || amount > LC_MAX_AMOUNT ||
	    (double)amount != v->valuedouble)
		abort();
}

static void
check_signature(const char *pk, const char *sig, const char *msg, int len)
{
	unsigned char pkb[crypto_sign_PUBLICKEYBYTES], sigb[crypto_sign_BYTES];
	int	      rc;

	rc = auth_verify_hex(pk, sig, msg, (size_t)len);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0 &&
	    (!market_is_hex(pk, 64) || !market_is_hex(sig, 128) ||
		sodium_hex2bin(pkb, sizeof(pkb), pk, 64, NULL, NULL, NULL) !=
		    0 ||
		sodium_hex2bin(sigb, sizeof(sigb), sig, 128, NULL, NULL,
		    NULL) != 0 ||
		crypto_sign_verify_detached(sigb, (const unsigned char *)msg,
		    (unsigned long long)len, pkb) != 0))
		abort();
}

static void
check_login(const cJSON *body)
{
	const char *pk, *ch, *sig;
	char	    msg[64 + AUTH_CHALLENGE_LEN + 1];
	int	    len;

	if ((pk = get_str(body, "public_key", 64)) == NULL)
		return;
	if ((ch = get_str(body, "challenge", 64)) == NULL ||
	    (sig = get_str(body, "signature", 128)) == NULL)
		return;
	len = auth_login_message(ch, msg, sizeof(msg));
	if (len < 0 ||
	    (size_t)len != strlen("labelchain:login:v1\n") + strlen(ch) ||
	    memcmp(msg, "labelchain:login:v1\n", 20) != 0)
		abort();
	check_signature(pk, sig, msg, len);
}

static void
check_vote(const cJSON *body)
{
	const cJSON *next;
	const char  *label, *sig;
	char	     msg[64 + LC_MAX_LABEL_BYTES];
	int	     len;

	if ((label = get_str(body, "label", LC_MAX_LABEL_BYTES)) == NULL ||
	    (sig = get_str(body, "signature", 128)) == NULL)
		return;
	next = cJSON_GetObjectItemCaseSensitive(body, "next");
	if (next != NULL && !cJSON_IsBool(next))
		return; /* 422 "next must be true or false" */
	/* The largest ids: the message must still fit its buffer. */
	len = vote_message(INT64_MAX, INT64_MAX, label, msg, sizeof(msg));
	if (len < 0 || (size_t)len >= sizeof(msg) ||
	    (size_t)len != strlen(msg) || strlen(msg) < strlen(label))
		abort();
	check_signature("00", sig, msg, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   detail[LC_DETAIL_LEN] = "";
	cJSON *body = NULL;

	if (size > LC_MAX_JSON_BODY_BYTES)
		return 0; /* http_json_body refuses it before parsing */
	if (market_json_parse((const char *)data, size, &body, detail) != 0) {
		if (body != NULL)
			abort();
		check_detail(detail);
		return 0;
	}
	if (body == NULL)
		abort();
	(void)get_str(body, "public_key", 64); /* challenge */
	check_login(body);
	check_vote(body);
	check_amount(body);
	cJSON_Delete(body);
	return 0;
}
