/*
 * anchor/keccak.c — Keccak-256 sponge on nettle's Keccak-f[1600]
 * (see keccak.h).
 */
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/keccak.h"

static uint64_t
keccak_load64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static void
keccak_absorb(struct keccak256_ctx *ctx, const uint8_t *block)
{
	size_t i;

	for (i = 0; i < KECCAK256_RATE / 8; i++)
		ctx->state.a[i] ^= keccak_load64(block + 8 * i);
	nettle_sha3_permute(&ctx->state);
}

void
keccak256_init(struct keccak256_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void
keccak256_update(struct keccak256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t	       n;

	if (ctx->fill > 0) {
		n = KECCAK256_RATE - ctx->fill;
		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->fill, p, n);
		ctx->fill += n;
		p += n;
		len -= n;
		if (ctx->fill < KECCAK256_RATE)
			return;
		keccak_absorb(ctx, ctx->block);
		ctx->fill = 0;
	}
	while (len >= KECCAK256_RATE) {
		keccak_absorb(ctx, p);
		p += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}
	if (len > 0) {
		memcpy(ctx->block, p, len);
		ctx->fill = len;
	}
}

void
keccak256_final(struct keccak256_ctx *ctx, uint8_t out[KECCAK256_LEN])
{
	uint64_t lane;
	size_t	 i, j;

	/* pad10*1 with Keccak's domain bit: 0x01 ... 0x80 (one byte 0x81
	 * when only one byte of the block is left). */
	memset(ctx->block + ctx->fill, 0, KECCAK256_RATE - ctx->fill);
	ctx->block[ctx->fill] ^= 0x01;
	ctx->block[KECCAK256_RATE - 1] ^= 0x80;
	keccak_absorb(ctx, ctx->block);
	for (i = 0; i < KECCAK256_LEN / 8; i++) {
		lane = ctx->state.a[i];
		for (j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(lane >> (8 * j));
	}
	memset(ctx, 0, sizeof(*ctx));
}

void
keccak256(const void *data, size_t len, uint8_t out[KECCAK256_LEN])
{
	struct keccak256_ctx ctx;

	keccak256_init(&ctx);
	keccak256_update(&ctx, data, len);
	keccak256_final(&ctx, out);
}

int
keccak256_selftest(void)
{
	static const uint8_t empty[KECCAK256_LEN] = { 0xc5, 0xd2, 0x46, 0x01,
		0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7,
		0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b,
		0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70 };
	static const uint8_t abc[KECCAK256_LEN] = { 0x4e, 0x03, 0x65, 0x7a,
		0xea, 0x45, 0xa9, 0x4f, 0xc7, 0xd4, 0x7b, 0xa8, 0x26, 0xc8,
		0xd6, 0x67, 0xc0, 0xd1, 0xe6, 0xe3, 0x3a, 0x64, 0xa0, 0x36,
		0xec, 0x44, 0xf5, 0x8f, 0xa1, 0x2d, 0x6c, 0x45 };
	uint8_t		     out[KECCAK256_LEN];

	keccak256("", 0, out);
	if (memcmp(out, empty, sizeof(out)) != 0)
		return ANCHOR_ECRYPTO;
	keccak256("abc", 3, out);
	if (memcmp(out, abc, sizeof(out)) != 0)
		return ANCHOR_ECRYPTO;
	return 0;
}
