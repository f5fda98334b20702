/*
 * cli/intern.c — string interning (see intern.h).
 *
 * Low bits of the hash choose the slot, high bits go into the tag, so that
 * a tag match is rarely a false one.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/intern.h"

#define MIN_SLOTS 1024
#define TAG_LEN_MAX 255

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FIRST_BYTES(n) (~UINT64_C(0) << (64 - 8 * (n))) /* 1 <= n <= 8 */
#else
#define FIRST_BYTES(n) (~UINT64_C(0) >> (64 - 8 * (n)))
#endif

static uint64_t
load8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, 8);
	return x;
}

/* The first n (<= 8) bytes of s as a zero-padded word. */
static uint64_t
first_bytes(const char *s, size_t n, bool padded)
{
	uint64_t x = 0;

	if (n == 0)
		return 0;
	if (padded || n == 8)
		return load8(s) & FIRST_BYTES(n);
	memcpy(&x, s, n);
	return x;
}

/*
 * One multiply per 8 bytes, then the finaliser of MurmurHash3 (Appleby):
 * enough to spread the short, similar names of a crowd file ("w1", "w2",
 * ...) over the slots.
 */
static void
make_key(struct intern_key *k, const char *s, size_t len, bool padded)
{
	uint64_t h;
	size_t	 i;

	k->word = first_bytes(s, len < 8 ? len : 8, padded);
	h = (k->word ^ (uint64_t)len) * UINT64_C(0x9e3779b97f4a7c15);
	for (i = 8; i < len; i += 8) {
		uint64_t x =
		    first_bytes(s + i, len - i < 8 ? len - i : 8, padded);

		h = ((h << 23 | h >> 41) ^ x) * UINT64_C(0x9e3779b97f4a7c15);
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	k->hash = h;
}

void
intern_key(struct intern_key *k, const char *s, size_t len)
{
	make_key(k, s, len, false);
}

void
intern_key_padded(struct intern_key *k, const char *s, size_t len)
{
	make_key(k, s, len, true);
}

static uint32_t
make_tag(uint64_t hash, size_t len)
{
	return ((uint32_t)(hash >> 32) & UINT32_C(0xffffff00)) |
	    (uint32_t)(len < TAG_LEN_MAX ? len : TAG_LEN_MAX);
}

void
intern_prefetch(const struct intern *t, const struct intern_key *k)
{
	if (t->n_slots > 0)
		__builtin_prefetch(&t->slot[k->hash & (t->n_slots - 1)]);
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
		struct intern_key k;

		intern_key(&k, t->arena + t->off[x], t->len[x]);
		h = k.hash & (n - 1);
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
probe(const struct intern *t, const char *s, size_t len,
    const struct intern_key *k)
{
	uint32_t tag = make_tag(k->hash, len);
	size_t	 h = k->hash & (t->n_slots - 1);

	for (;; h = (h + 1) & (t->n_slots - 1)) {
		const struct intern_slot *sl = &t->slot[h];

		if (sl->idx < 0)
			return h;
		if (sl->tag != tag || sl->word != k->word)
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
	struct intern_key k;

	if (t->n_slots == 0)
		return -1;
	intern_key(&k, s, len);
	return t->slot[probe(t, s, len, &k)].idx;
}

int32_t
intern_put(struct intern *t, const char *s, size_t len,
    const struct intern_key *k)
{
	int32_t max = t->max > 0 ? t->max : INT32_MAX / 2;
	size_t	h, need;
	void   *p;

	if (t->n_slots > 0) {
		h = probe(t, s, len, k);
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
	if (need + INTERN_PAD > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096;

		while (cap < need + INTERN_PAD)
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
	h = probe(t, s, len, k);
	t->slot[h].tag = make_tag(k->hash, len);
	t->slot[h].word = k->word;
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
