// tests/integration/db_faults.test.mjs — the server's database connections
// when PostgreSQL drops them in the middle of a transaction.
//
// Found by bench/faults (pg-fast): a backend terminated right after a vote's
// pipelined COMMIT had answered (the restart's SIGTERM landing while the
// commit waited on the disk) sent its FATAL in place of the pipeline's sync.
// libpq kept the sync queued, PQexitPipelineMode() refused ("cannot exit
// pipeline mode while busy"), every later statement on that connection
// failed at once without touching the socket, PQstatus() stayed
// CONNECTION_OK, and the pool kept handing it out: after PostgreSQL was back
// most requests still got 503 until labelchaind was restarted.  The first
// test reproduces it every time (commit_delay holds the commit inside its
// critical section); the second is the restart itself, under votes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, sleep } from './lib/stack.mjs';
import { newKey, login, requester, credit, voteSig, settled, PROJECT } from './lib/market.mjs';

let st;
before(async () => {
  // Few pooled connections: a broken one is handed out again at once.
  // Commits wait for the disk, as in production: the restart finds
  // transactions in every phase.
  st = await startStack({ durable: true, env: { LABELCHAIN_THREADS: '4', LABELCHAIN_DB_POOL: '4' } });
});
after(async () => { if (st) await st.stop(); });

let seq = 0;
async function setup(url, nTasks = 4, nLabelers = 1) {
  const req = await requester(st, `db-faults-${++seq}`);
  await credit(st, req.id, 10_000_000_000);
  const p = await api(url, 'POST', '/v1/projects', { token: req.token,
    body: { ...PROJECT, name: `db faults ${seq}`, gold_rate: 0, min_stake: 1_000_000 } });
  assert.equal(p.status, 201, p.text);
  assert.equal((await api(url, 'POST', `/v1/projects/${p.body.id}/fund`,
    { token: req.token, body: { amount: 1_000_000_000 } })).status, 200);
  const up = await api(url, 'POST', `/v1/projects/${p.body.id}/tasks`,
    { token: req.token, body: Array.from({ length: nTasks }, (_, i) => ({ data: { i } })) });
  assert.equal(up.status, 201, up.text);
  const labelers = [];
  for (let i = 0; i < nLabelers; i++) {
    const key = newKey();
    const token = await login(url, key);
    const me = await api(url, 'GET', '/v1/me', { token });
    await credit(st, me.body.id, 50_000_000);
    assert.equal((await api(url, 'POST', '/v1/me/stake', { token, body: { amount: 50_000_000 } })).status, 200);
    labelers.push({ key, token });
  }
  return { project: p.body.id, ...labelers[0], labelers };
}

