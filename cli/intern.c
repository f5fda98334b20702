/*
 * cli/intern.c — string interning (see intern.h).
 *
 * The hash reads eight bytes at a time and finishes with the 64-bit mixer
 * of MurmurHash3 (Appleby), enough to spread the short, similar names of a
 * crowd file ("w1", "w2", ...) over the slots.  Low bits choose the slot,
 * high bits go into the tag, so that a tag match is rarely a false one.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/intern.h"

#define MIN_SLOTS 1024
#define TAG_LEN_MAX 255

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t
intern_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len, x;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&x, s, 8);
		h = (h ^ mix64(x)) * UINT64_C(0x100000001b3);
	}
	if (len > 0) {
		x = 0;
		memcpy(&x, s, len);
		h = (h ^ mix64(x ^ 0xa5)) * UINT64_C(0x100000001b3);
	}
	return mix64(h);
}

static uint32_t
make_tag(uint64_t hash, size_t len)
{
	return ((uint32_t)(hash >> 32) & UINT32_C(0xffffff00)) |
	    (uint32_t)(len < TAG_LEN_MAX ? len : TAG_LEN_MAX);
}

static uint64_t
make_word(const char *s, size_t len)
{
	uint64_t w = 0;

	memcpy(&w, s, len < 8 ? len : 8);
	return w;
}

void
intern_prefetch(const struct intern *t, uint64_t hash)
{
	if (t->n_slots > 0)
		__builtin_prefetch(&t->slot[hash & (t->n_slots - 1)]);
}

static int
grow_slots(struct intern *t)
{
	struct intern_slot *slot;
	size_t		    n = t->n_slots ? t->n_slots * 2 : MIN_SLOTS, i, h;

	if ((slot = malloc(n * sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		slot[i].idx = -1;
	for (i = 0; i < t->n_slots; i++) {
		int32_t x = t->slot[i].idx;

		if (x < 0)
			continue;
		h = intern_hash(t->arena + t->off[x], t->len[x]) & (n - 1);
		while (slot[h].idx >= 0)
			h = (h + 1) & (n - 1);
		slot[h] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->n_slots = n;
	return 0;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t
probe(const struct intern *t, const char *s, size_t len, uint64_t hash)
{
	uint32_t tag = make_tag(hash, len);
	uint64_t word = make_word(s, len);
	size_t	 h = hash & (t->n_slots - 1);

	for (;; h = (h + 1) & (t->n_slots - 1)) {
		const struct intern_slot *sl = &t->slot[h];

		if (sl->idx < 0)
			return h;
		if (sl->tag != tag || sl->word != word)
			continue;
		if (len <= 8 ||
		    (t->len[sl->idx] == len &&
			memcmp(t->arena + t->off[sl->idx], s, len) == 0))
			return h;
	}
}

int32_t
intern_find(const struct intern *t, const char *s, size_t len)
{
	if (t->n_slots == 0)
		return -1;
	return t->slot[probe(t, s, len, intern_hash(s, len))].idx;
}

int32_t
intern_put(struct intern *t, const char *s, size_t len, uint64_t hash)
{
	int32_t max = t->max > 0 ? t->max : INT32_MAX / 2;
	size_t	h, need;
	void   *p;

	if (t->n_slots > 0) {
		h = probe(t, s, len, hash);
		if (t->slot[h].idx >= 0)
			return t->slot[h].idx;
	}
	if (t->n >= (size_t)max)
		return INTERN_ERR_FULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;

		if ((p = realloc(t->off, cap * sizeof(*t->off))) == NULL)
			return INTERN_ERR_NOMEM;
		t->off = p;
		if ((p = realloc(t->len, cap * sizeof(*t->len))) == NULL)
			return INTERN_ERR_NOMEM;
		t->len = p;
		t->cap = cap;
	}
	need = t->arena_len + len + 1;
	if (need > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(t->arena, cap)) == NULL)
			return INTERN_ERR_NOMEM;
		t->arena = p;
		t->arena_cap = cap;
	}
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = '\0';
	t->off[t->n] = t->arena_len;
	t->len[t->n] = (uint32_t)len;
	t->arena_len = need;
	if ((t->n + 1) * 2 > t->n_slots && grow_slots(t) != 0)
		return INTERN_ERR_NOMEM;
	h = probe(t, s, len, hash);
	t->slot[h].tag = make_tag(hash, len);
	t->slot[h].word = make_word(s, len);
	t->slot[h].idx = (int32_t)t->n;
	return (int32_t)t->n++;
}

const char *
intern_name(const struct intern *t, int32_t i)
{
	return t->arena + t->off[i];
}

void
intern_free(struct intern *t)
{
	if (t == NULL)
		return;
	free(t->arena);
	free(t->off);
	free(t->len);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
