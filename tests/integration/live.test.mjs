// tests/integration/live.test.mjs — issue 10 on the server: what the live
// market decides when little is known.  A newcomer weighs nothing until
// there is evidence; a newcomer's first claims are controls (gold); a ring
// that fails its controls weighs nothing and pays for it; the batch
// re-estimation (automatic, on demand by the owner, by labelctl)
// recalibrates labelers, chance-corrected, and finalizes what then passes;
// finals no verified labeler supported are flagged `unverified`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startStack, api, sleep } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled } from './lib/market.mjs';

let st;
before(async () => { st = await startStack(); });
after(async () => { if (st) await st.stop(); });

const must = (r, status) => { assert.equal(r.status, status, r.text); return r.body; };
const problem = (r, status) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
};
const BASE = { instructions: 'truth is in the data', labels: ['cat', 'dog'], reward_per_task: 1000,
  min_stake: 1_000_000, gold_rate: 0 };
const STAKE = 2_000_000;
let seq = 0;

async function project(owner, body, tasks) {
  await credit(st, owner.id, 10_000_000);
  const p = must(await api(st.url, 'POST', '/v1/projects', { token: owner.token,
    body: { ...BASE, name: `live ${++seq}`, ...body } }), 201);
  must(await api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: owner.token, body: { amount: 10_000_000 } }), 200);
  must(await api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: owner.token, body: tasks }), 201);
  return p;
}

async function labeler() {
  const key = newKey();
  const token = await login(st.url, key);
  const me = must(await api(st.url, 'GET', '/v1/me', { token }), 200);
  await credit(st, me.id, STAKE);
  must(await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: STAKE } }), 200);
  return { key, token, id: me.id };
}

// Claim and vote once; pick(task data) gives the label.  null when the
// server has no task for this labeler, or will give it none (l.unqualified).
// { cancelled: true } when the task was finalized between the claim and the
// vote (its lease cancelled with it).
async function voteOnce(l, pid, pick) {
  const c = await api(st.url, 'POST', `/v1/projects/${pid}/assignments`, { token: l.token });
  if (c.status === 204) return null;
  if (c.status === 403 && c.body.type === 'urn:labelchain:problem:unqualified') {
    l.unqualified = true;
    return null;
  }
  assert.equal(c.status, 201, c.text);
  const label = pick(c.body.task.data);
  const r = await api(st.url, 'POST', `/v1/assignments/${c.body.assignment_id}/vote`, { token: l.token,
    body: { label, signature: voteSig(l.key, c.body.assignment_id, c.body.task.id, label) } });
  // The automatic re-estimation may finalize the task between the claim
  // and the vote: its leases are cancelled with it.
  if (r.status === 409 && /became final while you held it/.test(r.body.detail)) {
    const [t] = await st.sql('SELECT status FROM tasks WHERE id = $1', [c.body.task.id]);
    assert.equal(t.status, 'final', r.text);
    return { task: c.body.task.id, cancelled: true };
  }
  const v = must(r, 201);
  return { task: c.body.task.id, ...v };
}
const truth = (d) => d.truth;
const lie = (d) => (d.truth === 'cat' ? 'dog' : 'cat');

async function labels(owner, pid) {
  const r = await api(st.url, 'GET', `/v1/projects/${pid}/labels`, { token: owner.token });
  assert.equal(r.status, 200, r.text);
  return r.text.trim() === '' ? [] : r.text.trim().split('\n').map((x) => JSON.parse(x));
}
const stakeOf = async (l) => {
  const me = must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200);
  return me.stake;
};
const belief = async (l, pid) => (await st.sql(
  'SELECT alpha, beta, gold_right, gold_wrong FROM reputations WHERE account_id = $1 AND project_id = $2',
  [l.id, pid]))[0];

