/*
 * anchor/rpc.c — JSON-RPC 2.0 over libcurl, cJSON parsing (see rpc.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/rpc.h"

struct rpc_client {
	CURL		  *curl;
	struct curl_slist *headers;
	char		  *url;
	long		   next_id;
	char		  *body; /* response being received */
	size_t		   body_len;
	size_t		   body_cap;
	int		   body_overflow;
	char		   curl_err[CURL_ERROR_SIZE];
	struct rpc_error   err;
};

/*
 * What nodes say when they refuse a transaction or a call, by reason.
 * geth (core/txpool/errors.go, core/error.go), Nethermind, Erigon and anvil
 * word these alike; matched case-insensitively, first match wins.
 */
static const struct {
	const char     *needle;
	enum rpc_reason reason;
} rpc_reasons[] = {
	{ "already known", RPC_REASON_KNOWN },
	{ "already imported", RPC_REASON_KNOWN },
	{ "known transaction", RPC_REASON_KNOWN },
	{ "alreadyknown", RPC_REASON_KNOWN },
	{ "nonce too low", RPC_REASON_NONCE_LOW },
	{ "oldnonce", RPC_REASON_NONCE_LOW },
	{ "underpriced", RPC_REASON_UNDERPRICED },
	{ "less than block base fee", RPC_REASON_UNDERPRICED },
	{ "fee cap less than", RPC_REASON_UNDERPRICED },
	{ "max fee per gas less than", RPC_REASON_UNDERPRICED },
	{ "insufficient funds", RPC_REASON_FUNDS },
	{ "execution reverted", RPC_REASON_CALL_FAILS },
	{ "evm error", RPC_REASON_CALL_FAILS },
	{ "invalid opcode", RPC_REASON_CALL_FAILS },
	{ "out of gas", RPC_REASON_CALL_FAILS },
};

static const char *const rpc_reason_names[] = { "none", "timeout",
	"unreachable", "known", "nonce_low", "underpriced", "funds",
	"call_fails", "other" };

const char *
rpc_reason_name(enum rpc_reason r)
{
	if ((int)r < 0 || r > RPC_REASON_OTHER)
		return "other";
	return rpc_reason_names[r];
}

enum rpc_reason
rpc_reason_classify(long code, const char *message)
{
	size_t i;

	/* EIP-1474 / execution-apis: 3 is "execution reverted" with data. */
	if (code == 3)
		return RPC_REASON_CALL_FAILS;
	if (message == NULL)
		return RPC_REASON_OTHER;
	for (i = 0; i < sizeof(rpc_reasons) / sizeof(rpc_reasons[0]); i++)
		if (strcasestr(message, rpc_reasons[i].needle) != NULL)
			return rpc_reasons[i].reason;
	return RPC_REASON_OTHER;
}

static void
rpc_set_error(struct rpc_error *err, int kind, long code, const char *msg)
{
	err->kind = kind;
	err->code = code;
	snprintf(err->message, sizeof(err->message), "%s",
	    msg == NULL ? "" : msg);
	err->reason = kind == ANCHOR_ERPC ? rpc_reason_classify(code, msg)
	    : kind == ANCHOR_ETRANSPORT	  ? RPC_REASON_UNREACHABLE
	    : kind == 0			  ? RPC_REASON_NONE
					  : RPC_REASON_OTHER;
}

static size_t
rpc_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct rpc_client *c = arg;
	size_t		   n = size * nmemb, ncap;
	char		  *p;

	if (c->body_len + n + 1 > RPC_BODY_MAX) {
		c->body_overflow = 1;
		return 0; /* aborts the transfer */
	}
	if (c->body_len + n + 1 > c->body_cap) {
		ncap = c->body_cap == 0 ? 4096 : c->body_cap;
		while (ncap < c->body_len + n + 1)
			ncap *= 2;
		if ((p = realloc(c->body, ncap)) == NULL)
			return 0;
		c->body = p;
		c->body_cap = ncap;
	}
	memcpy(c->body + c->body_len, ptr, n);
	c->body_len += n;
	c->body[c->body_len] = '\0';
	return n;
}

int
rpc_client_create(const char *url, long connect_timeout_ms, long timeout_ms,
    struct rpc_client **out)
{
	struct rpc_client *c;
	struct curl_slist *h;

