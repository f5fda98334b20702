/*
 * tests/fuzz/fuzz_project.c — project creation bodies: market_json_parse
 * then project_params_parse (labeling/project.h) on arbitrary bytes.  A
 * body it accepts respects every documented limit: name 1..
 * LC_MAX_NAME_BYTES, instructions <= LC_MAX_INSTRUCTIONS_BYTES, 2..
 * LC_MAX_LABELS distinct non-empty labels without a newline, 1 <=
 * min_votes <= max_votes <= LC_MAX_VOTES_PER_TASK, 0.5 < confidence < 1,
 * amounts in [0, LC_MAX_AMOUNT], 0 <= gold_rate <= 0.5.  The same bytes
 * as a PATCH body (project_edit_parse): an accepted edit changes name
 * and/or instructions only, each within its limit, and a refused one
 * leaves a terminated detail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_params(const struct project_params *p)
{
	size_t n;
	int    i, k;

	if (p->name == NULL || (n = strlen(p->name)) == 0 ||
	    n > LC_MAX_NAME_BYTES)
		abort();
	if (p->instructions == NULL ||
	    strlen(p->instructions) > LC_MAX_INSTRUCTIONS_BYTES)
		abort();
	if (p->n_labels < LC_MIN_LABELS || p->n_labels > LC_MAX_LABELS)
		abort();
	for (i = 0; i < p->n_labels; i++) {
		if (p->labels[i] == NULL || (n = strlen(p->labels[i])) == 0 ||
		    n > LC_MAX_LABEL_BYTES || strchr(p->labels[i], '\n') ||
		    strchr(p->labels[i], '\r'))
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(p->labels[k], p->labels[i]) == 0)
				abort();
	}
	if (p->reward_per_task < 0 || p->reward_per_task > LC_MAX_AMOUNT ||
	    p->min_stake < 0 || p->min_stake > LC_MAX_AMOUNT)
		abort();
	if (p->min_votes < 1 || p->min_votes > p->max_votes ||
	    p->max_votes > LC_MAX_VOTES_PER_TASK)
		abort();
	if (!(p->confidence > 0.5 && p->confidence < 1.0))
		abort();
	if (!(p->gold_rate >= 0.0 && p->gold_rate <= 0.5))
		abort();
}

static void
check_edit(const struct project_edit *e)
{
	size_t n;

	if (e->name == NULL && e->instructions == NULL)
		abort();
	if (e->name != NULL &&
	    ((n = strlen(e->name)) == 0 || n > LC_MAX_NAME_BYTES))
		abort();
	if (e->instructions != NULL &&
	    strlen(e->instructions) > LC_MAX_INSTRUCTIONS_BYTES)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct project_params p;
	struct project_edit   e;
	char		      detail[LC_DETAIL_LEN] = "";
	cJSON		     *body;

	if (market_json_parse((const char *)data, size, &body, detail) != 0)
		return 0;
	if (project_params_parse(body, &p, detail) == 0)
		check_params(&p);
	if (memchr(detail, '\0', sizeof(detail)) == NULL)
		abort();
	if (project_edit_parse(body, &e, detail) == 0)
		check_edit(&e);
	if (memchr(detail, '\0', sizeof(detail)) == NULL)
		abort();
	cJSON_Delete(body);
	return 0;
}
