/*
 * tests/unit/test_market_project.c — validation of a project create body
 * (project_params_parse(), project.h), rule by rule; of an edit body
 * (project_edit_parse()) and of the list's query (project_list_opts_parse()).
 *
 * Each test starts from one valid body and changes one field, so a failure
 * names exactly the rule that broke: the code (LC_ERR_BAD_JSON for a body
 * that is not an object, LC_ERR_VALIDATION for any field) and the detail
 * sentence the client sees.  No database.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"

static const char BASE[] = "{\"name\":\"cats\",\"labels\":[\"cat\",\"dog\"],"
			   "\"reward_per_task\":100,\"min_votes\":3,"
			   "\"max_votes\":5,\"confidence\":0.9}";

static cJSON		    *body;
static struct project_params p;
static char		     detail[LC_DETAIL_LEN];

static void
teardown(void)
{
	cJSON_Delete(body);
	body = NULL;
}

/* BASE with `field` set to the JSON `value` (NULL: removed); parse it. */
static int
with(const char *field, const char *value)
{
	cJSON *v;

	cJSON_Delete(body);
	body = cJSON_Parse(BASE);
	ck_assert_ptr_nonnull(body);
	cJSON_DeleteItemFromObjectCaseSensitive(body, field);
	if (value != NULL) {
		v = cJSON_Parse(value);
		ck_assert_msg(v != NULL, "bad test JSON %s", value);
		cJSON_AddItemToObject(body, field, v);
	}
	memset(detail, 0, sizeof(detail));
	return project_params_parse(body, &p, detail);
}

/* Parse a whole body given as text. */
static int
parse(const char *json)
{
	cJSON_Delete(body);
	body = cJSON_Parse(json);
	ck_assert_msg(body != NULL, "bad test JSON %s", json);
	memset(detail, 0, sizeof(detail));
	return project_params_parse(body, &p, detail);
}

/* A JSON array of n labels "l0", "l1", ... */
static char *
labels_json(int n)
{
	char  *s = malloc((size_t)n * 8 + 3);
	size_t off = 0;
	int    i;

	ck_assert_ptr_nonnull(s);
	s[off++] = '[';
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(s + off, "%s\"l%d\"", i ? "," : "", i);
	s[off++] = ']';
	s[off] = '\0';
	return s;
}

