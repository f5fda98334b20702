-- 0018_claim_after_vote.sql — the claim of a vote's "next": true, in its own
-- transaction.
--
-- That claim ran inside the vote's transaction (labeling/vote.c), so the
-- vote's task row — a started task, the kind every other claim tries first
-- and skips while it is locked — and the voter's stake row stayed locked
-- through the claim's search, and a claim that failed rolled the vote
-- back.  Now it is pipelined behind the vote's transaction, after its
-- COMMIT and a sync point, in the request's same round trip: it runs in a
-- transaction of its own once the vote's locks are gone, and claims only
-- when the vote is stored.  A vote that failed inside its transaction
-- leaves that transaction aborted at the sync, and this statement fails
-- with it; one whose COMMIT failed leaves no vote row.  Either way: no
-- rows, no lease.
CREATE FUNCTION lc_claim_after_vote(p_assignment bigint, p_account bigint,
    p_project bigint, p_lease_s int, p_gold_draw double precision,
    p_max_leases int, p_bond_bp int, p_wait boolean,
    p_fresh_draw double precision, p_ban_min int, p_ban_z double precision,
    p_z double precision, p_margin double precision,
    p_evidence double precision)
RETURNS TABLE (code int, assignment_id bigint, task_id bigint, data text,
    expires_at timestamptz, labels text, instructions text,
    project_status text, min_stake bigint, stake bigint, bonded bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF NOT EXISTS (SELECT 1 FROM votes v
	    WHERE v.assignment_id = p_assignment
	    AND v.account_id = p_account) THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM lc_claim(p_account, p_project, p_lease_s,
	    p_gold_draw, p_max_leases, p_bond_bp, p_wait, p_fresh_draw,
	    p_ban_min, p_ban_z, p_z, p_margin, p_evidence);
END $$;