	*out = NULL;
	if (url == NULL || connect_timeout_ms <= 0 || timeout_ms <= 0)
		return ANCHOR_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ANCHOR_ENOMEM;
	c->next_id = 1;
	if ((c->url = strdup(url)) == NULL ||
	    (c->curl = curl_easy_init()) == NULL)
		goto fail;
	if ((h = curl_slist_append(NULL, "Content-Type: application/json")) ==
	    NULL)
		goto fail;
	c->headers = h;
	if ((h = curl_slist_append(c->headers, "Accept: application/json")) ==
	    NULL)
		goto fail;
	c->headers = h;
	if (curl_easy_setopt(c->curl, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https") !=
		CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers) !=
		CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
		connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms) !=
		CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, rpc_write_cb) !=
		CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_err) !=
		CURLE_OK)
		goto fail;
	*out = c;
	return 0;
fail:
	rpc_client_free(c);
	return ANCHOR_ENOMEM;
}

void
rpc_client_free(struct rpc_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c->body);
	free(c);
}

const struct rpc_error *
rpc_last_error(const struct rpc_client *c)
{
	return &c->err;
}

/* A JSON number as a long, clamped: a node may send any double. */
static long
rpc_long(double d)
{
	if (!(d == d))
		return 0;
	if (d >= (double)LONG_MAX)
		return LONG_MAX;
	if (d <= (double)LONG_MIN)
		return LONG_MIN;
	return (long)d;
}

int
rpc_response_parse(const char *body, size_t len, long id, cJSON **result,
    struct rpc_error *err)
{
	cJSON *root, *v, *e, *code, *msg;
	int    rc;

	*result = NULL;
	if ((root = cJSON_ParseWithLength(body, len)) == NULL ||
	    !cJSON_IsObject(root)) {
		rpc_set_error(err, ANCHOR_EPARSE, 0, "response is not JSON");
		rc = ANCHOR_EPARSE;
		goto done;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0) {
		rpc_set_error(err, ANCHOR_EPARSE, 0,
		    "not a JSON-RPC 2.0 answer");
		rc = ANCHOR_EPARSE;
		goto done;
	}
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (e != NULL && !cJSON_IsNull(e)) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		rpc_set_error(err, ANCHOR_ERPC,
		    cJSON_IsNumber(code) ? rpc_long(code->valuedouble) : 0,
		    cJSON_IsString(msg) ? msg->valuestring : "");
		rc = ANCHOR_ERPC;
		goto done;
	}
	/* Errors may carry a null id; results must carry ours. */
	v = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)id) {
		rpc_set_error(err, ANCHOR_EPARSE, 0, "response id mismatch");
		rc = ANCHOR_EPARSE;
		goto done;
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "result") == NULL) {
		rpc_set_error(err, ANCHOR_EPARSE, 0, "no result and no error");
		rc = ANCHOR_EPARSE;
		goto done;
	}
	v = cJSON_DetachItemFromObjectCaseSensitive(root, "result");
	if (cJSON_IsNull(v)) {
		cJSON_Delete(v);
		rpc_set_error(err, ANCHOR_ENULL, 0, "null result");
		rc = ANCHOR_ENULL;
		goto done;
	}
	*result = v;
	rc = 0;
done:
	cJSON_Delete(root);
	return rc;
}

