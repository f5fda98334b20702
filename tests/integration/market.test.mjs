// tests/integration/market.test.mjs — the whole market on a real stack: a
// requester funds a project and uploads 200 tasks; 10 labelers of differing
// accuracy (two random, one always wrong) claim and vote concurrently until
// every task is final.  Then: accuracy against the truth, the ledger sums to
// zero, escrow paid = rewards, the always-wrong labeler is slashed and ranks
// last, nobody voted twice on a task, the log has one leaf per task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, sleep } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled, PROJECT } from './lib/market.mjs';

let st;
before(async () => {
  st = await startStack({ env: { LABELCHAIN_UNSTAKE_COOLDOWN: '1', LABELCHAIN_THREADS: '4',
    LABELCHAIN_DB_POOL: '8' } });
});
after(async () => { if (st) await st.stop(); });

// A deterministic PRNG so a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

test('sign-in, /v1/me, stake and unstake', async () => {
  const key = newKey();
  const token = await login(st.url, key);
  let me = await api(st.url, 'GET', '/v1/me', { token });
  assert.equal(me.status, 200);
  assert.deepEqual(me.body.roles, ['labeler']);
  assert.equal(me.body.public_key, key.pk);
  assert.equal(me.body.balance, 0);
  // Challenges are single use.
  const c = await api(st.url, 'POST', '/v1/auth/challenge', { body: { public_key: key.pk } });
  const body = { public_key: key.pk, challenge: c.body.challenge,
    signature: key.sign(`labelchain:login:v1\n${c.body.challenge}`) };
  assert.equal((await api(st.url, 'POST', '/v1/auth/login', { body })).status, 200);
  assert.equal((await api(st.url, 'POST', '/v1/auth/login', { body })).status, 401);
  // A wrong signature is refused.
  const c2 = await api(st.url, 'POST', '/v1/auth/challenge', { body: { public_key: key.pk } });
  const bad = await api(st.url, 'POST', '/v1/auth/login', { body: { public_key: key.pk,
    challenge: c2.body.challenge, signature: key.sign('something else') } });
  assert.equal(bad.status, 401);
  assert.match(bad.headers.get('content-type'), /problem\+json/);
  assert.equal(bad.body.type, 'urn:labelchain:problem:bad-signature');

  await credit(st, key.pk, 5000000);
  assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 9000000 } })).status, 409);
  assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 4000000 } })).status, 200);
  assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 1.5 } })).status, 422);
  const u = await api(st.url, 'POST', '/v1/me/unstake', { token, body: { amount: 1000000 } });
  assert.equal(u.status, 202);
  me = await api(st.url, 'GET', '/v1/me', { token });
  assert.equal(me.body.stake, 3000000);
  await sleep(1200);
  me = await api(st.url, 'GET', '/v1/me', { token });
  assert.equal(me.body.balance, 2000000, 'released after the cooldown');
  assert.equal(me.body.unstaking, 0);
  const led = await api(st.url, 'GET', '/v1/me/ledger', { token });
  assert.equal(led.status, 200);
  assert.deepEqual(led.body.map((e) => e.cause).sort(),
    ['credit', 'release', 'release', 'stake', 'stake', 'unstake', 'unstake']);
  const [{ sum }] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries');
  assert.equal(Number(sum), 0);
});

