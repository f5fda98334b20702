/*
 * tests/unit/test_edge.c — client addresses and exempt lists
 * (server/netaddr.h), and the edge (server/edge.h): rates by address and
 * by account, upload slots, and the reaper cutting off a connection past
 * its deadline.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "labeling/lc_err.h"
#include "server/edge.h"
#include "server/netaddr.h"

#define S INT64_C(1000000)

static struct netaddr
v4(const char *text)
{
	struct sockaddr_in sa;
	struct netaddr	   a;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, text, &sa.sin_addr), 1);
	ck_assert_int_eq(netaddr_from_sockaddr((struct sockaddr *)&sa,
			     sizeof(sa), &a),
	    0);
	return a;
}

static struct netaddr
v6(const char *text)
{
	struct sockaddr_in6 sa;
	struct netaddr	    a;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, text, &sa.sin6_addr), 1);
	ck_assert_int_eq(netaddr_from_sockaddr((struct sockaddr *)&sa,
			     sizeof(sa), &a),
	    0);
	return a;
}

START_TEST(netaddr_keys_and_lists)
{
	struct netaddr_list l;
	struct netaddr	    a, b, ka, kb;
	char		    text[NETADDR_TEXT_LEN];

	a = v4("192.0.2.7");
	netaddr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "192.0.2.7");
	/* IPv6: one /64 is one client. */
	a = v6("2001:db8:1:2::1");
	b = v6("2001:db8:1:2:ffff::9");
	netaddr_limit_key(&a, &ka);
	netaddr_limit_key(&b, &kb);
	ck_assert_mem_eq(ka.b, kb.b, 16);
	b = v6("2001:db8:1:3::1");
	netaddr_limit_key(&b, &kb);
	ck_assert(memcmp(ka.b, kb.b, 16) != 0);
	/* IPv4 addresses stay whole. */
	a = v4("192.0.2.7");
	b = v4("192.0.2.8");
	netaddr_limit_key(&a, &ka);
	netaddr_limit_key(&b, &kb);
	ck_assert(memcmp(ka.b, kb.b, 16) != 0);

	ck_assert_int_eq(netaddr_list_parse("", &l), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(netaddr_list_match(&l, &a), 0);
	netaddr_list_free(&l);
	ck_assert_int_eq(netaddr_list_parse("127.0.0.0/8, ::1,2001:db8::/32",
			     &l),
	    0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(netaddr_list_match(&l, &(struct netaddr){ 0 }), 0);
	a = v4("127.3.4.5");
	ck_assert_int_eq(netaddr_list_match(&l, &a), 1);
	a = v4("128.0.0.1");
	ck_assert_int_eq(netaddr_list_match(&l, &a), 0);
	a = v6("::1");
	ck_assert_int_eq(netaddr_list_match(&l, &a), 1);
	a = v6("2001:db8:ffff::1");
	ck_assert_int_eq(netaddr_list_match(&l, &a), 1);
	a = v6("2001:db9::1");
	ck_assert_int_eq(netaddr_list_match(&l, &a), 0);
	netaddr_list_free(&l);
	ck_assert_int_eq(netaddr_list_parse("10.0.0.0/33", &l), -1);
	ck_assert_int_eq(netaddr_list_parse("10.0.0.1,", &l), -1);
	ck_assert_int_eq(netaddr_list_parse("host.example", &l), -1);
	ck_assert_int_eq(netaddr_list_parse("::/129", &l), -1);
	ck_assert_int_eq(netaddr_list_parse("10.0.0.0/x", &l), -1);
	ck_assert_ptr_null(l.net);
}
END_TEST

static void
config_limits(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->limits_exempt = "10.0.0.0/8";
	cfg->max_connections = 64;
	cfg->max_connections_per_address = 2;
	cfg->header_timeout_s = 1;
	cfg->body_timeout_s = 1;
	cfg->body_min_rate = 1000;
	cfg->max_uploads = 2;
	cfg->rate_signin = "1/s:2";
	cfg->rate_label = "1/s:3";
	cfg->rate_label_address = "1/s:5";
	cfg->rate_upload = "off";
	cfg->rate_upload_address = "off";
}

START_TEST(edge_rates)
{
	struct config  cfg;
	struct edge   *e;
	struct netaddr a = v4("192.0.2.1"), b = v4("192.0.2.2"),
		       x = v4("10.1.2.3");
	int retry, i;

	config_limits(&cfg);
	ck_assert_int_eq(edge_create(&cfg, &e), 0);
	/* Sign-in: per address. */
	ck_assert_int_eq(edge_rate_take(e, EDGE_SIGNIN, &a, 0, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_SIGNIN, &a, 0, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_SIGNIN, &a, 0, S, &retry),
	    LC_ERR_RATE_LIMIT);
	ck_assert_int_eq(retry, 1);
	ck_assert_int_eq(edge_rate_take(e, EDGE_SIGNIN, &b, 0, S, &retry), 0);
	/* Exempt addresses and open routes are never refused. */
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(edge_rate_take(e, EDGE_SIGNIN, &x, 0, S,
				     &retry),
		    0);
		ck_assert_int_eq(edge_rate_take(e, EDGE_OPEN, &a, 7, S, &retry),
		    0);
		ck_assert_int_eq(edge_rate_take(e, EDGE_UPLOAD, &a, 7, S,
				     &retry),
		    0);
	}
	/* Labeling: the account's bucket holds wherever it comes from... */
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 7, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &b, 7, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &x, 7, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &x, 7, S, &retry),
	    LC_ERR_RATE_LIMIT);
	/* ...and the address's bucket holds across accounts. */
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 8, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 9, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 10, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 11, S, &retry), 0);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 12, S, &retry),
	    LC_ERR_RATE_LIMIT);
	ck_assert_int_eq(edge_rate_take(e, EDGE_LABEL, &a, 12, 3 * S, &retry),
	    0);
	edge_free(e);
	edge_free(NULL);
}
END_TEST

