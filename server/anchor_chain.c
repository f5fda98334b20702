/*
 * server/anchor_chain.c — untyped JSON-RPC over libcurl (anchor_chain.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "server/anchor_chain.h"

#define CHAIN_MAX_RESPONSE (4 * 1024 * 1024)

struct chain_rpc {
	CURL	*curl;
	char	*url;
	long	 timeout_ms;
	unsigned id;
};

struct chain_buf {
	char  *data;
	size_t len;
	int    overflow;
};

static size_t
chain_write(char *p, size_t size, size_t n, void *arg)
{
	struct chain_buf *b = arg;
	size_t		  len = size * n;
	char		 *d;

	if (b->len + len > CHAIN_MAX_RESPONSE) {
		b->overflow = 1;
		return 0;
	}
	if ((d = realloc(b->data, b->len + len + 1)) == NULL)
		return 0;
	b->data = d;
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

int
chain_rpc_create(const char *url, long timeout_ms, struct chain_rpc **out)
{
	struct chain_rpc *rpc;

	*out = NULL;
	if ((rpc = calloc(1, sizeof(*rpc))) == NULL)
		return ANCHOR_ENOMEM;
	if ((rpc->curl = curl_easy_init()) == NULL ||
	    (rpc->url = strdup(url)) == NULL) {
		chain_rpc_free(rpc);
		return ANCHOR_ENOMEM;
	}
	rpc->timeout_ms = timeout_ms;
	*out = rpc;
	return 0;
}

void
chain_rpc_free(struct chain_rpc *rpc)
{
	if (rpc == NULL)
		return;
	if (rpc->curl != NULL)
		curl_easy_cleanup(rpc->curl);
	free(rpc->url);
	free(rpc);
}

int
chain_rpc_call(struct chain_rpc *rpc, const char *method, const char *params,
    cJSON **result, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	struct chain_buf   buf = { NULL, 0, 0 };
	cJSON		  *doc = NULL, *r, *e;
	char		  *body = NULL;
	long		   status = 0;
	int		   rc = ANCHOR_ETRANSPORT;

	*result = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (asprintf(&body,
		"{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\","
		"\"params\":%s}",
		++rpc->id, method, params ? params : "[]") < 0)
		return ANCHOR_ENOMEM;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_reset(rpc->curl);
	curl_easy_setopt(rpc->curl, CURLOPT_URL, rpc->url);
	curl_easy_setopt(rpc->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(rpc->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(rpc->curl, CURLOPT_WRITEFUNCTION, chain_write);
	curl_easy_setopt(rpc->curl, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(rpc->curl, CURLOPT_TIMEOUT_MS, rpc->timeout_ms);
	curl_easy_setopt(rpc->curl, CURLOPT_CONNECTTIMEOUT_MS, rpc->timeout_ms);
	curl_easy_setopt(rpc->curl, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(rpc->curl) != CURLE_OK)
		goto out;
	curl_easy_getinfo(rpc->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 || buf.data == NULL)
		goto out;
	rc = ANCHOR_EPARSE;
	if ((doc = cJSON_Parse(buf.data)) == NULL)
		goto out;
	if ((e = cJSON_GetObjectItemCaseSensitive(doc, "error")) != NULL &&
	    !cJSON_IsNull(e)) {
		const char *m = chain_json_string(e, "message");

		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", m ? m : "error");
		rc = ANCHOR_ERPC;
		goto out;
	}
	if ((r = cJSON_GetObjectItemCaseSensitive(doc, "result")) == NULL)
		goto out;
	if (cJSON_IsNull(r)) {
		rc = ANCHOR_ENULL;
		goto out;
	}
	*result = cJSON_DetachItemViaPointer(doc, r);
	rc = 0;
out:
	cJSON_Delete(doc);
	curl_slist_free_all(hdrs);
	free(buf.data);
	free(body);
	return rc;
}

const char *
chain_json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
chain_json_quantity(const cJSON *obj, const char *key, uint64_t *out)
{
	const char *s = key ? chain_json_string(obj, key)
			    : (cJSON_IsString(obj) ? obj->valuestring : NULL);

	if (s == NULL || anchor_hex_quantity_parse(s, out) != 0)
		return ANCHOR_EPARSE;
	return 0;
}

int
chain_rpc_quantity(struct chain_rpc *rpc, const char *method,
    const char *params, uint64_t *out)
{
	cJSON *r = NULL;
	int    rc;

	if ((rc = chain_rpc_call(rpc, method, params, &r, NULL, 0)) != 0)
		return rc;
	rc = chain_json_quantity(r, NULL, out);
	cJSON_Delete(r);
	return rc;
}
