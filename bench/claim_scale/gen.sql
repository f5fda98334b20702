-- bench/claim_scale/gen.sql — one project of a live market, set-based,
-- sized by its assignments; run by run.sh with psql variables
--   :assignments  the assignments wanted (the table ends within ~2% of it)
--   :labelers     the labelers of the project (all staked, all qualified)
-- into a freshly migrated database.  Prints the project id and the first
-- labeler's account id (psql \gset variables project and first_labeler).
--
-- The market it stands for, per task i (deterministic, so every size has
-- the same mix):
--   gold          every 10th task (gold_label set)
--   final    45%  3-5 votes, assignments 'settled'
--   started  25%  1-2 votes ('voted', their bonds held), need 2 or 1
--   doubtful  5%  3-4 votes, open, need 1 (below the confidence target)
--   fresh    25%  no votes yet, need 3
--   plus an 'expired' assignment on 2% of the tasks and a 'skipped' one on
--   1%, and one live lease for each of the first half of the labelers
--   (n_leases counted on their tasks), so ~2.38 assignments per task.
-- The voters of task i are labelers (37 i + 131 j) mod L, j = 0, 1, ...:
-- distinct per task, spread over everyone, so each labeler's history in
-- the project grows with the project (~n / L assignments each).
--
-- Rows go through the schema's keys, checks and triggers (foreign keys,
-- the ledger's zero-sum check, the progress counters).  Not written: log
-- leaves of the final tasks and reputation history, which no claim reads.

\set ON_ERROR_STOP 1
SELECT (:assignments / 2.383)::bigint AS n_tasks \gset

INSERT INTO accounts (name, is_requester) VALUES ('claim-bench-requester', true)
	RETURNING id AS requester \gset
INSERT INTO accounts (name, public_key, is_labeler)
	SELECT 'claim-bench-' || g, lpad(to_hex(g), 64, '0'), true
	FROM generate_series(1, :labelers) g;
SELECT min(id) AS first_labeler FROM accounts WHERE is_labeler \gset

-- A project as POST /v1/projects makes it: 3 labels, min 3 / max 7 votes,
-- 1 credit minimum stake, which is also its stake_ref (the default).
INSERT INTO projects (owner_id, name, instructions, labels, reward_per_task,
    min_votes, max_votes, confidence, min_stake, gold_rate, stake_ref,
    newcomer_gold_rate)
VALUES (:requester, 'claim-bench', 'Pick the label.', '{cat,dog,bird}',
    10000, 3, 7, 0.95, 1000000, 0.1, 1000000, 0.5)
	RETURNING id AS project \gset

-- Tasks: the state of task i from i.
CREATE TEMP TABLE gen_tasks AS
SELECT i,
    CASE WHEN (i * 7) % 100 < 45 THEN 'final'
	WHEN (i * 7) % 100 < 70 THEN 'started'
	WHEN (i * 7) % 100 < 75 THEN 'doubtful'
	ELSE 'fresh' END AS kind,
    CASE WHEN (i * 7) % 100 < 45 THEN 3 + i % 3
	WHEN (i * 7) % 100 < 70 THEN 1 + i % 2
	WHEN (i * 7) % 100 < 75 THEN 3 + i % 2
	ELSE 0 END AS k
FROM generate_series(1, :n_tasks) i;

INSERT INTO tasks (project_id, external_id, data, data_sha256, gold_label,
    status, n_votes, final_label, confidence, finalized_at, need, funded)
SELECT :project, 'x' || g.i, d.data,
    encode(sha256(convert_to(d.data, 'UTF8')), 'hex'),
    CASE WHEN g.i % 10 = 0 THEN (g.i % 3)::int END,
    CASE WHEN g.kind = 'final' THEN 'final' ELSE 'open' END,
    g.k,
    CASE WHEN g.kind = 'final' THEN (g.i % 3)::int END,
    CASE WHEN g.kind = 'final' THEN 0.97 END,
    CASE WHEN g.kind = 'final' THEN now() - interval '1 hour' END,
    CASE WHEN g.kind = 'final' THEN 0
	ELSE least(greatest(3 - g.k, 1), 7 - g.k) END,
    true
