-- bench/load/claim_vote.sql — one labeled item as pgbench sees it: the
-- claim transaction and the vote transaction of the market, two commits,
-- on the tables of pgbench_setup.sql.  Run by run.sh as
--	pgbench -n -M prepared -c 64 -j 2 -T S -f claim_vote.sql labelchain
-- pgbench's tps of this script is "claim + vote cycles per second".
--
-- What each statement stands for in the market (labeling/assignment.c,
-- labeling/vote.c; POST /v1/projects/{id}/assignments, then
-- POST /v1/assignments/{id}/vote):
--
--   \set labeler	the labeler: each pgbench client is one labeler, as each
--			loadgen thread is, so no two clients share a row
--   \set label	the label voted, one of K = 3
--   BEGIN		the claim's transaction
--   UPDATE ... SKIP LOCKED
--			the claim: pick the open task of the project nearest to
--			final (most votes first, the market's tasks_open order)
--			that still has a lease slot (n_leases < 3, the market's
--			"live leases < min_votes - votes"), lock it skipping
--			rows locked by other claimers, take a slot
--   INSERT assignments	the lease row, 300 s expiry (LABELCHAIN_LEASE default)
--   COMMIT		the claim is durable before it is answered
--   BEGIN		the vote's transaction (the signature is checked before
--			it, outside the database)
--   INSERT votes	the signed vote: task, assignment, voter, label and the
--			128-hex-digit Ed25519 signature
--   UPDATE tasks	the task's running count (the market also rewrites the
--			running log scores in the same row); the task becomes
--			final at its third vote (min_votes = 3)
--   UPDATE labelers	the voter's vote count: a second row written per vote
--			(in the market, the assignment set to 'voted')
--   COMMIT		the vote is durable before it is acknowledged
--
-- Not here (the market does more per item): authentication of the bearer
-- token, the project row (FOR SHARE), the lease check, the voter's stake
-- and reputation reads, the assignment status update, and on the final
-- vote the payout, reputation updates and the Merkle log append.
\set labeler :client_id + 1
\set label random(0, 2)
BEGIN;
UPDATE bench.tasks SET n_leases = n_leases + 1 WHERE id = (SELECT id FROM bench.tasks WHERE project_id = 1 AND status = 'open' AND n_leases < 3 ORDER BY n_votes DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id AS task_id \gset
INSERT INTO bench.assignments (task_id, labeler_id, expires_at) VALUES (:task_id, :labeler, now() + interval '300 seconds') RETURNING id AS assignment_id \gset
COMMIT;
BEGIN;
INSERT INTO bench.votes (task_id, assignment_id, labeler_id, label, signature) VALUES (:task_id, :assignment_id, :labeler, :label, repeat(md5(:assignment_id::text), 4));
UPDATE bench.tasks SET n_votes = n_votes + 1, status = CASE WHEN n_votes + 1 >= 3 THEN 'final' ELSE status END WHERE id = :task_id;
UPDATE bench.labelers SET n_votes = n_votes + 1 WHERE id = :labeler;
COMMIT;
