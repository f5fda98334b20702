/*
 * labeling/account.h — accounts, their roles, stake and the /v1/me view.
 *
 * Labelers come into being by signing in with a new key (auth.h);
 * requesters are created by the operator (`labelctl account create`), who
 * gets an API token for them.  Each account has three ledger accounts:
 * balance (spendable), stake (locked, weighs votes, can be slashed) and
 * unstaking (released to the balance after the cooldown).
 */
#ifndef LC_ACCOUNT_H
#define LC_ACCOUNT_H

#include <stdint.h>

#include "labeling/limits.h"

#include <cjson/cJSON.h>

#include "labeling/auth.h"

struct db;

/* Create a requester (and labeler when `labeler`) named `name` and issue
 * an API token for it.  LC_ERR_CONFLICT when the name is taken. */
int account_create(struct db *db, const char *name, unsigned roles, int64_t *id,
    char token[AUTH_TOKEN_LEN + 1], char *detail);

/* Find an account by decimal id, name or hex public key. */
int account_resolve(struct db *db, const char *ref, int64_t *id);

/*
 * The /v1/me object: {id, name, roles, public_key, balance, stake
 * (= stake_free + bonded), stake_free, bonded, unstaking, slashed, earned
 * (the sum of every reward paid to the balance), bonds, unstaking_releases:
 * [{amount, release_at}] (pending, soonest first), reputation:[{project,
 * alpha, beta, accuracy}]}.  Releases matured unstakes first.  Caller
 * frees *out.
 */
int account_me(struct db *db, int64_t account_id, cJSON **out);

/*
 * The account's reputation over time: the `limit` (1..LC_REP_HISTORY_MAX)
 * latest changes, of one project or of all when project_id is 0, newest
 * last: [{project, alpha, beta, accuracy, task, time}].  One row per
 * finalized task that changed the reputation.  LC_ERR_VALIDATION on a bad
 * limit.  Caller frees *out.
 */
int account_reputation_history(struct db *db, int64_t account_id,
    int64_t project_id, int limit, cJSON **out);

/* Lock `amount` of the balance as stake. */
int account_stake(struct db *db, int64_t account_id, int64_t amount,
    cJSON **out, char *detail);
/* Start releasing `amount` of stake; it reaches the balance after the
 * cooldown.  *out: {amount, release_at}. */
int account_unstake(struct db *db, int64_t account_id, int64_t amount,
    int cooldown_s, cJSON **out, char *detail);

#endif
