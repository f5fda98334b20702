// tests/e2e/verifier.test.mjs — the verifier accepts a real proof (RFC 6962 tree
// built here, root anchored in a real anvil transaction) and rejects tampered ones;
// its "Fetch proof" works for the signed-in owner of the task's project and
// explains in words why another requester, a signed-out visitor or an unknown
// task gets none.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { startStack, Anvil, api, sleep } from '../integration/lib/stack.mjs';
import { launch, newPage, shot, realErrors, hasRoute } from './lib/browser.mjs';
import { requester, credit, must, nodeLabeler, labelAll, project } from './lib/market.mjs';

const H = (...b) => createHash('sha256').update(Buffer.concat(b.map((x) => Buffer.from(x)))).digest();
const leafH = (rec) => H([0], rec);
const nodeH = (l, r) => H([1], l, r);
function mth(hs) {
  if (hs.length === 1) return hs[0];
  let k = 1; while (k * 2 < hs.length) k *= 2;
  return nodeH(mth(hs.slice(0, k)), mth(hs.slice(k)));
}
function pathOf(m, hs) {
  if (hs.length <= 1) return [];
  let k = 1; while (k * 2 < hs.length) k *= 2;
  return m < k ? [...pathOf(m, hs.slice(0, k)), mth(hs.slice(k))] : [...pathOf(m - k, hs.slice(k)), mth(hs.slice(0, k))];
}

function record(i, label) {
  return `{"v":1,"project":1,"task":${i + 1},"data_sha256":"${H(`t${i}`).toString('hex')}","label":"${label}","confidence_bp":9712,"votes":[{"key":"${'a1'.repeat(32)}","label":"${label}","sig":"${'b2'.repeat(64)}"}],"finalized_at":"2026-11-25T08:00:0${i % 10}Z"}`;
}

// anvil of our own (the server's anchoring stays off): the fixture's anchor
// transaction is sent by the test itself.
let st, browser;
test.before(async () => { st = await startStack(); st.anvil = await Anvil.start(); browser = await launch(); });
test.after(async () => { await browser?.close(); await st?.stop(); });

async function fixtureProof() {
  const recs = Array.from({ length: 11 }, (_, i) => record(i, i % 3 ? 'cat' : 'dog'));
  const hs = recs.map(leafH);
  const m = 6, n = hs.length, root = mth(hs);
  const data = '0x6c630001' + root.toString('hex') + n.toString(16).padStart(16, '0');
  const from = (await st.anvil.rpc('eth_accounts'))[0];
  const txHash = await st.anvil.rpc('eth_sendTransaction', [{ from, to: from, value: '0x0', data }]);
  await st.anvil.rpc('anvil_mine', ['0x2']);
  const rc = await st.anvil.rpc('eth_getTransactionReceipt', [txHash]);
  return {
    leaf: recs[m], leaf_hash: hs[m].toString('hex'), leaf_index: m, tree_size: n,
    path: pathOf(m, hs).map((b) => b.toString('hex')), root: root.toString('hex'),
    anchor: { chain_id: 31337, tx_hash: txHash, block_number: Number(rc.blockNumber), confirmations: 3 },
  };
}

async function verify(page, proof) {
  await page.fill('#proof-input', typeof proof === 'string' ? proof : JSON.stringify(proof, null, 2));
  await page.click('#verify-btn');
  await page.waitForSelector('#verify-results[data-verdict]');
  return page.$$eval('.step', (els) => Object.fromEntries(els.map((e) => [e.dataset.step, e.className.replace(/.*step-/, '')])));
}

