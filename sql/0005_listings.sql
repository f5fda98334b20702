-- sql/0005_listings.sql — indexes for what the browser asks of every page
-- (issue 14): the project list read a page at a time, newest first, for an
-- owner (owner_id, id) and for labelers (the open projects, by id); an
-- account's earnings and a project's spend, each the sum of the ledger's
-- reward entries of one key or one project, read from the index alone.
-- Reward entries are a minority of the ledger, so the partial indexes stay
-- small and only finalizations pay for them.

DROP INDEX projects_owner;
CREATE INDEX projects_owner ON projects (owner_id, id);
CREATE INDEX projects_open ON projects (id) WHERE status = 'open';

CREATE INDEX ledger_entries_reward_account ON ledger_entries (account_key)
	INCLUDE (amount) WHERE cause = 'reward';
CREATE INDEX ledger_entries_reward_project ON ledger_entries (project_id)
	INCLUDE (amount) WHERE cause = 'reward' AND amount > 0;
