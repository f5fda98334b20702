/*
 * anchor/rlp.h — Recursive Length Prefix, Ethereum's serialisation.
 *
 * Ethereum Yellow Paper, Appendix B.  An item is a byte string or a list
 * of items:
 *
 *	one byte < 0x80			the byte itself
 *	string of 0..55 bytes		0x80 + len, bytes
 *	longer string			0xb7 + len(len), len big-endian, bytes
 *	list, payload 0..55 bytes	0xc0 + len, payload
 *	longer list			0xf7 + len(len), len big-endian, payload
 *
 * Integers are big-endian byte strings without leading zeros (0 is the
 * empty string, 0x80).  The encoder writes into the caller's buffer with a
 * sticky error: calls after a failure do nothing, rlp_enc_finish() reports
 * it.  Lists are closed by moving their payload right by the header size.
 * The decoder reads one item and insists on the canonical form, as
 * consensus code does.  Pure: no I/O, no allocation.
 */
#ifndef ANCHOR_RLP_H
#define ANCHOR_RLP_H

#include <stddef.h>
#include <stdint.h>

#define RLP_MAX_DEPTH 16 /* nested open lists */

struct rlp_enc {
	uint8_t *buf;
	size_t	 cap;
	size_t	 len;
	int	 err; /* first error, 0 if none */
	size_t	 depth;
	size_t	 open[RLP_MAX_DEPTH]; /* payload start of each open list */
};

void rlp_enc_init(struct rlp_enc *e, uint8_t *buf, size_t cap);
/* A byte string. */
void rlp_put_bytes(struct rlp_enc *e, const void *p, size_t n);
/* An unsigned integer. */
void rlp_put_uint(struct rlp_enc *e, uint64_t v);
/* A big-endian unsigned integer of n bytes (e.g. a uint256); leading zeros
 * are dropped. */
void rlp_put_uint_be(struct rlp_enc *e, const uint8_t *be, size_t n);
void rlp_list_begin(struct rlp_enc *e);
void rlp_list_end(struct rlp_enc *e);
/* 0 and the encoded length, or ANCHOR_ENOSPC / ANCHOR_EINVAL (open lists,
 * too deep). */
int rlp_enc_finish(struct rlp_enc *e, size_t *len);

struct rlp_item {
	int	       is_list;
	const uint8_t *payload; /* points into the input */
	size_t	       len;	/* payload length */
};

/*
 * Decode the item at the start of in[0..inlen): *consumed is its full
 * encoded length (items of a list payload are read by calling again on the
 * rest).  ANCHOR_EINVAL if truncated or not canonical.
 */
int rlp_decode_item(const uint8_t *in, size_t inlen, struct rlp_item *item,
    size_t *consumed);

/* A string item as an unsigned integer of at most 8 bytes, canonical (no
 * leading zero).  ANCHOR_EINVAL otherwise. */
int rlp_item_uint(const struct rlp_item *item, uint64_t *v);

#endif /* ANCHOR_RLP_H */
