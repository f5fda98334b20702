/*
 * anchor/evm_tx.h — signed Ethereum transactions and the anchor payload.
 *
 * EIP-1559 (EIP-2718 type 0x02) transaction:
 *
 *	unsigned = 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas,
 *		   max_fee_per_gas, gas_limit, to, value, data, access_list])
 *	signed   = 0x02 || rlp([... the same nine ..., y_parity, r, s])
 *	tx hash  = keccak256(signed)
 *
 * signed over keccak256(unsigned); every integer (r and s too) without
 * leading zeros, y_parity 0 or 1 (not 27/28), s low (EIP-2).  The access
 * list is always empty here.
 *
 * The legacy EIP-155 form is kept as a cross-check of RLP, Keccak and
 * secp256k1 against the worked example of EIP-155:
 *
 *	signing hash = keccak256(rlp([nonce, gas_price, gas, to, value, data,
 *		       chain_id, 0, 0]))
 *	signed	     = rlp([nonce, gas_price, gas, to, value, data,
 *		       chain_id * 2 + 35 + y_parity, r, s])
 *
 * The anchor payload (DESIGN.md): data = 0x6c630001 ("lc", version 1) ||
 * root (32 bytes) || tree size (8 bytes, big-endian) = 44 bytes.
 *
 * Pure apart from the key's signing; the caller supplies every buffer:
 * EVM_TX_RAW_MAX(data_len) bytes always hold a signed transaction.
 */
#ifndef ANCHOR_EVM_TX_H
#define ANCHOR_EVM_TX_H

#include <stddef.h>
#include <stdint.h>

#include "anchor/evm_key.h"

#define EVM_TX_TYPE_1559 0x02
#define EVM_TX_MAX_DATA 4096 /* calldata bytes accepted (on the stack) */
#define EVM_TX_RAW_MAX(data_len) ((data_len) + 256)
#define EVM_HASH_LEN 32

struct evm_tx {
	uint64_t       chain_id;
	uint64_t       nonce;
	uint64_t       max_priority_fee_per_gas; /* wei */
	uint64_t       max_fee_per_gas;		 /* wei */
	uint64_t       gas_limit;
	uint8_t	       to[EVM_ADDRESS_LEN];
	uint8_t	       value[32]; /* wei, big-endian uint256 */
	const uint8_t *data;	  /* borrowed */
	size_t	       data_len;
};

/* keccak256 of the unsigned type-2 payload. 0 or ANCHOR_EINVAL. */
int evm_tx_signing_hash(const struct evm_tx *tx, uint8_t hash[EVM_HASH_LEN]);

/*
 * The signed type-2 encoding with a given signature into raw[0..cap);
 * *raw_len gets its length.  0, ANCHOR_EINVAL or ANCHOR_ENOSPC.
 */
int
evm_tx_encode_signed(const struct evm_tx *tx, int y_parity, const uint8_t r[32],
    const uint8_t s[32], uint8_t *raw, size_t cap, size_t *raw_len);

/*
 * Sign tx with key: raw gets the transaction to pass to
 * eth_sendRawTransaction, tx_hash its hash (what the node will report).
 * Store raw before sending it: resending the same bytes is idempotent.
 */
int evm_tx_sign(const struct evm_tx *tx, const struct evm_key *key,
    uint8_t *raw, size_t cap, size_t *raw_len, uint8_t tx_hash[EVM_HASH_LEN]);

struct evm_legacy_tx {
	uint64_t       nonce;
	uint64_t       gas_price;
	uint64_t       gas_limit;
	uint8_t	       to[EVM_ADDRESS_LEN];
	uint8_t	       value[32];
	const uint8_t *data;
	size_t	       data_len;
	uint64_t       chain_id; /* EIP-155 replay protection */
};

int evm_legacy_tx_signing_hash(const struct evm_legacy_tx *tx,
    uint8_t						   hash[EVM_HASH_LEN]);
int
evm_legacy_tx_sign(const struct evm_legacy_tx *tx, const struct evm_key *key,
    uint8_t *raw, size_t cap, size_t *raw_len, uint8_t tx_hash[EVM_HASH_LEN]);

#define EVM_ANCHOR_MAGIC 0x6c630001u
#define EVM_ANCHOR_DATA_LEN 44

/* out = magic || root || size (big-endian). */
void evm_anchor_calldata_encode(const uint8_t root[32], uint64_t tree_size,
    uint8_t out[EVM_ANCHOR_DATA_LEN]);

/* Inverse; ANCHOR_EINVAL unless data is exactly 44 bytes with the
 * magic. */
int evm_anchor_calldata_decode(const uint8_t *data, size_t len,
    uint8_t root[32], uint64_t *tree_size);

#endif /* ANCHOR_EVM_TX_H */
