// tests/integration/anchor.test.mjs — the anchoring worker, the proof and
// anchor API and `labelctl verify`, against a real PostgreSQL, anvil and
// labelchaind: labels finalized by the market enter the log and are anchored;
// proofs verify with --rpc; tampering fails at the right step; consistency
// proofs between successive anchors verify; a reorg that drops an anchor
// gets it re-sent and confirmed; anvil stopped for 60 s → the backlog is
// anchored once; killing the leader → the other instance anchors; a crash
// between recording and sending re-sends the same transaction; a stuck
// anchor is replaced at the same nonce with higher fees; the labels export
// says `anchored` only once an anchor covering the leaf is confirmed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, api, sleep } from './lib/stack.mjs';
import { TestLog, verifyConsistency, waitAnchors } from './lib/anchorlog.mjs';
import { newKey, login, requester, credit, voteSig, PROJECT } from './lib/market.mjs';

const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const SENDER = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
let st; let log; let keyDir; let env;
let cur;		// the URL of a live labelchaind
let plainTransfers = 0;	// transactions of SENDER that are not anchors

before(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-key-'));
  const keyFile = path.join(keyDir, 'chain.key');
  fs.writeFileSync(keyFile, `${DEV_KEY}\n`, { mode: 0o600 });
  env = { LABELCHAIN_CHAIN_KEY_FILE: keyFile, LABELCHAIN_ANCHOR_INTERVAL: '1',
    LABELCHAIN_ANCHOR_CONFIRMATIONS: '2' };
  st = await startStack({ anvil: true, env });
  cur = st.url;
  log = await new TestLog(st).init();
});
after(async () => {
  const results = await st.stop();
  fs.rmSync(keyDir, { recursive: true, force: true });
  // A clean SIGTERM exit (worker stopped, nothing leaked under ASan).
  for (const r of results) assert.equal(r.code, 0, 'labelchaind exits 0 on SIGTERM');
});

const confirmedAt = (size) => (rows) => rows.some((r) => r.tree_size === size && r.status === 'confirmed');

