// tests/integration/foundation.test.mjs — labelchaind and labelctl on a real
// PostgreSQL: health, readiness, metrics, problem+json, limits, static
// files, request ids, configuration errors, DB loss, clean shutdown, and
// migrations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startStack, api, sleep, BUILDDIR, SRCDIR } from './lib/stack.mjs';

let st;
before(async () => { st = await startStack(); });
after(async () => {
  const results = await st.stop();
  // A clean SIGTERM exit is also where ASan's leak check speaks.
  for (const r of results) assert.equal(r.code, 0, 'labelchaind exits 0 on SIGTERM');
});

test('healthz and readyz answer 200 with JSON', async () => {
  const h = await api(st.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  const r = await api(st.url, 'GET', '/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ready');
  assert.equal(r.body.checks.database, 'ok');
  assert.equal(r.body.checks.migrations, 'current');
});

test('unknown route is a 404 problem', async () => {
  const r = await api(st.url, 'GET', '/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.body.type, 'urn:labelchain:problem:not-found');
  assert.equal(r.body.status, 404);
  assert.equal(r.body.instance, '/v1/nothing-here');
  assert.ok(r.body.request_id);
});

test('wrong method is a 405 problem with Allow', async () => {
  const r = await api(st.url, 'POST', '/healthz', { body: {} });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET');
  assert.equal(r.body.type, 'urn:labelchain:problem:method-not-allowed');
});

test('an oversized body is refused with 413, declared or streamed', async () => {
  const big = 'x'.repeat(70 * 1024);
  const r = await api(st.url, 'POST', '/v1/anything', { raw: big, headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 413);
  assert.equal(r.body.type, 'urn:labelchain:problem:payload-too-large');
  // Chunked: no Content-Length, the limit is enforced as bytes arrive.
  const chunked = await new Promise((resolve, reject) => {
    const sock = net.connect(st.server.port, '127.0.0.1', () => {
      sock.write('POST /v1/anything HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n' +
        'Content-Type: application/json\r\n\r\n');
      const chunk = 'y'.repeat(16 * 1024);
      for (let i = 0; i < 6; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      sock.write('0\r\n\r\n');
    });
    let data = '';
    sock.on('data', (d) => {
      data += d;
      if (data.includes('\r\n\r\n')) { sock.destroy(); resolve(data); }
    });
    sock.on('error', () => resolve(data));
    sock.on('close', () => resolve(data));
    setTimeout(() => { sock.destroy(); reject(new Error('no answer')); }, 5000);
  });
  assert.match(chunked, /^HTTP\/1\.1 413/);
});

test('the server still answers after hostile requests', async () => {
  const junk = await new Promise((resolve) => {
    const sock = net.connect(st.server.port, '127.0.0.1', () => sock.write('GARBAGE\r\n\r\n'));
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => resolve(data));
    sock.on('error', () => resolve(data));
  });
  // libmicrohttpd answers a malformed request line with 400 or just closes.
  assert.ok(junk === '' || /^HTTP\/1\.1 4\d\d/.test(junk), junk);
  const long = await api(st.url, 'GET', `/v1/${'a'.repeat(5000)}`);
  assert.ok(long.status === 400 || long.status === 414, `status ${long.status}`);
  assert.equal((await api(st.url, 'GET', '/healthz')).status, 200);
});

test('metrics count requests by route and status and show the pool', async () => {
  await api(st.url, 'GET', '/healthz');
  const m = await api(st.url, 'GET', '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(m.text, /labelchain_http_requests_total\{route="GET \/healthz",status="200"\} \d+/);
  assert.match(m.text, /labelchain_http_requests_total\{route="unmatched",status="404"\} \d+/);
  assert.match(m.text, /labelchain_http_request_duration_seconds_bucket\{route="GET \/healthz",le="\+Inf"\} \d+/);
  assert.match(m.text, /labelchain_db_pool_size \d+/);
  assert.match(m.text, /labelchain_db_pool_in_use \d+/);
});

test('static files come from web/, with no way out of it', async () => {
  const index = await api(st.url, 'GET', '/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(index.text, fs.readFileSync(path.join(SRCDIR, 'web/index.html'), 'utf8'));
  for (const p of ['/../README.md', '/%2e%2e/README.md', '/.hidden', '/nope.html', '//etc/passwd']) {
    const r = await api(st.url, 'GET', p);
    assert.equal(r.status, 404, p);
  }
});

test('every response carries a request id, and the log lines name it', async () => {
  const r = await api(st.url, 'GET', '/healthz', { headers: { 'x-request-id': 'test-req-42' } });
  assert.equal(r.headers.get('x-request-id'), 'test-req-42');
  const r2 = await api(st.url, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id!' } });
  assert.match(r2.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  await sleep(100);
  const line = st.server.log().split('\n').find((l) => l.includes('req=test-req-42'));
  assert.ok(line, 'a log line carries the request id');
  assert.match(line, /event=request method=GET path=\/healthz status=200/);
});

test('bad configuration is a clear error and exit code 2', () => {
  const bin = path.join(BUILDDIR, 'labelchaind');
  const cases = [
    [['--threads=0'], /threads must be an integer/],
    [['--listen=nonsense'], /HOST:PORT/],
    [['--bogus'], /unknown option/],
    [['--sql-dir=/nonexistent'], /cannot read migrations/],
  ];
  for (const [args, msg] of cases) {
    const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, DATABASE_URL: st.databaseUrl } });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, msg);
  }
  const envCase = spawnSync(bin, [], { encoding: 'utf8', env: { ...process.env, LABELCHAIN_THREADS: 'many' } });
  assert.equal(envCase.status, 2);
  assert.match(envCase.stderr, /environment LABELCHAIN_THREADS/);
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /DATABASE_URL/);
});

test('readyz is 503 while the database is down and recovers after', async () => {
  st.pg.stopSync('fast');
  const down = await api(st.url, 'GET', '/readyz');
  assert.equal(down.status, 503);
  assert.equal(down.body.checks.database, 'unreachable');
  assert.equal((await api(st.url, 'GET', '/healthz')).status, 200, 'still alive');
  await st.pg.start();
  let up;
  for (let i = 0; i < 50; i++) {
    up = await api(st.url, 'GET', '/readyz');
    if (up.status === 200) break;
    await sleep(100);
  }
  assert.equal(up.status, 200);
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const s = await st.startServer();
  const answer = new Promise((resolve, reject) => {
    const sock = net.connect(s.port, '127.0.0.1', () => {
      sock.write('POST /v1/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 10\r\nConnection: close\r\n\r\n{"a":');
    });
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => resolve(data));
    sock.on('error', reject);
    // Finish the body only after the server was told to stop.
    setTimeout(() => sock.write('1}    '), 400);
  });
  await sleep(150);
  s.proc.kill('SIGTERM');
  const reply = await answer;
  assert.match(reply, /^HTTP\/1\.1 404/, 'the request in flight got its answer');
  const { code } = await s.stop();
  assert.equal(code, 0);
  assert.match(s.log(), /event=shutdown signal=TERM in_flight=1/);
  st.servers = st.servers.filter((x) => x !== s);
});

test('labelctl migrate applies in order, records, and refuses a changed file', async () => {
  const dir = fs.mkdtempSync(path.join(st.dir, 'sql-'));
  fs.writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE mig_a (x int);');
  fs.writeFileSync(path.join(dir, '0002_b.sql'), 'INSERT INTO mig_a VALUES (1);');
  const env = { LABELCHAIN_SQL_DIR: dir, DATABASE_URL: st.databaseUrl.replace('dbname=labelchain', 'dbname=migtest') };
  await st.sql('CREATE DATABASE migtest');
  let r = await st.labelctl(['migrate'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /applied 2 migrations/);
  r = await st.labelctl(['migrate'], { env });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /applied 0 migrations/);
  fs.writeFileSync(path.join(dir, '0003_c.sql'), 'INSERT INTO mig_a VALUES (2);');
  r = await st.labelctl(['migrate'], { env });
  assert.match(r.stdout, /applied 1 migration;/);
  fs.writeFileSync(path.join(dir, '0002_b.sql'), 'INSERT INTO mig_a VALUES (99);');
  r = await st.labelctl(['migrate'], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused/);
  // A failing migration leaves nothing behind.
  fs.writeFileSync(path.join(dir, '0002_b.sql'), 'INSERT INTO mig_a VALUES (1);');
  fs.writeFileSync(path.join(dir, '0004_bad.sql'), 'CREATE TABLE mig_d (y int); SELECT nope();');
  r = await st.labelctl(['migrate'], { env });
  assert.equal(r.code, 1);
  const c = new (await import('pg')).default.Client({ host: st.pg.data, port: st.pg.port, user: 'postgres', database: 'migtest' });
  await c.connect();
  const rows = (await c.query("SELECT version FROM schema_migrations ORDER BY version")).rows.map((x) => x.version);
  assert.deepEqual(rows, ['0001', '0002', '0003']);
  assert.equal((await c.query("SELECT to_regclass('mig_d') AS t")).rows[0].t, null);
  assert.deepEqual((await c.query('SELECT x FROM mig_a ORDER BY x')).rows.map((x) => x.x), [1, 2]);
  await c.end();
});

test('readyz reports pending migrations when the schema is behind', async () => {
  const dir = fs.mkdtempSync(path.join(st.dir, 'sql-'));
  for (const f of fs.readdirSync(path.join(SRCDIR, 'sql')).filter((x) => x.endsWith('.sql'))) {
    fs.copyFileSync(path.join(SRCDIR, 'sql', f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, '9999_later.sql'), 'CREATE TABLE later (x int);');
  const s = await st.startServer({ LABELCHAIN_SQL_DIR: dir, LABELCHAIN_MIGRATE: 'false' });
  const r = await api(s.url, 'GET', '/readyz');
  assert.equal(r.status, 503);
  assert.equal(r.body.checks.migrations, 'pending 1');
  assert.equal((await s.stop()).code, 0);
  st.servers = st.servers.filter((x) => x !== s);
});

test('labelctl status and --help', async () => {
  const r = await st.labelctl(['status']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /database: +ok \(PostgreSQL 15/);
  assert.match(r.stdout, /healthz 200, readyz 200/);
  const bad = await st.labelctl(['status'], { env: { LABELCHAIN_URL: 'http://127.0.0.1:1' } });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /does not answer/);
  const h = await st.labelctl(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /migrate/);
  assert.equal((await st.labelctl(['frobnicate'])).code, 2);
});

test('--check-config prints the effective configuration without passwords', () => {
  const bin = path.join(BUILDDIR, 'labelchaind');
  const run = (url) => spawnSync(bin, ['--check-config', '--threads', '3'],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: url } });
  let r = run('postgresql://alice:s3cret@db.example/labelchain');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^threads=3$/m);
  assert.match(r.stdout, /^database-url=postgresql:\/\/alice:\*\*\*@db\.example\/labelchain$/m);
  assert.doesNotMatch(r.stdout, /s3cret/);
  r = run('host=/tmp password=hunter2 dbname=x');
  assert.match(r.stdout, /^database-url=host=\/tmp password=\*\*\* dbname=x$/m);
});

test('README documents every labelchaind option and labelctl verb', () => {
  const readme = fs.readFileSync(path.join(SRCDIR, 'README.md'), 'utf8');
  const help = spawnSync(path.join(BUILDDIR, 'labelchaind'), ['--help'], { encoding: 'utf8' }).stdout;
  const flags = [...help.matchAll(/^ {2}--([a-z-]+)=VALUE/gm)].map((m) => m[1]);
  assert.ok(flags.length > 10);
  for (const f of flags) assert.ok(readme.includes(`| \`--${f}\` |`), `README lacks --${f}`);
  const ctl = spawnSync(path.join(BUILDDIR, 'labelctl'), ['--help'], { encoding: 'utf8' }).stdout;
  const verbs = [...ctl.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
  assert.ok(verbs.includes('migrate') && verbs.length >= 5);
  for (const v of verbs) assert.match(readme, new RegExp(`^  ${v} +`, 'm'), `README lacks labelctl ${v}`);
});
