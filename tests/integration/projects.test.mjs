// tests/integration/projects.test.mjs — issue 14 on the server: the project
// list for labelers (every open project with what the caller lacks, paged,
// index-backed) and the rules of who reads what; PATCH of a project's name
// and instructions; `earned` in GET /v1/me; gold tasks in the label export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, PROJECT } from './lib/market.mjs';

let st;
before(async () => { st = await startStack(); });
after(async () => { if (st) await st.stop(); });

let seq = 0;
async function newProject(owner, body = {}, { fund, tasks } = {}) {
  const p = await api(st.url, 'POST', '/v1/projects', { token: owner.token, body: { ...PROJECT, name: `p${++seq}`, ...body } });
  assert.equal(p.status, 201, p.text);
  if (fund) assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/fund`, { token: owner.token, body: { amount: fund } })).status, 200);
  if (tasks) assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/tasks`, { token: owner.token, body: tasks })).status, 201);
  return p.body;
}
async function labeler(stake = 0) {
  const key = newKey();
  const token = await login(st.url, key);
  const me = (await api(st.url, 'GET', '/v1/me', { token })).body;
  if (stake > 0) {
    await credit(st, me.id, stake);
    assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: stake } })).status, 200);
  }
  return { key, token, id: me.id };
}
async function voteOnce(l, pid, pick = (c) => c.labels[0]) {
  const c = await api(st.url, 'POST', `/v1/projects/${pid}/assignments`, { token: l.token });
  if (c.status === 204) return null;
  assert.equal(c.status, 201, c.text);
  const label = pick(c.body);
  const v = await api(st.url, 'POST', `/v1/assignments/${c.body.assignment_id}/vote`, { token: l.token,
    body: { label, signature: voteSig(l.key, c.body.assignment_id, c.body.task.id, label) } });
  assert.equal(v.status, 201, v.text);
  return v.body;
}
const problem = (r, status, re) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  if (re) assert.match(r.body.detail, re);
};

test('a labeler lists every open project with what it lacks, and reads open ones whatever its stake', async () => {
  const owner = await requester(st, 'list-owner');
  const p = await newProject(owner, { min_stake: 5_000_000, gold_rate: 0 });
  const free = await newProject(owner, { min_stake: 0, gold_rate: 0 });
  const poor = await labeler(0);
  const some = await labeler(2_000_000);
  const rich = await labeler(5_000_000);
  const list = async (l, q = '') => (await api(st.url, 'GET', `/v1/projects${q}`, { token: l.token })).body;
  const find = (ps, id) => ps.find((x) => x.id === id);
  assert.deepEqual(find(await list(poor), p.id).join, { eligible: false, needs_stake: 5_000_000 });
  assert.deepEqual(find(await list(some), p.id).join, { eligible: false, needs_stake: 3_000_000 });
  assert.deepEqual(find(await list(rich), p.id).join, { eligible: true, needs_stake: 0 });
  assert.deepEqual(find(await list(poor), free.id).join, { eligible: true, needs_stake: 0 });
  // what a labeler does not see: the owner's spend and gold counts
  const row = find(await list(poor), p.id);
  assert.equal(row.progress.spend, undefined);
  assert.equal(row.progress.gold, undefined);
  // GET of an open project, stake or not, with the same join
  const g = await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: poor.token });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.join, { eligible: false, needs_stake: 5_000_000 });
  assert.equal(g.body.progress.spend, undefined);
  // the claim still says no, with the reason
  const c = await api(st.url, 'POST', `/v1/projects/${p.id}/assignments`, { token: poor.token });
  problem(c, 403);
  assert.equal(c.body.type, 'urn:labelchain:problem:insufficient-stake');
  // the owner's list: its own projects, no join, spend and gold counts
  const own = await list(owner);
  assert.ok(own.every((x) => x.owner === owner.id && x.join === undefined));
  assert.equal(typeof find(own, p.id).progress.spend, 'number');
  assert.equal(find(own, p.id).progress.gold, 0);
});

