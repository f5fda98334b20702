/*
 * bench/load/loadgen.c — closed-loop load generator for the market's money
 * path, through the real HTTP API.
 *
 * Setup (once, reusable): a requester token creates a project, funds its
 * escrow and uploads tasks in batches of LC_MAX_TASKS_PER_UPLOAD; then N
 * labelers each get an Ed25519 key, sign in by challenge-response, are
 * credited by `labelctl credit` (the operator's path: an outside deposit
 * has no API) and stake.  The labelers run on SETUP_THREADS threads, so
 * 256 of them take seconds, not minutes.  Keys and tokens go to a file
 * that the measured runs read back (--keys).
 *
 * Measured phase: one thread per labeler, each a closed loop with one
 * libcurl easy handle kept alive for the whole run:
 *
 *   claim	POST /v1/projects/{id}/assignments  (201 lease, 204 no task)
 *   vote	sign "labelchain:vote:v1\n<assignment>\n<task>\n<label>",
 *		POST /v1/assignments/{id}/vote	    (201 stored, 409 too late)
 *
 * With --mode next the vote also asks for the next lease ("next": true)
 * and the thread votes on the lease it gets back without a claim; when
 * the answer has no `next` (a server without the feature) or a null one,
 * the thread claims as in claim mode.  The label voted is
 * labels[task_id % K]: every labeler agrees, so tasks finalize and
 * nothing is slashed.
 *
 * A thread checks the deadline before each request and never cuts one
 * short, so every 201 vote it counts was acknowledged by the server; their
 * assignment ids go to --out for the caller to check against the database.
 * With --release-leases a thread then skips the lease it still holds (not
 * measured), so that back-to-back runs do not find slots taken by leases
 * that nobody will vote on until they expire.
 *
 * For the fault runs (bench/faults): --url may be given several times, and
 * labeler i then works against URL i mod n; after a transport error (the
 * instance is gone) it moves to the next URL, as a load balancer would
 * route around a dead instance.  Answers of 503 are counted apart, and
 * whether they were problem+json.  --timeline writes counts (per 100 ms) of
 * every kind of answer, with the run's start as a Unix time, so that a
 * fault injected at a known time can be lined up with what the labelers saw.
 *
 * Latencies (CLOCK_MONOTONIC, microseconds) go to per-thread arrays, merged
 * and sorted once at the end: nothing is shared on the hot path.
 *
 * Output: one JSON line on stdout, a human summary on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>

#include "labeling/limits.h"

#define MAX_LABELERS 1024
#define MAX_SECONDS 3600
#define MAX_TASKS 10000000
#define MAX_URL_BYTES 512
#define MAX_TOKEN_BYTES 256
#define MAX_RESPONSE_BYTES (1024 * 1024)
#define MAX_KEYS_LINE 1024
#define SETUP_THREADS 32  /* concurrent sign-ins during setup */
#define HTTP_TIMEOUT_S 60 /* a request slower than this is an error */
#define CONNECT_TIMEOUT_S 10
#define NO_TASK_BACKOFF_US 5000 /* pause after a 204 before claiming again */
#define NO_TASK_STAMPS 32	/* 204 timestamps kept per thread */
#define ERRORS_SHOWN 10		/* unexpected answers printed in full */
#define SAMPLES_INITIAL 4096
#define MAX_URLS 16	  /* --url given several times */
#define TL_STEPS_PER_S 10 /* --timeline rows: 100 ms each */
#define TL_OVERRUN_S 2	  /* rows kept for requests ending past the deadline */
#define PROBLEM_JSON "application/problem+json"

/* The project the setup creates. */
#define PROJECT_REWARD 1000 /* micro-credits per task */
#define PROJECT_MIN_STAKE 1000000
#define DEFAULT_CREDIT INT64_C(10000000000) /* per labeler */
#define DEFAULT_STAKE INT64_C(1000000000)

#define VOTE_PREFIX "labelchain:vote:v1"
#define LOGIN_PREFIX "labelchain:login:v1"

enum mode { MODE_CLAIM, MODE_NEXT };

struct options {
	const char *url; /* the first of urls: setup talks to it */
	const char *urls[MAX_URLS];
	int	    n_urls;
	const char *timeline;
	int	    labelers;
	double	    seconds; /* 0: no measured phase */
	enum mode   mode;
	int	    setup_project;
	int	    setup_labelers;
	int	    tasks;
	const char *requester_token;
	int64_t	    project;
	const char *keys;
	const char *out;
	const char *labelctl;
	int64_t	    credit;
	int64_t	    stake;
	int	    release; /* give back the lease held at the deadline */
};

struct buffer {
	char  *data;
	size_t len, cap;
};

/* One keep-alive HTTP connection: a libcurl easy handle and its headers. */
struct client {
	CURL		  *curl;
	struct curl_slist *headers;
	const char	  *base;
	struct buffer	   resp;
	long		   connects; /* new TCP connections opened */
	int		   problem;  /* the last answer was problem+json */
	char		   errbuf[CURL_ERROR_SIZE];
	char		   url[MAX_URL_BYTES];
};

struct labeler {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	char	      pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	char	      token[MAX_TOKEN_BYTES];
};

/* A leased task and the label this labeler will vote for it. */
struct lease {
	int64_t assignment_id;
	int64_t task_id;
	char	label[LC_MAX_LABEL_BYTES + 1];
};

struct samples {
	uint32_t *us;
	size_t	  n, cap;
};

/* Answers by status, per request type. */
struct counts {
	uint64_t s201, s204, s409, other, s5xx, transport;
	uint64_t s503;	       /* of s5xx */
	uint64_t s5xx_problem; /* of s5xx: with a problem+json body */
};

/* Columns of the timeline (a row per 100 ms) (--timeline). */
enum tl_col {
	TL_VOTE_201,
	TL_CLAIM_201,
	TL_CLAIM_204,
	TL_409,
	TL_503_PROBLEM,
	TL_5XX_OTHER, /* 5xx but not a 503 problem+json */
	TL_TRANSPORT,
	TL_OTHER,
	TL_COLS
};
static const char *const tl_names[TL_COLS] = { "votes_201", "claims_201",
	"claims_204", "s409", "s503_problem", "s5xx_other", "transport",
	"other" };

