// tests/integration/authz.test.mjs — every API route × {anonymous, other
// labeler, requester owner, other requester, labeler (the claimer)} and the
// status each must get.  Rows run in order (they share state: a claim, a
// vote, a pause, a close) and columns in the order above.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, PROJECT } from './lib/market.mjs';

let st;
before(async () => { st = await startStack(); });
after(async () => { if (st) await st.stop(); });

test('authorization matrix', async () => {
  const owner = await requester(st, 'owner');
  const other = await requester(st, 'other');
  await credit(st, 'owner', 100000000);
  await credit(st, 'other', 100000000);
  const k1 = newKey(); const k2 = newKey();
  const l1 = await login(st.url, k1); const l2 = await login(st.url, k2);
  for (const [k, t] of [[k1, l1], [k2, l2]]) {
    await credit(st, k.pk, 100000000);
    assert.equal((await api(st.url, 'POST', '/v1/me/stake', { token: t, body: { amount: 50000000 } })).status, 200);
  }
  const p = await api(st.url, 'POST', '/v1/projects', { token: owner.token, body: PROJECT });
  const P = p.body.id;
  await api(st.url, 'POST', `/v1/projects/${P}/fund`, { token: owner.token, body: { amount: 50000000 } });
  await api(st.url, 'POST', `/v1/projects/${P}/tasks`, { token: owner.token,
    body: [0, 1, 2, 3, 4].map((i) => ({ data: { i }, external_id: `x${i}` })) });
  const c = await api(st.url, 'POST', `/v1/projects/${P}/assignments`, { token: l1 });
  assert.equal(c.status, 201);
  const X = c.body.assignment_id;
  const vote = { label: 'cat', signature: voteSig(k1, X, c.body.task.id, 'cat') };

  const who = [undefined, l2, owner.token, other.token, l1];
  const rows = [
    ['GET', '/healthz', null, [200, 200, 200, 200, 200]],
    ['GET', '/v1/me', null, [401, 200, 200, 200, 200]],
    ['GET', '/v1/me/ledger', null, [401, 200, 200, 200, 200]],
    ['GET', '/v1/me/reputation', null, [401, 200, 200, 200, 200]],
    ['POST', '/v1/me/stake', { amount: 1 }, [401, 200, 403, 403, 200]],
    ['POST', '/v1/me/unstake', { amount: 1 }, [401, 202, 403, 403, 202]],
    ['POST', '/v1/projects', PROJECT, [401, 403, 201, 201, 403]],
    ['GET', '/v1/projects', null, [401, 200, 200, 200, 200]],
    ['GET', `/v1/projects/${P}`, null, [401, 200, 200, 403, 200]],
    ['GET', '/v1/projects/999999', null, [401, 404, 404, 404, 404]],
    ['PATCH', `/v1/projects/${P}`, { name: 'renamed' }, [401, 403, 200, 403, 403]],
    ['PATCH', `/v1/projects/${P}`, { labels: ['a', 'b'] }, [401, 403, 422, 422, 403]],
    ['PATCH', '/v1/projects/999999', { name: 'x' }, [401, 403, 404, 404, 403]],
    ['POST', `/v1/projects/${P}/fund`, { amount: 1 }, [401, 403, 200, 403, 403]],
    ['POST', `/v1/projects/${P}/tasks`, [{ data: 1, external_id: 'x0' }], [401, 403, 200, 403, 403]],
    ['GET', `/v1/projects/${P}/labels`, null, [401, 403, 200, 403, 403]],
    ['POST', `/v1/projects/${P}/assignments`, null, [401, 201, 403, 403, 201]],
    ['POST', `/v1/assignments/${X}/vote`, vote, [401, 403, 403, 403, 201]],
    ['POST', `/v1/assignments/${X}/vote`, vote, [401, 403, 403, 403, 409]],
    ['POST', `/v1/assignments/${X}/skip`, null, [401, 403, 403, 403, 409]],
    ['POST', '/v1/assignments/999999/skip', null, [401, 404, 403, 403, 404]],
    ['POST', `/v1/projects/${P}/pause`, null, [401, 403, 200, 403, 403]],
    ['POST', `/v1/projects/${P}/assignments`, null, [401, 409, 403, 403, 409]],
    ['POST', `/v1/projects/${P}/resume`, null, [401, 403, 200, 403, 403]],
    ['POST', `/v1/projects/${P}/close`, null, [401, 403, 200, 403, 403]],
    ['POST', '/v1/auth/logout', null, [401, 204, 204, 204, 204]],
  ];
  const failures = [];
  for (const [method, path, body, want] of rows) {
    for (let i = 0; i < who.length; i++) {
      const r = await api(st.url, method, path, { token: who[i], body: body ?? undefined });
      if (r.status !== want[i]) failures.push(`${method} ${path} as ${['anonymous', 'other labeler', 'owner', 'other requester', 'labeler'][i]}: ${r.status} (want ${want[i]}) ${r.text.slice(0, 160)}`);
      if (r.status >= 400) assert.match(r.headers.get('content-type'), /application\/problem\+json/);
    }
  }
  assert.deepEqual(failures, []);
});