/* A JSON string of n bytes 'x'. */
static char *
string_json(size_t n)
{
	char *s = malloc(n + 3);

	ck_assert_ptr_nonnull(s);
	s[0] = '"';
	memset(s + 1, 'x', n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

START_TEST(test_valid_minimal)
{
	ck_assert_int_eq(with("none", NULL), 0);
	ck_assert_str_eq(p.name, "cats");
	ck_assert_str_eq(p.instructions, "");
	ck_assert_int_eq(p.n_labels, 2);
	ck_assert_str_eq(p.labels[0], "cat");
	ck_assert_str_eq(p.labels[1], "dog");
	ck_assert_int_eq(p.reward_per_task, 100);
	ck_assert_int_eq(p.min_votes, 3);
	ck_assert_int_eq(p.max_votes, 5);
	ck_assert_double_eq(p.confidence, 0.9);
	ck_assert_int_eq(p.min_stake, 0);
	ck_assert_double_eq(p.gold_rate, 0.0);
	/* Strings are borrowed from the body. */
	ck_assert_ptr_eq(p.name,
	    cJSON_GetObjectItemCaseSensitive(body, "name")->valuestring);
}
END_TEST

START_TEST(test_valid_full)
{
	ck_assert_int_eq(parse("{\"name\":\"n\",\"instructions\":\"Pick one.\","
			       "\"labels\":[\"a\",\"b\",\"c\"],"
			       "\"reward_per_task\":0,\"min_votes\":1,"
			       "\"max_votes\":1,\"confidence\":0.51,"
			       "\"min_stake\":1000000,\"gold_rate\":0.5,"
			       "\"unknown\":[1,2]}"),
	    0);
	ck_assert_str_eq(p.instructions, "Pick one.");
	ck_assert_int_eq(p.n_labels, 3);
	ck_assert_int_eq(p.reward_per_task, 0);
	ck_assert_int_eq(p.min_votes, 1);
	ck_assert_int_eq(p.max_votes, 1);
	ck_assert_int_eq(p.min_stake, 1000000);
	ck_assert_double_eq(p.gold_rate, 0.5);
}
END_TEST

START_TEST(test_not_an_object)
{
	static const char *const bad[] = { "[]", "[{\"name\":\"x\"}]",
		"\"cats\"", "42", "null", "true" };
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i]), LC_ERR_BAD_JSON);
		ck_assert_str_eq(detail, "the body must be a JSON object");
	}
	ck_assert_int_eq(project_params_parse(NULL, &p, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("{}"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must be a string");
}
END_TEST

START_TEST(test_name)
{
	char *s;

	ck_assert_int_eq(with("name", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must be a string");
	ck_assert_int_eq(with("name", "42"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must be a string");
	ck_assert_int_eq(with("name", "null"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("name", "[\"cats\"]"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("name", "\"\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must hold 1 to 200 bytes");
	s = string_json(LC_MAX_NAME_BYTES);
	ck_assert_int_eq(with("name", s), 0);
	ck_assert_uint_eq(strlen(p.name), LC_MAX_NAME_BYTES);
	free(s);
	s = string_json(LC_MAX_NAME_BYTES + 1);
	ck_assert_int_eq(with("name", s), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must hold 1 to 200 bytes");
	free(s);
	/* Keys are case-sensitive. */
	ck_assert_int_eq(parse("{\"Name\":\"cats\",\"labels\":[\"a\",\"b\"],"
			       "\"reward_per_task\":1,\"min_votes\":1,"
			       "\"max_votes\":1,\"confidence\":0.9}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must be a string");
}
END_TEST

START_TEST(test_instructions)
{
	char *s;

	ck_assert_int_eq(with("instructions", "null"), 0);
	ck_assert_str_eq(p.instructions, "");
	ck_assert_int_eq(with("instructions", "\"\""), 0);
	ck_assert_str_eq(p.instructions, "");
	ck_assert_int_eq(with("instructions", "\"line 1\\nline 2\""), 0);
	ck_assert_str_eq(p.instructions, "line 1\nline 2");
	ck_assert_int_eq(with("instructions", "7"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "instructions must be a string of at most 16384 bytes");
	ck_assert_int_eq(with("instructions", "[\"a\"]"), LC_ERR_VALIDATION);
	s = string_json(LC_MAX_INSTRUCTIONS_BYTES);
	ck_assert_int_eq(with("instructions", s), 0);
	free(s);
	s = string_json(LC_MAX_INSTRUCTIONS_BYTES + 1);
	ck_assert_int_eq(with("instructions", s), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "instructions must be a string of at most 16384 bytes");
	free(s);
}
END_TEST

START_TEST(test_labels_type)
{
	ck_assert_int_eq(with("labels", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels must be an array of strings");
	ck_assert_int_eq(with("labels", "\"cat,dog\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels must be an array of strings");
	ck_assert_int_eq(with("labels", "{\"a\":\"cat\",\"b\":\"dog\"}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels must be an array of strings");
	ck_assert_int_eq(with("labels", "null"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("labels", "[\"cat\",2]"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels must be an array of strings");
	ck_assert_int_eq(with("labels", "[\"cat\",null]"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("labels", "[\"cat\",[\"dog\"]]"),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(with("labels", "[\"cat\",true]"), LC_ERR_VALIDATION);
}
END_TEST

START_TEST(test_labels_count)
{
	char *s;

	ck_assert_int_eq(with("labels", "[]"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "at least 2 labels");
	ck_assert_int_eq(with("labels", "[\"cat\"]"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "at least 2 labels");
	s = labels_json(LC_MIN_LABELS);
	ck_assert_int_eq(with("labels", s), 0);
	ck_assert_int_eq(p.n_labels, 2);
	free(s);
	s = labels_json(LC_MAX_LABELS);
	ck_assert_int_eq(with("labels", s), 0);
	ck_assert_int_eq(p.n_labels, 64);
	ck_assert_str_eq(p.labels[63], "l63");
	free(s);
	s = labels_json(LC_MAX_LABELS + 1);
	ck_assert_int_eq(with("labels", s), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "at most 64 labels");
	free(s);
	s = labels_json(1000);
	ck_assert_int_eq(with("labels", s), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "at most 64 labels");
	free(s);
}
END_TEST

START_TEST(test_labels_content)
{
	char *s, *arr;

	ck_assert_int_eq(with("labels", "[\"cat\",\"\"]"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "each label must hold 1 to 128 bytes");
	ck_assert_int_eq(with("labels", "[\"cat\",\"d\\nog\"]"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels may not contain a newline");
	ck_assert_int_eq(with("labels", "[\"cat\",\"dog\\n\"]"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels may not contain a newline");
	ck_assert_int_eq(with("labels", "[\"cat\",\"dog\\r\"]"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "labels may not contain a newline");
	/* Other characters are the requester's business. */
	ck_assert_int_eq(with("labels",
			     "[\"a \\\"b\\\"\",\"c\\\\d\","
			     "\"t\\tab\",\"h\\u00e9\",\" \"]"),
	    0);
	ck_assert_int_eq(p.n_labels, 5);
	ck_assert_str_eq(p.labels[0], "a \"b\"");
	ck_assert_str_eq(p.labels[1], "c\\d");
	ck_assert_str_eq(p.labels[2], "t\tab");
	ck_assert_str_eq(p.labels[3], "h\xc3\xa9");

	s = string_json(LC_MAX_LABEL_BYTES);
	arr = malloc(strlen(s) + 16);
	sprintf(arr, "[\"cat\",%s]", s);
	ck_assert_int_eq(with("labels", arr), 0);
	ck_assert_uint_eq(strlen(p.labels[1]), LC_MAX_LABEL_BYTES);
	free(s);
	free(arr);
	s = string_json(LC_MAX_LABEL_BYTES + 1);
	arr = malloc(strlen(s) + 16);
	sprintf(arr, "[\"cat\",%s]", s);
	ck_assert_int_eq(with("labels", arr), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "each label must hold 1 to 128 bytes");
	free(s);
	free(arr);
}
END_TEST

START_TEST(test_labels_nul)
{
	/*
	 * A label with an escaped NUL ("\u0000") would be cut at the NUL by
	 * cJSON ("yes\u0000no" stored as "yes", so votes signed for the label
	 * the requester sent could never match).  Bodies are parsed with
	 * market_json_parse(), which refuses the escape before any field is
	 * read; an escaped backslash followed by "u0000" is plain text.
	 */
	static const char bad[] = "{\"labels\":[\"yes\\u0000no\",\"m\"]}";
	static const char ok[] = "{\"labels\":[\"yes\\\\u0000no\",\"m\"]}";
	cJSON		 *j = NULL;

	ck_assert_int_eq(market_json_parse(bad, strlen(bad), &j, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_ptr_null(j);
	ck_assert_str_eq(detail, "\\u0000 is not allowed in strings");
	ck_assert_int_eq(market_json_parse(ok, strlen(ok), &j, detail), 0);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "labels"), 0)
			     ->valuestring,
	    "yes\\u0000no");
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_not_utf8)
{
	/* Raw bytes that are not UTF-8 are refused before cJSON sees them
	 * (cJSON would keep them, and the database refuse them later). */
	static const char bad[] = "{\"name\":\"caf\xc3\x28\"}";
	static const char ok[] = "{\"name\":\"caf\xc3\xa9\"}";
	cJSON		 *j = NULL;

	ck_assert_int_eq(market_json_parse(bad, strlen(bad), &j, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_ptr_null(j);
	ck_assert_str_eq(detail, "the body is not valid UTF-8");
	ck_assert_int_eq(market_json_parse(ok, strlen(ok), &j, detail), 0);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_labels_duplicate)
{
	ck_assert_int_eq(with("labels", "[\"cat\",\"dog\",\"cat\"]"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "label \"cat\" appears twice");
	ck_assert_int_eq(with("labels", "[\"x\",\"x\"]"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "label \"x\" appears twice");
	/* Comparison is bytewise: case and spacing make distinct labels. */
	ck_assert_int_eq(with("labels", "[\"cat\",\"Cat\",\"cat \"]"), 0);
	ck_assert_int_eq(p.n_labels, 3);
	/* The label in the detail is cut at 64 bytes. */
	ck_assert_int_eq(with("labels",
			     "[\"0123456789012345678901234567890123456789"
			     "01234567890123456789012345678901234567890\","
			     "\"0123456789012345678901234567890123456789"
			     "01234567890123456789012345678901234567890\"]"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "label \"0123456789012345678901234567890123456789"
	    "012345678901234567890123\" appears twice");
}
END_TEST

START_TEST(test_reward)
{
	ck_assert_int_eq(with("reward_per_task", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "reward_per_task must be an integer");
	ck_assert_int_eq(with("reward_per_task", "\"100\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "reward_per_task must be an integer");
	ck_assert_int_eq(with("reward_per_task", "null"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("reward_per_task", "true"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("reward_per_task", "1.5"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "reward_per_task must be an integer");
	ck_assert_int_eq(with("reward_per_task", "-1"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "reward_per_task must be between 0 and 1000000000000000");
	ck_assert_int_eq(with("reward_per_task", "0"), 0);
	ck_assert_int_eq(p.reward_per_task, 0);
	ck_assert_int_eq(with("reward_per_task", "1000000000000000"), 0);
	ck_assert_int_eq(p.reward_per_task, LC_MAX_AMOUNT);
	ck_assert_int_eq(with("reward_per_task", "1000000000000001"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "reward_per_task must be between 0 and 1000000000000000");
}
END_TEST

START_TEST(test_reward_huge)
{
	static const char *const huge[] = { "9223372036854775807",
		"9223372036854775808", "18446744073709551616", "1e300", "1e400",
		"-1e400", "123456789012345678901234567890" };
	size_t			 i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		ck_assert_msg(with("reward_per_task", huge[i]) ==
			LC_ERR_VALIDATION,
		    "%s accepted", huge[i]);
	ck_assert_int_eq(with("reward_per_task", "1e400"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "reward_per_task must be an integer");
}
END_TEST

START_TEST(test_votes)
{
	ck_assert_int_eq(with("min_votes", "0"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes must be between 1 and 50");
	ck_assert_int_eq(with("min_votes", "-3"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("min_votes", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes must be an integer");
	ck_assert_int_eq(with("min_votes", "\"3\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes must be an integer");
	ck_assert_int_eq(with("min_votes", "2.5"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes must be an integer");
	ck_assert_int_eq(with("min_votes", "1"), 0);
	ck_assert_int_eq(p.min_votes, 1);
	ck_assert_int_eq(with("min_votes", "5"), 0); /* == max_votes */
	ck_assert_int_eq(p.min_votes, 5);
	ck_assert_int_eq(with("min_votes", "6"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes may not exceed max_votes");

	ck_assert_int_eq(with("max_votes", "50"), 0);
	ck_assert_int_eq(p.max_votes, 50);
	ck_assert_int_eq(with("max_votes", "51"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "max_votes must be between 1 and 50");
	ck_assert_int_eq(with("max_votes", "4294967299"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "max_votes must be between 1 and 50");
	ck_assert_int_eq(with("max_votes", "0"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("max_votes", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "max_votes must be an integer");
	ck_assert_int_eq(with("max_votes", "2"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_votes may not exceed max_votes");
	ck_assert_int_eq(parse("{\"name\":\"n\",\"labels\":[\"a\",\"b\"],"
			       "\"reward_per_task\":1,\"min_votes\":50,"
			       "\"max_votes\":50,\"confidence\":0.9}"),
	    0);
}
END_TEST

START_TEST(test_confidence)
{
	ck_assert_int_eq(with("confidence", NULL), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "confidence must be a number");
	ck_assert_int_eq(with("confidence", "\"0.9\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "confidence must be a number");
	ck_assert_int_eq(with("confidence", "null"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "0.5"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "confidence must be above 0.5 and below 1");
	ck_assert_int_eq(with("confidence", "1"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "confidence must be above 0.5 and below 1");
	ck_assert_int_eq(with("confidence", "1.0"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "0"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "-0.9"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "1e400"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "-1e400"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("confidence", "0.5000001"), 0);
	ck_assert_double_eq(p.confidence, 0.5000001);
	ck_assert_int_eq(with("confidence", "0.9999999"), 0);
	ck_assert_int_eq(with("confidence", "9.5e-1"), 0);
	ck_assert_double_eq(p.confidence, 0.95);
}
END_TEST

START_TEST(test_min_stake)
{
	ck_assert_int_eq(with("min_stake", "0"), 0);
	ck_assert_int_eq(with("min_stake", "1000000000000000"), 0);
	ck_assert_int_eq(p.min_stake, LC_MAX_AMOUNT);
	ck_assert_int_eq(with("min_stake", "1000000000000001"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "min_stake must be between 0 and 1000000000000000");
	ck_assert_int_eq(with("min_stake", "-1"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("min_stake", "0.5"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_stake must be an integer");
	ck_assert_int_eq(with("min_stake", "\"10\""), LC_ERR_VALIDATION);
	/* Present but null is not "absent": refused (instructions differ). */
	ck_assert_int_eq(with("min_stake", "null"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "min_stake must be an integer");
}
END_TEST

START_TEST(test_gold_rate)
{
	ck_assert_int_eq(with("gold_rate", "0"), 0);
	ck_assert_double_eq(p.gold_rate, 0.0);
	ck_assert_int_eq(with("gold_rate", "0.5"), 0);
	ck_assert_double_eq(p.gold_rate, 0.5);
	ck_assert_int_eq(with("gold_rate", "0.05"), 0);
	ck_assert_int_eq(with("gold_rate", "0.5000001"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "gold_rate must be between 0 and 0.5");
	ck_assert_int_eq(with("gold_rate", "-0.01"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "gold_rate must be between 0 and 0.5");
	ck_assert_int_eq(with("gold_rate", "1e400"), LC_ERR_VALIDATION);
	ck_assert_int_eq(with("gold_rate", "\"0.1\""), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "gold_rate must be a number");
	ck_assert_int_eq(with("gold_rate", "null"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "gold_rate must be a number");
	ck_assert_int_eq(with("gold_rate", "false"), LC_ERR_VALIDATION);
}
END_TEST

START_TEST(test_first_error_wins)
{
	/* Fields are checked in a fixed order; the detail names the first. */
	ck_assert_int_eq(parse("{\"name\":\"\",\"labels\":[],"
			       "\"confidence\":2}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name must hold 1 to 200 bytes");
	ck_assert_int_eq(parse("{\"name\":\"n\",\"labels\":[\"a\"],"
			       "\"confidence\":2}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "at least 2 labels");
	ck_assert_int_eq(parse("{\"name\":\"n\",\"labels\":[\"a\",\"b\"],"
			       "\"reward_per_task\":1,\"min_votes\":1,"
			       "\"max_votes\":1,\"confidence\":2,"
			       "\"gold_rate\":9}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "confidence must be above 0.5 and below 1");
}
END_TEST

START_TEST(test_null_detail)
{
	cJSON_Delete(body);
	body = cJSON_Parse("{\"name\":5}");
	ck_assert_int_eq(project_params_parse(body, &p, NULL),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_params_parse(NULL, &p, NULL), LC_ERR_BAD_JSON);
}
END_TEST

/* ---- PATCH bodies ---------------------------------------------------- */

static struct project_edit e;

static int
edit(const char *json)
{
	cJSON_Delete(body);
	body = cJSON_Parse(json);
	ck_assert_msg(body != NULL, "bad test JSON %s", json);
	memset(detail, 0, sizeof(detail));
	return project_edit_parse(body, &e, detail);
}

START_TEST(test_edit_valid)
{
	ck_assert_int_eq(edit("{\"name\":\"dogs\"}"), 0);
	ck_assert_str_eq(e.name, "dogs");
	ck_assert_ptr_null(e.instructions);
	ck_assert_int_eq(edit("{\"instructions\":\"bark\"}"), 0);
	ck_assert_ptr_null(e.name);
	ck_assert_str_eq(e.instructions, "bark");
	ck_assert_int_eq(edit("{\"name\":\"x\",\"instructions\":\"\"}"), 0);
	ck_assert_str_eq(e.name, "x");
	ck_assert_str_eq(e.instructions, "");
	/* null clears the instructions */
	ck_assert_int_eq(edit("{\"instructions\":null}"), 0);
	ck_assert_str_eq(e.instructions, "");
}
END_TEST

START_TEST(test_edit_refuses_others_by_name)
{
	ck_assert_int_eq(edit("{\"name\":\"x\",\"labels\":[\"a\",\"b\"],"
			      "\"reward_per_task\":5}"),
	    LC_ERR_VALIDATION);
	ck_assert_msg(strstr(detail,
			  "cannot be edited: labels, "
			  "reward_per_task (") != NULL,
	    "%s", detail);
	ck_assert_int_eq(edit("{\"min_votes\":2}"), LC_ERR_VALIDATION);
	ck_assert_msg(strstr(detail, "min_votes") != NULL, "%s", detail);
	ck_assert_int_eq(edit("{\"status\":\"open\",\"owner\":3}"),
	    LC_ERR_VALIDATION);
	ck_assert_msg(strstr(detail, "status, owner") != NULL, "%s", detail);
}
END_TEST

START_TEST(test_edit_many_refused_fit_the_detail)
{
	char json[4096];
	int  i, off = 0;

	off += snprintf(json + off, sizeof(json) - (size_t)off, "{");
	for (i = 0; i < 60; i++)
		off += snprintf(json + off, sizeof(json) - (size_t)off,
		    "%s\"field_with_a_long_name_%02d_xxxxxxxxxxxxxxxxxxxxxxx\":1",
		    i ? "," : "", i);
	snprintf(json + off, sizeof(json) - (size_t)off, "}");
	ck_assert_int_eq(edit(json), LC_ERR_VALIDATION);
	ck_assert_msg(strstr(detail, "field_with_a_long_name_00") != NULL, "%s",
	    detail);
	ck_assert_msg(strstr(detail, ", ...") != NULL, "%s", detail);
	ck_assert_uint_lt(strlen(detail), LC_DETAIL_LEN);
}
END_TEST

START_TEST(test_edit_bad_values)
{
	char *big;

	ck_assert_int_eq(edit("[]"), LC_ERR_BAD_JSON);
	ck_assert_int_eq(edit("{}"), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "nothing to edit: give name or instructions");
	ck_assert_int_eq(edit("{\"name\":\"\"}"), LC_ERR_VALIDATION);
	ck_assert_int_eq(edit("{\"name\":null}"), LC_ERR_VALIDATION);
	ck_assert_int_eq(edit("{\"name\":7}"), LC_ERR_VALIDATION);
	ck_assert_int_eq(edit("{\"instructions\":7}"), LC_ERR_VALIDATION);
	ck_assert_int_eq(edit("{\"name\":\"a\",\"name\":\"b\"}"),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "name is given twice");
	ck_assert_int_eq(edit("{\"instructions\":\"a\",\"instructions\":null}"),
	    LC_ERR_VALIDATION);
	big = malloc(LC_MAX_INSTRUCTIONS_BYTES + 40);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "{\"instructions\":\"", 17);
	memset(big + 17, 'a', LC_MAX_INSTRUCTIONS_BYTES + 1);
	memcpy(big + 17 + LC_MAX_INSTRUCTIONS_BYTES + 1, "\"}", 3);
	ck_assert_int_eq(edit(big), LC_ERR_VALIDATION);
	big[17 + LC_MAX_INSTRUCTIONS_BYTES] = '"';
	big[17 + LC_MAX_INSTRUCTIONS_BYTES + 1] = '}';
	big[17 + LC_MAX_INSTRUCTIONS_BYTES + 2] = '\0';
	ck_assert_int_eq(edit(big), 0);
	free(big);
}
END_TEST

/* ---- GET /v1/projects query ----------------------------------------- */

START_TEST(test_list_opts)
{
	struct project_list_opts o;

	ck_assert_int_eq(project_list_opts_parse(NULL, NULL, NULL, &o, detail),
	    0);
	ck_assert_int_eq(o.scope, PROJECT_SCOPE_ALL);
	ck_assert_int_eq(o.before, 0);
	ck_assert_int_eq(o.limit, LC_PROJECTS_PAGE);
	ck_assert_int_eq(project_list_opts_parse("own", "42", "7", &o, detail),
	    0);
	ck_assert_int_eq(o.scope, PROJECT_SCOPE_OWN);
	ck_assert_int_eq(o.before, 42);
	ck_assert_int_eq(o.limit, 7);
	ck_assert_int_eq(project_list_opts_parse("label", NULL, "500", &o,
			     detail),
	    0);
	ck_assert_int_eq(o.scope, PROJECT_SCOPE_LABEL);
	ck_assert_int_eq(project_list_opts_parse("all", NULL, NULL, &o, detail),
	    0);
	ck_assert_int_eq(o.scope, PROJECT_SCOPE_ALL);
	ck_assert_int_eq(project_list_opts_parse("mine", NULL, NULL, &o,
			     detail),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "scope must be own, label or all");
	ck_assert_int_eq(project_list_opts_parse("", NULL, NULL, &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL, "0", NULL, &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL, "-3", NULL, &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL, "1x", NULL, &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL,
			     "99999999999999999999999", NULL, &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL, NULL, "0", &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(project_list_opts_parse(NULL, NULL, "501", &o, detail),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "limit must be between 1 and 500");
}
END_TEST

static Suite *
market_project_suite(void)
{
	Suite *s = suite_create("market_project");
	TCase *tc = tcase_create("params");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_valid_minimal);
	tcase_add_test(tc, test_valid_full);
	tcase_add_test(tc, test_not_an_object);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_instructions);
	tcase_add_test(tc, test_labels_type);
	tcase_add_test(tc, test_labels_count);
	tcase_add_test(tc, test_labels_content);
	tcase_add_test(tc, test_labels_nul);
	tcase_add_test(tc, test_json_not_utf8);
	tcase_add_test(tc, test_labels_duplicate);
	tcase_add_test(tc, test_reward);
	tcase_add_test(tc, test_reward_huge);
	tcase_add_test(tc, test_votes);
	tcase_add_test(tc, test_confidence);
	tcase_add_test(tc, test_min_stake);
	tcase_add_test(tc, test_gold_rate);
	tcase_add_test(tc, test_first_error_wins);
	tcase_add_test(tc, test_null_detail);
	suite_add_tcase(s, tc);
	tc = tcase_create("edit");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_edit_valid);
	tcase_add_test(tc, test_edit_refuses_others_by_name);
	tcase_add_test(tc, test_edit_many_refused_fit_the_detail);
	tcase_add_test(tc, test_edit_bad_values);
	tcase_add_test(tc, test_list_opts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_project_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
