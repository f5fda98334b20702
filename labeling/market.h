/*
 * labeling/market.h — what the market's modules share: roles, the detail
 * buffer that carries a human explanation next to an LC_ERR_* code, the
 * market's run-time settings, and tiny formatting helpers for text SQL
 * parameters.
 *
 * Every domain function of the market takes a `char *detail` of
 * LC_DETAIL_LEN bytes (the HTTP layer passes req->detail); on failure it
 * may write one sentence there for the problem+json `detail` field.
 */
#ifndef LC_MARKET_H
#define LC_MARKET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define LC_DETAIL_LEN 256

#define ACCOUNT_ROLE_LABELER 0x1u
#define ACCOUNT_ROLE_REQUESTER 0x2u

/* Timestamps in responses and leaf records: UTC, milliseconds, "…Z". */
#define SQL_TS(x) \
	"to_char((" x ") AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

struct market_cfg {
	int session_ttl_s;	/* sign-in session lifetime */
	int lease_s;		/* assignment lease */
	int unstake_cooldown_s; /* unstake -> balance delay */
};

/* Decimal text of v in buf (24 bytes); returns buf. */
const char *market_i64(char buf[24], int64_t v);
/* Shortest round-trip text of a double in buf (32 bytes); returns buf. */
const char *market_f64(char buf[32], double v);
/*
 * PostgreSQL array literals ("{…}") for text parameters: n values into buf
 * (cap bytes).  0, or -1 when buf is too small.  Text elements are quoted
 * and escaped; a NULL pointer becomes NULL.
 */
int market_array_i64(char *buf, size_t cap, const int64_t *v, size_t n);
int market_array_f64(char *buf, size_t cap, const double *v, size_t n);
int market_array_text(char *buf, size_t cap, const char *const *v, size_t n);

/*
 * Split a project's labels, as array_to_string(p.labels, E'\n') gives them,
 * into labels[] (LC_MAX_LABELS) pointing into buf (cap bytes).  0, or -1
 * when they do not fit or are fewer than LC_MIN_LABELS.
 */
int market_split_labels(char *buf, size_t cap, const char *joined,
    const char **labels, int *n);

/* Write a detail (may be NULL) and return `code`. */
int market_fail(char *detail, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Lower-case hex SHA-256 of data. */
void market_sha256_hex(const void *data, size_t len, char out[65]);
/* 1 when s is exactly `len` lower-case hex digits. */
int market_is_hex(const char *s, size_t len);
/* Parse a strictly decimal positive int64 (no sign, no spaces). */
int market_parse_id(const char *s, int64_t *out);

/* Add an integer as an exact JSON number (cJSON numbers are doubles). */
cJSON *market_json_i64(cJSON *obj, const char *name, int64_t v);
/*
 * Read obj.name as an integer in [min, max]: LC_ERR_VALIDATION (with a
 * detail) when absent, not a number, fractional or out of range.
 */
int market_json_get_i64(const cJSON *obj, const char *name, int64_t min,
    int64_t max, int64_t *out, char *detail);
/*
 * Parse outside JSON strictly: one value and nothing but white space after
 * it, no "\u0000" escape (cJSON would cut the string there, so a label or
 * a task would silently change), no number outside the double range
 * (cJSON would turn 1e400 into null).  LC_ERR_BAD_JSON with a detail.
 * The caller owns *out (cJSON_Delete).
 */
int market_json_parse(const char *text, size_t len, cJSON **out, char *detail);

/* obj.name as a string of 1..maxlen bytes; NULL with detail otherwise. */
const char *market_json_get_str(const cJSON *obj, const char *name,
    size_t maxlen, char *detail);

#endif
