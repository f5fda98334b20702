/*
 * tests/unit/test_market_task.c — parsing of a task upload
 * (task_batch_parse(), task.h): a JSON array or NDJSON of
 * {data, external_id?, gold?}, with its limits on count and size.
 *
 * After a failure the batch must be empty (n == 0, items NULL) so callers
 * can free it unconditionally; valgrind checks that nothing leaks on any
 * path.  No database.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/task.h"

static struct task_batch b;
static char		 detail[LC_DETAIL_LEN];

static void
teardown(void)
{
	task_batch_free(&b);
}

static int
parse(const char *body, int ndjson)
{
	task_batch_free(&b);
	memset(detail, 0, sizeof(detail));
	return task_batch_parse(body, strlen(body), ndjson, &b, detail);
}

/* Failures leave an empty batch behind. */
static void
assert_empty(void)
{
	ck_assert_uint_eq(b.n, 0);
	ck_assert_ptr_null(b.items);
}

/* n tasks {"data":i}, as an array or as NDJSON lines. */
static char *
many(size_t n, int ndjson)
{
	char  *s = malloc(n * 24 + 8);
	size_t off = 0, i;

	ck_assert_ptr_nonnull(s);
	if (!ndjson)
		s[off++] = '[';
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(s + off, "%s{\"data\":%zu}",
		    i == 0 ? "" : (ndjson ? "\n" : ","), i);
	if (!ndjson)
		s[off++] = ']';
	s[off] = '\0';
	return s;
}

/* {"data":"xxx…"} whose data prints as exactly `n` bytes (with quotes). */
static char *
data_of(size_t n, int ndjson)
{
	const char *head = ndjson ? "{\"data\":\"" : "[{\"data\":\"";
	const char *tail = ndjson ? "\"}" : "\"}]";
	char	   *s = malloc(n + 16);
	size_t	    off;

	ck_assert_ptr_nonnull(s);
	strcpy(s, head);
	off = strlen(head);
	memset(s + off, 'x', n - 2);
	strcpy(s + off + n - 2, tail);
	return s;
}

START_TEST(test_array_basic)
{
	ck_assert_int_eq(parse("[{\"data\":{ \"url\" : \"http://x/1.png\", "
			       "\"n\" : [1, 2.5, true, null] },"
			       "\"external_id\":\"img-1\",\"gold\":\"cat\"},"
			       " {\"data\":\"plain text\"}]",
			     0),
	    0);
	ck_assert_uint_eq(b.n, 2);
	/* data is kept as cJSON's compact text, which data_sha256 hashes. */
	ck_assert_str_eq(b.items[0].data,
	    "{\"url\":\"http://x/1.png\",\"n\":[1,2.5,true,null]}");
	ck_assert_str_eq(b.items[0].external_id, "img-1");
	ck_assert_str_eq(b.items[0].gold, "cat");
	ck_assert_str_eq(b.items[1].data, "\"plain text\"");
	ck_assert_ptr_null(b.items[1].external_id);
	ck_assert_ptr_null(b.items[1].gold);
}
END_TEST

START_TEST(test_data_values)
{
	ck_assert_int_eq(parse("[{\"data\":0},{\"data\":false},{\"data\":[]},"
			       "{\"data\":{}},{\"data\":\"\"},"
			       "{\"data\":\"\\u00e9\\n\"}]",
			     0),
	    0);
	ck_assert_uint_eq(b.n, 6);
	ck_assert_str_eq(b.items[0].data, "0");
	ck_assert_str_eq(b.items[1].data, "false");
	ck_assert_str_eq(b.items[2].data, "[]");
	ck_assert_str_eq(b.items[3].data, "{}");
	ck_assert_str_eq(b.items[4].data, "\"\"");
	ck_assert_str_eq(b.items[5].data, "\"\xc3\xa9\\n\"");
}
END_TEST

