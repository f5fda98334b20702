/*
 * tests/fuzz/fuzz_tasks.c — the request-body JSON reader and the task batch
 * parser (labeling/market.h market_json_parse, labeling/task.h
 * task_batch_parse) on arbitrary bodies, in JSON-array and in NDJSON mode.
 *
 * market_json_parse must accept only what it promises (no non-finite
 * number; the compact print of what it accepted parses again to the same
 * print).  A parsed batch never exceeds its limits: 1 to
 * LC_MAX_TASKS_PER_UPLOAD tasks, data a non-null JSON text of at most
 * LC_MAX_TASK_DATA_BYTES that market_json_parse accepts, external_id and
 * gold of bounded, non-zero length; a failed one is left empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_detail(const char *detail)
{
	if (memchr(detail, '\0', LC_DETAIL_LEN) == NULL)
		abort();
}

static void
check_json(const uint8_t *data, size_t size)
{
	char   detail[LC_DETAIL_LEN] = "", *p1, *p2;
	cJSON *j = NULL, *k = NULL;

	if (market_json_parse((const char *)data, size, &j, detail) != 0) {
		if (j != NULL)
			abort();
		check_detail(detail);
		return;
	}
	if (j == NULL)
		abort();
	if ((p1 = cJSON_PrintUnformatted(j)) != NULL) {
		if (market_json_parse(p1, strlen(p1), &k, detail) != 0 ||
		    (p2 = cJSON_PrintUnformatted(k)) == NULL)
			abort();
		if (strcmp(p1, p2) != 0)
			abort();
		free(p2);
		cJSON_Delete(k);
		free(p1);
	}
	cJSON_Delete(j);
}

static void
check_batch(const char *body, size_t len, int ndjson)
{
	struct task_batch b;
	char		  detail[LC_DETAIL_LEN] = "";
	cJSON		 *j;
	size_t		  i, n;
	int		  rc;

	rc = task_batch_parse(body, len, ndjson, &b, detail);
	check_detail(detail);
	if (rc != 0) {
		if (b.n != 0 || b.items != NULL)
			abort();
		return;
	}
	if (b.n == 0 || b.n > LC_MAX_TASKS_PER_UPLOAD || b.items == NULL)
		abort();
	for (i = 0; i < b.n; i++) {
		const struct task_item *it = &b.items[i];

		if (it->data == NULL ||
		    strlen(it->data) > LC_MAX_TASK_DATA_BYTES ||
		    strcmp(it->data, "null") == 0)
			abort();
		if (market_json_parse(it->data, strlen(it->data), &j, NULL) !=
		    0)
			abort();
		cJSON_Delete(j);
		if (it->external_id != NULL &&
		    ((n = strlen(it->external_id)) == 0 ||
			n > LC_MAX_EXTERNAL_ID_BYTES))
			abort();
		if (it->gold != NULL &&
		    ((n = strlen(it->gold)) == 0 || n > LC_MAX_LABEL_BYTES))
			abort();
	}
	task_batch_free(&b);
	if (b.n != 0 || b.items != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	/* market_json_parse is length-bounded: give it the exact bytes. */
	check_json(data, size);

	/* task_batch_parse checks strlen(body) == len: bodies arrive
	 * NUL-terminated from the HTTP layer. */
	if ((body = malloc(size + 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	check_batch(body, size, 0);
	check_batch(body, size, 1);
	free(body);
	return 0;
}
