/*
 * tests/unit/test_market_log.c — the label log's hashing and records:
 * RFC 6962 leaf and node hashes (log_append.h) against known answers, the
 * nodes log_append() stores, the canonical leaf record that
 * finalize_task() appends (DESIGN.md), and log_store_unhex().
 *
 * log_append() and finalize_task() talk SQL through db_exec(); this test is
 * linked with -Wl,--wrap=db_exec so that __wrap_db_exec() below answers
 * each prepared statement from memory with PGresults built by libpq's
 * PQmakeEmptyPGresult() / PQsetvalue().  No database.
 *
 * Known answers: the eight leaves of the Certificate Transparency test
 * suite and the roots of their prefixes.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/log_append.h"
#include "labeling/log_store.h"
#include "reputation/reputation.h"

int __wrap_db_exec(struct db *db, const char *name, int nparams,
    const char *const *params, PGresult **out);

/* ---- known answers ---- */

static const struct {
	const char *bytes;
	size_t	    len;
} CT_LEAVES[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
	    16 },
};

/* Root of the first n + 1 leaves. */
static const char *const CT_ROOTS[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void
hex(const unsigned char h[LOG_HASH_LEN], char out[2 * LOG_HASH_LEN + 1])
{
	sodium_bin2hex(out, 2 * LOG_HASH_LEN + 1, h, LOG_HASH_LEN);
}

/* RFC 6962 §2.1 MTH over leaves [lo, hi), by the definition. */
static void
mth(size_t lo, size_t hi, unsigned char out[LOG_HASH_LEN])
{
	unsigned char l[LOG_HASH_LEN], r[LOG_HASH_LEN];
	size_t	      k = 1;

	if (hi - lo == 1) {
		log_leaf_hash(CT_LEAVES[lo].bytes, CT_LEAVES[lo].len, out);
		return;
	}
	while (2 * k < hi - lo)
		k *= 2;
	mth(lo, lo + k, l);
	mth(lo + k, hi, r);
	log_node_hash(l, r, out);
}

/* ---- the fake database ---- */

#define FAKE_MAX_NODES 64

static struct {
	int64_t size; /* log_head.size */
	int	n_nodes;
	struct {
		int64_t level, idx;
		char	hash[2 * LOG_HASH_LEN + 1];
	} nodes[FAKE_MAX_NODES];
	char	    record[4096]; /* last log_leaves.record */
	char	    leaf_hash[2 * LOG_HASH_LEN + 1];
	int64_t	    leaf_index;
	const char *fail_stmt; /* answer LC_ERR_DB to this statement */
	/* finalize_voters rows */
	int	    n_voters;
	const char *voters[8][8];
	int	    transfers;
} fake;

static PGresult *
fake_rows(int ncols, int nrows, const char *const *cells)
{
	PGresAttDesc attrs[8];
	PGresult    *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int	     r, c;

	ck_assert_ptr_nonnull(res);
	memset(attrs, 0, sizeof(attrs));
	for (c = 0; c < ncols; c++) {
		attrs[c].name = (char *)"c";
		attrs[c].typid = 25; /* text */
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	ck_assert_int_eq(PQsetResultAttrs(res, ncols, attrs), 1);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];

			ck_assert_int_eq(PQsetvalue(res, r, c, (char *)v,
					     v ? (int)strlen(v) : -1),
			    1);
		}
	return res;
}

