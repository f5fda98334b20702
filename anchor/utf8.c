/*
 * anchor/utf8.c — well-formed UTF-8 (utf8.h), after the table of RFC 3629
 * §4: the second byte's range depends on the first.
 */
#include "anchor/utf8.h"

static int
utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return avail >= 2 && utf8_cont(s[1]) ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (avail < 3 || !utf8_cont(s[1]) || !utf8_cont(s[2]))
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (avail < 4 || !utf8_cont(s[1]) || !utf8_cont(s[2]) ||
		    !utf8_cont(s[3]))
			return 0;
		if (s[0] == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (s[0] == 0xf4 && s[1] >= 0x90)
			return 0; /* beyond U+10FFFF */
		return 4;
	}
	return 0; /* a continuation byte, 0xc0, 0xc1 or 0xf5 and up */
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     n;

	while (len > 0) {
		if ((n = utf8_seq_len(p, len)) == 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}
