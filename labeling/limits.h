/*
 * labeling/limits.h — every limit of labelchain, in one place.
 *
 * Limits are enforced at the edge (HTTP parsing, CSV reading, task upload)
 * and asserted in the domain code.  Change them here and nowhere else.
 */
#ifndef LC_LIMITS_H
#define LC_LIMITS_H

#include <stdint.h>

#define LC_MAX_BODY_BYTES (8u * 1024 * 1024) /* any request body */
#define LC_MAX_JSON_BODY_BYTES (64u * 1024)  /* non-upload bodies */
#define LC_MAX_URL_BYTES 2048u
#define LC_MAX_PATH_PARAMS 4
#define LC_MAX_HEADER_BYTES (16u * 1024)
#define LC_MAX_LABELS 64 /* labels per project */
#define LC_MIN_LABELS 2
#define LC_MAX_LABEL_BYTES 128	 /* one label string */
#define LC_MAX_VOTES_PER_TASK 50 /* project max_votes cap */
#define LC_MAX_TASKS_PER_UPLOAD 10000
#define LC_MAX_TASK_DATA_BYTES (16u * 1024)
#define LC_MAX_NAME_BYTES 200
#define LC_MAX_INSTRUCTIONS_BYTES (16u * 1024)
#define LC_MAX_DB_POOL 64
#define LC_MAX_HTTP_THREADS 64
#define LC_MAX_CONNECTIONS 65536 /* the most --max-connections may be */
#define LC_STATEMENT_TIMEOUT_MS 10000
#define LC_MAX_LEASES_PER_LABELER \
	2 /* live leases per project: one prefetched */
/* GET /v1/me/reputation: rows when no limit is given, and at most. */
#define LC_REP_HISTORY_DEFAULT 200
#define LC_REP_HISTORY_MAX 1000
#define LC_DB_TX_RETRIES 8

/* The market (labeling/account, auth, ledger, project, task, vote). */
#define LC_MAX_AMOUNT INT64_C(1000000000000000) /* 10^9 credits */
#define LC_CHALLENGE_TTL_S 300			/* sign-in challenge lifetime */
#define LC_LEDGER_PAGE 500 /* movements per /v1/me/ledger page */
#define LC_BONDS_LISTED 50 /* open bonds listed by GET /v1/me */
#define LC_MAX_EXTERNAL_ID_BYTES 256
#define LC_PROJECTS_PAGE 100	   /* GET /v1/projects, default page */
#define LC_MAX_PROJECTS_LISTED 500 /* GET /v1/projects, largest page */
#define LC_MAX_EXPORT_ROWS 100000  /* GET /v1/projects/{id}/labels, a page */
/* A labeler's stake, free and bonded together: the reputation library's
 * cap on a stake (REP_MAX_STAKE), so that every vote's figures stay in
 * its range. */
#define LC_MAX_STAKE_TOTAL INT64_C(1000000000000000)

#endif
