/*
 * tests/unit/test_market_common.c — the market's shared helpers: the error
 * registry (lc_err.h), hex / id / amount parsing and exact integers in JSON
 * (market.h), ledger keys (ledger.h) and log level names (log.h).
 *
 * Amounts reach the market as JSON numbers read by market_json_get_i64():
 * a cJSON number is a double, so the parser must refuse fractions, values
 * beyond 2^53 (which a double cannot hold exactly) and anything outside
 * [min, max], and name the field in the detail.  No database.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/log.h"
#include "labeling/market.h"

/* Parse {"amount": <text>} and read it as an amount of 1..LC_MAX_AMOUNT. */
static int
amount(const char *value_json, int64_t *out, char *detail)
{
	char   body[256];
	cJSON *o;
	int    rc;

	snprintf(body, sizeof(body), "{\"amount\":%s}", value_json);
	o = cJSON_Parse(body);
	ck_assert_ptr_nonnull(o);
	*out = -12345;
	detail[0] = '\0';
	rc = market_json_get_i64(o, "amount", 1, LC_MAX_AMOUNT, out, detail);
	cJSON_Delete(o);
	return rc;
}

START_TEST(test_err_registry)
{
	const struct lc_err_info *e;

	e = lc_err_info(LC_ERR_VALIDATION);
	ck_assert_int_eq(e->code, LC_ERR_VALIDATION);
	ck_assert_int_eq(e->http_status, 422);
	ck_assert_str_eq(e->symbol, "LC_ERR_VALIDATION");
	ck_assert_str_eq(e->type, "validation");
	e = lc_err_info(LC_ERR_BAD_JSON);
	ck_assert_int_eq(e->http_status, 400);
	ck_assert_str_eq(e->type, "bad-json");
	e = lc_err_info(LC_ERR_TOO_LARGE);
	ck_assert_int_eq(e->http_status, 413);
	e = lc_err_info(LC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(e->http_status, 401);
	ck_assert_str_eq(e->type, "bad-signature");
	e = lc_err_info(LC_ERR_FUNDS);
	ck_assert_int_eq(e->http_status, 409);
	ck_assert_str_eq(e->type, "insufficient-funds");
	e = lc_err_info(LC_ERR_STATE);
	ck_assert_int_eq(e->code, -23);
	ck_assert_str_eq(e->symbol, "LC_ERR_STATE");
}
END_TEST

START_TEST(test_err_unknown_maps_to_internal)
{
	ck_assert_int_eq(lc_err_info(0)->code, LC_ERR_INTERNAL);
	ck_assert_int_eq(lc_err_info(-999)->code, LC_ERR_INTERNAL);
	ck_assert_int_eq(lc_err_info(7)->http_status, 500);
}
END_TEST

START_TEST(test_err_codes_unique)
{
	int code, other;

	/* Every code from -1 to -23 resolves to itself, once. */
	for (code = -1; code >= LC_ERR_STATE; code--) {
		ck_assert_int_eq(lc_err_info(code)->code, code);
		for (other = code - 1; other >= LC_ERR_STATE; other--)
			ck_assert_str_ne(lc_err_info(code)->type,
			    lc_err_info(other)->type);
	}
}
END_TEST

START_TEST(test_is_hex)
{
	ck_assert_int_eq(market_is_hex("0123456789abcdef", 16), 1);
	ck_assert_int_eq(market_is_hex("", 0), 1);
	ck_assert_int_eq(market_is_hex("0123456789ABCDEF", 16), 0);
	ck_assert_int_eq(market_is_hex("0123456789abcdeg", 16), 0);
	ck_assert_int_eq(market_is_hex("abc", 4), 0);
	ck_assert_int_eq(market_is_hex("abcde", 4), 0);
	ck_assert_int_eq(market_is_hex(" abc", 4), 0);
	ck_assert_int_eq(market_is_hex(NULL, 0), 0);
}
END_TEST

START_TEST(test_parse_id)
{
	int64_t v = 0;

	ck_assert_int_eq(market_parse_id("1", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(market_parse_id("123456789012345678", &v), 0);
	ck_assert_int_eq(v, INT64_C(123456789012345678));
	v = 77;
	ck_assert_int_eq(market_parse_id("0", &v), -1);
	ck_assert_int_eq(market_parse_id("", &v), -1);
	ck_assert_int_eq(market_parse_id("-1", &v), -1);
	ck_assert_int_eq(market_parse_id("+1", &v), -1);
	ck_assert_int_eq(market_parse_id(" 1", &v), -1);
	ck_assert_int_eq(market_parse_id("1 ", &v), -1);
	ck_assert_int_eq(market_parse_id("1x", &v), -1);
	ck_assert_int_eq(market_parse_id("0x10", &v), -1);
	ck_assert_int_eq(market_parse_id("1.0", &v), -1);
	ck_assert_int_eq(market_parse_id("1e3", &v), -1);
	/* 19 digits and more are refused, even below INT64_MAX. */
	ck_assert_int_eq(market_parse_id("1234567890123456789", &v), -1);
	ck_assert_int_eq(market_parse_id("9223372036854775808", &v), -1);
	ck_assert_int_eq(market_parse_id(NULL, &v), -1);
	ck_assert_int_eq(v, 77);
}
END_TEST

START_TEST(test_amount_integers)
{
	char	detail[LC_DETAIL_LEN];
	int64_t v;

	ck_assert_int_eq(amount("1", &v, detail), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(amount("1000000", &v, detail), 0);
	ck_assert_int_eq(v, 1000000);
	ck_assert_int_eq(amount("1000000000000000", &v, detail), 0);
	ck_assert_int_eq(v, LC_MAX_AMOUNT);
	/* An integer value is an integer, whatever its spelling (market.h:
	 * "fractional" is what is refused). */
	ck_assert_int_eq(amount("5.0", &v, detail), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(amount("1e3", &v, detail), 0);
	ck_assert_int_eq(v, 1000);
}
END_TEST

START_TEST(test_amount_rejects_fractions)
{
	char	detail[LC_DETAIL_LEN];
	int64_t v;

	ck_assert_int_eq(amount("1.5", &v, detail), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "amount must be an integer");
	ck_assert_int_eq(v, -12345);
	ck_assert_int_eq(amount("0.000001", &v, detail), LC_ERR_VALIDATION);
	ck_assert_int_eq(amount("999999999999999.5", &v, detail),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "amount must be an integer");
}
END_TEST

START_TEST(test_amount_rejects_non_numbers)
{
	static const char *const bad[] = { "\"100\"", "\"1e3\"", "true",
		"false", "null", "[1]", "{\"v\":1}" };
	char			 detail[LC_DETAIL_LEN];
	int64_t			 v;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(amount(bad[i], &v, detail), LC_ERR_VALIDATION);
		ck_assert_str_eq(detail, "amount must be an integer");
		ck_assert_int_eq(v, -12345);
	}
}
END_TEST

START_TEST(test_amount_missing)
{
	char	detail[LC_DETAIL_LEN];
	int64_t v = 3;
	cJSON  *o = cJSON_Parse("{\"amunt\":5}");

	ck_assert_int_eq(market_json_get_i64(o, "amount", 1, 10, &v, detail),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "amount must be an integer");
	ck_assert_int_eq(v, 3);
	/* Names are case-sensitive. */
	cJSON_Delete(o);
	o = cJSON_Parse("{\"Amount\":5}");
	ck_assert_int_eq(market_json_get_i64(o, "amount", 1, 10, &v, detail),
	    LC_ERR_VALIDATION);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_amount_range)
{
	char	detail[LC_DETAIL_LEN];
	int64_t v;

	ck_assert_int_eq(amount("0", &v, detail), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "amount must be between 1 and 1000000000000000");
	ck_assert_int_eq(amount("-1", &v, detail), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "amount must be between 1 and 1000000000000000");
	ck_assert_int_eq(amount("-0", &v, detail), LC_ERR_VALIDATION);
	ck_assert_int_eq(amount("1000000000000001", &v, detail),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "amount must be between 1 and 1000000000000000");
	ck_assert_int_eq(v, -12345);
}
END_TEST

START_TEST(test_amount_huge)
{
	static const char *const huge[] = { "9007199254740993",
		"9223372036854775807", "9223372036854775808",
		"18446744073709551616", "1e19", "1e300", "1e400", "-1e400",
		"-9223372036854775809" };
	char			 detail[LC_DETAIL_LEN];
	int64_t			 v;
	size_t			 i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		ck_assert_int_eq(amount(huge[i], &v, detail),
		    LC_ERR_VALIDATION);
		ck_assert_int_eq(v, -12345);
	}
	/* Beyond 2^53 the value is not exactly representable: "integer". */
	ck_assert_int_eq(amount("1e300", &v, detail), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "amount must be an integer");
}
END_TEST

START_TEST(test_get_i64_full_range)
{
	char	detail[LC_DETAIL_LEN];
	int64_t v;
	cJSON  *o = cJSON_Parse("{\"n\":-9007199254740992,"
				 "\"m\":9007199254740992}");

	ck_assert_int_eq(market_json_get_i64(o, "n", INT64_MIN, INT64_MAX, &v,
			     detail),
	    0);
	ck_assert_int_eq(v, -INT64_C(9007199254740992));
	ck_assert_int_eq(market_json_get_i64(o, "m", INT64_MIN, INT64_MAX, &v,
			     detail),
	    0);
	ck_assert_int_eq(v, INT64_C(9007199254740992));
	/* A NULL detail is allowed. */
	ck_assert_int_eq(market_json_get_i64(o, "x", 0, 1, &v, NULL),
	    LC_ERR_VALIDATION);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_get_str)
{
	char	    detail[LC_DETAIL_LEN];
	cJSON	   *o = cJSON_Parse("{\"s\":\"abc\",\"e\":\"\",\"n\":5,"
					 "\"z\":null,\"u\":\"h\\u00e9\"}");
	const char *s;

	s = market_json_get_str(o, "s", 3, detail);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "abc");
	ck_assert_ptr_null(market_json_get_str(o, "s", 2, detail));
	ck_assert_str_eq(detail, "s must hold 1 to 2 bytes");
	ck_assert_ptr_null(market_json_get_str(o, "e", 10, detail));
	ck_assert_str_eq(detail, "e must hold 1 to 10 bytes");
	ck_assert_ptr_null(market_json_get_str(o, "n", 10, detail));
	ck_assert_str_eq(detail, "n must be a string");
	ck_assert_ptr_null(market_json_get_str(o, "z", 10, detail));
	ck_assert_str_eq(detail, "z must be a string");
	ck_assert_ptr_null(market_json_get_str(o, "missing", 10, detail));
	ck_assert_str_eq(detail, "missing must be a string");
	/* The limit is in bytes of UTF-8: "hé" is 3 bytes. */
	ck_assert_ptr_nonnull(market_json_get_str(o, "u", 3, detail));
	ck_assert_ptr_null(market_json_get_str(o, "u", 2, detail));
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_json_i64_exact)
{
	cJSON *o = cJSON_CreateObject();
	char  *text;

	/* Beyond 2^53 a cJSON number would round; raw text does not. */
	ck_assert_ptr_nonnull(market_json_i64(o, "max", INT64_MAX));
	ck_assert_ptr_nonnull(market_json_i64(o, "min", INT64_MIN));
	ck_assert_ptr_nonnull(
	    market_json_i64(o, "odd", INT64_C(9007199254740993)));
	text = cJSON_PrintUnformatted(o);
	ck_assert_str_eq(text,
	    "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
	    "\"odd\":9007199254740993}");
	cJSON_free(text);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_i64_f64_text)
{
	char i[24], f[32];

	ck_assert_str_eq(market_i64(i, 0), "0");
	ck_assert_str_eq(market_i64(i, -42), "-42");
	ck_assert_str_eq(market_i64(i, INT64_MIN), "-9223372036854775808");
	ck_assert_str_eq(market_f64(f, 0.5), "0.5");
	/* Round trip: the text reads back as the same double. */
	ck_assert(strtod(market_f64(f, 0.1), NULL) == 0.1);
	ck_assert(strtod(market_f64(f, 2.0 / 3.0), NULL) == 2.0 / 3.0);
	ck_assert(strtod(market_f64(f, -1e-300), NULL) == -1e-300);
}
END_TEST

START_TEST(test_fail_detail)
{
	char detail[LC_DETAIL_LEN];
	char big[600];

	ck_assert_int_eq(market_fail(detail, LC_ERR_STATE, "x=%d", 7),
	    LC_ERR_STATE);
	ck_assert_str_eq(detail, "x=7");
	ck_assert_int_eq(market_fail(NULL, LC_ERR_FUNDS, "ignored"),
	    LC_ERR_FUNDS);
	/* Truncated to LC_DETAIL_LEN, always terminated. */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	market_fail(detail, LC_ERR_VALIDATION, "%s", big);
	ck_assert_uint_eq(strlen(detail), LC_DETAIL_LEN - 1);
}
END_TEST

START_TEST(test_sha256_hex)
{
	char hex[65];

	market_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	market_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_ledger_keys)
{
	char key[LEDGER_KEY_LEN];

	ledger_key_account(key, 42, "balance");
	ck_assert_str_eq(key, "a/42/balance");
	ledger_key_account(key, INT64_MAX, "unstaking");
	ck_assert_str_eq(key, "a/9223372036854775807/unstaking");
	ledger_key_escrow(key, 7);
	ck_assert_str_eq(key, "p/7/escrow");
	ledger_key_escrow(key, INT64_MAX);
	ck_assert_str_eq(key, "p/9223372036854775807/escrow");
}
END_TEST

START_TEST(test_log_level_parse)
{
	enum lc_log_level l = LC_LOG_ERROR;

	ck_assert_int_eq(lc_log_level_parse("debug", &l), 0);
	ck_assert_int_eq(l, LC_LOG_DEBUG);
	ck_assert_int_eq(lc_log_level_parse("WARN", &l), 0);
	ck_assert_int_eq(l, LC_LOG_WARN);
	ck_assert_int_eq(lc_log_level_parse("Error", &l), 0);
	ck_assert_int_eq(l, LC_LOG_ERROR);
	ck_assert_int_eq(lc_log_level_parse("warning", &l), -1);
	ck_assert_int_eq(lc_log_level_parse("", &l), -1);
	ck_assert_int_eq(l, LC_LOG_ERROR);
}
END_TEST

START_TEST(test_array_literals)
{
	static const int64_t	 ints[3] = { -1, 0, INT64_MAX };
	static const double	 reals[2] = { 0.1, 2.0 };
	static const char *const texts[4] = { "a/1/stake", "say \"hi\"",
		"back\\slash", NULL };
	char			 buf[128];

	ck_assert_int_eq(market_array_i64(buf, sizeof(buf), ints, 3), 0);
	ck_assert_str_eq(buf, "{-1,0,9223372036854775807}");
	ck_assert_int_eq(market_array_i64(buf, sizeof(buf), ints, 0), 0);
	ck_assert_str_eq(buf, "{}");
	ck_assert_int_eq(market_array_f64(buf, sizeof(buf), reals, 2), 0);
	ck_assert_str_eq(buf, "{0.10000000000000001,2}");
	ck_assert_int_eq(market_array_text(buf, sizeof(buf), texts, 4), 0);
	ck_assert_str_eq(buf,
	    "{\"a/1/stake\",\"say \\\"hi\\\"\",\"back\\\\slash\",NULL}");
	/* Too small: refused, never cut. */
	ck_assert_int_eq(market_array_i64(buf, 10, ints, 3), -1);
	ck_assert_int_eq(market_array_text(buf, 15, texts, 1), 0);
	ck_assert_int_eq(market_array_text(buf, 13, texts, 1), -1);
}
END_TEST

static Suite *
market_common_suite(void)
{
	Suite *s = suite_create("market_common");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_err_registry);
	tcase_add_test(tc, test_err_unknown_maps_to_internal);
	tcase_add_test(tc, test_err_codes_unique);
	tcase_add_test(tc, test_is_hex);
	tcase_add_test(tc, test_parse_id);
	tcase_add_test(tc, test_amount_integers);
	tcase_add_test(tc, test_amount_rejects_fractions);
	tcase_add_test(tc, test_amount_rejects_non_numbers);
	tcase_add_test(tc, test_amount_missing);
	tcase_add_test(tc, test_amount_range);
	tcase_add_test(tc, test_amount_huge);
	tcase_add_test(tc, test_get_i64_full_range);
	tcase_add_test(tc, test_get_str);
	tcase_add_test(tc, test_json_i64_exact);
	tcase_add_test(tc, test_i64_f64_text);
	tcase_add_test(tc, test_fail_detail);
	tcase_add_test(tc, test_sha256_hex);
	tcase_add_test(tc, test_ledger_keys);
	tcase_add_test(tc, test_log_level_parse);
	tcase_add_test(tc, test_array_literals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_common_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
