// tests/integration/bounded.test.mjs — issue 12 against the real stack:
//  - a close racing votes never deadlocks (pg_stat_database.deadlocks and
//    the PostgreSQL log, before and after).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, api, sleep } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled, PROJECT } from './lib/market.mjs';

const CAP = 1_000_000_000_000_000; // 10^15: LC_MAX_AMOUNT, the most one call moves

async function labeler(st, stake) {
  const key = newKey();
  const token = await login(st.url, key);
  const me = (await api(st.url, 'GET', '/v1/me', { token })).body;
  for (let left = stake; left > 0; left -= CAP) await credit(st, me.id, Math.min(left, CAP));
  if (stake > 0) {
    const r = await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: stake } });
    assert.equal(r.status, 200, r.text);
  }
  return { key, token, id: me.id };
}
async function newProject(st, owner, body, fund, tasks) {
  const p = await api(st.url, 'POST', '/v1/projects', { token: owner.token, body: { ...PROJECT, ...body } });
  assert.equal(p.status, 201, p.text);
  if (fund) assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/fund`, { token: owner.token, body: { amount: fund } })).status, 200);
  if (tasks) assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/tasks`, { token: owner.token, body: tasks })).status, 201);
  return p.body.id;
}
const claim = (st, l, pid) => api(st.url, 'POST', `/v1/projects/${pid}/assignments`, { token: l.token });
const vote = (st, l, a, label, extra = {}) => api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, {
  token: l.token, body: { label, signature: voteSig(l.key, a.assignment_id, a.task.id, label), ...extra } });

// Vote with "next" until stopped or nothing is left; the label by pick.
async function labelLoop(st, l, pid, state, pick) {
  let c = await claim(st, l, pid);
  if (c.status !== 201) return;
  let a = c.body;
  while (!state.stop) {
    const v = await vote(st, l, a, pick(a), { next: true });
    state.codes[v.status] = (state.codes[v.status] || 0) + 1;
    if (v.status === 503) continue; // busy: the same vote again
    if (v.status !== 201 || !v.body.next) return;
    state.votes++;
    a = v.body.next;
  }
}

async function deadlocks(st) {
  const [{ d }] = await st.sql('SELECT deadlocks::int AS d FROM pg_stat_database WHERE datname = current_database()');
  const log = fs.readFileSync(path.join(st.pg.data, 'server.log'), 'utf8');
  return { stat: d, logged: (log.match(/deadlock detected/g) || []).length };
}

test('a close racing votes that finalize: no deadlock, no stall', { timeout: 240000 }, async () => {
  const st = await startStack({ env: { LABELCHAIN_THREADS: '4', LABELCHAIN_DB_POOL: '12' } });
  try {
    const owner = await requester(st, 'closer');
    await credit(st, owner.id, 100_000_000_000);
    const ls = [];
    for (let i = 0; i < 12; i++) ls.push(await labeler(st, 100_000_000));
    const before = await deadlocks(st);
    const slow = [];
    for (let round = 0; round < 6; round++) {
      const pid = await newProject(st, owner, { name: `race ${round}`, min_votes: 2, max_votes: 3, gold_rate: 0,
        newcomer_gold_rate: 0, min_stake: 0 }, 1_000_000_000, Array.from({ length: 300 }, (_, i) => ({ data: { i } })));
      const state = { stop: false, votes: 0, codes: {} };
      const work = ls.map((l) => labelLoop(st, l, pid, state, () => 'cat'));
      await sleep(300 + 100 * round);
      const t0 = Date.now();
      const c = await api(st.url, 'POST', `/v1/projects/${pid}/close`, { token: owner.token });
      const ms = Date.now() - t0;
      assert.equal(c.status, 200, c.text);
      state.stop = true;
      await Promise.all(work);
      assert.ok(state.votes > 0, JSON.stringify(state.codes));
      if (ms >= 900) slow.push(ms); // a deadlock is broken after deadlock_timeout (1 s)
      const [{ open }] = await st.sql("SELECT count(*)::int AS open FROM tasks WHERE project_id = $1 AND status = 'open'", [pid]);
      assert.equal(open, 0, 'the close cancelled every open task');
    }
    await sleep(1500); // backends report their statistics when idle
    const after = await deadlocks(st);
    assert.deepEqual(after, before, 'no deadlock between close and votes');
    assert.deepEqual(slow, [], 'no close stalled on a lock');
    await settled(st);
    const [{ sum }] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries');
    assert.equal(Number(sum), 0);
  } finally { await st.stop(); }
});
