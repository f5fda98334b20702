// tests/e2e/labeler.test.mjs — a labeler creates a key, signs in, stakes, labels
// 20 tasks with the keyboard only and sees the earnings change.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api } from '../integration/lib/stack.mjs';
import { launch, newPage, shot, realErrors, hasRoute } from './lib/browser.mjs';
import { requester, credit, must, project } from './lib/market.mjs';

let st, browser;
test.before(async () => { st = await startStack(); browser = await launch(); });
test.after(async () => { await browser?.close(); await st?.stop(); });

test('labeler: key, sign-in, stake, 20 tasks by keyboard, earnings', async (t) => {
  for (const [m, p] of [['POST', '/v1/auth/challenge'], ['POST', '/v1/projects/1/assignments'], ['POST', '/v1/assignments/1/vote']]) {
    if (!(await hasRoute(st.url, m, p))) return t.skip(`${m} ${p} is not implemented yet`);
  }
  const req = await requester(st);
  await credit(st, req.id, 1000_000000);
  const texts = ['The cat purred on the windowsill.', 'A dog barked at the mail carrier.', 'Kittens chased a ball of yarn.', 'The puppy fetched the stick.'];
  const p = await project(st, req.token, { min_stake: 2_000000, instructions: 'Pick the animal the sentence is about.\nCats: purring, kittens, whiskers.\nDogs: barking, puppies, fetching.' });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 100_000000 } }));
  // Four of them gold: a newcomer's first claims are controls, and the
  // weight its right answers earn is what makes its later labels pay.
  const tasks = Array.from({ length: 24 }, (_, i) => JSON.stringify({ data: `${texts[i % 4]} (#${i + 1})`, external_id: `t${i + 1}`,
    ...(i < 4 ? { gold: i % 2 ? 'dog' : 'cat' } : {}) })).join('\n') + '\n';
  const up = await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, raw: tasks, headers: { 'content-type': 'application/x-ndjson' } }));
  assert.equal(up.created, 24);

  const page = await newPage(browser, st.url);
  await page.goto(`${st.url}/#/key`);
  await page.click('#create-key');
  await page.waitForSelector('#sign-in');
  const pub = (await page.textContent('#public-key')).trim();
  await page.click('#sign-in');
  await page.waitForURL(/#\/projects$/);
  // not yet: the project is listed with the 2 credits of stake it needs
  await page.waitForSelector(`#project-list [data-project="${p.id}"] .join-needs`);
  assert.match(await page.textContent(`[data-project="${p.id}"] .join-needs`), /Needs 2\.00 staked; you have 0\.00/);
  await shot(page, 'labeler-projects-empty');

  // credits arrive from outside (an operator deposit), then stake them
  await credit(st, pub, 10_000000);
  await page.goto(`${st.url}/#/account`);
  await page.waitForSelector('#stake-amount');
  assert.equal((await page.textContent('#acct-balance')).trim(), '10.00');
  await page.fill('#stake-amount', '5');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#acct-stake')?.textContent.trim() === '5.00');
  assert.equal((await page.textContent('#acct-balance')).trim(), '5.00');
  const balanceBefore = 5_000000;

  await page.goto(`${st.url}/#/projects`);
  await page.waitForSelector(`[data-project="${p.id}"] a.btn-primary`);
  await shot(page, 'labeler-projects');
  await page.click(`[data-project="${p.id}"] a.btn-primary`);
  await page.waitForSelector('#item[data-task]');
  await shot(page, 'labeler-task');

  // 20 tasks with the keyboard only: a digit picks the label, Enter submits.
  // Each vote asks for the next task ("next": true): one request per label.
  const calls = { claims: 0, votes: 0, withNext: 0 };
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    if (/\/assignments$/.test(r.url())) calls.claims++;
    if (/\/vote$/.test(r.url())) { calls.votes++; if (JSON.parse(r.postData() || '{}').next === true) calls.withNext++; }
  });
  const seen = new Set();
  for (let i = 0; i < 20; i++) {
    const task = await page.getAttribute('#item', 'data-task');
    assert.ok(!seen.has(task), `task ${task} shown twice`);
    seen.add(task);
    const text = await page.textContent('#item');
    await page.keyboard.press(/cat|kitten/i.test(text) ? '1' : '2');
    assert.equal(await page.getAttribute('.label-btn[aria-pressed=true]', 'data-label'), /cat|kitten/i.test(text) ? 'cat' : 'dog');
    await page.keyboard.press('Enter');
    try {
      await page.waitForFunction((prev) => document.querySelector('#item')?.dataset.task !== prev, task, { timeout: 10000 });
    } catch (e) {
      await shot(page, 'labeler-failure');
      throw new Error(`task ${i + 1} (${task}) did not advance: ${await page.textContent('main')} ${page.errors.join(' | ')}`);
    }
  }
  // S skips: the item changes without a vote
  const beforeSkip = await page.getAttribute('#item', 'data-task');
  await page.keyboard.press('s');
  await page.waitForFunction((prev) => document.querySelector('#item')?.dataset.task !== prev, beforeSkip);

  await page.waitForFunction(() => document.querySelector('#pending-count')?.textContent === '0' && document.querySelector('#done-count')?.textContent === '20', null, { timeout: 20000 });
  await page.waitForFunction(() => !/^0\.00$/.test(document.querySelector('#session-earned')?.textContent.trim()), null, { timeout: 10000 });
  await shot(page, 'labeler-after-20');
  const votes = await st.sql('SELECT count(*)::int AS n FROM votes');
  assert.equal(votes[0].n, 20);
  assert.equal(calls.votes, 20);
  assert.equal(calls.withNext, 20, 'every vote asks for the next task');
  assert.ok(calls.claims <= 1, `${calls.claims} separate claims for 20 labels (one, after the skip)`);

  await page.goto(`${st.url}/#/account`);
  await page.waitForSelector('#ledger');
  const bal = Number((await page.textContent('#acct-balance')).replace(/[^0-9.]/g, '')) * 1e6;
  assert.ok(bal > balanceBefore, `balance ${bal} should exceed ${balanceBefore} after rewards`);
  assert.match(await page.textContent('#earned'), /earned [1-9]/);
  await shot(page, 'labeler-account');

  // unstake: the cooldown is shown
  await page.fill('#stake-amount', '1');
  await page.click('#unstake-btn');
  await page.waitForSelector('#cooldowns li');
  await shot(page, 'labeler-account-cooldown');
  assert.deepEqual(realErrors(page), []);

  // phone layout of the labeling view
  const phone = await newPage(browser, st.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${st.url}/`);
  await phone.evaluate(([k, v]) => { localStorage.setItem('labelchain.token', k); localStorage.setItem('labelchain.session', v); },
    [await page.evaluate(() => localStorage.getItem('labelchain.token')), await page.evaluate(() => localStorage.getItem('labelchain.session'))]);
  await page.close();
  await phone.goto(`${st.url}/#/account`);
  await phone.waitForSelector('#acct-balance');
  const wide = await phone.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap')).map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8));
  assert.deepEqual(wide, [], `wider than the phone (${await phone.evaluate(() => window.innerWidth)})`);
  await shot(phone, 'labeler-account-mobile');
  await phone.close();
});

