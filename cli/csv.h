/*
 * cli/csv.h — a streaming RFC 4180 CSV reader for labelctl's file inputs.
 *
 * Fields are separated by commas; a field may be quoted with double quotes,
 * inside which commas, CR, LF and doubled quotes ("") are literal.  Records
 * end with LF or CRLF (a lone CR too); the last record needs no line end.
 * Blank lines are skipped.  A UTF-8 byte-order mark at the start is skipped.
 * Every record carries the line number it starts on, for error messages.
 *
 * The file is read in blocks of CSV_BLOCK_BYTES into one buffer that is
 * reused to the end, and records are split in place: no allocation per
 * record, memory bounded by the buffer whatever the size of the file, and
 * a pipe reads like a file ("-" is standard input).  Each record is handed
 * to a callback with its fields NUL-terminated and their lengths; the
 * field strings are valid only during the callback (copy what you keep).
 */
#ifndef LC_CSV_H
#define LC_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_BLOCK_BYTES ((size_t)4 << 20) /* buffer, and the unit of read() */
#define CSV_FIELD_PAD 8 /* readable bytes after every field's end */
#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD_BYTES 4096
/* The longest record: every field quoted with every byte a doubled quote. */
#define CSV_MAX_RECORD_BYTES \
	((size_t)CSV_MAX_FIELDS * (2 * CSV_MAX_FIELD_BYTES + 3))

/* Error codes, in a range of their own (REP_ERR_* and LC_ERR_* are > -100). */
#define CSV_ERR_INPUT (-201)  /* the content is bad: err says file:line */
#define CSV_ERR_SYSTEM (-202) /* out of memory */
#define CSV_ERR_READ (-203)   /* cannot open or read: missing, directory, */
			      /* permission, I/O error; err says which */

struct csv_record {
	char  **field;
	size_t *len; /* strlen of each field */
	size_t	n_fields;
	long	line; /* 1-based line the record starts on */
};

/*
 * Called once per non-blank record.  Return 0 to go on; a negative value
 * stops reading and is returned by csv_read_file() (write a message into
 * err, without the "path:line: " prefix, which csv_read_file() adds).
 */
typedef int (*csv_record_fn)(void *ctx, const struct csv_record *rec, char *err,
    size_t errlen);

/*
 * Called with up to CSV_BATCH_RECORDS consecutive non-blank records at a
 * time, all valid during the call (a caller can look ahead, e.g. to
 * prefetch).  Return 0 to go on, or a negative value with *bad set to the
 * index of the record at fault and err as for csv_record_fn.
 */
#define CSV_BATCH_RECORDS 64
typedef int (*csv_batch_fn)(void *ctx, const struct csv_record *rec, size_t n,
    size_t *bad, char *err, size_t errlen);

/* As csv_read_file(), handing records over in batches. */
int csv_read_batches(const char *path, csv_batch_fn fn, void *ctx, char *err,
    size_t errlen);

/*
 * Read path ("-": standard input, named "stdin" in messages) and call fn for
 * each record.  0, CSV_ERR_INPUT, CSV_ERR_SYSTEM, CSV_ERR_READ (or the
 * callback's negative value); on error err holds "path:line: message" or
 * "path: message".
 */
int csv_read_file(const char *path, csv_record_fn fn, void *ctx, char *err,
    size_t errlen);

/* The name csv_read_file() uses for path in its messages. */
const char *csv_display_name(const char *path);

/* Write s to out as a CSV field, quoted when it needs to be. */
int csv_write_field(FILE *out, const char *s);

#endif
