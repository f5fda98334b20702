/*
 * anchor/merkle_mem.h — an in-memory node store for the Merkle log.
 *
 * For tests and benchmarks: it keeps, per level, the array of complete
 * node hashes of merkle.h's storage model (2·n hashes for n leaves) and
 * implements its get_node callback.  Nodes must be put in the order
 * merkle_append() returns them: each level grows append-only, and a node
 * that would leave a hole is refused.
 *
 * merkle_mem_create() allocates; merkle_mem_free() releases (NULL is a
 * no-op).  Arrays grow by doubling with realloc.
 */
#ifndef ANCHOR_MERKLE_MEM_H
#define ANCHOR_MERKLE_MEM_H

#include <stdint.h>

#include "anchor/merkle.h"

struct merkle_mem;

int  merkle_mem_create(struct merkle_mem **out);
void merkle_mem_free(struct merkle_mem *m);

/* The get_node callback; ctx is the struct merkle_mem. */
int merkle_mem_get_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN]);

/* Fill *s so that merkle.h functions read from m. */
void merkle_mem_store(struct merkle_mem *m, struct merkle_store *s);

/* Store one node; ANCHOR_EINVAL unless it is the next one of its level. */
int merkle_mem_put_node(struct merkle_mem *m, const struct merkle_node *node);

/* Append a leaf hash as leaf number merkle_mem_size(m), storing every node
 * it completes. */
int merkle_mem_append(struct merkle_mem *m, struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN]);

/* Number of leaves appended. */
uint64_t merkle_mem_size(const struct merkle_mem *m);

#endif /* ANCHOR_MERKLE_MEM_H */
