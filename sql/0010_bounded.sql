-- sql/0010_bounded.sql — bounded work per request (issue 12): a project's
-- progress figures kept as counters instead of counted on every read, and
-- the indexes that let every list endpoint read one page and no more.
--
-- Progress counters.  GET /v1/projects counted, for each of up to 500
-- projects, every task, every vote on its final tasks and every reward
-- entry of its ledger; now it reads one row per project plus what is queued
-- for it.  The counters change in the statements that change a task
-- (upload, vote, finalization, re-estimation, close) and a reward entry
-- (finalization), by the triggers below, so that no path can forget them.
-- They do not write project_progress itself: every vote of a project would
-- then wait on that one row (and take a lock outside the lock order).  A
-- trigger queues the change in project_progress_pending, insert-only like
-- ledger_pending; lc_progress() reads the row plus its queue in one
-- snapshot, so a figure is exact at every commit; lc_progress_settle()
-- (labelchaind's housekeeping thread, labeling/settle.c) folds the queue
-- into the rows in batches, which keeps the queue a few milliseconds long.
--
-- A task's share of its project's figures: 1 task; open, final or
-- cancelled by its status; low_confidence, unverified, gold; its votes;
-- when final, its votes again (votes_final) and those that chose the final
-- label (agree, at most max_votes rows read through votes' (task_id,
-- account_id) key).  A change of the row queues new share minus old.
--
-- Locks: the triggers only insert, and the settler alone locks
-- project_progress rows (SKIP LOCKED), last: level 6 of the lock order,
-- which labeling/project.c writes down where the project row is locked.

CREATE TABLE project_progress (
	project_id	bigint PRIMARY KEY REFERENCES projects(id),
	n_tasks		bigint NOT NULL DEFAULT 0,
	n_open		bigint NOT NULL DEFAULT 0,
	n_final		bigint NOT NULL DEFAULT 0,
	n_cancelled	bigint NOT NULL DEFAULT 0,
	n_low		bigint NOT NULL DEFAULT 0,
	n_unverified	bigint NOT NULL DEFAULT 0,
	n_gold		bigint NOT NULL DEFAULT 0,
	n_gold_final	bigint NOT NULL DEFAULT 0,
	n_votes		bigint NOT NULL DEFAULT 0,
	n_votes_final	bigint NOT NULL DEFAULT 0,
	n_agree		bigint NOT NULL DEFAULT 0,
	spend		bigint NOT NULL DEFAULT 0
);

-- Changes not yet folded into project_progress: same columns, deltas.
CREATE TABLE project_progress_pending (
	seq		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL,
	n_tasks		bigint NOT NULL DEFAULT 0,
	n_open		bigint NOT NULL DEFAULT 0,
	n_final		bigint NOT NULL DEFAULT 0,
	n_cancelled	bigint NOT NULL DEFAULT 0,
	n_low		bigint NOT NULL DEFAULT 0,
	n_unverified	bigint NOT NULL DEFAULT 0,
	n_gold		bigint NOT NULL DEFAULT 0,
	n_gold_final	bigint NOT NULL DEFAULT 0,
	n_votes		bigint NOT NULL DEFAULT 0,
	n_votes_final	bigint NOT NULL DEFAULT 0,
	n_agree		bigint NOT NULL DEFAULT 0,
	spend		bigint NOT NULL DEFAULT 0
);
CREATE INDEX project_progress_pending_project
	ON project_progress_pending (project_id);

-- Every project has its row from the start.
CREATE FUNCTION lc_progress_new_project() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO project_progress (project_id) VALUES (NEW.id);
	RETURN NULL;
END $$;
CREATE TRIGGER projects_progress AFTER INSERT ON projects
	FOR EACH ROW EXECUTE FUNCTION lc_progress_new_project();

