/*
 * cli/csv.c — streaming RFC 4180 CSV reading (see csv.h).
 *
 * One buffer of CSV_BLOCK_BYTES (plus a sentinel byte) is filled with
 * read(2) and parsed in place: fields are unquoted by moving their bytes
 * left, which never overtakes the reading position, and terminated by
 * overwriting the delimiter with NUL.  The buffer is refilled (the unparsed
 * tail moved to its start) whenever less than one maximal record remains,
 * so every record is parsed whole, once.  An unquoted field is scanned by a
 * table lookup per byte; the NUL sentinel after the data stops that scan
 * without a bounds check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/csv.h"

/* Refill when less than this remains, so a whole record is in the buffer. */
#define REFILL_BELOW (CSV_MAX_RECORD_BYTES + 2)

struct reader {
	int	    fd;
	const char *name;
	char  *buf; /* cap + 1 + CSV_FIELD_PAD bytes: a NUL sentinel, pad */
	size_t cap, have, pos;
	bool   eof;
	long   line;
	/* Batches handed to the callback. */
	struct csv_record *rec;
	char		 **field;
	size_t		  *len;
};

/* Bytes that end an unquoted run: delimiters, quotes, NUL (the sentinel). */
static const unsigned char special[256] = {
	[','] = 1,
	['\n'] = 1,
	['\r'] = 1,
	['"'] = 1,
	['\0'] = 1,
};

const char *
csv_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

static int
refill(struct reader *r, char *err, size_t errlen)
{
	size_t	rest = r->have - r->pos;
	ssize_t n;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, rest);
		r->have = rest;
		r->pos = 0;
	}
	while (!r->eof && r->have < r->cap) {
		n = read(r->fd, r->buf + r->have, r->cap - r->have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", r->name,
			    strerror(errno));
			return CSV_ERR_READ;
		}
		if (n == 0)
			r->eof = true;
		r->have += (size_t)n;
	}
	r->buf[r->have] = '\0';
	return 0;
}

static int
fail_at(char *err, size_t errlen, const struct reader *r, long line,
    const char *msg)
{
	snprintf(err, errlen, "%s:%ld: %s", r->name, line, msg);
	return CSV_ERR_INPUT;
}

/*
 * Parse the record at r->pos into rec (fields in place), leaving r->pos
 * after it.  *blank is set for a blank line.  0 or CSV_ERR_INPUT.
 */
static int
parse_record(struct reader *r, struct csv_record *rec, bool *blank, char *err,
    size_t errlen)
{
	char  *p = r->buf + r->pos, *end = r->buf + r->have, *out = p, *s;
	long   start = r->line;
	size_t nf = 0, flen;
	bool   quoted = false;
	char   c;

	rec->line = start;
	for (;;) {
		if (nf == CSV_MAX_FIELDS) {
			snprintf(err, errlen, "%s:%ld: more than %d fields",
			    r->name, start, CSV_MAX_FIELDS);
			return CSV_ERR_INPUT;
		}
		rec->field[nf] = out;
		quoted = false;
		if (*p == '"' && p < end) {
			quoted = true;
			for (p++;; p++) {
				if (p >= end)
					return fail_at(err, errlen, r, start,
					    r->eof ? "unterminated quoted field"
						   : "record too long");
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*out++ = '"';
						p++;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\0')
					return fail_at(err, errlen, r, r->line,
					    "NUL byte");
				if (*p == '\n')
					r->line++;
				*out++ = *p;
			}
		}
		/* The unquoted run (only a delimiter may follow a quote). */
		s = p;
		while (!special[(unsigned char)*p])
			p++;
		if (p > s) {
			if (quoted)
				return fail_at(err, errlen, r, r->line,
				    "stray quote or text after a quoted field");
			if (out != s)
				memmove(out, s, (size_t)(p - s));
			out += p - s;
		}
		if (p < end && (*p == '"' || *p == '\0'))
			return fail_at(err, errlen, r, r->line,
			    *p == '"'
				? "stray quote or text after a quoted field"
				: "NUL byte");
		if (p >= end && !r->eof)
			return fail_at(err, errlen, r, start,
			    "record too long");
		flen = (size_t)(out - rec->field[nf]);
		if (flen > CSV_MAX_FIELD_BYTES) {
			snprintf(err, errlen,
			    "%s:%ld: field longer than %d bytes", r->name,
			    start, CSV_MAX_FIELD_BYTES);
			return CSV_ERR_INPUT;
		}
		rec->len[nf++] = flen;
		if (p < end && *p == ',') {
			*out++ = '\0';
			p++;
			continue;
		}
		/* End of record: CRLF, LF, CR or end of data. */
		c = *p;
		*out = '\0'; /* may overwrite *p */
		if (p < end && c == '\r') {
			p++;
			c = *p;
		}
		if (p < end && c == '\n')
			p++;
		r->line++;
		break;
	}
	rec->n_fields = nf;
	r->pos = (size_t)(p - r->buf);
	*blank = nf == 1 && rec->len[0] == 0 && !quoted;
	return 0;
}

