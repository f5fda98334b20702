-- sql/0004_money_path.sql — the money path rebuilt: bonded stake, rewards
-- reserved per task, a project's own stake scale, claims that are a bounded
-- index scan, finalizations that lock no one's rows but their task's
-- (posted movements, settled in batches), and a log queue so that a
-- finalization never waits on the log head.
--
-- Division of labour.  labeling/ (C) decides: weights, posteriors, the final
-- label, every reward, slash and bond, the new reputations, the leaf record.
-- SQL only applies such a decision, atomically — a vote and a finalization
-- are one statement each (labeling/vote.c), claims and the rest the
-- functions below — and refuses it (SQLSTATE 40001, which labeling/
-- retries from a fresh read) when the rows it was computed from have
-- changed since: the transaction never waits on the network, and the C
-- code stays the one implementation of the rules.
--
-- Lock order.  Every path takes locks in this order and no other, so that
-- two transactions never wait on each other in a cycle:
--   0. the projects row — owner operations only (fund, upload, status);
--      votes and claims read the project without a lock
--   1. the labeler's claim lock (advisory, in lc_claim) — claims only
--   2. task rows — one per vote, claim, skip or finalization; a close or
--      a sweep takes several, in id order
--   3. the assignment rows of those tasks
--   4. ledger accounts, in key order (lc_ledger_move, lc_ledger_settle and
--      a vote's debit of its free stake, the only writers of balances)
--   5. reputations, in (account, project) order (labeling/settle.c)
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
	    'escrow', 'reserved', 'mint', 'fees'));
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
-- A project's rewards reserved for its funded open tasks.
INSERT INTO ledger_accounts (key, kind, project_id)
	SELECT 'p/' || id || '/reserved', 'reserved', id FROM projects
	ON CONFLICT (key) DO NOTHING;

-- Movements are written by one INSERT each (lc_ledger_move), so the check
-- that a movement sums to zero is one statement-level pass over the new
-- rows, instead of one sum per row at commit.
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
DROP FUNCTION ledger_check_movement();
-- Only the trigger above read entries by movement; every insert paid for
-- this index.
DROP INDEX ledger_entries_movement;
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

