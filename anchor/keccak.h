/*
 * anchor/keccak.h — Keccak-256, the hash of Ethereum.
 *
 * Ethereum hashes with the original Keccak submission (rate 1088 bits,
 * capacity 512, multi-rate padding pad10*1 with domain byte 0x01), not with
 * FIPS 202 SHA3-256, which pads with 0x06: same permutation, different
 * digests.  OpenSSL 3.0 ships only SHA3, so this is a sponge of our own on
 * the Keccak-f[1600] permutation that nettle exports (nettle_sha3_permute,
 * nettle/sha3.h).  Lanes are little-endian 64-bit words (Keccak reference,
 * "The Keccak reference", §1.1 and §5.1).
 *
 * keccak256_selftest() checks the known vectors; call it once at start-up.
 * Pure: no I/O, no allocation.
 */
#ifndef ANCHOR_KECCAK_H
#define ANCHOR_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha3.h>

#define KECCAK256_LEN 32
#define KECCAK256_RATE 136 /* bytes absorbed per permutation */

struct keccak256_ctx {
	struct sha3_state state;
	uint8_t		  block[KECCAK256_RATE];
	size_t		  fill;
};

void keccak256_init(struct keccak256_ctx *ctx);
void keccak256_update(struct keccak256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void keccak256_final(struct keccak256_ctx *ctx, uint8_t out[KECCAK256_LEN]);

/* One-shot digest of data[0..len). */
void keccak256(const void *data, size_t len, uint8_t out[KECCAK256_LEN]);

/* 0 if the implementation reproduces the known vectors, else
 * ANCHOR_ECRYPTO. */
int keccak256_selftest(void);

#endif /* ANCHOR_KECCAK_H */
