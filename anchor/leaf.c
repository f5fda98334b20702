/*
 * anchor/leaf.c — canonical leaf record (see leaf.h).
 *
 * One writer that always counts and writes only while there is room, so
 * the same pass answers "how long" and "write it".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/leaf.h"
#include "anchor/utf8.h"

struct leaf_writer {
	char  *buf;
	size_t cap;
	size_t len;
};

static void
lw_putc(struct leaf_writer *w, char c)
{
	if (w->len < w->cap)
		w->buf[w->len] = c;
	w->len++;
}

static void
lw_puts(struct leaf_writer *w, const char *s)
{
	while (*s != '\0')
		lw_putc(w, *s++);
}

static void
lw_int(struct leaf_writer *w, int64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	lw_puts(w, tmp);
}

/* A JSON string per RFC 8785 §3.2.2.2; ANCHOR_EINVAL on bad UTF-8. */
static int
lw_string(struct leaf_writer *w, const char *s)
{
	static const char    hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t		     n, i, left;

	if (s == NULL || (left = strlen(s)) > LEAF_MAX_STRING)
		return ANCHOR_EINVAL;
	lw_putc(w, '"');
	while (*p != '\0') {
		switch (*p) {
		case '"':
			lw_puts(w, "\\\"");
			break;
		case '\\':
			lw_puts(w, "\\\\");
			break;
		case '\b':
			lw_puts(w, "\\b");
			break;
		case '\f':
			lw_puts(w, "\\f");
			break;
		case '\n':
			lw_puts(w, "\\n");
			break;
		case '\r':
			lw_puts(w, "\\r");
			break;
		case '\t':
			lw_puts(w, "\\t");
			break;
		default:
			if (*p < 0x20) {
				lw_puts(w, "\\u00");
				lw_putc(w, hex[*p >> 4]);
				lw_putc(w, hex[*p & 0x0f]);
				break;
			}
			if ((n = utf8_seq_len(p, left)) == 0)
				return ANCHOR_EINVAL;
			for (i = 0; i < n; i++)
				lw_putc(w, (char)p[i]);
			p += n - 1;
			left -= n - 1;
			break;
		}
		p++;
		left--;
	}
	lw_putc(w, '"');
	return 0;
}

/* A quoted lower-case hex field; want_len 0 accepts any even length. */
static int
lw_hex(struct leaf_writer *w, const char *s, size_t want_len)
{
	size_t i, n;
	char   c;

	if (s == NULL)
		return ANCHOR_EINVAL;
	n = strlen(s);
	if (n == 0 || n % 2 != 0 || n > LEAF_MAX_STRING ||
	    (want_len != 0 && n != want_len))
		return ANCHOR_EINVAL;
	lw_putc(w, '"');
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return ANCHOR_EINVAL;
		lw_putc(w, c);
	}
	lw_putc(w, '"');
	return 0;
}

/* RFC 3339 UTC: YYYY-MM-DDTHH:MM:SS, optional .fraction, then Z. */
static int
leaf_time_valid(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
	size_t		  i;

	if (s == NULL)
		return 0;
	for (i = 0; pattern[i] != '\0'; i++) {
		if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
				      : s[i] != pattern[i])
			return 0;
	}
	if (s[i] == '.') {
		i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			return 0;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

/* Hex keys compared as if lower-cased. */
static int
leaf_key_cmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'F')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'F')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb || ca == '\0')
			return (int)ca - (int)cb;
	}
}

static int
leaf_build(const struct leaf_record *r, struct leaf_writer *w)
{
	uint16_t		order[LEAF_MAX_VOTES];
	const struct leaf_vote *v;
	size_t			i, j;
	uint16_t		t;
	int			rc, c;

	if (r->project < 0 || r->task < 0 || r->confidence_bp > LEAF_MAX_BP ||
	    r->n_votes > LEAF_MAX_VOTES ||
	    (r->votes == NULL && r->n_votes != 0) ||
	    !leaf_time_valid(r->finalized_at))
		return ANCHOR_EINVAL;
	/* Insertion sort of an index: n is bounded and small. */
	for (i = 0; i < r->n_votes; i++) {
		if (r->votes[i].key == NULL)
			return ANCHOR_EINVAL;
		order[i] = (uint16_t)i;
		for (j = i; j > 0; j--) {
			c = leaf_key_cmp(r->votes[order[j - 1]].key,
			    r->votes[order[j]].key);
			if (c == 0)
				return ANCHOR_EINVAL; /* one vote per key */
			if (c < 0)
				break;
			t = order[j - 1];
			order[j - 1] = order[j];
			order[j] = t;
		}
	}

	lw_puts(w, "{\"v\":");
	lw_int(w, LEAF_VERSION);
	lw_puts(w, ",\"project\":");
	lw_int(w, r->project);
	lw_puts(w, ",\"task\":");
	lw_int(w, r->task);
	lw_puts(w, ",\"data_sha256\":");
	if ((rc = lw_hex(w, r->data_sha256, 64)) != 0)
		return rc;
	lw_puts(w, ",\"label\":");
	if ((rc = lw_string(w, r->label)) != 0)
		return rc;
	lw_puts(w, ",\"confidence_bp\":");
	lw_int(w, r->confidence_bp);
	lw_puts(w, ",\"votes\":[");
	for (i = 0; i < r->n_votes; i++) {
		v = &r->votes[order[i]];
		if (i > 0)
			lw_putc(w, ',');
		lw_puts(w, "{\"key\":");
		if ((rc = lw_hex(w, v->key, 0)) != 0)
			return rc;
		lw_puts(w, ",\"label\":");
		if ((rc = lw_string(w, v->label)) != 0)
			return rc;
		lw_puts(w, ",\"sig\":");
		if ((rc = lw_hex(w, v->sig, 0)) != 0)
			return rc;
		lw_putc(w, '}');
	}
	lw_puts(w, "],\"finalized_at\":");
	if ((rc = lw_string(w, r->finalized_at)) != 0)
		return rc;
	lw_putc(w, '}');
	return 0;
}

int
leaf_record_json(const struct leaf_record *r, char *buf, size_t cap,
    size_t *len)
{
	struct leaf_writer w = { buf, cap, 0 };
	int		   rc;

	*len = 0;
	if (buf == NULL && cap != 0)
		return ANCHOR_EINVAL;
	if ((rc = leaf_build(r, &w)) != 0)
		return rc;
	*len = w.len;
	if (w.len >= cap)
		return ANCHOR_ENOSPC;
	buf[w.len] = '\0';
	return 0;
}

int
leaf_record_json_alloc(const struct leaf_record *r, char **out, size_t *len)
{
	char  *buf;
	size_t need;
	int    rc;

	*out = NULL;
	*len = 0;
	rc = leaf_record_json(r, NULL, 0, &need);
	if (rc != ANCHOR_ENOSPC)
		return rc == 0 ? ANCHOR_EINVAL : rc;
	if ((buf = malloc(need + 1)) == NULL)
		return ANCHOR_ENOMEM;
	if ((rc = leaf_record_json(r, buf, need + 1, len)) != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}
