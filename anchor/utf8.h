/*
 * anchor/utf8.h — well-formed UTF-8 as RFC 3629 §4 defines it: no overlong
 * forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing past U+10FFFF.
 *
 * Leaf records must be valid UTF-8 to be canonical (leaf.h, RFC 8785), and
 * JSON exchanged with clients must be UTF-8 (RFC 8259 §8.1): both check
 * here.  Pure: no allocation, no I/O.
 */
#ifndef LC_ANCHOR_UTF8_H
#define LC_ANCHOR_UTF8_H

#include <stddef.h>

/* Length (1 to 4) of the well-formed sequence at s, which has `avail`
 * bytes (at least 1); 0 when there is none. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);

/* 1 when the `len` bytes at s are well-formed UTF-8 (NUL included). */
int utf8_valid(const char *s, size_t len);

#endif
