-- bench/load/pgbench_setup.sql — the tables of the pgbench yardstick
-- (claim_vote.sql), in their own schema `bench` so that they never touch
-- labelchain's tables.  run.sh runs this before every pgbench run, so each
-- run starts from 100,000 open tasks, as a fresh project does.
--
-- Row widths follow the market's tables (sql/0001_market.sql): task data of
-- about 100 bytes of JSON text plus its SHA-256 in hex, a 128-hex-digit
-- signature per vote, timestamps on leases and votes.  The indexes are the
-- market's on the rows this workload writes (the open-task index ordered
-- for "nearest to final first", the live-lease index, one vote per
-- assignment, votes by labeler).  There are no foreign keys: this is the
-- floor of what the SQL of one labeled item costs, not a second market.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

CREATE TABLE bench.tasks (
	id		bigint PRIMARY KEY,
	project_id	bigint NOT NULL,
	data		text NOT NULL,
	data_sha256	text NOT NULL,
	status		text NOT NULL DEFAULT 'open',
	n_leases	int NOT NULL DEFAULT 0,
	n_votes		int NOT NULL DEFAULT 0
);

CREATE TABLE bench.labelers (
	id		bigint PRIMARY KEY,
	n_votes		bigint NOT NULL DEFAULT 0
);

CREATE TABLE bench.assignments (
	id		bigserial PRIMARY KEY,
	task_id		bigint NOT NULL,
	labeler_id	bigint NOT NULL,
	status		text NOT NULL DEFAULT 'active',
	expires_at	timestamptz NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bench.votes (
	id		bigserial PRIMARY KEY,
	task_id		bigint NOT NULL,
	assignment_id	bigint NOT NULL UNIQUE,
	labeler_id	bigint NOT NULL,
	label		int NOT NULL,
	signature	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

INSERT INTO bench.tasks (id, project_id, data, data_sha256)
SELECT g, 1, d, encode(sha256(convert_to(d, 'UTF8')), 'hex')
FROM generate_series(1, 100000) AS g,
    LATERAL (SELECT '{"n":' || g || ',"text":"load item ' ||
	lpad(g::text, 8, '0') ||
	': the quick brown fox jumps over the lazy dog, twice"}' AS d) AS t;
-- One row per pgbench client (:client_id + 1); more than max_connections.
INSERT INTO bench.labelers (id) SELECT g FROM generate_series(1, 1024) AS g;

CREATE INDEX tasks_open ON bench.tasks (project_id, n_votes DESC, id)
	WHERE status = 'open';
CREATE INDEX assignments_active ON bench.assignments (task_id)
	WHERE status = 'active';
CREATE INDEX votes_labeler ON bench.votes (labeler_id);
VACUUM ANALYZE bench.tasks, bench.labelers, bench.assignments, bench.votes;
