/*
 * tests/unit/test_utf8.c — well-formed UTF-8 (anchor/utf8.h), checked
 * against RFC 3629 §4's table byte by byte.
 */
#include <check.h>
#include <string.h>

#include "anchor/utf8.h"

START_TEST(utf8_good_and_bad)
{
	static const char *good[] = { "", "plain ascii", "caf\xc3\xa9",
		"\xe2\x82\xac", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
		"\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80" };
	static const char *bad[] = {
		"\x80",		    /* a lone continuation */
		"\xc0\xaf",	    /* overlong '/' */
		"\xc1\xbf",	    /* overlong */
		"\xc3\x28",	    /* continuation missing */
		"\xe0\x9f\xbf",	    /* overlong, 3 bytes */
		"\xed\xa0\x80",	    /* U+D800, a surrogate */
		"\xed\xbf\xbf",	    /* U+DFFF */
		"\xf0\x8f\xbf\xbf", /* overlong, 4 bytes */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xf5\x80\x80\x80", "\xff", "\xfe", "caf\xc3",
		"\xe2\x82",	/* cut short */
		"\xf0\x90\x80", /* cut short */
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(utf8_valid(good[i], strlen(good[i])), "good %zu",
		    i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!utf8_valid(bad[i], strlen(bad[i])), "bad %zu",
		    i);
	/* A length is a length: the byte past it is never read. */
	ck_assert(!utf8_valid("\xc3\xa9", 1));
	ck_assert(utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(utf8_every_two_bytes)
{
	unsigned char s[2];
	unsigned      a, b;
	int	      want;

	/* Two-byte sequences: exactly C2..DF then 80..BF. */
	for (a = 0xc0; a <= 0xff; a++)
		for (b = 0; b <= 0xff; b++) {
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			want = a >= 0xc2 && a <= 0xdf && b >= 0x80 && b <= 0xbf;
			ck_assert_int_eq(utf8_valid((const char *)s, 2), want);
		}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, utf8_good_and_bad);
	tcase_add_test(tc, utf8_every_two_bytes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
