/*
 * server/anchor_chain.h — untyped JSON-RPC calls for the anchoring worker
 * and `labelctl verify --rpc`: one method name, a JSON params text, the
 * node's result as cJSON, and the node's error message kept verbatim so
 * that "already known" / "nonce too low" / "underpriced" can be told apart.
 *
 * Keys, signing and the anchor calldata come from anchor/evm_key.h and
 * anchor/evm_tx.h.  anchor/rpc.h (typed calls) landed while this was
 * written; moving the worker onto it is a follow-up.
 *
 * Ownership: chain_rpc_call() hands the caller a cJSON result to
 * cJSON_Delete().
 */
#ifndef LC_ANCHOR_CHAIN_H
#define LC_ANCHOR_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CHAIN_MAX_RAW_TX 512 /* bytes of a signed anchor transaction */

struct chain_rpc;

/* Returns 0 or ANCHOR_ENOMEM. timeout_ms bounds each call. */
int  chain_rpc_create(const char *url, long timeout_ms, struct chain_rpc **out);
void chain_rpc_free(struct chain_rpc *rpc); /* NULL is a no-op */

/*
 * Call method with params (a JSON array text).  0 and *result (the caller's);
 * ANCHOR_ENULL when the result is null; ANCHOR_ERPC with the node's message
 * in err; ANCHOR_ETRANSPORT; ANCHOR_EPARSE.
 */
int chain_rpc_call(struct chain_rpc *rpc, const char *method,
    const char *params, cJSON **result, char *err, size_t errlen);
/* As chain_rpc_call() for a method returning one quantity. */
int chain_rpc_quantity(struct chain_rpc *rpc, const char *method,
    const char *params, uint64_t *out);
/* obj[key] as a quantity; ANCHOR_EPARSE if missing or malformed. */
int chain_json_quantity(const cJSON *obj, const char *key, uint64_t *out);
/* obj[key] as a string, or NULL. */
const char *chain_json_string(const cJSON *obj, const char *key);

#endif
