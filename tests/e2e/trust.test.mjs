// tests/e2e/trust.test.mjs — issue 14: the glitches a new labeler and a new
// requester meet in the browser, one test each: amounts typed with a decimal
// comma, upload results and toasts, a labeler on the Requester tab, a
// labeler without stake, the earned figure, the owner's project controls,
// gold tasks in exports; then the changed pages on a phone.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startStack, api } from '../integration/lib/stack.mjs';
import { launch, newPage, shot, realErrors } from './lib/browser.mjs';
import { requester, credit, must, nodeLabeler, labelAll, project } from './lib/market.mjs';

let st, browser;
test.before(async () => { st = await startStack(); browser = await launch(); });
test.after(async () => { await browser?.close(); await st?.stop(); });

// Sign a page in with a token obtained outside the browser.
async function signIn(page, token, info, hash) {
  await page.goto(`${st.url}/#/`);
  await page.evaluate(([t, i]) => { localStorage.setItem('labelchain.token', t); localStorage.setItem('labelchain.session', JSON.stringify(i)); }, [token, info]);
  await page.goto(`${st.url}/${hash}`);
  await page.reload();
}
const asLabeler = (l) => ({ id: l.id, roles: ['labeler'], public_key: l.pub, via: 'key' });
const asRequester = (r) => ({ id: Number(r.id), roles: ['requester'], via: 'token' });
const text = async (page, sel) => ((await page.textContent(sel)) || '').trim();
const W = { timeout: 6000 };

async function stakeAs(l, micro) {
  await credit(st, l.id, micro);
  await must(api(st.url, 'POST', '/v1/me/stake', { token: l.token, body: { amount: micro } }));
}

