-- sql/0004_money_path.sql — the money path rebuilt: bonded stake, reward pots
-- per task, a project's own stake scale, claims that are one indexed probe,
-- set-based finalization, and a log queue so that a finalization never waits
-- on the log head.
--
-- Division of labour.  labeling/ (C) decides: weights, posteriors, the final
-- label, every reward, slash and bond, the new reputations, the leaf record.
-- The functions below only apply such a decision, atomically, and refuse it
-- (SQLSTATE 40001, which labeling/ retries from a fresh read) when the rows
-- it was computed from have changed since: the transaction never waits on
-- the network, and the C code stays the one implementation of the rules.
--
-- Lock order.  Every path takes locks in this order and no other, so that
-- two transactions never wait on each other in a cycle:
--   0. the projects row — owner operations only (fund, upload, status);
--      votes and claims read the project without a lock
--   1. the labeler's claim lock (lc_labeler_lock) — claims only
--   2. task rows — one per vote, claim, skip or finalization; a close or
--      a sweep takes several, in id order
--   3. the assignment rows of those tasks
--   4. ledger accounts, in key order (lc_ledger_move, the only writer)
--   5. reputations, in account order
-- A claim made inside a vote ("next") takes 1 early and its task with SKIP
-- LOCKED, so it never waits.
--
-- SQLSTATEs raised here and mapped by labeling/db.c:
--   40001  a row changed since it was read: retry from a fresh read
--   LC001  a ledger account would go below zero (insufficient funds)
--   LC002  the assignment is no longer active (voted, skipped, cancelled)
--   LC003  the assignment's lease has expired

-- Ledger: bonds, per-labeler sinks of slashed stake, per-task reward pots.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind_check
	CHECK (kind IN ('balance', 'stake', 'unstaking', 'bond', 'slashed',
	    'escrow', 'pot', 'mint', 'fees'));
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_cause_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_cause_check
	CHECK (cause IN ('credit', 'fund', 'reserve', 'reward', 'return',
	    'slash', 'stake', 'bond', 'unbond', 'unstake', 'release',
	    'refund'));
-- 'sys/slashed' kept what slashes took; from now on each labeler's own
-- 'a/<id>/slashed' does, so that no finalization touches a global row.
INSERT INTO ledger_accounts (key, kind, account_id)
	SELECT 'a/' || id || '/' || k, k, id FROM accounts,
	    (VALUES ('bond'), ('slashed')) AS x(k)
	ON CONFLICT (key) DO NOTHING;
-- Kept for readability of the ledger, not for queries on the hot path.
ALTER TABLE ledger_accounts ADD COLUMN task_id bigint;

-- Movements are written by one INSERT each (lc_ledger_move), so the check
-- that a movement sums to zero is one statement-level pass over the new
-- rows, instead of one sum per row at commit.
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
DROP FUNCTION ledger_check_movement();
CREATE FUNCTION ledger_check_movements() RETURNS trigger
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
	RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
	REFERENCING NEW TABLE AS new_entries
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_movements();