int
rpc_call(struct rpc_client *c, const char *method, cJSON *params,
    cJSON **result)
{
	cJSON	*req = NULL;
	char	*text = NULL;
	long	 id, status = 0;
	CURLcode cc;
	int	 rc;

	*result = NULL;
	memset(&c->err, 0, sizeof(c->err));
	if (params == NULL && (params = cJSON_CreateArray()) == NULL)
		return ANCHOR_ENOMEM;
	id = c->next_id++;
	if ((req = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(params);
		return ANCHOR_ENOMEM;
	}
	if (cJSON_AddStringToObject(req, "jsonrpc", "2.0") == NULL ||
	    cJSON_AddNumberToObject(req, "id", (double)id) == NULL ||
	    cJSON_AddStringToObject(req, "method", method) == NULL) {
		cJSON_Delete(params);
		rc = ANCHOR_ENOMEM;
		goto done;
	}
	cJSON_AddItemToObject(req, "params", params);
	if ((text = cJSON_PrintUnformatted(req)) == NULL) {
		rc = ANCHOR_ENOMEM;
		goto done;
	}
	c->body_len = 0;
	c->body_overflow = 0;
	c->curl_err[0] = '\0';
	if (curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, text) != CURLE_OK) {
		rc = ANCHOR_ENOMEM;
		goto done;
	}
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	c->err.http_status = status;
	if (cc != CURLE_OK) {
		rpc_set_error(&c->err, ANCHOR_ETRANSPORT, 0,
		    c->body_overflow		 ? "response too large"
			: c->curl_err[0] != '\0' ? c->curl_err
						 : curl_easy_strerror(cc));
		c->err.http_status = status;
		if (cc == CURLE_OPERATION_TIMEDOUT)
			c->err.reason = RPC_REASON_TIMEOUT;
		rc = ANCHOR_ETRANSPORT;
		goto done;
	}
	rc = rpc_response_parse(c->body == NULL ? "" : c->body, c->body_len, id,
	    result, &c->err);
	c->err.http_status = status;
	/* A non-200 answer counts only if it is a JSON-RPC error. */
	if (status != 200 && rc != ANCHOR_ERPC) {
		cJSON_Delete(*result);
		*result = NULL;
		rpc_set_error(&c->err, ANCHOR_ETRANSPORT, 0, "HTTP status");
		snprintf(c->err.message, sizeof(c->err.message),
		    "HTTP status %ld", status);
		rc = ANCHOR_ETRANSPORT;
	}
done:
	cJSON_free(text);
	cJSON_Delete(req);
	return rc;
}

/* --- typed wrappers ----------------------------------------------------- */

static int
rpc_bad_shape(struct rpc_client *c, const char *what)
{
	rpc_set_error(&c->err, ANCHOR_EPARSE, 0, what);
	return ANCHOR_EPARSE;
}

static int
rpc_json_quantity(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsString(v))
		return ANCHOR_EPARSE;
	return anchor_hex_quantity_parse(v->valuestring, out) == 0
	    ? 0
	    : ANCHOR_EPARSE;
}

static int
rpc_json_bytes(const cJSON *v, uint8_t *out, size_t len)
{
	if (!cJSON_IsString(v))
		return ANCHOR_EPARSE;
	return anchor_hex_decode(v->valuestring, strlen(v->valuestring), out,
		   len) == 0
	    ? 0
	    : ANCHOR_EPARSE;
}

static int
rpc_field_quantity(const cJSON *obj, const char *name, uint64_t *out)
{
	return rpc_json_quantity(cJSON_GetObjectItemCaseSensitive(obj, name),
	    out);
}

static int
rpc_field_bytes(const cJSON *obj, const char *name, uint8_t *out, size_t len)
{
	return rpc_json_bytes(cJSON_GetObjectItemCaseSensitive(obj, name), out,
	    len);
}

/* A call whose result is one quantity. */
static int
rpc_quantity_call(struct rpc_client *c, const char *method, cJSON *params,
    uint64_t *out)
{
	cJSON *res;
	int    rc;

	if ((rc = rpc_call(c, method, params, &res)) != 0)
		return rc;
	rc = rpc_json_quantity(res, out);
	cJSON_Delete(res);
	return rc == 0 ? 0 : rpc_bad_shape(c, "result is not a quantity");
}

cJSON *
rpc_hex_string(const uint8_t *b, size_t len)
{
	cJSON *s;
	char  *hex;

	if ((hex = malloc(2 * len + 3)) == NULL)
		return NULL;
	hex[0] = '0';
	hex[1] = 'x';
	anchor_hex_encode(b, len, hex + 2, 2 * len + 1);
	s = cJSON_CreateString(hex);
	free(hex);
	return s;
}