async function getProof(taskId, { server = cur, token = log.token } = {}) {
  const r = await api(server, 'GET', `/v1/tasks/${taskId}/proof`, { token });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function verify(proof, rpc = true) {
  const f = path.join(st.dir, `proof-${Date.now()}-${Math.random()}.json`);
  fs.writeFileSync(f, JSON.stringify(proof));
  return st.labelctl(['verify', f, ...(rpc ? ['--rpc', st.rpcUrl] : [])]);
}

async function verifyTask(taskId, opts) {
  const v = await verify(await getProof(taskId, opts), true);
  assert.equal(v.code, 0, v.stdout + v.stderr);
}

async function metric(url, name) {
  const t = (await api(url, 'GET', '/metrics')).text;
  const m = t.match(new RegExp(`^${name} (\\d+)`, 'm'));
  return m ? Number(m[1]) : undefined;
}

async function senderTxCount() {
  return parseInt(await st.anvil.rpc('eth_getTransactionCount', [SENDER, 'latest']), 16);
}

test('a key file readable by others is refused at start-up', async () => {
  const bad = path.join(keyDir, 'open.key');
  fs.writeFileSync(bad, `${DEV_KEY}\n`);
  fs.chmodSync(bad, 0o644);
  const s = await st.startServer({ ...env, LABELCHAIN_CHAIN_KEY_FILE: bad }, { waitReady: false });
  const r = await s.exited;
  assert.equal(r.code, 2);
  assert.ok(!s.log().includes(DEV_KEY.slice(2, 20)), 'the key is never logged');
  st.servers.splice(st.servers.indexOf(s), 1);
});

test('labels finalized by the market enter the log, are anchored and verify', async () => {
  const req = await requester(st, 'acme');
  await credit(st, 'acme', 1000000000);
  const p = await api(cur, 'POST', '/v1/projects', { token: req.token,
    body: { ...PROJECT, min_votes: 1, max_votes: 1, gold_rate: 0 } });
  assert.equal(p.status, 201, p.text);
  const pid = p.body.id;
  assert.equal((await api(cur, 'POST', `/v1/projects/${pid}/fund`, { token: req.token,
    body: { amount: 100000000 } })).status, 200);
  const up = await api(cur, 'POST', `/v1/projects/${pid}/tasks`, { token: req.token,
    body: [0, 1, 2].map((i) => ({ data: { n: i }, external_id: `a${i}` })) });
  assert.equal(up.status, 201, up.text);
  const key = newKey();
  const token = await login(cur, key);
  await credit(st, key.pk, 100000000);
  assert.equal((await api(cur, 'POST', '/v1/me/stake', { token, body: { amount: 50000000 } })).status, 200);
  const voted = [];
  for (;;) {
    const c = await api(cur, 'POST', `/v1/projects/${pid}/assignments`, { token });
    if (c.status === 204) break;
    assert.equal(c.status, 201, c.text);
    const a = c.body;
    const v = await api(cur, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token,
      body: { label: 'dog', signature: voteSig(key, a.assignment_id, a.task.id, 'dog') } });
    assert.equal(v.status, 201, v.text);
    voted.push(a.task.id);
  }
  assert.equal(voted.length, 3);
  assert.equal(await log.waitSize(3), 3, 'three final labels in the log');
  const all = await waitAnchors(st, confirmedAt(3));
  // With a 1 s interval a slow build (ASan) may anchor a prefix first; what
  // must hold is one anchor per tree size, growing, ending at 3.
  const sizes = all.map((r) => r.tree_size);
  assert.deepEqual(sizes, [...new Set(sizes)].sort((a, b) => a - b), 'one anchor per size, in order');
  assert.equal(sizes[sizes.length - 1], 3);
  const rows = all.filter((r) => r.tree_size === 3);
  for (const id of voted) {
    const proof = await getProof(id, { token: req.token });
    assert.equal(proof.tree_size, 3);
    assert.match(proof.leaf, new RegExp(`"task":${id},`));
    assert.match(proof.leaf, new RegExp(`"key":"${key.pk}"`));
    assert.equal(proof.anchor.tx_hash, `0x${rows[0].tx}`);
    await verifyTask(id, { token: req.token });
  }
  // Proofs are the project owner's.
  assert.equal((await api(cur, 'GET', `/v1/tasks/${voted[0]}/proof`)).status, 401);
  assert.equal((await api(cur, 'GET', `/v1/tasks/${voted[0]}/proof`, { token: log.token })).status, 403);
  const tx = await st.anvil.rpc('eth_getTransactionByHash', [`0x${rows[0].tx}`]);
  assert.equal(tx.type, '0x2');
  assert.equal(tx.from.toLowerCase(), SENDER);
  assert.equal(tx.input, `0x6c630001${rows[0].root}0000000000000003`);
  const rc = await st.anvil.rpc('eth_getTransactionReceipt', [`0x${rows[0].tx}`]);
  console.log(`# gas used per anchor: ${parseInt(rc.gasUsed, 16)} (limit ${parseInt(tx.gas, 16)})`);
});

test('test-log leaves are anchored and the API and CLI report them', async () => {
  const s0 = await log.size();
  const leaves = await log.append(5);
  // Before an anchor covers it, the proof is served with anchor null.
  const early = await getProof(leaves[0].taskId);
  assert.equal(early.anchor, null);
  assert.equal((await verify(early, false)).code, 0, 'offline check of an unanchored proof');
  assert.equal((await verify(early, true)).code, 1, 'no anchor to check on the chain');
  const rows = await waitAnchors(st, confirmedAt(s0 + 5));
  assert.equal(rows.filter((r) => r.tree_size > s0).length, 1, 'one anchor for the five leaves');
  for (const leaf of leaves) {
    const proof = await getProof(leaf.taskId);
    assert.equal(proof.leaf, leaf.record);
    assert.equal(proof.leaf_index, leaf.index);
    assert.equal(proof.tree_size, s0 + 5);
    assert.equal(proof.anchor.chain_id, 31337);
    await verifyTask(leaf.taskId);
  }
  assert.equal(await metric(cur, 'labelchain_anchor_leader'), 1);
  assert.ok(await metric(cur, 'labelchain_anchor_confirmed_total') >= 2);
  const list = await api(cur, 'GET', '/v1/anchors');
  assert.equal(list.status, 200);
  assert.deepEqual(Object.keys(list.body[0]).slice(0, 7),
    ['tree_size', 'root', 'chain_id', 'tx_hash', 'block_number', 'confirmations', 'status']);
  assert.equal(list.body[0].tree_size, s0 + 5);
  const s = await st.labelctl(['anchor', 'status']);
  assert.equal(s.code, 0);
  assert.match(s.stdout, new RegExp(`confirmed_tree_size=${s0 + 5}`));
  const l = await st.labelctl(['anchor', 'list']);
  assert.equal(l.code, 0);
  assert.match(l.stdout, /confirmed/);
  assert.equal((await api(cur, 'GET', '/v1/tasks/999999/proof', { token: log.token })).status, 404);
});

