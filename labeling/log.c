/*
 * labeling/log.c — key=value logging to stderr, one write(2) per line so
 * lines from different threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "labeling/log.h"

static enum lc_log_level  log_min = LC_LOG_INFO;
static _Thread_local char log_req_id[40];

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
lc_log_init(enum lc_log_level min_level)
{
	log_min = min_level;
}

int
lc_log_level_parse(const char *s, enum lc_log_level *out)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, log_names[i]) == 0) {
			*out = (enum lc_log_level)i;
			return 0;
		}
	return -1;
}

void
lc_log_set_request_id(const char *id)
{
	if (id == NULL)
		log_req_id[0] = '\0';
	else
		snprintf(log_req_id, sizeof(log_req_id), "%s", id);
}

const char *
lc_log_request_id(void)
{
	return log_req_id;
}

void
lc_log(enum lc_log_level level, const char *fmt, ...)
{
	char		line[2048];
	struct timespec ts;
	struct tm	tm;
	va_list		ap;
	int		n, m;

	if (level < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, log_names[level]);
	if (log_req_id[0] != '\0' && n < (int)sizeof(line))
		n +=
		    snprintf(line + n, sizeof(line) - n, " req=%s", log_req_id);
	if (n < (int)sizeof(line) - 1) {
		line[n++] = ' ';
		va_start(ap, fmt);
		m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
		if (m > 0)
			n += m;
	}
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
