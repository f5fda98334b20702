/*
 * anchor/evm_tx.c — EIP-1559 and EIP-155 transactions, anchor calldata
 * (see evm_tx.h).
 */
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_tx.h"
#include "anchor/keccak.h"
#include "anchor/rlp.h"

/* The nine fields shared by the unsigned and the signed form. */
static void
evm_tx_put_fields(struct rlp_enc *e, const struct evm_tx *tx)
{
	rlp_put_uint(e, tx->chain_id);
	rlp_put_uint(e, tx->nonce);
	rlp_put_uint(e, tx->max_priority_fee_per_gas);
	rlp_put_uint(e, tx->max_fee_per_gas);
	rlp_put_uint(e, tx->gas_limit);
	rlp_put_bytes(e, tx->to, EVM_ADDRESS_LEN);
	rlp_put_uint_be(e, tx->value, sizeof(tx->value));
	rlp_put_bytes(e, tx->data, tx->data_len);
	rlp_list_begin(e); /* access list: empty */
	rlp_list_end(e);
}

static int
evm_tx_check(const struct evm_tx *tx)
{
	if (tx->data_len > EVM_TX_MAX_DATA ||
	    (tx->data == NULL && tx->data_len != 0) ||
	    tx->max_priority_fee_per_gas > tx->max_fee_per_gas)
		return ANCHOR_EINVAL;
	return 0;
}

int
evm_tx_signing_hash(const struct evm_tx *tx, uint8_t hash[EVM_HASH_LEN])
{
	uint8_t	       buf[EVM_TX_RAW_MAX(EVM_TX_MAX_DATA)];
	struct rlp_enc e;
	size_t	       len;
	int	       rc;

	if ((rc = evm_tx_check(tx)) != 0)
		return rc;
	buf[0] = EVM_TX_TYPE_1559;
	rlp_enc_init(&e, buf + 1, sizeof(buf) - 1);
	rlp_list_begin(&e);
	evm_tx_put_fields(&e, tx);
	rlp_list_end(&e);
	if ((rc = rlp_enc_finish(&e, &len)) != 0)
		return rc;
	keccak256(buf, len + 1, hash);
	return 0;
}

int
evm_tx_encode_signed(const struct evm_tx *tx, int y_parity, const uint8_t r[32],
    const uint8_t s[32], uint8_t *raw, size_t cap, size_t *raw_len)
{
	struct rlp_enc e;
	size_t	       len;
	int	       rc;

	*raw_len = 0;
	if ((rc = evm_tx_check(tx)) != 0)
		return rc;
	if (y_parity < 0 || y_parity > 1)
		return ANCHOR_EINVAL;
	if (cap < 1)
		return ANCHOR_ENOSPC;
	raw[0] = EVM_TX_TYPE_1559;
	rlp_enc_init(&e, raw + 1, cap - 1);
	rlp_list_begin(&e);
	evm_tx_put_fields(&e, tx);
	rlp_put_uint(&e, (uint64_t)y_parity);
	rlp_put_uint_be(&e, r, 32);
	rlp_put_uint_be(&e, s, 32);
	rlp_list_end(&e);
	if ((rc = rlp_enc_finish(&e, &len)) != 0)
		return rc;
	*raw_len = len + 1;
	return 0;
}

int
evm_tx_sign(const struct evm_tx *tx, const struct evm_key *key, uint8_t *raw,
    size_t cap, size_t *raw_len, uint8_t tx_hash[EVM_HASH_LEN])
{
	uint8_t digest[EVM_HASH_LEN], r[32], s[32];
	int	y_parity, rc;

	*raw_len = 0;
	if ((rc = evm_tx_signing_hash(tx, digest)) != 0)
		return rc;
	if ((rc = evm_key_sign(key, digest, r, s, &y_parity)) != 0)
		return rc;
	if ((rc = evm_tx_encode_signed(tx, y_parity, r, s, raw, cap,
		 raw_len)) != 0)
		return rc;
	keccak256(raw, *raw_len, tx_hash);
	return 0;
}

