/*
 * cli/intern.h — string interning for labelctl aggregate: every distinct
 * name (item, worker, label) gets a dense index, in order of first
 * appearance, looked up once per vote.
 *
 * Open addressing with linear probing over a power-of-two array of 16-byte
 * slots kept at most half full.  A slot holds the name's index, a tag (24
 * bits of hash and the length) and the name itself when it is at most 8
 * bytes long, else its first 8 bytes: a lookup of a short name touches one
 * cache line, and a batch of lookups can prefetch theirs first
 * (intern_prefetch()) so that the misses overlap.  Names are also copied
 * into one growing arena (NUL-terminated, found by offset), so interning
 * allocates only when the arena, the offsets or the slots double — never
 * per name.
 *
 * Ownership: intern_free() releases everything; a zeroed struct is an
 * empty table and intern_free() of it is a no-op.
 */
#ifndef LC_CLI_INTERN_H
#define LC_CLI_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_ERR_NOMEM (-1)
#define INTERN_ERR_FULL (-2) /* more than max names */

struct intern_slot {
	uint32_t tag;  /* hash & 0xffffff00 | min(len, 255) */
	int32_t	 idx;  /* -1: empty */
	uint64_t word; /* the first 8 bytes of the name, zero-padded */
};

struct intern {
	char		   *arena;
	size_t		    arena_len, arena_cap;
	size_t		   *off; /* by index */
	uint32_t	   *len; /* by index */
	size_t		    n, cap;
	struct intern_slot *slot;
	size_t		    n_slots;
	int32_t		    max; /* limit on n; 0 means INT32_MAX / 2 */
};

/* A name's hash and first 8 bytes, computed once per lookup. */
struct intern_key {
	uint64_t hash;
	uint64_t word;
};

/* The key of s[0..len). */
void intern_key(struct intern_key *k, const char *s, size_t len);

/*
 * The same, faster, for an s followed by at least INTERN_PAD readable bytes
 * (CSV fields are: csv.h, CSV_FIELD_PAD).
 */
#define INTERN_PAD 8
void intern_key_padded(struct intern_key *k, const char *s, size_t len);

/* Hint that a name of this key will be looked up soon. */
void intern_prefetch(const struct intern *t, const struct intern_key *k);

/* Index of s[0..len) (key k), added when absent; INTERN_ERR_NOMEM, _FULL. */
int32_t intern_put(struct intern *t, const char *s, size_t len,
    const struct intern_key *k);

/* Index of s[0..len), or -1 when absent. */
int32_t intern_find(const struct intern *t, const char *s, size_t len);

/* The NUL-terminated name of index i (valid until the next intern_put). */
const char *intern_name(const struct intern *t, int32_t i);

void intern_free(struct intern *t);

#endif
