// tests/e2e/requester.test.mjs — a requester signs in with an API token, creates
// a project, funds it, uploads a task file, watches progress reach 100 % while
// labelers work, and downloads the labels; then a real proof from the server
// passes the verifier.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, api, sleep } from '../integration/lib/stack.mjs';
import { launch, newPage, shot, realErrors, hasRoute } from './lib/browser.mjs';
import { requester, credit, must, nodeLabeler, labelAll } from './lib/market.mjs';

// anvil's public dev key 0 signs the anchors
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
let st, browser, keyDir;
test.before(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-e2e-key-'));
  const keyFile = path.join(keyDir, 'chain.key');
  fs.writeFileSync(keyFile, `${DEV_KEY}\n`, { mode: 0o600 });
  st = await startStack({ anvil: true, env: { LABELCHAIN_CHAIN_KEY_FILE: keyFile, LABELCHAIN_ANCHOR_INTERVAL: '1', LABELCHAIN_ANCHOR_CONFIRMATIONS: '1' } });
  browser = await launch();
});
test.after(async () => { await browser?.close(); await st?.stop(); fs.rmSync(keyDir, { recursive: true, force: true }); });

test('requester: create, fund, upload, progress to 100 %, download; verifier takes the real proof', async (t) => {
  for (const [m, p] of [['POST', '/v1/projects'], ['POST', '/v1/projects/1/tasks'], ['GET', '/v1/projects/1/labels']]) {
    if (!(await hasRoute(st.url, m, p))) return t.skip(`${m} ${p} is not implemented yet`);
  }
  const req = await requester(st, 'acme');
  await credit(st, req.id, 500_000000);
  const page = await newPage(browser, st.url);
  await page.goto(`${st.url}/#/key`);
  await page.fill('#api-token', req.token);
  await page.click('#token-sign-in');
  await page.waitForURL(/#\/requester$/);
  await page.waitForSelector('#new-project');

  await page.fill('#np-name', 'Review sentiment');
  await page.fill('#np-instructions', 'Is the review positive or negative overall?');
  await page.fill('#np-labels', 'positive, negative');
  await page.fill('#np-reward', '0.5');
  await page.fill('#np-min', '2');
  await page.fill('#np-max', '3');
  await page.fill('#np-conf', '0.8');
  await shot(page, 'requester-new-project');
  await page.click('#np-create');
  await page.waitForURL(/#\/requester\/\d+$/);
  const pid = page.url().match(/(\d+)$/)[1];
  await page.waitForSelector('#fund-amount', { timeout: 5000 }).catch(async (e) => {
    await shot(page, 'requester-failure');
    throw new Error(`project page: ${await page.textContent('main')} ${page.errors.join(' | ')}`);
  });

  await page.fill('#fund-amount', '100');
  await page.click('#fund-btn');
  await page.waitForFunction(() => /100\.00/.test(document.querySelector('#progress')?.textContent || ''));

  const reviews = ['Great product, works perfectly.', 'Broke after two days, avoid.', 'Exactly as described, would buy again.', 'Terrible support and a flimsy build.'];
  const ndjson = Array.from({ length: 12 }, (_, i) => JSON.stringify({ data: { text: reviews[i % 4], stars: i % 2 ? 1 : 5 }, external_id: `r${i + 1}` })).join('\n') + '\n';
  await page.setInputFiles('#task-file', { name: 'reviews.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson) });
  await page.waitForFunction(() => /12 tasks created/.test(document.querySelector('#upload-status')?.textContent || ''));
  assert.equal(await page.getAttribute('#upload-progress', 'value'), '12');
  await page.waitForFunction(() => document.querySelector('#progress')?.dataset.tasks === '12');
  await shot(page, 'requester-uploaded');

  // the same file again: all duplicates
  await page.setInputFiles('#task-file', { name: 'reviews.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson) });
  await page.waitForFunction(() => /No new tasks — all 12 were already in the project/.test(document.querySelector('#upload-status')?.textContent || ''));
  assert.equal(await page.getAttribute('#upload-status', 'data-tone'), 'warn');

  // three labelers work through the project from outside the browser
  const labs = [await nodeLabeler(st), await nodeLabeler(st), await nodeLabeler(st)];
  const pick = (a) => (a.task.data.stars === 5 ? 0 : 1);
  await labelAll(st, labs[0], pid, pick);
  await page.waitForFunction(() => Number(document.querySelector('#progress')?.dataset.tasks) > 0);
  await shot(page, 'requester-progress-partial');
  await labelAll(st, labs[1], pid, pick);
  await labelAll(st, labs[2], pid, pick);
  await page.waitForFunction(() => { const p = document.querySelector('#progress'); return p && p.dataset.final === p.dataset.tasks && p.dataset.final === '12'; }, null, { timeout: 15000 });
  assert.match(await page.textContent('#final-meter'), /100%/);
  await shot(page, 'requester-progress-100');

  const [d1] = await Promise.all([page.waitForEvent('download'), page.click('#dl-jsonl')]);
  const jl = fs.readFileSync(await d1.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jl.length, 12);
  assert.ok(jl.every((r) => ['positive', 'negative'].includes(r.label)));
  const [d2] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
  assert.match(d2.suggestedFilename(), /\.csv$/);
  const csv = fs.readFileSync(await d2.path(), 'utf8').trim().split('\n');
  assert.equal(csv.length, 13);

  await page.goto(`${st.url}/#/requester`);
  await page.waitForSelector(`#req-projects [data-project="${pid}"]`);
  await shot(page, 'requester-projects');
  assert.deepEqual(realErrors(page), []);

  // a real proof from the server passes the verifier; a tampered one fails
  const taskId = jl[0].task_id;
  let pr;
  for (let i = 0; i < 60; i++) {		// wait (≤ 30 s) for an anchor to cover the leaf
    pr = await api(st.url, 'GET', `/v1/tasks/${taskId}/proof`, { token: req.token });
    if (pr.status === 200 && pr.body.anchor) break;
    await sleep(500);
  }
  if (pr.status !== 200) { t.diagnostic(`proof endpoint answered ${pr.status}: ${pr.text.slice(0, 200)}`); await page.close(); return; }
  if (!pr.body.anchor) t.diagnostic('no anchor covered the leaf within 30 s: the on-chain steps are skipped');
  await page.goto(`${st.url}/#/anchors`);
  await page.waitForSelector('main table, main .empty');
  await shot(page, 'anchors');
  await page.goto(`${st.url}/#/verify`);
  await page.fill('#rpc-url', st.rpcUrl);
  await page.fill('#proof-input', JSON.stringify(pr.body, null, 2));
  await page.click('#verify-btn');
  await page.waitForSelector('#verify-results[data-verdict]');
  assert.equal(await page.getAttribute('#verify-results', 'data-verdict'), 'ok', await page.textContent('#verify-results'));
  if (pr.body.anchor) {
    const steps = await page.$$eval('.step', (els) => Object.fromEntries(els.map((e) => [e.dataset.step, e.className.replace(/.*step-/, '')])));
    assert.deepEqual(steps, { parse: 'ok', leaf: 'ok', path: 'ok', root: 'ok', chain: 'ok', tx: 'ok', mined: 'ok', conf: 'ok' });
  }
  await shot(page, 'verifier-real-proof');
  const bad = { ...pr.body, leaf: pr.body.leaf.replace(/"label":"(positive|negative)"/, (m, l) => `"label":"${l === 'positive' ? 'negative' : 'positive'}"`) };
  await page.fill('#proof-input', JSON.stringify(bad));
  await page.click('#verify-btn');
  await page.waitForFunction(() => document.querySelector('#verify-results')?.dataset.verdict === 'fail');
  await page.close();
});
