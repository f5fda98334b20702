/*
 * anchor/evm_key.h — the anchoring account's secp256k1 key.
 *
 * An Ethereum account is a secp256k1 key pair (SEC 2); its address is the
 * last 20 bytes of Keccak-256 of the 64-byte uncompressed public key
 * (Yellow Paper, §7 and Appendix F).  Signatures are libsecp256k1's
 * recoverable ECDSA with RFC 6979 nonces, always in low-s form (EIP-2:
 * s <= n/2), with the recovery id as y_parity 0/1.
 *
 * The secret comes from a file, which must be a regular file (not a
 * symlink) with no group or world permission bits (like ssh's private
 * keys), or from an environment variable's value; either holds 64 hex digits, "0x" optional,
 * surrounding white space ignored.  The secret is never logged, never
 * returned, and wiped (explicit_bzero) from every buffer it passed through
 * and from the key object when it is freed.
 *
 * Ownership: evm_key_from_*() allocate the key; evm_key_free() wipes and
 * releases it (NULL is a no-op).  A key may sign from one thread at a
 * time.
 */
#ifndef ANCHOR_EVM_KEY_H
#define ANCHOR_EVM_KEY_H

#include <stddef.h>
#include <stdint.h>

#define EVM_ADDRESS_LEN 20
#define EVM_ADDRESS_HEX_LEN 43 /* "0x" + 40 digits + NUL */
#define EVM_KEY_FILE_MAX 256   /* bytes read from a key file */

struct evm_key;

/* From 64 hex digits (with optional "0x" and white space around).
 * ANCHOR_EKEY if malformed or not a valid secp256k1 secret. */
int evm_key_from_hex(const char *hex, size_t len, struct evm_key **out);

/* From a file; ANCHOR_EKEY if unreadable, not a regular file, readable
 * or writable by group or others, or malformed. */
int evm_key_from_file(const char *path, struct evm_key **out);

/* From the value of environment variable name; ANCHOR_EKEY if unset. */
int evm_key_from_env(const char *name, struct evm_key **out);

void evm_key_free(struct evm_key *key);

/* The account address of key. */
void
evm_key_address(const struct evm_key *key, uint8_t address[EVM_ADDRESS_LEN]);

/*
 * Sign a 32-byte digest: r and s big-endian, *y_parity 0 or 1, s low.
 * 0 or ANCHOR_ECRYPTO.
 */
int evm_key_sign(const struct evm_key *key, const uint8_t digest[32],
    uint8_t r[32], uint8_t s[32], int *y_parity);

/*
 * The address that signed digest with (r, s, y_parity), by public key
 * recovery.  ANCHOR_EVERIFY if the signature is invalid or high-s.
 */
int evm_recover_address(const uint8_t digest[32], const uint8_t r[32],
    const uint8_t s[32], int y_parity, uint8_t address[EVM_ADDRESS_LEN]);

/* Address as EIP-55 mixed-case checksummed hex, "0x…" (outsz >= 43). */
int evm_address_to_hex(const uint8_t address[EVM_ADDRESS_LEN], char *out,
    size_t outsz);

/* Parse "0x" + 40 hex digits.  An all-lower or all-upper address is taken
 * as is; a mixed-case one must carry a valid EIP-55 checksum.
 * ANCHOR_EINVAL otherwise. */
int evm_address_from_hex(const char *s, uint8_t address[EVM_ADDRESS_LEN]);

#endif /* ANCHOR_EVM_KEY_H */
