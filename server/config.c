/*
 * server/config.c — the configuration table and its parser.  See config.h.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <config.h>
#include "labeling/limits.h"
#include "labeling/log.h"
#include "server/config.h"
#include "server/netaddr.h"
#include "server/ratelimit.h"

enum config_type {
	CFG_STRING,
	CFG_INT,
	CFG_INT64, /* long long, from 1 to LLONG_MAX */
	CFG_BOOL,
	CFG_LISTEN,
	CFG_LOGLEVEL,
	CFG_RATE,  /* a string ratelimit_rate_parse() accepts */
	CFG_CIDRS, /* a string netaddr_list_parse() accepts */
};

struct config_key {
	const char	*flag; /* --flag */
	const char	*env;
	enum config_type type;
	size_t		 offset;
	const char	*def;
	int		 min, max; /* CFG_INT bounds */
	const char	*help;
};

#define OFF(f) offsetof(struct config, f)

static const struct config_key config_keys[] = {
	{ "listen", "LABELCHAIN_LISTEN", CFG_LISTEN, OFF(listen_host),
	    "127.0.0.1:8080", 0, 0, "HOST:PORT to serve HTTP on" },
	{ "database-url", "DATABASE_URL", CFG_STRING, OFF(database_url),
	    "postgresql:///labelchain", 0, 0,
	    "libpq connection string of the PostgreSQL database" },
	{ "rpc-url", "LABELCHAIN_RPC_URL", CFG_STRING, OFF(rpc_url), "", 0, 0,
	    "EVM JSON-RPC endpoint for anchoring (empty: anchoring off)" },
	{ "chain-key-file", "LABELCHAIN_CHAIN_KEY_FILE", CFG_STRING,
	    OFF(chain_key_file), "", 0, 0,
	    "file holding the anchoring account's 0x-hex private key (mode 0600)" },
	{ "anchor-address", "LABELCHAIN_ANCHOR_ADDRESS", CFG_STRING,
	    OFF(anchor_address), "", 0, 0,
	    "address anchor transactions are sent to (empty: the sender)" },
	{ "anchor-interval", "LABELCHAIN_ANCHOR_INTERVAL", CFG_INT,
	    OFF(anchor_interval_s), "60", 1, 86400,
	    "seconds between anchors of new log entries" },
	{ "anchor-max-pending", "LABELCHAIN_ANCHOR_MAX_PENDING", CFG_INT,
	    OFF(anchor_max_pending), "1000", 1, 100000000,
	    "anchor early once this many log entries wait" },
	{ "anchor-confirmations", "LABELCHAIN_ANCHOR_CONFIRMATIONS", CFG_INT,
	    OFF(anchor_confirmations), "2", 0, 1000,
	    "confirmations before an anchor counts as final" },
	{ "anchor-max-fee", "LABELCHAIN_ANCHOR_MAX_FEE", CFG_INT64,
	    OFF(anchor_max_fee), "200000000000", 0, 0,
	    "ceiling of an anchor's max fee per gas, in wei (200 gwei); at it "
	    "the worker waits and alerts instead of raising the fee" },
	{ "web-root", "LABELCHAIN_WEB_ROOT", CFG_STRING, OFF(web_root),
	    PKGDATADIR "/web", 0, 0, "directory of the static web frontend" },
	{ "sql-dir", "LABELCHAIN_SQL_DIR", CFG_STRING, OFF(sql_dir),
	    PKGDATADIR "/sql", 0, 0,
	    "directory of the numbered SQL migrations" },
	{ "threads", "LABELCHAIN_THREADS", CFG_INT, OFF(threads), "4", 1,
	    LC_MAX_HTTP_THREADS, "HTTP worker threads" },
	{ "db-pool", "LABELCHAIN_DB_POOL", CFG_INT, OFF(db_pool), "6", 1,
	    LC_MAX_DB_POOL, "PostgreSQL connections in the pool" },
	{ "migrate", "LABELCHAIN_MIGRATE", CFG_BOOL, OFF(migrate), "true", 0, 0,
	    "apply pending migrations at start-up (true/false)" },
	{ "shutdown-timeout", "LABELCHAIN_SHUTDOWN_TIMEOUT", CFG_INT,
	    OFF(shutdown_timeout_s), "10", 0, 600,
	    "seconds in-flight requests get to finish on SIGTERM" },
	{ "session-ttl", "LABELCHAIN_SESSION_TTL", CFG_INT, OFF(session_ttl_s),
	    "86400", 60, 31 * 86400, "seconds a sign-in session lasts" },
	{ "auth-cache-ttl", "LABELCHAIN_AUTH_CACHE_TTL", CFG_INT,
	    OFF(auth_cache_ttl_s), "10", 0, 3600,
	    "seconds a checked token is remembered (0: never); the longest a "
	    "token revoked elsewhere still works here" },
	{ "lease", "LABELCHAIN_LEASE", CFG_INT, OFF(lease_s), "300", 5, 86400,
	    "seconds a claimed task stays leased to its labeler" },
	{ "unstake-cooldown", "LABELCHAIN_UNSTAKE_COOLDOWN", CFG_INT,
	    OFF(unstake_cooldown_s), "86400", 0, 90 * 86400,
	    "seconds before unstaked credits return to the balance" },
	{ "log-level", "LABELCHAIN_LOG_LEVEL", CFG_LOGLEVEL, OFF(log_level),
	    "info", 0, 0, "debug, info, warn or error" },
	/* Limits at the edge (server/edge.h). */
	{ "max-connections", "LABELCHAIN_MAX_CONNECTIONS", CFG_INT,
	    OFF(max_connections), "4096", 16, LC_MAX_CONNECTIONS,
	    "open client connections at most (the open-file limit is raised "
	    "to match)" },
	{ "max-connections-per-address",
	    "LABELCHAIN_MAX_CONNECTIONS_PER_ADDRESS", CFG_INT,
	    OFF(max_connections_per_address), "64", 0, LC_MAX_CONNECTIONS,
	    "open connections from one client address at most (0: no limit)" },
	{ "limits-exempt", "LABELCHAIN_LIMITS_EXEMPT", CFG_CIDRS,
	    OFF(limits_exempt), "", 0, 0,
	    "addresses and CIDR prefixes exempt from the per-address limits "
	    "(connections and rates), comma-separated (e.g. a reverse "
	    "proxy's)" },
	{ "header-timeout", "LABELCHAIN_HEADER_TIMEOUT", CFG_INT,
	    OFF(header_timeout_s), "10", 1, 3600,
	    "seconds a connection gets to send a request's headers, counted "
	    "from its opening or the end of its last request" },
	{ "body-timeout", "LABELCHAIN_BODY_TIMEOUT", CFG_INT,
	    OFF(body_timeout_s), "30", 1, 3600,
	    "seconds of grace a request body gets before --body-min-rate "
	    "applies" },
	{ "body-min-rate", "LABELCHAIN_BODY_MIN_RATE", CFG_INT,
	    OFF(body_min_rate), "16384", 1, 1 << 30,
	    "bytes per second a request body must average after its grace; "
	    "a slower one is cut off" },
	{ "idle-timeout", "LABELCHAIN_IDLE_TIMEOUT", CFG_INT,
	    OFF(idle_timeout_s), "15", 1, 3600,
	    "seconds of silence after which a connection is closed" },
	{ "max-uploads", "LABELCHAIN_MAX_UPLOADS", CFG_INT, OFF(max_uploads),
	    "4", 1, 1024,
	    "task uploads above 64 KiB receiving their body at once, at most" },
	{ "rate-signin", "LABELCHAIN_RATE_SIGNIN", CFG_RATE, OFF(rate_signin),
	    "30/m:60", 0, 0,
	    "sign-in requests (challenge, login) per client address: "
	    "RATE/UNIT:BURST (UNIT s, m or h) or off" },
	{ "rate-label", "LABELCHAIN_RATE_LABEL", CFG_RATE, OFF(rate_label),
	    "10/s:100", 0, 0, "claims and votes per account" },
	{ "rate-label-address", "LABELCHAIN_RATE_LABEL_ADDRESS", CFG_RATE,
	    OFF(rate_label_address), "100/s:1000", 0, 0,
	    "claims and votes per client address" },
	{ "rate-upload", "LABELCHAIN_RATE_UPLOAD", CFG_RATE, OFF(rate_upload),
	    "30/m:30", 0, 0, "task uploads per account" },
	{ "rate-upload-address", "LABELCHAIN_RATE_UPLOAD_ADDRESS", CFG_RATE,
	    OFF(rate_upload_address), "60/m:60", 0, 0,
	    "task uploads per client address" },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int
config_set(struct config *cfg, const struct config_key *k, const char *value,
    const char *origin)
{
	char		     *base = (char *)cfg + k->offset;
	char		     *end, *colon, *copy;
	long		      v;
	long long	      ll;
	enum lc_log_level     lvl;
	struct ratelimit_rate rate;
	struct netaddr_list   cidrs;

	switch (k->type) {
	case CFG_STRING:
	case CFG_LOGLEVEL:
	case CFG_RATE:
	case CFG_CIDRS:
		if (k->type == CFG_RATE &&
		    ratelimit_rate_parse(value, &rate) != 0) {
			fprintf(stderr,
			    "labelchaind: %s: %s must be RATE/UNIT:BURST "
			    "(UNIT s, m or h, e.g. 10/s:100) or off "
			    "(got \"%s\")\n",
			    origin, k->flag, value);
			return -1;
		}
		if (k->type == CFG_CIDRS) {
			if (netaddr_list_parse(value, &cidrs) != 0) {
				fprintf(stderr,
				    "labelchaind: %s: %s must be addresses "
				    "or CIDR prefixes, comma-separated "
				    "(got \"%s\")\n",
				    origin, k->flag, value);
				return -1;
			}
			netaddr_list_free(&cidrs);
		}
		if (k->type == CFG_LOGLEVEL &&
		    lc_log_level_parse(value, &lvl) != 0) {
			fprintf(stderr,
			    "labelchaind: %s: %s must be one of "
			    "debug, info, warn, error (got \"%s\")\n",
			    origin, k->flag, value);
			return -1;
		}
		if ((copy = strdup(value)) == NULL)
			return -1;
		free(*(char **)base);
		*(char **)base = copy;
		return 0;
	case CFG_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < k->min ||
		    v > k->max) {
			fprintf(stderr,
			    "labelchaind: %s: %s must be an integer "
			    "from %d to %d (got \"%s\")\n",
			    origin, k->flag, k->min, k->max, value);
			return -1;
		}
		*(int *)base = (int)v;
		return 0;
	case CFG_INT64:
		errno = 0;
		ll = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || ll < 1) {
			fprintf(stderr,
			    "labelchaind: %s: %s must be an integer "
			    "from 1 to %lld (got \"%s\")\n",
			    origin, k->flag, LLONG_MAX, value);
			return -1;
		}
		*(long long *)base = ll;
		return 0;
	case CFG_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcmp(value, "yes") == 0)
			*(int *)base = 1;
		else if (strcmp(value, "false") == 0 ||
		    strcmp(value, "0") == 0 || strcmp(value, "no") == 0)
			*(int *)base = 0;
		else {
			fprintf(stderr,
			    "labelchaind: %s: %s must be true or "
			    "false (got \"%s\")\n",
			    origin, k->flag, value);
			return -1;
		}
		return 0;
	case CFG_LISTEN:
		colon = strrchr(value, ':');
		if (colon == NULL || colon == value) {
			fprintf(stderr,
			    "labelchaind: %s: %s must be HOST:PORT "
			    "(got \"%s\")\n",
			    origin, k->flag, value);
			return -1;
		}
		errno = 0;
		v = strtol(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || *end != '\0' || v < 0 ||
		    v > 65535) {
			fprintf(stderr,
			    "labelchaind: %s: %s has a bad port "
			    "(got \"%s\")\n",
			    origin, k->flag, value);
			return -1;
		}
		if ((copy = strndup(value, (size_t)(colon - value))) == NULL)
			return -1;
		free(cfg->listen_host);
		cfg->listen_host = copy;
		cfg->listen_port = (int)v;
		return 0;
	}
	return -1;
}

