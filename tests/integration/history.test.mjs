// tests/integration/history.test.mjs — what the account page reads from the
// server instead of keeping in the browser: GET /v1/me/reputation (one row
// per finalized task that changed the caller's reputation, newest last, with
// project and limit filters) and /v1/me's unstaking_releases (pending
// unstakes, soonest first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled, PROJECT } from './lib/market.mjs';

let st;
before(async () => { st = await startStack(); });
after(async () => { if (st) await st.stop(); });

const must = (r, status) => { assert.equal(r.status, status, r.text); return r.body; };

// One vote settles a task: min_votes = max_votes = 1.  Every task is gold:
// a final decided by a voter alone tells nothing about that voter (the
// live market learns from the others' votes, reputation/live.h), but a
// gold answer is judged the moment it is given.
const ONE_VOTE = { ...PROJECT, name: 'one vote', min_votes: 1, max_votes: 1, gold_rate: 0,
  reward_per_task: 1000, min_stake: 1000000 };

async function makeProject(owner, name, n) {
  const p = must(await api(st.url, 'POST', '/v1/projects', { token: owner.token,
    body: { ...ONE_VOTE, name } }), 201);
  must(await api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: owner.token,
    body: { amount: 1000000 } }), 200);
  must(await api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: owner.token,
    body: Array.from({ length: n }, (_, i) => ({ data: { name, i }, gold: 'cat' })) }), 201);
  return p.id;
}

async function labeler() {
  const key = newKey();
  const token = await login(st.url, key);
  await credit(st, key.pk, 20000000);
  must(await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 10000000 } }), 200);
  return { key, token };
}

// Claim and vote one task of project `pid`; returns the task id once the
// reputation evidence of its finalization is settled.
async function voteOne(l, pid, label = 'cat') {
  const c = must(await api(st.url, 'POST', `/v1/projects/${pid}/assignments`, { token: l.token }), 201);
  const v = must(await api(st.url, 'POST', `/v1/assignments/${c.assignment_id}/vote`, { token: l.token,
    body: { label, signature: voteSig(l.key, c.assignment_id, c.task.id, label) } }), 201);
  assert.equal(v.task_status, 'final');
  await settled(st);
  return c.task.id;
}

const history = async (l, q = '') => must(await api(st.url, 'GET', `/v1/me/reputation${q}`, { token: l.token }), 200);

test('reputation history: one row per settled task, newest last, filters', async () => {
  const owner = await requester(st, 'hist-owner');
  await credit(st, 'hist-owner', 100000000);
  const p1 = await makeProject(owner, 'hist one', 4);
  const p2 = await makeProject(owner, 'hist two', 2);
  const a = await labeler();
  const b = await labeler();

  assert.deepEqual(await history(a), [], 'no history before the first settled task');
  const t1 = [];
  for (let i = 0; i < 3; i++) t1.push(await voteOne(a, p1));
  const t2 = await voteOne(a, p2);

  const mine = await history(a, `?project=${p1}`);
  assert.equal(mine.length, 3);
  assert.deepEqual(mine.map((r) => r.task), t1, 'in the order the tasks settled');
  for (const r of mine) {
    assert.equal(r.project, p1);
    assert.ok(Math.abs(r.accuracy - r.alpha / (r.alpha + r.beta)) < 1e-12);
    assert.ok(!Number.isNaN(Date.parse(r.time)), r.time);
    assert.match(r.time, /Z$/);
  }
  for (let i = 1; i < mine.length; i++) {
    assert.ok(mine[i].alpha > mine[i - 1].alpha, 'a right gold answer raises alpha');
    assert.equal(mine[i].beta, mine[i - 1].beta);
    assert.ok(Date.parse(mine[i].time) >= Date.parse(mine[i - 1].time));
  }
  // The newest row is the current reputation of /v1/me.
  const me = must(await api(st.url, 'GET', '/v1/me', { token: a.token }), 200);
  const cur = me.reputation.find((r) => r.project === p1);
  assert.equal(cur.alpha, mine[2].alpha);
  assert.equal(cur.beta, mine[2].beta);

  // All projects, newest last; the limit keeps the newest rows.
  const all = await history(a);
  assert.deepEqual(all.map((r) => r.task), [...t1, t2]);
  assert.equal(all[3].project, p2);
  assert.deepEqual((await history(a, '?limit=2')).map((r) => r.task), [t1[2], t2]);
  assert.deepEqual((await history(a, `?project=${p1}&limit=2`)).map((r) => r.task), t1.slice(1));
  assert.deepEqual(await history(a, `?project=${p2}`), [all[3]]);
  assert.deepEqual(await history(a, '?project=999999'), []);
  assert.equal((await history(a, '?limit=1000')).length, 4);

  // Written in the finalization's transaction: one row per change.
  const rows = await st.sql('SELECT count(*)::int AS n FROM reputation_history');
  assert.equal(rows[0].n, 4);

  // Another labeler sees only their own (none); anonymous callers nothing.
  assert.deepEqual(await history(b), []);
  assert.deepEqual(await history(b, `?project=${p1}`), []);
  const anon = await api(st.url, 'GET', '/v1/me/reputation', {});
  assert.equal(anon.status, 401);
  // A requester has a history too (empty).
  assert.deepEqual(await history(owner), []);
});

