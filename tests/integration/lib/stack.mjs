// tests/integration/lib/stack.mjs — a real labelchain stack per test file:
// a private PostgreSQL cluster (initdb --no-sync, unix socket in its own
// directory, run as `postgres` when we are root), optionally anvil, and one
// or more labelchaind processes on free ports.  Everything started here is
// stopped by stack.stop(), and also on process exit or a signal, so a failing
// test never leaves a server behind.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SRCDIR = process.env.LC_SRCDIR || path.resolve(here, '../../..');
export const BUILDDIR = process.env.LC_BUILDDIR || path.join(SRCDIR, 'build');
const IS_ROOT = process.getuid && process.getuid() === 0;
const PG_BIN = execFileSync('pg_config', ['--bindir']).toString().trim();
const ANVIL = path.join(SRCDIR, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');

const live = new Set();		// cleanup callbacks of everything running
function cleanupAllSync() {
  for (const fn of [...live]) { try { fn(); } catch { /* best effort */ } }
  live.clear();
}
process.on('exit', cleanupAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { cleanupAllSync(); process.exit(130); });
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function asPostgres(cmd, args, opts = {}) {
  if (IS_ROOT) return spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], opts);
  return spawnSync(cmd, args, opts);
}

async function waitFor(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try { if (await fn()) return; } catch (e) { last = e; }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export class Postgres {
  // durable: fsync and synchronous_commit on, as in production (commits
  // wait for the disk); off by default for speed.
  constructor(dir, port, { durable = false } = {}) {
    this.dir = dir; this.port = port; this.durable = durable;
    this.data = path.join(dir, 'pg');
    this.url = `host=${this.data} port=${port} user=postgres dbname=labelchain`;
  }
  static async create(dir, opts = {}) {
    const p = new Postgres(dir, await freePort(), opts);
    fs.mkdirSync(p.data, { mode: 0o700 });
    if (IS_ROOT) execFileSync('chown', ['postgres:postgres', p.data]);
    const r = asPostgres(path.join(PG_BIN, 'initdb'), ['-D', p.data, '--no-sync', '-A', 'trust',
      '-U', 'postgres', '-E', 'UTF8', '--no-instructions'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
    await p.start();
    const c = asPostgres(path.join(PG_BIN, 'createdb'), ['-h', p.data, '-p', String(p.port),
      '-U', 'postgres', 'labelchain'], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`createdb failed: ${c.stderr}`);
    return p;
  }
  async start() {
    const opts = `-k ${this.data} -p ${this.port} -c listen_addresses='' ` +
      (this.durable ? '' : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off ') +
      '-c max_connections=200';
    const r = asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-w', '-l',
      path.join(this.data, 'server.log'), '-o', opts, 'start'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}`);
    this.cleanup = () => this.stopSync();
    live.add(this.cleanup);
  }
  stopSync(mode = 'immediate') {
    asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', 'stop'],
      { encoding: 'utf8' });
    live.delete(this.cleanup);
  }
}

export class Anvil {
  static async start(extraArgs = []) {
    const a = new Anvil();
    a.port = await freePort();
    a.url = `http://127.0.0.1:${a.port}`;
    a.proc = spawn(ANVIL, ['--port', String(a.port), '--quiet', ...extraArgs],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    a.cleanup = () => { try { a.proc.kill('SIGKILL'); } catch { /* gone */ } };
    live.add(a.cleanup);
    await waitFor('anvil', async () => (await a.rpc('eth_chainId')) === '0x7a69');
    return a;
  }
  async rpc(method, params = []) {
    const r = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const j = await r.json();
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
  }
  async stop() {
    if (this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await done;
    }
    live.delete(this.cleanup);
  }
}

export class Server {
  // env: extra environment for labelchaind; binary: override the path.
  static async start({ databaseUrl, rpcUrl, env = {}, dir, binary, waitReady = true }) {
    const s = new Server();
    s.port = await freePort();
    s.url = `http://127.0.0.1:${s.port}`;
    s.logPath = path.join(dir, `labelchaind-${s.port}.log`);
    const log = fs.openSync(s.logPath, 'a');
    s.proc = spawn(binary || path.join(BUILDDIR, 'labelchaind'), [], {
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        LABELCHAIN_LISTEN: `127.0.0.1:${s.port}`,
        LABELCHAIN_SQL_DIR: path.join(SRCDIR, 'sql'),
        LABELCHAIN_WEB_ROOT: path.join(SRCDIR, 'web'),
        LABELCHAIN_RPC_URL: rpcUrl || '',
        // The tests play many clients from 127.0.0.1: the per-address and
        // per-account limits are lifted for it unless a test sets its own
        // (hostile.test.mjs attacks from other 127/8 addresses).
        LABELCHAIN_LIMITS_EXEMPT: '127.0.0.1',
        LABELCHAIN_RATE_LABEL: 'off',
        LABELCHAIN_RATE_UPLOAD: 'off',
        ...env,
      },
    });
    fs.closeSync(log);
    s.exited = new Promise((r) => s.proc.once('exit', (code, signal) => r({ code, signal })));
    s.cleanup = () => { try { s.proc.kill('SIGKILL'); } catch { /* gone */ } };
    live.add(s.cleanup);
    if (waitReady) {
      try {
        await waitFor(`labelchaind on ${s.url}`, async () => {
          if (s.proc.exitCode !== null) throw new Error(`exited with ${s.proc.exitCode}`);
          return (await fetch(`${s.url}/healthz`)).status === 200;
        });
      } catch (e) {
        throw new Error(`${e.message}\n--- log ---\n${s.log()}`);
      }
    }
    return s;
  }
  log() { try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; } }
  // SIGTERM and wait; returns { code, signal }.
  async stop(signal = 'SIGTERM') {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    const r = await this.exited;
    live.delete(this.cleanup);
    return r;
  }
}

export class Stack {
  static async start({ anvil = false, server = true, env = {}, durable = false } = {}) {
    const st = new Stack();
    st.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-it-'));
    fs.chmodSync(st.dir, 0o755);
    st.pg = await Postgres.create(st.dir, { durable });
    st.databaseUrl = st.pg.url;
    st.servers = [];
    if (anvil) { st.anvil = await Anvil.start(); st.rpcUrl = st.anvil.url; }
    if (server) {
      st.server = await st.startServer(env);
      st.url = st.server.url;
    }
    return st;
  }
  async startServer(env = {}, opts = {}) {
    const s = await Server.start({ databaseUrl: this.databaseUrl, rpcUrl: this.rpcUrl, env,
      dir: this.dir, ...opts });
    this.servers.push(s);
    return s;
  }
  async db() {
    if (!this.client) {
      this.client = new pg.Client({ host: this.pg.data, port: this.pg.port, user: 'postgres',
        database: 'labelchain' });
      await this.client.connect();
    }
    return this.client;
  }
  async sql(text, params = []) { return (await (await this.db()).query(text, params)).rows; }
  labelctl(args, { env = {}, input } = {}) {
    return new Promise((resolve) => {
      const p = spawn(path.join(BUILDDIR, 'labelctl'), args, {
        env: { ...process.env, DATABASE_URL: this.databaseUrl, LABELCHAIN_SQL_DIR:
          path.join(SRCDIR, 'sql'), LABELCHAIN_URL: this.url || '', LABELCHAIN_RPC_URL:
          this.rpcUrl || '', ...env },
      });
      let stdout = ''; let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      if (input !== undefined) p.stdin.end(input); else p.stdin.end();
      p.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }
  async stop() {
    const results = [];
    for (const s of this.servers) results.push(await s.stop());
    if (this.client) { await this.client.end().catch(() => {}); this.client = null; }
    if (this.anvil) await this.anvil.stop();
    this.pg.stopSync();
    if (!process.env.LC_KEEP_TMP) fs.rmSync(this.dir, { recursive: true, force: true });
    return results;
  }
}

export async function startStack(opts) { return Stack.start(opts); }

// JSON request helper: returns { status, headers, body (parsed when JSON), text }.
export async function api(base, method, p, { body, token, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  const r = await fetch(base + p, { method, headers: h, body: payload });
  const text = await r.text();
  let parsed;
  const ct = r.headers.get('content-type') || '';
  if (ct.includes('json') && !ct.includes('ndjson') && text) parsed = JSON.parse(text);
  return { status: r.status, headers: r.headers, body: parsed, text };
}
