-- sql/0002_anchor.sql — anchors of the label log on an EVM chain.
--
-- One row per anchored (tree_size, root), written by the anchoring worker
-- BEFORE any chain call: the signed raw transaction is stored first and only
-- then broadcast, so a crash at any point re-sends the same bytes (same
-- nonce) and never a second transaction for the same tree size (UNIQUE).
-- Every signed attempt (replacements with higher fees) is kept in
-- anchor_txs, because any one of them may be the one that is mined.
--
-- status: pending (signed, not yet broadcast) → sent (broadcast) → mined
-- (receipt seen, fewer than N confirmations) → confirmed (N confirmations and
-- the block hash at that height still the receipt's).  A reorg takes a mined
-- row back to sent.  failed: the receipt says the transaction reverted.

CREATE TABLE anchor_nonces (
	sender		text PRIMARY KEY CHECK (sender ~ '^0x[0-9a-f]{40}$'),
	chain_id	bigint NOT NULL,
	next_nonce	bigint NOT NULL CHECK (next_nonce >= 0)
);

CREATE TABLE anchors (
	id			bigserial PRIMARY KEY,
	tree_size		bigint NOT NULL UNIQUE CHECK (tree_size > 0),
	root			bytea NOT NULL CHECK (length(root) = 32),
	chain_id		bigint NOT NULL,
	sender			text NOT NULL,
	to_address		text NOT NULL,
	nonce			bigint NOT NULL CHECK (nonce >= 0),
	gas_limit		bigint NOT NULL,
	max_priority_fee	bigint NOT NULL,	-- wei per gas
	max_fee			bigint NOT NULL,	-- wei per gas
	raw_tx			bytea NOT NULL,		-- the latest signed attempt
	tx_hash			bytea NOT NULL CHECK (length(tx_hash) = 32),
	attempts		int NOT NULL DEFAULT 1,
	status			text NOT NULL DEFAULT 'pending' CHECK (status IN
				    ('pending', 'sent', 'mined', 'confirmed', 'failed')),
	block_number		bigint,
	block_hash		bytea,
	confirmations		bigint NOT NULL DEFAULT 0,
	gas_used		bigint,
	effective_gas_price	bigint,
	reorgs			int NOT NULL DEFAULT 0,
	created_at		timestamptz NOT NULL DEFAULT now(),
	sent_at			timestamptz,
	mined_at		timestamptz,
	confirmed_at		timestamptz,
	updated_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE (sender, chain_id, nonce)
);
CREATE INDEX anchors_open ON anchors (id) WHERE status IN ('pending', 'sent', 'mined');
CREATE INDEX anchors_confirmed ON anchors (tree_size) WHERE status = 'confirmed';

CREATE TABLE anchor_txs (
	tx_hash			bytea PRIMARY KEY CHECK (length(tx_hash) = 32),
	anchor_id		bigint NOT NULL REFERENCES anchors(id),
	raw_tx			bytea NOT NULL,
	max_priority_fee	bigint NOT NULL,
	max_fee			bigint NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX anchor_txs_anchor ON anchor_txs (anchor_id);

-- `labelctl anchor now` sets requested_at; the leader anchors at its next
-- tick when requested_at is later than its last anchor.  chain_head is the
-- latest block number the leader saw: confirmations of confirmed anchors are
-- computed from it when read, instead of rewriting every row on every block.
CREATE TABLE anchor_control (
	id		int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	requested_at	timestamptz,
	chain_head	bigint,
	chain_head_at	timestamptz
);
INSERT INTO anchor_control (id) VALUES (1);
