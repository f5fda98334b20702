/*
 * tests/unit/test_rpc.c — JSON-RPC response handling and transport
 * failures, without a node (the anvil test, tests/anchor/, covers the
 * methods against a real one).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "anchor/anchor_err.h"
#include "anchor/rpc.h"

static int
parse(const char *body, long id, cJSON **res, struct rpc_error *err)
{
	memset(err, 0, sizeof(*err));
	return rpc_response_parse(body, strlen(body), id, res, err);
}

START_TEST(test_parse_result)
{
	struct rpc_error err;
	cJSON		*res;

	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":7,"
			       "\"result\":\"0x7a69\"}",
			     7, &res, &err),
	    0);
	ck_assert(cJSON_IsString(res));
	ck_assert_str_eq(res->valuestring, "0x7a69");
	cJSON_Delete(res);
	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
			       "{\"a\":[1,2]}}",
			     1, &res, &err),
	    0);
	ck_assert(cJSON_IsObject(res));
	cJSON_Delete(res);
	/* false and 0 are results, not nulls. */
	ck_assert_int_eq(
	    parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":false}", 1, &res,
		&err),
	    0);
	cJSON_Delete(res);
}
END_TEST

START_TEST(test_parse_rpc_error)
{
	struct rpc_error err;
	cJSON		*res;

	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{"
			       "\"code\":-32000,\"message\":\"nonce too "
			       "low\"}}",
			     3, &res, &err),
	    ANCHOR_ERPC);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(err.kind, ANCHOR_ERPC);
	ck_assert_int_eq(err.code, -32000);
	ck_assert_str_eq(err.message, "nonce too low");
	ck_assert_int_eq(err.reason, RPC_REASON_NONCE_LOW);
	/* Errors may come with a null id (parse errors on the server). */
	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{"
			       "\"code\":-32700,\"message\":\"already "
			       "known\"}}",
			     3, &res, &err),
	    ANCHOR_ERPC);
	ck_assert_str_eq(err.message, "already known");
	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{}}", 3,
			     &res, &err),
	    ANCHOR_ERPC);
	ck_assert_str_eq(err.message, "");
}
END_TEST

/* What geth, anvil and others answer, as the worker needs it told apart. */
START_TEST(test_reason_classify)
{
	static const struct {
		long		code;
		const char     *message;
		enum rpc_reason want;
	} cases[] = {
		{ -32000, "already known", RPC_REASON_KNOWN },
		{ -32003, "transaction already imported", RPC_REASON_KNOWN },
		{ -32010, "Known transaction: 0xabc", RPC_REASON_KNOWN },
		{ -32000, "nonce too low", RPC_REASON_NONCE_LOW },
		{ -32003, "nonce too low", RPC_REASON_NONCE_LOW },
		{ -32000, "nonce too low: next nonce 7, tx nonce 5",
		    RPC_REASON_NONCE_LOW },
		{ -32000, "replacement transaction underpriced",
		    RPC_REASON_UNDERPRICED },
		{ -32000, "transaction underpriced", RPC_REASON_UNDERPRICED },
		{ -32003, "max fee per gas less than block base fee",
		    RPC_REASON_UNDERPRICED },
		{ -32000,
		    "max fee per gas less than block base fee: address 0x…",
		    RPC_REASON_UNDERPRICED },
		{ -32000, "insufficient funds for gas * price + value",
		    RPC_REASON_FUNDS },
		{ -32003, "Insufficient funds for gas * price + value",
		    RPC_REASON_FUNDS },
		{ 3, "execution reverted: nope", RPC_REASON_CALL_FAILS },
		{ -32603, "EVM error InvalidFEOpcode", RPC_REASON_CALL_FAILS },
		{ -32000, "execution reverted", RPC_REASON_CALL_FAILS },
		{ -32601, "the method eth_foo does not exist",
		    RPC_REASON_OTHER },
		{ -32000, NULL, RPC_REASON_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(rpc_reason_classify(cases[i].code,
				  cases[i].message) == cases[i].want,
		    "case %zu (%s): %s", i,
		    cases[i].message ? cases[i].message : "(null)",
		    rpc_reason_name(
			rpc_reason_classify(cases[i].code, cases[i].message)));
	ck_assert_str_eq(rpc_reason_name(RPC_REASON_TIMEOUT), "timeout");
}
END_TEST

START_TEST(test_parse_long_message_truncated)
{
	char		 body[2048], msg[1001];
	struct rpc_error err;
	cJSON		*res;

	memset(msg, 'x', 1000);
	msg[1000] = '\0';
	snprintf(body, sizeof(body),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,"
	    "\"message\":\"%s\"}}",
	    msg);
	ck_assert_int_eq(parse(body, 1, &res, &err), ANCHOR_ERPC);
	ck_assert_uint_eq(strlen(err.message), RPC_MESSAGE_MAX - 1);
}
END_TEST

START_TEST(test_parse_null_and_malformed)
{
	static const char *malformed[] = {
		"",
		"not json",
		"[1,2]",
		"{\"id\":1,\"result\":\"0x1\"}", /* no jsonrpc */
		"{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":\"0x1\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x1\"}", /* id */
		"{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":\"0x1\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":1}", /* neither */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":",
	};
	struct rpc_error err;
	cJSON		*res;
	size_t		 i;

	ck_assert_int_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}",
			     1, &res, &err),
	    ANCHOR_ENULL);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(err.kind, ANCHOR_ENULL);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		ck_assert_msg(parse(malformed[i], 1, &res, &err) ==
			ANCHOR_EPARSE,
		    "case %zu", i);
		ck_assert_ptr_null(res);
		ck_assert_int_eq(err.kind, ANCHOR_EPARSE);
	}
}
END_TEST