test('newcomers weigh nothing: three of them reach max_votes, and the final says unverified', async () => {
  const owner = await requester(st, 'live-new');
  const p = await project(owner, { min_votes: 1, max_votes: 3, confidence: 0.9 },
    [{ data: { truth: 'cat' }, external_id: 'only' }]);
  const ls = [await labeler(), await labeler(), await labeler()];
  assert.equal((await voteOnce(ls[0], p.id, truth)).task_status, 'open', 'one unknown voter decides nothing');
  assert.equal((await voteOnce(ls[1], p.id, truth)).task_status, 'open', 'nor do two agreeing');
  assert.equal((await voteOnce(ls[2], p.id, truth)).task_status, 'final', 'max_votes ends it');
  const [row] = await labels(owner, p.id);
  assert.equal(row.label, 'cat', 'the votes decide, by count, when no weight can');
  assert.equal(row.low_confidence, true);
  assert.equal(row.unverified, true, 'nobody who passed a control voted for it');
  const got = must(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: owner.token }), 200);
  assert.equal(got.progress.unverified, 1);
  assert.equal(got.newcomer_gold_rate, 0.5, 'the default');
});

test('a newcomer\'s first claims are controls, at the project\'s newcomer gold rate', async () => {
  const owner = await requester(st, 'live-gold');
  const tasks = [];
  for (let i = 0; i < 4; i++) tasks.push({ data: { truth: 'cat', i }, gold: 'cat' });
  for (let i = 0; i < 6; i++) tasks.push({ data: { truth: 'dog', i } });
  const p = await project(owner, { min_votes: 2, max_votes: 3, confidence: 0.9, newcomer_gold_rate: 1 }, tasks);
  const l = await labeler();
  const gold = async (task) => (await st.sql('SELECT gold_label IS NOT NULL AS g FROM tasks WHERE id = $1', [task]))[0].g;
  for (let i = 0; i < 3; i++) {
    const v = await voteOnce(l, p.id, truth);
    assert.equal(await gold(v.task), true, `claim ${i + 1} is a control`);
    await settled(st);
  }
  const b = await belief(l, p.id);
  assert.deepEqual([b.gold_right, b.gold_wrong], [3, 0], 'its gold record');
  assert.ok(b.alpha > b.beta, 'right answers on controls are evidence');
  const v = await voteOnce(l, p.id, truth);
  assert.equal(await gold(v.task), false, 'after 3 controls, the project\'s own gold rate (0)');

  for (const bad of [-0.1, 1.5, 'half']) {
    const r = await api(st.url, 'POST', '/v1/projects', { token: owner.token,
      body: { ...BASE, name: 'bad rate', min_votes: 1, max_votes: 3, confidence: 0.9, newcomer_gold_rate: bad } });
    assert.equal(r.status, 422, r.text);
    assert.match(r.body.detail, /newcomer_gold_rate/);
  }
});

test('a ring that fails its controls weighs nothing, pays for it, and the honest crowd decides', async () => {
  const owner = await requester(st, 'live-ring');
  const tasks = [];
  // Controls enough for everyone's first three (4 answers each).
  for (let i = 0; i < 10; i++) tasks.push({ data: { truth: i % 2 ? 'dog' : 'cat', g: i }, gold: i % 2 ? 'dog' : 'cat' });
  for (let i = 0; i < 20; i++) tasks.push({ data: { truth: i % 3 ? 'dog' : 'cat', n: i } });
  const p = await project(owner, { min_votes: 2, max_votes: 4, confidence: 0.9, gold_rate: 0.3,
    newcomer_gold_rate: 1 }, tasks);
  const ring = [await labeler(), await labeler(), await labeler()];
  const honest = [await labeler(), await labeler(), await labeler(), await labeler()];
  // The ring comes first and answers every task wrong, controls included.
  // (Gold answers are counted by the settler, a moment after the vote.)
  for (let round = 0; round < 8; round++) {
    for (const l of ring) if (!l.unqualified) await voteOnce(l, p.id, lie);
    await settled(st);
  }
  for (const l of ring) {
    const b = await belief(l, p.id);
    assert.ok(b.gold_wrong >= 3 && b.gold_right === 0, JSON.stringify(b));
    assert.equal(l.unqualified, true, 'failed its controls: offered no more tasks ' + JSON.stringify(b));
  }
  // The honest crowd follows and votes until there is nothing left.
  for (let more = true; more;) {
    more = false;
    for (const l of honest) if (await voteOnce(l, p.id, truth)) more = true;
  }
  await settled(st);
  const rows = await labels(owner, p.id);
  const nongold = rows.filter((r) => !r.gold);
  assert.equal(nongold.length, 20, 'every task is final');
  const byTask = Object.fromEntries((await st.sql(
    "SELECT id, data::jsonb->>'truth' AS truth FROM tasks WHERE project_id = $1", [p.id])).map((r) => [r.id, r.truth]));
  const right = nongold.filter((r) => r.label === byTask[r.task_id]).length;
  assert.ok(right / nongold.length >= 0.9, `honest crowd's accuracy ${right}/${nongold.length}`);
  assert.ok(nongold.every((r) => !r.unverified || r.label !== byTask[r.task_id]),
    'a right label here was backed by a verified labeler');
  for (const l of ring) assert.ok(await stakeOf(l) < STAKE, 'the ring ends with less than it brought');
  for (const l of honest) assert.ok(!l.unqualified);
  let earned = 0;
  for (const l of honest) earned += must(await api(st.url, 'GET', '/v1/me', { token: l.token }), 200).earned;
  assert.ok(earned > 0, 'the honest crowd is paid');
  const [sum] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS s FROM ledger_entries');
  assert.equal(Number(sum.s), 0, 'the ledger sums to zero');
});