static PGresult *
fake_answer(const char *name, const char *const *params)
{
	char	buf[32];
	int64_t level, idx;
	int	i;

	if (strcmp(name, "market_log_head_lock") == 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)fake.size);
		return fake_rows(1, 1, (const char *[]){ buf });
	}
	if (strcmp(name, "market_log_leaf_insert") == 0) {
		fake.leaf_index = strtoll(params[0], NULL, 10);
		snprintf(fake.record, sizeof(fake.record), "%s", params[3]);
		snprintf(fake.leaf_hash, sizeof(fake.leaf_hash), "%s",
		    params[4]);
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
	if (strcmp(name, "market_log_node_get") == 0) {
		level = strtoll(params[0], NULL, 10);
		idx = strtoll(params[1], NULL, 10);
		for (i = 0; i < fake.n_nodes; i++)
			if (fake.nodes[i].level == level &&
			    fake.nodes[i].idx == idx)
				return fake_rows(1, 1,
				    (const char *[]){ fake.nodes[i].hash });
		return fake_rows(1, 0, NULL);
	}
	if (strcmp(name, "market_log_node_insert") == 0) {
		ck_assert_int_lt(fake.n_nodes, FAKE_MAX_NODES);
		i = fake.n_nodes++;
		fake.nodes[i].level = strtoll(params[0], NULL, 10);
		fake.nodes[i].idx = strtoll(params[1], NULL, 10);
		snprintf(fake.nodes[i].hash, sizeof(fake.nodes[i].hash), "%s",
		    params[2]);
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
	if (strcmp(name, "market_log_head_set") == 0) {
		fake.size = strtoll(params[0], NULL, 10);
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
	if (strcmp(name, "finalize_voters") == 0)
		return fake_rows(8, fake.n_voters, &fake.voters[0][0]);
	if (strcmp(name, "ledger_balance") == 0)
		return fake_rows(1, 1, (const char *[]){ "1000000" });
	if (strcmp(name, "ledger_transfer") == 0) {
		fake.transfers++;
		return fake_rows(1, 2, (const char *[]){ "1", "1" });
	}
	if (strcmp(name, "finalize_task_update") == 0)
		return fake_rows(1, 1,
		    (const char *[]){ "2026-01-02T03:04:05.678Z" });
	if (strcmp(name, "finalize_reputation_upsert") == 0 ||
	    strcmp(name, "finalize_cancel_leases") == 0 ||
	    strcmp(name, "finalize_task_leaf") == 0)
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	ck_abort_msg("unexpected statement %s", name);
	return NULL;
}

int
__wrap_db_exec(struct db *db, const char *name, int nparams,
    const char *const *params, PGresult **out)
{
	PGresult *res;

	(void)db;
	(void)nparams;
	if (out != NULL)
		*out = NULL;
	if (fake.fail_stmt != NULL && strcmp(name, fake.fail_stmt) == 0)
		return LC_ERR_DB;
	res = fake_answer(name, params);
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

static const char *
fake_node(int64_t level, int64_t idx)
{
	int i;

	for (i = 0; i < fake.n_nodes; i++)
		if (fake.nodes[i].level == level && fake.nodes[i].idx == idx)
			return fake.nodes[i].hash;
	return NULL;
}

static void
setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	memset(&fake, 0, sizeof(fake));
}

/* ---- hashes ---- */

START_TEST(test_leaf_hash_empty)
{
	unsigned char h[LOG_HASH_LEN], ref[LOG_HASH_LEN];
	const uint8_t zero = 0;
	char	      x[65];

	log_leaf_hash("", 0, h);
	hex(h, x);
	ck_assert_str_eq(x,
	    "6e340b9cffb37a989ca544e6bb780a2c"
	    "78901d3fb33738768511a30617afa01d");
	crypto_hash_sha256(ref, &zero, 1);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
	log_leaf_hash(NULL, 0, h);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
}
END_TEST

START_TEST(test_leaf_hash_prefix)
{
	unsigned char h[LOG_HASH_LEN], ref[LOG_HASH_LEN], buf[8];

	/* SHA-256(0x00 || record), not SHA-256(record). */
	buf[0] = 0x00;
	memcpy(buf + 1, "abc", 3);
	crypto_hash_sha256(ref, buf, 4);
	log_leaf_hash("abc", 3, h);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
	crypto_hash_sha256(ref, (const unsigned char *)"abc", 3);
	ck_assert_int_ne(memcmp(h, ref, LOG_HASH_LEN), 0);
	/* Length is explicit: bytes after it do not count, NULs do. */
	log_leaf_hash("abcdef", 3, ref);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
	log_leaf_hash("a\0c", 3, ref);
	ck_assert_int_ne(memcmp(h, ref, LOG_HASH_LEN), 0);
}
END_TEST

START_TEST(test_node_hash)
{
	unsigned char l[LOG_HASH_LEN], r[LOG_HASH_LEN], h[LOG_HASH_LEN];
	unsigned char buf[1 + 2 * LOG_HASH_LEN], ref[LOG_HASH_LEN];

	log_leaf_hash("L", 1, l);
	log_leaf_hash("R", 1, r);
	buf[0] = 0x01;
	memcpy(buf + 1, l, LOG_HASH_LEN);
	memcpy(buf + 1 + LOG_HASH_LEN, r, LOG_HASH_LEN);
	crypto_hash_sha256(ref, buf, sizeof(buf));
	log_node_hash(l, r, h);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
	/* Order matters. */
	log_node_hash(r, l, h);
	ck_assert_int_ne(memcmp(h, ref, LOG_HASH_LEN), 0);
	/* out may alias an input (log_append.c relies on it). */
	memcpy(h, r, LOG_HASH_LEN);
	log_node_hash(l, h, h);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
	memcpy(h, l, LOG_HASH_LEN);
	log_node_hash(h, r, h);
	ck_assert_int_eq(memcmp(h, ref, LOG_HASH_LEN), 0);
}
END_TEST

START_TEST(test_ct_roots)
{
	unsigned char h[LOG_HASH_LEN];
	char	      x[65];
	size_t	      n;

	for (n = 1; n <= 8; n++) {
		mth(0, n, h);
		hex(h, x);
		ck_assert_msg(strcmp(x, CT_ROOTS[n - 1]) == 0,
		    "root of %zu leaves: %s", n, x);
	}
}
END_TEST

/* ---- log_append() ---- */

START_TEST(test_append_ct_leaves)
{
	unsigned char h[LOG_HASH_LEN];
	char	      x[65];
	int64_t	      index;
	int	      k;

	for (k = 0; k < 8; k++) {
		index = -1;
		ck_assert_int_eq(log_append(NULL, 100 + k, 5,
				     CT_LEAVES[k].bytes, CT_LEAVES[k].len,
				     &index),
		    0);
		ck_assert_int_eq(index, k);
		ck_assert_int_eq(fake.leaf_index, k);
		ck_assert_int_eq(fake.size, k + 1);
		log_leaf_hash(CT_LEAVES[k].bytes, CT_LEAVES[k].len, h);
		hex(h, x);
		ck_assert_str_eq(fake.leaf_hash, x);
		ck_assert_str_eq(fake_node(0, k), x);
	}
	/* 8 leaves + 4 + 2 + 1 complete nodes, no more. */
	ck_assert_int_eq(fake.n_nodes, 15);
	ck_assert_str_eq(fake_node(1, 0), CT_ROOTS[1]);
	ck_assert_str_eq(fake_node(2, 0), CT_ROOTS[3]);
	ck_assert_str_eq(fake_node(3, 0), CT_ROOTS[7]);
	mth(4, 6, h);
	hex(h, x);
	ck_assert_str_eq(fake_node(1, 2), x);
	ck_assert_ptr_null(fake_node(4, 0));
}
END_TEST

START_TEST(test_append_nodes_per_size)
{
	int64_t index;
	int	k, before;

	/* Leaf n completes 1 + (trailing one bits of n) nodes. */
	for (k = 0; k < 8; k++) {
		before = fake.n_nodes;
		ck_assert_int_eq(log_append(NULL, 1, 1, "r", 1, &index), 0);
		ck_assert_int_eq(fake.n_nodes - before,
		    1 + __builtin_ctz((unsigned)~k));
	}
}
END_TEST

START_TEST(test_append_damaged_log)
{
	int64_t index = -1;

	/* Size 1 but node (0, 0) missing: the left sibling is not there. */
	fake.size = 1;
	ck_assert_int_eq(log_append(NULL, 1, 1, "r", 1, &index),
	    LC_ERR_INTERNAL);
	ck_assert_int_eq(index, -1);
	ck_assert_int_eq(fake.size, 1);
}
END_TEST

START_TEST(test_append_db_error)
{
	int64_t index = -1;

	fake.fail_stmt = "market_log_leaf_insert";
	ck_assert_int_eq(log_append(NULL, 1, 1, "r", 1, &index), LC_ERR_DB);
	ck_assert_int_eq(index, -1);
	ck_assert_int_eq(fake.size, 0);
	ck_assert_int_eq(fake.n_nodes, 0);
	fake.fail_stmt = "market_log_head_lock";
	ck_assert_int_eq(log_append(NULL, 1, 1, "r", 1, &index), LC_ERR_DB);
	fake.fail_stmt = "market_log_head_set";
	ck_assert_int_eq(log_append(NULL, 1, 1, "r", 1, &index), LC_ERR_DB);
	ck_assert_int_eq(index, -1);
}
END_TEST

/* ---- the canonical leaf record (finalize_task) ---- */

#define KEY_A "aa00000000000000000000000000000000000000000000000000000000000001"
#define KEY_B "bb00000000000000000000000000000000000000000000000000000000000002"
#define KEY_C "cc00000000000000000000000000000000000000000000000000000000000003"
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
voter(int i, const char *account, const char *label, const char *key,
    const char *sig)
{
	const char *row[8] = { account, label, "1", key, sig, NULL, NULL,
		"10000000" };

	memcpy(fake.voters[i], row, sizeof(row));
	fake.n_voters = i + 1;
}

START_TEST(test_leaf_record_canonical)
{
	static const char *const labels[3] = { "say \"hi\" \\o/",
		"tab\there\x01\x1f", "h\xc3\xa9 \x7f" };
	static const double	 post[3] = { 0.97, 0.02, 0.01 };
	struct rep_params	 rp;
	struct finalize_task	 t;
	unsigned char		 h[LOG_HASH_LEN];
	char			 want[2048], x[65];
	int			 bp;

	/* Voters arrive in account order; the record sorts them by key. */
	voter(0, "11", "1", KEY_C, "5c");
	voter(1, "12", "0", KEY_A, "5a");
	voter(2, "13", "0", KEY_B, "5b");
	rep_params_default(&rp);
	memset(&t, 0, sizeof(t));
	t.task_id = 9;
	t.project_id = 5;
	t.n_labels = 3;
	t.labels = labels;
	t.gold_label = -1;
	t.data_sha256 = SHA;
	t.reward_per_task = 300;
	t.post = post;
	t.decision.state = REP_TASK_FINAL;
	t.decision.label = 0;
	t.decision.confidence = 0.97;
	t.params = &rp;
	fake.size = 0;

	ck_assert_int_eq(finalize_task(NULL, &t), 0);
	bp = rep_confidence_bp(0.97);
	ck_assert_int_ge(bp, 9699);
	ck_assert_int_le(bp, 9700);
	snprintf(want, sizeof(want),
	    "{\"v\":1,\"project\":5,\"task\":9,\"data_sha256\":\"" SHA "\","
	    "\"label\":\"say \\\"hi\\\" \\\\o/\",\"confidence_bp\":%d,"
	    "\"votes\":["
	    "{\"key\":\"" KEY_A "\",\"label\":\"say \\\"hi\\\" \\\\o/\","
	    "\"sig\":\"5a\"},"
	    "{\"key\":\"" KEY_B "\",\"label\":\"say \\\"hi\\\" \\\\o/\","
	    "\"sig\":\"5b\"},"
	    "{\"key\":\"" KEY_C "\",\"label\":\"tab\\there\\u0001\\u001f\","
	    "\"sig\":\"5c\"}],"
	    "\"finalized_at\":\"2026-01-02T03:04:05.678Z\"}",
	    bp);
	ck_assert_str_eq(fake.record, want);
	/* The stored leaf hash is that of the exact record bytes. */
	log_leaf_hash(fake.record, strlen(fake.record), h);
	hex(h, x);
	ck_assert_str_eq(fake.leaf_hash, x);
	ck_assert_str_eq(fake_node(0, 0), x);
	ck_assert_int_eq(fake.size, 1);
	ck_assert_int_gt(fake.transfers, 0); /* the reward was paid */
}
END_TEST

START_TEST(test_leaf_record_label_escapes)
{
	/* JCS (RFC 8785 §3.2.2.2): escape " \ and controls only; short forms
	 * for \b \f \n \r \t, lower-case \u00xx, DEL and non-ASCII raw. */
	static const char *const labels[2] = { "\b\f\n\r\t\x0b\"\\/",
		"h\xc3\xa9 \x7f \xe2\x80\xa8" };
	static const double	 post[2] = { 0.01, 0.99 };
	struct rep_params	 rp;
	struct finalize_task	 t;
	const char		*label;

	voter(0, "1", "1", KEY_A, "00");
	rep_params_default(&rp);
	memset(&t, 0, sizeof(t));
	t.task_id = 1;
	t.project_id = 1;
	t.n_labels = 2;
	t.labels = labels;
	t.gold_label = -1;
	t.data_sha256 = SHA;
	t.post = post;
	t.decision.state = REP_TASK_FINAL;
	t.decision.label = 1;
	t.decision.confidence = 0.99;
	t.params = &rp;
	ck_assert_int_eq(finalize_task(NULL, &t), 0);
	label = strstr(fake.record, "\"label\":");
	ck_assert_ptr_nonnull(label);
	ck_assert_int_eq(strncmp(label,
			     "\"label\":\"h\xc3\xa9 \x7f \xe2\x80\xa8\",", 18),
	    0);

	/* The gold label wins on a gold task, whatever the posterior. */
	t.gold_label = 0;
	fake.size = 0;
	fake.n_nodes = 0;
	ck_assert_int_eq(finalize_task(NULL, &t), 0);
	ck_assert_ptr_nonnull(strstr(fake.record,
	    "\"label\":\"\\b\\f\\n\\r\\t\\u000b\\\"\\\\/\",\"confidence_bp\":100,"));
}
END_TEST

/* ---- log_store_unhex() ---- */

START_TEST(test_unhex)
{
	uint8_t out[4];

	ck_assert_int_eq(log_store_unhex("00ff10Ab", out, 4), 0);
	ck_assert_uint_eq(out[0], 0x00);
	ck_assert_uint_eq(out[1], 0xff);
	ck_assert_uint_eq(out[2], 0x10);
	ck_assert_uint_eq(out[3], 0xab);
	ck_assert_int_eq(log_store_unhex("00ff10a", out, 4), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00ff10abc", out, 4), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00ff10zz", out, 4), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex(NULL, out, 4), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("", out, 0), 0);
}
END_TEST

START_TEST(test_unhex_not_hex)
{
	uint8_t out[2];

	/*
	 * BUG: log_store_unhex() decodes with sscanf("%2x"), which skips
	 * white space and takes a sign, so "-1" decodes to 0xff and " 1"
	 * or "+1" to 0x01 instead of being refused as not hex.
	 */
	ck_assert_int_eq(log_store_unhex("00-1", out, 2), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00+1", out, 2), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00 1", out, 2), LC_ERR_INTERNAL);
}
END_TEST