START_TEST(edge_uploads_and_deadlines)
{
	struct config cfg;
	struct edge  *e;

	config_limits(&cfg);
	ck_assert_int_eq(edge_create(&cfg, &e), 0);
	ck_assert_int_eq(edge_upload_begin(e), 0);
	ck_assert_int_eq(edge_upload_begin(e), 0);
	ck_assert_int_eq(edge_upload_begin(e), LC_ERR_RATE_LIMIT);
	edge_upload_end(e);
	ck_assert_int_eq(edge_upload_begin(e), 0);
	ck_assert_int_eq(edge_header_deadline(e, S), 2 * S);
	/* 1 s, plus 1 s per 1000 bytes. */
	ck_assert_int_eq(edge_body_deadline(e, S, 5000), 7 * S);
	edge_free(e);
}
END_TEST

START_TEST(edge_reaper_cuts_off)
{
	struct config	  cfg;
	struct edge	 *e;
	struct edge_conn *slow, *kept;
	struct pollfd	  p;
	int		  a[2], b[2];
	char		  c;

	config_limits(&cfg);
	ck_assert_int_eq(edge_create(&cfg, &e), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	slow = edge_conn_open(e, a[0], NULL, edge_now_us());
	kept = edge_conn_open(e, b[0], NULL, edge_now_us());
	ck_assert_ptr_nonnull(slow);
	ck_assert_ptr_nonnull(kept);
	edge_conn_deadline(kept, 0);
	/* Past its header deadline (1 s), the slow one is shut down. */
	p.fd = a[1];
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(read(a[1], &c, 1), 0);
	ck_assert_uint_eq(edge_cut_off(e), 1);
	p.fd = b[1];
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	edge_conn_close(e, slow);
	edge_conn_close(e, kept);
	edge_conn_close(e, NULL);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	edge_free(e);
}
END_TEST

START_TEST(edge_connections_per_address)
{
	struct config	  cfg;
	struct edge	 *e;
	struct edge_conn *c[200];
	struct netaddr	  a = v4("192.0.2.1"), b = v4("192.0.2.2"),
		       x = v4("10.9.9.9"), p = v6("2001:db8::1"),
		       q = v6("2001:db8::2"), addr;
	int i, n = 0;

	config_limits(&cfg);
	ck_assert_int_eq(edge_create(&cfg, &e), 0);
	ck_assert_int_eq(edge_conn_admit(e, &a), 0);
	c[n++] = edge_conn_open(e, -1, &a, S);
	ck_assert_int_eq(edge_conn_admit(e, &a), 0);
	c[n++] = edge_conn_open(e, -1, &a, S);
	ck_assert_int_eq(edge_conn_admit(e, &a), -1);
	ck_assert_int_eq(edge_conn_admit(e, &b), 0);
	/* One IPv6 /64 is one client. */
	c[n++] = edge_conn_open(e, -1, &p, S);
	c[n++] = edge_conn_open(e, -1, &q, S);
	ck_assert_int_eq(edge_conn_admit(e, &p), -1);
	/* Exempt and unknown addresses are not counted. */
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(edge_conn_admit(e, &x), 0);
		c[n++] = edge_conn_open(e, -1, &x, S);
		c[n++] = edge_conn_open(e, -1, NULL, S);
	}
	ck_assert_int_eq(edge_conn_admit(e, &x), 0);
	/* Closing one gives the address its room back. */
	edge_conn_close(e, c[0]);
	ck_assert_int_eq(edge_conn_admit(e, &a), 0);
	for (i = 1; i < n; i++)
		edge_conn_close(e, c[i]);
	ck_assert_int_eq(edge_conn_admit(e, &p), 0);
	/* Many addresses come and go: counts are deleted, not leaked. */
	n = 0;
	for (i = 0; i < 2000; i++) {
		addr = a;
		addr.b[14] = (uint8_t)(i >> 8);
		addr.b[15] = (uint8_t)i;
		c[n++] = edge_conn_open(e, -1, &addr, S);
		if (n == 60) {
			while (n > 0)
				edge_conn_close(e, c[--n]);
		}
	}
	while (n > 0)
		edge_conn_close(e, c[--n]);
	for (i = 0; i < 2000; i++) {
		addr = a;
		addr.b[14] = (uint8_t)(i >> 8);
		addr.b[15] = (uint8_t)i;
		ck_assert_int_eq(edge_conn_admit(e, &addr), 0);
		c[0] = edge_conn_open(e, -1, &addr, S);
		c[1] = edge_conn_open(e, -1, &addr, S);
		ck_assert_int_eq(edge_conn_admit(e, &addr), -1);
		edge_conn_close(e, c[1]);
		edge_conn_close(e, c[0]);
	}
	edge_free(e);
}
END_TEST

