// tests/integration/lib/anchorlog.mjs — helpers of the anchoring tests: a
// label log written straight into log_leaves / merkle_nodes with the RFC 6962
// hashing of labeling/ (for when the market flow is not what is under test),
// RFC 9162 consistency verification, and anchor waiting.
import crypto from 'node:crypto';
import { sleep } from './stack.mjs';
import { requester } from './market.mjs';

const sha = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
export const leafHash = (rec) => sha(Buffer.from([0]), Buffer.from(rec, 'utf8'));
export const nodeHash = (l, r) => sha(Buffer.from([1]), l, r);

// Appends leaves and their complete nodes exactly as the market's log
// sequencer does (labeling/log_sequencer.c: serialised on log_head, leaves
// and nodes in one transaction), for tests where the market flow is not
// what is under test.
export class TestLog {
  constructor(st) { this.st = st; }
  // The project's owner is a requester; this.token reads its proofs.
  async init() {
    const owner = await requester(this.st, 'anchor-test');
    this.token = owner.token;
    const [p] = await this.st.sql(`INSERT INTO projects (owner_id, name, labels, reward_per_task,
      min_votes, max_votes, confidence, min_stake, gold_rate, stake_ref) VALUES ($1, 'anchor',
      '{cat,dog}', 0, 1, 3, 0.9, 0, 0, 1) RETURNING id`, [owner.id]);
    this.project = Number(p.id);
    return this;
  }
  async size() { return Number((await this.st.sql('SELECT size FROM log_head'))[0].size); }
  // Final labels reach the log through the server's sequencer (a batch
  // every few milliseconds): wait until the log holds n leaves.
  async waitSize(n, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    let size;
    while ((size = await this.size()) < n && Date.now() < deadline) await sleep(20);
    return size;
  }
  // Appends `count` leaves in one transaction, so that the log grows by all
  // of them at once.  Returns [{ taskId, index, record }].
  async append(count = 1, label = 'cat') {
    const c = await this.st.db();
    const out = [];
    const added = new Map();
    const get = async (level, idx) => {
      const k = `${level}:${idx}`;
      if (added.has(k)) return added.get(k);
      const { rows } = await c.query('SELECT hash FROM merkle_nodes WHERE level = $1 AND idx = $2', [level, idx]);
      return rows[0].hash;
    };
    await c.query('BEGIN');
    try {
      const { rows: [head] } = await c.query('SELECT size FROM log_head FOR UPDATE');
      const size = Number(head.size);
      for (let k = 0; k < count; k++) {
        const n = size + k;
        const data = JSON.stringify({ n, r: crypto.randomBytes(4).toString('hex') });
        const dsha = crypto.createHash('sha256').update(data).digest('hex');
        const { rows: [t] } = await c.query(`INSERT INTO tasks (project_id, data, data_sha256,
          status) VALUES ($1, $2, $3, 'final') RETURNING id`, [this.project, data, dsha]);
        const rec = `{"v":1,"project":${this.project},"task":${t.id},"data_sha256":"${dsha}",` +
          `"label":"${label}","confidence_bp":9500,"votes":[],"finalized_at":"2026-11-25T08:00:00Z"}`;
        const lh = leafHash(rec);
        const add = [[0, n, lh]];
        let h = lh; let level = 0; let idx = n;
        while (idx % 2 === 1) {
          h = nodeHash(await get(level, idx - 1), h);
          level++; idx = Math.floor(idx / 2);
          add.push([level, idx, h]);
        }
        await c.query(`INSERT INTO log_leaves (leaf_index, task_id, project_id, record, leaf_hash)
          VALUES ($1, $2, $3, $4, $5)`, [n, t.id, this.project, rec, lh]);
        for (const [l, i, hh] of add) {
          await c.query('INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)', [l, i, hh]);
          added.set(`${l}:${i}`, hh);
        }
        out.push({ taskId: Number(t.id), index: n, record: rec });
      }
      await c.query('UPDATE log_head SET size = $1', [size + count]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    }
    return out;
  }
}

// RFC 9162 §2.1.4.2.
export function verifyConsistency(n1, n2, root1, root2, proofHex) {
  const r1 = Buffer.from(root1, 'hex'); const r2 = Buffer.from(root2, 'hex');
  const path = proofHex.map((x) => Buffer.from(x, 'hex'));
  if (n1 === n2) return path.length === 0 && r1.equals(r2);
  if (n1 === 0 || n1 > n2) return false;
  if ((n1 & (n1 - 1)) === 0) path.unshift(r1);
  if (path.length === 0) return false;
  let fn = n1 - 1; let sn = n2 - 1;
  while (fn & 1) { fn >>= 1; sn >>= 1; }
  let fr = path[0]; let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && fr.equals(r1) && sr.equals(r2);
}

// Mines a block every `everyMs` while waiting for anchors rows to satisfy
// pred(rows); returns the rows.
export async function waitAnchors(st, pred, { timeoutMs = 60000, mine = true, everyMs = 300 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let rows;
  while (Date.now() < deadline) {
    rows = await st.sql(`SELECT tree_size::int, status, encode(tx_hash, 'hex') AS tx, nonce::int,
      block_number::int, confirmations::int, reorgs, attempts, gas_used::int,
      encode(root, 'hex') AS root FROM anchors ORDER BY tree_size`);
    if (pred(rows)) return rows;
    if (mine) { try { await st.anvil.rpc('evm_mine'); } catch { /* stopped */ } }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for anchors: ${JSON.stringify(rows)}`);
}