test('paused and closed projects stay hidden from labelers that never worked in them', async () => {
  const owner = await requester(st, 'hide-owner');
  await credit(st, owner.id, 100_000_000);
  const tasks = [1, 2, 3].map((i) => ({ data: { i } }));
  const p = await newProject(owner, { min_stake: 1_000_000, min_votes: 2, max_votes: 3, gold_rate: 0 }, { fund: 10_000_000, tasks });
  const worker = await labeler(5_000_000);
  const stranger = await labeler(5_000_000);
  await voteOnce(worker, p.id);
  for (const action of ['pause', 'close']) {
    assert.equal((await api(st.url, 'POST', `/v1/projects/${p.id}/${action}`, { token: owner.token })).status, 200);
    for (const l of [worker, stranger]) {
      const ids = (await api(st.url, 'GET', '/v1/projects', { token: l.token })).body.map((x) => x.id);
      assert.ok(!ids.includes(p.id), `${action}d project listed`);
    }
    problem(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: stranger.token }), 403);
    const w = await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: worker.token });
    assert.equal(w.status, 200, w.text);
    assert.equal(w.body.join.eligible, false);
  }
});

test('the list is paged, newest first, by scope; bad parameters are refused', async () => {
  const owner = await requester(st, 'page-owner');
  const mine = [];
  for (let i = 0; i < 5; i++) mine.push((await newProject(owner, { min_stake: 0 })).id);
  const got = [];
  let q = '?limit=2';
  for (;;) {
    const r = await api(st.url, 'GET', `/v1/projects${q}`, { token: owner.token });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.length <= 2);
    got.push(...r.body.map((x) => x.id));
    if (r.body.length < 2) break;
    q = `?limit=2&before=${r.body[r.body.length - 1].id}`;
  }
  const all = (await api(st.url, 'GET', '/v1/projects?scope=own&limit=500', { token: owner.token })).body.map((x) => x.id);
  assert.deepEqual(got, all, 'pages add up to the whole list');
  assert.deepEqual(got, [...got].sort((a, b) => b - a), 'newest first');
  assert.deepEqual(got.slice(0, 5), [...mine].reverse());

  // an account with both roles: scope picks one side
  const r = await st.labelctl(['account', 'create', '--role', 'requester', '--role', 'labeler', '--name', 'both-roles']);
  assert.equal(r.code, 0, r.stderr);
  const both = { token: /token=(\S+)/.exec(r.stdout)[1], id: Number(/id=(\d+)/.exec(r.stdout)[1]) };
  const itsOwn = await newProject(both, { min_stake: 0 });
  const ids = async (q2) => (await api(st.url, 'GET', `/v1/projects${q2}`, { token: both.token })).body.map((x) => x.id);
  assert.deepEqual(await ids('?scope=own'), [itsOwn.id]);
  const label = await ids('?scope=label&limit=500');
  assert.ok(label.includes(mine[0]) && label.includes(itsOwn.id));
  const every = await ids('?limit=500');
  assert.deepEqual(every, label, 'all: own (here also open) and open, once each');
  // a pure labeler asking for its own projects owns none
  const l = await labeler(0);
  assert.deepEqual((await api(st.url, 'GET', '/v1/projects?scope=own', { token: l.token })).body, []);

  for (const bad of ['?limit=0', '?limit=501', '?limit=x', '?before=0', '?before=-1', '?scope=mine']) {
    problem(await api(st.url, 'GET', `/v1/projects${bad}`, { token: owner.token }), 422);
  }
});

