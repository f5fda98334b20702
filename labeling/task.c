/*
 * labeling/task.c — task batches (task.h).
 *
 * The whole batch travels to PostgreSQL as one JSON parameter and is
 * inserted by one statement with ON CONFLICT (project_id, external_id) DO
 * NOTHING, so a retried upload reports its tasks as duplicates instead of
 * creating them twice, and a failure leaves nothing behind.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"
#include "labeling/task.h"

const struct db_stmt task_stmts[] = {
	{ "task_gold_check",
	    "SELECT x.g FROM jsonb_to_recordset($2::jsonb) AS x(g text)"
	    " WHERE x.g IS NOT NULL AND array_position((SELECT labels FROM"
	    " projects WHERE id = $1), x.g) IS NULL LIMIT 1" },
	{ "task_insert_batch",
	    "INSERT INTO tasks (project_id, external_id, data, data_sha256,"
	    " gold_label, need)"
	    " SELECT $1, x.j->>'e', x.j->>'d', x.j->>'s',"
	    " array_position(p.labels, x.j->>'g') - 1, p.min_votes"
	    " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(j, n),"
	    " projects p WHERE p.id = $1 ORDER BY x.n"
	    " ON CONFLICT (project_id, external_id) DO NOTHING RETURNING id" },
	{ NULL, NULL }
};

void
task_batch_free(struct task_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->items[i].data);
		free(b->items[i].external_id);
		free(b->items[i].gold);
	}
	free(b->items);
	b->items = NULL;
	b->n = 0;
}

static int
task_item_parse(const cJSON *o, size_t line, struct task_item *it, char *detail)
{
	const cJSON *d, *e, *g;
	char	    *text;

	if (!cJSON_IsObject(o))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "task %zu: must be an object {data, external_id?, gold?}",
		    line);
	d = cJSON_GetObjectItemCaseSensitive(o, "data");
	if (d == NULL || cJSON_IsNull(d))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "task %zu: data is missing", line);
	if ((text = cJSON_PrintUnformatted(d)) == NULL)
		return LC_ERR_NOMEM;
	it->data = text;
	if (strlen(text) > LC_MAX_TASK_DATA_BYTES)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "task %zu: data is larger than %u bytes", line,
		    LC_MAX_TASK_DATA_BYTES);
	e = cJSON_GetObjectItemCaseSensitive(o, "external_id");
	if (e != NULL && !cJSON_IsNull(e)) {
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
		    strlen(e->valuestring) > LC_MAX_EXTERNAL_ID_BYTES)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "task %zu: external_id must be a string of 1 to "
			    "%d bytes",
			    line, LC_MAX_EXTERNAL_ID_BYTES);
		if ((it->external_id = strdup(e->valuestring)) == NULL)
			return LC_ERR_NOMEM;
	}
	g = cJSON_GetObjectItemCaseSensitive(o, "gold");
	if (g != NULL && !cJSON_IsNull(g)) {
		if (!cJSON_IsString(g) || g->valuestring[0] == '\0' ||
		    strlen(g->valuestring) > LC_MAX_LABEL_BYTES)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "task %zu: gold must be one of the labels", line);
		if ((it->gold = strdup(g->valuestring)) == NULL)
			return LC_ERR_NOMEM;
	}
	return 0;
}

static int
task_batch_add(struct task_batch *b, const cJSON *o, char *detail)
{
	struct task_item *items;
	int		  rc;

	if (b->n == LC_MAX_TASKS_PER_UPLOAD)
		return market_fail(detail, LC_ERR_TOO_LARGE,
		    "at most %d tasks per upload", LC_MAX_TASKS_PER_UPLOAD);
	if ((b->n & (b->n - 1)) == 0) { /* 0, 1, 2, 4, ... */
		items =
		    realloc(b->items, (b->n ? 2 * b->n : 1) * sizeof(*items));
		if (items == NULL)
			return LC_ERR_NOMEM;
		b->items = items;
	}
	memset(&b->items[b->n], 0, sizeof(b->items[0]));
	b->n++;
	rc = task_item_parse(o, b->n, &b->items[b->n - 1], detail);
	return rc;
}