struct worker {
	pthread_t	      thread;
	int		      index;
	const struct options *opt;
	struct labeler	     *labeler;
	struct client	      client;
	struct samples	      claim_lat, vote_lat;
	struct counts	      claim, vote;
	int		      url_index;    /* into opt->urls */
	uint64_t	      url_switches; /* moves to another URL */
	uint32_t (*timeline)[TL_COLS];	    /* per 100 ms, or NULL */
	size_t	 timeline_len;
	double	 start;
	uint64_t next_leases; /* leases received with a vote */
	uint64_t released;    /* leases given back at the end */
	int64_t *acked;	      /* assignment ids of 201 votes */
	size_t	 n_acked, cap_acked;
	double	 no_task_at[NO_TASK_STAMPS];
	uint64_t n_no_task;
	int	 failed; /* could not start */
};

struct setup_pool {
	const struct options *opt;
	struct labeler	     *labelers;
	atomic_int	      next;
	atomic_int	      failures;
};

static volatile sig_atomic_t stop_requested;
static atomic_int	     errors_shown;
static pthread_barrier_t     start_barrier;
/* Set by the main thread just before it releases the barrier. */
static double run_start;      /* CLOCK_MONOTONIC */
static double run_start_unix; /* CLOCK_REALTIME, for --timeline */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int
buffer_reserve(struct buffer *b, size_t extra)
{
	size_t cap;
	char  *p;

	if (b->len + extra + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int
buffer_append(struct buffer *b, const char *s, size_t n)
{
	if (buffer_reserve(b, n) != 0)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buffer_printf(struct buffer *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
buffer_printf(struct buffer *b, const char *fmt, ...)
{
	va_list ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buffer_reserve(b, (size_t)n) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* JSON string contents of s into out; -1 when it does not fit. */
static int
json_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (len - o < 7)
			return -1;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20)
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static size_t
client_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct client *c = arg;
	size_t	       n = size * nmemb;

	if (c->resp.len + n > MAX_RESPONSE_BYTES ||
	    buffer_append(&c->resp, ptr, n) != 0)
		return 0; /* libcurl reports a write error */
	return n;
}

static void
client_free(struct client *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->resp.data);
	memset(c, 0, sizeof(*c));
}

/* token may be NULL (sign-in requests). */
static int
client_set_token(struct client *c, const char *token)
{
	struct curl_slist *h = NULL, *t;
	char		   auth[MAX_TOKEN_BYTES + 32];

	/* No "Expect: 100-continue" round trip before large uploads. */
	if ((t = curl_slist_append(h, "Expect:")) == NULL)
		goto fail;
	h = t;
	if ((t = curl_slist_append(h, "Content-Type: application/json")) ==
	    NULL)
		goto fail;
	h = t;
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		if ((t = curl_slist_append(h, auth)) == NULL)
			goto fail;
		h = t;
	}
	curl_slist_free_all(c->headers);
	c->headers = h;
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	return 0;
fail:
	curl_slist_free_all(h);
	return -1;
}

static int
client_init(struct client *c, const char *base, const char *token)
{
	memset(c, 0, sizeof(*c));
	c->base = base;
	if ((c->curl = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT,
	    (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, client_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	if (client_set_token(c, token) != 0) {
		client_free(c);
		return -1;
	}
	return 0;
}

/*
 * One request on the kept-alive connection; body NULL makes it a GET.
 * Returns 0 with *status set, or -1 on a transport error (c->errbuf).
 * The response body is in c->resp, NUL-terminated.
 */
static int
client_request(struct client *c, const char *path, const char *body, size_t len,
    long *status)
{
	CURLcode cc;
	char	*type = NULL;
	long	 n = 0;

	*status = 0;
	c->resp.len = 0;
	if (buffer_reserve(&c->resp, 0) != 0)
		return -1;
	c->resp.data[0] = '\0';
	c->errbuf[0] = '\0';
	snprintf(c->url, sizeof(c->url), "%s%s", c->base, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	if ((cc = curl_easy_perform(c->curl)) != CURLE_OK) {
		if (c->errbuf[0] == '\0')
			snprintf(c->errbuf, sizeof(c->errbuf), "%s",
			    curl_easy_strerror(cc));
		return -1;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &n) == CURLE_OK)
		c->connects += n;
	c->problem = 0;
	if (curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &type) ==
		CURLE_OK &&
	    type != NULL)
		c->problem =
		    strncmp(type, PROBLEM_JSON, sizeof(PROBLEM_JSON) - 1) == 0;
	return 0;
}

/* POST and parse a JSON answer of status want; NULL (and a message) if not. */
static cJSON *
client_post_json(struct client *c, const char *what, const char *path,
    const char *body, long want)
{
	cJSON *json;
	long   status;

	if (client_request(c, path, body, strlen(body), &status) != 0) {
		fprintf(stderr, "loadgen: %s: %s\n", what, c->errbuf);
		return NULL;
	}
	if (status != want) {
		fprintf(stderr, "loadgen: %s: HTTP %ld: %.500s\n", what, status,
		    c->resp.data);
		return NULL;
	}
	if ((json = cJSON_ParseWithLength(c->resp.data, c->resp.len)) == NULL)
		fprintf(stderr, "loadgen: %s: unparsable answer: %.200s\n",
		    what, c->resp.data);
	return json;
}

static int
json_get_i64(const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int
samples_add(struct samples *s, double seconds)
{
	uint32_t *p;
	size_t	  cap;
	double	  us = seconds * 1e6;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : SAMPLES_INITIAL;
		if ((p = realloc(s->us, cap * sizeof(*p))) == NULL)
			return -1;
		s->us = p;
		s->cap = cap;
	}
	s->us[s->n++] = us >= UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples, in milliseconds. */
static double
percentile_ms(const uint32_t *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1] / 1000.0;
}

/* ---- setup ---- */

/* Task data of about 100 bytes, like a short text item. */
static int
task_append(struct buffer *b, int i, int first)
{
	return buffer_printf(b,
	    "%s{\"data\":{\"n\":%d,\"text\":\"load item %08d: the quick "
	    "brown fox jumps over the lazy dog, twice\"},\"external_id\":"
	    "\"t%d\"}",
	    first ? "" : ",", i, i, i);
}

static int
setup_project(const struct options *o, int64_t *project)
{
	struct client c;
	struct buffer body = { 0 };
	cJSON	     *json = NULL;
	char	      path[128];
	int	      i, n, rc = -1;
	double	      t0 = now_s();

	if (client_init(&c, o->url, o->requester_token) != 0)
		return -1;
	if (buffer_printf(&body,
		"{\"name\":\"load\",\"instructions\":\"x\","
		"\"labels\":[\"a\",\"b\",\"c\"],\"reward_per_task\":%d,"
		"\"min_votes\":3,\"max_votes\":5,\"confidence\":0.9,"
		"\"min_stake\":%d,\"gold_rate\":0}",
		PROJECT_REWARD, PROJECT_MIN_STAKE) != 0)
		goto fail;
	if ((json = client_post_json(&c, "create project", "/v1/projects",
		 body.data, 201)) == NULL)
		goto fail;
	if (json_get_i64(json, "id", project) != 0) {
		fprintf(stderr, "loadgen: create project: no id\n");
		goto fail;
	}
	cJSON_Delete(json);
	json = NULL;

	body.len = 0;
	snprintf(path, sizeof(path), "/v1/projects/%" PRId64 "/fund", *project);
	if (buffer_printf(&body, "{\"amount\":%" PRId64 "}",
		(int64_t)o->tasks * PROJECT_REWARD) != 0 ||
	    (json = client_post_json(&c, "fund project", path, body.data,
		 200)) == NULL)
		goto fail;
	cJSON_Delete(json);
	json = NULL;

	snprintf(path, sizeof(path), "/v1/projects/%" PRId64 "/tasks",
	    *project);
	for (i = 0; i < o->tasks; i += LC_MAX_TASKS_PER_UPLOAD) {
		body.len = 0;
		if (buffer_append(&body, "[", 1) != 0)
			goto fail;
		for (n = 0; n < LC_MAX_TASKS_PER_UPLOAD && i + n < o->tasks;
		     n++)
			if (task_append(&body, i + n, n == 0) != 0)
				goto fail;
		if (buffer_append(&body, "]", 1) != 0)
			goto fail;
		if ((json = client_post_json(&c, "upload tasks", path,
			 body.data, 201)) == NULL)
			goto fail;
		cJSON_Delete(json);
		json = NULL;
	}
	fprintf(stderr,
	    "loadgen: project %" PRId64 ": %d tasks uploaded in %.1f s\n",
	    *project, o->tasks, now_s() - t0);
	rc = 0;
fail:
	cJSON_Delete(json);
	free(body.data);
	client_free(&c);
	return rc;
}

/* `labelctl credit ACCOUNT AMOUNT`, the operator's deposit. */
static int
labeler_credit(const struct options *o, int64_t account_id)
{
	posix_spawn_file_actions_t fa;
	char			   id[24], amount[24];
	char			  *argv[5];
	pid_t			   pid;
	int			   st, rc;

	snprintf(id, sizeof(id), "%" PRId64, account_id);
	snprintf(amount, sizeof(amount), "%" PRId64, o->credit);
	argv[0] = (char *)o->labelctl;
	argv[1] = "credit";
	argv[2] = id;
	argv[3] = amount;
	argv[4] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, o->labelctl, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "loadgen: cannot run %s: %s\n", o->labelctl,
		    strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "loadgen: labelctl credit %s failed\n", id);
		return -1;
	}
	return 0;
}

/* Key, challenge, login, credit, stake: one labeler ready to work. */
static int
labeler_setup(struct client *c, const struct options *o, struct labeler *l)
{
	cJSON	     *json = NULL;
	const cJSON  *v, *acct;
	char	      body[1024], msg[256];
	char	      challenge[128], sig_hex[2 * crypto_sign_BYTES + 1];
	unsigned char sig[crypto_sign_BYTES];
	int64_t	      account_id;
	int	      rc = -1;

	crypto_sign_keypair(l->pk, l->sk);
	sodium_bin2hex(l->pk_hex, sizeof(l->pk_hex), l->pk, sizeof(l->pk));
	if (client_set_token(c, NULL) != 0)
		goto fail;
	snprintf(body, sizeof(body), "{\"public_key\":\"%s\"}", l->pk_hex);
	if ((json = client_post_json(c, "challenge", "/v1/auth/challenge", body,
		 200)) == NULL)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(json, "challenge");
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= sizeof(challenge))
		goto fail;
	snprintf(challenge, sizeof(challenge), "%s", v->valuestring);
	cJSON_Delete(json);
	json = NULL;

	snprintf(msg, sizeof(msg), LOGIN_PREFIX "\n%s", challenge);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg),
	    l->sk);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	snprintf(body, sizeof(body),
	    "{\"public_key\":\"%s\",\"challenge\":\"%s\","
	    "\"signature\":\"%s\"}",
	    l->pk_hex, challenge, sig_hex);
	if ((json = client_post_json(c, "login", "/v1/auth/login", body,
		 200)) == NULL)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(json, "token");
	acct = cJSON_GetObjectItemCaseSensitive(json, "account");
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= sizeof(l->token) ||
	    json_get_i64(acct, "id", &account_id) != 0) {
		fprintf(stderr, "loadgen: login: no token or account id\n");
		goto fail;
	}
	snprintf(l->token, sizeof(l->token), "%s", v->valuestring);
	cJSON_Delete(json);
	json = NULL;

	if (labeler_credit(o, account_id) != 0 ||
	    client_set_token(c, l->token) != 0)
		goto fail;
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 "}", o->stake);
	if ((json = client_post_json(c, "stake", "/v1/me/stake", body, 200)) ==
	    NULL)
		goto fail;
	rc = 0;
