/*
 * labeling/task.h — task upload.
 *
 * A batch is a JSON array, or NDJSON (one object per line), of
 * {data, external_id?, gold?}: `data` any JSON value but null (kept as the
 * exact compact text cJSON prints, which is what data_sha256 hashes),
 * `external_id` a string the upload is idempotent on, `gold` the known
 * label of a gold task.  The batch is inserted whole or not at all.
 */
#ifndef LC_TASK_H
#define LC_TASK_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct task_item {
	char *data;	   /* compact JSON text, owned */
	char *external_id; /* owned or NULL */
	char *gold;	   /* owned or NULL */
};

struct task_batch {
	struct task_item *items;
	size_t		  n;
};

/*
 * Parse and validate (count <= LC_MAX_TASKS_PER_UPLOAD, data <=
 * LC_MAX_TASK_DATA_BYTES, external_id <= LC_MAX_EXTERNAL_ID_BYTES).  Pure;
 * free with task_batch_free() (also after a failure).
 */
int  task_batch_parse(const char *body, size_t len, int ndjson,
     struct task_batch *out, char *detail);
void task_batch_free(struct task_batch *b);

/* Insert into the owner's project: *created new, *duplicates skipped. */
int task_upload(struct db *db, int64_t owner_id, int64_t project_id,
    const struct task_batch *b, int64_t *created, int64_t *duplicates,
    char *detail);

#endif
