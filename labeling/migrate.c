/*
 * labeling/migrate.c — see migrate.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/migrate.h"

/* Arbitrary constant: "lcmi" — the advisory lock of migrators. */
#define MIGRATE_LOCK_KEY "1818455401"
#define MIGRATE_MAX_FILES 1000
#define MIGRATE_MAX_BYTES (4 * 1024 * 1024)

static const char migrate_bootstrap[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " file text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static int
migrate_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return strcmp(x->version, y->version);
}

static int
migrate_read_file(const char *dir, const char *name, char **out)
{
	char  path[4096];
	FILE *f;
	char *buf = NULL;
	long  len;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return LC_ERR_VALIDATION;
	if ((f = fopen(path, "rb")) == NULL)
		goto fail;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > MIGRATE_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	if ((buf = malloc((size_t)len + 1)) == NULL)
		goto fail;
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto fail;
	buf[len] = '\0';
	fclose(f);
	*out = buf;
	return 0;
fail:
	lc_error("event=migration_read_failed file=%s error=\"%s\"", path,
	    strerror(errno));
	free(buf);
	if (f != NULL)
		fclose(f);
	return LC_ERR_MIGRATION;
}

int
migrate_load(const char *dir, struct migration_set *out)
{
	DIR		 *d;
	struct dirent	 *de;
	struct migration *m;
	unsigned char	  digest[crypto_hash_sha256_BYTES];
	size_t		  n, len;
	int		  rc = 0;

	out->items = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		lc_error("event=migration_dir_missing dir=%s error=\"%s\"", dir,
		    strerror(errno));
		return LC_ERR_MIGRATION;
	}
	out->items = calloc(MIGRATE_MAX_FILES, sizeof(*out->items));
	if (out->items == NULL) {
		closedir(d);
		return LC_ERR_NOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		for (n = 0; isdigit((unsigned char)de->d_name[n]); n++)
			;
		if (n == 0 || n >= sizeof(m->version) || de->d_name[n] != '_')
			continue;
		if (out->n == MIGRATE_MAX_FILES) {
			rc = LC_ERR_MIGRATION;
			break;
		}
		m = &out->items[out->n];
		memcpy(m->version, de->d_name, n);
		m->version[n] = '\0';
		if ((m->file = strdup(de->d_name)) == NULL) {
			rc = LC_ERR_NOMEM;
			break;
		}
		out->n++;
		if ((rc = migrate_read_file(dir, de->d_name, &m->sql)) != 0)
			break;
		crypto_hash_sha256(digest, (const unsigned char *)m->sql,
		    strlen(m->sql));
		sodium_bin2hex(m->sha256, sizeof(m->sha256), digest,
		    sizeof(digest));
	}
	closedir(d);
	if (rc != 0) {
		migrate_set_free(out);
		return rc;
	}
	qsort(out->items, out->n, sizeof(*out->items), migrate_cmp);
	for (n = 1; n < out->n; n++)
		if (strcmp(out->items[n - 1].version, out->items[n].version) ==
		    0) {
			lc_error("event=migration_duplicate_version version=%s",
			    out->items[n].version);
			migrate_set_free(out);
			return LC_ERR_MIGRATION;
		}
	return 0;
}

void
migrate_set_free(struct migration_set *set)
{
	size_t i;

	if (set == NULL || set->items == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->items[i].file);
		free(set->items[i].sql);
	}
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

/* Index of `version` in the applied rows, or -1. */
static int
migrate_find(PGresult *res, const char *version)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), version) == 0)
			return i;
	return -1;
}

static int
migrate_compare(PGresult *res, const struct migration_set *set, int *pending,
    int *changed, int *unknown)
{
	size_t i;
	int    row, j, found;

	*pending = *changed = *unknown = 0;
	for (i = 0; i < set->n; i++) {
		row = migrate_find(res, set->items[i].version);
		if (row < 0)
			(*pending)++;
		else if (strcmp(PQgetvalue(res, row, 1),
			     set->items[i].sha256) != 0) {
			lc_error("event=migration_changed file=%s "
				 "applied_sha256=%s file_sha256=%s",
			    set->items[i].file, PQgetvalue(res, row, 1),
			    set->items[i].sha256);
			(*changed)++;
		}
	}
	for (j = 0; j < PQntuples(res); j++) {
		found = 0;
		for (i = 0; i < set->n && !found; i++)
			found = strcmp(PQgetvalue(res, j, 0),
				    set->items[i].version) == 0;
		if (!found)
			(*unknown)++;
	}
	return 0;
}

int
migrate_check(struct db *db, const struct migration_set *set, int *pending,
    int *changed, int *unknown)
{
	PGresult *res;
	int	  rc;

	rc = db_exec_sql(db, "SELECT version, sha256 FROM schema_migrations",
	    &res);
	if (rc != 0) {
		/* No table yet: everything is pending. */
		*pending = (int)set->n;
		*changed = *unknown = 0;
		return db_ok(db) ? 0 : rc;
	}
	migrate_compare(res, set, pending, changed, unknown);
	PQclear(res);
	return 0;
}

int
migrate_apply(struct db *db, const struct migration_set *set, int *applied)
{
	const char *params[3];
	PGresult   *res = NULL;
	size_t	    i;
	int	    rc, pending, changed, unknown, count = 0;

	if (applied != NULL)
		*applied = 0;
	if ((rc = db_exec_sql(db,
		 "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", NULL)) != 0)
		return rc;
	if ((rc = db_exec_sql(db, migrate_bootstrap, NULL)) != 0)
		goto out;
	if ((rc = db_exec_sql(db,
		 "SELECT version, sha256 FROM schema_migrations", &res)) != 0)
		goto out;
	migrate_compare(res, set, &pending, &changed, &unknown);
	if (changed > 0) {
		rc = LC_ERR_MIGRATION;
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		if (migrate_find(res, set->items[i].version) >= 0)
			continue;
		if ((rc = db_exec_sql(db, "BEGIN", NULL)) != 0)
			goto out;
		if ((rc = db_exec_sql(db, set->items[i].sql, NULL)) != 0) {
			lc_error("event=migration_failed file=%s",
			    set->items[i].file);
			(void)db_exec_sql(db, "ROLLBACK", NULL);
			rc = LC_ERR_MIGRATION;
			goto out;
		}
		params[0] = set->items[i].version;
		params[1] = set->items[i].file;
		params[2] = set->items[i].sha256;
		if ((rc = db_exec_params(db,
			 "INSERT INTO schema_migrations "
			 "(version, file, sha256) VALUES ($1, $2, $3)",
			 3, params, NULL)) != 0 ||
		    (rc = db_exec_sql(db, "COMMIT", NULL)) != 0) {
			(void)db_exec_sql(db, "ROLLBACK", NULL);
			goto out;
		}
		lc_info("event=migration_applied file=%s", set->items[i].file);
		count++;
	}
	if (applied != NULL)
		*applied = count;
out:
	PQclear(res);
	(void)db_exec_sql(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
	    NULL);
	return rc;
}
