/*
 * tests/unit/test_server_core.c — configuration, routing, error registry,
 * problem+json and metrics rendering of labelchaind, without a network.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/lc_err.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/routes.h"

static void
clear_env(void)
{
	unsetenv("LABELCHAIN_LISTEN");
	unsetenv("DATABASE_URL");
	unsetenv("LABELCHAIN_THREADS");
	unsetenv("LABELCHAIN_MIGRATE");
	unsetenv("LABELCHAIN_LOG_LEVEL");
}

START_TEST(config_defaults)
{
	struct config cfg;
	char	     *argv[] = { "labelchaind", NULL };

	clear_env();
	ck_assert_int_eq(config_load(&cfg, 1, argv), 0);
	ck_assert_str_eq(cfg.listen_host, "127.0.0.1");
	ck_assert_int_eq(cfg.listen_port, 8080);
	ck_assert_int_eq(cfg.threads, 4);
	ck_assert_int_eq(cfg.migrate, 1);
	ck_assert_str_eq(cfg.rpc_url, "");
	/* The edge's limits are on by default. */
	ck_assert_int_eq(cfg.max_connections_per_address, 64);
	ck_assert_str_eq(cfg.rate_signin, "30/m:60");
	ck_assert_str_eq(cfg.limits_exempt, "");
	config_free(&cfg);
}
END_TEST

START_TEST(config_limits)
{
	struct config cfg;
	char	     *argv[] = { "labelchaind", "--rate-label=off",
			"--limits-exempt=127.0.0.0/8,::1", "--rate-signin", "5/h:5",
			NULL };

	clear_env();
	setenv("LABELCHAIN_RATE_UPLOAD", "1/s:2", 1);
	ck_assert_int_eq(config_load(&cfg, 5, argv), 0);
	ck_assert_str_eq(cfg.rate_label, "off");
	ck_assert_str_eq(cfg.rate_signin, "5/h:5");
	ck_assert_str_eq(cfg.rate_upload, "1/s:2");
	ck_assert_str_eq(cfg.limits_exempt, "127.0.0.0/8,::1");
	config_free(&cfg);
	unsetenv("LABELCHAIN_RATE_UPLOAD");
}
END_TEST

START_TEST(config_env_then_flags)
{
	struct config cfg;
	char	     *argv[] = { "labelchaind", "--threads=3", "--listen",
			"0.0.0.0:9000", "--migrate=false", NULL };

	clear_env();
	setenv("LABELCHAIN_THREADS", "7", 1);
	setenv("DATABASE_URL", "host=/tmp dbname=x", 1);
	setenv("LABELCHAIN_LISTEN", "127.0.0.1:1", 1);
	ck_assert_int_eq(config_load(&cfg, 5, argv), 0);
	ck_assert_int_eq(cfg.threads, 3); /* flag wins */
	ck_assert_str_eq(cfg.database_url, "host=/tmp dbname=x");
	ck_assert_str_eq(cfg.listen_host, "0.0.0.0");
	ck_assert_int_eq(cfg.listen_port, 9000);
	ck_assert_int_eq(cfg.migrate, 0);
	config_free(&cfg);
	clear_env();
}
END_TEST

START_TEST(config_rejects_bad_values)
{
	struct config cfg;
	char	     *bad[][3] = {
			{ "labelchaind", "--threads=0", NULL },
			{ "labelchaind", "--threads=abc", NULL },
			{ "labelchaind", "--listen=nohostport", NULL },
			{ "labelchaind", "--listen=1.2.3.4:99999", NULL },
			{ "labelchaind", "--no-such-flag=1", NULL },
			{ "labelchaind", "--migrate=maybe", NULL },
			{ "labelchaind", "--log-level=loud", NULL },
			{ "labelchaind", "stray", NULL },
			{ "labelchaind", "--threads", NULL },
			{ "labelchaind", "--rate-signin=10/s", NULL },
			{ "labelchaind", "--rate-label=fast", NULL },
			{ "labelchaind", "--rate-upload=0/m:1", NULL },
			{ "labelchaind", "--limits-exempt=10.0.0.0/40", NULL },
			{ "labelchaind", "--limits-exempt=localhost", NULL },
			{ "labelchaind", "--max-connections=1", NULL },
			{ "labelchaind", "--header-timeout=0", NULL },
	};
	size_t i;

	clear_env();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(config_load(&cfg, 2, bad[i]), -1);
	setenv("LABELCHAIN_THREADS", "-5", 1);
	ck_assert_int_eq(config_load(&cfg, 1, bad[0]), -1);
	clear_env();
}
END_TEST

