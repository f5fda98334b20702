-- 0001_market.sql — accounts, sessions, the double-entry ledger, projects,
-- tasks, assignments, votes, reputations and the label log (log_leaves,
-- merkle_nodes) that the anchor part reads.
--
-- Money is bigint micro-credits.  Every movement of the ledger is one
-- movement_id with entries summing to zero (checked by a deferred trigger at
-- commit); ledger_accounts.balance is the running sum of its entries and
-- never negative, except the one 'mint' account, the counterpart of outside
-- deposits recorded by `labelctl credit`.

CREATE TABLE accounts (
	id		bigserial PRIMARY KEY,
	name		text UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
	public_key	text UNIQUE CHECK (public_key ~ '^[0-9a-f]{64}$'),
	is_labeler	boolean NOT NULL DEFAULT false,
	is_requester	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens (sessions and operator-issued API tokens), stored as the
-- SHA-256 of the token: a database leak does not leak usable tokens.
CREATE TABLE auth_tokens (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	account_id	bigint NOT NULL REFERENCES accounts(id),
	kind		text NOT NULL CHECK (kind IN ('session', 'api')),
	expires_at	timestamptz,		-- NULL: API token, no expiry
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_tokens_account ON auth_tokens(account_id);

-- Sign-in challenges: single use (deleted when used), expiring.
CREATE TABLE auth_challenges (
	challenge	text PRIMARY KEY,
	public_key	text NOT NULL,
	expires_at	timestamptz NOT NULL
);
CREATE INDEX auth_challenges_expiry ON auth_challenges(expires_at);

CREATE TABLE projects (
	id		bigserial PRIMARY KEY,
	owner_id	bigint NOT NULL REFERENCES accounts(id),
	name		text NOT NULL,
	instructions	text NOT NULL DEFAULT '',
	labels		text[] NOT NULL,
	reward_per_task	bigint NOT NULL CHECK (reward_per_task >= 0),
	min_votes	int NOT NULL,
	max_votes	int NOT NULL,
	confidence	double precision NOT NULL,
	min_stake	bigint NOT NULL CHECK (min_stake >= 0),
	gold_rate	double precision NOT NULL,
	status		text NOT NULL DEFAULT 'open'
			    CHECK (status IN ('open', 'paused', 'closed')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (1 <= min_votes AND min_votes <= max_votes AND max_votes <= 50),
	CHECK (confidence > 0.5 AND confidence < 1),
	CHECK (gold_rate >= 0 AND gold_rate <= 1)
);
CREATE INDEX projects_owner ON projects(owner_id);

-- Ledger accounts are named by a key: 'a/<account>/balance',
-- 'a/<account>/stake', 'a/<account>/unstaking', 'p/<project>/escrow',
-- 'sys/mint', 'sys/slashed', 'sys/fees'.
CREATE TABLE ledger_accounts (
	key		text PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('balance', 'stake',
			    'unstaking', 'escrow', 'mint', 'slashed', 'fees')),
	account_id	bigint REFERENCES accounts(id),
	project_id	bigint REFERENCES projects(id),
	balance		bigint NOT NULL DEFAULT 0,
	CHECK (kind = 'mint' OR balance >= 0)
);
INSERT INTO ledger_accounts(key, kind) VALUES
	('sys/mint', 'mint'), ('sys/slashed', 'slashed'), ('sys/fees', 'fees');

CREATE SEQUENCE ledger_movement_seq;
CREATE TABLE ledger_entries (
	id		bigserial PRIMARY KEY,
	movement_id	bigint NOT NULL,
	account_key	text NOT NULL REFERENCES ledger_accounts(key),
	amount		bigint NOT NULL CHECK (amount <> 0),
	cause		text NOT NULL CHECK (cause IN ('credit', 'fund',
			    'reward', 'slash', 'stake', 'unstake', 'release',
			    'refund')),
	project_id	bigint,
	task_id		bigint,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_movement ON ledger_entries(movement_id);
CREATE INDEX ledger_entries_account ON ledger_entries(account_key, id);

-- Every movement sums to zero, checked once per row at commit.
CREATE FUNCTION ledger_check_movement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT sum(amount) FROM ledger_entries
	    WHERE movement_id = NEW.movement_id) <> 0 THEN
		RAISE EXCEPTION 'ledger movement % does not sum to zero',
		    NEW.movement_id USING ERRCODE = '23514';
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced
	AFTER INSERT ON ledger_entries DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION ledger_check_movement();

-- Stake on its way out: released to the balance after the cooldown.
CREATE TABLE unstake_requests (
	id		bigserial PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES accounts(id),
	amount		bigint NOT NULL CHECK (amount > 0),
	release_at	timestamptz NOT NULL,
	released	boolean NOT NULL DEFAULT false
);
CREATE INDEX unstake_requests_pending ON unstake_requests(account_id)
	WHERE NOT released;

CREATE TABLE tasks (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects(id),
	external_id	text,
	data		text NOT NULL,		-- the exact JSON text received
	data_sha256	text NOT NULL,
	gold_label	int,			-- index into labels, or NULL
	status		text NOT NULL DEFAULT 'open'
			    CHECK (status IN ('open', 'final')),
	n_votes		int NOT NULL DEFAULT 0,
	scores		double precision[] NOT NULL,	-- running log scores
	final_label	int,
	confidence	double precision,
	low_confidence	boolean NOT NULL DEFAULT false,
	finalized_at	timestamptz,
	leaf_index	bigint,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (project_id, external_id)
);
CREATE INDEX tasks_open ON tasks(project_id, n_votes DESC, id)
	WHERE status = 'open';

CREATE TABLE assignments (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects(id),
	task_id		bigint NOT NULL REFERENCES tasks(id),
	account_id	bigint NOT NULL REFERENCES accounts(id),
	status		text NOT NULL DEFAULT 'active' CHECK (status IN
			    ('active', 'voted', 'skipped', 'cancelled')),
	expires_at	timestamptz NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (task_id, account_id)	-- a task is offered once per labeler
);
CREATE INDEX assignments_active ON assignments(task_id)
	WHERE status = 'active';

CREATE TABLE votes (
	id		bigserial PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects(id),
	task_id		bigint NOT NULL REFERENCES tasks(id),
	assignment_id	bigint NOT NULL UNIQUE REFERENCES assignments(id),
	account_id	bigint NOT NULL REFERENCES accounts(id),
	label		int NOT NULL,
	public_key	text NOT NULL,
	signature	text NOT NULL CHECK (signature ~ '^[0-9a-f]{128}$'),
	weight		double precision NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (task_id, account_id)
);
CREATE INDEX votes_account ON votes(account_id);

-- A labeler's Beta(alpha, beta) belief per project.
CREATE TABLE reputations (
	account_id	bigint NOT NULL REFERENCES accounts(id),
	project_id	bigint NOT NULL REFERENCES projects(id),
	alpha		double precision NOT NULL CHECK (alpha > 0),
	beta		double precision NOT NULL CHECK (beta > 0),
	PRIMARY KEY (account_id, project_id)
);

-- The label log read by the anchor part.  Appends serialise on log_head.
CREATE TABLE log_head (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	size		bigint NOT NULL DEFAULT 0
);
INSERT INTO log_head DEFAULT VALUES;

CREATE TABLE log_leaves (
	leaf_index	bigint PRIMARY KEY CHECK (leaf_index >= 0),
	task_id		bigint NOT NULL UNIQUE REFERENCES tasks(id),
	project_id	bigint NOT NULL REFERENCES projects(id),
	record		text NOT NULL,
	leaf_hash	bytea NOT NULL CHECK (length(leaf_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merkle_nodes (
	level		int NOT NULL CHECK (level >= 0 AND level < 64),
	idx		bigint NOT NULL CHECK (idx >= 0),
	hash		bytea NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (level, idx)
);