int
task_batch_parse(const char *body, size_t len, int ndjson,
    struct task_batch *out, char *detail)
{
	const char *p, *end, *nl;
	cJSON	   *root = NULL, *o;
	size_t	    line = 0, n;
	int	    rc = 0;

	memset(out, 0, sizeof(*out));
	if (body == NULL || len == 0 || strlen(body) != len)
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "the body is empty or contains a NUL byte");
	if (!ndjson) {
		if ((rc = market_json_parse(body, len, &root, detail)) != 0)
			return rc;
		if (!cJSON_IsArray(root)) {
			cJSON_Delete(root);
			return market_fail(detail, LC_ERR_BAD_JSON,
			    "the body must be a JSON array of tasks");
		}
		cJSON_ArrayForEach(o,
		    root) if ((rc = task_batch_add(out, o, detail)) != 0) break;
		cJSON_Delete(root);
		goto done;
	}
	for (p = body, end = body + len; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (market_json_parse(p, n, &o, NULL) != 0) {
			rc = market_fail(detail, LC_ERR_BAD_JSON,
			    "line %zu is not valid JSON", line);
			break;
		}
		rc = task_batch_add(out, o, detail);
		cJSON_Delete(o);
		if (rc != 0)
			break;
	}
done:
	if (rc == 0 && out->n == 0)
		rc = market_fail(detail, LC_ERR_VALIDATION, "no tasks");
	if (rc != 0)
		task_batch_free(out);
	return rc;
}

struct task_upload_arg {
	int64_t	    owner_id;
	int64_t	    project_id;
	const char *json;
	int64_t	    created;
	char	   *detail;
};

static int
task_upload_body(struct db *db, void *arg)
{
	struct task_upload_arg *a = arg;
	PGresult	       *res = NULL;
	char			id[24], status[8];
	const char *params[2] = { market_i64(id, a->project_id), a->json };
	int	    rc;

	a->created = 0;
	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 1, status,
		 a->detail)) != 0)
		return rc;
	if (strcmp(status, "closed") == 0)
		return market_fail(a->detail, LC_ERR_STATE,
		    "the project is closed");
	if ((rc = db_exec(db, "task_gold_check", 2, params, &res)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		rc = market_fail(a->detail, LC_ERR_VALIDATION,
		    "gold \"%.64s\" is not a label of the project",
		    db_text(res, 0, 0));
		PQclear(res);
		return rc;
	}
	PQclear(res);
	if ((rc = db_exec(db, "task_insert_batch", 2, params, &res)) != 0)
		return rc;
	a->created = PQntuples(res);
	PQclear(res);
	return project_reserve(db, a->project_id);
}

int
task_upload(struct db *db, int64_t owner_id, int64_t project_id,
    const struct task_batch *b, int64_t *created, int64_t *duplicates,
    char *detail)
{
	struct task_upload_arg a;
	cJSON		      *arr, *o;
	char		       sha[65];
	size_t		       i;
	int		       rc;

	if ((arr = cJSON_CreateArray()) == NULL)
		return LC_ERR_NOMEM;
	for (i = 0; i < b->n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			goto nomem;
		cJSON_AddItemToArray(arr, o);
		market_sha256_hex(b->items[i].data, strlen(b->items[i].data),
		    sha);
		if (cJSON_AddStringToObject(o, "d", b->items[i].data) == NULL ||
		    cJSON_AddStringToObject(o, "s", sha) == NULL)
			goto nomem;
		if (b->items[i].external_id != NULL)
			cJSON_AddStringToObject(o, "e",
			    b->items[i].external_id);
		if (b->items[i].gold != NULL)
			cJSON_AddStringToObject(o, "g", b->items[i].gold);
	}
	memset(&a, 0, sizeof(a));
	a.owner_id = owner_id;
	a.project_id = project_id;
	a.detail = detail;
	if ((a.json = cJSON_PrintUnformatted(arr)) == NULL)
		goto nomem;
	cJSON_Delete(arr);
	rc = db_tx(db, task_upload_body, &a);
	cJSON_free((void *)a.json);
	if (rc != 0)
		return rc;
	*created = a.created;
	*duplicates = (int64_t)b->n - a.created;
	return 0;
nomem:
	cJSON_Delete(arr);
	return LC_ERR_NOMEM;
}