fail:
	cJSON_Delete(json);
	return rc;
}

static void *
setup_thread(void *arg)
{
	struct setup_pool *p = arg;
	struct client	   c;
	int		   i;

	if (client_init(&c, p->opt->url, NULL) != 0) {
		atomic_fetch_add(&p->failures, 1);
		return NULL;
	}
	while ((i = atomic_fetch_add(&p->next, 1)) < p->opt->labelers)
		if (labeler_setup(&c, p->opt, &p->labelers[i]) != 0)
			atomic_fetch_add(&p->failures, 1);
	client_free(&c);
	return NULL;
}

static int
setup_labelers(const struct options *o, struct labeler *labelers)
{
	struct setup_pool p;
	pthread_t	  th[SETUP_THREADS];
	int		  i, n;
	double		  t0 = now_s();

	p.opt = o;
	p.labelers = labelers;
	atomic_init(&p.next, 0);
	atomic_init(&p.failures, 0);
	n = o->labelers < SETUP_THREADS ? o->labelers : SETUP_THREADS;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, setup_thread, &p) != 0)
			break;
	if (i < n) {
		fprintf(stderr, "loadgen: cannot start setup threads\n");
		atomic_store(&p.next, o->labelers);
		atomic_fetch_add(&p.failures, 1);
	}
	n = i;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	if (atomic_load(&p.failures) != 0) {
		fprintf(stderr, "loadgen: %d labelers could not be set up\n",
		    atomic_load(&p.failures));
		return -1;
	}
	fprintf(stderr,
	    "loadgen: %d labelers signed in, credited and staked in %.1f s\n",
	    o->labelers, now_s() - t0);
	return 0;
}