-- Uploads: one queued row per project and statement (up to
-- LC_MAX_TASKS_PER_UPLOAD tasks each).  A task is born open without votes;
-- agree, which needs its votes, is counted when it becomes final.
CREATE FUNCTION lc_progress_tasks_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO project_progress_pending (project_id, n_tasks, n_open,
	    n_final, n_cancelled, n_low, n_unverified, n_gold, n_gold_final,
	    n_votes, n_votes_final)
	    SELECT n.project_id, count(*),
		count(*) FILTER (WHERE n.status = 'open'),
		count(*) FILTER (WHERE n.status = 'final'),
		count(*) FILTER (WHERE n.status = 'cancelled'),
		count(*) FILTER (WHERE n.low_confidence),
		count(*) FILTER (WHERE n.unverified),
		count(*) FILTER (WHERE n.gold_label IS NOT NULL),
		count(*) FILTER (WHERE n.gold_label IS NOT NULL AND
		    n.status = 'final'),
		coalesce(sum(n.n_votes), 0),
		coalesce(sum(n.n_votes) FILTER (WHERE n.status = 'final'), 0)
	    FROM new_tasks n GROUP BY n.project_id;
	RETURN NULL;
END $$;
CREATE TRIGGER tasks_progress_insert AFTER INSERT ON tasks
	REFERENCING NEW TABLE AS new_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION lc_progress_tasks_inserted();

-- A changed task: its new share minus its old one.  The WHEN clause of
-- the trigger keeps claims, sweeps, funding and the log sequencer (which
-- change none of these columns) from calling this at all.
CREATE FUNCTION lc_progress_task_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	agree_old	bigint := 0;
	agree_new	bigint := 0;
BEGIN
	IF OLD.status = 'final' THEN
		SELECT count(*) INTO agree_old FROM votes
		    WHERE task_id = OLD.id AND label = OLD.final_label;
	END IF;
	IF NEW.status = 'final' THEN
		SELECT count(*) INTO agree_new FROM votes
		    WHERE task_id = NEW.id AND label = NEW.final_label;
	END IF;
	INSERT INTO project_progress_pending (project_id, n_open, n_final,
	    n_cancelled, n_low, n_unverified, n_gold_final, n_votes,
	    n_votes_final, n_agree)
	VALUES (NEW.project_id,
	    (NEW.status = 'open')::int - (OLD.status = 'open')::int,
	    (NEW.status = 'final')::int - (OLD.status = 'final')::int,
	    (NEW.status = 'cancelled')::int - (OLD.status = 'cancelled')::int,
	    NEW.low_confidence::int - OLD.low_confidence::int,
	    NEW.unverified::int - OLD.unverified::int,
	    (NEW.gold_label IS NOT NULL AND NEW.status = 'final')::int -
		(OLD.gold_label IS NOT NULL AND OLD.status = 'final')::int,
	    NEW.n_votes - OLD.n_votes,
	    CASE WHEN NEW.status = 'final' THEN NEW.n_votes ELSE 0 END -
		CASE WHEN OLD.status = 'final' THEN OLD.n_votes ELSE 0 END,
	    agree_new - agree_old);
	RETURN NULL;
END $$;
-- project_id and gold_label never change (nothing updates them; a change
-- would be refused here rather than miscounted).
CREATE FUNCTION lc_progress_task_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'a task''s project and gold label cannot change'
	    USING ERRCODE = '55000';
END $$;
CREATE TRIGGER tasks_progress_frozen BEFORE UPDATE OF project_id, gold_label
	ON tasks FOR EACH ROW
	WHEN (OLD.project_id <> NEW.project_id OR
	    OLD.gold_label IS DISTINCT FROM NEW.gold_label)
	EXECUTE FUNCTION lc_progress_task_frozen();
CREATE TRIGGER tasks_progress_update AFTER UPDATE ON tasks
	FOR EACH ROW
	WHEN (OLD.status <> NEW.status OR OLD.n_votes <> NEW.n_votes OR
	    OLD.low_confidence <> NEW.low_confidence OR
	    OLD.unverified <> NEW.unverified OR
	    OLD.final_label IS DISTINCT FROM NEW.final_label)
	EXECUTE FUNCTION lc_progress_task_changed();
