/*
 * cli/csv.h — a small RFC 4180 CSV reader for labelctl's file inputs.
 *
 * Fields are separated by commas; a field may be quoted with double quotes,
 * inside which commas, CR, LF and doubled quotes ("") are literal.  Records
 * end with LF or CRLF (a lone CR too); the last record needs no line end.
 * Blank lines are skipped.  A UTF-8 byte-order mark at the start is skipped.
 * Every record carries the line number it starts on, for error messages.
 *
 * The whole file is read into memory (limit CSV_MAX_FILE_BYTES), and each
 * record is handed to a callback with its fields NUL-terminated; the field
 * strings are valid only during the callback (copy what you keep).
 */
#ifndef LC_CSV_H
#define LC_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FILE_BYTES ((size_t)1 << 30)
#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD_BYTES 4096

#define CSV_ERR_INPUT (-1)  /* the file is bad: err says where */
#define CSV_ERR_SYSTEM (-2) /* out of memory and the like */

struct csv_record {
	char **field;
	size_t n_fields;
	long   line; /* 1-based line the record starts on */
};

/*
 * Called once per non-blank record.  Return 0 to go on; a negative value
 * stops reading and is returned by csv_read_file() (write a message into
 * err, without the "path:line: " prefix, which csv_read_file() adds).
 */
typedef int (*csv_record_fn)(void *ctx, const struct csv_record *rec, char *err,
    size_t errlen);

/*
 * Read path and call fn for each record.  0, CSV_ERR_INPUT or CSV_ERR_SYSTEM
 * (or the callback's negative value); on error err holds
 * "path:line: message" or "path: message".
 */
int csv_read_file(const char *path, csv_record_fn fn, void *ctx, char *err,
    size_t errlen);

/* Write s to out as a CSV field, quoted when it needs to be. */
int csv_write_field(FILE *out, const char *s);

#endif
