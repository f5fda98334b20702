/*
 * tests/unit/test_market_log.c — the log sequencer (log_sequencer.h): the
 * leaves and nodes it stores for the records queued by finalizations, in
 * order and in batches, against RFC 6962's definition; a damaged log and
 * database errors leave nothing half-written.  Also log_store_unhex().
 *
 * log_sequence() talks SQL through db_tx() and db_exec(); this test is
 * linked with -Wl,--wrap=db_exec,--wrap=db_tx so that the functions below
 * run the transaction body directly (rolling the fake back on failure) and
 * answer each prepared statement from memory with PGresults built by
 * libpq's PQmakeEmptyPGresult() / PQsetvalue().  No database.
 *
 * Every root is checked against the tree computed by RFC 6962's definition
 * (anchor/merkle.c itself is checked against the Certificate Transparency
 * vectors in test_merkle.c).
 */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log_sequencer.h"
#include "labeling/log_store.h"

int __wrap_db_exec(struct db *db, const char *name, int nparams,
    const char *const *params, PGresult **out);
int __wrap_db_tx(struct db *db, db_tx_body body, void *arg);

/* ---- the records, and their tree by the definition ---- */

#define N_RECORDS 600

static char RECORDS[N_RECORDS][16];

/* RFC 6962 §2.1 MTH over RECORDS[lo, hi), by the definition. */
static void
naive_mth(struct merkle_hasher *h, size_t lo, size_t hi,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	size_t	k = 1;

	if (hi - lo == 1) {
		ck_assert_int_eq(merkle_leaf_hash(h, RECORDS[lo],
				     strlen(RECORDS[lo]), out),
		    0);
		return;
	}
	while (2 * k < hi - lo)
		k *= 2;
	naive_mth(h, lo, lo + k, l);
	naive_mth(h, lo + k, hi, r);
	ck_assert_int_eq(merkle_node_hash(h, l, r, out), 0);
}

/* ---- the fake database ---- */

#define FAKE_MAX 1300
#define FAKE_HEX (2 * MERKLE_HASH_LEN + 1)

struct fake_state {
	int64_t size; /* log_head.size */
	int	n_nodes;
	struct {
		int64_t level, idx;
		char	hash[FAKE_HEX];
	} nodes[FAKE_MAX];
	int n_leaves;
	struct {
		int64_t index, seq;
		char	hash[FAKE_HEX];
	} leaves[FAKE_MAX];
	/* log_pending, as (seq, task, record); taken from `next` on */
	int n_pending, next;
	struct {
		char seq[24], task[24];
		char record[64];
	} pending[FAKE_MAX];
};

static struct fake_state     fake, saved;
static const char	    *fail_stmt; /* answer LC_ERR_DB to this statement */
static struct merkle_hasher *hasher;

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

/* Parse "{1,2,3}" or {"a","b"} into at most max items (no escapes). */
static int
fake_array(const char *lit, char items[][FAKE_HEX], int max)
{
	const char *p = lit + 1;
	int	    n = 0;
	size_t	    len;

	ck_assert_int_eq(lit[0], '{');
	while (*p != '}' && *p != '\0') {
		if (*p == '"')
			p++;
		len = strcspn(p, "\",}");
		ck_assert_int_lt(n, max);
		ck_assert_uint_lt(len, FAKE_HEX);
		memcpy(items[n], p, len);
		items[n][len] = '\0';
		n++;
		p += len;
		if (*p == '"')
			p++;
		if (*p == ',')
			p++;
	}
	return n;
}

static char A[3][FAKE_MAX][FAKE_HEX];