test('amounts: a decimal comma is a decimal mark; ambiguous or bad amounts are refused, never scaled', async () => {
  const lab = await nodeLabeler(st);
  await credit(st, lab.id, 10_000000);
  const page = await newPage(browser, st.url);
  const sent = [];
  page.on('request', (r) => { if (r.method() === 'POST' && /\/v1\/me\/stake$/.test(r.url())) sent.push(JSON.parse(r.postData())); });
  await signIn(page, lab.token, asLabeler(lab), '#/account');
  await page.waitForSelector('#stake-amount');
  await page.fill('#stake-amount', '0,5');
  await page.click('#stake-btn');
  await page.waitForFunction(() => /^0\.5/.test(document.querySelector('#acct-stake')?.textContent.trim()), null, W)
    .catch(async () => { throw new Error(`stake shows ${await text(page, '#acct-stake')} after typing 0,5`); });
  assert.equal(await text(page, '#acct-stake'), '0.50');
  assert.deepEqual(sent, [{ amount: 500000 }]);
  await shot(page, 'amount-decimal-comma');

  const refused = [
    ['1,000', /ambiguous/i], ['1.000', /ambiguous/i], ['1,234.5', /thousands|one decimal mark/i],
    ['1 000', /space|thousands/i], ['2.1234567', /6 decimals/], ['-1', /negative/i], ['', /enter an amount/i],
    ['   ', /enter an amount/i], ['abc', /amount like/i], ['1,5,0', /one decimal mark|thousands/i], ['0', /above zero/i],
  ];
  for (const [input, why] of refused) {
    await page.fill('#stake-amount', input);
    await page.click('#stake-btn');
    await page.waitForSelector('#stake-error:not([hidden])', W);
    assert.match(await text(page, '#stake-error'), why, `"${input}"`);
    if (input === '1,000') await shot(page, 'amount-ambiguous');
  }
  assert.equal(sent.length, 1, 'no refused amount reached the server');
  assert.equal(await text(page, '#acct-stake'), '0.50');
  assert.deepEqual(realErrors(page), []);
  await page.close();

  // the requester's fields use the same rules: reward "0,25", fund "2,5"
  const req = await requester(st, 'comma-req');
  await credit(st, req.id, 100_000000);
  const rp = await newPage(browser, st.url);
  await signIn(rp, req.token, asRequester(req), '#/requester');
  await rp.waitForSelector('#new-project');
  await rp.fill('#np-name', 'Comma project');
  await rp.fill('#np-labels', 'yes, no');
  await rp.fill('#np-reward', '0,25');
  await rp.fill('#np-min', '1');
  await rp.fill('#np-max', '1');
  await rp.click('#np-create');
  await rp.waitForURL(/#\/requester\/\d+$/);
  const pid = rp.url().match(/(\d+)$/)[1];
  const p = await must(api(st.url, 'GET', `/v1/projects/${pid}`, { token: req.token }));
  assert.equal(p.reward_per_task, 250000);
  await rp.waitForSelector('#fund-amount');
  await rp.fill('#fund-amount', '2,5');
  await rp.click('#fund-btn');
  await rp.waitForFunction(() => /2\.50/.test(document.querySelector('#progress')?.textContent || ''), null, W);
  assert.equal((await must(api(st.url, 'GET', `/v1/projects/${pid}`, { token: req.token }))).escrow, 2_500000);
  assert.deepEqual(realErrors(rp), []);
  await rp.close();
});

test('uploads say what happened in the right tone; toasts are dismissable, time out, cover nothing, stay on their page', async () => {
  const req = await requester(st, 'upload-req');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'Uploads', min_votes: 1, max_votes: 1 });
  const page = await newPage(browser, st.url);
  await signIn(page, req.token, asRequester(req), `#/requester/${p.id}`);
  await page.waitForSelector('#task-file');
  const nd = (ids, extra = {}) => Buffer.from(ids.map((i) => JSON.stringify({ data: `item ${i}`, external_id: `e${i}`, ...extra })).join('\n') + '\n');
  const upload = (name, buf) => page.setInputFiles('#task-file', { name, mimeType: 'application/x-ndjson', buffer: buf });
  const status = async (tone) => {
    await page.waitForSelector(`#upload-status[data-tone=${tone}]`, W).catch(async () => {
      throw new Error(`upload status "${await text(page, '#upload-status')}" (${await page.getAttribute('#upload-status', 'data-tone')}), want tone ${tone}`);
    });
    return text(page, '#upload-status');
  };

  await upload('first.ndjson', nd([1, 2, 3]));
  assert.match(await status('ok'), /3 tasks created/);
  // the same file again: nothing new, and it says so without a green tick
  await upload('first.ndjson', nd([1, 2, 3]));
  const again = await status('warn');
  assert.match(again, /No new tasks/);
  assert.match(again, /all 3 .*already in the project/);
  assert.equal(await page.$$eval('.toast-ok', (ts) => ts.filter((t) => /0 tasks/.test(t.textContent)).length), 0, 'no green "0 tasks"');
  assert.ok(await page.$('.toast.toast-warn'), 'the toast is a warning');
  await shot(page, 'upload-duplicates');
  // some new, some already there
  await upload('more.ndjson', nd([3, 4, 5]));
  const mixed = await status('ok');
  assert.match(mixed, /2 tasks created/);
  assert.match(mixed, /1 .*already in the project/);
  // refused: a gold answer that is not a label; nothing is created
  await upload('bad.ndjson', nd([6, 7], { gold: 'fish' }));
  const bad = await status('error');
  assert.match(bad, /refused/i);
  assert.match(bad, /fish/);
  assert.match(bad, /nothing .*created|none of them was created|0 created/i);
  assert.equal((await must(api(st.url, 'GET', `/v1/projects/${p.id}`, { token: req.token }))).progress.tasks, 5);
  await shot(page, 'upload-refused');

  // toasts: at most three, newest last, each with a close button
  const toasts = await page.$$('.toast');
  assert.ok(toasts.length >= 1 && toasts.length <= 3, `${toasts.length} toasts`);
  // none covers a control of the page, wherever it is scrolled
  for (const sel of ['#dl-csv', '#dl-jsonl', '#fund-btn', '#fund-amount', '#task-file']) {
    const covered = await page.evaluate((s) => {
      const el = document.querySelector(s);
      el.scrollIntoView({ block: 'end' });
      const r = el.getBoundingClientRect();
      const pts = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [r.left + 4, r.bottom - 4], [r.right - 4, r.bottom - 4], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
      return pts.filter(([x, y]) => { const hit = document.elementFromPoint(x, y); return !hit || !(hit === el || el.contains(hit)); }).map(([x, y]) => document.elementFromPoint(x, y)?.className);
    }, sel);
    assert.ok(await page.$('.toast'), 'toasts are still up while checking');
    assert.deepEqual(covered, [], `${sel} is covered`);
  }
  await shot(page, 'toasts-not-covering');
  const before = (await page.$$('.toast')).length;
  await page.click('.toast .toast-close');
  assert.equal((await page.$$('.toast')).length, before - 1, 'a click on × dismisses');
  await page.mouse.move(640, 850);	// a toast under the pointer waits for it to leave
  // they time out by themselves
  await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, { timeout: 15000 });
  // and do not follow to another page
  await upload('first.ndjson', nd([1]));
  await status('warn');
  assert.ok(await page.$('.toast'));
  await page.click('a[data-nav=account]');
  await page.waitForSelector('#acct-balance');
  assert.equal((await page.$$('.toast')).length, 0, 'toasts stay on their page');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('a labeler on the Requester tab sees how to become a requester, not someone else\'s projects', async () => {
  const req = await requester(st, 'someone');
  await project(st, req.token, { name: 'Someone else\'s project', min_stake: 0 });
  const lab = await nodeLabeler(st);
  const page = await newPage(browser, st.url);
  await signIn(page, lab.token, asLabeler(lab), '#/requester');
  await page.waitForSelector('#become-requester', W).catch(async () => {
    await shot(page, 'labeler-requester-tab-failure');
    throw new Error(`no labeler's view of the Requester tab: ${await text(page, 'main')}`);
  });
  assert.match(await text(page, '#become-requester'), /labelctl account create --role requester/);
  assert.equal(await page.$('#new-project'), null, 'no New-project form that answers 403');
  assert.doesNotMatch(await text(page, 'main'), /Someone else's project/);
  assert.doesNotMatch(await text(page, 'main'), /Your projects/);
  await shot(page, 'labeler-requester-tab');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('a labeler without stake sees the open projects, what each needs, and the account id to get credit', async () => {
  const req = await requester(st, 'stake-req');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'Needs stake', min_stake: 2_000000 });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 10_000000 } }));
  const lab = await nodeLabeler(st);
  const page = await newPage(browser, st.url);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, lab.token, asLabeler(lab), '#/projects');
  const card = `#project-list [data-project="${p.id}"]`;
  await page.waitForSelector(card, W).catch(async () => {
    await shot(page, 'labeler-no-stake-failure');
    throw new Error(`project ${p.id} is not listed: ${await text(page, 'main')}`);
  });
  const needs = await text(page, `${card} .join-needs`);
  assert.match(needs, /Needs 2\.00 staked/);
  assert.match(needs, /you have 0\.00/);
  assert.match(needs, new RegExp(`account id ${lab.id}\\b`), 'says which account to credit');
  assert.equal(await page.$(`${card} a[href^="#/label/"]`), null, 'no Start button it cannot use');
  await shot(page, 'labeler-no-stake-projects');

  // the account page shows the id, with a copy button
  await page.click(`${card} .join-needs a[href="#/account"]`);
  await page.waitForSelector('#account-id');
  assert.equal(await text(page, '#account-id'), String(lab.id));
  await page.click('#copy-account-id');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), String(lab.id));
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#copy-account-id')?.textContent || ''));
  await shot(page, 'labeler-account-id');

  // with the stake, the same card offers to start
  await stakeAs(lab, 2_000000);
  await page.goto(`${st.url}/#/projects`);
  await page.waitForSelector(`${card} a[href="#/label/${p.id}"]`, W);
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('the earned figure is the server\'s sum of every reward, not of the newest ledger page', async () => {
  const req = await requester(st, 'earn-req');
  await credit(st, req.id, 1000_000000);
  const p = await project(st, req.token, { name: 'Many small tasks', min_votes: 1, max_votes: 1, min_stake: 1_000000 });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 200_000000 } }));
  // Three gold tasks the labeler gets right: a newcomer weighs nothing
  // (and earns nothing on its own labels) until its controls say it may.
  const tasks = Array.from({ length: 120 }, (_, i) => ({ data: `t${i}`, external_id: `t${i}`, ...(i < 3 ? { gold: 'cat' } : {}) }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, body: tasks }));
  const lab = await nodeLabeler(st);
  await stakeAs(lab, 5_000000);
  assert.equal(await labelAll(st, lab, p.id), 120);
  const [{ sum }] = await st.sql("SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries WHERE account_key = $1 AND cause = 'reward'", [`a/${lab.id}/balance`]);
  const page1 = (await must(api(st.url, 'GET', '/v1/me/ledger', { token: lab.token }))).filter((m) => m.cause === 'reward' && m.amount > 0).reduce((a, m) => a + m.amount, 0);
  assert.ok(Number(sum) > page1, `the test needs more rewards (${sum}) than the first ledger page holds (${page1})`);
  const page = await newPage(browser, st.url);
  await signIn(page, lab.token, asLabeler(lab), '#/account');
  await page.waitForSelector('#earned');
  const want = `earned ${(Number(sum) / 1e6).toFixed(2)}`;
  assert.equal(await text(page, '#earned'), want);
  await shot(page, 'labeler-earned');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('an owner pauses, resumes, edits and closes a project, told first what closing does to the escrow', async () => {
  const req = await requester(st, 'owner-req');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'To manage', min_votes: 2, max_votes: 3, min_stake: 1_000000 });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 10_000000 } }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, body: [1, 2, 3, 4].map((i) => ({ data: `x${i}` })) }));
  const lab = await nodeLabeler(st);
  await stakeAs(lab, 5_000000);
  const c = await must(api(st.url, 'POST', `/v1/projects/${p.id}/assignments`, { token: lab.token }));
  await must(api(st.url, 'POST', `/v1/assignments/${c.assignment_id}/vote`, { token: lab.token, body: { label: 'cat', signature: lab.sign(`labelchain:vote:v1\n${c.assignment_id}\n${c.task.id}\ncat`) } }));
  const bal0 = (await must(api(st.url, 'GET', '/v1/me', { token: req.token }))).balance;

  const page = await newPage(browser, st.url);
  await signIn(page, req.token, asRequester(req), `#/requester/${p.id}`);
  await page.waitForSelector('#project-pause', W).catch(async () => {
    await shot(page, 'owner-controls-failure');
    throw new Error(`no pause button: ${await text(page, 'main')}`);
  });
  await shot(page, 'owner-controls');
  const status = async () => (await must(api(st.url, 'GET', `/v1/projects/${p.id}`, { token: req.token }))).status;
  await page.click('#project-pause');
  await page.waitForFunction(() => document.querySelector('#project-status')?.textContent === 'paused', null, W);
  assert.equal(await status(), 'paused');
  await page.waitForSelector('#project-resume');
  await shot(page, 'owner-paused');
  await page.click('#project-resume');
  await page.waitForFunction(() => document.querySelector('#project-status')?.textContent === 'open', null, W);
  assert.equal(await status(), 'open');

  // edit: name and instructions only
  await page.click('#project-edit');
  await page.waitForSelector('#edit-name');
  assert.equal(await page.inputValue('#edit-name'), 'To manage');
  await page.fill('#edit-name', 'Managed well');
  await page.fill('#edit-instructions', 'Cats purr, dogs bark.');
  await shot(page, 'owner-edit');
  await page.click('#edit-save');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Managed well', null, W);
  const after = await must(api(st.url, 'GET', `/v1/projects/${p.id}`, { token: req.token }));
  assert.equal(after.name, 'Managed well');
  assert.equal(after.instructions, 'Cats purr, dogs bark.');

  // close: the confirmation says what happens, and "keep" keeps it open
  await page.click('#project-close');
  await page.waitForSelector('#close-dialog[open]');
  const says = await text(page, '#close-dialog');
  assert.match(says, /4 open tasks .*cancelled/);
  assert.match(says, /bonds? .*released/);
  assert.match(says, /10\.00 .*(back to|return to) your balance/);
  assert.match(says, /cannot be undone/);
  await shot(page, 'owner-close-confirm');
  await page.click('#close-keep');
  await page.waitForSelector('#close-dialog', { state: 'hidden' });
  assert.equal(await status(), 'open');
  await page.click('#project-close');
  await page.click('#close-confirm');
  await page.waitForFunction(() => document.querySelector('#project-status')?.textContent === 'closed', null, W);
  assert.equal(await status(), 'closed');
  assert.equal((await must(api(st.url, 'GET', '/v1/me', { token: req.token }))).balance, bal0 + 10_000000);
  assert.equal(await page.$('#project-pause'), null);
  assert.equal(await page.$('#project-resume'), null);
  assert.equal(await page.$('#project-close'), null);
  await shot(page, 'owner-closed');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('gold tasks are marked in exports and in the requester\'s view; a gold row is the gold answer', async () => {
  const req = await requester(st, 'gold-req');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'With gold', min_votes: 2, max_votes: 2, gold_rate: 0.5, min_stake: 1_000000 });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 20_000000 } }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, body: [
    { data: 'g1', external_id: 'g1', gold: 'cat' }, { data: 'g2', external_id: 'g2', gold: 'cat' },
    { data: 'n1', external_id: 'n1' }, { data: 'n2', external_id: 'n2' }] }));
  for (let i = 0; i < 2; i++) {
    const lab = await nodeLabeler(st);
    await stakeAs(lab, 5_000000);
    await labelAll(st, lab, p.id, (a) => a.labels.indexOf('dog'));	// wrong on every gold task
  }
  const page = await newPage(browser, st.url);
  await signIn(page, req.token, asRequester(req), `#/requester/${p.id}`);
  await page.waitForSelector('#labels-table tbody tr', W).catch(async () => {
    await shot(page, 'gold-failure');
    throw new Error(`no labels table: ${await text(page, 'main')}`);
  });
  await page.waitForFunction(() => document.querySelectorAll('#labels-table tbody tr').length === 4, null, W);
  const rows = await page.$$eval('#labels-table tbody tr', (trs) => trs.map((tr) => ({ ext: tr.dataset.external, gold: !!tr.querySelector('.pill-gold'), low: !!tr.querySelector('.pill-low'), text: tr.textContent })));
  for (const r of rows) {
    assert.equal(r.gold, /^g/.test(r.ext), `row ${r.ext}: ${r.text}`);
    if (r.gold) { assert.match(r.text, /cat/); assert.equal(r.low, false); }
  }
  assert.match(await text(page, '#progress'), /gold 2/);
  await shot(page, 'gold-requester-view');

  const [d1] = await Promise.all([page.waitForEvent('download'), page.click('#dl-jsonl')]);
  const jl = fs.readFileSync(await d1.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jl.length, 4);
  for (const r of jl) {
    assert.equal(typeof r.gold, 'boolean');
    assert.equal(r.gold, /^g/.test(r.external_id));
    if (r.gold) { assert.equal(r.label, 'cat'); assert.equal(r.low_confidence, false); } else assert.equal(r.label, 'dog');
  }
  const [d2] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
  const csv = fs.readFileSync(await d2.path(), 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  const col = csv[0].indexOf('gold');
  assert.ok(col >= 0, `a gold column: ${csv[0]}`);
  for (const r of csv.slice(1)) assert.equal(r[col], /^g/.test(r[1]) ? 'true' : 'false');
  assert.deepEqual(realErrors(page), []);
  await page.close();
});

