/*
 * bench/anchor/bench_merkle.c — cost of the Merkle log relative to this
 * machine's SHA-256.
 *
 * Every figure is a ratio to the raw SHA-256 rate measured in the same
 * run with the same EVP setup (one EVP_MD_fetch'ed digest, one reused
 * context, 64-byte inputs), so results compare across machines:
 *
 *   append	  merkle_mem_append() of N precomputed leaf hashes (N - 1 node
 *		  hashes) vs N - 1 raw hashes; and the same with the leaf hash
 *		  of a ~200-byte record computed per append
 *   proofs	  inclusion and consistency proofs at size N (random index /
 *		  random first size), in units of one raw hash
 *   verify	  verification of those proofs, same unit
 *
 * Each measurement is repeated RUNS times; medians are printed.
 * Usage: bench_merkle [leaves (default 1000000)] [runs (default 5)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "anchor/merkle.h"
#include "anchor/merkle_mem.h"

#define MAX_RUNS 15
#define N_PROOFS 20000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* xorshift64*: reproducible indices without libc's rand(). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_merkle: %s failed\n", what);
	exit(1);
}

/* Seconds for n SHA-256 of 64 bytes, chained so nothing is elided. */
static double
raw_sha256(uint64_t n)
{
	EVP_MD	    *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX  *ctx = EVP_MD_CTX_new();
	uint8_t	     buf[64];
	unsigned int len;
	uint64_t     i;
	double	     t;

	if (md == NULL || ctx == NULL)
		die("EVP setup");
	memset(buf, 0x5c, sizeof(buf));
	t = now();
	for (i = 0; i < n; i++) {
		if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, buf, sizeof(buf)) != 1 ||
		    EVP_DigestFinal_ex(ctx, buf, &len) != 1)
			die("digest");
	}
	t = now() - t;
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return t;
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	int	 runs = argc > 2 ? atoi(argv[2]) : 5;
	double	 t_raw[MAX_RUNS], t_app[MAX_RUNS], t_app_leaf[MAX_RUNS];
	double	 t_inc[MAX_RUNS], t_con[MAX_RUNS], t_vinc[MAX_RUNS];
	double	 t_vcon[MAX_RUNS], raw, one, t;
	struct merkle_hasher *h;
	struct merkle_mem    *m;
	struct merkle_store   s;
	uint8_t		     *leaves, root[32], r1[32], lh[32];
	uint8_t		      path[MERKLE_MAX_PROOF * 32];
	uint8_t(*paths)[MERKLE_MAX_PROOF * 32];
	size_t	*lens, len;
	uint64_t i, seed, *idx;
	char	 rec[256];
	int	 r, k;

	if (n < 2 || n > 100000000 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr,
		    "usage: bench_merkle [2..1e8 leaves] [1..15 runs]\n");
		return 2;
	}
	if (merkle_hasher_create(&h) != 0)
		die("hasher");
	leaves = malloc(n * 32);
	idx = malloc(N_PROOFS * sizeof(*idx));
	lens = malloc(N_PROOFS * sizeof(*lens));
	paths = malloc(N_PROOFS * sizeof(*paths));
	if (leaves == NULL || idx == NULL || lens == NULL || paths == NULL)
		die("malloc");
	memset(rec, 'r', sizeof(rec));
	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec), "%llu", (unsigned long long)i);
		rec[strlen(rec)] = 'r';
		if (merkle_leaf_hash(h, rec, 200, leaves + i * 32) != 0)
			die("leaf hash");
	}

	for (r = 0; r < runs; r++) {
		t_raw[r] = raw_sha256(n - 1);

		if (merkle_mem_create(&m) != 0)
			die("mem");
		t = now();
		for (i = 0; i < n; i++)
			if (merkle_mem_append(m, h, leaves + i * 32) != 0)
				die("append");
		t_app[r] = now() - t;
		merkle_mem_free(m);

		if (merkle_mem_create(&m) != 0)
			die("mem");
		t = now();
		for (i = 0; i < n; i++) {
			memcpy(rec, &i, sizeof(i));
			if (merkle_leaf_hash(h, rec, 200, lh) != 0 ||
			    merkle_mem_append(m, h, lh) != 0)
				die("append");
		}
		t_app_leaf[r] = now() - t;
		merkle_mem_free(m);
	}

	/* The proof tree: the N leaves again. */
	if (merkle_mem_create(&m) != 0)
		die("mem");
	for (i = 0; i < n; i++)
		if (merkle_mem_append(m, h, leaves + i * 32) != 0)
			die("append");
	merkle_mem_store(m, &s);
	if (merkle_root(h, &s, n, root) != 0)
		die("root");

	for (r = 0; r < runs; r++) {
		seed = 0x9e3779b97f4a7c15ULL + (uint64_t)r;
		for (k = 0; k < N_PROOFS; k++)
			idx[k] = rnd(&seed) % n;
		t = now();
		for (k = 0; k < N_PROOFS; k++)
			if (merkle_inclusion_proof(h, &s, idx[k], n, paths[k],
				MERKLE_MAX_PROOF, &lens[k]) != 0)
				die("inclusion proof");
		t_inc[r] = (now() - t) / N_PROOFS;
		t = now();
		for (k = 0; k < N_PROOFS; k++)
			if (merkle_inclusion_verify(h, leaves + idx[k] * 32,
				idx[k], n, paths[k], lens[k], root) != 0)
				die("inclusion verify");
		t_vinc[r] = (now() - t) / N_PROOFS;

		for (k = 0; k < N_PROOFS; k++)
			idx[k] = 1 + rnd(&seed) % (n - 1);
		t = now();
		for (k = 0; k < N_PROOFS; k++)
			if (merkle_consistency_proof(h, &s, idx[k], n, paths[k],
				MERKLE_MAX_PROOF, &lens[k]) != 0)
				die("consistency proof");
		t_con[r] = (now() - t) / N_PROOFS;
		/* Verification needs each first root; time only verify. */
		t_vcon[r] = 0;
		for (k = 0; k < 2000; k++) {
			if (merkle_root(h, &s, idx[k], r1) != 0)
				die("root");
			t = now();
			if (merkle_consistency_verify(h, idx[k], n, r1, root,
				paths[k], lens[k]) != 0)
				die("consistency verify");
			t_vcon[r] += now() - t;
		}
		t_vcon[r] /= 2000;
	}
	/* Keep one proof live so the compiler keeps the work. */
	memcpy(path, paths[0], sizeof(path));
	len = lens[0];

	raw = median(t_raw, runs);
	one = raw / (double)(n - 1);
	printf("leaves=%llu runs=%d (medians)\n", (unsigned long long)n, runs);
	printf("raw sha256 (64 B, EVP, reused ctx): %.2f M hashes/s\n",
	    (double)(n - 1) / raw / 1e6);
	t = median(t_app, runs);
	printf("append (leaf hash given): %.2f M appends/s, %.3f s for %llu "
	       "leaves = %.2f x raw time of %llu hashes\n",
	    (double)n / t / 1e6, t, (unsigned long long)n, t / raw,
	    (unsigned long long)(n - 1));
	t = median(t_app_leaf, runs);
	printf("append (+ leaf hash of 200 B record): %.2f M appends/s, %.2f x "
	       "raw time of %llu hashes\n",
	    (double)n / t / 1e6, t / (2.0 * raw),
	    (unsigned long long)(2 * n - 1));
	t = median(t_inc, runs);
	printf("inclusion proof at size %llu: %.2f us = %.1f raw hashes\n",
	    (unsigned long long)n, t * 1e6, t / one);
	t = median(t_vinc, runs);
	printf("inclusion verify: %.2f us = %.1f raw hashes\n", t * 1e6,
	    t / one);
	t = median(t_con, runs);
	printf(
	    "consistency proof (random m < %llu): %.2f us = %.1f raw hashes\n",
	    (unsigned long long)n, t * 1e6, t / one);
	t = median(t_vcon, runs);
	printf("consistency verify: %.2f us = %.1f raw hashes\n", t * 1e6,
	    t / one);
	printf("(last proof length %zu)\n", len);

	merkle_mem_free(m);
	merkle_hasher_free(h);
	free(leaves);
	free(idx);
	free(lens);
	free(paths);
	return 0;
}