test('the re-estimation: chance-corrected, on demand by the owner and by labelctl, finalizes what passes', async () => {
  const owner = await requester(st, 'live-em');
  const other = await requester(st, 'live-em-other');
  const tasks = [];
  for (let i = 0; i < 12; i++) tasks.push({ data: { truth: i % 2 ? 'dog' : 'cat', i } });
  // max_votes above the crowd: nothing is final on count alone.
  const p = await project(owner, { min_votes: 2, max_votes: 6, confidence: 0.9, newcomer_gold_rate: 0 }, tasks);
  const honest = [await labeler(), await labeler(), await labeler(), await labeler()];
  const constant = await labeler();
  for (let round = 0; round < 12; round++) {
    for (const l of honest) await voteOnce(l, p.id, truth);
    await voteOnce(constant, p.id, () => 'cat');
  }
  await settled(st);

  problem(await api(st.url, 'POST', `/v1/projects/${p.id}/reestimate`, { token: other.token }), 403);
  problem(await api(st.url, 'POST', '/v1/projects/999999/reestimate', { token: owner.token }), 404);
  const before = must(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: owner.token }), 200).reestimated_at;
  const r = must(await api(st.url, 'POST', `/v1/projects/${p.id}/reestimate`, { token: owner.token }), 202);
  assert.deepEqual(r, { project_id: p.id, requested: true });
  let after = before;
  for (let i = 0; i < 100 && after === before; i++) {
    await sleep(50);
    after = must(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: owner.token }), 200).reestimated_at;
  }
  assert.notEqual(after, before, 'the housekeeping thread ran it');

  const cli = await st.labelctl(['reestimate', String(p.id)]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`^project=${p.id} votes=\\d+ tasks=\\d+ labelers=5 `));
  // The next automatic run waits for a tenth more of all the project's
  // votes, those the fit could use or not.
  const [em] = await st.sql(`SELECT em_votes, (SELECT count(*) FROM votes WHERE project_id = $1) AS n
    FROM projects WHERE id = $1`, [p.id]);
  assert.equal(Number(em.em_votes), Number(em.n));
  assert.equal((await st.labelctl(['reestimate', 'x'])).code, 2);
  assert.equal((await st.labelctl(['reestimate', '999999'])).code, 1);
  await settled(st);

  const rows = await labels(owner, p.id);
  assert.equal(rows.length, 12, 'every task final once the crowd is known');
  for (const row of rows) {
    assert.equal(row.unverified, true, 'no gold: nothing tells this crowd from a ring');
  }
  const truthOf = Object.fromEntries((await st.sql(
    "SELECT id, data::jsonb->>'truth' AS truth FROM tasks WHERE project_id = $1", [p.id])).map((x) => [x.id, x.truth]));
  assert.ok(rows.every((x) => x.label === truthOf[x.task_id]), 'all right');
  const mean = (b) => b.alpha / (b.alpha + b.beta);
  for (const l of honest) assert.ok(mean(await belief(l, p.id)) > 0.8, 'an honest labeler is trusted');
  const c = await belief(constant, p.id);
  assert.ok(Math.abs(mean(c) - 0.5) < 0.1, `a constant voter is worth chance: ${JSON.stringify(c)}`);
  // The owner's figures: a labeler of the project does not see them.
  const seen = must(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: honest[0].token }), 200);
  assert.equal(seen.calibration, undefined);
  assert.equal(seen.reestimated_at, undefined);
  assert.equal(typeof must(await api(st.url, 'GET', `/v1/projects/${p.id}`, { token: owner.token }), 200)
    .calibration.temperature, 'number');
  const hist = must(await api(st.url, 'GET', `/v1/me/reputation?project=${p.id}`, { token: honest[0].token }), 200);
  assert.ok(hist.some((h) => h.task === null), 'recalibrations are in the history, without a task');
});

