/*
 * labeling/migrate.h — numbered SQL migrations from sql/.
 *
 * Files are named NNNN_what.sql and applied in order, each in its own
 * transaction, recorded in schema_migrations with their SHA-256.  An applied
 * file whose content has changed is refused: schema changes are new files.
 * Concurrent migrators (several servers starting at once) serialise on a
 * PostgreSQL advisory lock.
 */
#ifndef LC_MIGRATE_H
#define LC_MIGRATE_H

#include <stddef.h>

struct db;

struct migration {
	char  version[16]; /* the NNNN prefix */
	char *file;	   /* base name, owned */
	char *sql;	   /* content, owned */
	char  sha256[65];  /* lower-case hex of the content */
};

struct migration_set {
	struct migration *items; /* sorted by version */
	size_t		  n;
};

/* Load every NNNN_*.sql of `dir`.  Free with migrate_set_free(). */
int  migrate_load(const char *dir, struct migration_set *out);
void migrate_set_free(struct migration_set *set);

/* Apply the pending ones; `*applied` counts them (may be NULL). */
int migrate_apply(struct db *db, const struct migration_set *set, int *applied);

/*
 * Compare the database with `set`: `*pending` files not yet applied,
 * `*changed` applied files whose checksum differs, `*unknown` versions in
 * the database that `set` lacks (a newer server migrated it).
 */
int migrate_check(struct db *db, const struct migration_set *set, int *pending,
    int *changed, int *unknown);

#endif
