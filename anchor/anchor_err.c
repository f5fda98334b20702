/*
 * anchor/anchor_err.c — names of the anchor/ error codes.
 */
#include <stddef.h>

#include "anchor/anchor_err.h"

static const struct {
	int	    code;
	const char *name;
} anchor_errors[] = {
	{ ANCHOR_OK, "ok" },
	{ ANCHOR_EINVAL, "invalid argument" },
	{ ANCHOR_ENOMEM, "out of memory" },
	{ ANCHOR_ESTORE, "node not in store" },
	{ ANCHOR_ECRYPTO, "cryptographic library failure" },
	{ ANCHOR_ENOSPC, "buffer too small" },
	{ ANCHOR_EVERIFY, "verification failed" },
	{ ANCHOR_ETRANSPORT, "rpc transport error" },
	{ ANCHOR_ERPC, "rpc error response" },
	{ ANCHOR_ENULL, "rpc null result" },
	{ ANCHOR_EPARSE, "rpc malformed response" },
	{ ANCHOR_EKEY, "unusable key" },
};

const char *
anchor_strerror(int code)
{
	size_t i;

	for (i = 0; i < sizeof(anchor_errors) / sizeof(anchor_errors[0]); i++)
		if (anchor_errors[i].code == code)
			return anchor_errors[i].name;
	return "unknown error";
}
