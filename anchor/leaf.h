/*
 * anchor/leaf.h — the canonical leaf record of the label log.
 *
 * Each final label enters the Merkle log (merkle.h) as the leaf hash of one
 * record, a JSON object whose bytes must be reproducible by anyone who
 * holds the same facts, so its form is fixed (DESIGN.md, "The Merkle log
 * and the anchor"):
 *
 *   {"v":1,"project":P,"task":T,"data_sha256":"…","label":"…",
 *    "confidence_bp":N,"votes":[{"key":"…","label":"…","sig":"…"}],
 *    "finalized_at":"…Z"}
 *
 * on one line: keys in exactly this order, no white space, P, T and N
 * decimal integers, votes sorted by key (byte order of the lower-case hex),
 * every hex field in lower case, strings escaped as RFC 8785 (JCS) §3.2.2.2
 * does — \" \\ \b \f \n \r \t, other controls as \u00xx, everything else,
 * including non-ASCII UTF-8, verbatim.
 *
 * The builder validates what it is given (hex fields, UTF-8, confidence in
 * 0..10000, the "…Z" time stamp, unique vote keys) and never reads the
 * clock: the caller passes finalized_at.  Pure: no I/O; the input is
 * borrowed, never kept.
 */
#ifndef ANCHOR_LEAF_H
#define ANCHOR_LEAF_H

#include <stddef.h>
#include <stdint.h>

#define LEAF_VERSION 1
#define LEAF_MAX_VOTES 256   /* votes in one record */
#define LEAF_MAX_STRING 1024 /* bytes of one label / hex field */
#define LEAF_MAX_BP 10000    /* confidence_bp is 0 .. 10000 */

struct leaf_vote {
	const char *key;   /* voter's public key, hex */
	const char *label; /* the label voted for, UTF-8 */
	const char *sig;   /* the vote signature, hex */
};

struct leaf_record {
	int64_t			project;       /* >= 0 */
	int64_t			task;	       /* >= 0 */
	const char	       *data_sha256;   /* 64 hex digits */
	const char	       *label;	       /* the final label, UTF-8 */
	uint32_t		confidence_bp; /* 0 .. LEAF_MAX_BP */
	const struct leaf_vote *votes;	       /* any order; sorted on output */
	size_t			n_votes;       /* <= LEAF_MAX_VOTES */
	const char *finalized_at; /* "YYYY-MM-DDTHH:MM:SS[.f…]Z" */
};

/*
 * Write the record into buf (cap bytes) with a terminating NUL; *len gets
 * its length without the NUL.  When cap is too small, returns
 * ANCHOR_ENOSPC and *len is the length needed (without the NUL), so a
 * caller may retry with *len + 1 bytes.  ANCHOR_EINVAL for invalid input.
 */
int leaf_record_json(const struct leaf_record *r, char *buf, size_t cap,
    size_t *len);

/*
 * As leaf_record_json() into a malloc'ed string that the caller frees
 * with free().  0, ANCHOR_EINVAL or ANCHOR_ENOMEM.
 */
int
leaf_record_json_alloc(const struct leaf_record *r, char **out, size_t *len);

#endif /* ANCHOR_LEAF_H */