static void
evm_legacy_put_head(struct rlp_enc *e, const struct evm_legacy_tx *tx)
{
	rlp_put_uint(e, tx->nonce);
	rlp_put_uint(e, tx->gas_price);
	rlp_put_uint(e, tx->gas_limit);
	rlp_put_bytes(e, tx->to, EVM_ADDRESS_LEN);
	rlp_put_uint_be(e, tx->value, sizeof(tx->value));
	rlp_put_bytes(e, tx->data, tx->data_len);
}

int
evm_legacy_tx_signing_hash(const struct evm_legacy_tx *tx,
    uint8_t					       hash[EVM_HASH_LEN])
{
	uint8_t	       buf[EVM_TX_RAW_MAX(EVM_TX_MAX_DATA)];
	struct rlp_enc e;
	size_t	       len;
	int	       rc;

	if (tx->data_len > EVM_TX_MAX_DATA ||
	    (tx->data == NULL && tx->data_len != 0))
		return ANCHOR_EINVAL;
	rlp_enc_init(&e, buf, sizeof(buf));
	rlp_list_begin(&e);
	evm_legacy_put_head(&e, tx);
	rlp_put_uint(&e, tx->chain_id);
	rlp_put_uint(&e, 0);
	rlp_put_uint(&e, 0);
	rlp_list_end(&e);
	if ((rc = rlp_enc_finish(&e, &len)) != 0)
		return rc;
	keccak256(buf, len, hash);
	return 0;
}

int
evm_legacy_tx_sign(const struct evm_legacy_tx *tx, const struct evm_key *key,
    uint8_t *raw, size_t cap, size_t *raw_len, uint8_t tx_hash[EVM_HASH_LEN])
{
	uint8_t	       digest[EVM_HASH_LEN], r[32], s[32];
	struct rlp_enc e;
	int	       y_parity, rc;

	*raw_len = 0;
	if (tx->chain_id > (UINT64_MAX - 36) / 2)
		return ANCHOR_EINVAL;
	if ((rc = evm_legacy_tx_signing_hash(tx, digest)) != 0)
		return rc;
	if ((rc = evm_key_sign(key, digest, r, s, &y_parity)) != 0)
		return rc;
	rlp_enc_init(&e, raw, cap);
	rlp_list_begin(&e);
	evm_legacy_put_head(&e, tx);
	rlp_put_uint(&e, tx->chain_id * 2 + 35 + (uint64_t)y_parity);
	rlp_put_uint_be(&e, r, 32);
	rlp_put_uint_be(&e, s, 32);
	rlp_list_end(&e);
	if ((rc = rlp_enc_finish(&e, raw_len)) != 0)
		return rc;
	keccak256(raw, *raw_len, tx_hash);
	return 0;
}

void
evm_anchor_calldata_encode(const uint8_t root[32], uint64_t tree_size,
    uint8_t out[EVM_ANCHOR_DATA_LEN])
{
	size_t i;

	out[0] = (uint8_t)(EVM_ANCHOR_MAGIC >> 24);
	out[1] = (uint8_t)(EVM_ANCHOR_MAGIC >> 16);
	out[2] = (uint8_t)(EVM_ANCHOR_MAGIC >> 8);
	out[3] = (uint8_t)EVM_ANCHOR_MAGIC;
	memcpy(out + 4, root, 32);
	for (i = 0; i < 8; i++)
		out[36 + i] = (uint8_t)(tree_size >> (8 * (7 - i)));
}

int
evm_anchor_calldata_decode(const uint8_t *data, size_t len, uint8_t root[32],
    uint64_t *tree_size)
{
	uint64_t v = 0;
	size_t	 i;

	if (data == NULL || len != EVM_ANCHOR_DATA_LEN)
		return ANCHOR_EINVAL;
	if (((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		(uint32_t)data[2] << 8 | data[3]) != EVM_ANCHOR_MAGIC)
		return ANCHOR_EINVAL;
	memcpy(root, data + 4, 32);
	for (i = 0; i < 8; i++)
		v = v << 8 | data[36 + i];
	*tree_size = v;
	return 0;
}