test('reputation history: bad query values are problems', async () => {
  const l = await labeler();
  for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=',
    'project=0', 'project=-3', 'project=x', 'project=', 'project=1e3', 'limit=99999999999999999999']) {
    const r = await api(st.url, 'GET', `/v1/me/reputation?${q}`, { token: l.token });
    assert.ok(r.status === 400 || r.status === 422, `${q}: ${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/, q);
    assert.match(r.body.type, /^urn:labelchain:problem:/, q);
  }
});

test('unstaking releases: pending ones listed soonest first', async () => {
  const l = await labeler();
  let me = must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200);
  assert.deepEqual(me.unstaking_releases, []);

  const u1 = must(await api(st.url, 'POST', '/v1/me/unstake', { token: l.token, body: { amount: 1000000 } }), 202);
  const u2 = must(await api(st.url, 'POST', '/v1/me/unstake', { token: l.token, body: { amount: 2000000 } }), 202);
  me = must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200);
  assert.equal(me.unstaking, 3000000);
  assert.deepEqual(me.unstaking_releases, [
    { amount: 1000000, release_at: u1.release_at },
    { amount: 2000000, release_at: u2.release_at },
  ]);

  // Ordered by release time, not by request: move the second one earlier.
  const [{ id: acct }] = await st.sql('SELECT id FROM accounts WHERE public_key = $1', [l.key.pk]);
  await st.sql("UPDATE unstake_requests SET release_at = release_at - interval '1 hour'"
    + ' WHERE account_id = $1 AND amount = 2000000', [acct]);
  me = must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200);
  assert.deepEqual(me.unstaking_releases.map((r) => r.amount), [2000000, 1000000]);
  assert.ok(Date.parse(me.unstaking_releases[0].release_at) < Date.parse(me.unstaking_releases[1].release_at));

  // A matured release leaves the list and reaches the balance.
  await st.sql("UPDATE unstake_requests SET release_at = now() - interval '1 second'"
    + ' WHERE account_id = $1 AND amount = 1000000', [acct]);
  const balance = me.balance;
  me = must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200);
  assert.deepEqual(me.unstaking_releases.map((r) => r.amount), [2000000]);
  assert.equal(me.unstaking, 2000000);
  assert.equal(me.balance, balance + 1000000);

  // Someone else's releases are not listed.
  const other = await labeler();
  me = must(await api(st.url, 'GET', '/v1/me', { token: other.token }), 200);
  assert.deepEqual(me.unstaking_releases, []);
});
