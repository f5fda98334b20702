// tests/integration/bounded.test.mjs — issue 12, items 2 and 3, against the
// real stack:
//  - progress figures are counters (sql/0010_bounded.sql) and equal a
//    recount from the tables after labelers vote, tasks finalize, the
//    re-estimation runs and a project is closed, all at once;
//  - a close racing votes never deadlocks (pg_stat_database.deadlocks and
//    the PostgreSQL log, before and after);
//  - a labeler's stake is capped at the reputation library's 10^15, and
//    labelers at the cap on a project at every maximum still finalize;
//  - every list endpoint, at realistic row counts, is planned without a
//    sequential scan over votes, ledger_entries or tasks: auto_explain
//    logs the plan (EXPLAIN FORMAT JSON) of every statement the server
//    runs for them, nested ones included, and the test reads them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, api, sleep } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled, PROJECT } from './lib/market.mjs';

const CAP = 1_000_000_000_000_000; // 10^15: LC_MAX_AMOUNT (one call), LC_MAX_STAKE_TOTAL (a stake)

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

// The figures as GET /v1/projects counted them before 0010: from the tables.
const RECOUNT = `SELECT p.id::int AS id, count(t.id)::int AS tasks,
    count(t.id) FILTER (WHERE t.status = 'open')::int AS open,
    count(t.id) FILTER (WHERE t.status = 'final')::int AS final,
    count(t.id) FILTER (WHERE t.status = 'cancelled')::int AS cancelled,
    count(t.id) FILTER (WHERE t.low_confidence)::int AS low_confidence,
    count(t.id) FILTER (WHERE t.unverified)::int AS unverified,
    count(t.id) FILTER (WHERE t.gold_label IS NOT NULL)::int AS gold,
    count(t.id) FILTER (WHERE t.gold_label IS NOT NULL AND t.status = 'final')::int AS gold_final,
    coalesce(sum(t.n_votes), 0)::int AS votes,
    coalesce(sum(t.n_votes) FILTER (WHERE t.status = 'final'), 0)::int AS votes_final,
    (SELECT count(*) FROM tasks tk JOIN votes v ON v.task_id = tk.id WHERE tk.project_id = p.id
      AND tk.status = 'final' AND v.label = tk.final_label)::int AS agree,
    (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.project_id = p.id
      AND e.cause = 'reward' AND e.amount > 0)::bigint AS spend
  FROM projects p LEFT JOIN tasks t ON t.project_id = p.id GROUP BY p.id ORDER BY p.id`;
const COUNTERS = `SELECT g.project_id::int AS id, g.n_tasks::int AS tasks, g.n_open::int AS open,
    g.n_final::int AS final, g.n_cancelled::int AS cancelled, g.n_low::int AS low_confidence,
    g.n_unverified::int AS unverified, g.n_gold::int AS gold, g.n_gold_final::int AS gold_final,
    g.n_votes::int AS votes, g.n_votes_final::int AS votes_final, g.n_agree::int AS agree,
    g.spend::bigint AS spend FROM projects p, LATERAL lc_progress(p.id) g ORDER BY p.id`;
const norm = (rows) => rows.map((r) => ({ ...r, spend: Number(r.spend) }));
// Counters and recount agree, project by project (the first few that do
// not are named).
async function figuresMatch(st, what) {
  const [c, r] = [norm(await st.sql(COUNTERS)), norm(await st.sql(RECOUNT))];
  assert.equal(c.length, r.length);
  const off = c.map((x, i) => [x, r[i]]).filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(y));
  assert.deepEqual(off.slice(0, 3), [], `${what}: ${off.length} projects differ`);
  return r;
}