test('labeler: a vote survives a lost connection', async (t) => {
  for (const [m, p] of [['POST', '/v1/projects/1/assignments'], ['POST', '/v1/assignments/1/vote']]) {
    if (!(await hasRoute(st.url, m, p))) return t.skip(`${m} ${p} is not implemented yet`);
  }
  const req = await requester(st, 'req2');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'Offline test' });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 10_000000 } }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, body: [{ data: { text: 'A cat', source: 'fixture' } }, { data: `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><rect width="320" height="200" fill="#c8d6f5"/><text x="160" y="110" font-size="40" text-anchor="middle">dog</text></svg>').toString('base64')}` }, { data: 'a dog' }] }));
  const page = await newPage(browser, st.url);
  await page.goto(`${st.url}/#/key`);
  await page.click('#create-key');
  await page.click('#sign-in');
  await page.waitForURL(/#\/projects$/);
  await page.goto(`${st.url}/#/label/${p.id}`);
  await page.waitForSelector('#item[data-task]');
  // cut the API off: the vote waits in the outbox, the banner says so
  const first = await page.getAttribute('#item', 'data-task');
  await page.route('**/v1/assignments/*/vote', (r) => r.abort('internetdisconnected'));
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#banner:not([hidden])');
  assert.match(await page.textContent('#banner'), /Connection lost — 1 vote waiting/);
  assert.equal(await page.textContent('#pending-count'), '1');
  await shot(page, 'labeler-offline');
  await page.unroute('**/v1/assignments/*/vote');
  await page.waitForFunction(() => document.querySelector('#pending-count')?.textContent === '0', null, { timeout: 20000 });
  await page.waitForSelector('#banner[hidden]', { state: 'attached' });
  const v = await st.sql('SELECT count(*)::int AS n FROM votes v JOIN tasks t ON t.id = v.task_id WHERE t.project_id = $1', [p.id]);
  assert.equal(v[0].n, 1);
  // the other items: an image and a plain text; label them, then the queue is empty
  await page.waitForFunction((f) => { const t = document.querySelector('#item')?.dataset.task; return t && t !== f; }, first);
  for (let i = 0; i < 2; i++) {
    const task = await page.getAttribute('#item', 'data-task');
    if (await page.$('#item img')) await shot(page, 'labeler-image-item');
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.waitForFunction((prev) => document.querySelector('#item')?.dataset.task !== prev, task);
  }
  await page.waitForSelector('#no-tasks', { timeout: 8000 }).catch(async () => {
    await shot(page, 'labeler-failure');
    throw new Error(`no end-of-queue message: ${await page.textContent('main')} ${page.errors.join(' | ')}`);
  });
  await shot(page, 'labeler-done');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});
