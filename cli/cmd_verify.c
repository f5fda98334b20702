/*
 * cli/cmd_verify.c — `labelctl verify PROOF.json [--rpc URL]`.
 *
 * Checks a label's proof (as served by GET /v1/tasks/{id}/proof) step by
 * step, offline: the leaf record hashes to leaf_hash (RFC 6962 leaf hash),
 * the inclusion path has the length RFC 9162 gives for (leaf_index,
 * tree_size), and it folds to root (merkle_proof_verify).  With --rpc it then
 * checks the anchor on the chain: the chain id, that the transaction exists
 * and its calldata is 0x6c630001 ‖ root ‖ tree_size, that its receipt is a
 * success in the stated block whose hash is still canonical, and that the
 * chain is at least the stated number of confirmations past it.
 *
 * Exit: 0 valid, 1 invalid (the failing step is named), 2 error (unreadable
 * file, RPC unreachable).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "anchor/rpc.h"
#include "cli/commands.h"

#define VERIFY_MAX_FILE (1024 * 1024)

static const char verify_help[] =
    "Usage: labelctl verify PROOF.json [--rpc URL]\n"
    "Verify a label's proof (GET /v1/tasks/{id}/proof; \"-\" reads stdin):\n"
    "leaf record -> leaf hash -> inclusion path -> root, and with --rpc that\n"
    "the anchor transaction carries that root and tree size and has the\n"
    "stated confirmations.\n"
    "Exit status: 0 valid, 1 invalid (the failing step is printed), 2 "
    "error.\n";

static char *
read_all(const char *path, size_t *len)
{
	FILE  *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char  *buf;
	size_t n;

	if (f == NULL || (buf = malloc(VERIFY_MAX_FILE + 1)) == NULL) {
		if (f != NULL && f != stdin)
			fclose(f);
		return NULL;
	}
	n = fread(buf, 1, VERIFY_MAX_FILE, f);
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
invalid(const char *step, const char *fmt, const char *detail)
{
	printf("invalid: step=\"%s\" ", step);
	printf(fmt, detail);
	printf("\n");
	return 1;
}

static int
get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 9007199254740992.0)
		return -1;
	*out = (uint64_t)v->valuedouble;
	return 0;
}

static int
get_hash(const cJSON *o, const char *key, uint8_t out[32])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) ||
	    anchor_hex_decode(v->valuestring, strlen(v->valuestring), out,
		32) != 0)
		return -1;
	return 0;
}

/* Chain half of the check; 0 valid, 1 invalid, 2 error. */
static int
verify_chain(const char *url, const cJSON *anchor, const uint8_t root[32],
    uint64_t tree_size)
{
	struct rpc_client *rpc = NULL;
	struct rpc_tx	   tx;
	struct rpc_receipt rcpt;
	struct rpc_block   blk;
	const cJSON	  *th;
	uint8_t		   hash[32], got_root[32];
	uint64_t	   chain_id, want_chain, want_bn, conf, head, got_size;
	int		   rc, status = 2;

	if (!cJSON_IsObject(anchor))
		return invalid("anchor", "%s",
		    "the proof has no anchor (none confirmed covers the leaf "
		    "yet)");
	th = cJSON_GetObjectItemCaseSensitive(anchor, "tx_hash");
	if (!cJSON_IsString(th) ||
	    anchor_hex_decode(th->valuestring, strlen(th->valuestring), hash,
		32) != 0 ||
	    get_u64(anchor, "chain_id", &want_chain) != 0 ||
	    get_u64(anchor, "block_number", &want_bn) != 0 ||
	    get_u64(anchor, "confirmations", &conf) != 0)
		return invalid("anchor", "%s",
		    "anchor needs chain_id, tx_hash, block_number, "
		    "confirmations");
	if (rpc_client_create(url, 5000, 10000, &rpc) != 0)
		return 2;
	if (rpc_chain_id(rpc, &chain_id) != 0) {
		fprintf(stderr, "labelctl verify: cannot reach %s\n", url);
		goto out;
	}
	if (chain_id != want_chain) {
		status = invalid("chain", "%s",
		    "the RPC endpoint serves another chain id");
		goto out;
	}
	rc = rpc_get_transaction_by_hash(rpc, hash, &tx);
	if (rc == ANCHOR_ENULL) {
		status = invalid("tx", "transaction %s is not on the chain",
		    th->valuestring);
		goto out;
	}
	if (rc != 0)
		goto rpc_fail;
	if (evm_anchor_calldata_decode(tx.input, tx.input_len, got_root,
		&got_size) != 0) {
		status = invalid("calldata", "%s",
		    "the transaction is not an anchor call");
		goto out;
	}
	if (memcmp(got_root, root, 32) != 0 || got_size != tree_size) {
		status = invalid("calldata", "%s",
		    "the transaction anchors another root or tree size");
		goto out;
	}
	rc = rpc_get_transaction_receipt(rpc, hash, &rcpt);
	if (rc == ANCHOR_ENULL) {
		status = invalid("block", "%s", "the transaction is not mined");
		goto out;
	}
	if (rc != 0)
		goto rpc_fail;
	if (rcpt.status != 1) {
		status = invalid("block", "%s", "the transaction reverted");
		goto out;
	}
	if (rcpt.block_number != want_bn) {
		status = invalid("block", "%s",
		    "the transaction is in another block than stated");
		goto out;
	}
	if (rpc_get_block_by_number(rpc, NULL, rcpt.block_number, &blk) != 0)
		goto rpc_fail;
	if (memcmp(blk.hash, rcpt.block_hash, 32) != 0) {
		status =
		    invalid("block", "%s", "the block was reorganised away");
		goto out;
	}
	if (rpc_block_number(rpc, &head) != 0)
		goto rpc_fail;
	if (head < rcpt.block_number || head - rcpt.block_number + 1 < conf) {
		status = invalid("confirmations", "%s",
		    "the chain has fewer confirmations than stated");
		goto out;
	}
	printf("ok: anchored on chain %" PRIu64 " in block %" PRIu64
	       " by %s, %" PRIu64 " confirmations now\n",
	    chain_id, rcpt.block_number, th->valuestring,
	    head - rcpt.block_number + 1);
	status = 0;
	goto out;
rpc_fail:
	fprintf(stderr, "labelctl verify: RPC error from %s\n", url);
out:
	rpc_client_free(rpc);
	return status;
}