void
config_usage(FILE *out)
{
	size_t i;
	char   flag[64];

	fprintf(out,
	    "Usage: labelchaind [OPTION]...\n"
	    "The labelchain server: REST API, web frontend, anchoring worker.\n"
	    "\n"
	    "Every option can also be set by its environment variable;\n"
	    "a flag wins over the environment.\n"
	    "\n");
	for (i = 0; i < NKEYS; i++) {
		snprintf(flag, sizeof(flag), "--%s=VALUE", config_keys[i].flag);
		fprintf(out, "  %-28s %s\n  %-28s env %s, default \"%s\"\n",
		    flag, config_keys[i].help, "", config_keys[i].env,
		    config_keys[i].def);
	}
	fprintf(out,
	    "  %-28s %s\n  %-28s %s\n  %-28s %s\n\n"
	    "Exit status: 0 after a clean shutdown (SIGTERM, SIGINT), 1 on a "
	    "runtime\nfailure, 2 on a configuration error.\n",
	    "--check-config", "print the effective configuration and exit",
	    "--help", "print this help and exit", "--version",
	    "print the version and exit");
}

/*
 * Print key=value with any password blanked: "password=…" in a keyword
 * string and "user:…@" in a URL.
 */
static void
config_print_redacted(FILE *out, const char *key, const char *value)
{
	const char *p, *at, *scheme;
	size_t	    n;

	fprintf(out, "%s=", key);
	scheme = strstr(value, "://");
	at = scheme ? strchr(scheme + 3, '@') : NULL;
	p = scheme ? memchr(scheme + 3, ':', at ? (size_t)(at - scheme - 3) : 0)
		   : NULL;
	if (p != NULL) {
		fprintf(out, "%.*s:***%s\n", (int)(p - value), value, at);
		return;
	}
	if ((p = strstr(value, "password=")) != NULL) {
		n = strcspn(p + 9, " ");
		fprintf(out, "%.*spassword=***%s\n", (int)(p - value), value,
		    p + 9 + n);
		return;
	}
	fprintf(out, "%s\n", value);
}