test('progress counters equal a recount after concurrent votes, finalizations, re-estimation and a close', { timeout: 240000 }, async () => {
  const st = await startStack({ env: { LABELCHAIN_THREADS: '4', LABELCHAIN_DB_POOL: '12' } });
  try {
    const owner = await requester(st, 'counted');
    await credit(st, owner.id, 100_000_000_000);
    const tasks = (n, gold) => Array.from({ length: n }, (_, i) => ({ data: { i }, ...(gold && i % 5 === 0 ? { gold: 'cat' } : {}) }));
    const a = await newProject(st, owner, { name: 'A', min_votes: 2, max_votes: 4, confidence: 0.8, gold_rate: 0.2, min_stake: 1_000_000 }, 2_000_000_000, tasks(300, true));
    const b = await newProject(st, owner, { name: 'B', min_votes: 2, max_votes: 3, gold_rate: 0, newcomer_gold_rate: 0, min_stake: 1_000_000 }, 2_000_000_000, tasks(300, false));
    const ls = [];
    for (let i = 0; i < 16; i++) ls.push(await labeler(st, 50_000_000));
    const state = { stop: false, votes: 0, codes: {} };
    // mostly right, sometimes not: finals of every kind, low confidence too
    const pick = (c) => (Math.random() < 0.75 ? 'cat' : c.labels[1 + Math.floor(Math.random() * 2)]);
    const work = ls.map((l, i) => labelLoop(st, l, i % 2 ? b : a, state, pick));
    await sleep(1500);
    const re = await api(st.url, 'POST', `/v1/projects/${a}/reestimate`, { token: owner.token });
    assert.equal(re.status, 202, re.text);
    const c = await api(st.url, 'POST', `/v1/projects/${b}/close`, { token: owner.token });
    assert.equal(c.status, 200, c.text);
    await sleep(1500);
    state.stop = true;
    await Promise.all(work);
    assert.ok(state.votes > 100, `votes: ${state.votes} ${JSON.stringify(state.codes)}`);
    // exact at every commit: counters plus queue, before the settler is done
    await figuresMatch(st, 'counters and queue, mid-settlement');
    await settled(st);
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await st.sql('SELECT count(*)::int AS n FROM project_progress_pending');
      if (n === 0) break;
      await sleep(20);
    }
    const [{ n }] = await st.sql('SELECT count(*)::int AS n FROM project_progress_pending');
    assert.equal(n, 0, 'the settler folds the queue');
    const recount = await figuresMatch(st, 'counters once settled');
    const [fa, fb] = [recount.find((r) => r.id === a), recount.find((r) => r.id === b)];
    assert.ok(fa.final > 0 && fa.gold_final > 0 && fa.spend > 0, JSON.stringify(fa));
    assert.ok(fb.cancelled > 0 && fb.open === 0, JSON.stringify(fb));
    // and what the API shows
    for (const [pid, f] of [[a, fa], [b, fb]]) {
      const g = (await api(st.url, 'GET', `/v1/projects/${pid}`, { token: owner.token })).body;
      const pr = g.progress;
      assert.deepEqual([pr.tasks, pr.open, pr.final, pr.cancelled, pr.low_confidence, pr.unverified, pr.votes,
        pr.spend, pr.gold, pr.gold_final], [f.tasks, f.open, f.final, f.cancelled, f.low_confidence, f.unverified,
        f.votes, f.spend, f.gold, f.gold_final]);
      assert.ok(Math.abs(pr.agreement - (f.votes_final > 0 ? f.agree / f.votes_final : 0)) < 1e-12, String(pr.agreement));
      const listed = (await api(st.url, 'GET', '/v1/projects?scope=own', { token: owner.token })).body.find((x) => x.id === pid);
      assert.deepEqual(listed.progress, pr);
    }
    // the export, a page at a time, following Link: rel="next"
    const ids = [];
    let next = `/v1/projects/${a}/labels?limit=25`;
    let pages = 0;
    while (next) {
      const r = await api(st.url, 'GET', next, { token: owner.token });
      assert.equal(r.status, 200, r.text);
      const rows = r.text.split('\n').filter(Boolean).map((x) => JSON.parse(x));
      assert.ok(rows.length <= 25);
      ids.push(...rows.map((x) => x.task_id));
      const link = r.headers.get('link');
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)[1] : null;
      if (next) assert.equal(rows.length, 25, 'only a full page links on');
      pages++;
    }
    assert.ok(pages > 1, `pages: ${pages}`);
    assert.equal(ids.length, fa.final);
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'task order, no repeats');
    assert.equal(new Set(ids).size, ids.length);
    const bad = await api(st.url, 'GET', `/v1/projects/${a}/labels?limit=100001`, { token: owner.token });
    assert.equal(bad.status, 422, bad.text);
  } finally { await st.stop(); }
});

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