test('tampered proofs fail at the right step', async () => {
  const [leaf] = await st.sql('SELECT task_id FROM log_leaves WHERE leaf_index = 4');
  const proof = await getProof(leaf.task_id);
  const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
  const cases = [
    ['leaf', { ...proof, leaf: proof.leaf.replace('"cat"', '"dog"') }, 'leaf hash'],
    ['leaf and its hash', { ...proof, leaf: proof.leaf.replace('"cat"', '"dog"'), leaf_hash: undefined }, 'root'],
    ['path entry', { ...proof, path: [flip(proof.path[0]), ...proof.path.slice(1)] }, 'root'],
    ['path length', { ...proof, path: proof.path.slice(1) }, 'path'],
    ['root', { ...proof, root: flip(proof.root) }, 'root'],
    ['index', { ...proof, leaf_index: proof.leaf_index + 1 }, 'root'],
    ['size', { ...proof, tree_size: 0 }, 'input'],
  ];
  for (const [what, p, step] of cases) {
    const v = await verify(p, false);
    assert.equal(v.code, 1, `${what}: ${v.stdout}${v.stderr}`);
    assert.match(v.stdout, new RegExp(`step="${step}"`), what);
  }
  // Chain side: a missing transaction, another transaction, another chain,
  // more confirmations than exist, another block.
  const other = await st.anvil.rpc('eth_sendTransaction', [{ from: SENDER, to: SENDER, value: '0x1' }]);
  plainTransfers++;
  const chain = [
    ['tx', { ...proof, anchor: { ...proof.anchor, tx_hash: `0x${'ab'.repeat(32)}` } }, 'tx'],
    ['calldata', { ...proof, anchor: { ...proof.anchor, tx_hash: other } }, 'calldata'],
    ['chain', { ...proof, anchor: { ...proof.anchor, chain_id: 1 } }, 'chain'],
    ['confirmations', { ...proof, anchor: { ...proof.anchor, confirmations: 1000000 } }, 'confirmations'],
    ['block', { ...proof, anchor: { ...proof.anchor, block_number: 1 } }, 'block'],
  ];
  for (const [what, p, step] of chain) {
    const v = await verify(p, true);
    assert.equal(v.code, 1, `${what}: ${v.stdout}${v.stderr}`);
    assert.match(v.stdout, new RegExp(`step="${step}"`), what);
  }
  const f = path.join(st.dir, 'good.json');
  fs.writeFileSync(f, JSON.stringify(proof));
  assert.equal((await st.labelctl(['verify', f, '--rpc', 'http://127.0.0.1:9'])).code, 2, 'RPC unreachable');
  assert.equal((await st.labelctl(['verify', '/nonexistent.json'])).code, 2, 'no such file');
  fs.writeFileSync(path.join(st.dir, 'junk.json'), 'not json');
  assert.equal((await st.labelctl(['verify', path.join(st.dir, 'junk.json')])).code, 2, 'not JSON');
});

