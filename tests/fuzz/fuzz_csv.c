/*
 * tests/fuzz/fuzz_csv.c — the RFC 4180 reader behind `labelctl aggregate`
 * on arbitrary bytes: never crash, never hand out more fields or longer
 * fields than its limits, line numbers only go forward.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	long last_line;
};

static int
fuzz_record(void *ctx, const struct csv_record *rec, char *err, size_t len)
{
	struct fuzz_state *st = ctx;
	size_t		   i;

	if (rec->n_fields == 0 || rec->n_fields > CSV_MAX_FIELDS ||
	    rec->line < 1 || rec->line < st->last_line)
		abort();
	for (i = 0; i < rec->n_fields; i++)
		if (strlen(rec->field[i]) > CSV_MAX_FIELD_BYTES)
			abort();
	st->last_line = rec->line;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state st = { 0 };
	char		  path[64], err[256];
	int		  fd;

	if ((fd = memfd_create("fuzz_csv", 0)) < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		(void)csv_read_file(path, fuzz_record, &st, err, sizeof(err));
	}
	close(fd);
	return 0;
}
