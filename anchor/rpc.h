/*
 * anchor/rpc.h — an Ethereum JSON-RPC 2.0 client over HTTP (libcurl).
 *
 * JSON-RPC 2.0 (jsonrpc.org/specification) with the methods of the
 * Ethereum execution API (ethereum/execution-apis): one POST per call,
 * {"jsonrpc":"2.0","id":N,"method":…,"params":[…]}, on one reused
 * connection per client, with a connect timeout and a total timeout.
 *
 * Every call ends in exactly one of:
 *
 *	0			a non-null result
 *	ANCHOR_ETRANSPORT	no usable answer: connection refused, timeout,
 *				TLS, an HTTP status other than 200 without a
 *				JSON-RPC error body, a body over RPC_BODY_MAX
 *	ANCHOR_ERPC		the node answered {"error":{code, message}};
 *				the message matters to the caller ("already
 *				known", "nonce too low", "replacement
 *				transaction underpriced") and is kept
 *	ANCHOR_ENULL		"result": null — for receipts, transactions
 *				and blocks: not found (yet)
 *	ANCHOR_EPARSE		a 200 answer that is not a JSON-RPC response
 *				to this request, or a result of the wrong shape
 *
 * and rpc_last_error() describes the last failure, with a `reason` that
 * tells apart what a caller acts on: a transport failure is a timeout or
 * unreachable; a node's refusal of a transaction is "already known",
 * "nonce too low", "underpriced" (a replacement without enough of a fee
 * raise, or a max fee below the base fee), "insufficient funds", or a
 * failing call (eth_estimateGas of a call that reverts).  Nodes agree on no
 * error code for these (geth answers -32000, anvil -32003), so rpc.c reads
 * the message, in one table; callers compare reasons, never text.
 * Quantities are parsed into uint64_t (nonces, gas, fees per gas and block
 * numbers fit); a balance saturates at UINT64_MAX.
 *
 * Threads: a client is used by one thread at a time.  The program calls
 * curl_global_init() once before starting threads.  The client logs
 * nothing; it never sees a key.
 *
 * Ownership: rpc_client_create() copies the URL and allocates the client;
 * rpc_client_free() releases it (NULL is a no-op).  rpc_call() takes
 * ownership of params and gives the caller the result (cJSON_Delete()).
 */
#ifndef ANCHOR_RPC_H
#define ANCHOR_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "anchor/evm_key.h"

#define RPC_BODY_MAX (8 * 1024 * 1024) /* bytes of one response */
#define RPC_MESSAGE_MAX 256	       /* kept bytes of an error message */
#define RPC_TX_INPUT_MAX 4096	       /* calldata read back by rpc_tx */

enum rpc_reason {
	RPC_REASON_NONE = 0,
	RPC_REASON_TIMEOUT,	/* ETRANSPORT: no answer in time */
	RPC_REASON_UNREACHABLE, /* ETRANSPORT: refused, DNS, HTTP status, … */
	RPC_REASON_KNOWN,	/* ERPC: the node already has this tx */
	RPC_REASON_NONCE_LOW,	/* ERPC: the nonce is used */
	RPC_REASON_UNDERPRICED, /* ERPC: fee raise too small, or below base */
	RPC_REASON_FUNDS,	/* ERPC: balance < gas · max fee + value */
	RPC_REASON_CALL_FAILS,	/* ERPC: the call reverts or halts */
	RPC_REASON_OTHER,	/* any other failure */
};

/* The reason of a JSON-RPC error (code, message); exposed for tests. */
enum rpc_reason rpc_reason_classify(long code, const char *message);
const char     *rpc_reason_name(enum rpc_reason r);

struct rpc_error {
	int		kind; /* 0 or the ANCHOR_E* code of the last failure */
	enum rpc_reason reason;	     /* RPC_REASON_NONE when kind is 0 */
	long		http_status; /* 0 when there was no HTTP answer */
	long		code;	     /* JSON-RPC error code, for ANCHOR_ERPC */
	char message[RPC_MESSAGE_MAX]; /* NUL-terminated, maybe truncated */
};

struct rpc_client;

int rpc_client_create(const char *url, long connect_timeout_ms, long timeout_ms,
    struct rpc_client **out);
void			rpc_client_free(struct rpc_client *c);
const struct rpc_error *rpc_last_error(const struct rpc_client *c);