-- Nothing deletes tasks; should something, the counters stay right.
CREATE FUNCTION lc_progress_tasks_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'tasks are never deleted' USING ERRCODE = '55000';
END $$;
CREATE TRIGGER tasks_progress_delete BEFORE DELETE ON tasks
	FOR EACH ROW EXECUTE FUNCTION lc_progress_tasks_deleted();

-- What requesters spent: the rewards paid, as finalizations write them.
CREATE FUNCTION lc_progress_reward() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO project_progress_pending (project_id, spend)
	    VALUES (NEW.project_id, NEW.amount);
	RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_progress AFTER INSERT ON ledger_entries
	FOR EACH ROW
	WHEN (NEW.cause = 'reward' AND NEW.amount > 0 AND
	    NEW.project_id IS NOT NULL)
	EXECUTE FUNCTION lc_progress_reward();

-- A project's figures: its row plus its queue, one snapshot (a STABLE
-- function's statements share the caller's).
CREATE FUNCTION lc_progress(p_project bigint) RETURNS project_progress
LANGUAGE plpgsql STABLE AS $$
DECLARE
	g	project_progress;
BEGIN
	SELECT * INTO g FROM project_progress WHERE project_id = p_project;
	g.project_id := p_project;
	SELECT coalesce(g.n_tasks, 0) + coalesce(sum(d.n_tasks), 0),
	    coalesce(g.n_open, 0) + coalesce(sum(d.n_open), 0),
	    coalesce(g.n_final, 0) + coalesce(sum(d.n_final), 0),
	    coalesce(g.n_cancelled, 0) + coalesce(sum(d.n_cancelled), 0),
	    coalesce(g.n_low, 0) + coalesce(sum(d.n_low), 0),
	    coalesce(g.n_unverified, 0) + coalesce(sum(d.n_unverified), 0),
	    coalesce(g.n_gold, 0) + coalesce(sum(d.n_gold), 0),
	    coalesce(g.n_gold_final, 0) + coalesce(sum(d.n_gold_final), 0),
	    coalesce(g.n_votes, 0) + coalesce(sum(d.n_votes), 0),
	    coalesce(g.n_votes_final, 0) + coalesce(sum(d.n_votes_final), 0),
	    coalesce(g.n_agree, 0) + coalesce(sum(d.n_agree), 0),
	    coalesce(g.spend, 0) + coalesce(sum(d.spend), 0)
	    INTO g.n_tasks, g.n_open, g.n_final, g.n_cancelled, g.n_low,
		g.n_unverified, g.n_gold, g.n_gold_final, g.n_votes,
		g.n_votes_final, g.n_agree, g.spend
	    FROM project_progress_pending d WHERE d.project_id = p_project;
	RETURN g;
END $$;

