/*
 * cli/csv.c — RFC 4180 CSV reading (see csv.h).
 *
 * A single pass over the file held in memory: a small state machine copies
 * each field's bytes (unquoting as it goes) into a field buffer and hands
 * whole records to the callback.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/csv.h"

static char *
read_all(const char *path, size_t *len, char *err, size_t errlen, int *rc)
{
	FILE  *f;
	char  *buf = NULL, *nbuf;
	size_t cap = 0, n = 0, got;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*rc = CSV_ERR_INPUT;
		return NULL;
	}
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 65536 * 2;
			if (cap > CSV_MAX_FILE_BYTES + 65536 + 1) {
				snprintf(err, errlen, "%s: file too large",
				    path);
				*rc = CSV_ERR_INPUT;
				goto fail;
			}
			if ((nbuf = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "%s: out of memory",
				    path);
				*rc = CSV_ERR_SYSTEM;
				goto fail;
			}
			buf = nbuf;
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
		if (got < 65536) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s: read error", path);
				*rc = CSV_ERR_INPUT;
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

static void
prefix_error(char *err, size_t errlen, const char *path, long line)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", err);
	snprintf(err, errlen, "%s:%ld: %s", path, line, msg);
}

int
csv_read_file(const char *path, csv_record_fn fn, void *ctx, char *err,
    size_t errlen)
{
	char		 *buf, *field[CSV_MAX_FIELDS], *store = NULL, *out;
	struct csv_record rec;
	size_t		  len, i, nf, flen;
	long		  line = 1, start_line = 1;
	int		  rc = 0, quoted, blank;

	err[0] = '\0';
	if ((buf = read_all(path, &len, err, errlen, &rc)) == NULL)
		return rc;
	/* Unquoting never grows a field: len + 1 bytes hold any record. */
	if ((store = malloc(len + CSV_MAX_FIELDS + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = CSV_ERR_SYSTEM;
		goto done;
	}
	i = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		/* One record. */
		start_line = line;
		nf = 0;
		out = store;
		blank = 1;
		for (;;) {
			/* One field. */
			if (nf == CSV_MAX_FIELDS) {
				snprintf(err, errlen, "more than %d fields",
				    CSV_MAX_FIELDS);
				prefix_error(err, errlen, path, start_line);
				rc = CSV_ERR_INPUT;
				goto done;
			}
			field[nf++] = out;
			flen = 0;
			quoted = 0;
			if (i < len && buf[i] == '"') {
				quoted = 1;
				blank = 0;
				i++;
				for (;;) {
					if (i >= len) {
						snprintf(err, errlen,
						    "unterminated quoted field");
						prefix_error(err, errlen, path,
						    start_line);
						rc = CSV_ERR_INPUT;
						goto done;
					}
					if (buf[i] == '"') {
						if (i + 1 < len &&
						    buf[i + 1] == '"') {
							*out++ = '"';
							i += 2;
							flen++;
							continue;
						}
						i++;
						break;
					}
					if (buf[i] == '\n')
						line++;
					*out++ = buf[i++];
					flen++;
				}
			}
			while (i < len && buf[i] != ',' && buf[i] != '\n' &&
			    buf[i] != '\r') {
				if (quoted || buf[i] == '"') {
					snprintf(err, errlen,
					    "stray quote "
					    "or text after a quoted field");
					prefix_error(err, errlen, path, line);
					rc = CSV_ERR_INPUT;
					goto done;
				}
				if (buf[i] == '\0') {
					snprintf(err, errlen, "NUL byte");
					prefix_error(err, errlen, path, line);
					rc = CSV_ERR_INPUT;
					goto done;
				}
				*out++ = buf[i++];
				flen++;
				blank = 0;
			}
			*out++ = '\0';
			if (flen > CSV_MAX_FIELD_BYTES) {
				snprintf(err, errlen,
				    "field longer than %d "
				    "bytes",
				    CSV_MAX_FIELD_BYTES);
				prefix_error(err, errlen, path, start_line);
				rc = CSV_ERR_INPUT;
				goto done;
			}
			if (i < len && buf[i] == ',') {
				i++;
				blank = 0;
				continue;
			}
			break;
		}
		/* End of record: CRLF, LF, CR or end of file. */
		if (i < len && buf[i] == '\r')
			i++;
		if (i < len && buf[i] == '\n')
			i++;
		line++;
		if (blank)
			continue;
		rec.field = field;
		rec.n_fields = nf;
		rec.line = start_line;
		err[0] = '\0';
		if ((rc = fn(ctx, &rec, err, errlen)) != 0) {
			prefix_error(err, errlen, path, start_line);
			goto done;
		}
	}
	rc = 0;
done:
	free(store);
	free(buf);
	return rc;
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
