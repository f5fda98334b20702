-- 0016_entry_keys_per_statement.sql — a ledger entry's account is checked
-- once per statement, without a lock on the account's row.
--
-- ledger_entries.account_key referenced ledger_accounts(key).  A foreign
-- key is checked row by row, each check a query that takes a KEY SHARE lock
-- on the account's row: 5.3 of them per labeled item in bench/load (the
-- vote's bond, then every entry of a finalization).  Each lock writes the
-- row's header and a WAL record, and on the rows many transactions touch at
-- once — the project's reserved rewards, named by every finalization of the
-- project, and a voter's stake and bond rows, which the vote and the ledger
-- settler update — a second locker has to build a multixact.  The key only
-- has to exist: ledger accounts are never deleted and never change key
-- (now enforced below), so what a check finds stays true, and a lock that
-- keeps the row from going away protects nothing.
--
-- The statement-level trigger that already checks each movement sums to
-- zero (0014's ledger_check_movements) now also checks, over the same new
-- rows, that each names an existing account: one anti-join by the primary
-- key, no lock, and the same error class (23503) as the foreign key.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_key_fkey;

CREATE OR REPLACE FUNCTION ledger_check_movements() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	bad	bigint;
	missing	text;
BEGIN
	SELECT movement_id INTO bad FROM new_entries
	    GROUP BY movement_id HAVING sum(amount) <> 0 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger movement % does not sum to zero', bad
		    USING ERRCODE = '23514';
	END IF;
	SELECT n.account_key INTO missing FROM new_entries n
	    WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a
		WHERE a.key = n.account_key) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger entry names a missing account %',
		    missing USING ERRCODE = '23503';
	END IF;
	-- What requesters spent: the rewards paid (lc_progress()).
	INSERT INTO project_progress_pending (project_id, spend)
	    SELECT n.project_id, sum(n.amount) FROM new_entries n
	    WHERE n.cause = 'reward' AND n.amount > 0
	    AND n.project_id IS NOT NULL
	    GROUP BY n.project_id;
	RETURN NULL;
END $$;

-- What made the check above sufficient: an account, once made, stays, under
-- its key.  Statement-level, so the updates of balances pay nothing for it
-- (an UPDATE fires it only when it sets key).
CREATE FUNCTION ledger_accounts_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'ledger accounts are never deleted or renamed (%)',
	    TG_OP USING ERRCODE = '23503';
END $$;
CREATE TRIGGER ledger_accounts_kept
	BEFORE DELETE OR TRUNCATE OR UPDATE OF key ON ledger_accounts
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_kept();
