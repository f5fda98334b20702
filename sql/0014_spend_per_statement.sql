-- 0014_spend_per_statement.sql — a project's spend queued once per
-- statement, not once per reward.
--
-- 0010 queued what requesters spend with a row trigger on ledger_entries:
-- a finalization that pays three voters wrote three rows to
-- project_progress_pending (and the settler deleted three).  The
-- statement-level trigger that checks every movement sums to zero
-- (0004's ledger_check_movements) already runs once per statement over
-- the new entries; it now also queues their rewards, one row per project
-- and statement.  In bench/load (three votes a task) that is one queue
-- row per finalization instead of one per labeled item, each inserted
-- and then deleted by the settler: 1.33 fewer of the 34 rows a labeled
-- item wrote.
DROP TRIGGER ledger_entries_progress ON ledger_entries;
DROP FUNCTION lc_progress_reward();

CREATE OR REPLACE FUNCTION ledger_check_movements() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	bad	bigint;
BEGIN
	SELECT movement_id INTO bad FROM new_entries
	    GROUP BY movement_id HAVING sum(amount) <> 0 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger movement % does not sum to zero', bad
		    USING ERRCODE = '23514';
	END IF;
	-- What requesters spent: the rewards paid (lc_progress()).
	INSERT INTO project_progress_pending (project_id, spend)
	    SELECT n.project_id, sum(n.amount) FROM new_entries n
	    WHERE n.cause = 'reward' AND n.amount > 0
	    AND n.project_id IS NOT NULL
	    GROUP BY n.project_id;
	RETURN NULL;
END $$;