/* One line per labeler: public key, secret key (hex), session token. */
static int
keys_write(const char *path, const struct labeler *l, int n)
{
	char  sk_hex[2 * crypto_sign_SECRETKEYBYTES + 1];
	FILE *f;
	int   i, fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < n; i++) {
		sodium_bin2hex(sk_hex, sizeof(sk_hex), l[i].sk,
		    sizeof(l[i].sk));
		if (fprintf(f, "%s %s %s\n", l[i].pk_hex, sk_hex, l[i].token) <
		    0)
			rc = -1;
	}
	sodium_memzero(sk_hex, sizeof(sk_hex));
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "loadgen: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

static int
keys_read(const char *path, struct labeler *l, int n)
{
	char  line[MAX_KEYS_LINE], pk[128], sk[256], token[MAX_TOKEN_BYTES];
	FILE *f;
	int   i = 0, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (i < n && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%127s %255s %255s", pk, sk, token) != 3 ||
		    sodium_hex2bin(l[i].pk, sizeof(l[i].pk), pk, strlen(pk),
			NULL, NULL, NULL) != 0 ||
		    sodium_hex2bin(l[i].sk, sizeof(l[i].sk), sk, strlen(sk),
			NULL, NULL, NULL) != 0) {
			fprintf(stderr, "loadgen: %s:%d: bad line\n", path,
			    i + 1);
			goto out;
		}
		snprintf(l[i].pk_hex, sizeof(l[i].pk_hex), "%s", pk);
		snprintf(l[i].token, sizeof(l[i].token), "%s", token);
		i++;
	}
	if (i < n) {
		fprintf(stderr, "loadgen: %s has %d labelers, %d wanted\n",
		    path, i, n);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(sk, sizeof(sk));
	fclose(f);
	return rc;
}

/* ---- measured phase ---- */

static void
report_unexpected(const struct worker *w, const char *what, long status)
{
	if (atomic_fetch_add(&errors_shown, 1) >= ERRORS_SHOWN)
		return;
	if (status == 0)
		fprintf(stderr,
		    "loadgen: labeler %d: %s: transport error: %s\n", w->index,
		    what, w->client.errbuf);
	else
		fprintf(stderr, "loadgen: labeler %d: %s: HTTP %ld: %.300s\n",
		    w->index, what, status, w->client.resp.data);
}

/* The timeline's row of now (the last row takes any overrun). */
static size_t
timeline_row(const struct worker *w)
{
	double t = (now_s() - w->start) * TL_STEPS_PER_S;
	size_t i = t <= 0 ? 0 : (size_t)t;

	return i < w->timeline_len ? i : w->timeline_len - 1;
}

/* One more in the current row of the timeline (when kept). */
static void
timeline_add(struct worker *w, enum tl_col col)
{
	if (w->timeline != NULL)
		w->timeline[timeline_row(w)][col]++;
}

/* An answer counted in one column that belongs in another. */
static void
timeline_move(struct worker *w, enum tl_col from, enum tl_col to)
{
	size_t i;

	if (w->timeline != NULL) {
		i = timeline_row(w);
		w->timeline[i][from]--;
		w->timeline[i][to]++;
	}
}

/* status 0: a transport error. */
static void
count_status(struct worker *w, struct counts *c, long status, int vote)
{
	int problem = w->client.problem;

	if (status == 0) {
		c->transport++;
		timeline_add(w, TL_TRANSPORT);
		return;
	}
	if (status == 201) {
		c->s201++;
		timeline_add(w, vote ? TL_VOTE_201 : TL_CLAIM_201);
	} else if (status == 204) {
		c->s204++;
		timeline_add(w, TL_CLAIM_204);
	} else if (status == 409) {
		c->s409++;
		timeline_add(w, TL_409);
	} else if (status >= 500) {
		c->s5xx++;
		c->s503 += status == 503;
		c->s5xx_problem += problem != 0;
		timeline_add(w,
		    status == 503 && problem ? TL_503_PROBLEM : TL_5XX_OTHER);
	} else {
		c->other++;
		timeline_add(w, TL_OTHER);
	}
}

/*
 * After a transport error: with several URLs, go on with the next one, as
 * a load balancer takes a dead instance out.
 */
static void
worker_next_url(struct worker *w)
{
	if (w->opt->n_urls < 2)
		return;
	w->url_index = (w->url_index + 1) % w->opt->n_urls;
	w->client.base = w->opt->urls[w->url_index];
	w->url_switches++;
}

/* The claim's 201 shape (also the vote's `next`); label labels[id % K]. */
static int
lease_parse(const cJSON *o, struct lease *l)
{
	const cJSON *task, *labels, *label;
	int	     k;

	task = cJSON_GetObjectItemCaseSensitive(o, "task");
	labels = cJSON_GetObjectItemCaseSensitive(o, "labels");
	if (json_get_i64(o, "assignment_id", &l->assignment_id) != 0 ||
	    json_get_i64(task, "id", &l->task_id) != 0 ||
	    !cJSON_IsArray(labels) || (k = cJSON_GetArraySize(labels)) < 1 ||
	    l->task_id < 0)
		return -1;
	label = cJSON_GetArrayItem(labels, (int)(l->task_id % k));
	if (!cJSON_IsString(label) ||
	    strlen(label->valuestring) > LC_MAX_LABEL_BYTES)
		return -1;
	snprintf(l->label, sizeof(l->label), "%s", label->valuestring);
	return 0;
}

