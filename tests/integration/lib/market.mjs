// tests/integration/lib/market.mjs — helpers for the market tests: Ed25519
// keys, sign-in, requester accounts and signed votes.
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { api } from './stack.mjs';

export function newKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pk = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('hex');
  return { pk, sign: (msg) => crypto.sign(null, Buffer.from(msg, 'utf8'), privateKey).toString('hex') };
}

export async function login(url, key) {
  const c = await api(url, 'POST', '/v1/auth/challenge', { body: { public_key: key.pk } });
  assert.equal(c.status, 200, c.text);
  const l = await api(url, 'POST', '/v1/auth/login', { body: { public_key: key.pk,
    challenge: c.body.challenge, signature: key.sign(`labelchain:login:v1\n${c.body.challenge}`) } });
  assert.equal(l.status, 200, l.text);
  return l.body.token;
}

export async function requester(st, name) {
  const r = await st.labelctl(['account', 'create', '--role', 'requester', '--name', name]);
  assert.equal(r.code, 0, r.stderr);
  const id = Number(/id=(\d+)/.exec(r.stdout)[1]);
  const token = /token=(\S+)/.exec(r.stdout)[1];
  return { id, token };
}

export async function credit(st, who, amount) {
  const r = await st.labelctl(['credit', String(who), String(amount)]);
  assert.equal(r.code, 0, r.stderr);
}

export function voteSig(key, assignmentId, taskId, label) {
  return key.sign(`labelchain:vote:v1\n${assignmentId}\n${taskId}\n${label}`);
}

export const PROJECT = {
  name: 'animals', instructions: 'What animal is it?', labels: ['cat', 'dog', 'bird'],
  reward_per_task: 1000000, min_votes: 3, max_votes: 7, confidence: 0.9,
  min_stake: 10000000, gold_rate: 0.1,
};

// Finalizations post their money and queue their reputation evidence; the
// server's settlers apply both within milliseconds.  Wait for the queues
// (and the log's) to drain, so that balances, reputations and leaves can be
// compared with the ledger's entries.
export async function settled(st, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [q] = await st.sql(`SELECT (SELECT count(*) FROM ledger_pending)::int AS l,
      (SELECT count(*) FROM reputation_pending)::int AS r, (SELECT count(*) FROM log_pending)::int AS g`);
    if (q.l === 0 && q.r === 0 && q.g === 0) return;
    if (Date.now() > deadline) throw new Error(`queues not drained: ${JSON.stringify(q)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
