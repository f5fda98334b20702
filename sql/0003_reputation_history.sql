-- sql/0003_reputation_history.sql — every change of a labeler's reputation.
--
-- reputations holds the current Beta(alpha, beta) per (account, project);
-- this table keeps one row per change, written by the finalization that
-- made it (task_id) in the same transaction, so "reputation over time" is
-- read from the server rather than rebuilt in a browser.  Append-only.

CREATE TABLE reputation_history (
	id		bigserial PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES accounts(id),
	project_id	bigint NOT NULL REFERENCES projects(id),
	alpha		double precision NOT NULL CHECK (alpha > 0),
	beta		double precision NOT NULL CHECK (beta > 0),
	task_id		bigint NOT NULL REFERENCES tasks(id),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reputation_history_account
	ON reputation_history(account_id, project_id, created_at);