/* 1: got a lease, 0: no task (204), -1: anything else. */
static int
worker_claim(struct worker *w, const char *path, struct lease *l)
{
	cJSON *json;
	long   status;
	double t0 = now_s();
	int    rc;

	rc = client_request(&w->client, path, "{}", 2, &status);
	samples_add(&w->claim_lat, now_s() - t0);
	if (rc != 0) {
		count_status(w, &w->claim, 0, 0);
		report_unexpected(w, "claim", 0);
		worker_next_url(w);
		return -1;
	}
	count_status(w, &w->claim, status, 0);
	if (status == 204)
		return 0;
	if (status != 201) {
		report_unexpected(w, "claim", status);
		return -1;
	}
	json = cJSON_ParseWithLength(w->client.resp.data, w->client.resp.len);
	rc = json != NULL && lease_parse(json, l) == 0 ? 1 : -1;
	cJSON_Delete(json);
	if (rc < 0) {
		w->claim.s201--;
		w->claim.other++;
		timeline_move(w, TL_CLAIM_201, TL_OTHER);
		report_unexpected(w, "claim (unparsable 201)", status);
	}
	return rc;
}

static int
acked_add(struct worker *w, int64_t id)
{
	int64_t *p;
	size_t	 cap;

	if (w->n_acked == w->cap_acked) {
		cap = w->cap_acked ? w->cap_acked * 2 : SAMPLES_INITIAL;
		if ((p = realloc(w->acked, cap * sizeof(*p))) == NULL)
			return -1;
		w->acked = p;
		w->cap_acked = cap;
	}
	w->acked[w->n_acked++] = id;
	return 0;
}

/*
 * Sign and submit the vote of lease l.  Returns 1 when the answer carried
 * the next lease (now in l), 0 otherwise; the caller claims next.
 */
static int
worker_vote(struct worker *w, struct lease *l)
{
	unsigned char sig[crypto_sign_BYTES];
	char	      msg[64 + LC_MAX_LABEL_BYTES];
	char	      sig_hex[2 * crypto_sign_BYTES + 1];
	char	      label[6 * LC_MAX_LABEL_BYTES + 1];
	char	      body[sizeof(label) + sizeof(sig_hex) + 64];
	char	      path[64];
	const cJSON  *next;
	cJSON	     *json;
	long	      status;
	double	      t0;
	int	      n, rc;

	n = snprintf(msg, sizeof(msg),
	    VOTE_PREFIX "\n%" PRId64 "\n%" PRId64 "\n%s", l->assignment_id,
	    l->task_id, l->label);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
	    (unsigned long long)n, w->labeler->sk);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	if (json_escape(l->label, label, sizeof(label)) != 0)
		return 0;
	n = snprintf(body, sizeof(body),
	    "{\"label\":\"%s\",\"signature\":\"%s\"%s}", label, sig_hex,
	    w->opt->mode == MODE_NEXT ? ",\"next\":true" : "");
	snprintf(path, sizeof(path), "/v1/assignments/%" PRId64 "/vote",
	    l->assignment_id);

	t0 = now_s();
	rc = client_request(&w->client, path, body, (size_t)n, &status);
	samples_add(&w->vote_lat, now_s() - t0);
	if (rc != 0) {
		count_status(w, &w->vote, 0, 1);
		report_unexpected(w, "vote", 0);
		worker_next_url(w);
		return 0;
	}
	count_status(w, &w->vote, status, 1);
	if (status != 201) {
		if (status != 409)
			report_unexpected(w, "vote", status);
		return 0;
	}
	acked_add(w, l->assignment_id);
	if (w->opt->mode != MODE_NEXT)
		return 0;
	if ((json = cJSON_ParseWithLength(w->client.resp.data,
		 w->client.resp.len)) == NULL)
		return 0;
	next = cJSON_GetObjectItemCaseSensitive(json, "next");
	rc = cJSON_IsObject(next) && lease_parse(next, l) == 0;
	cJSON_Delete(json);
	if (rc)
		w->next_leases++;
	return rc;
}

static void
sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * After the deadline, not measured: skip the lease still held, so that the
 * next run does not find this task's slot taken until the lease expires.
 */
static void
worker_release(struct worker *w, const struct lease *l)
{
	char path[64];
	long status;

	snprintf(path, sizeof(path), "/v1/assignments/%" PRId64 "/skip",
	    l->assignment_id);
	if (client_request(&w->client, path, "{}", 2, &status) == 0 &&
	    status == 204)
		w->released++;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct lease   lease;
	char	       path[64];
	long	       status;
	double	       start, deadline;
	int	       have = 0, rc;

	snprintf(path, sizeof(path), "/v1/projects/%" PRId64 "/assignments",
	    w->opt->project);
	/* Open the keep-alive connection before the clock starts. */
	if (client_request(&w->client, "/healthz", NULL, 0, &status) != 0 ||
	    status != 200) {
		report_unexpected(w, "healthz", status);
		w->failed = 1;
	}
	pthread_barrier_wait(&start_barrier);
	if (w->failed)
		return NULL;
	start = w->start = run_start;
	deadline = start + w->opt->seconds;
	/* One request per turn; the deadline is checked before each. */
	while (!stop_requested && now_s() < deadline) {
		if (have) {
			have = worker_vote(w, &lease);
			continue;
		}
		rc = worker_claim(w, path, &lease);
		if (rc > 0) {
			have = 1;
			continue;
		}
		if (rc == 0) {
			if (w->n_no_task < NO_TASK_STAMPS)
				w->no_task_at[w->n_no_task] = now_s() - start;
			w->n_no_task++;
		}
		/* Neither a 204 nor an error is worth a hot loop. */
		sleep_us(NO_TASK_BACKOFF_US);
	}
	if (have && w->opt->release)
		worker_release(w, &lease);
	return NULL;
}

struct totals {
	struct counts claim, vote;
	uint64_t      next_leases, no_task, connects, released, url_switches;
	size_t	      acked;
	double	      first_no_task; /* seconds into the run, -1: none */
};

static void
counts_add(struct counts *a, const struct counts *b)
{
	a->s201 += b->s201;
	a->s204 += b->s204;
	a->s409 += b->s409;
	a->other += b->other;
	a->s5xx += b->s5xx;
	a->transport += b->transport;
	a->s503 += b->s503;
	a->s5xx_problem += b->s5xx_problem;
}

