/*
 * labeling/log.h — one line per event, key=value, with the request id.
 *
 * Lines look like `ts=2026-11-25T07:40:01.123Z level=info req=9f2c… event=...`.
 * The request id is per thread (set by the HTTP layer when a request starts,
 * cleared when it ends), so domain code logs without threading it through.
 * Never log a secret, a token or a private key.
 */
#ifndef LC_LOG_H
#define LC_LOG_H

enum lc_log_level { LC_LOG_DEBUG, LC_LOG_INFO, LC_LOG_WARN, LC_LOG_ERROR };

void	    lc_log_init(enum lc_log_level min_level);
int	    lc_log_level_parse(const char *s, enum lc_log_level *out);
void	    lc_log_set_request_id(const char *id); /* copied; NULL clears */
const char *lc_log_request_id(void);
/* `fmt` is the key=value tail, e.g. "event=start port=%d". */
void lc_log(enum lc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define lc_debug(...) lc_log(LC_LOG_DEBUG, __VA_ARGS__)
#define lc_info(...) lc_log(LC_LOG_INFO, __VA_ARGS__)
#define lc_warn(...) lc_log(LC_LOG_WARN, __VA_ARGS__)
#define lc_error(...) lc_log(LC_LOG_ERROR, __VA_ARGS__)

#endif
