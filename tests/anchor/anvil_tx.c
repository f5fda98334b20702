/*
 * tests/anchor/anvil_tx.c — the anchor transaction against a real anvil.
 *
 * Run by test_anvil_tx.sh, which starts a fresh anvil and passes its URL.
 * Builds a Merkle log of canonical leaf records, anchors (size, root) from
 * dev account 0 in an EIP-1559 transaction signed here, and checks what
 * the node saw: our signed bytes equal anvil's own eth_signTransaction
 * for the same fields, the node's tx hash equals ours, the receipt, the
 * transaction read back (root and size decoded from its input), the
 * block hash, the nonce, re-sending, null and error answers, and finally a
 * label's inclusion proof against the root read from the chain.
 * Prints "anchor_gas_used=N" for bench/anchor/RESULTS.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_key.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/leaf.h"
#include "anchor/merkle.h"
#include "anchor/merkle_mem.h"
#include "anchor/rpc.h"

#define DEV_KEY \
	"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define DEV_ADDR "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#define N_LEAVES 37

static int failures;

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

static void
fatal_rc(struct rpc_client *c, int rc, const char *what)
{
	if (rc == 0)
		return;
	fprintf(stderr, "FATAL: %s: %s (%s)\n", what, anchor_strerror(rc),
	    c != NULL ? rpc_last_error(c)->message : "");
	exit(1);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static cJSON *
quantity_item(uint64_t v)
{
	char q[24];

	anchor_hex_quantity_format(v, q, sizeof(q));
	return cJSON_CreateString(q);
}

/* anvil signs with its unlocked dev account: an independent encoder. */
static void
compare_with_node_signature(struct rpc_client *c, const struct evm_tx *tx,
    const uint8_t from[20], const uint8_t *raw, size_t raw_len)
{
	uint8_t theirs[EVM_TX_RAW_MAX(EVM_ANCHOR_DATA_LEN)];
	cJSON  *o, *p, *res;
	size_t	n;
	int	rc;

	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "from", rpc_hex_string(from, 20));
	cJSON_AddItemToObject(o, "to", rpc_hex_string(tx->to, 20));
	cJSON_AddItemToObject(o, "gas", quantity_item(tx->gas_limit));
	cJSON_AddItemToObject(o, "maxFeePerGas",
	    quantity_item(tx->max_fee_per_gas));
	cJSON_AddItemToObject(o, "maxPriorityFeePerGas",
	    quantity_item(tx->max_priority_fee_per_gas));
	cJSON_AddItemToObject(o, "nonce", quantity_item(tx->nonce));
	cJSON_AddItemToObject(o, "value", quantity_item(0));
	cJSON_AddItemToObject(o, "input",
	    rpc_hex_string(tx->data, tx->data_len));
	cJSON_AddItemToObject(o, "chainId", quantity_item(tx->chain_id));
	cJSON_AddItemToObject(o, "type", quantity_item(2));
	cJSON_AddItemToObject(o, "accessList", cJSON_CreateArray());
	p = cJSON_CreateArray();
	cJSON_AddItemToArray(p, o);
	rc = rpc_call(c, "eth_signTransaction", p, &res);
	if (rc != 0) {
		fprintf(stderr, "note: eth_signTransaction: %s (%s)\n",
		    anchor_strerror(rc), rpc_last_error(c)->message);
		check(0, "anvil could not sign for comparison");
		return;
	}
	if (!cJSON_IsString(res) ||
	    anchor_hex_decode_var(res->valuestring, strlen(res->valuestring),
		theirs, sizeof(theirs), &n) != 0) {
		check(0, "eth_signTransaction result is not hex");
		cJSON_Delete(res);
		return;
	}
	check(n == raw_len && memcmp(theirs, raw, n) == 0,
	    "our signed tx differs from anvil's: ours %zu bytes, %s", raw_len,
	    res->valuestring);
	cJSON_Delete(res);
}