/* All threads' samples of one type in one sorted array (caller frees). */
static uint32_t *
samples_merge(struct worker *w, int n, int vote, size_t *count)
{
	uint32_t *all;
	size_t	  total = 0, off = 0;
	int	  i;

	for (i = 0; i < n; i++)
		total += vote ? w[i].vote_lat.n : w[i].claim_lat.n;
	*count = total;
	if ((all = malloc((total ? total : 1) * sizeof(*all))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct samples *s =
		    vote ? &w[i].vote_lat : &w[i].claim_lat;

		if (s->n > 0)
			memcpy(all + off, s->us, s->n * sizeof(*all));
		off += s->n;
	}
	qsort(all, total, sizeof(*all), cmp_u32);
	return all;
}

static void
print_counts(FILE *f, const char *name, const struct counts *c)
{
	fprintf(f,
	    "\"%s_status\":{\"201\":%" PRIu64 ",\"204\":%" PRIu64
	    ",\"409\":%" PRIu64 ",\"other\":%" PRIu64 ",\"5xx\":%" PRIu64
	    ",\"transport\":%" PRIu64 ",\"503\":%" PRIu64
	    ",\"5xx_problem\":%" PRIu64 "},",
	    name, c->s201, c->s204, c->s409, c->other, c->s5xx, c->transport,
	    c->s503, c->s5xx_problem);
}

static void
print_latency(FILE *f, const char *name, const uint32_t *v, size_t n)
{
	fprintf(f,
	    "\"%s_p50_ms\":%.2f,\"%s_p90_ms\":%.2f,\"%s_p99_ms\":%.2f,"
	    "\"%s_max_ms\":%.2f,",
	    name, percentile_ms(v, n, 0.50), name, percentile_ms(v, n, 0.90),
	    name, percentile_ms(v, n, 0.99), name, percentile_ms(v, n, 1.0));
}

static int
write_acked(const char *path, const struct worker *w, int n)
{
	FILE  *f;
	size_t j;
	int    i, rc = 0;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < w[i].n_acked; j++)
			if (fprintf(f, "%" PRId64 "\n", w[i].acked[j]) < 0)
				rc = -1;
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "loadgen: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/*
 * --timeline: a header line with the run's start (Unix seconds), then one
 * tab-separated row per 100 ms of the run: its start in seconds from the
 * run's start, then the counts of tl_names.
 */
static int
write_timeline(const char *path, const struct worker *w, int n)
{
	FILE  *f;
	size_t s, len = w[0].timeline_len;
	int    i, c, rc = 0;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# start_unix %.3f\nt_s", run_start_unix);
	for (c = 0; c < TL_COLS; c++)
		fprintf(f, "\t%s", tl_names[c]);
	fputc('\n', f);
	for (s = 0; s < len; s++) {
		uint64_t sum[TL_COLS] = { 0 };

		for (i = 0; i < n; i++)
			for (c = 0; c < TL_COLS; c++)
				sum[c] += w[i].timeline[s][c];
		if (fprintf(f, "%.1f", (double)s / TL_STEPS_PER_S) < 0)
			rc = -1;
		for (c = 0; c < TL_COLS; c++)
			fprintf(f, "\t%" PRIu64, sum[c]);
		fputc('\n', f);
	}
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "loadgen: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

static int
report(const struct options *o, struct worker *w, int n, double elapsed)
{
	struct totals t;
	uint32_t     *claims = NULL, *votes = NULL;
	size_t	      n_claims, n_votes, k;
	uint64_t      errors;
	int	      i, rc = -1;

	memset(&t, 0, sizeof(t));
	t.first_no_task = -1;
	for (i = 0; i < n; i++) {
		counts_add(&t.claim, &w[i].claim);
		counts_add(&t.vote, &w[i].vote);
		t.next_leases += w[i].next_leases;
		t.released += w[i].released;
		t.no_task += w[i].n_no_task;
		t.acked += w[i].n_acked;
		t.connects += (uint64_t)w[i].client.connects;
		t.url_switches += w[i].url_switches;
		for (k = 0; k < w[i].n_no_task && k < NO_TASK_STAMPS; k++)
			if (t.first_no_task < 0 ||
			    w[i].no_task_at[k] < t.first_no_task)
				t.first_no_task = w[i].no_task_at[k];
	}
	if ((claims = samples_merge(w, n, 0, &n_claims)) == NULL ||
	    (votes = samples_merge(w, n, 1, &n_votes)) == NULL)
		goto out;
	errors =
	    t.claim.s5xx + t.claim.transport + t.vote.s5xx + t.vote.transport;

	printf("{\"mode\":\"%s\",\"labelers\":%d,\"seconds\":%.0f,"
	       "\"elapsed_s\":%.3f,\"project\":%" PRId64 ",",
	    o->mode == MODE_NEXT ? "next" : "claim", n, o->seconds, elapsed,
	    o->project);
	printf("\"labels\":%zu,\"labels_per_s\":%.1f,\"claims\":%zu,"
	       "\"claims_per_s\":%.1f,\"next_leases\":%" PRIu64 ",",
	    t.acked, (double)t.acked / elapsed, n_claims,
	    (double)n_claims / elapsed, t.next_leases);
	print_latency(stdout, "claim", claims, n_claims);
	print_latency(stdout, "vote", votes, n_votes);
	print_counts(stdout, "claim", &t.claim);
	print_counts(stdout, "vote", &t.vote);
	printf("\"no_task_204\":%" PRIu64 ",\"first_204_s\":%.3f,"
	       "\"errors\":%" PRIu64 ",\"connections\":%" PRIu64
	       ",\"released\":%" PRIu64 ",\"urls\":%d,\"url_switches\":%" PRIu64
	       ",\"start_unix\":%.3f}\n",
	    t.no_task, t.first_no_task, errors, t.connects, t.released,
	    o->n_urls, t.url_switches, run_start_unix);
	fflush(stdout);

	fprintf(stderr,
	    "loadgen: %s mode, %d labelers, %.1f s: %zu labels (%.1f/s), "
	    "%zu claims (%.1f/s), %" PRIu64 " leases with a vote, %" PRIu64
	    " released at the end\n",
	    o->mode == MODE_NEXT ? "next" : "claim", n, elapsed, t.acked,
	    (double)t.acked / elapsed, n_claims, (double)n_claims / elapsed,
	    t.next_leases, t.released);
	fprintf(stderr,
	    "  claim ms p50 %.2f p90 %.2f p99 %.2f max %.2f | "
	    "201 %" PRIu64 " 204 %" PRIu64 " 409 %" PRIu64 " other %" PRIu64
	    " 5xx %" PRIu64 " transport %" PRIu64 "\n",
	    percentile_ms(claims, n_claims, 0.5),
	    percentile_ms(claims, n_claims, 0.9),
	    percentile_ms(claims, n_claims, 0.99),
	    percentile_ms(claims, n_claims, 1), t.claim.s201, t.claim.s204,
	    t.claim.s409, t.claim.other, t.claim.s5xx, t.claim.transport);
	fprintf(stderr,
	    "  vote  ms p50 %.2f p90 %.2f p99 %.2f max %.2f | "
	    "201 %" PRIu64 " 409 %" PRIu64 " other %" PRIu64 " 5xx %" PRIu64
	    " transport %" PRIu64 "\n",
	    percentile_ms(votes, n_votes, 0.5),
	    percentile_ms(votes, n_votes, 0.9),
	    percentile_ms(votes, n_votes, 0.99),
	    percentile_ms(votes, n_votes, 1), t.vote.s201, t.vote.s409,
	    t.vote.other, t.vote.s5xx, t.vote.transport);
	if (t.no_task > 0)
		fprintf(stderr,
		    "loadgen: DEFECT: %" PRIu64 " claims answered 204 (no "
		    "task) although the project has open tasks; first at "
		    "%.3f s\n",
		    t.no_task, t.first_no_task);
	if (errors > 0)
		fprintf(stderr,
		    "loadgen: ERRORS: %" PRIu64 " answers were 5xx or "
		    "transport errors\n",
		    errors);
	if (t.connects > (uint64_t)n)
		fprintf(stderr,
		    "loadgen: %" PRIu64 " TCP connections for %d labelers: "
		    "keep-alive was not kept\n",
		    t.connects, n);
	rc = o->out != NULL ? write_acked(o->out, w, n) : 0;
	if (rc == 0 && o->timeline != NULL)
		rc = write_timeline(o->timeline, w, n);
out:
	free(claims);
	free(votes);
	return rc;
}

static int
measure(const struct options *o, struct labeler *labelers)
{
	struct sigaction sa;
	struct worker	*w;
	double		 t0, elapsed;
	int		 i, started = 0, rc = -1;

	if ((w = calloc((size_t)o->labelers, sizeof(*w))) == NULL)
		return -1;
	for (i = 0; i < o->labelers; i++) {
		w[i].index = i;
		w[i].opt = o;
		w[i].labeler = &labelers[i];
		w[i].url_index = i % o->n_urls;
		if (client_init(&w[i].client, o->urls[w[i].url_index],
			labelers[i].token) != 0)
			goto out;
		if (o->timeline != NULL) {
			w[i].timeline_len =
			    (size_t)(o->seconds + TL_OVERRUN_S) *
			    TL_STEPS_PER_S;
			if ((w[i].timeline = calloc(w[i].timeline_len,
				 sizeof(*w[i].timeline))) == NULL)
				goto out;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (pthread_barrier_init(&start_barrier, NULL,
		(unsigned)o->labelers + 1) != 0)
		goto out;
	for (started = 0; started < o->labelers; started++)
		if (pthread_create(&w[started].thread, NULL, worker_run,
			&w[started]) != 0)
			break;
	if (started < o->labelers) {
		/* Cannot happen below MAX_LABELERS; do not deadlock on it. */
		fprintf(stderr, "loadgen: cannot start %d threads\n",
		    o->labelers);
		exit(1);
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		run_start_unix = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		run_start = now_s();
	}
	pthread_barrier_wait(&start_barrier);
	t0 = now_s();
	for (i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	elapsed = now_s() - t0;
	pthread_barrier_destroy(&start_barrier);
	for (i = 0; i < o->labelers; i++)
		if (w[i].failed)
			goto out;
	rc = report(o, w, o->labelers, elapsed);
out:
	for (i = 0; i < o->labelers; i++) {
		client_free(&w[i].client);
		free(w[i].claim_lat.us);
		free(w[i].vote_lat.us);
		free(w[i].acked);
		free(w[i].timeline);
	}
	free(w);
	return rc;
}

/* ---- command line ---- */

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: loadgen --url URL [setup] [measured run]\n"
	    "\n"
	    "Setup (through the API; DATABASE_URL must be set for labelctl):\n"
	    "  --setup                 --setup-project and --setup-labelers\n"
	    "  --setup-project         create, fund and fill a project; its id "
	    "is\n"
	    "                          printed as {\"project\":ID} on stdout\n"
	    "  --tasks T               tasks to upload (default 100000)\n"
	    "  --requester-token TOK   API token of a requester with enough "
	    "balance\n"
	    "                          (T * %d micro-credits)\n"
	    "  --setup-labelers        sign in --labelers N new keys, credit "
	    "and\n"
	    "                          stake each; write them to --keys FILE\n"
	    "  --labelctl PATH         labelctl used to credit (default: "
	    "labelctl)\n"
	    "  --credit AMOUNT         micro-credits per labeler (default "
	    "%" PRId64 ")\n"
	    "  --stake AMOUNT          micro-credits staked (default %" PRId64
	    ")\n"
	    "\n"
	    "Measured run (after setup in the same call, or alone):\n"
	    "  --labelers N            labeler threads, 1..%d\n"
	    "  --seconds S             duration of the closed loop, 1..%d\n"
	    "  --mode claim|next       claim then vote, or vote with "
	    "\"next\": true\n"
	    "                          (default claim)\n"
	    "  --project ID            project to work on (default: the one "
	    "set up)\n"
	    "  --keys FILE             labelers' keys and tokens (first N "
	    "lines)\n"
	    "  --out FILE              acknowledged assignment ids, one a "
	    "line\n"
	    "  --release-leases        after the deadline, skip the lease a "
	    "labeler\n"
	    "                          still holds (not measured)\n"
	    "  --url URL (again)       several instances: labeler i works "
	    "against\n"
	    "                          URL i mod n and moves to the next one "
	    "after a\n"
	    "                          transport error (setup uses the first)\n"
	    "  --timeline FILE         counts of each kind of answer per 100 ms "
	    "(TSV)\n"
	    "\n"
	    "stdout: one JSON line per phase; stderr: summary and errors.\n",
	    PROJECT_REWARD, DEFAULT_CREDIT, DEFAULT_STAKE, MAX_LABELERS,
	    MAX_SECONDS);
}

static int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char	 *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum option_id {
	OPT_URL = 256,
	OPT_LABELERS,
	OPT_SECONDS,
	OPT_MODE,
	OPT_SETUP,
	OPT_SETUP_PROJECT,
	OPT_SETUP_LABELERS,
	OPT_TASKS,
	OPT_REQUESTER_TOKEN,
	OPT_PROJECT,
	OPT_KEYS,
	OPT_OUT,
	OPT_LABELCTL,
	OPT_CREDIT,
	OPT_STAKE,
	OPT_RELEASE,
	OPT_TIMELINE,
	OPT_HELP
};

/* In the order of option_id: an error names longopts[id - OPT_URL]. */
static const struct option longopts[] = {
	{ "url", required_argument, NULL, OPT_URL },
	{ "labelers", required_argument, NULL, OPT_LABELERS },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "setup", no_argument, NULL, OPT_SETUP },
	{ "setup-project", no_argument, NULL, OPT_SETUP_PROJECT },
	{ "setup-labelers", no_argument, NULL, OPT_SETUP_LABELERS },
	{ "tasks", required_argument, NULL, OPT_TASKS },
	{ "requester-token", required_argument, NULL, OPT_REQUESTER_TOKEN },
	{ "project", required_argument, NULL, OPT_PROJECT },
	{ "keys", required_argument, NULL, OPT_KEYS },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "labelctl", required_argument, NULL, OPT_LABELCTL },
	{ "credit", required_argument, NULL, OPT_CREDIT },
	{ "stake", required_argument, NULL, OPT_STAKE },
	{ "release-leases", no_argument, NULL, OPT_RELEASE },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	int64_t v;
	int	c;

	memset(o, 0, sizeof(*o));
	o->tasks = 100000;
	o->labelctl = "labelctl";
	o->credit = DEFAULT_CREDIT;
	o->stake = DEFAULT_STAKE;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_URL:
			if (o->n_urls == MAX_URLS ||
			    strlen(optarg) > MAX_URL_BYTES - 64)
				goto bad;
			o->urls[o->n_urls++] = optarg;
			o->url = o->urls[0];
			break;
		case OPT_LABELERS:
			if (parse_i64(optarg, 1, MAX_LABELERS, &v) != 0)
				goto bad;
			o->labelers = (int)v;
			break;
		case OPT_SECONDS:
			if (parse_i64(optarg, 1, MAX_SECONDS, &v) != 0)
				goto bad;
			o->seconds = (double)v;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "claim") == 0)
				o->mode = MODE_CLAIM;
			else if (strcmp(optarg, "next") == 0)
				o->mode = MODE_NEXT;
			else
				goto bad;
			break;
		case OPT_SETUP:
			o->setup_project = o->setup_labelers = 1;
			break;
		case OPT_SETUP_PROJECT:
			o->setup_project = 1;
			break;
		case OPT_SETUP_LABELERS:
			o->setup_labelers = 1;
			break;
		case OPT_TASKS:
			if (parse_i64(optarg, 1, MAX_TASKS, &v) != 0)
				goto bad;
			o->tasks = (int)v;
			break;
		case OPT_REQUESTER_TOKEN:
			o->requester_token = optarg;
			break;
		case OPT_PROJECT:
			if (parse_i64(optarg, 1, INT64_MAX, &o->project) != 0)
				goto bad;
			break;
		case OPT_KEYS:
			o->keys = optarg;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_LABELCTL:
			o->labelctl = optarg;
			break;
		case OPT_CREDIT:
			if (parse_i64(optarg, 1, LC_MAX_AMOUNT, &o->credit) !=
			    0)
				goto bad;
			break;
		case OPT_STAKE:
			if (parse_i64(optarg, 1, LC_MAX_AMOUNT, &o->stake) != 0)
				goto bad;
			break;
		case OPT_RELEASE:
			o->release = 1;
			break;
		case OPT_TIMELINE:
			o->timeline = optarg;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || o->url == NULL) {
		fprintf(stderr, "loadgen: --url is required\n");
		return -1;
	}
	if (o->setup_project && o->requester_token == NULL) {
		fprintf(stderr,
		    "loadgen: setting up a project needs --requester-token\n");
		return -1;
	}
	if ((o->setup_labelers || o->seconds > 0) &&
	    (o->labelers == 0 || o->keys == NULL)) {
		fprintf(stderr,
		    "loadgen: --labelers N and --keys FILE are required\n");
		return -1;
	}
	if (o->seconds > 0 && o->project == 0 && !o->setup_project) {
		fprintf(stderr, "loadgen: a measured run needs --project ID\n");
		return -1;
	}
	if (!o->setup_project && !o->setup_labelers && o->seconds == 0) {
		fprintf(stderr,
		    "loadgen: nothing to do (--setup or --seconds)\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "loadgen: bad value for --%s: %s\n",
	    longopts[c - OPT_URL].name, optarg);
	return -1;
}

