/*
 * anchor/merkle.h — the append-only Merkle log of final labels.
 *
 * Hashing is RFC 6962 §2.1 / RFC 9162 §2.1: for records d(0) .. d(n-1),
 *
 *	leaf hash	= SHA-256(0x00 || d(i))
 *	node hash	= SHA-256(0x01 || left || right)
 *	MTH(D[n])	= node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest
 *			  power of two smaller than n; MTH of one record is its
 *			  leaf hash, MTH of none is SHA-256("").
 *
 * Storage.  The log never rebuilds a tree.  A "node" (level, index) is the
 * complete subtree of 2^level leaves starting at leaf index * 2^level; level
 * 0 nodes are the leaf hashes.  Appending leaf n completes node (0, n) and
 * then one node per trailing one bit of n; merkle_append() returns them and
 * the caller stores them (in memory, see merkle_mem.h, or in PostgreSQL).
 * Every other hash is derived from stored nodes through the caller's
 * get_node callback: the tree of size m is the right-folded chain of the
 * complete nodes named by the one bits of m, so a root costs popcount(m)
 * reads and an inclusion or consistency proof at most 2·log2(n) reads —
 * O(log n), whatever the size of the log.
 *
 * Proofs follow RFC 9162 §2.1.3 (inclusion: PATH) and §2.1.4 (consistency:
 * PROOF/SUBPROOF) and are verified with the algorithms of §2.1.3.2 and
 * §2.1.4.2, including their inner right-shift steps.  A root means nothing
 * without its tree size: every function takes both.
 *
 * Proof buffers are flat: a path of len hashes is len * MERKLE_HASH_LEN
 * bytes, hash j at offset j * MERKLE_HASH_LEN, leaf-side first.
 *
 * Pure: no I/O, no globals.  The only allocation is the hasher object.  A
 * hasher is not thread-safe; use one per thread.
 */
#ifndef ANCHOR_MERKLE_H
#define ANCHOR_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN 32
/* Largest tree size handled; keeps every shift and sum inside uint64_t. */
#define MERKLE_MAX_SIZE ((uint64_t)1 << 62)
/* Upper bound on the hashes of any proof, and of nodes one append completes. */
#define MERKLE_MAX_PROOF 64
#define MERKLE_MAX_APPEND 64

/*
 * The SHA-256 hasher: one EVP_MD fetched once and one reused EVP_MD_CTX.
 * merkle_hasher_create() allocates; merkle_hasher_free() releases
 * (NULL is a no-op).  Returns 0, ANCHOR_ENOMEM or ANCHOR_ECRYPTO.
 */
struct merkle_hasher;
int  merkle_hasher_create(struct merkle_hasher **out);
void merkle_hasher_free(struct merkle_hasher *h);