test('the changed pages hold on a phone', async () => {
  const req = await requester(st, 'phone-req');
  await credit(st, req.id, 100_000000);
  const p = await project(st, req.token, { name: 'A project with a rather long name to wrap on a phone', min_stake: 3_000000, min_votes: 1, max_votes: 1 });
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/fund`, { token: req.token, body: { amount: 10_000000 } }));
  await must(api(st.url, 'POST', `/v1/projects/${p.id}/tasks`, { token: req.token, body: [{ data: 'a', gold: 'cat' }, { data: 'b' }] }));
  const worker = await nodeLabeler(st);
  await stakeAs(worker, 5_000000);
  await labelAll(st, worker, p.id);
  const lab = await nodeLabeler(st);
  const phone = async (token, info, hash, sel, name) => {
    const page = await newPage(browser, st.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page, token, info, hash);
    await page.waitForSelector(sel, W);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap')).map((e) => `${e.tagName}.${e.className}#${e.id}`).slice(0, 8));
    assert.deepEqual(wide, [], `${name}: wider than the phone`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false, `${name}: no horizontal scrolling`);
    await shot(page, `phone-${name}`);
    assert.deepEqual(realErrors(page), []);
    return page;
  };
  await (await phone(lab.token, asLabeler(lab), '#/projects', `[data-project="${p.id}"] .join-needs`, 'projects')).close();
  await (await phone(lab.token, asLabeler(lab), '#/account', '#copy-account-id', 'account')).close();
  await (await phone(lab.token, asLabeler(lab), '#/requester', '#become-requester', 'requester-labeler')).close();
  const owner = await phone(req.token, asRequester(req), `#/requester/${p.id}`, '#labels-table tbody tr', 'project-owner');
  await owner.click('#project-close');
  await owner.waitForSelector('#close-dialog[open]');
  await shot(owner, 'phone-project-close');
  assert.equal(await owner.evaluate(() => { const r = document.querySelector('#close-dialog').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }), true);
  await owner.close();
});