/* params = [a] or [a, b]; takes a and b even on failure. */
static cJSON *
rpc_params(cJSON *a, cJSON *b)
{
	cJSON *p;

	if (a == NULL || (p = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(a);
		cJSON_Delete(b);
		return NULL;
	}
	cJSON_AddItemToArray(p, a);
	if (b != NULL)
		cJSON_AddItemToArray(p, b);
	return p;
}

int
rpc_chain_id(struct rpc_client *c, uint64_t *chain_id)
{
	return rpc_quantity_call(c, "eth_chainId", NULL, chain_id);
}

int
rpc_block_number(struct rpc_client *c, uint64_t *number)
{
	return rpc_quantity_call(c, "eth_blockNumber", NULL, number);
}

int
rpc_gas_price(struct rpc_client *c, uint64_t *wei)
{
	return rpc_quantity_call(c, "eth_gasPrice", NULL, wei);
}

int
rpc_max_priority_fee_per_gas(struct rpc_client *c, uint64_t *wei)
{
	return rpc_quantity_call(c, "eth_maxPriorityFeePerGas", NULL, wei);
}

int
rpc_get_transaction_count(struct rpc_client *c,
    const uint8_t address[EVM_ADDRESS_LEN], const char *block, uint64_t *count)
{
	cJSON *p;

	if ((p = rpc_params(rpc_hex_string(address, EVM_ADDRESS_LEN),
		 cJSON_CreateString(block))) == NULL)
		return ANCHOR_ENOMEM;
	return rpc_quantity_call(c, "eth_getTransactionCount", p, count);
}

int
rpc_get_balance(struct rpc_client *c, const uint8_t address[EVM_ADDRESS_LEN],
    uint64_t *wei)
{
	const char *h;
	cJSON	   *p, *res;
	size_t	    n;
	int	    rc;

	if ((p = rpc_params(rpc_hex_string(address, EVM_ADDRESS_LEN),
		 cJSON_CreateString("latest"))) == NULL)
		return ANCHOR_ENOMEM;
	if ((rc = rpc_call(c, "eth_getBalance", p, &res)) != 0)
		return rc;
	rc = rpc_json_quantity(res, wei);
	if (rc != 0 && cJSON_IsString(res)) {
		/* More than 64 bits of wei: saturate if it is a quantity. */
		h = res->valuestring;
		n = strlen(h);
		if (n > 18 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') &&
		    h[2] != '0' &&
		    strspn(h + 2, "0123456789abcdefABCDEF") == n - 2) {
			*wei = UINT64_MAX;
			rc = 0;
		}
	}
	cJSON_Delete(res);
	return rc == 0 ? 0 : rpc_bad_shape(c, "result is not a quantity");
}

int
rpc_estimate_gas(struct rpc_client *c, const uint8_t from[EVM_ADDRESS_LEN],
    const uint8_t to[EVM_ADDRESS_LEN], const uint8_t *data, size_t data_len,
    uint64_t *gas)
{
	cJSON *call, *p;

	if ((call = cJSON_CreateObject()) == NULL)
		return ANCHOR_ENOMEM;
	cJSON_AddItemToObject(call, "from",
	    rpc_hex_string(from, EVM_ADDRESS_LEN));
	cJSON_AddItemToObject(call, "to", rpc_hex_string(to, EVM_ADDRESS_LEN));
	cJSON_AddItemToObject(call, "data", rpc_hex_string(data, data_len));
	if (cJSON_GetArraySize(call) != 3) {
		cJSON_Delete(call);
		return ANCHOR_ENOMEM;
	}
	if ((p = rpc_params(call, NULL)) == NULL)
		return ANCHOR_ENOMEM;
	return rpc_quantity_call(c, "eth_estimateGas", p, gas);
}

int
rpc_send_raw_transaction(struct rpc_client *c, const uint8_t *raw,
    size_t raw_len, uint8_t tx_hash[32])
{
	cJSON *p, *res;
	int    rc;

	if ((p = rpc_params(rpc_hex_string(raw, raw_len), NULL)) == NULL)
		return ANCHOR_ENOMEM;
	if ((rc = rpc_call(c, "eth_sendRawTransaction", p, &res)) != 0)
		return rc;
	rc = rpc_json_bytes(res, tx_hash, 32);
	cJSON_Delete(res);
	return rc == 0 ? 0 : rpc_bad_shape(c, "result is not a hash");
}

static int
rpc_hash_call(struct rpc_client *c, const char *method, const uint8_t hash[32],
    cJSON **res)
{
	cJSON *p;

	if ((p = rpc_params(rpc_hex_string(hash, 32), NULL)) == NULL)
		return ANCHOR_ENOMEM;
	return rpc_call(c, method, p, res);
}

int
rpc_get_transaction_receipt(struct rpc_client *c, const uint8_t hash[32],
    struct rpc_receipt *out)
{
	cJSON	*res;
	uint64_t status;
	int	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rpc_hash_call(c, "eth_getTransactionReceipt", hash, &res)) !=
	    0)
		return rc;
	if (!cJSON_IsObject(res) ||
	    rpc_field_bytes(res, "transactionHash", out->tx_hash, 32) != 0 ||
	    rpc_field_bytes(res, "blockHash", out->block_hash, 32) != 0 ||
	    rpc_field_quantity(res, "blockNumber", &out->block_number) != 0 ||
	    rpc_field_quantity(res, "gasUsed", &out->gas_used) != 0 ||
	    rpc_field_quantity(res, "status", &status) != 0 || status > 1) {
		cJSON_Delete(res);
		return rpc_bad_shape(c, "malformed receipt");
	}
	out->status = (int)status;
	/* effectiveGasPrice is absent on some pre-London nodes. */
	if (rpc_field_quantity(res, "effectiveGasPrice",
		&out->effective_gas_price) != 0)
		out->effective_gas_price = 0;
	cJSON_Delete(res);
	return 0;
}

