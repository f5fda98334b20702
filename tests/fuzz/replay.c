/*
 * tests/fuzz/replay.c — runs a fuzz target over its checked-in corpus.
 *
 * Each fuzz target defines LLVMFuzzerTestOneInput().  With clang and
 * -fsanitize=fuzzer the same file becomes a libFuzzer binary; linked with
 * this driver instead it replays every file of the directories named on the
 * command line, or, with no arguments, of $LC_TOP_SRCDIR/tests/fuzz/corpus/
 * NAME for a program called replay_NAME, so `make check` exercises the
 * corpus with any compiler, under ASan when the build has it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t *buf;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	/* Copy into an exact-size heap buffer so ASan sees overreads. */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL) {
		fclose(f);
		return -1;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int
replay_dir(const char *dir, int *count)
{
	DIR	      *d;
	struct dirent *de;
	struct stat    st;
	char	       path[4096];

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0) {
			fprintf(stderr, "replay: cannot read %s\n", path);
			closedir(d);
			return -1;
		}
		(*count)++;
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("LC_TOP_SRCDIR"), *name;
	char	    dir[4096];
	int	    i, count = 0;

	if (argc < 2) {
		name = strrchr(argv[0], '/');
		name = name ? name + 1 : argv[0];
		if (top == NULL || strncmp(name, "replay_", 7) != 0) {
			fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
			return 2;
		}
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top,
		    name + 7);
		if (replay_dir(dir, &count) != 0)
			return 1;
	}
	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i], &count) != 0)
			return 1;
	printf("replayed %d inputs\n", count);
	return count > 0 ? 0 : 1;
}