void
config_print(const struct config *cfg, FILE *out)
{
	size_t	    i;
	const char *base;

	for (i = 0; i < NKEYS; i++) {
		base = (const char *)cfg + config_keys[i].offset;
		switch (config_keys[i].type) {
		case CFG_STRING:
		case CFG_LOGLEVEL:
		case CFG_RATE:
		case CFG_CIDRS:
			config_print_redacted(out, config_keys[i].flag,
			    *(char *const *)base);
			break;
		case CFG_INT:
			fprintf(out, "%s=%d\n", config_keys[i].flag,
			    *(const int *)base);
			break;
		case CFG_INT64:
			fprintf(out, "%s=%lld\n", config_keys[i].flag,
			    *(const long long *)base);
			break;
		case CFG_BOOL:
			fprintf(out, "%s=%s\n", config_keys[i].flag,
			    *(const int *)base ? "true" : "false");
			break;
		case CFG_LISTEN:
			fprintf(out, "%s=%s:%d\n", config_keys[i].flag,
			    cfg->listen_host, cfg->listen_port);
			break;
		}
	}
}

static const struct config_key *
config_find_flag(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(config_keys[i].flag) == len &&
		    strncmp(config_keys[i].flag, name, len) == 0)
			return &config_keys[i];
	return NULL;
}

