// scripts/demo.mjs — load demo data into a running labelchain (used by
// `scripts/dev run`): a requester with an API token and credit, a funded
// project of product reviews, and a few finished labels voted by three demo
// labelers so that the verifier has proofs to check.  Idempotent: a second
// run finds the demo requester (var/demo.json) and only prints.
//
//   node scripts/demo.mjs BASE_URL VAR_DIR
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [base = 'http://127.0.0.1:8080', varDir = 'var'] = process.argv.slice(2);
const statePath = path.join(varDir, 'demo.json');
const MICRO = 1000000;

async function api(method, p, { body, token, ndjson } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (ndjson !== undefined) { headers['content-type'] = 'application/x-ndjson'; payload = ndjson; }
  else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(base + p, { method, headers, body: payload });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text && (r.headers.get('content-type') || '').includes('application/json') ? JSON.parse(text) : null;
}

function labelctl(...args) { return execFileSync('labelctl', args, { encoding: 'utf8' }); }

function newKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pk = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('hex');
  return { pk, sign: (m) => crypto.sign(null, Buffer.from(m, 'utf8'), privateKey).toString('hex') };
}

async function login(key) {
  const c = await api('POST', '/v1/auth/challenge', { body: { public_key: key.pk } });
  const l = await api('POST', '/v1/auth/login', { body: { public_key: key.pk, challenge: c.challenge,
    signature: key.sign(`labelchain:login:v1\n${c.challenge}`) } });
  return l;
}

const REVIEWS = [
  ['Arrived on time and works perfectly.', 'positive'], ['Broke after two days.', 'negative'],
  ['It is a phone case. It holds a phone.', 'neutral'], ['Best purchase this year!', 'positive'],
  ['The battery barely lasts an hour.', 'negative'], ['Colour as pictured.', 'neutral'],
  ['Customer service replaced it at once, thank you.', 'positive'], ['Smells of burnt plastic.', 'negative'],
  ['Fits my bag.', 'neutral'], ['Instructions were missing and it does not turn on.', 'negative'],
  ['Great value for the price.', 'positive'], ['Delivered in a plain box.', 'neutral'],
];

async function main() {
  if (fs.existsSync(statePath)) {
    const s = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    try {
      await api('GET', '/v1/me', { token: s.token });
      print(s);
      return;
    } catch { /* the database was reset: load again */ }
  }
  const out = labelctl('account', 'create', '--role', 'requester', '--name', `demo-requester-${Date.now()}`);
  const id = Number(/id=(\d+)/.exec(out)[1]);
  const token = /token=(\S+)/.exec(out)[1];
  labelctl('credit', String(id), String(1000 * MICRO));
  const project = await api('POST', '/v1/projects', { token, body: {
    name: 'Product review sentiment', instructions: 'Is the review positive, negative or neutral about the product?',
    labels: ['positive', 'negative', 'neutral'], reward_per_task: 0.5 * MICRO, min_votes: 3, max_votes: 7,
    confidence: 0.9, min_stake: 5 * MICRO, gold_rate: 0 } });
  await api('POST', `/v1/projects/${project.id}/fund`, { token, body: { amount: 200 * MICRO } });
  const tasks = [];
  for (let i = 0; i < 60; i++) {
    const [text, truth] = REVIEWS[i % REVIEWS.length];
    tasks.push(JSON.stringify({ data: { text: `${text} (#${i + 1})` }, external_id: `review-${i + 1}`, truth }));
  }
  await api('POST', `/v1/projects/${project.id}/tasks`, { token, ndjson: `${tasks.map((t) => {
    const o = JSON.parse(t); delete o.truth; return JSON.stringify(o);
  }).join('\n')}\n` });
  // Three demo labelers finish the first tasks, so there are final labels.
  const truthOf = new Map(tasks.map((t) => { const o = JSON.parse(t); return [o.data.text, o.truth]; }));
  for (let b = 0; b < 3; b++) {
    const key = newKey();
    const session = await login(key);
    labelctl('credit', String(session.account.id), String(20 * MICRO));
    await api('POST', '/v1/me/stake', { token: session.token, body: { amount: 10 * MICRO } });
    for (let n = 0; n < 12; n++) {
      const a = await api('POST', `/v1/projects/${project.id}/assignments`, { token: session.token });
      if (!a) break;
      const label = truthOf.get(a.task.data.text) || a.labels[0];
      await api('POST', `/v1/assignments/${a.assignment_id}/vote`, { token: session.token, body: {
        label, signature: key.sign(`labelchain:vote:v1\n${a.assignment_id}\n${a.task.id}\n${label}`) } });
    }
  }
  const s = { token, account_id: id, project_id: project.id };
  fs.writeFileSync(statePath, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  print(s);
}

function print(s) {
  process.stderr.write(`
  Demo data: project ${s.project_id} "Product review sentiment" (60 tasks, 3 labelers done some).
    requester API token  ${s.token}
      (paste it in the web frontend's "Requester" sign-in, or use it with curl:
       curl -H 'Authorization: Bearer ${s.token}' ${base}/v1/projects/${s.project_id})
    label as yourself    open ${base}/ , create a key, get credit with
                         labelctl credit <your account id> 20000000, stake, label
`);
}

main().catch((e) => { process.stderr.write(`demo: ${e.message}\n`); process.exit(1); });