/* A port on which nothing listens: bind, read it back, close. */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t	   len = sizeof(sa);
	int		   fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

START_TEST(test_transport_refused)
{
	struct rpc_client *c;
	char		   url[64];
	uint64_t	   v;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	ck_assert_int_eq(rpc_client_create(url, 500, 1000, &c), 0);
	ck_assert_int_eq(rpc_chain_id(c, &v), ANCHOR_ETRANSPORT);
	ck_assert_int_eq(rpc_last_error(c)->kind, ANCHOR_ETRANSPORT);
	ck_assert_int_eq(rpc_last_error(c)->http_status, 0);
	ck_assert_int_eq(rpc_last_error(c)->reason, RPC_REASON_UNREACHABLE);
	ck_assert_uint_gt(strlen(rpc_last_error(c)->message), 0);
	rpc_client_free(c);
	rpc_client_free(NULL);
	ck_assert_int_eq(rpc_client_create("http://x", 0, 1000, &c),
	    ANCHOR_EINVAL);
}
END_TEST

/* A server that accepts connections (the kernel's backlog) but never
 * answers: the total timeout must end the call. */
START_TEST(test_transport_timeout)
{
	struct sockaddr_in sa;
	socklen_t	   len = sizeof(sa);
	struct rpc_client *c;
	struct timespec	   t0, t1;
	char		   url[64];
	uint64_t	   v;
	double		   secs;
	int		   fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	ck_assert_int_eq(rpc_client_create(url, 200, 300, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(rpc_block_number(c, &v), ANCHOR_ETRANSPORT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_double_lt(secs, 5.0);
	ck_assert_double_ge(secs, 0.25);
	ck_assert_ptr_nonnull(strstr(rpc_last_error(c)->message, "imed out"));
	ck_assert_int_eq(rpc_last_error(c)->reason, RPC_REASON_TIMEOUT);
	rpc_client_free(c);
	close(fd);
}
END_TEST

static Suite *
rpc_suite(void)
{
	Suite *s = suite_create("rpc");
	TCase *tc = tcase_create("rpc");

	tcase_add_test(tc, test_parse_result);
	tcase_add_test(tc, test_parse_rpc_error);
	tcase_add_test(tc, test_reason_classify);
	tcase_add_test(tc, test_parse_long_message_truncated);
	tcase_add_test(tc, test_parse_null_and_malformed);
	tcase_add_test(tc, test_transport_refused);
	tcase_add_test(tc, test_transport_timeout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(rpc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