static PGresult *
fake_answer(const char *name, const char *const *params)
{
	static char cells[FAKE_MAX][3][24];
	const char *flat[3 * FAKE_MAX];
	char	    buf[3][24];
	int64_t	    lim;
	int	    i, j, n, m;

	if (strcmp(name, "log_head_lock") == 0) {
		snprintf(buf[0], sizeof(buf[0]), "%" PRId64, fake.size);
		return fake_rows(1, 1, (const char *[]){ buf[0] });
	}
	if (strcmp(name, "log_pending_take") == 0) {
		lim = strtoll(params[0], NULL, 10);
		for (n = 0, i = fake.next; i < fake.n_pending && n < lim;
		     i++, n++) {
			flat[3 * n] = fake.pending[i].seq;
			flat[3 * n + 1] = fake.pending[i].task;
			flat[3 * n + 2] = fake.pending[i].record;
		}
		return fake_rows(3, n, flat);
	}
	if (strcmp(name, "log_edge_get") == 0) {
		n = fake_array(params[0], A[0], FAKE_MAX);
		m = fake_array(params[1], A[1], FAKE_MAX);
		ck_assert_int_eq(n, m);
		for (m = 0, i = 0; i < n; i++)
			for (j = 0; j < fake.n_nodes; j++)
				if (fake.nodes[j].level ==
					strtoll(A[0][i], NULL, 10) &&
				    fake.nodes[j].idx ==
					strtoll(A[1][i], NULL, 10)) {
					snprintf(cells[m][0], 24, "%" PRId64,
					    fake.nodes[j].level);
					snprintf(cells[m][1], 24, "%" PRId64,
					    fake.nodes[j].idx);
					flat[3 * m] = cells[m][0];
					flat[3 * m + 1] = cells[m][1];
					flat[3 * m + 2] = fake.nodes[j].hash;
					m++;
				}
		return fake_rows(3, m, flat);
	}
	if (strcmp(name, "log_leaves_put") == 0) {
		n = fake_array(params[0], A[0], FAKE_MAX);
		ck_assert_int_eq(fake_array(params[1], A[1], FAKE_MAX), n);
		ck_assert_int_eq(fake_array(params[2], A[2], FAKE_MAX), n);
		for (i = 0; i < n; i++) {
			j = fake.n_leaves++;
			fake.leaves[j].seq = strtoll(A[0][i], NULL, 10);
			fake.leaves[j].index = strtoll(A[1][i], NULL, 10);
			snprintf(fake.leaves[j].hash, FAKE_HEX, "%s", A[2][i]);
		}
		fake.next += n;
		snprintf(buf[0], sizeof(buf[0]), "%d", n);
		return fake_rows(3, 1,
		    (const char *[]){ buf[0], buf[0], buf[0] });
	}
	if (strcmp(name, "log_nodes_put") == 0) {
		n = fake_array(params[0], A[0], FAKE_MAX);
		ck_assert_int_eq(fake_array(params[1], A[1], FAKE_MAX), n);
		ck_assert_int_eq(fake_array(params[2], A[2], FAKE_MAX), n);
		for (i = 0; i < n; i++) {
			j = fake.n_nodes++;
			ck_assert_int_lt(j, FAKE_MAX);
			fake.nodes[j].level = strtoll(A[0][i], NULL, 10);
			fake.nodes[j].idx = strtoll(A[1][i], NULL, 10);
			snprintf(fake.nodes[j].hash, FAKE_HEX, "%s", A[2][i]);
		}
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
	if (strcmp(name, "log_head_set") == 0) {
		fake.size = strtoll(params[0], NULL, 10);
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
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
	if (fail_stmt != NULL && strcmp(name, fail_stmt) == 0)
		return LC_ERR_DB;
	res = fake_answer(name, params);
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* A transaction: the body, and the fake rolled back when it fails. */
int
__wrap_db_tx(struct db *db, db_tx_body body, void *arg)
{
	int rc;

	memcpy(&saved, &fake, sizeof(fake));
	if ((rc = body(db, arg)) != 0)
		memcpy(&fake, &saved, sizeof(fake));
	return rc;
}

static void
queue_record(const void *bytes, size_t len)
{
	int i = fake.n_pending++;

	ck_assert_int_lt(i, FAKE_MAX);
	ck_assert_uint_lt(len, sizeof(fake.pending[i].record));
	snprintf(fake.pending[i].seq, 24, "%d", 1000 + i);
	snprintf(fake.pending[i].task, 24, "%d", 50 + i);
	memcpy(fake.pending[i].record, bytes, len);
	fake.pending[i].record[len] = '\0';
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

static int
fake_get_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	const char *h = fake_node(level, (int64_t)index);

	(void)ctx;
	if (h == NULL)
		return -1;
	return anchor_hex_decode(h, strlen(h), out, MERKLE_HASH_LEN);
}

/* The root of the fake log at size n, as merkle.h derives it. */
static void
fake_root(uint64_t n, char out[FAKE_HEX])
{
	struct merkle_store s = { fake_get_node, NULL };
	uint8_t		    r[MERKLE_HASH_LEN];

	ck_assert_int_eq(merkle_root(hasher, &s, n, r), 0);
	anchor_hex_encode(r, MERKLE_HASH_LEN, out, FAKE_HEX);
}

static void
setup(void)
{
	int k;

	for (k = 0; k < N_RECORDS; k++)
		snprintf(RECORDS[k], sizeof(RECORDS[k]), "{\"r\":%d}", k);
	memset(&fake, 0, sizeof(fake));
	fail_stmt = NULL;
	ck_assert_int_eq(merkle_hasher_create(&hasher), 0);
}

static void
teardown(void)
{
	merkle_hasher_free(hasher);
	hasher = NULL;
}

/* ---- log_sequence() ---- */

/* The root of RECORDS[0, n) by the definition, in hex. */
static void
naive_root(uint64_t n, char out[FAKE_HEX])
{
	uint8_t r[MERKLE_HASH_LEN];

	naive_mth(hasher, 0, (size_t)n, r);
	anchor_hex_encode(r, MERKLE_HASH_LEN, out, FAKE_HEX);
}

static void
queue_records(int n)
{
	int k;

	for (k = 0; k < n; k++)
		queue_record(RECORDS[k], strlen(RECORDS[k]));
}

START_TEST(test_sequence_one_by_one)
{
	char root[FAKE_HEX], want[FAKE_HEX];
	int  k, n;

	for (k = 0; k < 8; k++) {
		queue_record(RECORDS[k], strlen(RECORDS[k]));
		ck_assert_int_eq(log_sequence(NULL, hasher, 1, &n), 0);
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(fake.size, k + 1);
		ck_assert_int_eq(fake.leaves[k].index, k);
		ck_assert_int_eq(fake.leaves[k].seq, 1000 + k);
		fake_root((uint64_t)k + 1, root);
		naive_root((uint64_t)k + 1, want);
		ck_assert_str_eq(root, want);
	}
	/* 8 leaves + 4 + 2 + 1 complete nodes, no more. */
	ck_assert_int_eq(fake.n_nodes, 15);
	ck_assert_str_eq(fake_node(3, 0), want);
	ck_assert_ptr_null(fake_node(4, 0));
	/* Nothing left: a no-op. */
	ck_assert_int_eq(log_sequence(NULL, hasher, 5, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(fake.size, 8);
}
END_TEST

START_TEST(test_sequence_batches)
{
	char root[FAKE_HEX], want[FAKE_HEX];
	int  n, total = 0;

	/* 8 records taken in batches of 3, 3, 2: the same log. */
	queue_records(8);
	while (total < 8) {
		ck_assert_int_eq(log_sequence(NULL, hasher, 3, &n), 0);
		ck_assert_int_gt(n, 0);
		total += n;
		ck_assert_int_eq(fake.size, total);
		fake_root((uint64_t)total, root);
		naive_root((uint64_t)total, want);
		ck_assert_str_eq(root, want);
	}
	ck_assert_int_eq(fake.n_nodes, 15);
}
END_TEST

START_TEST(test_sequence_many_sizes)
{
	char root[FAKE_HEX], want[FAKE_HEX];
	int  k, n, batch, before;

	/*
	 * All records in batches of varying size: each leaf completes 1 +
	 * (trailing one bits of its index) nodes, and the right edge a batch
	 * starts from (read from the store) gives the roots of RFC 6962's
	 * definition at every size.
	 */
	queue_records(N_RECORDS);
	for (k = 0, batch = 1; k < N_RECORDS; batch = batch % 97 + 1) {
		before = fake.n_nodes;
		ck_assert_int_eq(log_sequence(NULL, hasher, batch, &n), 0);
		ck_assert_int_gt(n, 0);
		for (; n > 0; n--, k++)
			before += 1 + __builtin_ctz((unsigned)~k);
		ck_assert_int_eq(fake.n_nodes, before);
		fake_root((uint64_t)k, root);
		naive_root((uint64_t)k, want);
		ck_assert_str_eq(root, want);
	}
	ck_assert_int_eq(fake.size, N_RECORDS);
}
END_TEST

START_TEST(test_sequence_damaged_log)
{
	int n = -1;

	/* Size 1 but node (0, 0) missing: the right edge is not there. */
	fake.size = 1;
	queue_record("r", 1);
	ck_assert_int_eq(log_sequence(NULL, hasher, 10, &n), LC_ERR_INTERNAL);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(fake.size, 1);
	ck_assert_int_eq(fake.n_leaves, 0);
	ck_assert_int_eq(fake.next, 0); /* still pending */
}
END_TEST

START_TEST(test_sequence_db_errors)
{
	static const char *const stmts[] = { "log_head_lock",
		"log_pending_take", "log_leaves_put", "log_nodes_put",
		"log_head_set" };
	size_t			 i;
	int			 n;

	queue_record("a", 1);
	queue_record("b", 1);
	ck_assert_int_eq(log_sequence(NULL, hasher, 1, &n), 0);
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		fail_stmt = stmts[i];
		n = -1;
		ck_assert_int_eq(log_sequence(NULL, hasher, 5, &n), LC_ERR_DB);
		ck_assert_int_eq(n, 0);
		ck_assert_int_eq(fake.size, 1);
		ck_assert_int_eq(fake.n_leaves, 1);
		ck_assert_int_eq(fake.next, 1);
	}
	fail_stmt = NULL;
	ck_assert_int_eq(log_sequence(NULL, hasher, 5, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(fake.size, 2);
}
END_TEST

START_TEST(test_sequence_limits)
{
	int n;

	ck_assert_int_eq(log_sequence(NULL, hasher, 0, &n), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_sequence(NULL, hasher, LOG_SEQUENCE_BATCH + 1, &n),
	    LC_ERR_INTERNAL);
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
	ck_assert_int_eq(log_store_unhex("00-1", out, 2), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00+1", out, 2), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("00 1", out, 2), LC_ERR_INTERNAL);
	ck_assert_int_eq(log_store_unhex("0xff", out, 2), LC_ERR_INTERNAL);
}
END_TEST

static Suite *
market_log_suite(void)
{
	Suite *s = suite_create("market_log");
	TCase *seq = tcase_create("sequence");
	TCase *store = tcase_create("store");

	tcase_add_checked_fixture(seq, setup, teardown);
	tcase_set_timeout(seq, 60);
	tcase_add_test(seq, test_sequence_one_by_one);
	tcase_add_test(seq, test_sequence_batches);
	tcase_add_test(seq, test_sequence_many_sizes);
	tcase_add_test(seq, test_sequence_damaged_log);
	tcase_add_test(seq, test_sequence_db_errors);
	tcase_add_test(seq, test_sequence_limits);
	suite_add_tcase(s, seq);
	tcase_add_test(store, test_unhex);
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
