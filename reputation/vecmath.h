/*
 * reputation/vecmath.h — four-lane float arithmetic for the inner loops of
 * the batch estimators (dawid_skene.c), in GCC/Clang vector extensions.
 *
 * One EM pass over a million votes adds a million rows of K log-
 * probabilities and takes about a million exponentials and logarithms.  In
 * scalar double code, with libm, that was ~15 ns per vote and a third of
 * it in exp and log.  Rows of floats handled four lanes at a time (SSE2 on
 * any x86-64, NEON on arm64, plain code elsewhere) and inline exp and log
 * bring it to a few ns.  Accuracy is that of a float (below 2e-7
 * relative, tests/unit/test_rep_vecmath.c); every sum that decides
 * convergence is taken in double by the callers.
 *
 *   rep_v4f_exp(x), lanes <= 0 (scores minus their maximum): lanes below
 *	-80 are clamped there (e^-80 ~ 2e-35, far below a float's resolution
 *	next to 1, and clear of denormals); x = n ln 2 + r, |r| <= ln(2)/2,
 *	e^r by its Taylor polynomial of degree 7, 2^n by exponent bits;
 *   rep_v4f_log(x), lanes positive and normal: x = 2^e m, m in
 *	[sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m-1)/(m+1), by its
 *	series to s^11.
 *
 * Pure: no I/O, no globals; the same bits on every run and every thread.
 */
#ifndef REP_VECMATH_H
#define REP_VECMATH_H

#include <stdint.h>

typedef float	rep_v4f __attribute__((vector_size(16)));
typedef int32_t rep_v4i __attribute__((vector_size(16)));

#define REP_V4F(x) ((rep_v4f){ (x), (x), (x), (x) })
#define REP_V4I(x) ((rep_v4i){ (x), (x), (x), (x) })

/* Lanes of a where mask is all ones, else lanes of b. */
static inline rep_v4f
rep_v4f_select(rep_v4i mask, rep_v4f a, rep_v4f b)
{
	return (rep_v4f)((mask & (rep_v4i)a) | (~mask & (rep_v4i)b));
}

static inline rep_v4f
rep_v4f_max(rep_v4f a, rep_v4f b)
{
	return rep_v4f_select(a > b, a, b);
}

static inline rep_v4f
rep_v4f_exp(rep_v4f x)
{
	const rep_v4f shift = REP_V4F(12582912.0f); /* 1.5 * 2^23 */
	rep_v4f	      t, n, r, p;
	rep_v4i	      bits;

	x = rep_v4f_max(x, REP_V4F(-80.0f));
	t = x * REP_V4F(1.44269504f) + shift;
	n = t - shift;
	r = x - n * REP_V4F(0.693145752f); /* ln 2, high bits */
	r = r - n * REP_V4F(1.42860677e-06f);
	p = REP_V4F(1.0f / 5040.0f);
	p = p * r + REP_V4F(1.0f / 720.0f);
	p = p * r + REP_V4F(1.0f / 120.0f);
	p = p * r + REP_V4F(1.0f / 24.0f);
	p = p * r + REP_V4F(1.0f / 6.0f);
	p = p * r + REP_V4F(0.5f);
	p = p * r + REP_V4F(1.0f);
	p = p * r + REP_V4F(1.0f);
	/* t's low mantissa bits hold n: 2^n is (n + 127) << 23. */
	bits = ((rep_v4i)t - (rep_v4i)shift + REP_V4I(127)) << 23;
	return p * (rep_v4f)bits;
}

static inline rep_v4f
rep_v4f_log(rep_v4f x)
{
	rep_v4i bits = (rep_v4i)x, e, big;
	rep_v4f m, f, s, z, q;

	e = ((bits >> 23) & REP_V4I(0xff)) - REP_V4I(127);
	m = (rep_v4f)((bits & REP_V4I(0x007fffff)) | REP_V4I(0x3f800000));
	big = m > REP_V4F(1.41421356f);
	m = rep_v4f_select(big, m * REP_V4F(0.5f), m);
	e = e - big; /* big is -1 where m was halved */
	f = m - REP_V4F(1.0f);
	s = f / (REP_V4F(2.0f) + f);
	z = s * s;
	q = REP_V4F(1.0f / 11.0f);
	q = q * z + REP_V4F(1.0f / 9.0f);
	q = q * z + REP_V4F(1.0f / 7.0f);
	q = q * z + REP_V4F(1.0f / 5.0f);
	q = q * z + REP_V4F(1.0f / 3.0f);
	q = q * z + REP_V4F(1.0f);
	return __builtin_convertvector(e, rep_v4f) * REP_V4F(0.693147182f) +
	    REP_V4F(2.0f) * s * q;
}

#endif
