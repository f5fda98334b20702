/*
 * server/metrics.h — Prometheus counters, gauges and histograms of
 * labelchaind, rendered in the text exposition format (version 0.0.4).
 *
 * Request counters are per (route, status) and latency histograms per
 * route, updated with relaxed atomics on the hot path; other parts (the
 * anchoring worker) register a writer that appends its own lines.
 */
#ifndef LC_METRICS_H
#define LC_METRICS_H

#include <stddef.h>

struct server;

/* Count one request; route -1 means "no route matched". */
void metrics_observe(int route, int status, double seconds);

/* Append text to a growing buffer; used by writers. */
struct metrics_buf {
	char  *data;
	size_t len, cap;
	int    failed;
};
void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef void (*metrics_writer)(struct metrics_buf *b, void *arg);
/* At most 8 writers, registered at start-up before the HTTP server. */
int metrics_register(metrics_writer fn, void *arg);

/* Render everything; the caller frees b->data. */
int metrics_render(struct server *srv, struct metrics_buf *b);

#endif