static int
open_input(struct reader *r, const char *path, char *err, size_t errlen)
{
	struct stat st;

	r->name = csv_display_name(path);
	if (strcmp(path, "-") == 0)
		r->fd = STDIN_FILENO;
	else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(errno));
		return CSV_ERR_READ;
	}
	if (fstat(r->fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(errno));
		return CSV_ERR_READ;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a CSV file",
		    r->name);
		return CSV_ERR_READ;
	}
	return 0;
}

static void
reader_free(struct reader *r)
{
	free(r->buf);
	free(r->rec);
	free(r->field);
	free(r->len);
}

static int
reader_alloc(struct reader *r, char *err, size_t errlen)
{
	size_t i;

	r->cap = CSV_BLOCK_BYTES;
	r->buf = malloc(r->cap + 1 + CSV_FIELD_PAD);
	r->rec = malloc(CSV_BATCH_RECORDS * sizeof(*r->rec));
	r->field =
	    malloc(CSV_BATCH_RECORDS * CSV_MAX_FIELDS * sizeof(*r->field));
	r->len = malloc(CSV_BATCH_RECORDS * CSV_MAX_FIELDS * sizeof(*r->len));
	if (r->buf == NULL || r->rec == NULL || r->field == NULL ||
	    r->len == NULL) {
		snprintf(err, errlen, "%s: out of memory", r->name);
		return CSV_ERR_SYSTEM;
	}
	for (i = 0; i < CSV_BATCH_RECORDS; i++) {
		r->rec[i].field = r->field + i * CSV_MAX_FIELDS;
		r->rec[i].len = r->len + i * CSV_MAX_FIELDS;
	}
	return 0;
}

/* Parse records from r->pos on and hand them to fn in batches. */
static int
read_loop(struct reader *r, csv_batch_fn fn, void *ctx, char *err,
    size_t errlen)
{
	size_t n, bad;
	bool   blank;
	int    rc;

	if ((rc = refill(r, err, errlen)) != 0)
		return rc;
	if (r->have >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	for (;;) {
		if (!r->eof && r->have - r->pos < REFILL_BELOW &&
		    (rc = refill(r, err, errlen)) != 0)
			return rc;
		if (r->pos >= r->have)
			return 0;
		/* A batch: as many records as surely lie in the buffer. */
		for (n = 0; n < CSV_BATCH_RECORDS && r->pos < r->have &&
		     (r->eof || r->have - r->pos >= REFILL_BELOW);) {
			if ((rc = parse_record(r, &r->rec[n], &blank, err,
				 errlen)) != 0)
				return rc;
			if (!blank)
				n++;
		}
		if (n == 0)
			continue;
		bad = 0;
		if ((rc = fn(ctx, r->rec, n, &bad, err, errlen)) != 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "%s:%ld: %s", r->name,
			    r->rec[bad < n ? bad : 0].line, msg);
			return rc;
		}
	}
}

int
csv_read_batches(const char *path, csv_batch_fn fn, void *ctx, char *err,
    size_t errlen)
{
	struct reader r = { .fd = -1, .line = 1 };
	int	      rc;

	err[0] = '\0';
	if ((rc = open_input(&r, path, err, errlen)) == 0 &&
	    (rc = reader_alloc(&r, err, errlen)) == 0)
		rc = read_loop(&r, fn, ctx, err, errlen);
	if (r.fd > STDIN_FILENO)
		close(r.fd);
	reader_free(&r);
	return rc;
}

struct one_by_one {
	csv_record_fn fn;
	void	     *ctx;
};

static int
each_record(void *ctx, const struct csv_record *rec, size_t n, size_t *bad,
    char *err, size_t errlen)
{
	struct one_by_one *o = ctx;
	size_t		   i;
	int		   rc;

	for (i = 0; i < n; i++)
		if ((rc = o->fn(o->ctx, &rec[i], err, errlen)) != 0) {
			*bad = i;
			return rc;
		}
	return 0;
}

int
csv_read_file(const char *path, csv_record_fn fn, void *ctx, char *err,
    size_t errlen)
{
	struct one_by_one o = { fn, ctx };

	return csv_read_batches(path, each_record, &o, err, errlen);
}

int
csv_write_field(FILE *out, const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && s[0] != '\0')
		return fputs(s, out) < 0 ? -1 : 0;
	if (s[0] == '\0')
		return 0;
	if (putc('"', out) == EOF)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' && putc('"', out) == EOF)
			return -1;
		if (putc(*p, out) == EOF)
			return -1;
	}
	return putc('"', out) == EOF ? -1 : 0;
}