/*
 * Call method with params (a JSON array, consumed; NULL for []).  On 0,
 * *result is the non-null result, owned by the caller.
 */
int rpc_call(struct rpc_client *c, const char *method, cJSON *params,
    cJSON **result);

/* A JSON string "0x…" of the len bytes at b, for rpc_call()'s params;
 * NULL when out of memory. */
cJSON *rpc_hex_string(const uint8_t *b, size_t len);

/*
 * Interpret one response body to request id (exposed for tests): 0 with
 * *result detached from the body, or ANCHOR_ERPC / ANCHOR_ENULL /
 * ANCHOR_EPARSE with err filled.
 */
int rpc_response_parse(const char *body, size_t len, long id, cJSON **result,
    struct rpc_error *err);

/* eth_chainId, eth_blockNumber, eth_gasPrice, eth_maxPriorityFeePerGas. */
int rpc_chain_id(struct rpc_client *c, uint64_t *chain_id);
int rpc_block_number(struct rpc_client *c, uint64_t *number);
int rpc_gas_price(struct rpc_client *c, uint64_t *wei);
int rpc_max_priority_fee_per_gas(struct rpc_client *c, uint64_t *wei);

/* eth_getTransactionCount(address, block): block is "pending" for the
 * next nonce to use, "latest" for the mined count. */
int rpc_get_transaction_count(struct rpc_client *c,
    const uint8_t address[EVM_ADDRESS_LEN], const char *block, uint64_t *count);

/* eth_getBalance(address, "latest") in wei, saturated at UINT64_MAX. */
int rpc_get_balance(struct rpc_client *c,
    const uint8_t address[EVM_ADDRESS_LEN], uint64_t *wei);

/* eth_estimateGas({from, to, data}). */
int rpc_estimate_gas(struct rpc_client *c, const uint8_t from[EVM_ADDRESS_LEN],
    const uint8_t to[EVM_ADDRESS_LEN], const uint8_t *data, size_t data_len,
    uint64_t *gas);

/* eth_sendRawTransaction: *tx_hash is the node's hash of it.  A refusal
 * is ANCHOR_ERPC with rpc_last_error()->reason KNOWN, NONCE_LOW,
 * UNDERPRICED, FUNDS or OTHER. */
int rpc_send_raw_transaction(struct rpc_client *c, const uint8_t *raw,
    size_t raw_len, uint8_t tx_hash[32]);

struct rpc_receipt {
	uint8_t	 tx_hash[32];
	uint8_t	 block_hash[32];
	uint64_t block_number;
	uint64_t gas_used;
	uint64_t effective_gas_price;
	int	 status; /* 1 success, 0 reverted */
};

/* eth_getTransactionReceipt: ANCHOR_ENULL while pending or unknown. */
int rpc_get_transaction_receipt(struct rpc_client *c, const uint8_t hash[32],
    struct rpc_receipt *out);

struct rpc_tx {
	uint8_t	 hash[32];
	uint64_t type;
	uint64_t nonce;
	uint8_t	 from[EVM_ADDRESS_LEN];
	int	 has_to;
	uint8_t	 to[EVM_ADDRESS_LEN];
	int	 mined; /* block fields below are set */
	uint64_t block_number;
	uint8_t	 block_hash[32];
	uint8_t	 input[RPC_TX_INPUT_MAX];
	size_t	 input_len;
};

/* eth_getTransactionByHash: ANCHOR_ENULL if the node does not know it;
 * ANCHOR_EPARSE if its input exceeds RPC_TX_INPUT_MAX. */
int rpc_get_transaction_by_hash(struct rpc_client *c, const uint8_t hash[32],
    struct rpc_tx *out);

struct rpc_block {
	uint64_t number;
	uint8_t	 hash[32];
	uint8_t	 parent_hash[32];
	uint64_t timestamp;
	int	 has_base_fee;
	uint64_t base_fee_per_gas;
};

/*
 * eth_getBlockByNumber(tag or number, false): tag is "latest", "safe",
 * "finalized", … or NULL to ask for number.  ANCHOR_ENULL if there is no
 * such block (or the chain has no such tag).
 */
int rpc_get_block_by_number(struct rpc_client *c, const char *tag,
    uint64_t number, struct rpc_block *out);

#endif /* ANCHOR_RPC_H */
