/*
 * labeling/proof.h — what a reader of the label log is given: a final
 * label's inclusion proof, a consistency proof between two tree sizes, and
 * the anchors those proofs rest on.
 *
 * A label's proof (GET /v1/tasks/{id}/proof) is the leaf record exactly as
 * it was hashed, its leaf index, and its RFC 9162 §2.1.3 inclusion path up
 * to the root of the tree at the size of the latest *confirmed* anchor that
 * covers the leaf (tree_size > leaf_index) — the root a verifier finds on
 * chain.  Until an anchor covers the leaf, the proof is taken at the log's
 * current size and has no anchor.  A consistency proof (RFC 9162 §2.1.4)
 * shows that the tree of size `to` extends the tree of size `from`.
 *
 * Both are computed by anchor/merkle.h over the complete nodes stored in
 * merkle_nodes (log_store.h), in O(log n) reads and one round trip for all
 * of them: the computation runs once to learn which nodes it reads (that
 * depends on sizes and indices only), one query fetches them, and it runs
 * again on the real hashes.  The root of an anchored size is checked
 * against the root recorded in the anchor: a log that disagrees with its
 * anchor is an internal error, never a proof.
 *
 * Errors (lc_err.h), with a sentence in `detail` (LC_DETAIL_LEN bytes):
 *   LC_ERR_NOT_FOUND	no such task, or not final
 *   LC_ERR_FORBIDDEN	the task is not in one of account_id's projects
 *   LC_ERR_STATE		final a moment ago, its leaf not yet in the log
 *			(the log sequencer appends in batches): retry shortly
 *   LC_ERR_VALIDATION	consistency sizes out of range
 *   LC_ERR_INTERNAL	log nodes missing, or the log disagrees with an anchor
 *   LC_ERR_DB, LC_ERR_NOMEM
 *
 * Ownership: the caller owns every struct; proof_label_clear() releases
 * what proof_label_get() allocated (NULL and cleared structs are fine) and
 * is done by proof_label_get() itself when it fails.  `db` is borrowed.
 */
#ifndef LC_PROOF_H
#define LC_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "anchor/merkle.h"

struct db;

/* One anchors row as readers see it (sql/0002_anchor.sql). */
struct proof_anchor {
	int64_t	 id;
	uint64_t tree_size;
	uint8_t	 root[MERKLE_HASH_LEN];
	int64_t	 chain_id;
	char	 tx_hash[2 + 2 * MERKLE_HASH_LEN + 1]; /* "0x" + 64 digits */
	int64_t	 block_number;			       /* -1: not mined */
	int64_t	 confirmations;
	char	 status[16]; /* pending, sent, mined, confirmed, failed */
	int64_t	 nonce;
	int64_t	 attempts;
	int64_t	 gas_used; /* -1: no receipt yet */
	int64_t	 reorgs;
};

struct proof_label {
	int64_t		    task_id;
	char		   *leaf; /* the record string hashed; malloc'd */
	uint8_t		    leaf_hash[MERKLE_HASH_LEN];
	uint64_t	    leaf_index;
	uint64_t	    tree_size;
	uint8_t		    path[MERKLE_MAX_PROOF * MERKLE_HASH_LEN];
	size_t		    path_len; /* hashes in path */
	uint8_t		    root[MERKLE_HASH_LEN];
	int		    anchored; /* anchor is meaningful */
	struct proof_anchor anchor;
};

struct proof_consistency {
	uint64_t from, to;
	uint8_t	 from_root[MERKLE_HASH_LEN];
	uint8_t	 to_root[MERKLE_HASH_LEN];
	uint8_t	 proof[MERKLE_MAX_PROOF * MERKLE_HASH_LEN];
	size_t	 proof_len; /* hashes in proof */
};

/* The proof of task_id's final label, for the owner of its project. */
int  proof_label_get(struct db *db, int64_t account_id, int64_t task_id,
     struct proof_label *out, char *detail);
void proof_label_clear(struct proof_label *p);

/*
 * Does p hold together (RFC 9162 §2.1.3.2): its record hashes to leaf_hash,
 * the path folds that hash to root at tree_size, and an anchored proof's
 * root is its anchor's?  0, or LC_ERR_INTERNAL with a sentence in detail
 * (and an error logged: a proof built from the log that fails this means
 * the log is damaged).  Needs no database; proof_label_get() runs it on
 * every proof before returning it.  h is the caller's.
 */
int proof_label_verify(struct merkle_hasher *h, const struct proof_label *p,
    char *detail);

/* The consistency proof between sizes 0 < from <= to <= the log's size. */
int proof_consistency_get(struct db *db, uint64_t from, uint64_t to,
    struct proof_consistency *out, char *detail);

/* The largest confirmed anchor covering leaf_index (tree_size >
 * leaf_index; 0: the largest confirmed anchor): *found is 1 and *out that
 * anchor, or *found is 0. */
int proof_anchor_confirmed(struct db *db, uint64_t leaf_index,
    struct proof_anchor *out, int *found);

/* At most `limit` anchors with an id below `before`, newest first,
 * whatever their status (a page: the next one is before the last id):
 * *out is calloc'd (the caller free()s it, NULL when *n is 0). */
int proof_anchors_list(struct db *db, uint64_t limit, int64_t before,
    struct proof_anchor **out, size_t *n);

#endif