/* Random opens and closes over a few addresses, against a naive count:
 * the table's probing and backward-shift deletion keep every count. */
START_TEST(edge_counts_match_naive)
{
	struct config	  cfg;
	struct edge	 *e;
	struct edge_conn *open[64];
	int		  owner[64], naive[40], n = 0, i, k, step, steps;
	uint32_t	  r;
	struct netaddr	  addr[40];

	config_limits(&cfg);
	cfg.max_connections_per_address = 3;
	ck_assert_int_eq(edge_create(&cfg, &e), 0);
	for (i = 0; i < 40; i++) {
		addr[i] = v4("198.51.100.0");
		addr[i].b[15] = (uint8_t)(i * 7);
		naive[i] = 0;
	}
	/* Fewer under valgrind (scripts/dev sets LC_TEST_QUICK). */
	steps = getenv("LC_TEST_QUICK") != NULL ? 20000 : 200000;
	for (step = 0; step < steps; step++) {
		r = randombytes_uniform(1000);
		k = (int)randombytes_uniform(40);
		ck_assert_int_eq(edge_conn_admit(e, &addr[k]),
		    naive[k] >= 3 ? -1 : 0);
		if (r < 500 && n < 64 && naive[k] < 3) {
			open[n] = edge_conn_open(e, -1, &addr[k], S);
			owner[n++] = k;
			naive[k]++;
		} else if (n > 0) {
			i = (int)randombytes_uniform((uint32_t)n);
			edge_conn_close(e, open[i]);
			naive[owner[i]]--;
			open[i] = open[--n];
			owner[i] = owner[n];
		}
	}
	while (n > 0)
		edge_conn_close(e, open[--n]);
	for (k = 0; k < 40; k++)
		ck_assert_int_eq(edge_conn_admit(e, &addr[k]), 0);
	edge_free(e);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("edge");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	if (sodium_init() < 0)
		return 1;
	tcase_add_test(tc, netaddr_keys_and_lists);
	tcase_add_test(tc, edge_rates);
	tcase_add_test(tc, edge_uploads_and_deadlines);
	tcase_add_test(tc, edge_reaper_cuts_off);
	tcase_add_test(tc, edge_connections_per_address);
	tcase_add_test(tc, edge_counts_match_naive);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