test('the list and the sums read indexes', async () => {
  const c = await st.db();
  await c.query('SET enable_seqscan = off');
  const plan = async (sql, params) => (await c.query(`EXPLAIN ${sql}`, params)).rows.map((x) => x['QUERY PLAN']).join('\n');
  try {
    const open = await plan("SELECT id FROM projects WHERE status = 'open' AND id < $1 ORDER BY id DESC LIMIT 50", [1e9]);
    assert.match(open, /Index (Only )?Scan Backward using projects_open/, open);
    const own = await plan('SELECT id FROM projects WHERE owner_id = $1 AND id < $2 ORDER BY id DESC LIMIT 50', [1, 1e9]);
    assert.match(own, /Index (Only )?Scan Backward using projects_owner/, own);
    const earned = await plan("SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account_key = $1 AND cause = 'reward'", ['a/1/balance']);
    assert.match(earned, /Index Only Scan using ledger_entries_reward_account/, earned);
    const spend = await plan("SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.project_id = $1 AND e.cause = 'reward' AND e.amount > 0", [1]);
    assert.match(spend, /Index Only Scan using ledger_entries_reward_project/, spend);
  } finally { await c.query('RESET enable_seqscan'); }
});

test('PATCH edits name and instructions, refuses every other field by name, owner only', async () => {
  const owner = await requester(st, 'edit-owner');
  const other = await requester(st, 'edit-other');
  const p = await newProject(owner, { instructions: 'old' });
  const path = `/v1/projects/${p.id}`;
  const patch = (body, token = owner.token, headers) => api(st.url, 'PATCH', path, { token, body, headers });
  let r = await patch({ name: 'new name', instructions: 'new words' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.name, 'new name');
  assert.equal(r.body.instructions, 'new words');
  assert.deepEqual(r.body.labels, PROJECT.labels);
  r = await patch({ instructions: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.instructions, '');
  assert.equal(r.body.name, 'new name', 'what is not given stays');

  problem(await patch({ labels: ['a', 'b'] }), 422, /cannot be edited: labels/);
  problem(await patch({ name: 'x', reward_per_task: 5, min_votes: 1, foo: 1 }), 422, /cannot be edited: reward_per_task, min_votes, foo/);
  problem(await patch({}), 422, /nothing to edit/);
  problem(await patch({ name: '' }), 422);
  problem(await patch({ name: 'x'.repeat(201) }), 422);
  problem(await patch({ instructions: 5 }), 422);
  problem(await api(st.url, 'PATCH', path, { token: owner.token, raw: '[1]', headers: { 'content-type': 'application/json' } }), 400);
  problem(await api(st.url, 'PATCH', path, { token: owner.token, raw: '{"name":', headers: { 'content-type': 'application/json' } }), 400);
  problem(await api(st.url, 'PATCH', path, { token: owner.token, raw: 'name=x', headers: { 'content-type': 'text/plain' } }), 415);
  assert.equal((await api(st.url, 'GET', path, { token: owner.token })).body.name, 'new name', 'a refused edit changes nothing');

  problem(await patch({ name: 'mine now' }, other.token), 403);
  const l = await labeler(0);
  problem(await patch({ name: 'mine now' }, l.token), 403);
  problem(await api(st.url, 'PATCH', path, { body: { name: 'mine now' } }), 401);
  problem(await api(st.url, 'PATCH', '/v1/projects/999999', { token: owner.token, body: { name: 'x' } }), 404);
  problem(await api(st.url, 'PATCH', '/v1/projects/abc', { token: owner.token, body: { name: 'x' } }), 404);
  // a closed project can still be renamed
  assert.equal((await api(st.url, 'POST', `${path}/close`, { token: owner.token })).status, 200);
  r = await patch({ name: 'archived' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'closed');
});

test('earned in GET /v1/me is the sum of every reward, however many', async () => {
  const owner = await requester(st, 'earn-owner');
  await credit(st, owner.id, 1_000_000_000);
  const n = 130;
  // Controls: a right answer is paid whatever its weight (a final that
  // no weight carries pays nobody, and a lone newcomer weighs nothing).
  const tasks = Array.from({ length: n }, (_, i) => ({ data: { i }, external_id: `e${i}`, gold: PROJECT.labels[0] }));
  const p = await newProject(owner, { min_votes: 1, max_votes: 1, min_stake: 1_000_000, gold_rate: 0, reward_per_task: 1_000_000 },
    { fund: 200_000_000, tasks });
  const l = await labeler(5_000_000);
  assert.equal((await api(st.url, 'GET', '/v1/me', { token: l.token })).body.earned, 0);
  let votes = 0;
  while (await voteOnce(l, p.id)) votes++;
  assert.equal(votes, n);
  const me = (await api(st.url, 'GET', '/v1/me', { token: l.token })).body;
  const [{ sum, rows }] = await st.sql("SELECT coalesce(sum(amount), 0)::bigint AS sum, count(*)::int AS rows FROM ledger_entries WHERE account_key = $1 AND cause = 'reward'", [`a/${l.id}/balance`]);
  assert.equal(rows, n, 'one reward per task');
  assert.equal(me.earned, Number(sum));
  assert.ok(me.earned > 0);
  const page = (await api(st.url, 'GET', '/v1/me/ledger', { token: l.token })).body;
  const pageSum = page.filter((m) => m.cause === 'reward').reduce((a, m) => a + m.amount, 0);
  assert.ok(me.earned > pageSum, 'more than the first ledger page shows');
  // the owner earned nothing, and says so
  assert.equal((await api(st.url, 'GET', '/v1/me', { token: owner.token })).body.earned, 0);
});

test('the export marks gold tasks: the label is the gold answer, never low-confidence', async () => {
  const owner = await requester(st, 'gold-owner');
  await credit(st, owner.id, 100_000_000);
  const p = await newProject(owner, { labels: ['cat', 'dog'], min_votes: 2, max_votes: 2, min_stake: 1_000_000, gold_rate: 0.5 }, {
    fund: 20_000_000,
    tasks: [{ data: 'g', external_id: 'g', gold: 'cat' }, { data: 'n', external_id: 'n' }, { data: 'q,"x"', external_id: 'q,"x"', gold: 'dog' }] });
  for (let i = 0; i < 2; i++) {
    const l = await labeler(5_000_000);
    while (await voteOnce(l, p.id, () => 'dog'));
  }
  const jl = await api(st.url, 'GET', `/v1/projects/${p.id}/labels`, { token: owner.token });
  assert.equal(jl.status, 200, jl.text);
  const rows = Object.fromEntries(jl.text.trim().split('\n').map((x) => JSON.parse(x)).map((x) => [x.external_id, x]));
  assert.equal(rows.g.gold, true);
  assert.equal(rows.g.label, 'cat', 'the gold answer, though both votes said dog');
  assert.equal(rows.g.low_confidence, false);
  assert.ok(rows.g.confidence <= 0.5, 'the crowd posterior of the gold answer, as in the leaf');
  assert.equal(rows.g.unverified, false, 'a control is never unverified');
  assert.equal(rows.n.gold, false);
  assert.equal(rows.n.label, 'dog');
  assert.equal(rows.n.unverified, true, 'both voters failed their controls: nobody verified chose it');
  assert.equal(rows['q,"x"'].gold, true);
  const csv = await api(st.url, 'GET', `/v1/projects/${p.id}/labels?format=csv`, { token: owner.token });
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'task_id,external_id,label,confidence,votes,low_confidence,leaf_index,anchored,gold,unverified,anchor_tree_size,anchor_tx_hash');
  const byExt = Object.fromEntries(lines.slice(1).map((line) => [line.includes('"q,""x"""') ? 'q,"x"' : line.split(',')[1], line]));
  // No chain here: nothing is anchored, the anchor's columns are empty.
  assert.match(byExt.g, /,cat,[0-9.]+,2,false,\d*,false,true,false,,$/);
  assert.match(byExt.n, /,dog,[0-9.]+,2,(true|false),\d*,false,false,true,,$/);
  assert.match(byExt['q,"x"'], /,dog,[0-9.]+,2,false,\d*,false,true,false,,$/);
});
