/*
 * anchor/hex.c — hex byte strings and Ethereum quantities (see hex.h).
 */
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"

static const char hex_digits[] = "0123456789abcdef";

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
hex_skip_prefix(const char **s, size_t *len)
{
	if (*len >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
		*s += 2;
		*len -= 2;
	}
}

int
anchor_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	size_t i;

	if (len > (SIZE_MAX - 1) / 2 || outsz < 2 * len + 1)
		return ANCHOR_ENOSPC;
	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 0;
}

int
anchor_hex_decode_var(const char *s, size_t inlen, uint8_t *out, size_t outcap,
    size_t *outlen)
{
	size_t i;
	int    hi, lo;

	hex_skip_prefix(&s, &inlen);
	if (inlen % 2 != 0)
		return ANCHOR_EINVAL;
	if (inlen / 2 > outcap)
		return ANCHOR_ENOSPC;
	for (i = 0; i < inlen / 2; i++) {
		hi = hex_nibble(s[2 * i]);
		lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ANCHOR_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = inlen / 2;
	return 0;
}

int
anchor_hex_decode(const char *s, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t n;
	int    rc;

	/* The length is checked after the prefix, so strip it only once:
	 * anchor_hex_decode_var() would otherwise take "0x0x…" as valid. */
	hex_skip_prefix(&s, &inlen);
	if (inlen != 2 * outlen)
		return ANCHOR_EINVAL;
	if (inlen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return ANCHOR_EINVAL;
	if ((rc = anchor_hex_decode_var(s, inlen, out, outlen, &n)) != 0)
		return rc;
	return n == outlen ? 0 : ANCHOR_EINVAL;
}

int
anchor_hex_is_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len % 2 != 0)
		return 0;
	for (i = 0; i < len; i++)
		if (hex_nibble(s[i]) < 0)
			return 0;
	return 1;
}

int
anchor_hex_quantity_parse(const char *s, uint64_t *out)
{
	size_t	 len, i;
	uint64_t v = 0;
	int	 d;

	if (s == NULL || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return ANCHOR_EINVAL;
	s += 2;
	len = strlen(s);
	if (len == 0 || len > 16 || (len > 1 && s[0] == '0'))
		return ANCHOR_EINVAL;
	for (i = 0; i < len; i++) {
		if ((d = hex_nibble(s[i])) < 0)
			return ANCHOR_EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

int
anchor_hex_quantity_format(uint64_t v, char *out, size_t outsz)
{
	char   tmp[16];
	size_t n = 0, i;

	do {
		tmp[n++] = hex_digits[v & 0x0f];
		v >>= 4;
	} while (v != 0);
	if (outsz < n + 3)
		return ANCHOR_ENOSPC;
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < n; i++)
		out[2 + i] = tmp[n - 1 - i];
	out[2 + n] = '\0';
	return 0;
}