-- Fold the queue into the rows: the projects of the oldest p_limit queued
-- changes, those whose row no other settler holds, all their queued rows
-- at once.  Returns the number of queued rows folded.
CREATE FUNCTION lc_progress_settle(p_limit int) RETURNS int
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	n	int;
BEGIN
	WITH q AS (SELECT DISTINCT project_id FROM (SELECT project_id
		FROM project_progress_pending ORDER BY seq LIMIT p_limit) x),
	l AS (SELECT g.project_id FROM project_progress g
		WHERE g.project_id IN (SELECT q.project_id FROM q)
		ORDER BY g.project_id FOR NO KEY UPDATE SKIP LOCKED),
	d AS (DELETE FROM project_progress_pending p USING l
		WHERE p.project_id = l.project_id RETURNING p.*),
	s AS (SELECT project_id, count(*) AS rows,
		sum(n_tasks) AS n_tasks, sum(n_open) AS n_open,
		sum(n_final) AS n_final, sum(n_cancelled) AS n_cancelled,
		sum(n_low) AS n_low, sum(n_unverified) AS n_unverified,
		sum(n_gold) AS n_gold, sum(n_gold_final) AS n_gold_final,
		sum(n_votes) AS n_votes, sum(n_votes_final) AS n_votes_final,
		sum(n_agree) AS n_agree, sum(spend) AS spend
		FROM d GROUP BY project_id),
	u AS (UPDATE project_progress g SET n_tasks = g.n_tasks + s.n_tasks,
		n_open = g.n_open + s.n_open, n_final = g.n_final + s.n_final,
		n_cancelled = g.n_cancelled + s.n_cancelled,
		n_low = g.n_low + s.n_low,
		n_unverified = g.n_unverified + s.n_unverified,
		n_gold = g.n_gold + s.n_gold,
		n_gold_final = g.n_gold_final + s.n_gold_final,
		n_votes = g.n_votes + s.n_votes,
		n_votes_final = g.n_votes_final + s.n_votes_final,
		n_agree = g.n_agree + s.n_agree, spend = g.spend + s.spend
		FROM s WHERE g.project_id = s.project_id)
	SELECT coalesce(sum(s.rows), 0)::int INTO n FROM s;
	RETURN n;
END $$;

-- Existing data, counted once.  The triggers exist already and hold their
-- tables' locks until this migration commits, so no change is counted
-- twice or missed.
INSERT INTO project_progress (project_id, n_tasks, n_open, n_final,
    n_cancelled, n_low, n_unverified, n_gold, n_gold_final, n_votes,
    n_votes_final, n_agree, spend)
SELECT p.id, coalesce(t.n, 0), coalesce(t.open, 0), coalesce(t.final, 0),
    coalesce(t.cancelled, 0), coalesce(t.low, 0), coalesce(t.unverified, 0),
    coalesce(t.gold, 0), coalesce(t.gold_final, 0), coalesce(t.votes, 0),
    coalesce(t.onfinal, 0),
    (SELECT count(*) FROM tasks tk JOIN votes v ON v.task_id = tk.id
	WHERE tk.project_id = p.id AND tk.status = 'final'
	AND v.label = tk.final_label),
    (SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e
	WHERE e.project_id = p.id AND e.cause = 'reward' AND e.amount > 0)
FROM projects p LEFT JOIN (SELECT project_id, count(*) AS n,
	count(*) FILTER (WHERE status = 'open') AS open,
	count(*) FILTER (WHERE status = 'final') AS final,
	count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
	count(*) FILTER (WHERE low_confidence) AS low,
	count(*) FILTER (WHERE unverified) AS unverified,
	count(*) FILTER (WHERE gold_label IS NOT NULL) AS gold,
	count(*) FILTER (WHERE gold_label IS NOT NULL AND status = 'final')
	    AS gold_final,
	sum(n_votes) AS votes,
	sum(n_votes) FILTER (WHERE status = 'final') AS onfinal
    FROM tasks GROUP BY project_id) t ON t.project_id = p.id;

-- The label export, a page at a time in task order.
CREATE INDEX tasks_final ON tasks (project_id, id) WHERE status = 'final';

-- An account's ledger accounts (GET /v1/me/ledger reads each one's
-- entries backwards through ledger_entries_account).
CREATE INDEX ledger_accounts_account ON ledger_accounts (account_id)
	WHERE account_id IS NOT NULL;

-- GET /v1/me/reputation: the newest rows of an account, of one project or
-- of all, in (created_at, id) order, so that a page can be read backwards
-- and stop (the plan PostgreSQL makes for a known page size).  A generic
-- plan, which does not know the page size, may still read an account's
-- rows through these indexes and sort them: bounded by that account's
-- history, never the table's.
DROP INDEX reputation_history_account;
CREATE INDEX reputation_history_account
	ON reputation_history (account_id, project_id, created_at, id);
CREATE INDEX reputation_history_account_time
	ON reputation_history (account_id, created_at, id);