START_TEST(test_data_missing)
{
	ck_assert_int_eq(parse("[{\"data\":1},{\"external_id\":\"a\"}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 2: data is missing");
	assert_empty();
	ck_assert_int_eq(parse("[{\"data\":null}]", 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: data is missing");
	ck_assert_int_eq(parse("[{\"Data\":1}]", 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: data is missing");
	assert_empty();
}
END_TEST

START_TEST(test_data_huge_number)
{
	/*
	 * cJSON reads 1e400 as infinity and prints it as null: the task would
	 * be stored with data the requester never sent.  Refused instead.
	 */
	ck_assert_int_eq(parse("[{\"data\":{\"x\":1e400}}]", 0),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("{\"data\":-1e999}\n", 1), LC_ERR_BAD_JSON);
	assert_empty();
}
END_TEST

START_TEST(test_element_not_object)
{
	static const char *const bad[] = { "[1]", "[\"x\"]", "[null]",
		"[[{\"data\":1}]]", "[true]" };
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i], 0), LC_ERR_VALIDATION);
		ck_assert_str_eq(detail,
		    "task 1: must be an object {data, external_id?, gold?}");
		assert_empty();
	}
	ck_assert_int_eq(parse("[{\"data\":1},{\"data\":2},3]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "task 3: must be an object {data, external_id?, gold?}");
	assert_empty();
}
END_TEST

START_TEST(test_body_shape)
{
	ck_assert_int_eq(parse("[]", 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "no tasks");
	ck_assert_int_eq(parse("{\"data\":1}", 0), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body must be a JSON array of tasks");
	ck_assert_int_eq(parse("\"tasks\"", 0), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body must be a JSON array of tasks");
	ck_assert_int_eq(parse("[{\"data\":1}", 0), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body is not valid JSON");
	ck_assert_int_eq(parse("[{\"data\":1},]", 0), LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("[{data:1}]", 0), LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("   ", 0), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body is not valid JSON");
	assert_empty();
}
END_TEST

START_TEST(test_body_empty_or_nul)
{
	static const char with_nul[] = "[{\"data\":1}]\0[{\"data\":2}]";

	memset(detail, 0, sizeof(detail));
	ck_assert_int_eq(task_batch_parse("", 0, 0, &b, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body is empty or contains a NUL byte");
	ck_assert_int_eq(task_batch_parse("", 0, 1, &b, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(task_batch_parse(NULL, 5, 0, &b, detail),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(task_batch_parse(with_nul, sizeof(with_nul) - 1, 0, &b,
			     detail),
	    LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "the body is empty or contains a NUL byte");
	ck_assert_int_eq(task_batch_parse(with_nul, sizeof(with_nul) - 1, 1, &b,
			     detail),
	    LC_ERR_BAD_JSON);
	assert_empty();
}
END_TEST

START_TEST(test_array_trailing_garbage)
{
	/*
	 * cJSON_ParseWithLength() stops after the first value; the parser
	 * must refuse what follows instead of dropping it silently.
	 */
	ck_assert_int_eq(parse("[{\"data\":1}] [{\"data\":2}]", 0),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("[{\"data\":1}]xyz", 0), LC_ERR_BAD_JSON);
}
END_TEST

START_TEST(test_array_trailing_whitespace)
{
	ck_assert_int_eq(parse("  [{\"data\":1}]\r\n\t ", 0), 0);
	ck_assert_uint_eq(b.n, 1);
}
END_TEST

START_TEST(test_external_id)
{
	char body[LC_MAX_EXTERNAL_ID_BYTES + 64];

	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":null}]", 0), 0);
	ck_assert_ptr_null(b.items[0].external_id);
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":7}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "task 1: external_id must be a string of 1 to 256 bytes");
	assert_empty();
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":\"\"}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":[\"a\"]}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":true}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":{}}]", 0),
	    LC_ERR_VALIDATION);

	strcpy(body, "[{\"data\":1,\"external_id\":\"");
	memset(body + strlen(body), 'e', LC_MAX_EXTERNAL_ID_BYTES);
	body[26 + LC_MAX_EXTERNAL_ID_BYTES] = '\0';
	strcat(body, "\"}]");
	ck_assert_int_eq(parse(body, 0), 0);
	ck_assert_uint_eq(strlen(b.items[0].external_id),
	    LC_MAX_EXTERNAL_ID_BYTES);
	strcpy(body, "[{\"data\":1,\"external_id\":\"");
	memset(body + strlen(body), 'e', LC_MAX_EXTERNAL_ID_BYTES + 1);
	body[26 + LC_MAX_EXTERNAL_ID_BYTES + 1] = '\0';
	strcat(body, "\"}]");
	ck_assert_int_eq(parse(body, 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "task 1: external_id must be a string of 1 to 256 bytes");
	assert_empty();
}
END_TEST

START_TEST(test_gold)
{
	char body[LC_MAX_LABEL_BYTES + 64];

	ck_assert_int_eq(parse("[{\"data\":1,\"gold\":null},"
			       "{\"data\":2,\"gold\":\"dog\"}]",
			     0),
	    0);
	ck_assert_ptr_null(b.items[0].gold);
	ck_assert_str_eq(b.items[1].gold, "dog");
	ck_assert_int_eq(parse("[{\"data\":1,\"gold\":1}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: gold must be one of the labels");
	ck_assert_int_eq(parse("[{\"data\":1,\"gold\":true}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: gold must be one of the labels");
	ck_assert_int_eq(parse("[{\"data\":1,\"gold\":\"\"}]", 0),
	    LC_ERR_VALIDATION);
	ck_assert_int_eq(parse("[{\"data\":1,\"gold\":[\"cat\"]}]", 0),
	    LC_ERR_VALIDATION);
	assert_empty();

	strcpy(body, "[{\"data\":1,\"gold\":\"");
	memset(body + strlen(body), 'g', LC_MAX_LABEL_BYTES);
	body[19 + LC_MAX_LABEL_BYTES] = '\0';
	strcat(body, "\"}]");
	ck_assert_int_eq(parse(body, 0), 0);
	ck_assert_uint_eq(strlen(b.items[0].gold), LC_MAX_LABEL_BYTES);
	strcpy(body, "[{\"data\":1,\"gold\":\"");
	memset(body + strlen(body), 'g', LC_MAX_LABEL_BYTES + 1);
	body[19 + LC_MAX_LABEL_BYTES + 1] = '\0';
	strcat(body, "\"}]");
	ck_assert_int_eq(parse(body, 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: gold must be one of the labels");
}
END_TEST

START_TEST(test_data_size_limit)
{
	char *s;

	s = data_of(LC_MAX_TASK_DATA_BYTES, 0);
	ck_assert_int_eq(parse(s, 0), 0);
	ck_assert_uint_eq(strlen(b.items[0].data), LC_MAX_TASK_DATA_BYTES);
	free(s);
	s = data_of(LC_MAX_TASK_DATA_BYTES + 1, 0);
	ck_assert_int_eq(parse(s, 0), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: data is larger than 16384 bytes");
	assert_empty();
	free(s);
	s = data_of(LC_MAX_TASK_DATA_BYTES + 1, 1);
	ck_assert_int_eq(parse(s, 1), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 1: data is larger than 16384 bytes");
	free(s);
	/* The limit applies to the compact text, not to the input. */
	ck_assert_int_eq(parse("[{\"data\" :   [ 1 ,   2 ]   }]", 0), 0);
	ck_assert_str_eq(b.items[0].data, "[1,2]");
}
END_TEST

START_TEST(test_count_limit)
{
	char *s;

	s = many(LC_MAX_TASKS_PER_UPLOAD, 0);
	ck_assert_int_eq(parse(s, 0), 0);
	ck_assert_uint_eq(b.n, LC_MAX_TASKS_PER_UPLOAD);
	ck_assert_str_eq(b.items[9999].data, "9999");
	free(s);
	s = many(LC_MAX_TASKS_PER_UPLOAD + 1, 0);
	ck_assert_int_eq(parse(s, 0), LC_ERR_TOO_LARGE);
	ck_assert_str_eq(detail, "at most 10000 tasks per upload");
	assert_empty();
	free(s);
	s = many(LC_MAX_TASKS_PER_UPLOAD, 1);
	ck_assert_int_eq(parse(s, 1), 0);
	ck_assert_uint_eq(b.n, LC_MAX_TASKS_PER_UPLOAD);
	free(s);
	s = many(LC_MAX_TASKS_PER_UPLOAD + 1, 1);
	ck_assert_int_eq(parse(s, 1), LC_ERR_TOO_LARGE);
	ck_assert_str_eq(detail, "at most 10000 tasks per upload");
	assert_empty();
	free(s);
}
END_TEST

START_TEST(test_ndjson_basic)
{
	ck_assert_int_eq(parse("{\"data\":{\"a\": 1},\"external_id\":\"x1\"}\n"
			       "{\"data\":2,\"gold\":\"cat\"}\n"
			       "{\"data\":\"three\"}",
			     1),
	    0);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_str_eq(b.items[0].data, "{\"a\":1}");
	ck_assert_str_eq(b.items[0].external_id, "x1");
	ck_assert_str_eq(b.items[1].data, "2");
	ck_assert_str_eq(b.items[1].gold, "cat");
	ck_assert_str_eq(b.items[2].data, "\"three\"");
}
END_TEST

START_TEST(test_ndjson_line_endings)
{
	/* CRLF, a trailing newline and empty lines are fine. */
	ck_assert_int_eq(parse("\n{\"data\":1}\r\n\r\n\n{\"data\":2}\r\n", 1),
	    0);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_str_eq(b.items[1].data, "2");
	ck_assert_int_eq(parse("{\"data\":1}\n", 1), 0);
	ck_assert_uint_eq(b.n, 1);
	/* Spaces around an object on its line are fine too. */
	ck_assert_int_eq(parse("  {\"data\":1}  \n\t{\"data\":2}", 1), 0);
	ck_assert_uint_eq(b.n, 2);
}
END_TEST

START_TEST(test_ndjson_blank_only)
{
	ck_assert_int_eq(parse("\n\n\r\n", 1), LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "no tasks");
	assert_empty();
}
END_TEST

START_TEST(test_ndjson_bad_line)
{
	/* Line numbers count every line, blank ones included. */
	ck_assert_int_eq(parse("{\"data\":1}\n\n{\"data\":\n{\"data\":3}", 1),
	    LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "line 3 is not valid JSON");
	assert_empty();
	ck_assert_int_eq(parse("{\"data\":1}\r\n\r\nnot json\r\n", 1),
	    LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "line 3 is not valid JSON");
	/* A pretty-printed object spans lines: each piece is bad JSON. */
	ck_assert_int_eq(parse("{\n\"data\": 1\n}\n", 1), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "line 1 is not valid JSON");
	/* A line of white space only is not an empty line. */
	ck_assert_int_eq(parse("{\"data\":1}\n   \n", 1), LC_ERR_BAD_JSON);
	ck_assert_str_eq(detail, "line 2 is not valid JSON");
	assert_empty();
}
END_TEST

START_TEST(test_ndjson_bad_task)
{
	ck_assert_int_eq(parse("{\"data\":1}\n[{\"data\":2}]\n", 1),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail,
	    "task 2: must be an object {data, external_id?, gold?}");
	assert_empty();
	ck_assert_int_eq(parse("{\"data\":1}\n{\"data\":null}\n", 1),
	    LC_ERR_VALIDATION);
	ck_assert_str_eq(detail, "task 2: data is missing");
	/* A JSON array body sent as NDJSON is one line holding an array. */
	ck_assert_int_eq(parse("[{\"data\":1}]", 1), LC_ERR_VALIDATION);
	assert_empty();
}
END_TEST

START_TEST(test_ndjson_trailing_garbage)
{
	/*
	 * Each line holds exactly one value: "{...} {...}" would otherwise
	 * drop its second task silently, and "{...} xyz" pass.
	 */
	ck_assert_int_eq(parse("{\"data\":1} {\"data\":2}\n", 1),
	    LC_ERR_BAD_JSON);
	ck_assert_int_eq(parse("{\"data\":1}\n{\"data\":2} xyz\n", 1),
	    LC_ERR_BAD_JSON);
}
END_TEST

START_TEST(test_free_twice)
{
	ck_assert_int_eq(parse("[{\"data\":1,\"external_id\":\"e\","
			       "\"gold\":\"g\"}]",
			     0),
	    0);
	task_batch_free(&b);
	assert_empty();
	task_batch_free(&b);
	task_batch_free(NULL);
}
END_TEST

static Suite *
market_task_suite(void)
{
	Suite *s = suite_create("market_task");
	TCase *tc = tcase_create("batch");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_array_basic);
	tcase_add_test(tc, test_data_values);
	tcase_add_test(tc, test_data_missing);
	tcase_add_test(tc, test_data_huge_number);
	tcase_add_test(tc, test_element_not_object);
	tcase_add_test(tc, test_body_shape);
	tcase_add_test(tc, test_body_empty_or_nul);
	tcase_add_test(tc, test_array_trailing_garbage);
	tcase_add_test(tc, test_array_trailing_whitespace);
	tcase_add_test(tc, test_external_id);
	tcase_add_test(tc, test_gold);
	tcase_add_test(tc, test_data_size_limit);
	tcase_add_test(tc, test_count_limit);
	tcase_add_test(tc, test_ndjson_basic);
	tcase_add_test(tc, test_ndjson_line_endings);
	tcase_add_test(tc, test_ndjson_blank_only);
	tcase_add_test(tc, test_ndjson_bad_line);
	tcase_add_test(tc, test_ndjson_bad_task);
	tcase_add_test(tc, test_ndjson_trailing_garbage);
	tcase_add_test(tc, test_free_twice);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_task_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