test('verifier accepts a real anchored proof and rejects tampered ones', async () => {
  const proof = await fixtureProof();
  const page = await newPage(browser, st.url);
  await page.goto(`${st.url}/#/verify`);
  await page.fill('#rpc-url', st.anvil.url);
  let s = await verify(page, proof);
  assert.deepEqual(s, { parse: 'ok', leaf: 'ok', path: 'ok', root: 'ok', chain: 'ok', tx: 'ok', mined: 'ok', conf: 'ok' });
  assert.match(await page.textContent('#verdict'), /valid and anchored/);
  await shot(page, 'verifier-valid');

  // a different label in the record: leaf hash and root fail
  const t1 = { ...proof, leaf: proof.leaf.replace('"label":"cat"', '"label":"dog"').replace('"label":"dog","confidence', '"label":"cat","confidence') };
  assert.notEqual(t1.leaf, proof.leaf);
  s = await verify(page, t1);
  assert.equal(s.leaf, 'fail'); assert.equal(s.root, 'fail');
  assert.equal(await page.getAttribute('#verify-results', 'data-verdict'), 'fail');
  await shot(page, 'verifier-tampered');

  // a tampered path hash, with the leaf hash recomputed to match: only the root fails
  const t2 = { ...proof, path: [...proof.path] }; t2.path[1] = '00'.repeat(32);
  s = await verify(page, t2);
  assert.equal(s.leaf, 'ok'); assert.equal(s.root, 'fail');

  // the same leaf claimed at another index: the path folds to another root
  const t3 = { ...proof, leaf_index: 5 };
  s = await verify(page, t3);
  assert.equal(s.root, 'fail');

  // wrong tree size claimed against the anchor's calldata
  const t4 = { ...proof, path: proof.path, tree_size: 12 };
  s = await verify(page, t4);
  assert.ok(Object.values(s).includes('fail'));

  // not JSON at all
  s = await verify(page, '{oops');
  assert.equal(s.parse, 'fail');

  // file picker path, no RPC: anchor check skipped, proof valid
  await page.fill('#rpc-url', '');
  await page.setInputFiles('#proof-file', { name: 'proof.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(proof)) });
  await page.waitForFunction(() => document.querySelector('#verify-results')?.dataset.verdict === 'ok');
  assert.equal(await page.getAttribute('[data-step=anchor]', 'class'), 'step step-skip');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

async function signIn(page, token) {
  await page.goto(`${st.url}/#/key`);
  await page.fill('#api-token', token);
  await page.click('#token-sign-in');
  await page.waitForURL(/#\/requester$/);
}

// Clicks "Fetch proof" for `id`; resolves with the refusal shown, or null
// when the proof was fetched and verified.
async function fetchProof(page, id) {
  // A fresh page each time: on the same hash the last verdict would still
  // be on screen and satisfy the wait below at once.
  await page.goto(`${st.url}/#/verify`);
  await page.reload();
  await page.waitForSelector('#proof-task');
  await page.fill('#proof-task', String(id));
  await page.click('#fetch-proof');
  await page.waitForFunction(() => document.querySelector('#verify-results')?.dataset.verdict ||
    !document.querySelector('#fetch-error')?.hidden);
  if (await page.isVisible('#fetch-error')) {
    return { status: await page.getAttribute('#fetch-error', 'data-status'), text: await page.textContent('#fetch-error') };
  }
  return null;
}

test('Fetch proof: the signed-in owner gets and verifies it; others are told why not', async () => {
  const owner = await requester(st, 'proof-owner');
  await credit(st, owner.id, 100_000000);
  const p = await project(st, owner.token);
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: owner.token, body: { amount: 10_000000 } }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: owner.token, body: [{ data: { text: 'a cat purrs' }, external_id: 'v1' }] }));
  assert.equal(await labelAll(st, await nodeLabeler(st), p.id), 1);
  let row;
  for (let i = 0; i < 200 && !(row?.leaf_index >= 0); i++) {	// the log sequencer appends within milliseconds
    if (i) await sleep(25);
    const ex = await api(st.url, 'GET', `/v1/projects/${p.id}/labels`, { token: owner.token });
    assert.equal(ex.status, 200, ex.text);
    row = JSON.parse(ex.text.trim() || 'null');
  }
  assert.ok(row?.leaf_index >= 0, 'the label is in the log');

  // The owner, signed in: the proof is fetched with the session's token and verifies.
  const page = await newPage(browser, st.url);
  await signIn(page, owner.token);
  assert.equal(await fetchProof(page, row.task_id), null);
  assert.equal(await page.getAttribute('#verify-results', 'data-verdict'), 'ok', await page.textContent('#verify-results'));
  const steps = await page.$$eval('.step', (els) => Object.fromEntries(els.map((e) => [e.dataset.step, e.className.replace(/.*step-/, '')])));
  assert.deepEqual(steps, { parse: 'ok', leaf: 'ok', path: 'ok', root: 'ok', anchor: 'skip' });
  assert.equal(JSON.parse(JSON.parse(await page.inputValue('#proof-input')).leaf).task, row.task_id);
  await shot(page, 'verifier-fetch-owner');
  // A task that does not exist.
  const none = await fetchProof(page, 999999);
  assert.equal(none.status, '404');
  assert.match(none.text, /no such task, or its label is not final yet, or it has not entered the log/);
  assert.deepEqual(realErrors(page), []);
  await page.close();

  // Another requester: 403, in words.
  const other = await requester(st, 'proof-other');
  const page2 = await newPage(browser, st.url);
  await signIn(page2, other.token);
  const refused = await fetchProof(page2, row.task_id);
  assert.equal(refused.status, '403');
  assert.match(refused.text, new RegExp(`Task ${row.task_id} is not in one of your projects`));
  assert.match(refused.text, /only the requester who owns its project/);
  assert.equal(await page2.getAttribute('#verify-results', 'data-verdict'), null, 'nothing verified');
  await shot(page2, 'verifier-fetch-forbidden');
  assert.deepEqual(realErrors(page2), []);
  await page2.close();

  // Signed out: told to sign in.
  const page3 = await newPage(browser, st.url);
  const out = await fetchProof(page3, row.task_id);
  assert.equal(out.status, '401');
  assert.match(out.text, /^Sign in to fetch the proof/);
  await page3.close();
});

test('verifier on a phone', async () => {
  const proof = await fixtureProof();
  const page = await newPage(browser, st.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${st.url}/#/verify`);
  await page.fill('#rpc-url', st.anvil.url);
  await verify(page, proof);
  assert.equal(await page.getAttribute('#verify-results', 'data-verdict'), 'ok');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'no horizontal scrolling on a phone');
  await shot(page, 'verifier-mobile');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('anchors list', async (t) => {
  if (!(await hasRoute(st.url, 'GET', '/v1/anchors'))) return t.skip('GET /v1/anchors is not implemented yet');
  const page = await newPage(browser, st.url);
  await page.goto(`${st.url}/#/anchors`);
  await page.waitForSelector('main table, main .empty');
  await shot(page, 'anchors');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('shell: home, navigation, key creation UI, CSP-clean', async () => {
  const page = await newPage(browser, st.url);
  const r = await page.goto(`${st.url}/`);
  assert.match(r.headers()['content-security-policy'], /default-src 'self'/);
  await page.waitForSelector('main h1');
  await shot(page, 'home');
  await page.click('a[data-nav=verify]');
  await page.waitForSelector('#proof-input');
  await page.goto(`${st.url}/#/key`);
  await page.click('#create-key');
  await page.waitForSelector('#public-key');
  const pk = (await page.textContent('#public-key')).trim();
  assert.match(pk, /^[0-9a-f]{64}$/);
  // the key survives a reload (IndexedDB) and is non-extractable by default
  await page.reload();
  await page.waitForSelector('#public-key');
  assert.equal((await page.textContent('#public-key')).trim(), pk);
  assert.equal(await page.$('#export-key'), null);
  await shot(page, 'key');
  // keyboard: the skip link is the first focus stop
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('key: exportable key round trip through a file', async () => {
  const page = await newPage(browser, st.url);
  page.on('dialog', (d) => d.accept());
  await page.goto(`${st.url}/#/key`);
  await page.check('input[name=kind][value=exportable]');
  await shot(page, 'key-create');
  await page.click('#create-key');
  await page.waitForSelector('#export-key');
  const pk = (await page.textContent('#public-key')).trim();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-key')]);
  const file = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  assert.equal(file.type, 'labelchain-ed25519-key');
  assert.equal(file.public_key, pk);
  await page.click('details summary');
  await page.click('details .btn-danger');
  await page.waitForSelector('#create-key');
  await page.setInputFiles('#key-import', { name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await page.waitForSelector('#public-key');
  assert.equal((await page.textContent('#public-key')).trim(), pk);
  assert.deepEqual(realErrors(page), []);
  await page.close();
});
