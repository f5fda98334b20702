/*
 * tests/fuzz/fuzz_route.c — the request path matcher against arbitrary
 * method/path bytes: never crash, captures always NUL-terminated and short.
 * Input: method, '\0', path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req req;
	char	       *buf, allow[64];
	const char     *method, *path;
	size_t		mlen;
	int		known, r, i;

	if ((buf = malloc(size + 2)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	method = buf;
	mlen = strlen(buf);
	path = buf + (mlen < size ? mlen + 1 : size);
	memset(&req, 0, sizeof(req));
	r = route_find(method, path, &req, &known, allow, sizeof(allow));
	if (r >= 0) {
		if ((size_t)r >= routes_count || req.nparams < 0 ||
		    req.nparams > LC_MAX_PATH_PARAMS)
			abort();
		for (i = 0; i < req.nparams; i++)
			if (memchr(req.params[i], '\0',
				sizeof(req.params[i])) == NULL ||
			    strchr(req.params[i], '/') != NULL)
				abort();
	} else if (strlen(allow) >= sizeof(allow))
		abort();
	free(buf);
	return 0;
}
