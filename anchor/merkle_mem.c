/*
 * anchor/merkle_mem.c — in-memory node store (see merkle_mem.h).
 */
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/merkle_mem.h"

#define MERKLE_MEM_LEVELS 63

struct merkle_mem_level {
	uint8_t *hashes; /* count * MERKLE_HASH_LEN bytes */
	uint64_t count;
	uint64_t cap;
};

struct merkle_mem {
	struct merkle_mem_level level[MERKLE_MEM_LEVELS];
};

int
merkle_mem_create(struct merkle_mem **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ANCHOR_ENOMEM;
	return 0;
}

void
merkle_mem_free(struct merkle_mem *m)
{
	unsigned i;

	if (m == NULL)
		return;
	for (i = 0; i < MERKLE_MEM_LEVELS; i++)
		free(m->level[i].hashes);
	free(m);
}

int
merkle_mem_get_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	const struct merkle_mem *m = ctx;

	if (level >= MERKLE_MEM_LEVELS || index >= m->level[level].count)
		return ANCHOR_ESTORE;
	memcpy(out, m->level[level].hashes + index * MERKLE_HASH_LEN,
	    MERKLE_HASH_LEN);
	return 0;
}

void
merkle_mem_store(struct merkle_mem *m, struct merkle_store *s)
{
	s->get_node = merkle_mem_get_node;
	s->ctx = m;
}

int
merkle_mem_put_node(struct merkle_mem *m, const struct merkle_node *node)
{
	struct merkle_mem_level *l;
	uint8_t			*p;
	uint64_t		 ncap;

	if (node->level >= MERKLE_MEM_LEVELS)
		return ANCHOR_EINVAL;
	l = &m->level[node->level];
	if (node->index != l->count)
		return ANCHOR_EINVAL;
	if (l->count == l->cap) {
		ncap = l->cap == 0 ? 64 : l->cap * 2;
		if (ncap > SIZE_MAX / MERKLE_HASH_LEN)
			return ANCHOR_ENOMEM;
		if ((p = realloc(l->hashes, ncap * MERKLE_HASH_LEN)) == NULL)
			return ANCHOR_ENOMEM;
		l->hashes = p;
		l->cap = ncap;
	}
	memcpy(l->hashes + l->count * MERKLE_HASH_LEN, node->hash,
	    MERKLE_HASH_LEN);
	l->count++;
	return 0;
}

int
merkle_mem_append(struct merkle_mem *m, struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN])
{
	struct merkle_node  nodes[MERKLE_MAX_APPEND];
	struct merkle_store s;
	size_t		    n, i;
	int		    rc;

	merkle_mem_store(m, &s);
	if ((rc = merkle_append(h, &s, m->level[0].count, leaf_hash, nodes,
		 MERKLE_MAX_APPEND, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = merkle_mem_put_node(m, &nodes[i])) != 0)
			return rc;
	return 0;
}

uint64_t
merkle_mem_size(const struct merkle_mem *m)
{
	return m->level[0].count;
}