test('a lease granted while the re-estimation waits on its task is cancelled with the task', async () => {
  // The re-estimation finalizes open tasks in statements of its own; a
  // claim that holds the task's row when it comes must not leave an
  // active lease on a final task (n_leases 0, one lease active).
  const owner = await requester(st, 'live-race');
  const tasks = [];
  for (let i = 0; i < 6; i++) tasks.push({ data: { truth: i % 2 ? 'dog' : 'cat', i } });
  const p = await project(owner, { min_votes: 2, max_votes: 6, confidence: 0.9, newcomer_gold_rate: 0 }, tasks);
  const crowd = [await labeler(), await labeler(), await labeler(), await labeler()];
  const late = await labeler();
  const hold = new pg.Client({ host: st.pg.data, port: st.pg.port, user: 'postgres', database: 'labelchain' });
  await hold.connect();
  try {
    // Settlement and re-estimation skip while this session holds their
    // lock: nothing is final before the race is set up.
    await hold.query('SELECT pg_advisory_lock(1818391155)');
    for (let round = 0; round < 6; round++) for (const l of crowd) await voteOnce(l, p.id, truth);
    const open = (await hold.query("SELECT id FROM tasks WHERE project_id = $1 AND status = 'open' ORDER BY id",
      [p.id])).rows.map((x) => x.id);
    assert.equal(open.length, 6, 'nothing final on newcomers\' votes');
    // A claim in flight on every task: the row updated and the lease
    // written, not yet committed.
    await hold.query('BEGIN');
    for (const id of open) {
      await hold.query('UPDATE tasks SET n_leases = n_leases + 1 WHERE id = $1', [id]);
      await hold.query(`INSERT INTO assignments (project_id, task_id, account_id, expires_at)
        VALUES ($1, $2, $3, now() + interval '10 minutes')`, [p.id, id, late.id]);
    }
    await hold.query('SELECT pg_advisory_unlock(1818391155)');
    must(await api(st.url, 'POST', `/v1/projects/${p.id}/reestimate`, { token: owner.token }), 202);
    let waiting = 0;
    for (let i = 0; i < 200 && waiting === 0; i++) {
      await sleep(25);
      [{ waiting }] = await st.sql(`SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = 'labelchain' AND wait_event_type = 'Lock'`);
    }
    assert.ok(waiting > 0, 'the re-estimation reached a task the claim holds');
    await hold.query('COMMIT');
  } finally {
    await hold.end();
  }
  let final = 0;
  for (let i = 0; i < 200 && final < 6; i++) {
    await sleep(25);
    [{ final }] = await st.sql("SELECT count(*)::int AS final FROM tasks WHERE project_id = $1 AND status = 'final'",
      [p.id]);
  }
  assert.equal(final, 6, 'the re-estimation finalized the tasks');
  const [{ bad }] = await st.sql(`SELECT count(*)::int AS bad FROM tasks t WHERE t.project_id = $1 AND t.n_leases <>
    (SELECT count(*) FROM assignments a WHERE a.task_id = t.id AND a.status = 'active')`, [p.id]);
  assert.equal(bad, 0, 'lease counters match the leases');
  const [{ active }] = await st.sql(`SELECT count(*)::int AS active FROM assignments
    WHERE project_id = $1 AND status = 'active'`, [p.id]);
  assert.equal(active, 0, 'no lease stays active on a final task');
  // Its holder's vote is refused, and told why.
  const [a] = await st.sql('SELECT id, task_id FROM assignments WHERE account_id = $1 ORDER BY id LIMIT 1', [late.id]);
  const r = await api(st.url, 'POST', `/v1/assignments/${a.id}/vote`, { token: late.token,
    body: { label: 'cat', signature: voteSig(late.key, Number(a.id), Number(a.task_id), 'cat') } });
  problem(r, 409);
  assert.match(r.body.detail, new RegExp(`task ${a.task_id} became final while you held it`));
  await settled(st);
});

