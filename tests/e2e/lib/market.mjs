// tests/e2e/lib/market.mjs — set-up through the real API and labelctl, for
// the browser tests: requester accounts, projects, and headless labelers.
import { generateKeyPairSync, sign as edSign } from 'node:crypto';
import { api } from '../../integration/lib/stack.mjs';

export async function requester(st, name = 'req') {
  const r = await st.labelctl(['account', 'create', '--role', 'requester', '--name', name]);
  if (r.code !== 0) throw new Error(`labelctl account create: ${r.stderr}`);
  const token = /token=(\S+)/.exec(r.stdout)[1];
  const id = /id=(\d+)/.exec(r.stdout)[1];
  return { token, id };
}

export async function credit(st, account, micro) {
  const r = await st.labelctl(['credit', String(account), String(micro)]);
  if (r.code !== 0) throw new Error(`labelctl credit: ${r.stderr}`);
}

export async function must(p) {
  const r = await p;
  if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${r.text}`);
  return r.body;
}

// A labeler outside the browser (node's Ed25519).
export async function nodeLabeler(st) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const sign = (m) => edSign(null, Buffer.from(m, 'utf8'), privateKey).toString('hex');
  const ch = await must(api(st.url, 'POST', '/v1/auth/challenge', { body: { public_key: pub } }));
  const lo = await must(api(st.url, 'POST', '/v1/auth/login', { body: { public_key: pub, challenge: ch.challenge, signature: sign(`labelchain:login:v1\n${ch.challenge}`) } }));
  return { pub, sign, token: lo.token, id: lo.account.id };
}

// Claim and vote until the project has nothing more for this labeler.
export async function labelAll(st, lab, projectId, pick = () => 0) {
  let n = 0;
  for (;;) {
    const c = await api(st.url, 'POST', `/v1/projects/${projectId}/assignments`, { token: lab.token, body: {} });
    if (c.status === 204) return n;
    if (c.status !== 200 && c.status !== 201) throw new Error(`claim: ${c.status} ${c.text}`);
    const a = c.body;
    const label = a.labels[pick(a) % a.labels.length];
    const sig = lab.sign(`labelchain:vote:v1\n${a.assignment_id}\n${a.task.id}\n${label}`);
    await must(api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token: lab.token, body: { label, signature: sig } }));
    n++;
  }
}

export async function project(st, token, over = {}) {
  return must(api(st.url, 'POST', '/v1/projects', { token, body: {
    name: 'Cats and dogs', instructions: 'Is the animal in the text a cat or a dog?', labels: ['cat', 'dog'],
    reward_per_task: 1000000, min_votes: 1, max_votes: 1, confidence: 0.9, min_stake: 0, gold_rate: 0, ...over } }));
}