/* SHA-256(0x00 || record[0..len)) into out. 0 or ANCHOR_ECRYPTO. */
int merkle_leaf_hash(struct merkle_hasher *h, const void *record, size_t len,
    uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256(0x01 || left || right) into out. 0 or ANCHOR_ECRYPTO. */
int
merkle_node_hash(struct merkle_hasher *h, const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);
/* Plain SHA-256 of data (the empty tree's root is SHA-256 of nothing). */
int merkle_sha256(struct merkle_hasher *h, const void *data, size_t len,
    uint8_t out[MERKLE_HASH_LEN]);

/*
 * Read access to the stored complete nodes.  get_node copies the hash of
 * node (level, index) into out and returns 0; it returns ANCHOR_ESTORE if
 * the node is not stored, or any other negative code, which the merkle
 * functions pass back to their caller unchanged.  It is only ever asked
 * for nodes that are complete at the tree size in question.
 */
struct merkle_store {
	int (*get_node)(void *ctx, unsigned level, uint64_t index,
	    uint8_t out[MERKLE_HASH_LEN]);
	void *ctx;
};

/* A complete node that the caller must store. */
struct merkle_node {
	unsigned level;
	uint64_t index;
	uint8_t	 hash[MERKLE_HASH_LEN];
};

/*
 * Append leaf number n (the tree grows from size n to n + 1) whose leaf
 * hash is leaf_hash.  Fills nodes[0 .. *n_nodes) with every node that
 * completes, lowest level first: (0, n) itself, then its ancestors while n
 * is a right child (1 + trailing ones of n nodes, at most
 * MERKLE_MAX_APPEND; nodes_cap must be >= that count).  Reads the left
 * siblings through store.  The caller stores the returned nodes, atomically
 * with the leaf, before appending leaf n + 1.
 */
int merkle_append(struct merkle_hasher *h, const struct merkle_store *store,
    uint64_t n, const uint8_t leaf_hash[MERKLE_HASH_LEN],
    struct merkle_node *nodes, size_t nodes_cap, size_t *n_nodes);

/* MTH of the first size leaves (size <= MERKLE_MAX_SIZE; 0 is allowed). */
int merkle_root(struct merkle_hasher *h, const struct merkle_store *store,
    uint64_t size, uint8_t root[MERKLE_HASH_LEN]);

/* Number of hashes in the inclusion path of index in a tree of size. */
size_t merkle_inclusion_path_len(uint64_t index, uint64_t size);

/*
 * RFC 9162 §2.1.3.1 inclusion path of leaf index in the tree of size
 * leaves (index < size).  path has room for path_cap hashes; *path_len
 * receives the count.  0, ANCHOR_EINVAL, ANCHOR_ENOSPC or a store error.
 */
int merkle_inclusion_proof(struct merkle_hasher *h,
    const struct merkle_store *store, uint64_t index, uint64_t size,
    uint8_t *path, size_t path_cap, size_t *path_len);

/*
 * RFC 9162 §2.1.4.1 consistency proof between sizes size1 <= size2.  The
 * proof is empty when size1 == size2 or size1 == 0.  Same buffer rules and
 * returns as merkle_inclusion_proof().
 */
int merkle_consistency_proof(struct merkle_hasher *h,
    const struct merkle_store *store, uint64_t size1, uint64_t size2,
    uint8_t *proof, size_t proof_cap, size_t *proof_len);

/*
 * RFC 9162 §2.1.3.2: fold the path from leaf_hash up and write the root it
 * leads to.  0; ANCHOR_EINVAL if index >= size or size is out of range;
 * ANCHOR_EVERIFY if the path is too long or too short for (index, size).
 */
int merkle_inclusion_root(struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t *path, size_t path_len, uint8_t root[MERKLE_HASH_LEN]);

/* 0 if path proves leaf_hash at index in the tree (size, root), else
 * ANCHOR_EVERIFY (or ANCHOR_EINVAL / ANCHOR_ECRYPTO). */
int merkle_inclusion_verify(struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t *path, size_t path_len, const uint8_t root[MERKLE_HASH_LEN]);

/*
 * RFC 9162 §2.1.4.2: 0 if proof shows that the tree (size2, root2) extends
 * the tree (size1, root1), else ANCHOR_EVERIFY.  size1 == size2 needs an
 * empty proof and equal roots; size1 == 0 needs an empty proof.  ANCHOR_EINVAL
 * if size1 > size2 or a size is out of range.
 */
int merkle_consistency_verify(struct merkle_hasher *h, uint64_t size1,
    uint64_t size2, const uint8_t root1[MERKLE_HASH_LEN],
    const uint8_t root2[MERKLE_HASH_LEN], const uint8_t *proof,
    size_t proof_len);

/*
 * Full verification of a label's proof object, as served by
 * GET /v1/tasks/{id}/proof and checked by `labelctl verify`, step by step:
 *
 *   1. MERKLE_VERIFY_INPUT	tree_size is 0 or too large, leaf_index >=
 *				tree_size, or leaf/path/root missing
 *   2. MERKLE_VERIFY_LEAF_HASH	SHA-256(0x00 || leaf) differs from the claimed
 *				leaf_hash (skipped when leaf_hash is NULL)
 *   3. MERKLE_VERIFY_PATH	the path does not have the length RFC 9162
 *				gives for (leaf_index, tree_size)
 *   4. MERKLE_VERIFY_ROOT	the path leads to another root
 *
 * The caller's strings and buffers are borrowed, never kept.
 */
enum merkle_verify_step {
	MERKLE_VERIFY_OK = 0,
	MERKLE_VERIFY_INPUT,
	MERKLE_VERIFY_LEAF_HASH,
	MERKLE_VERIFY_PATH,
	MERKLE_VERIFY_ROOT,
};

struct merkle_proof {
	const char    *leaf; /* the exact record string hashed */
	size_t	       leaf_len;
	const uint8_t *leaf_hash; /* claimed leaf hash (32) or NULL */
	uint64_t       leaf_index;
	uint64_t       tree_size;
	const uint8_t *path; /* path_len hashes, flat */
	size_t	       path_len;
	const uint8_t *root; /* claimed root (32) */
};

struct merkle_verify_report {
	enum merkle_verify_step failed; /* MERKLE_VERIFY_OK if valid */
	size_t			path_len_expected;
	uint8_t			leaf_hash[MERKLE_HASH_LEN]; /* computed */
	uint8_t			root[MERKLE_HASH_LEN];	    /* computed */
	int			have_root; /* root[] is meaningful */
};

/*
 * Returns 0 when valid, ANCHOR_EVERIFY when a step failed (report->failed
 * says which), ANCHOR_ECRYPTO if hashing itself failed.  report is always
 * filled.
 */
int merkle_proof_verify(struct merkle_hasher *h, const struct merkle_proof *p,
    struct merkle_verify_report *report);

/* A static name for a step ("ok", "input", "leaf hash", "path", "root"). */
const char *merkle_verify_step_name(enum merkle_verify_step step);

#endif /* ANCHOR_MERKLE_H */