test('a stake is capped at the library\'s 10^15; labelers at the cap still finalize every task', { timeout: 120000 }, async () => {
  const st = await startStack();
  try {
    const owner = await requester(st, 'whales');
    for (let i = 0; i < 3; i++) await credit(st, owner.id, CAP);
    // at the cap at once: one more micro-credit is refused, with the reason
    const w = await labeler(st, CAP);
    await credit(st, w.id, 5);
    const over = await api(st.url, 'POST', '/v1/me/stake', { token: w.token, body: { amount: 1 } });
    assert.equal(over.status, 422, over.text);
    assert.match(over.headers.get('content-type'), /application\/problem\+json/);
    assert.equal(over.body.type, 'urn:labelchain:problem:validation');
    assert.match(over.body.detail, /may not exceed 1000000000000000 .* stake 0 more/);
    // in steps: the call that would pass the cap is refused, the rest holds
    const s = await labeler(st, CAP - 10);
    await credit(st, s.id, 100);
    assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token: s.token, body: { amount: 11 } })).status, 422);
    assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token: s.token, body: { amount: 10 } })).status, 200);
    const m = (await api(st.url, 'GET', '/v1/me', { token: s.token })).body;
    assert.equal(m.stake, CAP);
    assert.equal(m.balance, 90);
    // every figure at its maximum: stake_ref and reward at 10^15, stakes at
    // the cap, a control slashed at the gold rate; two whales agree, one
    // does not (and stays above min_stake once slashed)
    const labels = ['cat', 'dog'];
    const pid = await newProject(st, owner, { name: 'max', labels, min_votes: 3, max_votes: 3, confidence: 0.99,
      reward_per_task: CAP, min_stake: CAP / 2, stake_ref: CAP, gold_rate: 0.5, newcomer_gold_rate: 0 }, CAP,
    [{ data: { n: 1 } }, { data: { n: 2 }, gold: 'cat' }]);
    const fund = await api(st.url, 'POST', `/v1/projects/${pid}/fund`, { token: owner.token, body: { amount: CAP } });
    assert.equal(fund.status, 200, fund.text);
    assert.equal(fund.body.escrow_reserved, 2 * CAP, 'both tasks funded');
    const whales = [w, s, await labeler(st, CAP)];
    const answers = ['cat', 'cat', 'dog'];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) {
        const c = await claim(st, whales[i], pid);
        assert.equal(c.status, 201, c.text);
        const v = await vote(st, whales[i], c.body, answers[i]);
        assert.equal(v.status, 201, v.text);
      }
    }
    const rows = await st.sql('SELECT status, final_label FROM tasks WHERE project_id = $1 ORDER BY id', [pid]);
    assert.deepEqual(rows.map((r) => r.status), ['final', 'final'], 'both tasks final');
    await settled(st);
    const [{ sum }] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries');
    assert.equal(Number(sum), 0);
    const [{ slashed }] = await st.sql("SELECT balance::bigint AS slashed FROM ledger_accounts WHERE key = $1", [`a/${whales[2].id}/slashed`]);
    assert.ok(Number(slashed) > 0, 'the dissenter was slashed');
    const [{ stuck }] = await st.sql("SELECT count(*)::int AS stuck FROM votes v JOIN tasks t ON t.id = v.task_id WHERE t.project_id = $1 AND t.status = 'final' AND v.bond > 0 AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = v.assignment_id AND a.status = 'voted')", [pid]);
    assert.equal(stuck, 0, 'no bond left held');
  } finally { await st.stop(); }
});