int
config_load(struct config *cfg, int argc, char **argv)
{
	const struct config_key *k;
	const char		*v, *arg, *eq;
	char			 origin[96];
	size_t			 i;
	int			 a, check = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++)
		if (config_set(cfg, &config_keys[i], config_keys[i].def,
			"default") != 0)
			goto fail;
	for (i = 0; i < NKEYS; i++) {
		if ((v = getenv(config_keys[i].env)) == NULL)
			continue;
		snprintf(origin, sizeof(origin), "environment %s",
		    config_keys[i].env);
		if (config_set(cfg, &config_keys[i], v, origin) != 0)
			goto fail;
	}
	for (a = 1; a < argc; a++) {
		arg = argv[a];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			config_usage(stdout);
			config_free(cfg);
			return 1;
		}
		if (strcmp(arg, "--version") == 0) {
			printf("labelchaind %s\n", PACKAGE_VERSION);
			config_free(cfg);
			return 1;
		}
		if (strcmp(arg, "--check-config") == 0) {
			check = 1;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(stderr,
			    "labelchaind: unexpected argument "
			    "\"%s\" (see --help)\n",
			    arg);
			goto fail;
		}
		eq = strchr(arg + 2, '=');
		k = config_find_flag(arg + 2,
		    eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (k == NULL) {
			fprintf(stderr,
			    "labelchaind: unknown option \"%s\" "
			    "(see --help)\n",
			    arg);
			goto fail;
		}
		if (eq != NULL)
			v = eq + 1;
		else if (a + 1 < argc)
			v = argv[++a];
		else {
			fprintf(stderr,
			    "labelchaind: option --%s needs a "
			    "value\n",
			    k->flag);
			goto fail;
		}
		snprintf(origin, sizeof(origin), "flag --%s", k->flag);
		if (config_set(cfg, k, v, origin) != 0)
			goto fail;
	}
	if (cfg->database_url[0] == '\0') {
		fprintf(stderr, "labelchaind: DATABASE_URL is empty\n");
		goto fail;
	}
	if (check) {
		config_print(cfg, stdout);
		config_free(cfg);
		return 1;
	}
	return 0;
fail:
	config_free(cfg);
	return -1;
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].type == CFG_STRING ||
		    config_keys[i].type == CFG_LOGLEVEL ||
		    config_keys[i].type == CFG_RATE ||
		    config_keys[i].type == CFG_CIDRS) {
			free(*(char **)((char *)cfg + config_keys[i].offset));
			*(char **)((char *)cfg + config_keys[i].offset) = NULL;
		}
	free(cfg->listen_host);
	cfg->listen_host = NULL;
}