int
main(int argc, char **argv)
{
	struct options	opt;
	struct labeler *labelers = NULL;
	size_t		n;
	int		status = 1;

	if (parse_options(argc, argv, &opt) != 0)
		return 2;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_ALL) != 0) {
		fprintf(stderr,
		    "loadgen: cannot initialise libsodium/libcurl\n");
		return 1;
	}
	n = opt.labelers > 0 ? (size_t)opt.labelers : 1;
	if ((labelers = sodium_allocarray(n, sizeof(*labelers))) == NULL)
		goto out;
	memset(labelers, 0, n * sizeof(*labelers));
	if (opt.setup_project) {
		if (setup_project(&opt, &opt.project) != 0)
			goto out;
		printf("{\"project\":%" PRId64 ",\"tasks\":%d}\n", opt.project,
		    opt.tasks);
		fflush(stdout);
	}
	if (opt.setup_labelers) {
		if (setup_labelers(&opt, labelers) != 0 ||
		    keys_write(opt.keys, labelers, opt.labelers) != 0)
			goto out;
	} else if (opt.seconds > 0 &&
	    keys_read(opt.keys, labelers, opt.labelers) != 0)
		goto out;
	if (opt.seconds > 0 && measure(&opt, labelers) != 0)
		goto out;
	status = 0;
out:
	sodium_free(labelers); /* wipes the secret keys */
	curl_global_cleanup();
	return status;
}