// ---- EXPLAIN of every list endpoint at realistic row counts ----------------

// auto_explain's JSON plans in the PostgreSQL log from byte `from` on, of
// the backend `pid` (the server's request connection, not its
// housekeeping threads').
function loggedPlans(file, from, pid) {
  const text = fs.readFileSync(file, 'utf8').slice(from);
  const head = /^\S+ \S+ UTC \[(\d+)\] LOG:  duration: [\d.]+ ms  plan:\n/gm;
  const plans = [];
  let m;
  while ((m = head.exec(text)) !== null) {
    const rest = text.slice(head.lastIndex);
    const end = rest.search(/^\S+ \S+ UTC \[\d+\] /m);
    if (Number(m[1]) === pid) plans.push(JSON.parse(end < 0 ? rest : rest.slice(0, end)));
  }
  return plans;
}
function nodes(plan, out = []) {
  out.push(plan);
  for (const p of plan.Plans || []) nodes(p, out);
  return out;
}

test('every list endpoint reads a page through indexes: no Seq Scan on votes, ledger_entries or tasks', { timeout: 300000 }, async () => {
  const st = await startStack({ server: false });
  try {
    // auto_explain in every session, silent until asked
    await st.sql("LOAD 'auto_explain'"); // so that ALTER SYSTEM knows its settings
    await st.sql("ALTER SYSTEM SET session_preload_libraries = 'auto_explain'");
    await st.sql("ALTER SYSTEM SET auto_explain.log_format = 'json'");
    await st.sql('ALTER SYSTEM SET auto_explain.log_nested_statements = on');
    await st.sql('ALTER SYSTEM SET auto_explain.log_min_duration = -1');
    await st.sql('SELECT pg_reload_conf()');
    st.server = await st.startServer({ LABELCHAIN_THREADS: '1', LABELCHAIN_DB_POOL: '1' });
    st.url = st.server.url;
    const owner = await requester(st, 'big-owner');
    const lab = await labeler(st, 0);

    // A market of realistic size: 2,000 labelers, 300 projects (one of
    // 60,000 tasks), 100,000 tasks, 2-3 votes each, a reward entry per
    // final task, and a labeler with 20,000 ledger movements and 20,000
    // reputation changes over 50 projects.
    const q = (s, p) => st.sql(s, p);
    await q(`INSERT INTO accounts (name, is_labeler) SELECT 'bulk-' || g, true FROM generate_series(1, 2000) g`);
    await q(`INSERT INTO ledger_accounts (key, kind, account_id) SELECT 'a/' || a.id || '/' || k, k, a.id
      FROM accounts a, unnest(ARRAY['balance', 'stake', 'bond', 'unstaking', 'slashed']) k WHERE a.name LIKE 'bulk-%'`);
    await q(`INSERT INTO projects (owner_id, name, labels, reward_per_task, min_votes, max_votes, confidence,
      min_stake, gold_rate, stake_ref, status) SELECT $1, 'bulk ' || g, ARRAY['cat', 'dog'], 1000, 2, 3, 0.9, 0, 0, 1,
      CASE WHEN g % 6 = 0 THEN 'paused' ELSE 'open' END FROM generate_series(1, 300) g`, [owner.id]);
    await q(`INSERT INTO ledger_accounts (key, kind, project_id) SELECT 'p/' || p.id || '/' || k, k, p.id
      FROM projects p, unnest(ARRAY['escrow', 'reserved']) k ON CONFLICT DO NOTHING`);
    const [{ big }] = await q(`SELECT min(id)::int AS big FROM projects WHERE name LIKE 'bulk %'`);
    await q(`INSERT INTO tasks (project_id, data, data_sha256, status, n_votes, final_label, confidence, gold_label,
      funded, need) SELECT CASE WHEN g <= 60000 THEN $1 ELSE $1 + 1 + g % 299 END, '{"g":' || g || '}',
      md5(g::text) || md5(g::text), 'open', CASE WHEN g <= 60000 AND g % 10 = 1 THEN 3 ELSE 2 END, NULL, NULL,
      CASE WHEN g % 50 = 0 THEN 0 END, true, 1 FROM generate_series(1, 100000) g`, [big]);
    const [{ a0 }] = await q(`SELECT min(id)::int AS a0 FROM accounts WHERE name LIKE 'bulk-%'`);
    await q(`INSERT INTO assignments (project_id, task_id, account_id, status, expires_at)
      SELECT t.project_id, t.id, $1 + (t.id + k * 1000) % 2000, 'voted', now()
      FROM tasks t, generate_series(0, 1) k
      UNION ALL SELECT t.project_id, t.id, $2, 'voted', now() FROM tasks t WHERE t.project_id = $3 AND t.n_votes = 3`,
    [a0, lab.id, big]);
    await q(`INSERT INTO votes (project_id, task_id, assignment_id, account_id, label, public_key, signature, weight)
      SELECT a.project_id, a.task_id, a.id, a.account_id, a.id % 2, repeat('ab', 32), repeat('cd', 64), 1
      FROM assignments a`);
    // two thirds final, as finalizations leave them
    await q(`UPDATE tasks SET status = 'final', final_label = id % 2, confidence = 0.95, need = 0
      WHERE id % 3 <> 0`);
    await q(`UPDATE assignments a SET status = 'settled' FROM tasks t WHERE t.id = a.task_id AND t.status = 'final'`);
    await q(`INSERT INTO ledger_entries (movement_id, account_key, amount, cause, project_id, task_id)
      SELECT 1000000000 + t.id, x.k, x.a, 'reward', t.project_id, t.id FROM tasks t,
      LATERAL (VALUES ('a/' || ($1 + t.id % 2000) || '/balance', 1000), ('p/' || t.project_id || '/reserved', -1000)) x(k, a)
      WHERE t.status = 'final'`, [a0]);
    await q(`INSERT INTO ledger_entries (movement_id, account_key, amount, cause)
      SELECT 2000000000 + g, x.k, x.a, 'credit' FROM generate_series(1, 20000) g,
      LATERAL (VALUES ('a/' || $1::bigint || '/balance', 1), ('sys/mint', -1)) x(k, a)`, [lab.id]);
    await q(`INSERT INTO reputation_history (account_id, project_id, alpha, beta, task_id, created_at)
      SELECT $1, $2 + g % 50, 2 + g, 2, NULL, now() - make_interval(secs => g)
      FROM generate_series(1, 20000) g`, [lab.id, big]);
    await q('ANALYZE');
    const [counts] = await q(`SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM votes)::int AS votes,
      (SELECT count(*) FROM ledger_entries)::int AS ledger_entries`);
    assert.ok(counts.tasks >= 100000 && counts.votes >= 200000 && counts.ledger_entries >= 170000, JSON.stringify(counts));
    // the counters came along with the rows
    await figuresMatch(st, 'bulk data');

    const [{ lastFinal }] = await q(`SELECT (array_agg(id ORDER BY id))[5000]::int AS "lastFinal" FROM tasks
      WHERE project_id = $1 AND status = 'final'`, [big]);
    const [{ midEntry }] = await q(`SELECT (array_agg(id ORDER BY id))[10000]::int AS "midEntry" FROM ledger_entries
      WHERE account_key = $1`, [`a/${lab.id}/balance`]);
    const o = { token: owner.token };
    const l = { token: lab.token };
    const calls = [
      ['owner: GET /v1/projects', '/v1/projects?limit=500', o],
      ['owner: GET /v1/projects, a later page', `/v1/projects?limit=100&before=${big + 200}`, o],
      ['labeler: GET /v1/projects', '/v1/projects?scope=label&limit=500', l],
      ['owner: GET /v1/projects/{id}', `/v1/projects/${big}`, o],
      ['labeler: GET /v1/projects/{id}', `/v1/projects/${big}`, l],
      ['owner: GET /v1/projects/{id}/labels', `/v1/projects/${big}/labels?limit=1000`, o],
      ['owner: GET /v1/projects/{id}/labels, a later page', `/v1/projects/${big}/labels?limit=1000&after=${lastFinal}&format=csv`, o],
      ['labeler: GET /v1/me', '/v1/me', l],
      ['labeler: GET /v1/me/ledger', '/v1/me/ledger?limit=500', l],
      ['labeler: GET /v1/me/ledger, a later page', `/v1/me/ledger?limit=500&before=${midEntry}`, l],
      ['labeler: GET /v1/me/reputation, one project', `/v1/me/reputation?project=${big}&limit=1000`, l],
      ['labeler: GET /v1/me/reputation', '/v1/me/reputation?limit=100', l],
      ['anyone: GET /v1/anchors', '/v1/anchors?limit=100', {}],
    ];
    // Six runs first, so that every statement has settled on its plan
    // (PostgreSQL may switch a prepared statement to a generic plan at its
    // sixth execution), then one logged run of each.
    for (let i = 0; i < 6; i++) {
      for (const [name, p, auth] of calls) {
        const r = await api(st.url, 'GET', p, auth);
        assert.equal(r.status, 200, `${name}: ${r.text}`);
      }
    }
    // The request connection (LABELCHAIN_DB_POOL=1): the one that served
    // the last call.
    const [{ pid }] = await st.sql(`SELECT pid FROM pg_stat_activity WHERE application_name = 'labelchain'
      AND query LIKE '%FROM anchors%'`);
    const logFile = path.join(st.pg.data, 'server.log');
    const summary = {};
    let bad = [];
    for (const [name, p, auth] of calls) {
      await st.sql('ALTER SYSTEM SET auto_explain.log_min_duration = 0');
      await st.sql('SELECT pg_reload_conf()');
      await sleep(300);
      const from = fs.statSync(logFile).size;
      const r = await api(st.url, 'GET', p, auth);
      assert.equal(r.status, 200, `${name}: ${r.text}`);
      await st.sql('ALTER SYSTEM SET auto_explain.log_min_duration = -1');
      await st.sql('SELECT pg_reload_conf()');
      await sleep(300);
      const plans = loggedPlans(logFile, from, pid);
      assert.ok(plans.length > 0, `${name}: no plan logged`);
      const scans = new Set();
      for (const pl of plans) {
        for (const n of nodes(pl.Plan)) {
          if (!n['Relation Name']) {
            if (n['Index Name']) scans.add(`${n['Node Type']} (${n['Index Name']})`);
            continue;
          }
          scans.add(`${n['Node Type']} ${n['Relation Name']}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`);
          if (n['Node Type'] === 'Seq Scan' && ['votes', 'ledger_entries', 'tasks'].includes(n['Relation Name'])) {
            bad.push(`${name}: Seq Scan on ${n['Relation Name']} in ${pl['Query Text'].slice(0, 160)}`);
          }
        }
      }
      summary[name] = [...scans].sort();
    }
    if (process.env.LC_PLANS) console.log(JSON.stringify(summary, null, 1));
    bad = [...new Set(bad)];
    assert.deepEqual(bad, [], bad.join('\n'));
    // the statements that carry the pages use the indexes made for them
    const all = JSON.stringify(summary);
    for (const idx of ['project_progress_pkey', 'tasks_final', 'ledger_entries_account', 'ledger_accounts_account',
      'projects_open', 'reputation_history_account_time']) {
      assert.ok(all.includes(idx), `${idx} is used: ${all}`);
    }
  } finally { await st.stop(); }
});
