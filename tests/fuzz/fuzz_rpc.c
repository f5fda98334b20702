/*
 * tests/fuzz/fuzz_rpc.c — the JSON-RPC response parser (anchor/rpc.h,
 * rpc_response_parse) on a node's reply: never crash, a result only on 0
 * and never a JSON null, an error kind equal to the return code otherwise,
 * a NUL-terminated message.  A string result is then read the way the
 * typed wrappers read it: as a quantity, which must format back to itself
 * up to case, and as hex bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_string_result(const char *s)
{
	uint8_t	 bytes[RPC_TX_INPUT_MAX];
	char	 back[24];
	uint64_t q;
	size_t	 n;

	if (anchor_hex_quantity_parse(s, &q) == 0) {
		if (anchor_hex_quantity_format(q, back, sizeof(back)) != 0 ||
		    strcasecmp(back, s) != 0)
			abort();
	}
	if (anchor_hex_decode_var(s, strlen(s), bytes, sizeof(bytes), &n) ==
	    0) {
		if (n > sizeof(bytes))
			abort();
	}
	(void)anchor_hex_decode(s, strlen(s), bytes, 32);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_error err;
	cJSON		*result;
	int		 rc;

	memset(&err, 0, sizeof(err));
	rc = rpc_response_parse((const char *)data, size, 1, &result, &err);
	if (rc == 0) {
		if (result == NULL || cJSON_IsNull(result) || err.kind != 0)
			abort();
		if (cJSON_IsString(result))
			check_string_result(result->valuestring);
		cJSON_Delete(result);
	} else {
		if (result != NULL || err.kind != rc ||
		    (rc != ANCHOR_ERPC && rc != ANCHOR_ENULL &&
			rc != ANCHOR_EPARSE) ||
		    memchr(err.message, '\0', sizeof(err.message)) == NULL)
			abort();
	}
	return 0;
}