test('the whole market: 200 tasks, 10 concurrent labelers', { timeout: 300000 }, async () => {
  const rand = rng(42);
  const req = await requester(st, 'acme');
  await credit(st, 'acme', 1000000000);
  const p = await api(st.url, 'POST', '/v1/projects', { token: req.token, body: PROJECT });
  assert.equal(p.status, 201, p.text);
  const pid = p.body.id;
  const FUND = 300000000;
  assert.equal((await api(st.url, 'POST', `/v1/projects/${pid}/fund`, { token: req.token,
    body: { amount: FUND } })).status, 200);

  // 200 tasks, 20 of them gold; half as a JSON array, half as NDJSON.
  const truth = new Map();
  const tasks = [];
  for (let i = 0; i < 200; i++) {
    const label = PROJECT.labels[Math.floor(rand() * 3)];
    truth.set(`t${i}`, label);
    const t = { data: { image: `https://example.org/${i}.png`, n: i }, external_id: `t${i}` };
    if (i % 10 === 0) t.gold = label;
    tasks.push(t);
  }
  let up = await api(st.url, 'POST', `/v1/projects/${pid}/tasks`, { token: req.token, body: tasks.slice(0, 100) });
  assert.equal(up.status, 201, up.text);
  assert.deepEqual(up.body, { created: 100, duplicates: 0 });
  up = await api(st.url, 'POST', `/v1/projects/${pid}/tasks`, { token: req.token,
    raw: tasks.slice(50).map((t) => JSON.stringify(t)).join('\n') + '\n',
    headers: { 'content-type': 'application/x-ndjson' } });
  assert.equal(up.status, 201, up.text);
  assert.deepEqual(up.body, { created: 100, duplicates: 50 });

  // 10 labelers.
  const acc = [0.95, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 'random', 'random', 'wrong'];
  const labelers = [];
  for (let i = 0; i < acc.length; i++) {
    const key = newKey();
    const token = await login(st.url, key);
    await credit(st, key.pk, 100000000);
    const s = await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 50000000 } });
    assert.equal(s.status, 200, s.text);
    labelers.push({ i, key, token, acc: acc[i], votes: 0, conflicts: 0 });
  }

  async function work(l) {
    const r = rng(1000 + l.i);
    let idle = 0;
    for (;;) {
      const c = await api(st.url, 'POST', `/v1/projects/${pid}/assignments`, { token: l.token });
      if (c.status === 204) {
        const [{ open }] = await st.sql("SELECT count(*)::int AS open FROM tasks WHERE project_id = $1 AND status = 'open'", [pid]);
        if (open === 0 || ++idle > 400) return;
        await sleep(20);
        continue;
      }
      if (c.status === 403 && c.body.type === 'urn:labelchain:problem:unqualified') {
        // Known to answer at random, or worse: offered no more tasks.
        l.unqualified = true;
        return;
      }
      assert.equal(c.status, 201, c.text);
      idle = 0;
      const a = c.body;
      assert.deepEqual(a.labels, PROJECT.labels);
      assert.equal('gold' in a.task, false);
      const t = truth.get(`t${a.task.data.n}`);
      const wrong = PROJECT.labels.filter((x) => x !== t);
      let label;
      if (l.acc === 'random') label = PROJECT.labels[Math.floor(r() * 3)];
      else if (l.acc === 'wrong') label = wrong[Math.floor(r() * 2)];
      else label = r() < l.acc ? t : wrong[Math.floor(r() * 2)];
      if (l.votes === 0) {
        // A vote signed over another label is refused as a bad request
        // body (422), not as a lost session (401), and stores nothing.
        const other = wrong[0] === label ? wrong[1] : wrong[0];
        const forged = await api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token: l.token,
          body: { label, signature: voteSig(l.key, a.assignment_id, a.task.id, other) } });
        assert.equal(forged.status, 422, forged.text);
        assert.equal(forged.body.type, 'urn:labelchain:problem:bad-vote-signature');
      }
      const v = await api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token: l.token,
        body: { label, signature: voteSig(l.key, a.assignment_id, a.task.id, label) } });
      if (v.status === 409) { l.conflicts++; continue; } // task finalized meanwhile
      assert.equal(v.status, 201, v.text);
      l.votes++;
      if (l.votes === 1) {
        const again = await api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token: l.token,
          body: { label, signature: voteSig(l.key, a.assignment_id, a.task.id, label) } });
        assert.equal(again.status, 409, 'a second vote on one assignment');
      }
    }
  }
  const t0 = Date.now();
  await Promise.all(labelers.map(work));
  const secs = (Date.now() - t0) / 1000;

  // The labelers turned away (known to answer at random) leave tasks
  // that every remaining labeler has voted on: the re-estimation decides
  // them again with what is now known; what is still open waits for new
  // labelers.
  const re = await st.labelctl(['reestimate', String(pid)]);
  assert.equal(re.code, 0, re.stderr);
  const all = await st.sql('SELECT t.id, t.external_id, p.labels[t.final_label + 1] AS label, t.status, t.low_confidence, t.n_votes, t.leaf_index, t.gold_label FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.project_id = $1', [pid]);
  assert.equal(all.length, 200);
  const rows = all.filter((r) => r.status === 'final');
  const stuck = all.filter((r) => r.status !== 'final');
  const welcome = labelers.filter((l) => !l.unqualified).map((l) => l.key.pk);
  for (const r of stuck) {
    assert.equal(r.status, 'open');
    const [{ n }] = await st.sql('SELECT count(*)::int AS n FROM votes v JOIN accounts a ON a.id = v.account_id WHERE v.task_id = $1 AND a.public_key = ANY($2)', [r.id, welcome]);
    assert.equal(n, welcome.length, 'open only when every labeler still welcome has voted on it');
  }
  assert.ok(rows.length >= 180, `${rows.length} of 200 final`);
  const correct = rows.filter((r) => r.label === truth.get(r.external_id)).length;
  const nongold = rows.filter((r) => r.gold_label === null);
  const correctNongold = nongold.filter((r) => r.label === truth.get(r.external_id)).length;
  const low = rows.filter((r) => r.low_confidence).length;
  const votes = rows.reduce((s, r) => s + r.n_votes, 0);

  await settled(st);
  const [{ sum }] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries');
  const [{ bad }] = await st.sql('SELECT count(*)::int AS bad FROM ledger_accounts l WHERE balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.account_key = l.key)');
  const [{ neg }] = await st.sql("SELECT count(*)::int AS neg FROM ledger_accounts WHERE balance < 0 AND kind <> 'mint'");
  // Unspent: the escrow plus what is reserved for tasks not yet final.
  const [{ escrow }] = await st.sql("SELECT sum(balance)::bigint AS escrow FROM ledger_accounts WHERE project_id = $1 AND kind IN ('escrow', 'reserved')", [pid]);
  const [{ rewards }] = await st.sql("SELECT coalesce(sum(amount), 0)::bigint AS rewards FROM ledger_entries WHERE cause = 'reward' AND amount > 0 AND project_id = $1", [pid]);
  const [{ dup }] = await st.sql('SELECT count(*)::int AS dup FROM (SELECT task_id, account_id FROM votes GROUP BY 1, 2 HAVING count(*) > 1) d');
  // Final labels reach the log through the sequencer, a moment later.
  let leaves = [];
  for (let i = 0; i < 200 && leaves.length < rows.length; i++) {
    leaves = await st.sql('SELECT leaf_index FROM log_leaves WHERE project_id = $1 ORDER BY leaf_index', [pid]);
    if (leaves.length < rows.length) await sleep(25);
  }
  // What slashes took sits in each labeler's own 'slashed' sink.
  const slashes = await st.sql("SELECT account_id, balance::bigint AS slashed FROM ledger_accounts WHERE kind = 'slashed' AND account_id IS NOT NULL AND balance > 0");
  const reps = await st.sql('SELECT a.public_key, r.alpha / (r.alpha + r.beta) AS acc FROM reputations r JOIN accounts a ON a.id = r.account_id WHERE r.project_id = $1 ORDER BY acc DESC', [pid]);
  const wrongKey = labelers[9].key.pk;
  const wrongAcct = (await st.sql('SELECT id FROM accounts WHERE public_key = $1', [wrongKey]))[0].id;
  const wrongSlash = slashes.find((s) => Number(s.account_id) === Number(wrongAcct));

  const figures = {
    seconds: secs, tasks: all.length, final: rows.length, accuracy: correct / rows.length,
    accuracy_non_gold: correctNongold / nongold.length, low_confidence: low, votes,
    votes_per_task: votes / rows.length, ledger_sum: Number(sum), ledger_accounts_off: bad,
    negative_balances: neg, escrow_paid: FUND - Number(escrow), rewards: Number(rewards),
    always_wrong_slashed: wrongSlash ? Number(wrongSlash.slashed) : 0,
    always_wrong_rank: reps.findIndex((r) => r.public_key === wrongKey) + 1, labelers_ranked: reps.length,
    duplicate_votes: dup, leaves: leaves.length,
    per_labeler: labelers.map((l) => ({ acc: l.acc, votes: l.votes, conflicts: l.conflicts, unqualified: !!l.unqualified })),
    reputation: reps.map((r) => Number(r.acc).toFixed(3)),
  };
  console.log('MARKET FIGURES', JSON.stringify(figures, null, 1));

  assert.ok(correct / rows.length >= 0.9, `accuracy ${correct / rows.length}`);
  for (const l of labelers) {
    if (typeof l.acc === 'number') assert.ok(!l.unqualified, `a labeler right ${l.acc} of the time is never turned away`);
  }
  assert.equal(Number(sum), 0, 'the ledger sums to zero');
  assert.equal(bad, 0, 'balances equal the sums of their entries');
  assert.equal(neg, 0, 'no balance below zero');
  assert.equal(FUND - Number(escrow), Number(rewards), 'escrow paid = rewards');
  assert.ok(wrongSlash && Number(wrongSlash.slashed) > 0, 'the always-wrong labeler was slashed');
  // Below every honest labeler and below chance.  (Not necessarily
  // below the random ones: a labeler turned away for failed controls
  // keeps the belief of the answers it gave, fewer or more.)
  const repOf = (pk) => Number(reps.find((r) => r.public_key === pk).acc);
  const honestMin = Math.min(...labelers.filter((l) => typeof l.acc === 'number').map((l) => repOf(l.key.pk)));
  assert.ok(repOf(wrongKey) < honestMin, 'the always-wrong labeler ranks below every honest one');
  assert.ok(repOf(wrongKey) < 1 / 3, 'the always-wrong labeler is believed worse than chance');
  assert.equal(dup, 0, 'no labeler voted twice on a task');
  assert.deepEqual(leaves.map((l) => Number(l.leaf_index)), [...Array(rows.length).keys()].map((i) => i + leaves.length - rows.length + 0));

  // Export: JSON lines and CSV.
  const ex = await api(st.url, 'GET', `/v1/projects/${pid}/labels`, { token: req.token });
  assert.equal(ex.status, 200);
  const lines = ex.text.trim().split('\n').map((x) => JSON.parse(x));
  assert.equal(lines.length, rows.length);
  for (const k of ['task_id', 'external_id', 'label', 'confidence', 'votes', 'low_confidence', 'leaf_index', 'anchored'])
    assert.ok(k in lines[0], k);
  const csv = await api(st.url, 'GET', `/v1/projects/${pid}/labels?format=csv`, { token: req.token });
  assert.equal(csv.status, 200);
  assert.equal(csv.text.trim().split('\r\n').length, rows.length + 1);

  // Progress figures, then close: the unspent escrow returns.
  const show = await api(st.url, 'GET', `/v1/projects/${pid}`, { token: req.token });
  assert.equal(show.body.progress.final, rows.length);
  assert.equal(show.body.progress.open, stuck.length);
  const before = (await api(st.url, 'GET', '/v1/me', { token: req.token })).body.balance;
  const cl = await api(st.url, 'POST', `/v1/projects/${pid}/close`, { token: req.token });
  assert.equal(cl.status, 200);
  assert.equal(cl.body.escrow, 0);
  const afterBal = (await api(st.url, 'GET', '/v1/me', { token: req.token })).body.balance;
  assert.equal(afterBal - before, Number(escrow));
});

