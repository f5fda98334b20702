/*
 * anchor/evm_key.c — secp256k1 account key (see evm_key.h).
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_key.h"
#include "anchor/hex.h"
#include "anchor/keccak.h"

struct evm_key {
	uint8_t		   secret[32];
	uint8_t		   address[EVM_ADDRESS_LEN];
	secp256k1_context *ctx;
};

/* n/2 of secp256k1, big-endian: the largest low s (EIP-2). */
static const uint8_t evm_half_order[32] = { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57,
	0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b,
	0x20, 0xa0 };

static int
evm_pubkey_address(const secp256k1_context *ctx, const secp256k1_pubkey *pk,
    uint8_t address[EVM_ADDRESS_LEN])
{
	uint8_t ser[65], digest[KECCAK256_LEN];
	size_t	len = sizeof(ser);

	if (secp256k1_ec_pubkey_serialize(ctx, ser, &len, pk,
		SECP256K1_EC_UNCOMPRESSED) != 1 ||
	    len != 65)
		return ANCHOR_ECRYPTO;
	keccak256(ser + 1, 64, digest);
	memcpy(address, digest + 12, EVM_ADDRESS_LEN);
	return 0;
}

void
evm_key_free(struct evm_key *key)
{
	if (key == NULL)
		return;
	if (key->ctx != NULL)
		secp256k1_context_destroy(key->ctx);
	explicit_bzero(key, sizeof(*key));
	free(key);
}

int
evm_key_from_hex(const char *hex, size_t len, struct evm_key **out)
{
	struct evm_key	*key = NULL;
	secp256k1_pubkey pk;
	uint8_t		 seed[32];
	int		 rc = ANCHOR_EKEY;

	*out = NULL;
	if (hex == NULL)
		return ANCHOR_EKEY;
	while (len > 0 && isspace((unsigned char)hex[0])) {
		hex++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)hex[len - 1]))
		len--;
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return ANCHOR_ENOMEM;
	if (anchor_hex_decode(hex, len, key->secret, sizeof(key->secret)) != 0)
		goto fail;
	rc = ANCHOR_ECRYPTO;
	if ((key->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) ==
	    NULL)
		goto fail;
	/* Blinding against side channels, as libsecp256k1 recommends. */
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed) ||
	    secp256k1_context_randomize(key->ctx, seed) != 1)
		goto fail;
	rc = ANCHOR_EKEY;
	if (secp256k1_ec_seckey_verify(key->ctx, key->secret) != 1 ||
	    secp256k1_ec_pubkey_create(key->ctx, &pk, key->secret) != 1)
		goto fail;
	if ((rc = evm_pubkey_address(key->ctx, &pk, key->address)) != 0)
		goto fail;
	explicit_bzero(seed, sizeof(seed));
	*out = key;
	return 0;
fail:
	explicit_bzero(seed, sizeof(seed));
	evm_key_free(key);
	return rc;
}

int
evm_key_from_file(const char *path, struct evm_key **out)
{
	char	    buf[EVM_KEY_FILE_MAX];
	struct stat st;
	ssize_t	    n;
	size_t	    len = 0;
	int	    fd, rc = ANCHOR_EKEY;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return ANCHOR_EKEY;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		goto done;
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto done;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf))
			goto done; /* far too long for a key */
	}
	rc = evm_key_from_hex(buf, len, out);
done:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int
evm_key_from_env(const char *name, struct evm_key **out)
{
	const char *v;

	*out = NULL;
	if ((v = getenv(name)) == NULL)
		return ANCHOR_EKEY;
	return evm_key_from_hex(v, strlen(v), out);
}

void
evm_key_address(const struct evm_key *key, uint8_t address[EVM_ADDRESS_LEN])
{
	memcpy(address, key->address, EVM_ADDRESS_LEN);
}