test('the re-estimation\'s schedule counts every vote, not only those its fit can use', async () => {
  // One vote per task: nothing for the fit (it needs two), yet the next
  // automatic run must wait for a tenth more votes, not 20 — or a
  // one-labeler project is re-estimated, all its votes read, every 20.
  const owner = await requester(st, 'live-schedule');
  const p = await project(owner, { min_votes: 2, max_votes: 3, confidence: 0.9, newcomer_gold_rate: 0 },
    [1, 2, 3].map((i) => ({ data: { truth: 'cat', i } })));
  const l = await labeler();
  for (let i = 0; i < 3; i++) assert.ok(await voteOnce(l, p.id, truth));
  const cli = await st.labelctl(['reestimate', String(p.id)]);
  assert.equal(cli.code, 0, cli.stderr);
  const [em] = await st.sql('SELECT em_votes FROM projects WHERE id = $1', [p.id]);
  assert.equal(Number(em.em_votes), 3);
  await settled(st);
});

test('futility: a task that the votes it may still take cannot overturn stops, flagged low_confidence', async () => {
  // Three labelers earn weight on three controls each (about 1.4 each:
  // accuracy 0.8 at the credible bound), then agree on a task whose
  // target (0.999) their three votes do not reach (0.985).  The two votes
  // max_votes still allows, even as weighty as the market lets a vote be
  // (accuracy 0.9), overturn that lead only if both go the other way: a
  // chance of about 2%.  Under the default futility (0.05) the task is
  // final at once, flagged; with futility 0 it waits for them, as before.
  const owner = await requester(st, 'live-futility');
  const tasks = (tag) => [
    ...[0, 1, 2, 3, 4, 5].map((g) => ({ data: { truth: 'cat', g, tag }, gold: 'cat' })),
    { data: { truth: 'cat', tag, n: 1 } }];
  const body = { min_votes: 3, max_votes: 5, confidence: 0.999, newcomer_gold_rate: 1 };
  const stops = await project(owner, body, tasks('stops'));
  const waits = await project(owner, { ...body, futility: 0 }, tasks('waits'));
  assert.equal(stops.futility, 0.05, 'the default');
  assert.equal(waits.futility, 0);
  for (const [p, after3] of [[stops, 'final'], [waits, 'open']]) {
    const ls = [await labeler(), await labeler(), await labeler()];
    for (const l of ls) {
      for (let i = 0; i < 3; i++) assert.ok(await voteOnce(l, p.id, truth));
      await settled(st);
      assert.deepEqual(Object.values(await belief(l, p.id)).slice(2), [3, 0], 'three controls right');
    }
    const votes = [];
    for (const l of ls) votes.push(await voteOnce(l, p.id, truth));
    assert.ok(votes.every((v) => v.task === votes[0].task), 'one task');
    assert.deepEqual(votes.map((v) => v.task_status), ['open', 'open', after3], `futility ${p.futility}`);
    if (after3 === 'final') {
      const row = (await labels(owner, p.id)).find((r) => r.task_id === votes[0].task);
      assert.equal(row.label, 'cat');
      assert.equal(row.low_confidence, true, 'below the target: flagged');
      assert.ok(row.confidence > 0.98 && row.confidence < 0.999, String(row.confidence));
    }
  }
  for (const bad of [-0.01, 0.6, 'often']) {
    const r = await api(st.url, 'POST', '/v1/projects', { token: owner.token,
      body: { ...BASE, name: 'bad futility', min_votes: 1, max_votes: 3, confidence: 0.9, futility: bad } });
    assert.equal(r.status, 422, r.text);
    assert.match(r.body.detail, /futility/);
  }
  await settled(st);
});