test('a log that disagrees with its confirmed anchor serves no proof', async () => {
  const [leaf] = await st.sql('SELECT task_id FROM log_leaves WHERE leaf_index = 4');
  const proof = await getProof(leaf.task_id);
  assert.ok(proof.anchor, 'leaf 4 is under a confirmed anchor');
  const flipped = (proof.root[0] === '0' ? '1' : '0') + proof.root.slice(1);
  await st.sql("UPDATE anchors SET root = decode($1, 'hex') WHERE tree_size = $2 AND status = 'confirmed'",
    [flipped, proof.tree_size]);
  try {
    const r = await api(cur, 'GET', `/v1/tasks/${leaf.task_id}/proof`, { token: log.token });
    assert.equal(r.status, 500, r.text);
    assert.equal(r.body.path, undefined, 'no proof in the answer');
    assert.match(r.body.detail, new RegExp(`disagrees with its anchor at tree size ${proof.tree_size}`));
    assert.ok(st.servers.some((s) => s.log().includes(`event=log_root_mismatch tree_size=${proof.tree_size}`)),
      'logged as an error');
  } finally {
    await st.sql("UPDATE anchors SET root = decode($1, 'hex') WHERE tree_size = $2 AND status = 'confirmed'",
      [proof.root, proof.tree_size]);
  }
  const again = await getProof(leaf.task_id);
  assert.deepEqual([again.root, again.path, again.anchor.tx_hash], [proof.root, proof.path, proof.anchor.tx_hash]);
});

test('consistency proofs between successive anchors verify', async () => {
  const s0 = await log.size();
  await log.append(3);
  await waitAnchors(st, confirmedAt(s0 + 3));
  const anchors = (await api(cur, 'GET', '/v1/anchors')).body;
  const sizes = anchors.map((a) => a.tree_size).sort((x, y) => x - y);
  assert.ok(sizes.length >= 3);
  // A page at a time: following rel="next" walks every anchor once.
  const walked = [];
  for (let url = '/v1/anchors?limit=2'; url;) {
    const page = await api(cur, 'GET', url);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.length <= 2);
    walked.push(...page.body.map((a) => a.id));
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') || '');
    url = next ? next[1] : null;
    if (url) assert.equal(page.body.length, 2, 'a next page only after a full one');
  }
  assert.deepEqual(walked, anchors.map((a) => a.id), 'newest first, each once');
  assert.deepEqual([...walked].sort((x, y) => y - x), walked);
  for (const bad of ['0', '-1', 'x', '1e3']) {
    assert.equal((await api(cur, 'GET', `/v1/anchors?before=${bad}`)).status, 422, bad);
  }
  for (let i = 1; i < sizes.length; i++) {
    const from = sizes[i - 1]; const to = sizes[i];
    const c = await api(cur, 'GET', `/v1/anchors/consistency?from=${from}&to=${to}`);
    assert.equal(c.status, 200, c.text);
    const r1 = anchors.find((a) => a.tree_size === from).root;
    const r2 = anchors.find((a) => a.tree_size === to).root;
    assert.equal(c.body.from_root, r1);
    assert.equal(c.body.to_root, r2);
    assert.ok(verifyConsistency(from, to, r1, r2, c.body.proof), `${from}→${to}`);
    assert.ok(!verifyConsistency(from, to, r1, r2.replace(/^./, (x) => (x === '0' ? '1' : '0')), c.body.proof));
  }
  assert.equal((await api(cur, 'GET', '/v1/anchors/consistency?from=9&to=3')).status, 422);
  assert.equal((await api(cur, 'GET', '/v1/anchors/consistency?from=1&to=99999')).status, 422);
});

test('an anchor reorganised away is re-sent and confirmed', async () => {
  const snap = await st.anvil.rpc('evm_snapshot');
  const s0 = await log.size();
  const [, last] = await log.append(2);
  // Mined: 1 confirmation of 2.  Mine nothing more, then drop its block.
  const before = await waitAnchors(st, (rows) => rows.some((r) => r.tree_size === s0 + 2 && r.status === 'mined'),
    { mine: false, everyMs: 100 });
  const b = before.find((r) => r.tree_size === s0 + 2);
  assert.ok(await st.anvil.rpc('evm_revert', [snap]));
  const rows = await waitAnchors(st, confirmedAt(s0 + 2));
  const a = rows.find((r) => r.tree_size === s0 + 2);
  assert.ok(a.reorgs >= 1, 'the reorg was seen');
  assert.equal(a.nonce, b.nonce, 'same nonce');
  await verifyTask(last.taskId);
  assert.ok(await metric(cur, 'labelchain_anchor_reorgs_total') >= 1);
});