int
evm_key_sign(const struct evm_key *key, const uint8_t digest[32], uint8_t r[32],
    uint8_t s[32], int *y_parity)
{
	secp256k1_ecdsa_recoverable_signature sig;
	uint8_t				      compact[64];
	int				      recid = -1;

	/* NULL nonce function: RFC 6979, deterministic like every wallet. */
	if (secp256k1_ecdsa_sign_recoverable(key->ctx, &sig, digest,
		key->secret, NULL, NULL) != 1)
		return ANCHOR_ECRYPTO;
	if (secp256k1_ecdsa_recoverable_signature_serialize_compact(key->ctx,
		compact, &recid, &sig) != 1)
		return ANCHOR_ECRYPTO;
	/* libsecp256k1 only produces low s, and so recid 0 or 1 in
	 * practice; anything else is refused rather than sent. */
	if (recid < 0 || recid > 1 ||
	    memcmp(compact + 32, evm_half_order, 32) > 0)
		return ANCHOR_ECRYPTO;
	memcpy(r, compact, 32);
	memcpy(s, compact + 32, 32);
	*y_parity = recid;
	return 0;
}

int
evm_recover_address(const uint8_t digest[32], const uint8_t r[32],
    const uint8_t s[32], int y_parity, uint8_t address[EVM_ADDRESS_LEN])
{
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey		      pk;
	uint8_t				      compact[64];

	if (y_parity < 0 || y_parity > 1 || memcmp(s, evm_half_order, 32) > 0)
		return ANCHOR_EVERIFY;
	memcpy(compact, r, 32);
	memcpy(compact + 32, s, 32);
	if (secp256k1_ecdsa_recoverable_signature_parse_compact(
		secp256k1_context_static, &sig, compact, y_parity) != 1 ||
	    secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &sig,
		digest) != 1)
		return ANCHOR_EVERIFY;
	return evm_pubkey_address(secp256k1_context_static, &pk, address) == 0
	    ? 0
	    : ANCHOR_EVERIFY;
}

int
evm_address_to_hex(const uint8_t address[EVM_ADDRESS_LEN], char *out,
    size_t outsz)
{
	uint8_t digest[KECCAK256_LEN];
	char	lower[2 * EVM_ADDRESS_LEN + 1];
	size_t	i;
	int	nib;

	if (outsz < EVM_ADDRESS_HEX_LEN)
		return ANCHOR_ENOSPC;
	anchor_hex_encode(address, EVM_ADDRESS_LEN, lower, sizeof(lower));
	/* EIP-55: upper-case the letters whose nibble of
	 * keccak(lower-case hex) is >= 8. */
	keccak256(lower, 2 * EVM_ADDRESS_LEN, digest);
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < 2 * EVM_ADDRESS_LEN; i++) {
		nib = (i % 2 == 0) ? digest[i / 2] >> 4 : digest[i / 2] & 0x0f;
		out[2 + i] = (char)(nib >= 8 ? toupper((unsigned char)lower[i])
					     : lower[i]);
	}
	out[2 + 2 * EVM_ADDRESS_LEN] = '\0';
	return 0;
}

int
evm_address_from_hex(const char *s, uint8_t address[EVM_ADDRESS_LEN])
{
	char   check[EVM_ADDRESS_HEX_LEN];
	int    upper = 0, lower = 0;
	size_t i;

	if (s == NULL || strlen(s) != EVM_ADDRESS_HEX_LEN - 1 || s[0] != '0' ||
	    (s[1] != 'x' && s[1] != 'X'))
		return ANCHOR_EINVAL;
	if (anchor_hex_decode(s + 2, 2 * EVM_ADDRESS_LEN, address,
		EVM_ADDRESS_LEN) != 0)
		return ANCHOR_EINVAL;
	for (i = 2; s[i] != '\0'; i++) {
		upper |= s[i] >= 'A' && s[i] <= 'F';
		lower |= s[i] >= 'a' && s[i] <= 'f';
	}
	if (upper && lower) {
		evm_address_to_hex(address, check, sizeof(check));
		if (strcmp(check + 2, s + 2) != 0)
			return ANCHOR_EINVAL;
	}
	return 0;
}
