-- 0017_claim_statements.sql — a claim in about five statements, not eleven.
--
-- Every statement a PL/pgSQL function runs pays for itself: the plan
-- cache is checked, an executor is started and shut down, a snapshot is
-- taken.  bench/load/profile.sh put those parts at a fifth of
-- PostgreSQL's CPU per labeled item, and 0012's lc_claim ran about eleven
-- statements a claim (1.4 candidates tried on average under bench/load):
-- the project, the labeler's stake, its reputation, the claim lock, its
-- leases, a cursor over the candidates, and per candidate a look for an
-- earlier lease and an attempt to take it, then the lease's insert and
-- the answer.  Now:
--
--  1. one read of the project, the labeler's stake and bond, and its
--     reputation in the project, which also takes the labeler's claim
--     lock (lock order 1; the statements after it read after the lock);
--  2. the labeler's live leases in the project (0012's statement);
--  3. per candidate of 0012's looks, one UPDATE that leases it unless the
--     labeler had it before or someone else holds it (the look for an
--     earlier lease is a NOT EXISTS of the UPDATE's, not a statement of
--     its own; FOR UPDATE SKIP LOCKED);
--  4. the lease's insert and the answer, one statement.
--
-- The looks themselves (their cursors over tasks_claimable, the waiting
-- pass of phases 3-4) are 0012's, unchanged, so their plans are the
-- ones bench/claim_scale/ measured.  (Tried: each look as one UPDATE over
-- its 64 candidates.  The planner then checked all 64 before taking the
-- first — 514 buffers a claim instead of ~90 — and for the fresh looks,
-- ordered by id, chose a merge join along tasks_pkey that read the whole
-- project: 134 ms a claim at 10^6 assignments.)  Same signature: CREATE
-- OR REPLACE.
CREATE OR REPLACE FUNCTION lc_claim(p_account bigint, p_project bigint,
    p_lease_s int, p_gold_draw double precision, p_max_leases int,
    p_bond_bp int, p_wait boolean, p_fresh_draw double precision, p_ban_min int,
    p_ban_z double precision, p_z double precision,
    p_margin double precision, p_evidence double precision)
