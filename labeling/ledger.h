/*
 * labeling/ledger.h — the double-entry ledger, in integer micro-credits.
 *
 * Ledger accounts are named by keys (see sql/0001_market.sql):
 * "a/<account>/balance", "a/<account>/stake", "a/<account>/unstaking",
 * "p/<project>/escrow", "sys/mint", "sys/slashed", "sys/fees".  A transfer
 * is one movement: two entries of opposite sign, one statement, so every
 * movement sums to zero; a deferred trigger re-checks it at commit.  Only
 * "sys/mint" (the counterpart of outside deposits) may go below zero.
 *
 * ledger_transfer() runs inside the caller's transaction; ledger_credit()
 * and ledger_history() own theirs.
 */
#ifndef LC_LEDGER_H
#define LC_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct db;

#define LEDGER_KEY_LEN 48

void ledger_key_account(char key[LEDGER_KEY_LEN], int64_t account_id,
    const char *kind);
void ledger_key_escrow(char key[LEDGER_KEY_LEN], int64_t project_id);

/* Create the ledger account if missing (inside the caller's tx). */
int ledger_open(struct db *db, const char *key, const char *kind,
    int64_t account_id, int64_t project_id);

/*
 * Move amount > 0 from `from` to `to` with its cause; project_id and
 * task_id may be 0 (none).  LC_ERR_FUNDS when `from` lacks the amount
 * (the caller's transaction must then roll back).
 */
int ledger_transfer(struct db *db, const char *from, const char *to,
    int64_t amount, const char *cause, int64_t project_id, int64_t task_id);

/* Balance of one ledger account (0 when it does not exist). */
int ledger_balance(struct db *db, const char *key, int64_t *out);

/* Operator deposit: sys/mint -> the account's balance.  Own transaction. */
int
ledger_credit(struct db *db, int64_t account_id, int64_t amount, char *detail);

/*
 * The account's movements, newest first, at most `limit` (before id
 * `before` when > 0): [{id, amount, cause, ledger, project, task, time}],
 * amount signed from the account's point of view.  Caller frees *out.
 */
int ledger_history(struct db *db, int64_t account_id, int limit, int64_t before,
    cJSON **out);

#endif
