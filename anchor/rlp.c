/*
 * anchor/rlp.c — RLP encoder and strict decoder (see rlp.h).
 */
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/rlp.h"

void
rlp_enc_init(struct rlp_enc *e, uint8_t *buf, size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = cap;
}

static size_t
rlp_be_len(uint64_t v)
{
	size_t n = 0;

	while (v != 0) {
		n++;
		v >>= 8;
	}
	return n;
}

/* Write the header for a payload of len bytes at dst (room for 9). */
static size_t
rlp_header(uint8_t *dst, uint8_t short_base, uint8_t long_base, uint64_t len)
{
	size_t n, i;

	if (len <= 55) {
		dst[0] = (uint8_t)(short_base + len);
		return 1;
	}
	n = rlp_be_len(len);
	dst[0] = (uint8_t)(long_base + n);
	for (i = 0; i < n; i++)
		dst[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 1 + n;
}

static void
rlp_write(struct rlp_enc *e, const void *p, size_t n)
{
	if (e->err != 0)
		return;
	if (e->cap - e->len < n) {
		e->err = ANCHOR_ENOSPC;
		return;
	}
	if (n > 0)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

void
rlp_put_bytes(struct rlp_enc *e, const void *p, size_t n)
{
	uint8_t hdr[9];
	size_t	hl;

	if (n == 1 && *(const uint8_t *)p < 0x80) {
		rlp_write(e, p, 1);
		return;
	}
	hl = rlp_header(hdr, 0x80, 0xb7, n);
	rlp_write(e, hdr, hl);
	rlp_write(e, p, n);
}

void
rlp_put_uint_be(struct rlp_enc *e, const uint8_t *be, size_t n)
{
	while (n > 0 && be[0] == 0) {
		be++;
		n--;
	}
	rlp_put_bytes(e, be, n);
}

void
rlp_put_uint(struct rlp_enc *e, uint64_t v)
{
	uint8_t be[8];
	size_t	i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(v >> (8 * (7 - i)));
	rlp_put_uint_be(e, be, sizeof(be));
}

void
rlp_list_begin(struct rlp_enc *e)
{
	if (e->err != 0)
		return;
	if (e->depth >= RLP_MAX_DEPTH) {
		e->err = ANCHOR_EINVAL;
		return;
	}
	e->open[e->depth++] = e->len;
}

void
rlp_list_end(struct rlp_enc *e)
{
	uint8_t hdr[9];
	size_t	start, plen, hl;

	if (e->err != 0)
		return;
	if (e->depth == 0) {
		e->err = ANCHOR_EINVAL;
		return;
	}
	start = e->open[--e->depth];
	plen = e->len - start;
	hl = rlp_header(hdr, 0xc0, 0xf7, plen);
	if (e->cap - e->len < hl) {
		e->err = ANCHOR_ENOSPC;
		return;
	}
	memmove(e->buf + start + hl, e->buf + start, plen);
	memcpy(e->buf + start, hdr, hl);
	e->len += hl;
}

int
rlp_enc_finish(struct rlp_enc *e, size_t *len)
{
	*len = 0;
	if (e->err != 0)
		return e->err;
	if (e->depth != 0)
		return ANCHOR_EINVAL;
	*len = e->len;
	return 0;
}

int
rlp_decode_item(const uint8_t *in, size_t inlen, struct rlp_item *item,
    size_t *consumed)
{
	uint64_t len = 0;
	size_t	 hl = 1, ll, i;
	uint8_t	 b;

	*consumed = 0;
	if (inlen == 0)
		return ANCHOR_EINVAL;
	b = in[0];
	item->is_list = b >= 0xc0;
	if (b < 0x80) {
		item->payload = in;
		item->len = 1;
		*consumed = 1;
		return 0;
	}
	if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
		len = b - (b <= 0xb7 ? 0x80 : 0xc0);
	} else {
		ll = b - (b <= 0xbf ? 0xb7 : 0xf7);
		if (inlen < 1 + ll || in[1] == 0)
			return ANCHOR_EINVAL; /* truncated, leading zero */
		for (i = 0; i < ll; i++)
			len = len << 8 | in[1 + i];
		if (len <= 55)
			return ANCHOR_EINVAL; /* should have been short */
		hl = 1 + ll;
	}
	if (len > inlen - hl)
		return ANCHOR_EINVAL;
	/* A single byte below 0x80 must encode as itself. */
	if (b == 0x81 && in[1] < 0x80)
		return ANCHOR_EINVAL;
	item->payload = in + hl;
	item->len = (size_t)len;
	*consumed = hl + (size_t)len;
	return 0;
}

int
rlp_item_uint(const struct rlp_item *item, uint64_t *v)
{
	uint64_t r = 0;
	size_t	 i;

	if (item->is_list || item->len > 8 ||
	    (item->len > 0 && item->payload[0] == 0))
		return ANCHOR_EINVAL;
	for (i = 0; i < item->len; i++)
		r = r << 8 | item->payload[i];
	*v = r;
	return 0;
}