test('anvil stopped for 60 s: the backlog is anchored once', { timeout: 180000 }, async () => {
  const nAnchors = (await st.sql('SELECT count(*)::int AS n FROM anchors'))[0].n;
  const s0 = await log.size();
  st.anvil.proc.kill('SIGSTOP');
  try {
    for (let i = 0; i < 6; i++) { await log.append(1); await sleep(10000); }
  } finally {
    st.anvil.proc.kill('SIGCONT');
  }
  const rows = await waitAnchors(st, confirmedAt(s0 + 6), { timeoutMs: 60000 });
  assert.equal(rows.length, nAnchors + 1, 'one anchor for the whole backlog');
  assert.ok(await metric(cur, 'labelchain_anchor_rpc_errors_total') > 0);
  assert.equal(await senderTxCount(), rows.length + plainTransfers, 'one transaction per anchor');
});

test('killing the leader: the other instance anchors', async () => {
  const second = await st.startServer(env);
  await sleep(1500);
  const leader1 = await metric(st.url, 'labelchain_anchor_leader');
  const leader2 = await metric(second.url, 'labelchain_anchor_leader');
  assert.equal(leader1 + leader2, 1, 'exactly one leader');
  const [leader, other] = leader1 === 1 ? [st.server, second] : [second, st.server];
  await leader.stop('SIGKILL');
  st.servers.splice(st.servers.indexOf(leader), 1);
  cur = other.url;
  const s0 = await log.size();
  const [leaf] = await log.append(1);
  const rows = await waitAnchors(st, confirmedAt(s0 + 1));
  assert.equal(await metric(other.url, 'labelchain_anchor_leader'), 1);
  await verifyTask(leaf.taskId);
  assert.equal(await senderTxCount(), rows.length + plainTransfers);
});

async function restartServer() {
  const s = await st.startServer(env);
  cur = s.url;
  return s;
}

test('a crash between recording an anchor and sending it re-sends the same transaction', async () => {
  // Hold mining, let the leader record and send, crash it, and make the node
  // forget the transaction: as if the crash came before the broadcast.
  await st.anvil.rpc('evm_setAutomine', [false]);
  const s0 = await log.size();
  const [leaf] = await log.append(1);
  const sent = await waitAnchors(st, (rows) => rows.some((r) => r.tree_size === s0 + 1 && r.status === 'sent'),
    { mine: false, everyMs: 100 });
  const b = sent.find((r) => r.tree_size === s0 + 1);
  const victim = st.servers[0];
  await victim.stop('SIGKILL');
  st.servers.splice(0, 1);
  await st.anvil.rpc('anvil_dropAllTransactions');
  await st.sql("UPDATE anchors SET status = 'pending', sent_at = NULL WHERE tree_size = $1", [s0 + 1]);
  await st.anvil.rpc('evm_setAutomine', [true]);
  await restartServer();
  const rows = await waitAnchors(st, confirmedAt(s0 + 1));
  const a = rows.find((r) => r.tree_size === s0 + 1);
  assert.equal(a.tx, b.tx, 'the stored raw transaction was re-sent');
  assert.equal(a.attempts, 1);
  await verifyTask(leaf.taskId);
  // And a crash after the transaction was mined but before that was
  // recorded: re-sending answers "nonce too low", the receipt is found.
  await st.servers[0].stop('SIGKILL');
  st.servers.splice(0, 1);
  await st.sql(`UPDATE anchors SET status = 'pending', block_number = NULL, block_hash = NULL,
    confirmations = 0 WHERE tree_size = $1`, [s0 + 1]);
  await restartServer();
  const again = await waitAnchors(st, confirmedAt(s0 + 1));
  assert.equal(again.find((r) => r.tree_size === s0 + 1).tx, b.tx);
  assert.equal(await senderTxCount(), again.length + plainTransfers, 'no second transaction');
});

