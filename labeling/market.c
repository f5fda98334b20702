/*
 * labeling/market.c — shared helpers of the market modules (market.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "anchor/utf8.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"

const char *
market_i64(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

const char *
market_f64(char buf[32], double v)
{
	snprintf(buf, 32, "%.17g", v);
	return buf;
}

/* Append text to an array literal being built in buf; -1 when full. */
static int
market_array_put(char *buf, size_t cap, size_t *off, const char *text)
{
	size_t n = strlen(text);

	if (*off + n + 2 > cap) /* room for the closing "}" and NUL */
		return -1;
	memcpy(buf + *off, text, n + 1);
	*off += n;
	return 0;
}

int
market_array_i64(char *buf, size_t cap, const int64_t *v, size_t n)
{
	char   num[24];
	size_t i, off = 0;

	if (market_array_put(buf, cap, &off, "{") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && market_array_put(buf, cap, &off, ",") != 0) ||
		    market_array_put(buf, cap, &off, market_i64(num, v[i])) !=
			0)
			return -1;
	return market_array_put(buf, cap, &off, "}");
}

int
market_array_f64(char *buf, size_t cap, const double *v, size_t n)
{
	char   num[32];
	size_t i, off = 0;

	if (market_array_put(buf, cap, &off, "{") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && market_array_put(buf, cap, &off, ",") != 0) ||
		    market_array_put(buf, cap, &off, market_f64(num, v[i])) !=
			0)
			return -1;
	return market_array_put(buf, cap, &off, "}");
}

int
market_array_text(char *buf, size_t cap, const char *const *v, size_t n)
{
	const char *c;
	char	    one[3];
	size_t	    i, off = 0;

	if (market_array_put(buf, cap, &off, "{") != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && market_array_put(buf, cap, &off, ",") != 0)
			return -1;
		if (v[i] == NULL) {
			if (market_array_put(buf, cap, &off, "NULL") != 0)
				return -1;
			continue;
		}
		if (market_array_put(buf, cap, &off, "\"") != 0)
			return -1;
		for (c = v[i]; *c != '\0'; c++) {
			one[0] = (*c == '"' || *c == '\\') ? '\\' : *c;
			one[1] = (*c == '"' || *c == '\\') ? *c : '\0';
			one[2] = '\0';
			if (market_array_put(buf, cap, &off, one) != 0)
				return -1;
		}
		if (market_array_put(buf, cap, &off, "\"") != 0)
			return -1;
	}
	return market_array_put(buf, cap, &off, "}");
}

int
market_fail(char *detail, int code, const char *fmt, ...)
{
	va_list ap;

	if (detail != NULL) {
		va_start(ap, fmt);
		vsnprintf(detail, LC_DETAIL_LEN, fmt, ap);
		va_end(ap);
	}
	return code;
}

void
market_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int
market_is_hex(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
market_parse_id(const char *s, int64_t *out)
{
	char	 *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

cJSON *
market_json_i64(cJSON *obj, const char *name, int64_t v)
{
	char buf[24];

	return cJSON_AddRawToObject(obj, name, market_i64(buf, v));
}

int
market_json_get_i64(const cJSON *obj, const char *name, int64_t min,
    int64_t max, int64_t *out, char *detail)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double	     d;

	if (v == NULL || !cJSON_IsNumber(v))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "%s must be an integer", name);
	d = v->valuedouble;
	if (d != d || d < -9007199254740992.0 || d > 9007199254740992.0 ||
	    d != (double)(int64_t)d)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "%s must be an integer", name);
	if ((int64_t)d < min || (int64_t)d > max)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "%s must be between %" PRId64 " and %" PRId64, name, min,
		    max);
	*out = (int64_t)d;
	return 0;
}

const char *
market_json_get_str(const cJSON *obj, const char *name, size_t maxlen,
    char *detail)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t	     n;

	if (v == NULL || !cJSON_IsString(v) || v->valuestring == NULL) {
		market_fail(detail, LC_ERR_VALIDATION, "%s must be a string",
		    name);
		return NULL;
	}
	n = strlen(v->valuestring);
	if (n == 0 || n > maxlen) {
		market_fail(detail, LC_ERR_VALIDATION,
		    "%s must hold 1 to %zu bytes", name, maxlen);
		return NULL;
	}
	return v->valuestring;
}

/* A "\u0000" escape: "\\u0000" preceded by an even number of backslashes. */
static int
market_json_has_nul_escape(const char *text, size_t len)
{
	size_t i, back;

	for (i = 0; i + 6 <= len; i++) {
		if (text[i] != '\\' || memcmp(text + i + 1, "u0000", 5) != 0)
			continue;
		for (back = 0; back < i && text[i - 1 - back] == '\\'; back++)
			;
		if (back % 2 == 0)
			return 1;
	}
	return 0;
}

static int
market_json_finite(const cJSON *j)
{
	const cJSON *c;

	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
		return 0;
	for (c = j->child; c != NULL; c = c->next)
		if (!market_json_finite(c))
			return 0;
	return 1;
}

int
market_json_parse(const char *text, size_t len, cJSON **out, char *detail)
{
	const char *end = NULL;
	cJSON	   *j;

	*out = NULL;
	/* cJSON takes bytes as they come; JSON must be UTF-8 (RFC 8259
	 * §8.1), and PostgreSQL would refuse anything else later. */
	if (!utf8_valid(text, len))
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "the body is not valid UTF-8");
	if (market_json_has_nul_escape(text, len))
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "\\u0000 is not allowed in strings");
	j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (j == NULL)
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "the body is not valid JSON");
	while (end != NULL && end < text + len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end == NULL || end != text + len) {
		cJSON_Delete(j);
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "unexpected text after the JSON value");
	}
	if (!market_json_finite(j)) {
		cJSON_Delete(j);
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "a number is outside the range of a double");
	}
	*out = j;
	return 0;
}

int
market_split_labels(char *buf, size_t cap, const char *joined,
    const char **labels, int *n)
{
	char  *s, *nl;
	size_t len;

	*n = 0;
	if (joined == NULL || (len = strlen(joined)) >= cap)
		return -1;
	memcpy(buf, joined, len + 1);
	for (s = buf; s != NULL; s = nl) {
		if (*n == LC_MAX_LABELS)
			return -1;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		labels[(*n)++] = s;
	}
	return *n >= LC_MIN_LABELS ? 0 : -1;
}