FROM gen_tasks g,
    LATERAL (SELECT '{"text":"item ' || g.i || '"}' AS data) d
ORDER BY g.i;

-- Votes and the other assignments: (task, j) -> labeler.
CREATE TEMP TABLE gen_assign AS
SELECT t.id AS task_id, g.i, g.kind, j,
    :first_labeler + (37 * g.i + 131 * j) % :labelers AS account_id,
    CASE WHEN j < g.k THEN CASE WHEN g.kind = 'final' THEN 'settled'
	    ELSE 'voted' END
	WHEN j = g.k AND g.i % 50 = 1 THEN 'expired'
	ELSE 'skipped' END AS status
FROM gen_tasks g JOIN tasks t ON t.project_id = :project
    AND t.external_id = 'x' || g.i,
    LATERAL generate_series(0, g.k + 1) j
WHERE j < g.k OR (j = g.k AND g.i % 50 = 1) OR (j = g.k + 1 AND g.i % 100 = 2);

INSERT INTO assignments (project_id, task_id, account_id, status, expires_at,
    created_at)
SELECT :project, task_id, account_id, status,
    now() - interval '50 minutes', now() - interval '55 minutes'
FROM gen_assign ORDER BY task_id, j;

-- Live leases: one for each of the first half of the labelers, at most
-- one open task in ten, on open tasks with a free slot it has not seen:
-- labeler l takes the l-th such task from the end (expiring in a day, so
-- that the bench's snapshot stays live however long it runs).
CREATE TEMP TABLE gen_lease AS
WITH slots AS (
	SELECT t.id, row_number() OVER (ORDER BY t.id DESC) AS r
	FROM tasks t
	WHERE t.project_id = :project AND t.status = 'open'
	    AND t.n_leases < t.need
)
SELECT s.id AS task_id, :first_labeler + (s.r - 1) AS account_id
FROM slots s
WHERE s.r <= least(:labelers / 2, (SELECT count(*) / 10 FROM slots))
    AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = s.id
	AND a.account_id = :first_labeler + (s.r - 1));
INSERT INTO assignments (project_id, task_id, account_id, status, expires_at)
SELECT :project, task_id, account_id, 'active', now() + interval '1 day'
FROM gen_lease ORDER BY task_id;
UPDATE tasks t SET n_leases = 1 FROM gen_lease l WHERE t.id = l.task_id;

-- The votes behind the voted and settled assignments; bonds held on the
-- open tasks' votes (300 bp of a 10-credit stake weighted at stake_ref).
INSERT INTO votes (project_id, task_id, assignment_id, account_id, label,
    public_key, signature, weight, stake_w, bond, alpha, beta)
SELECT :project, a.task_id, a.id, a.account_id,
    (g.i + CASE WHEN g.j = 1 THEN 1 ELSE 0 END) % 3,
    lpad(to_hex(a.account_id - :first_labeler + 1), 64, '0'),
    repeat('ab', 64), 1.2, 1000000,
    CASE WHEN a.status = 'voted' THEN 30000 ELSE 0 END, 20, 5
FROM assignments a JOIN gen_assign g ON g.task_id = a.task_id
    AND g.account_id = a.account_id
WHERE a.project_id = :project AND a.status IN ('voted', 'settled')
ORDER BY a.id;

-- Qualified labelers: 20/5 belief, 4 gold answers right.
INSERT INTO reputations (account_id, project_id, alpha, beta, gold_right,
    gold_wrong)
SELECT id, :project, 20, 5, 4, 0 FROM accounts WHERE is_labeler;

-- Money: the labelers' ledger accounts and the project's, funded from the
-- mint in one movement that sums to zero; balances are its running sums.
CREATE TEMP TABLE gen_money AS
SELECT 'a/' || a.id || '/' || k.kind AS key, k.kind, a.id AS account_id,
    NULL::bigint AS project_id,
    CASE k.kind WHEN 'stake' THEN 10000000
	WHEN 'bond' THEN coalesce((SELECT sum(v.bond) FROM votes v
	    WHERE v.account_id = a.id AND v.project_id = :project), 0)
	ELSE 0 END::bigint AS amount
