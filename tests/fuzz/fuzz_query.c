/*
 * tests/fuzz/fuzz_query.c — query strings, from the bytes after "?" to the
 * values the handlers act on.  The string is split and decoded the way
 * libmicrohttpd does it for MHD_GET_ARGUMENT_KIND (pairs split at '&',
 * key and value at the first '=', '+' read as a space, then its own
 * MHD_http_unescape for %XX), and each handler's reader runs on what
 * MHD_lookup_connection_value would answer (the first pair of a key, cut
 * at a decoded NUL like every C string):
 *
 *   GET /v1/projects ?scope=&before=&limit=	project_list_opts_parse
 *   GET /v1/me/ledger ?before=&limit=		market_parse_id, <= LC_LEDGER_PAGE
 *   GET /v1/me/reputation ?project=&limit=	market_parse_id
 *
 * market_parse_id must agree with a plain reference (1 to 18 decimal
 * digits, value > 0); a page option accepted is within its bounds and
 * equals the value given; a refusal leaves a NUL-terminated detail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32

struct pair {
	const char *key, *value;
};

/* The reference: 1..18 ASCII digits whose value is positive. */
static int
ref_parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t	i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

static void
check_id(const char *s)
{
	int64_t a = -1, b = -2;
	int	ra, rb;

	ra = market_parse_id(s, &a);
	rb = ref_parse_id(s, &b);
	if (ra != rb || (ra == 0 && a != b))
		abort();
}

static void
unescape(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '+')
			*p = ' ';
	(void)MHD_http_unescape(s);
}

/* Split q in place into pairs, as MHD_parse_arguments_ does. */
static int
split(char *q, struct pair *pairs)
{
	char *amp, *eq;
	int   n = 0;

	while (q != NULL && *q != '\0' && n < MAX_PAIRS) {
		if ((amp = strchr(q, '&')) != NULL)
			*amp++ = '\0';
		if ((eq = strchr(q, '=')) != NULL)
			*eq++ = '\0';
		unescape(q);
		if (eq != NULL)
			unescape(eq);
		pairs[n].key = q;
		pairs[n].value = eq; /* "?a" has no value: NULL */
		n++;
		q = amp;
	}
	return n;
}

static const char *
lookup(const struct pair *pairs, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(pairs[i].key, key) == 0)
			return pairs[i].value;
	return NULL;
}

static void
check_projects(const struct pair *pairs, int n)
{
	struct project_list_opts o;
	const char		*scope = lookup(pairs, n, "scope");
	const char		*before = lookup(pairs, n, "before");
	const char		*limit = lookup(pairs, n, "limit");
	char			 detail[LC_DETAIL_LEN] = "";
	int64_t			 v;

	if (project_list_opts_parse(scope, before, limit, &o, detail) != 0) {
		if (memchr(detail, '\0', sizeof(detail)) == NULL)
			abort();
		return;
	}
	if (o.limit < 1 || o.limit > LC_MAX_PROJECTS_LISTED || o.before < 0)
		abort();
	if (before != NULL && (ref_parse_id(before, &v) != 0 || v != o.before))
		abort();
	if (before == NULL && o.before != 0)
		abort();
	if (limit != NULL && (ref_parse_id(limit, &v) != 0 || v != o.limit))
		abort();
	if (limit == NULL && o.limit != LC_PROJECTS_PAGE)
		abort();
	if (scope != NULL && strcmp(scope, "own") != 0 &&
	    strcmp(scope, "label") != 0 && strcmp(scope, "all") != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pair pairs[MAX_PAIRS];
	char	   *q;
	int	    n, i;

	if (size > LC_MAX_URL_BYTES)
		return 0; /* refused before any handler runs */
	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	n = split(q, pairs);
	for (i = 0; i < n; i++) {
		if (strlen(pairs[i].key) > size)
			abort();
		check_id(pairs[i].value);
	}
	check_projects(pairs, n);
	check_id(lookup(pairs, n, "project"));
	free(q);
	return 0;
}