int
main(int argc, char **argv)
{
	struct merkle_hasher	   *h = NULL;
	struct merkle_mem	   *mem = NULL;
	struct merkle_store	    store;
	struct evm_key		   *key = NULL;
	struct rpc_client	   *c = NULL;
	struct rpc_receipt	    rcpt;
	struct rpc_block	    blk, latest;
	struct rpc_tx		    rtx;
	struct evm_tx		    tx;
	struct leaf_record	    rec;
	struct leaf_vote	    votes[2];
	struct merkle_proof	    proof;
	struct merkle_verify_report rep;
	uint8_t			    addr[20], root[32], chain_root[32], lh[32];
	uint8_t			    data[EVM_ANCHOR_DATA_LEN],
	    raw[EVM_TX_RAW_MAX(EVM_ANCHOR_DATA_LEN)];
	uint8_t	 txh[32], node_hash[32], bogus[32], path[MERKLE_MAX_PROOF * 32];
	char	 addr_hex[EVM_ADDRESS_HEX_LEN], records[N_LEAVES][512];
	char	 dsha[65];
	uint64_t chain_id, nonce, tip, gas, size, n, i, count;
	size_t	 raw_len, rec_len[N_LEAVES], path_len;
	const char *url;
	int	    rc, tries;

	url = argc > 1 ? argv[1] : getenv("LC_ANVIL_URL");
	if (url == NULL) {
		fprintf(stderr, "usage: anvil_tx URL\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fatal_rc(NULL, rpc_client_create(url, 1000, 10000, &c), "client");

	/* anvil is up when it answers; give it up to 10 s. */
	for (tries = 0;
	     (rc = rpc_chain_id(c, &chain_id)) == ANCHOR_ETRANSPORT &&
	     tries < 200;
	     tries++)
		sleep_ms(50);
	fatal_rc(c, rc, "eth_chainId");
	check(chain_id == 31337, "chain id %llu", (unsigned long long)chain_id);

	/* The key as the server reads it from its environment. */
	setenv("LC_TEST_ANCHOR_KEY", DEV_KEY, 1);
	fatal_rc(NULL, evm_key_from_env("LC_TEST_ANCHOR_KEY", &key), "key");
	unsetenv("LC_TEST_ANCHOR_KEY");
	evm_key_address(key, addr);
	evm_address_to_hex(addr, addr_hex, sizeof(addr_hex));
	check(strcmp(addr_hex, DEV_ADDR) == 0, "address %s", addr_hex);

	/* The log: N_LEAVES canonical records. */
	fatal_rc(NULL, merkle_hasher_create(&h), "hasher");
	fatal_rc(NULL, merkle_mem_create(&mem), "mem");
	merkle_mem_store(mem, &store);
	memset(&rec, 0, sizeof(rec));
	votes[0].key =
	    "11aa000000000000000000000000000000000000000000000000000000000000";
	votes[0].label = "cat";
	votes[0].sig = "00ff";
	votes[1].key =
	    "0022000000000000000000000000000000000000000000000000000000000000";
	votes[1].label = "dog";
	votes[1].sig = "ff00";
	for (i = 0; i < N_LEAVES; i++) {
		memset(dsha, 'a' + (int)(i % 6), 64);
		dsha[64] = '\0';
		rec.project = 1;
		rec.task = (int64_t)(100 + i);
		rec.data_sha256 = dsha;
		rec.label = i % 3 == 0 ? "dog" : "cat";
		rec.confidence_bp = 9000 + (uint32_t)i;
		rec.votes = votes;
		rec.n_votes = 2;
		rec.finalized_at = "2024-06-01T10:00:00Z";
		fatal_rc(NULL,
		    leaf_record_json(&rec, records[i], sizeof(records[i]),
			&rec_len[i]),
		    "leaf record");
		fatal_rc(NULL, merkle_leaf_hash(h, records[i], rec_len[i], lh),
		    "leaf hash");
		fatal_rc(NULL, merkle_mem_append(mem, h, lh), "append");
	}
	fatal_rc(NULL, merkle_root(h, &store, N_LEAVES, root), "root");
	evm_anchor_calldata_encode(root, N_LEAVES, data);

	/* Nonce, fees, gas. */
	fatal_rc(c, rpc_get_transaction_count(c, addr, "pending", &nonce),
	    "eth_getTransactionCount");
	check(nonce == 0, "fresh anvil nonce %llu", (unsigned long long)nonce);
	fatal_rc(c, rpc_get_block_by_number(c, "latest", 0, &latest),
	    "eth_getBlockByNumber latest");
	check(latest.has_base_fee, "latest block has a base fee");
	fatal_rc(c, rpc_max_priority_fee_per_gas(c, &tip),
	    "eth_maxPriorityFeePerGas");
	fatal_rc(c, rpc_gas_price(c, &n), "eth_gasPrice");
	fatal_rc(c, rpc_estimate_gas(c, addr, addr, data, sizeof(data), &gas),
	    "eth_estimateGas");
	printf("anvil: base_fee=%llu tip=%llu gas_price=%llu estimate=%llu\n",
	    (unsigned long long)latest.base_fee_per_gas,
	    (unsigned long long)tip, (unsigned long long)n,
	    (unsigned long long)gas);

	memset(&tx, 0, sizeof(tx));
	tx.chain_id = chain_id;
	tx.nonce = nonce;
	tx.max_priority_fee_per_gas = tip;
	tx.max_fee_per_gas = 2 * latest.base_fee_per_gas + tip;
	tx.gas_limit = gas + gas / 5;
	memcpy(tx.to, addr, 20); /* default anchor address: the sender */
	tx.data = data;
	tx.data_len = sizeof(data);
	fatal_rc(NULL, evm_tx_sign(&tx, key, raw, sizeof(raw), &raw_len, txh),
	    "sign");
	compare_with_node_signature(c, &tx, addr, raw, raw_len);

	fatal_rc(c, rpc_send_raw_transaction(c, raw, raw_len, node_hash),
	    "eth_sendRawTransaction");
	check(memcmp(node_hash, txh, 32) == 0, "node's tx hash differs");

	/* Receipt: anvil mines at once, but poll like the worker would. */
	for (tries = 0; (rc = rpc_get_transaction_receipt(c, txh, &rcpt)) ==
		 ANCHOR_ENULL &&
	     tries < 100;
	     tries++)
		sleep_ms(50);
	fatal_rc(c, rc, "eth_getTransactionReceipt");
	check(rcpt.status == 1, "receipt status %d", rcpt.status);
	check(memcmp(rcpt.tx_hash, txh, 32) == 0, "receipt tx hash");
	printf("anchor_gas_used=%llu effective_gas_price=%llu block=%llu\n",
	    (unsigned long long)rcpt.gas_used,
	    (unsigned long long)rcpt.effective_gas_price,
	    (unsigned long long)rcpt.block_number);

	/* Re-sending the stored raw bytes: harmless, and the node says why. */
	rc = rpc_send_raw_transaction(c, raw, raw_len, node_hash);
	printf("resend: %s: %s\n", anchor_strerror(rc),
	    rc == 0 ? "accepted" : rpc_last_error(c)->message);
	check(rc == 0
		? memcmp(node_hash, txh, 32) == 0
		: (rc == ANCHOR_ERPC && rpc_last_error(c)->message[0] != '\0'),
	    "resend answer");

	/* The transaction as the chain has it. */
	fatal_rc(c, rpc_get_transaction_by_hash(c, txh, &rtx),
	    "eth_getTransactionByHash");
	check(memcmp(rtx.hash, txh, 32) == 0, "tx hash read back");
	check(rtx.type == 2, "tx type %llu", (unsigned long long)rtx.type);
	check(rtx.nonce == nonce, "tx nonce");
	check(memcmp(rtx.from, addr, 20) == 0, "tx from");
	check(rtx.has_to && memcmp(rtx.to, addr, 20) == 0, "tx to");
	check(rtx.mined && rtx.block_number == rcpt.block_number &&
		memcmp(rtx.block_hash, rcpt.block_hash, 32) == 0,
	    "tx block");
	rc = evm_anchor_calldata_decode(rtx.input, rtx.input_len, chain_root,
	    &size);
	check(rc == 0, "decode anchor calldata");
	check(size == N_LEAVES, "anchored size %llu", (unsigned long long)size);
	check(memcmp(chain_root, root, 32) == 0, "anchored root");

	/* The block still has the hash the receipt named. */
	fatal_rc(c, rpc_get_block_by_number(c, NULL, rcpt.block_number, &blk),
	    "eth_getBlockByNumber");
	check(blk.number == rcpt.block_number &&
		memcmp(blk.hash, rcpt.block_hash, 32) == 0,
	    "block hash");
	fatal_rc(c, rpc_block_number(c, &n), "eth_blockNumber");
	check(n >= rcpt.block_number, "block number");
	rc = rpc_get_block_by_number(c, "finalized", 0, &blk);
	check(rc == 0 || rc == ANCHOR_ENULL, "finalized block: %s",
	    anchor_strerror(rc));

	fatal_rc(c, rpc_get_transaction_count(c, addr, "latest", &count),
	    "eth_getTransactionCount latest");
	check(count == nonce + 1, "nonce after anchor %llu",
	    (unsigned long long)count);

	/* Not found is null, not an error. */
	memset(bogus, 0x5a, sizeof(bogus));
	rc = rpc_get_transaction_receipt(c, bogus, &rcpt);
	check(rc == ANCHOR_ENULL, "unknown receipt: %s", anchor_strerror(rc));
	rc = rpc_get_transaction_by_hash(c, bogus, &rtx);
	check(rc == ANCHOR_ENULL, "unknown tx: %s", anchor_strerror(rc));
	rc = rpc_get_block_by_number(c, NULL, 1000000, &blk);
	check(rc == ANCHOR_ENULL, "future block: %s", anchor_strerror(rc));

	/* A node error keeps its message. */
	rc = rpc_send_raw_transaction(c, (const uint8_t *)"\x02\xc0", 2,
	    node_hash);
	check(rc == ANCHOR_ERPC && rpc_last_error(c)->message[0] != '\0',
	    "garbage tx: %s", anchor_strerror(rc));
	printf("garbage tx: %s\n", rpc_last_error(c)->message);
	rc = rpc_call(c, "no_such_method", NULL, &(cJSON *){ NULL });
	check(rc == ANCHOR_ERPC, "unknown method: %s", anchor_strerror(rc));

	/* A label's proof, checked against the root the chain holds. */
	for (i = 0; i < N_LEAVES; i++) {
		fatal_rc(NULL,
		    merkle_inclusion_proof(h, &store, i, size, path,
			MERKLE_MAX_PROOF, &path_len),
		    "proof");
		memset(&proof, 0, sizeof(proof));
		proof.leaf = records[i];
		proof.leaf_len = rec_len[i];
		proof.leaf_index = i;
		proof.tree_size = size;
		proof.path = path;
		proof.path_len = path_len;
		proof.root = chain_root;
		rc = merkle_proof_verify(h, &proof, &rep);
		check(rc == 0, "proof of leaf %llu: %s", (unsigned long long)i,
		    merkle_verify_step_name(rep.failed));
	}
	records[5][20] ^= 1; /* a rewritten label no longer verifies */
	merkle_inclusion_proof(h, &store, 5, size, path, MERKLE_MAX_PROOF,
	    &path_len);
	proof.leaf = records[5];
	proof.leaf_len = rec_len[5];
	proof.leaf_index = 5;
	proof.path_len = path_len;
	check(merkle_proof_verify(h, &proof, &rep) == ANCHOR_EVERIFY &&
		rep.failed == MERKLE_VERIFY_ROOT,
	    "tampered record");

	rpc_client_free(c);
	evm_key_free(key);
	merkle_mem_free(mem);
	merkle_hasher_free(h);
	curl_global_cleanup();
	if (failures > 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("anvil anchor test: ok\n");
	return 0;
}