test('a labeler holds at most two leases per project: one on screen, one prefetched', async () => {
  const req = await requester(st, 'prefetch-req');
  await credit(st, req.id, 100000000);
  const p = await api(st.url, 'POST', '/v1/projects', { token: req.token,
    body: { ...PROJECT, name: 'prefetch', gold_rate: 0 } });
  assert.equal(p.status, 201, p.text);
  assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/fund`, { token: req.token,
    body: { amount: 50000000 } })).status, 200);
  assert.equal((await api(st.url, 'POST', `/v1/projects/${p.body.id}/tasks`, { token: req.token,
    body: [1, 2, 3, 4].map((n) => ({ data: { n } })) })).status, 201);
  const key = newKey();
  const token = await login(st.url, key);
  const me = await api(st.url, 'GET', '/v1/me', { token });
  await credit(st, me.body.id, 20000000);
  assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token, body: { amount: 15000000 } })).status, 200);
  const claim = () => api(st.url, 'POST', `/v1/projects/${p.body.id}/assignments`, { token });
  const a1 = await claim();
  const a2 = await claim();
  assert.equal(a1.status, 201);
  assert.equal(a2.status, 201);
  assert.notEqual(a2.body.assignment_id, a1.body.assignment_id);
  assert.notEqual(a2.body.task.id, a1.body.task.id);
  const a3 = await claim();
  assert.equal(a3.body.assignment_id, a1.body.assignment_id, 'a third claim returns the oldest lease');
  // Voting on the first frees a slot: the next claim is a new task.
  const v = await api(st.url, 'POST', `/v1/assignments/${a1.body.assignment_id}/vote`, { token,
    body: { label: 'cat', signature: voteSig(key, a1.body.assignment_id, a1.body.task.id, 'cat') } });
  assert.equal(v.status, 201, v.text);
  const a4 = await claim();
  assert.ok(![a1.body.task.id, a2.body.task.id].includes(a4.body.task.id));
  const [{ n }] = await st.sql("SELECT count(*)::int AS n FROM assignments WHERE account_id = $1 AND status = 'active' AND expires_at > now()", [me.body.id]);
  assert.equal(n, 2);
});
