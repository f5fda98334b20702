/*
 * labeling/ledger.h — the double-entry ledger, in integer micro-credits.
 *
 * Ledger accounts are named by keys (sql/0001_market.sql, 0004):
 *   a/<account>/balance	spendable credits
 *   a/<account>/stake		free stake: backs new votes, can be unstaked
 *   a/<account>/bond		stake held by the account's open votes
 *   a/<account>/unstaking	unstaked, waiting for the cooldown
 *   a/<account>/slashed	what slashes took from the account (a sink)
 *   p/<project>/escrow		a project's funds not yet reserved for a task
 *   p/<project>/reserved	the rewards of its funded open tasks
 *   sys/mint			counterpart of outside deposits (may go < 0)
 *   sys/slashed, sys/fees	system sinks of earlier versions
 * A movement is entries that sum to zero (checked per statement).  It is
 * applied by the SQL function lc_ledger_move() (accounts locked in key
 * order, no account but the mint below zero: LC_ERR_FUNDS), or, when every
 * debit was reserved for it (a finalization's), posted: entries now,
 * balance changes queued for the settler (settle.h).
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
void ledger_key_reserved(char key[LEDGER_KEY_LEN], int64_t project_id);

/* Create the ledger account if missing (inside the caller's tx). */
int ledger_open(struct db *db, const char *key, const char *kind,
    int64_t account_id, int64_t project_id);
/* Create every ledger account of a market account (inside the caller's tx). */
int ledger_open_account(struct db *db, int64_t account_id);

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
