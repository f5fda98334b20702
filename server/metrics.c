/*
 * server/metrics.c — see metrics.h.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/server.h"

#define METRICS_MAX_ROUTES 128
#define METRICS_ROUTE_NONE (METRICS_MAX_ROUTES - 1)
#define METRICS_MAX_WRITERS 8

static const int metrics_statuses[] = {
	200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 409, 410, 413, 415,
	422, 429, 500, 502, 503, 0 /* other */
};
#define NSTATUS (sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Upper bounds in seconds; the +Inf bucket is the request count. */
static const double metrics_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))

static atomic_uint_fast64_t m_requests[METRICS_MAX_ROUTES][NSTATUS];
static atomic_uint_fast64_t m_latency[METRICS_MAX_ROUTES][NBUCKETS];
static atomic_uint_fast64_t m_latency_count[METRICS_MAX_ROUTES];
static atomic_uint_fast64_t m_latency_sum_us[METRICS_MAX_ROUTES];

static struct {
	metrics_writer fn;
	void	      *arg;
} m_writers[METRICS_MAX_WRITERS];
static int m_nwriters;

void
metrics_observe(int route, int status, double seconds)
{
	size_t s, b;
	int    r;

	r = (route >= 0 && route < METRICS_ROUTE_NONE) ? route
						       : METRICS_ROUTE_NONE;
	for (s = 0; s < NSTATUS - 1; s++)
		if (metrics_statuses[s] == status)
			break;
	atomic_fetch_add_explicit(&m_requests[r][s], 1, memory_order_relaxed);
	for (b = 0; b < NBUCKETS; b++)
		if (seconds <= metrics_buckets[b])
			atomic_fetch_add_explicit(&m_latency[r][b], 1,
			    memory_order_relaxed);
	atomic_fetch_add_explicit(&m_latency_count[r], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_latency_sum_us[r],
	    (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
}

void
metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	char   *p;
	size_t	cap;
	int	n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->data ? b->data + b->len : NULL,
		    b->data ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if (b->data != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		cap = b->cap ? b->cap * 2 : 8192;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		if ((p = realloc(b->data, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
}

int
metrics_register(metrics_writer fn, void *arg)
{
	if (m_nwriters == METRICS_MAX_WRITERS)
		return LC_ERR_INTERNAL;
	m_writers[m_nwriters].fn = fn;
	m_writers[m_nwriters].arg = arg;
	m_nwriters++;
	return 0;
}

static const char *
metrics_route_label(size_t r, char *buf, size_t len)
{
	if (r == METRICS_ROUTE_NONE || r >= routes_count)
		return "unmatched";
	snprintf(buf, len, "%s %s", routes[r].method, routes[r].pattern);
	return buf;
}

int
metrics_render(struct server *srv, struct metrics_buf *b)
{
	char	 label[160], status[8];
	size_t	 r, s, k;
	uint64_t v, waits, errors;
	int	 size, in_use, i;

	memset(b, 0, sizeof(*b));
	metrics_printf(b,
	    "# HELP labelchain_http_requests_total HTTP "
	    "requests by route and status.\n"
	    "# TYPE labelchain_http_requests_total counter\n");
	for (r = 0; r < METRICS_MAX_ROUTES; r++)
		for (s = 0; s < NSTATUS; s++) {
			v = atomic_load_explicit(&m_requests[r][s],
			    memory_order_relaxed);
			if (v == 0)
				continue;
			if (metrics_statuses[s] != 0)
				snprintf(status, sizeof(status), "%d",
				    metrics_statuses[s]);
			else
				snprintf(status, sizeof(status), "other");
			metrics_printf(b,
			    "labelchain_http_requests_total"
			    "{route=\"%s\",status=\"%s\"} %llu\n",
			    metrics_route_label(r, label, sizeof(label)),
			    status, (unsigned long long)v);
		}
	metrics_printf(b,
	    "# HELP labelchain_http_request_duration_seconds "
	    "Time from request start to response queued.\n"
	    "# TYPE labelchain_http_request_duration_seconds histogram\n");
	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		v = atomic_load_explicit(&m_latency_count[r],
		    memory_order_relaxed);
		if (v == 0)
			continue;
		metrics_route_label(r, label, sizeof(label));
		for (k = 0; k < NBUCKETS; k++)
			metrics_printf(b,
			    "labelchain_http_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%g\"} %llu\n",
			    label, metrics_buckets[k],
			    (unsigned long long)
				atomic_load_explicit(&m_latency[r][k],
				    memory_order_relaxed));
		metrics_printf(b,
		    "labelchain_http_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %llu\n"
		    "labelchain_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n"
		    "labelchain_http_request_duration_seconds_count"
		    "{route=\"%s\"} %llu\n",
		    label, (unsigned long long)v, label,
		    (double)atomic_load_explicit(&m_latency_sum_us[r],
			memory_order_relaxed) /
			1e6,
		    label, (unsigned long long)v);
	}
	if (srv != NULL && srv->pool != NULL) {
		db_pool_stats(srv->pool, &size, &in_use, &waits, &errors);
		metrics_printf(b,
		    "# HELP labelchain_db_pool_size PostgreSQL connections "
		    "in the pool.\n# TYPE labelchain_db_pool_size gauge\n"
		    "labelchain_db_pool_size %d\n"
		    "# HELP labelchain_db_pool_in_use Connections lent "
		    "out.\n# TYPE labelchain_db_pool_in_use gauge\n"
		    "labelchain_db_pool_in_use %d\n"
		    "# HELP labelchain_db_pool_waits_total Acquires that "
		    "had to wait.\n# TYPE labelchain_db_pool_waits_total "
		    "counter\nlabelchain_db_pool_waits_total %llu\n"
		    "# HELP labelchain_db_pool_errors_total Acquires that "
		    "failed.\n# TYPE labelchain_db_pool_errors_total counter\n"
		    "labelchain_db_pool_errors_total %llu\n",
		    size, in_use, (unsigned long long)waits,
		    (unsigned long long)errors);
		metrics_printf(b,
		    "# HELP labelchain_http_in_flight Requests being "
		    "handled.\n# TYPE labelchain_http_in_flight gauge\n"
		    "labelchain_http_in_flight %d\n",
		    atomic_load(&srv->in_flight));
	}
	for (i = 0; i < m_nwriters; i++)
		m_writers[i].fn(b, m_writers[i].arg);
	if (b->failed) {
		free(b->data);
		memset(b, 0, sizeof(*b));
		return LC_ERR_NOMEM;
	}
	return 0;
}
