/*
 * tests/fuzz/fuzz_verify.c — a proof document as `labelctl verify` reads
 * it (cli/cmd_verify.c, offline: no --rpc): the JSON of GET
 * /v1/tasks/{id}/proof with its leaf record string, leaf_hash, leaf_index,
 * tree_size, the inclusion path as hex strings and the root.  The bytes go
 * through the verb itself, from a file, as a user would hand them over.
 *
 * The verb answers 0 (valid), 1 (invalid) or 2 (unreadable), never
 * crashes or leaks; 0 only when the proof really holds: the document is
 * read again here, the leaf hashed (RFC 6962) and folded along the path
 * with merkle_inclusion_root, and the result must be the document's root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "cli/commands.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cli/cmd_core.c's, without the rest of that file. */
int
cli_wants_help(int argc, char **argv, const char *text)
{
	(void)argc;
	(void)argv;
	(void)text;
	return 0;
}

static struct merkle_hasher *hasher;

static int
get_hash(const cJSON *doc, const char *key, uint8_t out[32])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	return cJSON_IsString(v) &&
		anchor_hex_decode(v->valuestring, strlen(v->valuestring), out,
		    32) == 0
	    ? 0
	    : -1;
}

/* The document once more, by hand: 1 when its proof holds. */
static int
holds(const uint8_t *data, size_t size)
{
	cJSON	    *doc, *item;
	const cJSON *leaf, *path, *idx, *sz;
	uint8_t	     root[32], lh[32], folded[32];
	uint8_t	     hashes[MERKLE_MAX_PROOF * 32];
	size_t	     n = 0;
	int	     ok = 0;

	if ((doc = cJSON_ParseWithLength((const char *)data, size)) == NULL)
		return 0;
	leaf = cJSON_GetObjectItemCaseSensitive(doc, "leaf");
	path = cJSON_GetObjectItemCaseSensitive(doc, "path");
	idx = cJSON_GetObjectItemCaseSensitive(doc, "leaf_index");
	sz = cJSON_GetObjectItemCaseSensitive(doc, "tree_size");
	if (!cJSON_IsString(leaf) || !cJSON_IsArray(path) ||
	    !cJSON_IsNumber(idx) || !cJSON_IsNumber(sz) ||
	    get_hash(doc, "root", root) != 0)
		goto out;
	cJSON_ArrayForEach(item, path)
	{
		if (n == MERKLE_MAX_PROOF || !cJSON_IsString(item) ||
		    anchor_hex_decode(item->valuestring,
			strlen(item->valuestring), hashes + 32 * n, 32) != 0)
			goto out;
		n++;
	}
	if (merkle_leaf_hash(hasher, leaf->valuestring,
		strlen(leaf->valuestring), lh) != 0 ||
	    merkle_inclusion_root(hasher, lh, (uint64_t)idx->valuedouble,
		(uint64_t)sz->valuedouble, hashes, n, folded) != 0)
		goto out;
	ok = memcmp(folded, root, 32) == 0;
out:
	cJSON_Delete(doc);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_env env = { NULL, NULL, NULL };
	char	       path[64], verb[] = "verify", *argv[3];
	int	       fd, status;

	if (hasher == NULL) {
		if (merkle_hasher_create(&hasher) != 0)
			abort();
		/* The verb's verdicts go nowhere (its complaints go to
		 * stderr: run with -close_fd_mask=2). */
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
	}
	if ((fd = memfd_create("fuzz_verify", 0)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	argv[0] = verb;
	argv[1] = path;
	argv[2] = NULL;
	status = cmd_verify(&env, 2, argv);
	close(fd);
	if (status < 0 || status > 2)
		abort();
	if (status == 0 && !holds(data, size))
		abort();
	return 0;
}