test('a stuck anchor is replaced at the same nonce with fees raised by 12.5%', { timeout: 60000 }, async () => {
  await st.anvil.rpc('evm_setAutomine', [false]);
  const s0 = await log.size();
  const [leaf] = await log.append(1);
  let rows;
  try {
    rows = await waitAnchors(st, (rs) => rs.some((r) => r.tree_size === s0 + 1 && r.attempts >= 2),
      { mine: false, everyMs: 250, timeoutMs: 30000 });
  } finally {
    await st.anvil.rpc('evm_setAutomine', [true]);
  }
  const a = rows.find((r) => r.tree_size === s0 + 1);
  const txs = await st.sql(`SELECT max_priority_fee::float8 AS tip, max_fee::float8 AS fee FROM anchor_txs
    WHERE anchor_id = (SELECT id FROM anchors WHERE tree_size = $1) ORDER BY created_at`, [s0 + 1]);
  assert.ok(txs.length >= 2);
  assert.ok(txs[1].tip >= txs[0].tip * 1.125 && txs[1].fee >= txs[0].fee * 1.125, JSON.stringify(txs));
  const done = await waitAnchors(st, confirmedAt(s0 + 1));
  assert.equal(done.find((r) => r.tree_size === s0 + 1).nonce, a.nonce);
  await verifyTask(leaf.taskId);
  assert.equal(await senderTxCount(), done.length + plainTransfers, 'one mined transaction per anchor');
  assert.ok(await metric(cur, 'labelchain_anchor_replaced_total') >= 1);
});

// A project's labels, exported as JSON lines and as CSV, keyed by task id.
async function exportRows(token, pid) {
  const jl = await api(cur, 'GET', `/v1/projects/${pid}/labels`, { token });
  assert.equal(jl.status, 200, jl.text);
  const rows = jl.text.trim().split('\n').map((l) => JSON.parse(l));
  const csv = await api(cur, 'GET', `/v1/projects/${pid}/labels?format=csv`, { token });
  assert.equal(csv.status, 200, csv.text);
  const lines = csv.text.trim().split('\r\n');
  const head = lines[0].split(',');
  assert.deepEqual(head.slice(-5), ['anchored', 'gold', 'unverified', 'anchor_tree_size', 'anchor_tx_hash']);
  const byId = Object.fromEntries(lines.slice(1).map((l) => { const f = l.split(','); return [f[0], f]; }));
  for (const r of rows) {
    const f = byId[r.task_id];
    assert.equal(f[head.indexOf('anchored')], String(r.anchored), 'CSV and JSON agree');
    assert.equal(f[head.indexOf('anchor_tree_size')], r.anchor_tree_size === null ? '' : String(r.anchor_tree_size));
    assert.equal(f[head.indexOf('anchor_tx_hash')], r.anchor_tx_hash ?? '');
  }
  return rows;
}