-- One movement: entries (key, amount, cause) that sum to zero.  The
-- accounts are updated one by one in key order (each an index probe, so
-- the plan never depends on how many there are or on the statistics),
-- none but the mint may go below zero counting what is queued for it
-- (LC001), then the entries are written with one statement.  Zero amounts
-- are dropped.  Returns the movement id.
CREATE FUNCTION lc_ledger_move(p_project bigint, p_task bigint,
    p_keys text[], p_amounts bigint[], p_causes text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	ks	text[];
	ams	bigint[];
	mv	bigint;
	i	int;
BEGIN
	IF cardinality(p_keys) <> cardinality(p_amounts) OR
	    cardinality(p_keys) <> cardinality(p_causes) THEN
		RAISE EXCEPTION 'lc_ledger_move: arrays differ in length';
	END IF;
	SELECT array_agg(k ORDER BY k), array_agg(a ORDER BY k) INTO ks, ams
	    FROM (SELECT k, sum(a) AS a FROM unnest(p_keys, p_amounts)
		AS u(k, a) GROUP BY k HAVING sum(a) <> 0) s;
	FOR i IN 1 .. coalesce(cardinality(ks), 0) LOOP
		UPDATE ledger_accounts SET balance = balance + ams[i]
		    WHERE key = ks[i]
		    AND (kind = 'mint' OR balance + ams[i] >= 0);
		CONTINUE WHEN FOUND;
		-- Not enough applied: apply what is queued for the account
		-- (credits of finalizations, say) and look again, so that a
		-- debit sees the balance GET /v1/me shows.
		WITH d AS (DELETE FROM ledger_pending WHERE account_key = ks[i]
		    RETURNING amount)
		UPDATE ledger_accounts SET balance = balance +
		    (SELECT coalesce(sum(amount), 0) FROM d)
		    WHERE key = ks[i];
		IF NOT FOUND THEN
			RAISE EXCEPTION 'ledger movement names a missing account %',
			    ks[i];
		END IF;
		UPDATE ledger_accounts SET balance = balance + ams[i]
		    WHERE key = ks[i]
		    AND (kind = 'mint' OR balance + ams[i] >= 0);
		IF NOT FOUND THEN
			RAISE EXCEPTION 'ledger account % would go below zero',
			    ks[i] USING ERRCODE = 'LC001';
		END IF;
	END LOOP;
	mv := nextval('ledger_movement_seq');
	INSERT INTO ledger_entries (movement_id, account_key, amount, cause,
	    project_id, task_id)
	    SELECT mv, u.k, u.a, u.c, p_project, p_task
	    FROM unnest(p_keys, p_amounts, p_causes) AS u(k, a, c)
	    WHERE u.a <> 0;
	RETURN mv;
END $$;

-- Posted movements.  A movement whose every debit was reserved for it —
-- a finalization's, out of its task's reserved reward and its votes'
-- bonds — cannot overdraw, so it needs no lock on the accounts it touches: its entries
-- are written at once (the truth, summing to zero like any movement) and
-- the balance changes queue here, one row per account, for
-- lc_ledger_settle() to apply in batches.  A balance is then
-- ledger_accounts.balance plus the account's queued rows (lc_balance()),
-- equal at every commit to the sum of the account's entries.
CREATE TABLE ledger_pending (
	seq		bigserial PRIMARY KEY,
	account_key	text NOT NULL,	-- an entry's, which has the key
	amount		bigint NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_pending_account ON ledger_pending (account_key);

CREATE FUNCTION lc_ledger_post(p_project bigint, p_task bigint,
    p_keys text[], p_amounts bigint[], p_causes text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	mv	bigint;
BEGIN
	mv := nextval('ledger_movement_seq');
	INSERT INTO ledger_entries (movement_id, account_key, amount, cause,
	    project_id, task_id)
	    SELECT mv, u.k, u.a, u.c, p_project, p_task
	    FROM unnest(p_keys, p_amounts, p_causes) AS u(k, a, c)
	    WHERE u.a <> 0;
	INSERT INTO ledger_pending (account_key, amount)
	    SELECT k, sum(a) FROM unnest(p_keys, p_amounts) AS u(k, a)
	    GROUP BY k HAVING sum(a) <> 0 ORDER BY k;
	RETURN mv;
END $$;

-- Apply queued balance changes: of the accounts named by the oldest
-- p_limit queued rows, those no other transaction holds now are locked in
-- key order (SKIP LOCKED: a vote never waits for a settler, and what is
-- skipped is taken next time), and all their queued rows are applied.
-- One statement, one executor pass.  Returns the rows applied.
CREATE FUNCTION lc_ledger_settle(p_limit int) RETURNS int
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	n	int;
BEGIN
	WITH q AS (SELECT DISTINCT account_key AS k FROM (SELECT account_key
		FROM ledger_pending ORDER BY seq LIMIT p_limit) x ORDER BY 1),
	l AS (SELECT q.k FROM q, LATERAL (SELECT 1 FROM ledger_accounts a
		WHERE a.key = q.k FOR NO KEY UPDATE SKIP LOCKED) y),
	d AS (DELETE FROM ledger_pending p USING l WHERE p.account_key = l.k
		RETURNING p.account_key, p.amount),
	s AS (SELECT account_key, sum(amount) AS a, count(*) AS n FROM d
		GROUP BY 1),
	u AS (UPDATE ledger_accounts a SET balance = a.balance + s.a FROM s
		WHERE a.key = s.account_key AND s.a <> 0)
	SELECT coalesce(sum(s.n), 0)::int INTO n FROM s;
	RETURN n;
END $$;

-- The balance of an account, queued changes included.  (PL/pgSQL, not
-- SQL: a SQL function with sub-selects is parsed and planned at every
-- call; these statements are planned once per connection.)
CREATE FUNCTION lc_balance(p_key text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	b	bigint;
	q	bigint;
BEGIN
	SELECT balance INTO b FROM ledger_accounts WHERE key = p_key;
	SELECT sum(amount) INTO q FROM ledger_pending
	    WHERE account_key = p_key;
	RETURN b + coalesce(q, 0);
END $$;

-- Evidence about labelers from finalizations, waiting to be folded into
-- reputations (labeling/settle.c applies it in order, with the evidence
-- cap of reputation/update.h, and writes reputation_history).
CREATE TABLE reputation_pending (
	seq		bigserial PRIMARY KEY,
	account_id	bigint NOT NULL,	-- a voter of task_id
	project_id	bigint NOT NULL,
	task_id		bigint NOT NULL,
	d_alpha		double precision NOT NULL CHECK (d_alpha >= 0),
	d_beta		double precision NOT NULL CHECK (d_beta >= 0),
	created_at	timestamptz NOT NULL DEFAULT now()
);

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
-- n_leases < need.  funded: its reward is reserved, in the project's
-- 'p/<id>/reserved', until the task is final (or the project closed).
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
-- The claimable tasks of a project, by kind (gold or not), nearest to
-- finalization first: a claim of either kind is an ordered range scan.
ALTER TABLE tasks ADD COLUMN is_gold boolean
	GENERATED ALWAYS AS (gold_label IS NOT NULL) STORED;
CREATE INDEX tasks_claimable ON tasks (project_id, is_gold, n_votes DESC, id)
	WHERE status = 'open' AND funded AND n_leases < need;
CREATE INDEX tasks_project_status ON tasks (project_id, status);

-- Assignments: 'voted' holds a bond until the task is final, then
-- 'settled'; a lease past its expiry becomes 'expired' (lc_sweep_leases).
ALTER TABLE assignments DROP CONSTRAINT assignments_status_check;
ALTER TABLE assignments ADD CONSTRAINT assignments_status_check
	CHECK (status IN ('active', 'voted', 'settled', 'skipped', 'expired',
	    'cancelled'));
DROP INDEX assignments_active;
-- A labeler's live leases in a project (the claim's limit), and its votes
-- that hold bonds (GET /v1/me): each index holds only rows of its status.
CREATE INDEX assignments_active ON assignments (account_id, project_id)
	WHERE status = 'active';
CREATE INDEX assignments_voted ON assignments (account_id)
	WHERE status = 'voted';
CREATE INDEX assignments_expiry ON assignments (expires_at)
	WHERE status = 'active';

-- Foreign keys on the hot inserts that another key already implies: a
-- vote's project, task and voter are its assignment's, an assignment's
-- project is its task's.  Each such check takes a KEY SHARE lock, and on
-- the one row of a busy project every concurrent claim and vote had to
-- build a new multixact for it.  The keys that remain (votes ->
-- assignments, assignments -> tasks and accounts) keep every row anchored.
ALTER TABLE votes DROP CONSTRAINT votes_project_id_fkey,
	DROP CONSTRAINT votes_task_id_fkey,
	DROP CONSTRAINT votes_account_id_fkey;
ALTER TABLE assignments DROP CONSTRAINT assignments_project_id_fkey;

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
	project_id	bigint NOT NULL,	-- the task's
	record		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Reserve rewards for unfunded open tasks, oldest first, as far as the
-- escrow covers them: one movement escrow -> reserved, and the tasks
-- flagged funded.  The caller holds the project row (lock order 0).
-- Returns the number of tasks funded.
CREATE FUNCTION lc_reserve_rewards(p_project bigint) RETURNS int
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	reward	bigint;
	avail	bigint;
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
	WITH f AS (SELECT id FROM tasks WHERE project_id = p_project
	    AND status = 'open' AND NOT funded ORDER BY id
	    LIMIT avail / reward FOR UPDATE)
	UPDATE tasks t SET funded = true FROM f WHERE t.id = f.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM lc_ledger_move(p_project, NULL,
		    ARRAY['p/' || p_project || '/escrow',
			'p/' || p_project || '/reserved'],
		    ARRAY[-reward * n, reward * n], ARRAY['reserve', 'reserve']);
	END IF;
	RETURN n;
END $$;

-- A claim.  code: 0 leased (a new lease, or the oldest one held when the
-- labeler is at p_max_leases), 1 no task this labeler may take, 2 no such
-- project, 3 the project is not open, 4 total stake below min_stake, 5 the
-- free stake cannot back one more vote (p_bond_bp of the stake it would be
-- weighted with).
--
-- The search, for the drawn kind (gold or not) and then the other: tasks
-- already started, nearest to finalization first, then fresh tasks from a
-- random point (p_fresh_draw) onwards and around; each phase looks at
-- CLAIM_SCAN candidates at most, passing over tasks this labeler has seen
-- and skipping tasks another transaction holds.  So a claim costs O(log n)
-- however many tasks the project has and however many this labeler has
-- voted on or skipped.  Only when that finds nothing does the claim look at
-- every claimable task, wait for the skipped ones (p_wait; their holders
-- commit in a moment) and sweep expired leases, so that 1 is never said
-- while a task could be taken.  A claim inside a vote passes p_wait =
-- false and never waits.
CREATE FUNCTION lc_claim(p_account bigint, p_project bigint, p_lease_s int,
    p_gold_draw double precision, p_max_leases int, p_bond_bp int,
    p_wait boolean, p_fresh_draw double precision DEFAULT 0.5)
RETURNS TABLE (code int, assignment_id bigint, task_id bigint, data text,
    expires_at timestamptz, labels text, instructions text,
    project_status text, min_stake bigint, stake bigint, bonded bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	CLAIM_SCAN	constant int := 64;
	p		projects%ROWTYPE;
	free		bigint;
	bond		bigint;
	want_gold	boolean;
	held		int;
	gold		boolean;
	phase		int;
	step		int;
	lo		bigint;
	hi		bigint;
	start		bigint;
	cur		refcursor;
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
	SELECT coalesce(sum(l.balance) FILTER (WHERE l.kind = 'stake'), 0),
	    coalesce(sum(l.balance) FILTER (WHERE l.kind = 'bond'), 0)
	    INTO free, bond FROM ledger_accounts l
	    WHERE l.key IN ('a/' || p_account || '/stake',
		'a/' || p_account || '/bond');
	IF p.status <> 'open' OR free + bond < p.min_stake OR
	    free < least(free + bond, p.stake_ref)::numeric * p_bond_bp / 10000
	THEN
		RETURN QUERY SELECT CASE WHEN p.status <> 'open' THEN 3
		    WHEN free + bond < p.min_stake THEN 4 ELSE 5 END,
		    NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz,
		    NULL::text, NULL::text, p.status, p.min_stake, free, bond;
		RETURN;
	END IF;

	-- The labeler's claim lock: claims of one labeler queue, nobody
	-- else's (lock order 1).
	PERFORM pg_advisory_xact_lock(1818386028,
	    (p_account % 2147483647)::int);
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
	<<rounds>>
	FOR r IN 1 .. 2 LOOP
	phase := 0;
	<<search>>
	FOREACH gold IN ARRAY ARRAY[want_gold, NOT want_gold, want_gold,
	    NOT want_gold] LOOP
		phase := phase + 1;
		-- Phases 1-2 (one per kind): bounded looks; 3-4: everything,
		-- for a claim that may wait.
		EXIT WHEN phase > 2 AND NOT p_wait;
		FOREACH step IN ARRAY CASE WHEN phase <= 2 THEN ARRAY[1, 2, 3]
		    ELSE ARRAY[4] END LOOP
			IF step = 1 THEN
				-- started tasks, nearest to finalization first
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes > 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need
				    ORDER BY t.n_votes DESC, t.id
				    LIMIT CLAIM_SCAN;
			ELSIF step IN (2, 3) THEN
				-- fresh tasks from a random point, then around
				IF step = 2 THEN
					SELECT min(t.id), max(t.id) INTO lo, hi
					    FROM tasks t
					    WHERE t.project_id = p_project
					    AND t.is_gold = gold AND t.n_votes = 0
					    AND t.status = 'open' AND t.funded
					    AND t.n_leases < t.need;
					start := lo + floor((hi - lo + 1) *
					    p_fresh_draw)::bigint;
				END IF;
				CONTINUE WHEN lo IS NULL;
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes = 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need
				    AND (step = 2 AND t.id >= start OR
					step = 3 AND t.id < start)
				    ORDER BY t.n_votes DESC, t.id
				    LIMIT CLAIM_SCAN;
			ELSE
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need
				    ORDER BY t.n_votes DESC, t.id;
			END IF;
			LOOP
				FETCH cur INTO cand;
				EXIT WHEN NOT FOUND;
				CONTINUE WHEN EXISTS (SELECT 1 FROM assignments a
				    WHERE a.task_id = cand
				    AND a.account_id = p_account);
				UPDATE tasks t SET n_leases = t.n_leases + 1
				    WHERE t.id = (SELECT x.id FROM tasks x
					WHERE x.id = cand AND x.status = 'open'
					AND x.funded AND x.n_leases < x.need
					FOR UPDATE SKIP LOCKED)
				    RETURNING t.id INTO got;
				IF got IS NOT NULL THEN
					CLOSE cur;
					EXIT search;
				END IF;
				IF step = 4 THEN
					skipped := skipped || cand;
				END IF;
			END LOOP;
			CLOSE cur;
		END LOOP;
	END LOOP;
	EXIT rounds WHEN got IS NOT NULL OR NOT p_wait;
	-- Nothing free in a full search: wait for the tasks held by others
	-- (their holders commit in a moment), then sweep expired leases and
	-- search once more, so that "no task" is never said while one could
	-- be taken.
	FOREACH cand IN ARRAY skipped LOOP
		UPDATE tasks t SET n_leases = t.n_leases + 1
		    WHERE t.id = (SELECT x.id FROM tasks x
			WHERE x.id = cand AND x.status = 'open'
			AND x.funded AND x.n_leases < x.need
			FOR UPDATE)
		    RETURNING t.id INTO got;
		EXIT rounds WHEN got IS NOT NULL;
	END LOOP;
	skipped := '{}';
	EXIT rounds WHEN lc_sweep_leases(p_project, 1000) = 0;
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

-- Refuse a statement's work: raise `msg` with SQLSTATE `state` unless `ok`.
-- The vote's and the finalization's statements (labeling/vote.c) are one
-- SQL statement each, their steps chained by RETURNING; their last step
-- calls this to turn a step that did nothing into an error, so that the
-- transaction rolls back instead of committing half of the work.
CREATE FUNCTION lc_require(ok boolean, state text, msg text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT ok THEN
		RAISE EXCEPTION '%', msg USING ERRCODE = state;
	END IF;
END $$;

-- Why a lease could not take a vote: LC003 when it has expired, LC002
-- otherwise (voted, skipped, cancelled).
CREATE FUNCTION lc_lease_refused(p_assignment bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	st	text;
	live	boolean;
BEGIN
	SELECT status, expires_at > now() INTO st, live
	    FROM assignments WHERE id = p_assignment;
	IF st = 'expired' OR st = 'active' AND NOT live THEN
		RAISE EXCEPTION 'the lease of assignment % has expired',
		    p_assignment USING ERRCODE = 'LC003';
	END IF;
	RAISE EXCEPTION 'assignment % is %', p_assignment, st
	    USING ERRCODE = 'LC002';
END $$;

-- Close a project whose row the caller holds and has set to 'closed':
-- its open tasks are cancelled (lock order 2, in id order), their leases
-- cancelled and votes settled, and one posted movement returns the
-- rewards reserved for them to the escrow, releases every bond of those
-- votes, and refunds the escrow to the owner.  Returns the amount
-- refunded.
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
	-- What was reserved for the open funded tasks goes back.
	SELECT coalesce(count(*) * max(p.reward_per_task), 0) INTO back
	    FROM tasks t JOIN unnest(ids) AS i ON t.id = i, projects p
	    WHERE p.id = p_project AND t.funded;
	UPDATE tasks t SET status = 'cancelled', need = 0, n_leases = 0
	    FROM unnest(ids) AS i WHERE t.id = i;
	UPDATE assignments a SET status = CASE a.status WHEN 'active'
	    THEN 'cancelled' ELSE 'settled' END
	    FROM unnest(ids) AS i
	    WHERE a.task_id = i AND a.status IN ('active', 'voted');
	IF back > 0 THEN
		keys := ARRAY['p/' || p_project || '/reserved',
		    'p/' || p_project || '/escrow'];
		amts := ARRAY[-back, back];
		causes := ARRAY['return', 'return'];
	END IF;
	-- Bonds of the votes on them back to the voters' stakes.
	SELECT keys || coalesce(array_agg(k ORDER BY k), '{}'),
	    amts || coalesce(array_agg(a ORDER BY k), '{}'),
	    causes || coalesce(array_agg('unbond'::text), '{}')
	    INTO keys, amts, causes
	    FROM (SELECT 'a/' || v.account_id || '/' || x.kind AS k,
		    sum(CASE x.kind WHEN 'bond' THEN -v.bond ELSE v.bond END)
		    AS a
		FROM votes v JOIN unnest(ids) AS i ON v.task_id = i,
		    (VALUES ('bond'), ('stake')) AS x(kind)
		WHERE v.bond > 0
		GROUP BY 1) b;
	-- The escrow as it will be once what is queued is applied (returns
	-- of finalizations), plus what comes back now.
	escrow := lc_balance('p/' || p_project || '/escrow') + back;
	IF escrow > 0 THEN
		keys := keys || ARRAY['p/' || p_project || '/escrow',
		    'a/' || p_owner || '/balance'];
		amts := amts || ARRAY[-escrow, escrow];
		causes := causes || ARRAY['refund', 'refund'];
	END IF;
	-- Posted: every debit is covered by what was reserved (the rewards
	-- of the cancelled tasks, the bonds of their votes, whose credits may
	-- still be queued) or by the escrow's own queued credits, and the
	-- settler applies all queued changes of an account together.
	IF cardinality(keys) > 0 THEN
		PERFORM lc_ledger_post(p_project, NULL, keys, amts, causes);
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
