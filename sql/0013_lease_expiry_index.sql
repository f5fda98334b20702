-- 0013_lease_expiry_index.sql — the sweeper's index serves the sweeper
-- only.
--
-- 0012 took expires_at out of the WHERE of lc_claim's lease count and
-- held-lease answer, so that assignments_active (account_id, project_id)
-- WHERE status = 'active' serves them.  But assignments_expiry
-- (expires_at) WHERE status = 'active' still matched those queries as a
-- whole-index scan: its predicate is implied by status = 'active' alone.
-- Its statistics say it is tiny (few leases are live), and a generic
-- plan took it, filtering on account and project, on the cluster of a
-- bench/load run (EXPLAIN ANALYZE, plan_cache_mode =
-- force_generic_plan): a vote turns its lease 'voted' with a non-HOT
-- update, so until VACUUM the index still holds an entry for every lease
-- taken within the lease time, and the count walked them (1.7 ms after
-- 3,000 leases, against 0.03 ms by assignments_active).
--
-- The predicate now adds expires_at IS NOT NULL, always true (the column
-- is NOT NULL) and implied by any bound on expires_at, such as the
-- sweeper's expires_at <= now(), but not by a query that says nothing of
-- expires_at: the claim's queries cannot use this index any more.
DROP INDEX assignments_expiry;
CREATE INDEX assignments_expiry ON assignments (expires_at)
	WHERE status = 'active' AND expires_at IS NOT NULL;