test('exports: anchored only under a confirmed anchor, with its tree size and transaction', { timeout: 90000 }, async () => {
  const req = await requester(st, 'exporter');
  await credit(st, 'exporter', 1000000000);
  const p = await api(cur, 'POST', '/v1/projects', { token: req.token,
    body: { ...PROJECT, min_votes: 1, max_votes: 1, min_stake: 0, gold_rate: 0 } });
  assert.equal(p.status, 201, p.text);
  const pid = p.body.id;
  assert.equal((await api(cur, 'POST', `/v1/projects/${pid}/fund`, { token: req.token,
    body: { amount: 100000000 } })).status, 200);
  assert.equal((await api(cur, 'POST', `/v1/projects/${pid}/tasks`, { token: req.token,
    body: [0, 1].map((i) => ({ data: { e: i }, external_id: `e${i}` })) })).status, 201);
  // Nothing is mined from here on until the test says so: the anchor of
  // these leaves is sent, then mined with one confirmation of two, and only
  // then confirmed.
  await st.anvil.rpc('evm_setAutomine', [false]);
  try {
    const key = newKey();
    const token = await login(cur, key);
    for (let n = 0; n < 2; n++) {
      const c = await api(cur, 'POST', `/v1/projects/${pid}/assignments`, { token });
      assert.equal(c.status, 201, c.text);
      const a = c.body;
      assert.equal((await api(cur, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token,
        body: { label: 'cat', signature: voteSig(key, a.assignment_id, a.task.id, 'cat') } })).status, 201);
    }
    let rows;
    for (let i = 0; i < 200; i++) {		// the sequencer appends within milliseconds
      rows = await exportRows(req.token, pid);
      if (rows.length === 2 && rows.every((r) => r.leaf_index !== null)) break;
      await sleep(25);
    }
    assert.equal(rows.length, 2);
    const first = Math.min(...rows.map((r) => r.leaf_index));
    const unanchored = (rs) => rs.every((r) => r.anchored === false && r.anchor_tree_size === null &&
      r.anchor_tx_hash === null);
    assert.ok(unanchored(rows), JSON.stringify(rows));
    // Sent, not mined: still not anchored.
    const sent = await waitAnchors(st, (rs) => rs.some((r) => r.tree_size > first && r.status === 'sent'),
      { mine: false, everyMs: 100 });
    const a = sent.find((r) => r.tree_size > first && r.status === 'sent');
    assert.ok(unanchored(await exportRows(req.token, pid)), 'a sent anchor anchors nothing');
    // One block: mined with 1 confirmation of 2, still not anchored.
    await st.anvil.rpc('evm_mine');
    await waitAnchors(st, (rs) => rs.some((r) => r.tree_size === a.tree_size && r.status === 'mined'),
      { mine: false, everyMs: 100 });
    assert.ok(unanchored(await exportRows(req.token, pid)), 'a mined anchor anchors nothing');
  } finally {
    await st.anvil.rpc('evm_setAutomine', [true]);
  }
  // Confirmed: every leaf under the largest confirmed anchor is anchored,
  // with that anchor's tree size and transaction, the ones its proof names.
  const last = Math.max(...(await exportRows(req.token, pid)).map((r) => r.leaf_index));
  const all = await waitAnchors(st, (rs) => rs.some((r) => r.tree_size > last && r.status === 'confirmed'));
  const top = all.filter((r) => r.status === 'confirmed').pop();
  const rows = await exportRows(req.token, pid);
  for (const r of rows) {
    assert.equal(r.anchored, true, JSON.stringify(r));
    assert.equal(r.anchor_tree_size, top.tree_size);
    assert.equal(r.anchor_tx_hash, `0x${top.tx}`);
    const proof = await getProof(r.task_id, { token: req.token });
    assert.equal(proof.tree_size, r.anchor_tree_size);
    assert.equal(proof.anchor.tx_hash, r.anchor_tx_hash);
  }
});

test('labelctl anchor now and anchor_max_pending anchor before the interval', async () => {
  const r = await st.servers[0].stop();
  assert.equal(r.code, 0);
  st.servers.splice(0, 1);
  const s = await st.startServer({ ...env, LABELCHAIN_ANCHOR_INTERVAL: '3600',
    LABELCHAIN_ANCHOR_MAX_PENDING: '3' });
  cur = s.url;
  const s0 = await log.size();
  const n0 = (await st.sql('SELECT count(*)::int AS n FROM anchors'))[0].n;
  await log.append(1);
  await sleep(2000);
  assert.equal((await st.sql('SELECT count(*)::int AS n FROM anchors'))[0].n, n0, 'the interval holds it back');
  const now = await st.labelctl(['anchor', 'now']);
  assert.equal(now.code, 0, now.stderr);
  await waitAnchors(st, confirmedAt(s0 + 1));
  await log.append(3);
  await waitAnchors(st, confirmedAt(s0 + 4));
  // Confirmations keep growing with the chain after an anchor is final.
  const before = (await api(cur, 'GET', '/v1/anchors')).body.find((a) => a.tree_size === s0 + 1);
  for (let i = 0; i < 3; i++) await st.anvil.rpc('evm_mine');
  await sleep(1200);
  const later = (await api(cur, 'GET', '/v1/anchors')).body.find((a) => a.tree_size === s0 + 1);
  assert.ok(later.confirmations >= before.confirmations + 3, `${before.confirmations} → ${later.confirmations}`);
});
