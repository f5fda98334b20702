/*
 * anchor/hex.h — hexadecimal encodings used by the log and the chain client.
 *
 * Two encodings meet here.  Byte strings (hashes, keys, signatures,
 * calldata) are lower-case hex, an even number of digits, optionally with a
 * "0x" prefix on input.  Ethereum JSON-RPC "quantities" (Ethereum JSON-RPC
 * specification, "hex value encoding") are "0x" followed by the shortest
 * hex form of an unsigned integer: "0x0", "0x1a", never "0x01a".
 *
 * Pure: no I/O, no allocation; every output buffer comes with its size.
 */
#ifndef ANCHOR_HEX_H
#define ANCHOR_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write 2*len lower-case digits and a NUL to out (outsz >= 2*len + 1).
 * Returns 0 or ANCHOR_ENOSPC.
 */
int anchor_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz);

/*
 * Decode exactly outlen bytes from the hex string s of inlen characters
 * (an optional "0x"/"0X" prefix is skipped; either case is accepted).
 * Returns 0, or ANCHOR_EINVAL if s has another length or a non-hex digit.
 */
int anchor_hex_decode(const char *s, size_t inlen, uint8_t *out, size_t outlen);

/*
 * Decode a hex string of any even length (optional "0x") into out, of
 * capacity outcap; *outlen receives the byte count.  Returns 0,
 * ANCHOR_EINVAL or ANCHOR_ENOSPC.
 */
int anchor_hex_decode_var(const char *s, size_t inlen, uint8_t *out,
    size_t outcap, size_t *outlen);

/* 1 if s[0..len) is a non-empty run of hex digits of even length. */
int anchor_hex_is_valid(const char *s, size_t len);

/*
 * Parse an Ethereum quantity ("0x" + 1..16 hex digits, no leading zero
 * except "0x0") into *out.  Returns 0 or ANCHOR_EINVAL.
 */
int anchor_hex_quantity_parse(const char *s, uint64_t *out);

/*
 * Format v as an Ethereum quantity into out (outsz >= 19 always suffices).
 * Returns 0 or ANCHOR_ENOSPC.
 */
int anchor_hex_quantity_format(uint64_t v, char *out, size_t outsz);

#endif /* ANCHOR_HEX_H */