static Suite *
market_log_suite(void)
{
	Suite *s = suite_create("market_log");
	TCase *hash = tcase_create("hash");
	TCase *append = tcase_create("append");
	TCase *record = tcase_create("record");
	TCase *store = tcase_create("store");

	tcase_add_checked_fixture(hash, setup, NULL);
	tcase_add_test(hash, test_leaf_hash_empty);
	tcase_add_test(hash, test_leaf_hash_prefix);
	tcase_add_test(hash, test_node_hash);
	tcase_add_test(hash, test_ct_roots);
	suite_add_tcase(s, hash);
	tcase_add_checked_fixture(append, setup, NULL);
	tcase_add_test(append, test_append_ct_leaves);
	tcase_add_test(append, test_append_nodes_per_size);
	tcase_add_test(append, test_append_damaged_log);
	tcase_add_test(append, test_append_db_error);
	suite_add_tcase(s, append);
	tcase_add_checked_fixture(record, setup, NULL);
	tcase_add_test(record, test_leaf_record_canonical);
	tcase_add_test(record, test_leaf_record_label_escapes);
	suite_add_tcase(s, record);
	tcase_add_test(store, test_unhex);
	tcase_add_test(store, test_unhex_not_hex);
	suite_add_tcase(s, store);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_log_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