int
cmd_verify(const struct cli_env *env, int argc, char **argv)
{
	struct merkle_hasher	   *h = NULL;
	struct merkle_proof	    p;
	struct merkle_verify_report rep;
	const char		   *file = NULL, *rpc = NULL;
	const cJSON		   *leaf, *path, *item;
	cJSON			   *doc = NULL;
	uint8_t			    leaf_hash[32], root[32];
	uint8_t			    hashes[MERKLE_MAX_PROOF * 32];
	char			   *text = NULL;
	size_t			    len, n = 0;
	int			    i, status = 2, have_leaf_hash;

	(void)env;
	if (cli_wants_help(argc, argv, verify_help))
		return 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rpc") == 0 && i + 1 < argc)
			rpc = argv[++i];
		else if (file == NULL &&
		    (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			file = argv[i];
		else {
			fputs(verify_help, stderr);
			return 2;
		}
	}
	if (file == NULL) {
		fputs(verify_help, stderr);
		return 2;
	}
	if ((text = read_all(file, &len)) == NULL) {
		fprintf(stderr, "labelctl verify: cannot read %s\n", file);
		return 2;
	}
	if ((doc = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject(doc)) {
		fprintf(stderr, "labelctl verify: %s is not a JSON object\n",
		    file);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	leaf = cJSON_GetObjectItemCaseSensitive(doc, "leaf");
	path = cJSON_GetObjectItemCaseSensitive(doc, "path");
	have_leaf_hash = get_hash(doc, "leaf_hash", leaf_hash) == 0;
	if (!cJSON_IsString(leaf) || !cJSON_IsArray(path) ||
	    get_u64(doc, "leaf_index", &p.leaf_index) != 0 ||
	    get_u64(doc, "tree_size", &p.tree_size) != 0 ||
	    get_hash(doc, "root", root) != 0 ||
	    (cJSON_GetObjectItemCaseSensitive(doc, "leaf_hash") != NULL &&
		!have_leaf_hash)) {
		status = invalid("input", "%s",
		    "leaf, leaf_hash, leaf_index, tree_size, path or root is "
		    "missing or malformed");
		goto out;
	}
	cJSON_ArrayForEach(item, path)
	{
		if (n == MERKLE_MAX_PROOF || !cJSON_IsString(item) ||
		    anchor_hex_decode(item->valuestring,
			strlen(item->valuestring), hashes + 32 * n, 32) != 0) {
			status = invalid("path", "%s",
			    "a path entry is not a 32-byte hex hash");
			goto out;
		}
		n++;
	}
	p.leaf = leaf->valuestring;
	p.leaf_len = strlen(leaf->valuestring);
	p.leaf_hash = have_leaf_hash ? leaf_hash : NULL;
	p.path = hashes;
	p.path_len = n;
	p.root = root;
	if (merkle_hasher_create(&h) != 0)
		goto out;
	if (merkle_proof_verify(h, &p, &rep) != 0) {
		if (rep.failed == MERKLE_VERIFY_OK) {
			fprintf(stderr, "labelctl verify: hashing failed\n");
			goto out;
		}
		status = invalid(merkle_verify_step_name(rep.failed), "%s",
		    rep.failed == MERKLE_VERIFY_LEAF_HASH
			? "the leaf record does not hash to leaf_hash"
			: rep.failed == MERKLE_VERIFY_PATH
			? "the path has the wrong length for leaf_index and "
			  "tree_size"
			: rep.failed == MERKLE_VERIFY_ROOT
			? "the path leads to another root"
			: "the proof's fields are inconsistent");
		goto out;
	}
	printf("ok: leaf %" PRIu64 " is in the tree of size %" PRIu64
	       " with that root\n",
	    p.leaf_index, p.tree_size);
	status = 0;
	if (rpc != NULL)
		status = verify_chain(rpc,
		    cJSON_GetObjectItemCaseSensitive(doc, "anchor"), root,
		    p.tree_size);
out:
	merkle_hasher_free(h);
	cJSON_Delete(doc);
	free(text);
	return status;
}