FROM accounts a, (VALUES ('balance'), ('stake'), ('bond'), ('slashed'),
    ('unstaking')) k(kind)
WHERE a.is_labeler OR (a.id = :requester AND k.kind = 'balance')
UNION ALL
SELECT 'p/' || :project || '/' || k.kind, k.kind, NULL, :project,
    CASE k.kind WHEN 'reserved' THEN 10000 * (SELECT count(*) FROM tasks
	WHERE project_id = :project AND status = 'open')
	ELSE 100000000 END
FROM (VALUES ('escrow'), ('reserved')) k(kind);
INSERT INTO ledger_accounts (key, kind, account_id, project_id, balance)
SELECT key, kind, account_id, project_id, amount FROM gen_money
ON CONFLICT (key) DO UPDATE SET balance = ledger_accounts.balance +
    EXCLUDED.balance;
UPDATE ledger_accounts SET balance = balance -
    (SELECT sum(amount) FROM gen_money) WHERE key = 'sys/mint';
INSERT INTO ledger_entries (movement_id, account_key, amount, cause,
    project_id)
SELECT m.mv, x.key, x.amount, x.cause,
    :project
FROM (SELECT nextval('ledger_movement_seq') AS mv) m,
    LATERAL (SELECT key, amount, CASE kind WHEN 'bond' THEN 'bond'
	    WHEN 'stake' THEN 'stake' ELSE 'fund' END AS cause
	FROM gen_money WHERE amount <> 0
	UNION ALL
	SELECT 'sys/mint', -sum(amount), 'credit' FROM gen_money) x;

-- The second project: the same number of tasks, just uploaded and funded
-- (no votes, no leases), the same labelers qualified in it — where every
-- claim takes the fresh-task path (lc_claim's steps 2-3).
INSERT INTO projects (owner_id, name, instructions, labels, reward_per_task,
    min_votes, max_votes, confidence, min_stake, gold_rate, stake_ref,
    newcomer_gold_rate)
VALUES (:requester, 'claim-bench-fresh', 'Pick the label.', '{cat,dog,bird}',
    10000, 3, 7, 0.95, 1000000, 0.1, 1000000, 0.5)
	RETURNING id AS project_fresh \gset
INSERT INTO tasks (project_id, external_id, data, data_sha256, gold_label,
    need, funded)
SELECT :project_fresh, 'x' || g.i, d.data,
    encode(sha256(convert_to(d.data, 'UTF8')), 'hex'),
    CASE WHEN g.i % 10 = 0 THEN (g.i % 3)::int END, 3, true
FROM generate_series(1, :n_tasks) g(i),
    LATERAL (SELECT '{"text":"item ' || g.i || '"}' AS data) d;
INSERT INTO reputations (account_id, project_id, alpha, beta, gold_right,
    gold_wrong)
SELECT id, :project_fresh, 20, 5, 4, 0 FROM accounts WHERE is_labeler;
WITH m AS (SELECT nextval('ledger_movement_seq') AS mv),
x AS (SELECT 'p/' || :project_fresh || '/' || k AS key, k AS kind,
	CASE k WHEN 'reserved' THEN 10000::bigint * :n_tasks ELSE 0 END::bigint AS amount
	FROM unnest('{escrow,reserved}'::text[]) k),
a AS (INSERT INTO ledger_accounts (key, kind, project_id, balance)
	SELECT key, kind, :project_fresh, amount FROM x),
mint AS (UPDATE ledger_accounts SET balance = balance - 10000::bigint * :n_tasks
	WHERE key = 'sys/mint')
INSERT INTO ledger_entries (movement_id, account_key, amount, cause,
    project_id)
SELECT m.mv, y.key, y.amount, y.cause, :project_fresh FROM m,
    (SELECT key, amount, 'fund' AS cause FROM x WHERE amount <> 0
     UNION ALL SELECT 'sys/mint', -10000::bigint * :n_tasks, 'credit') y;

SELECT lc_progress_settle(100000) AS progress_rows \gset
DROP TABLE gen_tasks, gen_assign, gen_lease, gen_money;
