-- 0012_claim_plans.sql — every statement of a claim reads an index range
-- that does not grow with the project, in the generic plans too.
--
-- lc_claim's statements are planned once per connection and, from the
-- sixth call on, PostgreSQL may keep a generic plan (one made without the
-- parameters' values) for each; labelchaind's connections are pooled, so
-- those are the plans claims run with.  bench/claim_scale/ captured them
-- (auto_explain, log_nested_statements) on projects of 10^4 to 10^6
-- assignments and found two statements of 0011's lc_claim whose generic
-- plan reads rows in proportion to the market, not to the claim:
--
--  - the count of the labeler's live leases: with expires_at > now() in
--    its WHERE, the generic plan may take assignments_expiry (every live
--    lease of every project; its estimate of the expiry test is made over
--    the whole table, where almost no row is live) and filter on account
--    and project — measured: every live lease in the table read per claim.
--    Now the WHERE holds only what assignments_active (account_id,
--    project_id) WHERE status = 'active' serves, and the expiry filters
--    those few rows; the same for the held-lease answer (a MATERIALIZED
--    CTE, so the planner cannot push the expiry test back down).
--  - the fresh-task look (steps 2 and 3): one statement served both
--    steps with (step = 2 AND id >= start OR step = 3 AND id < start);
--    in a generic plan step is unknown, so the id bound is a filter, not
--    an index condition, and the scan reads the fresh tasks below the
--    random start point before the first one it may take — half of a
--    project's fresh tasks on average.  Now each step is its own
--    statement with its own id range.
--
-- The rest of lc_claim is 0011's.  Same signature: CREATE OR REPLACE.
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
	p		projects%ROWTYPE;
	free		bigint;
	bond		bigint;
	want_gold	boolean;
	answered	bigint;
	rate		double precision;
	rep		reputations%ROWTYPE;
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

	SELECT * INTO rep FROM reputations r
	    WHERE r.account_id = p_account AND r.project_id = p_project;
	IF FOUND THEN
		chance := 1.0 / array_length(p.labels, 1);
		mean := rep.alpha / (rep.alpha + rep.beta);
		n_gold := rep.gold_right + rep.gold_wrong;
		g_mean := (1.0 + rep.gold_right) / (n_gold + 2.0);
		IF (p_ban_min > 0 AND n_gold >= p_ban_min AND
		    g_mean + p_ban_z * sqrt(g_mean * (1 - g_mean) /
			(n_gold + 3.0)) < chance + p_margin * (1 - chance)) OR
		    (p_margin > 0 AND rep.alpha + rep.beta >= p_evidence AND
			mean + p_z * sqrt(mean * (1 - mean) /
			(rep.alpha + rep.beta + 1)) <
			chance + p_margin * (1 - chance)) THEN
			RETURN QUERY SELECT 6, NULL::bigint, NULL::bigint,
			    NULL::text, NULL::timestamptz, NULL::text,
			    NULL::text, p.status, p.min_stake, free, bond;
			RETURN;
		END IF;
	END IF;

	-- The labeler's claim lock: claims of one labeler queue, nobody
	-- else's (lock order 1).
	PERFORM pg_advisory_xact_lock(1818386028,
	    (p_account % 2147483647)::int);
	-- The labeler's leases in the project through assignments_active
	-- only: the expiry is a filter on those few rows, not a condition
	-- that assignments_expiry could serve (see the top of this file).
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
		    array_to_string(p.labels, E'\n'), p.instructions, p.status,
		    p.min_stake, free, bond
		    FROM mine m JOIN tasks t ON t.id = m.task_id
		    WHERE m.expires_at > now()
		    ORDER BY m.id LIMIT 1;
		RETURN;
	END IF;

	-- A newcomer (fewer than 3 gold answers in the project) draws gold
	-- at the project's newcomer rate when that is higher: its weight is
	-- earned on controls before it counts.
	answered := coalesce(rep.gold_right + rep.gold_wrong, 0);
	rate := CASE WHEN answered < 3
	    THEN greatest(p.gold_rate, p.newcomer_gold_rate)
	    ELSE p.gold_rate END;
	want_gold := rate > 0 AND p_gold_draw < rate;
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
			ELSIF step = 2 THEN
				-- fresh tasks from a random point, then around:
				-- two statements, each one range of the index
				-- (see the top of this file)
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