-- One movement: entries (key, amount, cause) that sum to zero.  Locks the
-- accounts in key order, refuses (LC001) to take any account but the mint
-- below zero, updates the balances and writes the entries with one
-- statement each.  Zero amounts are dropped.  Returns the movement id.
CREATE FUNCTION lc_ledger_move(p_project bigint, p_task bigint,
    p_keys text[], p_amounts bigint[], p_causes text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	mv	bigint;
	short	text;
	n_want	int;
	n_done	int;
BEGIN
	IF cardinality(p_keys) <> cardinality(p_amounts) OR
	    cardinality(p_keys) <> cardinality(p_causes) THEN
		RAISE EXCEPTION 'lc_ledger_move: arrays differ in length';
	END IF;
	PERFORM 1 FROM ledger_accounts WHERE key = ANY (p_keys)
	    ORDER BY key FOR NO KEY UPDATE;
	SELECT l.key INTO short FROM ledger_accounts l
	    JOIN (SELECT k, sum(a) AS a FROM unnest(p_keys, p_amounts)
		AS u(k, a) GROUP BY k) s ON l.key = s.k
	    WHERE l.kind <> 'mint' AND l.balance + s.a < 0 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ledger account % would go below zero', short
		    USING ERRCODE = 'LC001';
	END IF;
	UPDATE ledger_accounts l SET balance = l.balance + s.a
	    FROM (SELECT k, sum(a) AS a FROM unnest(p_keys, p_amounts)
		AS u(k, a) GROUP BY k HAVING sum(a) <> 0) s
	    WHERE l.key = s.k;
	GET DIAGNOSTICS n_done = ROW_COUNT;
	SELECT count(*) INTO n_want FROM (SELECT k FROM unnest(p_keys,
	    p_amounts) AS u(k, a) GROUP BY k HAVING sum(a) <> 0) s;
	IF n_done <> n_want THEN
		RAISE EXCEPTION 'ledger movement names a missing account';
	END IF;
	mv := nextval('ledger_movement_seq');
	INSERT INTO ledger_entries (movement_id, account_key, amount, cause,
	    project_id, task_id)
	    SELECT mv, u.k, u.a, u.c, p_project, p_task
	    FROM unnest(p_keys, p_amounts, p_causes) AS u(k, a, c)
	    WHERE u.a <> 0;
	RETURN mv;
END $$;

-- Projects: the stake that earns full weight (reputation/weights.h).  New
-- projects default to their min_stake (labeling/project.c); projects made
-- before keep the old absolute 10 credits, so their weights do not move.
ALTER TABLE projects ADD COLUMN stake_ref bigint;
UPDATE projects SET stake_ref = 10000000;
ALTER TABLE projects ALTER COLUMN stake_ref SET NOT NULL;
ALTER TABLE projects ADD CONSTRAINT projects_stake_ref_check
	CHECK (stake_ref > 0);

-- Tasks: leases and funding kept on the row, so that "can this task take
-- one more labeler now?" is a predicate of one index.  need is how many
-- labelers the task wants at the same time: min_votes - n_votes while below
-- min_votes, then one, never past max_votes; a task is claimable while
-- n_leases < need.  funded: its reward sits in its pot ('t/<id>/reward').
-- status 'cancelled': the project was closed before the task was final.
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
	CHECK (status IN ('open', 'final', 'cancelled'));
ALTER TABLE tasks ADD COLUMN n_leases int NOT NULL DEFAULT 0
	CHECK (n_leases >= 0);
ALTER TABLE tasks ADD COLUMN need int NOT NULL DEFAULT 0 CHECK (need >= 0);
ALTER TABLE tasks ADD COLUMN funded boolean NOT NULL DEFAULT false;
ALTER TABLE tasks DROP COLUMN scores;
DROP INDEX tasks_open;
CREATE INDEX tasks_claimable ON tasks
	(project_id, (gold_label IS NOT NULL), n_votes DESC, id)
	WHERE status = 'open' AND funded AND n_leases < need;
CREATE INDEX tasks_project_status ON tasks (project_id, status);

-- Assignments: 'voted' holds a bond until the task is final, then
-- 'settled'; a lease past its expiry becomes 'expired' (lc_sweep_leases).
ALTER TABLE assignments DROP CONSTRAINT assignments_status_check;
ALTER TABLE assignments ADD CONSTRAINT assignments_status_check
	CHECK (status IN ('active', 'voted', 'settled', 'skipped', 'expired',
	    'cancelled'));
DROP INDEX assignments_active;
CREATE INDEX assignments_open ON assignments (account_id, project_id)
	WHERE status IN ('active', 'voted');
CREATE INDEX assignments_expiry ON assignments (expires_at)
	WHERE status = 'active';

-- Votes: what the vote was weighted with, and the bond it holds.
ALTER TABLE votes ADD COLUMN stake_w bigint NOT NULL DEFAULT 0
	CHECK (stake_w >= 0);
ALTER TABLE votes ADD COLUMN bond bigint NOT NULL DEFAULT 0
	CHECK (bond >= 0);
ALTER TABLE votes ADD COLUMN alpha double precision;
ALTER TABLE votes ADD COLUMN beta double precision;
DROP INDEX votes_account;
CREATE INDEX votes_account ON votes (account_id, project_id);

-- Final labels waiting for their leaf: a finalization inserts here, the
-- log sequencer (labeling/log_sequencer.c) moves them into log_leaves in
-- batches under the log head, so no finalization waits on it.
CREATE TABLE log_pending (
	seq		bigserial PRIMARY KEY,
	task_id		bigint NOT NULL UNIQUE REFERENCES tasks(id),
	project_id	bigint NOT NULL REFERENCES projects(id),
	record		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- The per-labeler claim lock: claims of one labeler queue, nobody else's.
CREATE FUNCTION lc_labeler_lock(p_account bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(1818386028,
	    (p_account % 2147483647)::int)
$$;

-- Move rewards from the escrow into the pots of unfunded open tasks, oldest
-- first, as far as the escrow covers them.  The caller holds the project
-- row (lock order 0).  Returns the number of tasks funded.
CREATE FUNCTION lc_reserve_rewards(p_project bigint) RETURNS int
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	reward	bigint;
	avail	bigint;
	ids	bigint[];
	n	int;
BEGIN
	SELECT reward_per_task INTO reward FROM projects WHERE id = p_project;
	IF reward = 0 THEN
		UPDATE tasks SET funded = true WHERE project_id = p_project
		    AND status = 'open' AND NOT funded;
		GET DIAGNOSTICS n = ROW_COUNT;
		RETURN n;
	END IF;
	SELECT balance INTO avail FROM ledger_accounts
	    WHERE key = 'p/' || p_project || '/escrow';
	IF avail < reward THEN
		RETURN 0;
	END IF;
	SELECT array_agg(id ORDER BY id) INTO ids FROM (SELECT id FROM tasks
	    WHERE project_id = p_project AND status = 'open' AND NOT funded
	    ORDER BY id LIMIT avail / reward FOR UPDATE) t;
	n := coalesce(cardinality(ids), 0);
	IF n = 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO ledger_accounts (key, kind, project_id, task_id)
	    SELECT 't/' || i || '/reward', 'pot', p_project, i
	    FROM unnest(ids) AS i ON CONFLICT (key) DO NOTHING;
	PERFORM lc_ledger_move(p_project, NULL,
	    array_prepend('p/' || p_project || '/escrow',
		ARRAY(SELECT 't/' || i || '/reward' FROM unnest(ids) AS i)),
	    array_prepend(-reward * n, array_fill(reward, ARRAY[n])),
	    array_fill('reserve'::text, ARRAY[n + 1]));
	UPDATE tasks SET funded = true WHERE id = ANY (ids);
	RETURN n;
END $$;

-- A claim.  code: 0 leased (a new lease, or the oldest one held when the
-- labeler is at p_max_leases), 1 no task this labeler may take, 2 no such
-- project, 3 the project is not open, 4 total stake below min_stake, 5 the
-- free stake cannot back one more vote (p_bond_bp of the stake it would be
-- weighted with).  Candidates come from tasks_claimable in the order
-- "nearest to finalization first"; a task this labeler has seen is passed
-- over, a task another claim holds is skipped.  Before answering 1 the
-- claim waits for the skipped tasks (p_wait) and sweeps expired leases, so
-- 1 means there is truly nothing: a claim inside a vote passes p_wait =
-- false and never waits.
CREATE FUNCTION lc_claim(p_account bigint, p_project bigint, p_lease_s int,
    p_gold_draw double precision, p_max_leases int, p_bond_bp int,
    p_wait boolean)
RETURNS TABLE (code int, assignment_id bigint, task_id bigint, data text,
    expires_at timestamptz, labels text, instructions text,
    project_status text, min_stake bigint, stake bigint, bonded bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	p		projects%ROWTYPE;
	free		bigint;
	bond		bigint;
	want_gold	boolean;
	held		int;
	gold		boolean;
	cand		bigint;
	got		bigint;
	skipped		bigint[] := '{}';
	a_id		bigint;
	a_exp		timestamptz;
BEGIN
	SELECT * INTO p FROM projects WHERE id = p_project;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 2, NULL::bigint, NULL::bigint, NULL::text,
		    NULL::timestamptz, NULL::text, NULL::text, NULL::text,
		    NULL::bigint, NULL::bigint, NULL::bigint;
		RETURN;
	END IF;
	SELECT l.balance INTO free FROM ledger_accounts l
	    WHERE l.key = 'a/' || p_account || '/stake';
	SELECT l.balance INTO bond FROM ledger_accounts l
	    WHERE l.key = 'a/' || p_account || '/bond';
	free := coalesce(free, 0);
	bond := coalesce(bond, 0);
	IF p.status <> 'open' OR free + bond < p.min_stake OR
	    free < least(free + bond, p.stake_ref)::numeric * p_bond_bp / 10000
	THEN
		RETURN QUERY SELECT CASE WHEN p.status <> 'open' THEN 3
		    WHEN free + bond < p.min_stake THEN 4 ELSE 5 END,
		    NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz,
		    NULL::text, NULL::text, p.status, p.min_stake, free, bond;
		RETURN;
	END IF;

	PERFORM lc_labeler_lock(p_account);
	SELECT count(*) INTO held FROM assignments a
	    WHERE a.account_id = p_account AND a.project_id = p_project
	    AND a.status = 'active' AND a.expires_at > now();
	IF held >= p_max_leases THEN
		RETURN QUERY SELECT 0, a.id, a.task_id, t.data, a.expires_at,
		    array_to_string(p.labels, E'\n'), p.instructions, p.status,
		    p.min_stake, free, bond
		    FROM assignments a JOIN tasks t ON t.id = a.task_id
		    WHERE a.account_id = p_account AND a.project_id = p_project
		    AND a.status = 'active' AND a.expires_at > now()
		    ORDER BY a.id LIMIT 1;
		RETURN;
	END IF;

	want_gold := p.gold_rate > 0 AND p_gold_draw < p.gold_rate;
	<<search>>
	FOR attempt IN 1 .. 2 LOOP
		-- The drawn kind (gold or not) first, then the other one,
		-- passing over tasks this labeler has seen and skipping the
		-- ones another transaction holds.
		FOREACH gold IN ARRAY ARRAY[want_gold, NOT want_gold] LOOP
			FOR cand IN SELECT t.id FROM tasks t
			    WHERE t.project_id = p_project AND t.status = 'open'
			    AND t.funded AND t.n_leases < t.need
			    AND (t.gold_label IS NOT NULL) = gold
			    ORDER BY t.n_votes DESC, t.id LOOP
				CONTINUE WHEN EXISTS (SELECT 1 FROM assignments a
				    WHERE a.task_id = cand
				    AND a.account_id = p_account);
				UPDATE tasks t SET n_leases = t.n_leases + 1
				    WHERE t.id = (SELECT x.id FROM tasks x
					WHERE x.id = cand AND x.status = 'open'
					AND x.funded AND x.n_leases < x.need
					FOR UPDATE SKIP LOCKED)
				    RETURNING t.id INTO got;
				EXIT search WHEN got IS NOT NULL;
				skipped := skipped || cand;
			END LOOP;
		END LOOP;
		-- Nothing free: wait for the ones held (their holders commit
		-- in a moment), then sweep expired leases and look again, so
		-- that "no task" is never said while one could be taken.
		EXIT WHEN NOT p_wait;
		FOREACH cand IN ARRAY skipped LOOP
			UPDATE tasks t SET n_leases = t.n_leases + 1
			    WHERE t.id = (SELECT x.id FROM tasks x
				WHERE x.id = cand AND x.status = 'open'
				AND x.funded AND x.n_leases < x.need
				FOR UPDATE)
			    RETURNING t.id INTO got;
			EXIT search WHEN got IS NOT NULL;
		END LOOP;
		skipped := '{}';
		EXIT WHEN lc_sweep_leases(p_project, 1000) = 0;
	END LOOP;
	IF got IS NULL THEN
		RETURN QUERY SELECT 1, NULL::bigint, NULL::bigint, NULL::text,
		    NULL::timestamptz, NULL::text, NULL::text, p.status,
		    p.min_stake, free, bond;
		RETURN;
	END IF;
	INSERT INTO assignments AS a (project_id, task_id, account_id,
	    expires_at)
	    VALUES (p_project, got, p_account,
		now() + make_interval(secs => p_lease_s))
	    RETURNING a.id, a.expires_at INTO a_id, a_exp;
	RETURN QUERY SELECT 0, a_id, got, t.data, a_exp,
	    array_to_string(p.labels, E'\n'), p.instructions, p.status,
	    p.min_stake, free, bond FROM tasks t WHERE t.id = got;
END $$;

-- Expired leases of a project (or of all, p_project NULL), at most
-- p_limit: their tasks are locked first (lock order 2, skipping tasks busy
-- with a vote or a claim: the next sweep takes them), then the leases are
-- marked 'expired' and the tasks' counters given back.  Returns the number
-- of leases swept.
CREATE FUNCTION lc_sweep_leases(p_project bigint, p_limit int) RETURNS int
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	n	int;
BEGIN
	WITH due AS (
		SELECT a.id, a.task_id FROM assignments a
		WHERE a.status = 'active' AND a.expires_at <= now()
		AND (p_project IS NULL OR a.project_id = p_project)
		ORDER BY a.expires_at LIMIT p_limit),
	locked AS (
		SELECT t.id FROM tasks t WHERE t.id IN (SELECT due.task_id FROM due)
		ORDER BY t.id FOR UPDATE SKIP LOCKED),
	gone AS (
		UPDATE assignments a SET status = 'expired' FROM due
		WHERE a.id = due.id AND a.status = 'active'
		AND a.expires_at <= now()
		AND due.task_id IN (SELECT locked.id FROM locked)
		RETURNING a.task_id),
	back AS (
		UPDATE tasks t SET n_leases = t.n_leases - g.n
		FROM (SELECT gone.task_id, count(*) AS n FROM gone GROUP BY 1) g
		WHERE t.id = g.task_id RETURNING g.n)
	SELECT coalesce(sum(back.n), 0) INTO n FROM back;
	RETURN n;
END $$;

-- Give a lease back.  code: 0 done, 2 no such assignment, 3 another
-- labeler's, 4 not active (voted, expired, ...).
CREATE FUNCTION lc_skip(p_account bigint, p_assignment bigint)
RETURNS TABLE (code int, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	a	assignments%ROWTYPE;
BEGIN
	SELECT * INTO a FROM assignments WHERE id = p_assignment;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 2, NULL::text;
		RETURN;
	END IF;
	IF a.account_id <> p_account THEN
		RETURN QUERY SELECT 3, NULL::text;
		RETURN;
	END IF;
	PERFORM 1 FROM tasks WHERE id = a.task_id FOR UPDATE;
	UPDATE assignments SET status = 'skipped'
	    WHERE id = p_assignment AND assignments.status = 'active';
	IF NOT FOUND THEN
		RETURN QUERY SELECT 4, (SELECT x.status FROM assignments x
		    WHERE x.id = p_assignment);
		RETURN;
	END IF;
	UPDATE tasks SET n_leases = n_leases - 1 WHERE id = a.task_id;
	RETURN QUERY SELECT 0, 'skipped'::text;
END $$;

-- Apply one vote computed by labeling/vote.c from a read of the task with
-- n_votes = p_n_votes: the task first (40001 if another vote came in
-- between), then the lease (LC003 expired, LC002 not active), the vote row,
-- and the bond from the voter's free stake (LC001 if it is no longer
-- there).  A vote that finalizes its task carries no bond: it is settled in
-- the same transaction by lc_finalize_apply.
CREATE FUNCTION lc_vote_apply(p_assignment bigint, p_account bigint,
    p_task bigint, p_project bigint, p_n_votes int, p_need int, p_label int,
    p_public_key text, p_signature text, p_weight double precision,
    p_stake_w bigint, p_bond bigint, p_alpha double precision,
    p_beta double precision) RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	st	text;
	live	boolean;
BEGIN
	UPDATE tasks SET n_votes = n_votes + 1, need = p_need,
	    n_leases = n_leases - 1
	    WHERE id = p_task AND status = 'open' AND n_votes = p_n_votes;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'task % changed since it was read', p_task
		    USING ERRCODE = '40001';
	END IF;
	UPDATE assignments SET status = 'voted'
	    WHERE id = p_assignment AND account_id = p_account
	    AND task_id = p_task AND status = 'active'
	    AND expires_at > now();
	IF NOT FOUND THEN
		SELECT status, expires_at > now() INTO st, live
		    FROM assignments WHERE id = p_assignment;
		IF st = 'active' AND NOT live OR st = 'expired' THEN
			RAISE EXCEPTION 'the lease of assignment % has expired',
			    p_assignment USING ERRCODE = 'LC003';
		END IF;
		RAISE EXCEPTION 'assignment % is %', p_assignment, st
		    USING ERRCODE = 'LC002';
	END IF;
	INSERT INTO votes (project_id, task_id, assignment_id, account_id,
	    label, public_key, signature, weight, stake_w, bond, alpha, beta)
	    VALUES (p_project, p_task, p_assignment, p_account, p_label,
		p_public_key, p_signature, p_weight, p_stake_w, p_bond,
		p_alpha, p_beta);
	IF p_bond > 0 THEN
		PERFORM lc_ledger_move(p_project, p_task,
		    ARRAY['a/' || p_account || '/stake',
			'a/' || p_account || '/bond'],
		    ARRAY[-p_bond, p_bond], ARRAY['bond', 'bond']);
	END IF;
END $$;

-- Apply a finalization computed by labeling/finalize.c, in the transaction
-- of the vote that decided it (the task row is already locked): the task's
-- final state, its leases cancelled and its votes settled, one ledger
-- movement for every reward, slash, released bond and returned remainder
-- (p_keys/p_amounts/p_causes, built in C), the voters' new reputations —
-- refused with 40001 if any changed since they were read (p_alpha0 NULL:
-- the voter had none) — with a history row each, and the leaf record queued
-- for the log.
CREATE FUNCTION lc_finalize_apply(p_task bigint, p_project bigint,
    p_final_label int, p_confidence double precision, p_low boolean,
    p_finalized_at timestamptz, p_record text, p_keys text[],
    p_amounts bigint[], p_causes text[], p_voters bigint[],
    p_alpha0 double precision[], p_beta0 double precision[],
    p_alpha double precision[], p_beta double precision[])
RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	n_known	int;
	n_done	int;
BEGIN
	UPDATE tasks SET status = 'final', final_label = p_final_label,
	    confidence = p_confidence, low_confidence = p_low,
	    finalized_at = p_finalized_at, need = 0, n_leases = 0
	    WHERE id = p_task AND status = 'open';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'task % is no longer open', p_task
		    USING ERRCODE = '40001';
	END IF;
	UPDATE assignments SET status = CASE status WHEN 'active'
	    THEN 'cancelled' ELSE 'settled' END
	    WHERE task_id = p_task AND status IN ('active', 'voted');
	IF cardinality(p_keys) > 0 THEN
		PERFORM lc_ledger_move(p_project, p_task, p_keys, p_amounts,
		    p_causes);
	END IF;

	PERFORM 1 FROM reputations WHERE project_id = p_project
	    AND account_id = ANY (p_voters) ORDER BY account_id FOR UPDATE;
	UPDATE reputations r SET alpha = u.a, beta = u.b
	    FROM unnest(p_voters, p_alpha0, p_beta0, p_alpha, p_beta)
		AS u(v, a0, b0, a, b)
	    WHERE u.a0 IS NOT NULL AND r.account_id = u.v
	    AND r.project_id = p_project AND r.alpha = u.a0 AND r.beta = u.b0;
	GET DIAGNOSTICS n_done = ROW_COUNT;
	SELECT count(*) INTO n_known FROM unnest(p_alpha0) AS a0
	    WHERE a0 IS NOT NULL;
	IF n_done <> n_known THEN
		RAISE EXCEPTION 'a voter''s reputation changed since it was read'
		    USING ERRCODE = '40001';
	END IF;
	INSERT INTO reputations (account_id, project_id, alpha, beta)
	    SELECT u.v, p_project, u.a, u.b
	    FROM unnest(p_voters, p_alpha0, p_alpha, p_beta) AS u(v, a0, a, b)
	    WHERE u.a0 IS NULL
	    ON CONFLICT (account_id, project_id) DO NOTHING;
	GET DIAGNOSTICS n_done = ROW_COUNT;
	IF n_done <> cardinality(p_voters) - n_known THEN
		RAISE EXCEPTION 'a voter''s reputation appeared since it was read'
		    USING ERRCODE = '40001';
	END IF;
	INSERT INTO reputation_history (account_id, project_id, alpha, beta,
	    task_id)
	    SELECT u.v, p_project, u.a, u.b, p_task
	    FROM unnest(p_voters, p_alpha0, p_beta0, p_alpha, p_beta)
		AS u(v, a0, b0, a, b)
	    WHERE u.a0 IS DISTINCT FROM u.a OR u.b0 IS DISTINCT FROM u.b;
	INSERT INTO log_pending (task_id, project_id, record)
	    VALUES (p_task, p_project, p_record);
END $$;

-- Close a project whose row the caller holds and has set to 'closed':
-- its open tasks are cancelled (lock order 2, in id order), their leases
-- cancelled and votes settled, and one movement returns every pot to the
-- escrow, releases every bond of those votes, and refunds the escrow to
-- the owner.  Returns the amount refunded.
CREATE FUNCTION lc_project_close(p_project bigint, p_owner bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	ids	bigint[];
	keys	text[] := '{}';
	amts	bigint[] := '{}';
	causes	text[] := '{}';
	back	bigint;
	escrow	bigint;
BEGIN
	SELECT array_agg(id ORDER BY id) INTO ids FROM (SELECT id FROM tasks
	    WHERE project_id = p_project AND status = 'open' ORDER BY id
	    FOR UPDATE) t;
	ids := coalesce(ids, '{}');
	UPDATE tasks SET status = 'cancelled', need = 0, n_leases = 0
	    WHERE id = ANY (ids);
	UPDATE assignments SET status = CASE status WHEN 'active'
	    THEN 'cancelled' ELSE 'settled' END
	    WHERE task_id = ANY (ids) AND status IN ('active', 'voted');
	-- Pots of the cancelled tasks back to the escrow.
	SELECT coalesce(array_agg(l.key), '{}'),
	    coalesce(array_agg(-l.balance), '{}'),
	    coalesce(sum(l.balance), 0)
	    INTO keys, amts, back
	    FROM ledger_accounts l
	    WHERE l.key = ANY (ARRAY(SELECT 't/' || i || '/reward'
		FROM unnest(ids) AS i)) AND l.balance > 0;
	causes := array_fill('return'::text, ARRAY[cardinality(keys)]);
	-- Bonds of the votes on them back to the voters' stakes.
	SELECT keys || coalesce(array_agg(k ORDER BY k), '{}'),
	    amts || coalesce(array_agg(a ORDER BY k), '{}'),
	    causes || coalesce(array_agg('unbond'::text), '{}')
	    INTO keys, amts, causes
	    FROM (SELECT 'a/' || v.account_id || '/' || x.kind AS k,
		    sum(CASE x.kind WHEN 'bond' THEN -v.bond ELSE v.bond END)
		    AS a
		FROM votes v, (VALUES ('bond'), ('stake')) AS x(kind)
		WHERE v.task_id = ANY (ids) AND v.bond > 0
		GROUP BY 1) b;
	SELECT balance INTO escrow FROM ledger_accounts
	    WHERE key = 'p/' || p_project || '/escrow';
	escrow := coalesce(escrow, 0) + back;
	IF back > 0 THEN
		keys := keys || ('p/' || p_project || '/escrow');
		amts := amts || back;
		causes := causes || 'return'::text;
	END IF;
	IF escrow > 0 THEN
		keys := keys || ARRAY['p/' || p_project || '/escrow',
		    'a/' || p_owner || '/balance'];
		amts := amts || ARRAY[-escrow, escrow];
		causes := causes || ARRAY['refund', 'refund'];
	END IF;
	IF cardinality(keys) > 0 THEN
		PERFORM lc_ledger_move(p_project, NULL, keys, amts, causes);
	END IF;
	RETURN escrow;
END $$;

-- Existing data: counters of live leases, what each task needs, and
-- rewards reserved from each project's escrow for its open tasks.
UPDATE tasks t SET n_leases = (SELECT count(*) FROM assignments a
    WHERE a.task_id = t.id AND a.status = 'active');
UPDATE tasks t SET need = CASE WHEN t.status <> 'open' THEN 0
    ELSE least(greatest(p.min_votes - t.n_votes, 1), p.max_votes - t.n_votes)
    END FROM projects p WHERE p.id = t.project_id;
UPDATE assignments a SET status = 'settled' FROM tasks t
    WHERE t.id = a.task_id AND a.status = 'voted' AND t.status = 'final';
SELECT count(lc_reserve_rewards(id)) FROM (SELECT id FROM projects
    WHERE status <> 'closed' ORDER BY id) p;