test('a backend terminated as a vote commits: the 201 stands and the connection is replaced', { timeout: 60000 }, async () => {
  // One pooled connection: the broken one would be handed out again at once.
  const srv = await st.startServer({ LABELCHAIN_THREADS: '2', LABELCHAIN_DB_POOL: '1' });
  const { project, key, token } = await setup(srv.url, 8);

  // Every commit waits 100 ms before its WAL flush, inside the critical
  // section where a backend holds its interrupts: a SIGTERM then lands
  // after the COMMIT's answer, in place of the pipeline's sync — what a
  // restart (-m fast) does to a vote whose commit is waiting on the disk.
  // The wait is skipped when another backend's flush (the settlers commit
  // every 25 ms) has already covered the vote's commit record; the vote
  // then commits at once and is not caught, so it is tried again with a
  // new lease, up to five times.
  await st.sql('ALTER SYSTEM SET commit_delay = 100000');
  await st.sql('ALTER SYSTEM SET commit_siblings = 0');
  await st.sql('SELECT pg_reload_conf()');
  await sleep(200);
  let voted;
  let a;
  try {
    for (let attempt = 0; attempt < 5 && !voted; attempt++) {
      a = (await api(srv.url, 'POST', `/v1/projects/${project}/assignments`, { token })).body;
      assert.ok(a.assignment_id, 'a lease');
      const body = { label: 'cat', signature: voteSig(key, a.assignment_id, a.task.id, 'cat') };
      const pending = api(srv.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token, body });
      await st.sql(`DO $$
        DECLARE p int;
        BEGIN
          FOR i IN 1..3000 LOOP
            PERFORM pg_stat_clear_snapshot();
            SELECT s.pid INTO p FROM pg_stat_activity s
             WHERE s.application_name = 'labelchain' AND s.state = 'active' AND s.query = 'COMMIT'
               AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = s.pid
                           AND l.relation = 'votes'::regclass AND l.mode = 'RowExclusiveLock');
            IF p IS NOT NULL THEN
              PERFORM pg_terminate_backend(p);
              PERFORM set_config('lc.caught', 'yes', false);
              RETURN;
            END IF;
            PERFORM pg_sleep(0.001);
            EXIT WHEN EXISTS (SELECT 1 FROM votes WHERE assignment_id = ${a.assignment_id});
          END LOOP;
          PERFORM set_config('lc.caught', 'no', false);
        END $$`);
      const [{ caught }] = await st.sql("SELECT current_setting('lc.caught') AS caught");
      const r = await pending;
      if (caught === 'yes') voted = r;
      else assert.equal(r.status, 201, `a vote not caught commits as usual: ${r.text}`);
    }
  } finally {
    await st.sql('ALTER SYSTEM RESET commit_delay');
    await st.sql('ALTER SYSTEM RESET commit_siblings');
    await st.sql('SELECT pg_reload_conf()');
  }
  assert.ok(voted, "the vote's COMMIT was caught in one of five tries");
  assert.equal(voted.status, 201, voted.text);
  const [{ n }] = await st.sql('SELECT count(*)::int AS n FROM votes WHERE assignment_id = $1', [a.assignment_id]);
  assert.equal(n, 1, 'the acknowledged vote is stored once');

  // Every later request works: the connection left in pipeline mode was
  // not handed out again.
  const statuses = [];
  for (let i = 0; i < 10; i++) statuses.push((await api(srv.url, 'GET', '/v1/me', { token })).status);
  assert.deepEqual(statuses, Array(10).fill(200));
  assert.match(srv.log(), /event=db_connection_dropped reason=pipeline/);
  await settled(st);
  const [{ sum }] = await st.sql('SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries');
  assert.equal(Number(sum), 0, 'the ledger sums to zero');
});

test('PostgreSQL restarted (-m fast) under votes: every request succeeds again once it is back', { timeout: 90000 }, async () => {
  const { project, labelers } = await setup(st.url, 2000, 16);
  const acked = [];
  let stop = false;
  const work = async (l) => {
    while (!stop) {
      const c = await api(st.url, 'POST', `/v1/projects/${project}/assignments`, { token: l.token }).catch(() => null);
      if (!c || c.status !== 201) { await sleep(5); continue; }
      const a = c.body;
      const v = await api(st.url, 'POST', `/v1/assignments/${a.assignment_id}/vote`, { token: l.token,
        body: { label: 'cat', signature: voteSig(l.key, a.assignment_id, a.task.id, 'cat') } }).catch(() => null);
      if (v && v.status === 201) acked.push(a.assignment_id);
    }
  };
  const running = labelers.map(work);
  await sleep(1000);
  // The test's own connection goes with the restart.
  if (st.client) { await st.client.end().catch(() => {}); st.client = null; }
  st.pg.stopSync('fast');
  await sleep(300);
  await st.pg.start();
  await sleep(1500);
  stop = true;
  await Promise.all(running);
  // One request to let each pooled connection find out it was cut, then
  // nothing but answers.
  for (let i = 0; i < 4; i++) await api(st.url, 'GET', '/v1/me', { token: labelers[0].token });
  const statuses = [];
  for (let i = 0; i < 40; i++) statuses.push((await api(st.url, 'GET', '/v1/me', { token: labelers[i % 16].token })).status);
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'no 503 once PostgreSQL is back');
  assert.ok(acked.length > 0, 'votes were acknowledged');
  const [{ n }] = await st.sql('SELECT count(*)::int AS n FROM votes WHERE assignment_id = ANY($1::bigint[])', [acked]);
  assert.equal(n, acked.length, 'every acknowledged vote is stored');
});
