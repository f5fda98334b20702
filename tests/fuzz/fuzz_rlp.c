/*
 * tests/fuzz/fuzz_rlp.c — the RLP decoder (anchor/rlp.h) on bytes as they
 * come back from the chain: never crash, never read past the input, and
 * every item it accepts is canonical, so decoding it whole (lists
 * recursively) and encoding it again with the encoder gives back exactly
 * the bytes consumed.  rlp_item_uint() must agree with rlp_put_uint().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Re-encode the item at in[0..len) into e.  0 if the item and all items
 * inside it decoded; -1 if some nested item did not (then nothing can be
 * said about the round trip).
 */
static int
reencode(struct rlp_enc *e, const uint8_t *in, size_t len, size_t depth,
    size_t *consumed)
{
	struct rlp_item it;
	size_t		off, used;

	if (rlp_decode_item(in, len, &it, consumed) != 0)
		return -1;
	if (*consumed == 0 || *consumed > len || it.payload < in ||
	    it.payload + it.len != in + *consumed)
		abort();
	if (!it.is_list) {
		rlp_put_bytes(e, it.payload, it.len);
		return 0;
	}
	if (depth >= RLP_MAX_DEPTH)
		return -1;
	rlp_list_begin(e);
	for (off = 0; off < it.len; off += used)
		if (reencode(e, it.payload + off, it.len - off, depth + 1,
			&used) != 0)
			return -1;
	rlp_list_end(e);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rlp_enc	e;
	struct rlp_item it;
	uint8_t	       *out, small[16];
	uint64_t	v;
	size_t		consumed, olen;

	if (rlp_decode_item(data, size, &it, &consumed) != 0)
		return 0;
	if (consumed == 0 || consumed > size)
		abort();

	/* An integer item re-encodes to itself. */
	if (rlp_item_uint(&it, &v) == 0) {
		if (it.is_list || it.len > 8)
			abort();
		rlp_enc_init(&e, small, sizeof(small));
		rlp_put_uint(&e, v);
		if (rlp_enc_finish(&e, &olen) != 0 || olen != consumed ||
		    memcmp(small, data, olen) != 0)
			abort();
	} else if (!it.is_list && it.len <= 8 &&
	    !(it.len > 0 && it.payload[0] == 0))
		abort(); /* a canonical short string must be an integer */

	/* The whole item re-encodes to the consumed bytes. */
	if ((out = malloc(consumed + 16)) == NULL)
		return 0;
	rlp_enc_init(&e, out, consumed + 16);
	if (reencode(&e, data, size, 0, &consumed) == 0) {
		if (rlp_enc_finish(&e, &olen) != 0 || olen != consumed ||
		    memcmp(out, data, olen) != 0)
			abort();
	}
	free(out);
	return 0;
}