RETURNS TABLE (code int, assignment_id bigint, task_id bigint, data text,
    expires_at timestamptz, labels text, instructions text,
    project_status text, min_stake bigint, stake bigint, bonded bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	CLAIM_SCAN	constant int := 64;
	pj_status	text;
	pj_min_stake	bigint;
	pj_stake_ref	bigint;
	pj_labels	text[];
	pj_instructions	text;
	pj_gold_rate	double precision;
	pj_newcomer	double precision;
	r_alpha		double precision;
	r_beta		double precision;
	r_right		int;
	r_wrong		int;
	lock_taken	text;
	free		bigint;
	bond		bigint;
	want_gold	boolean;
	answered	bigint;
	rate		double precision;
	chance		double precision;
	mean		double precision;
	n_gold		bigint;
	g_mean		double precision;
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
BEGIN
	-- 1.  No row: no such project.
	SELECT pj.status, pj.min_stake, pj.stake_ref, pj.labels,
	    pj.instructions, pj.gold_rate, pj.newcomer_gold_rate, r.alpha,
	    r.beta, r.gold_right, r.gold_wrong, b.free, b.bond, k.lock_taken
	    INTO pj_status, pj_min_stake, pj_stake_ref, pj_labels,
	    pj_instructions, pj_gold_rate, pj_newcomer, r_alpha, r_beta,
	    r_right, r_wrong, free, bond, lock_taken
	    FROM projects pj
	    LEFT JOIN reputations r ON r.account_id = p_account
		AND r.project_id = pj.id
	    CROSS JOIN LATERAL (SELECT
		coalesce(sum(l.balance) FILTER (WHERE l.kind = 'stake'), 0)
		    AS free,
		coalesce(sum(l.balance) FILTER (WHERE l.kind = 'bond'), 0)
		    AS bond
		FROM ledger_accounts l
		WHERE l.key IN ('a/' || p_account || '/stake',
		    'a/' || p_account || '/bond')) b
	    -- The labeler's claim lock: claims of one labeler queue, nobody
	    -- else's (lock order 1).
	    CROSS JOIN LATERAL (SELECT pg_advisory_xact_lock(1818386028,
		(p_account % 2147483647)::int)::text AS lock_taken) k
	    WHERE pj.id = p_project;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 2, NULL::bigint, NULL::bigint, NULL::text,
		    NULL::timestamptz, NULL::text, NULL::text, NULL::text,
		    NULL::bigint, NULL::bigint, NULL::bigint;
		RETURN;
	END IF;
	IF pj_status <> 'open' OR free + bond < pj_min_stake OR
	    free < least(free + bond, pj_stake_ref)::numeric * p_bond_bp / 10000
	THEN
		RETURN QUERY SELECT CASE WHEN pj_status <> 'open' THEN 3
		    WHEN free + bond < pj_min_stake THEN 4 ELSE 5 END,
		    NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz,
		    NULL::text, NULL::text, pj_status, pj_min_stake, free, bond;
		RETURN;
	END IF;
	IF r_alpha IS NOT NULL THEN
		chance := 1.0 / array_length(pj_labels, 1);
		mean := r_alpha / (r_alpha + r_beta);
		n_gold := r_right + r_wrong;
		g_mean := (1.0 + r_right) / (n_gold + 2.0);
		IF (p_ban_min > 0 AND n_gold >= p_ban_min AND
		    g_mean + p_ban_z * sqrt(g_mean * (1 - g_mean) /
			(n_gold + 3.0)) < chance + p_margin * (1 - chance)) OR
		    (p_margin > 0 AND r_alpha + r_beta >= p_evidence AND
			mean + p_z * sqrt(mean * (1 - mean) /
			(r_alpha + r_beta + 1)) <
			chance + p_margin * (1 - chance)) THEN
			RETURN QUERY SELECT 6, NULL::bigint, NULL::bigint,
			    NULL::text, NULL::timestamptz, NULL::text,
			    NULL::text, pj_status, pj_min_stake, free, bond;
			RETURN;
		END IF;
	END IF;

	-- 2.  The labeler's leases in the project through assignments_active
	-- only: the expiry is a filter on those few rows (0012).
	SELECT count(*) FILTER (WHERE a.expires_at > now()) INTO held
	    FROM assignments a
	    WHERE a.account_id = p_account AND a.project_id = p_project
	    AND a.status = 'active';
	IF held >= p_max_leases THEN
		RETURN QUERY WITH mine AS MATERIALIZED (
			SELECT a.id, a.task_id, a.expires_at FROM assignments a
			WHERE a.account_id = p_account
			AND a.project_id = p_project AND a.status = 'active')
		    SELECT 0, m.id, m.task_id, t.data, m.expires_at,
		    array_to_string(pj_labels, E'\n'), pj_instructions,
		    pj_status, pj_min_stake, free, bond
		    FROM mine m JOIN tasks t ON t.id = m.task_id
		    WHERE m.expires_at > now()
		    ORDER BY m.id LIMIT 1;
		RETURN;
	END IF;

	-- A newcomer (fewer than 3 gold answers in the project) draws gold
	-- at the project's newcomer rate when that is higher: its weight is
	-- earned on controls before it counts.
	answered := coalesce(r_right + r_wrong, 0);
	rate := CASE WHEN answered < 3
	    THEN greatest(pj_gold_rate, pj_newcomer)
	    ELSE pj_gold_rate END;
	want_gold := rate > 0 AND p_gold_draw < rate;

	-- 3.  The looks of 0012, each over its index range: phases 1-2 (one
	-- per kind) the bounded ones (started tasks nearest to final, then
	-- fresh ones from a random point and before it), phases 3-4, for a
	-- claim that may wait, everything.  A candidate the labeler had
	-- before is left out by the attempt to lease it, in the same
	-- statement — except in the last looks, which must tell it from a
	-- task someone else holds (that one is waited for below).
	<<rounds>>
	FOR r IN 1 .. 2 LOOP
	phase := 0;
	<<search>>
	FOREACH gold IN ARRAY ARRAY[want_gold, NOT want_gold, want_gold,
	    NOT want_gold] LOOP
		phase := phase + 1;
		EXIT WHEN phase > 2 AND NOT p_wait;
		FOREACH step IN ARRAY CASE WHEN phase <= 2 THEN ARRAY[1, 2, 3]
		    ELSE ARRAY[4] END LOOP
			IF step = 1 THEN
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes > 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need
				    ORDER BY t.n_votes DESC, t.id
				    LIMIT CLAIM_SCAN;
			ELSIF step = 2 THEN
				SELECT min(t.id), max(t.id) INTO lo, hi
				    FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes = 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need;
				start := lo + floor((hi - lo + 1) *
				    p_fresh_draw)::bigint;
				CONTINUE WHEN lo IS NULL;
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes = 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need AND t.id >= start
				    ORDER BY t.n_votes DESC, t.id
				    LIMIT CLAIM_SCAN;
			ELSIF step = 3 THEN
				CONTINUE WHEN lo IS NULL;
				OPEN cur FOR SELECT t.id FROM tasks t
				    WHERE t.project_id = p_project
				    AND t.is_gold = gold AND t.n_votes = 0
				    AND t.status = 'open' AND t.funded
				    AND t.n_leases < t.need AND t.id < start
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
				IF step = 4 THEN
					CONTINUE WHEN EXISTS (SELECT 1
					    FROM assignments a
					    WHERE a.task_id = cand
					    AND a.account_id = p_account);
				END IF;
				UPDATE tasks t SET n_leases = t.n_leases + 1
				    WHERE t.id = (SELECT x.id FROM tasks x
					WHERE x.id = cand AND x.status = 'open'
					AND x.funded AND x.n_leases < x.need
					AND NOT EXISTS (SELECT 1
					    FROM assignments a
					    WHERE a.task_id = cand
					    AND a.account_id = p_account)
					FOR UPDATE OF x SKIP LOCKED)
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
		    NULL::timestamptz, NULL::text, NULL::text, pj_status,
		    pj_min_stake, free, bond;
		RETURN;
	END IF;

	-- 4.  The lease and the answer.
	RETURN QUERY WITH a AS (INSERT INTO assignments AS a (project_id,
		task_id, account_id, expires_at)
		VALUES (p_project, got, p_account,
		    now() + make_interval(secs => p_lease_s))
		RETURNING a.id, a.expires_at)
	    SELECT 0, a.id, got, t.data, a.expires_at,
	    array_to_string(pj_labels, E'\n'), pj_instructions, pj_status,
	    pj_min_stake, free, bond FROM a, tasks t WHERE t.id = got;
END $$;