START_TEST(route_matching)
{
	struct http_req req;
	char		allow[64];
	int		known, r;

	memset(&req, 0, sizeof(req));
	r = route_find("GET", "/healthz", &req, &known, allow, sizeof(allow));
	ck_assert_int_ge(r, 0);
	ck_assert_str_eq(routes[r].pattern, "/healthz");
	r = route_find("HEAD", "/readyz", &req, &known, allow, sizeof(allow));
	ck_assert_int_ge(r, 0);
	r = route_find("POST", "/healthz", &req, &known, allow, sizeof(allow));
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(known, 1);
	ck_assert_str_eq(allow, "GET");
	r = route_find("GET", "/nope", &req, &known, allow, sizeof(allow));
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(known, 0);
	r = route_find("GET", "/healthz/", &req, &known, allow, sizeof(allow));
	ck_assert_int_eq(r, -1);
}
END_TEST

START_TEST(route_captures)
{
	size_t i;

	/* Every pattern is well formed: starts with '/', balanced braces. */
	for (i = 0; i < routes_count; i++) {
		const char *p = routes[i].pattern;
		int	    depth = 0;

		ck_assert_int_eq(p[0], '/');
		for (; *p != '\0'; p++) {
			if (*p == '{')
				depth++;
			if (*p == '}')
				depth--;
			ck_assert(depth == 0 || depth == 1);
		}
		ck_assert_int_eq(depth, 0);
		ck_assert_ptr_nonnull(routes[i].handler);
	}
}
END_TEST

START_TEST(error_registry)
{
	const struct lc_err_info *e;

	e = lc_err_info(LC_ERR_NOT_FOUND);
	ck_assert_int_eq(e->http_status, 404);
	ck_assert_str_eq(e->type, "not-found");
	e = lc_err_info(LC_ERR_TOO_LARGE);
	ck_assert_int_eq(e->http_status, 413);
	e = lc_err_info(12345); /* unknown: internal */
	ck_assert_int_eq(e->code, LC_ERR_INTERNAL);
	ck_assert_int_eq(e->http_status, 500);
}
END_TEST

START_TEST(problem_json)
{
	struct http_resp resp;
	cJSON		*j;

	memset(&resp, 0, sizeof(resp));
	http_problem(&resp, LC_ERR_METHOD, "use \"GET\"", "/healthz", "abc");
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(resp.content_type, "application/problem+json");
	j = cJSON_Parse(resp.body);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring,
	    "urn:labelchain:problem:method-not-allowed");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "status")->valueint, 405);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "detail")->valuestring,
	    "use \"GET\"");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "request_id")->valuestring,
	    "abc");
	cJSON_Delete(j);
	free(resp.body);
}
END_TEST

START_TEST(metrics_text)
{
	struct metrics_buf b;

	metrics_observe(0, 200, 0.002);
	metrics_observe(0, 200, 0.2);
	metrics_observe(-1, 404, 0.0001);
	metrics_observe(0, 599, 0.0001);
	ck_assert_int_eq(metrics_render(NULL, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data,
	    "labelchain_http_requests_total{route=\"GET /healthz\","
	    "status=\"200\"} 2\n"));
	ck_assert_ptr_nonnull(
	    strstr(b.data, "{route=\"unmatched\",status=\"404\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "status=\"other\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data,
	    "labelchain_http_request_duration_seconds_bucket{route=\"GET "
	    "/healthz\",le=\"0.0025\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data,
	    "duration_seconds_count{route=\"GET /healthz\"} 3\n"));
	free(b.data);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("server_core");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, config_defaults);
	tcase_add_test(tc, config_env_then_flags);
	tcase_add_test(tc, config_rejects_bad_values);
	tcase_add_test(tc, config_limits);
	tcase_add_test(tc, route_matching);
	tcase_add_test(tc, route_captures);
	tcase_add_test(tc, error_registry);
	tcase_add_test(tc, problem_json);
	tcase_add_test(tc, metrics_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