int
rpc_get_transaction_by_hash(struct rpc_client *c, const uint8_t hash[32],
    struct rpc_tx *out)
{
	const cJSON *v;
	cJSON	    *res;
	int	     rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rpc_hash_call(c, "eth_getTransactionByHash", hash, &res)) !=
	    0)
		return rc;
	rc = ANCHOR_EPARSE;
	if (!cJSON_IsObject(res) ||
	    rpc_field_bytes(res, "hash", out->hash, 32) != 0 ||
	    rpc_field_quantity(res, "nonce", &out->nonce) != 0 ||
	    rpc_field_bytes(res, "from", out->from, EVM_ADDRESS_LEN) != 0)
		goto fail;
	if (rpc_field_quantity(res, "type", &out->type) != 0)
		out->type = 0;
	v = cJSON_GetObjectItemCaseSensitive(res, "to");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (rpc_json_bytes(v, out->to, EVM_ADDRESS_LEN) != 0)
			goto fail;
		out->has_to = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(res, "blockHash");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (rpc_json_bytes(v, out->block_hash, 32) != 0 ||
		    rpc_field_quantity(res, "blockNumber",
			&out->block_number) != 0)
			goto fail;
		out->mined = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(res, "input");
	if (!cJSON_IsString(v) ||
	    anchor_hex_decode_var(v->valuestring, strlen(v->valuestring),
		out->input, sizeof(out->input), &out->input_len) != 0)
		goto fail;
	cJSON_Delete(res);
	return 0;
fail:
	cJSON_Delete(res);
	return rpc_bad_shape(c, "malformed transaction");
}

int
rpc_get_block_by_number(struct rpc_client *c, const char *tag, uint64_t number,
    struct rpc_block *out)
{
	char   q[24];
	cJSON *p, *res;
	int    rc;

	memset(out, 0, sizeof(*out));
	if (tag == NULL) {
		anchor_hex_quantity_format(number, q, sizeof(q));
		tag = q;
	}
	if ((p = rpc_params(cJSON_CreateString(tag), cJSON_CreateFalse())) ==
	    NULL)
		return ANCHOR_ENOMEM;
	if ((rc = rpc_call(c, "eth_getBlockByNumber", p, &res)) != 0)
		return rc;
	if (!cJSON_IsObject(res) ||
	    rpc_field_quantity(res, "number", &out->number) != 0 ||
	    rpc_field_bytes(res, "hash", out->hash, 32) != 0 ||
	    rpc_field_bytes(res, "parentHash", out->parent_hash, 32) != 0 ||
	    rpc_field_quantity(res, "timestamp", &out->timestamp) != 0) {
		cJSON_Delete(res);
		return rpc_bad_shape(c, "malformed block");
	}
	out->has_base_fee = rpc_field_quantity(res, "baseFeePerGas",
				&out->base_fee_per_gas) == 0;
	cJSON_Delete(res);
	return 0;
}
