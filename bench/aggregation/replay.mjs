#!/usr/bin/env node
// bench/aggregation/replay.mjs — replay a real crowd through the live market
// (issue 10): what the market's online aggregation makes of the votes of one
// of the shared data sets, measured against its gold labels and against
// majority vote over all of its votes.
//
//   node bench/aggregation/replay.mjs --set rte [--order waves|spammers-first|
//       honest-first] [--gold 0|0.1] [--seed N] [--build DIR] [--datasets DIR]
//       [--subsample N] [--wave 16] [--stake MICRO] [--no-early-leave]
//   node bench/aggregation/replay.mjs --ring [--gold 0|0.1] [--seed N] ...
//   node bench/aggregation/replay.mjs --render FILE.jsonl [--command C]
//       [--commit C]      (Markdown tables of replay.sh's section)
//
// One replay: a fresh stack (a private PostgreSQL cluster and labelchaind
// from the build dir, no chain; tests/integration/lib/stack.mjs), a
// requester (labelctl) who creates a project with the data set's labels,
// min_votes 3, max_votes = the most votes any item has (cap 50), confidence
// 0.95, min_stake 1 credit, reward 0.1 credit a task, gold_rate 0 or 0.1 (then
// that share of the items, drawn with the seed, is uploaded as gold with its
// gold.csv label), funds it and uploads every item as a task
// ({data: {item}, external_id: item}).  Every worker of the data set becomes a
// labeler: a fresh Ed25519 key, signed in, credited by labelctl and staking
// the same amount.  Labelers arrive in waves of 16 in the order asked for;
// the 16 of a wave work concurrently, each in a loop:
//
//   claim (POST /v1/projects/{id}/assignments)
//     201: if the worker labeled that item in votes.csv, vote that label,
//          signed, with "next": true (the answer's `next` is the next lease,
//          null → claim); otherwise skip (POST /v1/assignments/{id}/skip);
//     204: nothing this labeler may take now: leave — unless another labeler
//          of the wave is still busy: after min_votes a task takes one lease
//          at a time, so a task this labeler has a vote for may be leased by
//          someone who will skip it; wait and claim again until the whole
//          wave is idle (counted as `retry204`);
//     403: the stake is bonded by open votes: wait, retry a few times, leave.
//
// A labeler also leaves once every item it labeled is voted or final (the
// requester polls the export once a second): every further offer would be
// a skip, so this changes no vote, only saves the requests
// (--no-early-leave turns it off).  When the last wave is done the replay
// waits until every final task is in the export with its leaf index (the
// server's queues are drained), then reads the export and every labeler's
// GET /v1/me.  Majority vote over all the data set's votes and the offline
// `stake` method over the votes the market collected come from
// `labelctl aggregate` (cli/aggregate.c, the same reputation/ library).
//
// Only the public REST API drives the market; labelctl does the operator's
// steps (the requester's account, credits: an outside deposit has no API).
// No SQL is needed: which labeler voted what on which task is known here,
// since this client cast every vote, and the export says which tasks are
// final.
//
// --ring: 200 binary tasks (yes/no, truth drawn with the seed), min_votes 3,
// max_votes 10, confidence 0.95; first 5 fresh identities staking exactly
// min_stake vote the one agreed wrong answer on every task they are
// offered; then 5 honest labelers, each right with p = 0.85 independently.
//
// LC_REPLAY_PROJECT (a JSON object) is merged into the project's create
// body, to replay with other settings than the defaults (e.g.
// '{"futility":0}'); the JSON line records it as `project_extra`.
//
// Output: one JSON line on stdout per replay; progress on stderr.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_EXTRA = JSON.parse(process.env.LC_REPLAY_PROJECT || '{}');
const SRC = path.resolve(HERE, '../..');

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    set: null, order: 'waves', gold: 0, seed: 1, build: null,
    datasets: process.env.LC_DATASETS || path.resolve(SRC, '../shared/datasets'),
    subsample: 0, wave: 16, stake: 40_000_000, earlyLeave: true, ring: false,
    render: null, command: '', commit: '', quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--set': o.set = val(); break;
      case '--order': o.order = val(); break;
      case '--gold': o.gold = Number(val()); break;
      case '--seed': o.seed = Number(val()); break;
      case '--build': o.build = path.resolve(val()); break;
      case '--datasets': o.datasets = path.resolve(val()); break;
      case '--subsample': o.subsample = Number(val()); break;
      case '--wave': o.wave = Number(val()); break;
      case '--stake': o.stake = Number(val()); break;
      case '--no-early-leave': o.earlyLeave = false; break;
      case '--ring': o.ring = true; break;
      case '--render': o.render = val(); break;
      case '--command': o.command = val(); break;
      case '--commit': o.commit = val(); break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help':
        process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n').slice(1, 13).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.render && !o.ring && !o.set) throw new Error('--set NAME, --ring or --render FILE');
  if (!['waves', 'spammers-first', 'honest-first'].includes(o.order))
    throw new Error(`--order: waves, spammers-first or honest-first, not ${o.order}`);
  if (!(o.gold >= 0 && o.gold <= 0.5)) throw new Error('--gold: 0 to 0.5');
  if (!(o.wave >= 1)) throw new Error('--wave: at least 1');
  return o;
}

// ---------------------------------------------------------------- small tools

// mulberry32, seeded from a string: every random choice of a replay is
// named (what it is for) so that one choice never shifts another.
function rng(...parts) {
  let a = crypto.createHash('sha256').update(parts.join('/')).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(arr, rand) {
  const a = [...arr];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => { if (!OPTS.quiet) process.stderr.write(`replay: ${a.join(' ')}\n`); };
// Labels as strings, numbers in numeric order ("2" < "10").
const labelCmp = (x, y) => {
  const nx = Number(x); const ny = Number(y);
  if (x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
};

// The shared data sets are plain CSV (no quoting); a header line first.
function readCsv(file) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length);
  lines.shift();
  return lines.map((l) => l.split(','));
}

// Majority of a list of labels, a tie to the lowest label (datasets/README.md).
function majority(labels) {
  const c = new Map();
  for (const l of labels) c.set(l, (c.get(l) || 0) + 1);
  let best = null;
  for (const [l, n] of c) {
    if (best === null || n > c.get(best) || (n === c.get(best) && labelCmp(l, best) < 0)) best = l;
  }
  return best;
}

// ---------------------------------------------------------------- HTTP

// The hot loop's client: node:http with one keep-alive agent, no logging,
// JSON parsed only when the answer is JSON.  (Set-up steps use the tests'
// fetch-based helpers.)
class Client {
  constructor(url) {
    const u = new URL(url);
    this.host = u.hostname; this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    this.count = 0;
  }
  request(method, p, token, body, retry = 1) {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = { 'content-length': Buffer.byteLength(payload) };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) headers['content-type'] = 'application/json';
    this.count++;
    return new Promise((resolve, reject) => {
      const r = http.request({ host: this.host, port: this.port, method, path: p, headers,
        agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ct = res.headers['content-type'] || '';
          let parsed;
          if (text && ct.includes('json') && !ct.includes('ndjson') && !ct.includes('jsonl')) {
            try { parsed = JSON.parse(text); } catch { /* left as text */ }
          }
          resolve({ status: res.statusCode, body: parsed, text });
        });
        res.on('error', reject);
      });
      r.on('error', (e) => {
        // A kept-alive socket the server closed meanwhile: once more on a
        // new one (nothing was processed: the request never got through).
        if (retry > 0 && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          this.count--;
          this.request(method, p, token, body, retry - 1).then(resolve, reject);
        } else reject(e);
      });
      r.end(payload);
    });
  }
  close() { this.agent.destroy(); }
}

// ---------------------------------------------------------------- data

function loadDataset(opts) {
  const dir = path.join(opts.datasets, opts.set);
  let votes = readCsv(path.join(dir, 'votes.csv')).map(([item, worker, label]) =>
    ({ item, worker, label }));
  const gold = new Map(readCsv(path.join(dir, 'gold.csv')).map(([item, label]) => [item, label]));
  let items = [...new Set(votes.map((v) => v.item))];
  const allItems = items.length;
  let subsampled = false;
  if (opts.subsample > 0 && items.length > opts.subsample) {
    const keep = new Set(shuffle(items, rng('subsample', opts.set, opts.seed)).slice(0, opts.subsample));
    items = items.filter((i) => keep.has(i));
    votes = votes.filter((v) => keep.has(v.item));
    subsampled = true;
  }
  const labels = [...new Set(votes.map((v) => v.label))].sort(labelCmp);
  const perItem = new Map();
  for (const v of votes) perItem.set(v.item, (perItem.get(v.item) || 0) + 1);
  const maxPerItem = Math.max(...perItem.values());
  // Workers: their votes, and their accuracy against gold over all of them.
  const workers = new Map();
  for (const v of votes) {
    let w = workers.get(v.worker);
    if (!w) { w = { name: v.worker, votes: new Map(), right: 0, scored: 0 }; workers.set(v.worker, w); }
    if (!w.votes.has(v.item)) w.votes.set(v.item, v.label);
    if (gold.has(v.item)) { w.scored++; if (gold.get(v.item) === v.label) w.right++; }
  }
  for (const w of workers.values()) w.accuracy = w.scored ? w.right / w.scored : 0;
  return { name: opts.set, dir, votes, gold, items, allItems, subsampled, labels, maxPerItem,
    workers: [...workers.values()] };
}

// Arrival order of the workers; ties of the accuracy orders in seeded order.
function arrivalOrder(ds, opts) {
  const base = shuffle(ds.workers, rng('arrival', ds.name, opts.seed));
  if (opts.order === 'spammers-first') return base.sort((a, b) => a.accuracy - b.accuracy);
  if (opts.order === 'honest-first') return base.sort((a, b) => b.accuracy - a.accuracy);
  return base;
}

// The ring scenario's "data set": 200 binary tasks, each labeler an oracle.
function ringScenario(opts) {
  const r = rng('ring-truth', opts.seed);
  const items = []; const gold = new Map();
  for (let i = 0; i < 200; i++) {
    const item = `r${i}`;
    items.push(item);
    gold.set(item, r() < 0.5 ? 'yes' : 'no');
  }
  const wrong = (item) => (gold.get(item) === 'yes' ? 'no' : 'yes');
  const workers = [];
  for (let i = 0; i < 5; i++) {
    workers.push({ name: `ring${i}`, group: 'ring', stake: 1_000_000, decide: (item) => wrong(item) });
  }
  for (let i = 0; i < 5; i++) {
    const hr = rng('ring-honest', opts.seed, i);
    workers.push({ name: `honest${i}`, group: 'honest', stake: opts.stake,
      decide: (item) => (hr() < 0.85 ? gold.get(item) : wrong(item)) });
  }
  return { name: 'ring', items, gold, labels: ['no', 'yes'], workers, maxPerItem: 10,
    votes: [], allItems: 200, subsampled: false };
}

// ---------------------------------------------------------------- the replay

let OPTS;

async function main() {
  OPTS = parseArgs(process.argv.slice(2));
  if (OPTS.render) { process.stdout.write(render(OPTS)); return; }
  if (OPTS.build) process.env.LC_BUILDDIR = OPTS.build;
  // stack.mjs reads LC_BUILDDIR when it is loaded.
  const { startStack } = await import('../../tests/integration/lib/stack.mjs');
  const market = await import('../../tests/integration/lib/market.mjs');
  const ds = OPTS.ring ? ringScenario(OPTS) : loadDataset(OPTS);
  const t0 = Date.now();
  const st = await startStack({ anvil: false, env: { LABELCHAIN_LOG_LEVEL: 'warn' } });
  try {
    const out = await replay(st, market, ds, t0);
    process.stdout.write(JSON.stringify(out) + '\n');
  } catch (e) {
    if (st.server) process.stderr.write(`--- labelchaind log (tail) ---\n${st.server.log().slice(-4000)}\n`);
    throw e;
  } finally {
    await st.stop();
  }
}

async function replay(st, market, ds, t0) {
  const ring = OPTS.ring;
  const cl = new Client(st.url);
  const project = {
    name: ring ? 'ring' : `replay ${ds.name}`, instructions: 'replay',
    labels: ds.labels, reward_per_task: 100_000, min_votes: 3,
    max_votes: ring ? 10 : Math.min(50, Math.max(3, ds.maxPerItem)),
    confidence: 0.95, min_stake: 1_000_000, gold_rate: OPTS.gold,
    ...PROJECT_EXTRA,
  };
  // Gold: that share of the items, drawn with the seed.
  const goldItems = new Set();
  if (OPTS.gold > 0) {
    const n = Math.round(ds.items.length * OPTS.gold);
    for (const i of shuffle(ds.items, rng('gold', ds.name, OPTS.seed)).slice(0, n)) goldItems.add(i);
  }

  // Requester: account and credit by labelctl, the rest by the API.
  const req = await market.requester(st, 'replay');
  const escrow = ds.items.length * project.reward_per_task;
  await market.credit(st, req.id, escrow);
  let r = await cl.request('POST', '/v1/projects', req.token, project);
  if (r.status !== 201) throw new Error(`create project: ${r.status} ${r.text}`);
  const pid = r.body.id;
  r = await cl.request('POST', `/v1/projects/${pid}/fund`, req.token, { amount: escrow });
  if (r.status !== 200) throw new Error(`fund: ${r.status} ${r.text}`);
  const tasks = ds.items.map((item) => {
    const t = { data: { item }, external_id: item };
    if (goldItems.has(item)) t.gold = ds.gold.get(item);
    return t;
  });
  for (let i = 0; i < tasks.length; i += 5000) {
    r = await cl.request('POST', `/v1/projects/${pid}/tasks`, req.token, tasks.slice(i, i + 5000));
    if (r.status !== 201) throw new Error(`upload: ${r.status} ${r.text}`);
  }

  // Labelers, in arrival order: key, sign-in, credit, stake, /me before.
  const order = ring ? ds.workers : arrivalOrder(ds, OPTS);
  const labelers = order.map((w, idx) => ({ idx, w, key: market.newKey(),
    stake: w.stake ?? OPTS.stake }));
  await pool(labelers, 8, async (lab) => {
    lab.token = await market.login(st.url, lab.key);
    let me = await cl.request('GET', '/v1/me', lab.token);
    lab.id = me.body.id;
    await market.credit(st, lab.id, lab.stake);
    const s = await cl.request('POST', '/v1/me/stake', lab.token, { amount: lab.stake });
    if (s.status !== 200) throw new Error(`stake: ${s.status} ${s.text}`);
    me = await cl.request('GET', '/v1/me', lab.token);
    lab.before = me.body;
  });
  const tSetup = Date.now();
  log(`${ds.name}${OPTS.ring ? "" : ` ${OPTS.order}`} gold=${OPTS.gold}: ${ds.items.length} tasks, ${labelers.length}` +
    ` labelers, max_votes ${project.max_votes}, set-up ${((tSetup - t0) / 1000).toFixed(1)} s`);

  // What the replay learns as it goes.
  const taskItem = new Map();		// task id → item
  const taskVotes = new Map();		// task id → [{labeler idx, label}]
  const finalItems = new Set();		// items seen final in the export
  const c = { claims: 0, c204: 0, c403: 0, retry204: 0, skips: 0, votes: 0, lost: 0,
    earlyLeft: 0, left403: 0, other: {} };
  const bump = (k) => { c.other[k] = (c.other[k] || 0) + 1; };

  // The requester's export poll: which items are final (early leave, and
  // progress).  Final is irrevocable, so a stale set is only conservative.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const e = await cl.request('GET', `/v1/projects/${pid}/labels`, req.token);
      if (e.status === 200) for (const row of parseJsonl(e.text)) finalItems.add(row.external_id);
      await sleep(1000);
    }
  })();

  const voteFor = (lab, item) => (ring ? lab.w.decide(item) : lab.w.votes.get(item));
  const ownItemsLeft = (lab) => {
    if (ring || !OPTS.earlyLeave) return false;
    if (!lab.todo) lab.todo = new Set(lab.w.votes.keys());
    for (const item of lab.todo) if (!finalItems.has(item)) return true;
    return false;
  };

  async function work(lab, wave) {
    let lease = null;
    let n403 = 0; let wait204 = 0;
    lab.state = 'busy';
    for (;;) {
      if (!lease) {
        if (!ring && OPTS.earlyLeave && !ownItemsLeft(lab)) { c.earlyLeft++; break; }
        const res = await cl.request('POST', `/v1/projects/${pid}/assignments`, lab.token);
        c.claims++;
        if (res.status === 201) { lease = res.body; n403 = 0; wait204 = 0; lab.state = 'busy'; }
        else if (res.status === 204) {
          c.c204++;
          if (!wave.some((o) => o !== lab && o.state === 'busy')) break;
          lab.state = 'idle'; c.retry204++;
          await sleep(Math.min(1000, 50 * 2 ** Math.min(wait204++, 5)));
          continue;
        } else if (res.status === 403) {
          c.c403++; lab.state = 'idle';
          if (++n403 > 12) { c.left403++; break; }
          await sleep(250 * n403);
          continue;
        } else throw new Error(`claim: ${res.status} ${res.text}`);
      }
      const task = lease.task;
      const item = task.data.item;
      taskItem.set(task.id, item);
      const label = voteFor(lab, item);
      if (label === undefined) {
        const s = await cl.request('POST', `/v1/assignments/${lease.assignment_id}/skip`, lab.token);
        if (s.status !== 204) bump(`skip ${s.status}`);
        c.skips++; lease = null;
        continue;
      }
      const sig = market.voteSig(lab.key, lease.assignment_id, task.id, label);
      const v = await cl.request('POST', `/v1/assignments/${lease.assignment_id}/vote`, lab.token,
        { label, signature: sig, next: true });
      if (v.status === 201) {
        c.votes++;
        if (!taskVotes.has(task.id)) taskVotes.set(task.id, []);
        taskVotes.get(task.id).push({ who: lab.idx, label });
        if (lab.todo) lab.todo.delete(item);
        if (v.body.task_status === 'final') finalItems.add(item);
        lease = v.body.next || null;
      } else if (v.status === 409 || v.status === 410) {
        c.lost++; bump(`vote ${v.status}`); lease = null;
      } else throw new Error(`vote: ${v.status} ${v.text}`);
    }
    lab.state = 'gone';
  }

  // Waves, with progress on stderr every 5 s.
  let done = 0;
  const progress = setInterval(() => {
    const s = (Date.now() - tSetup) / 1000;
    log(`  ${s.toFixed(0)} s: ${done}/${labelers.length} labelers done, ${c.votes} votes,` +
      ` ${c.skips} skips, ${finalItems.size}/${ds.items.length} final,` +
      ` ${(cl.count / s).toFixed(0)} req/s`);
  }, 5000);
  const waveSize = ring ? 5 : OPTS.wave;
  try {
    for (let i = 0; i < labelers.length; i += waveSize) {
      const wave = labelers.slice(i, i + waveSize);
      await Promise.all(wave.map((lab) => work(lab, wave).then(() => { done++; })));
    }
  } finally {
    clearInterval(progress);
    polling = false;
    await poller;
  }
  const tReplay = Date.now();

  // Drained: every final task in the export with its leaf (the log's queue)
  // and the figure stable; /me includes queued balances.
  let rows; let proj;
  for (let tries = 0; ; tries++) {
    proj = (await cl.request('GET', `/v1/projects/${pid}`, req.token)).body;
    const e = await cl.request('GET', `/v1/projects/${pid}/labels`, req.token);
    rows = parseJsonl(e.text);
    if (rows.length === proj.progress.final && rows.every((x) => x.leaf_index != null)) break;
    if (tries > 600) throw new Error('the server\'s queues did not drain in 60 s');
    await sleep(100);
  }
  // Balances include what is queued; reputations are applied by the
  // housekeeping thread within milliseconds: read every /v1/me until two
  // rounds agree.
  for (let round = 0, prev = ''; round < 20; round++) {
    await pool(labelers, 8, async (lab) => {
      lab.after = (await cl.request('GET', '/v1/me', lab.token)).body;
    });
    const now = JSON.stringify(labelers.map((lab) => [lab.after.stake, lab.after.balance,
      lab.after.reputation]));
    if (now === prev) break;
    prev = now;
    await sleep(200);
  }
  const tSettled = Date.now();
  cl.close();

  const result = {
    set: ds.name, order: ring ? 'ring' : OPTS.order, gold_rate: OPTS.gold, seed: OPTS.seed,
    // replay.sh says what ran it, so that a file of runs appended by several
    // commands renders with each one's command and commit.
    command: process.env.LC_REPLAY_COMMAND || null, commit: process.env.LC_REPLAY_COMMIT || null,
    items: ds.items.length, items_in_set: ds.allItems, subsampled: ds.subsampled,
    labels: ds.labels.length, workers: labelers.length, max_votes: project.max_votes,
    stake: OPTS.stake, project_extra: Object.keys(PROJECT_EXTRA).length ? PROJECT_EXTRA : undefined,
    votes_in_set: ds.votes.length, votes_cast: c.votes,
    votes_spent: ds.votes.length ? c.votes / ds.votes.length : null,
    requests: { total: cl.count, ...c },
    seconds: { setup: (tSetup - t0) / 1000, replay: (tReplay - tSetup) / 1000,
      settle: (tSettled - tReplay) / 1000, total: (Date.now() - t0) / 1000 },
    progress: proj.progress,
  };
  Object.assign(result, await score(st, ds, pid, rows, taskItem, taskVotes, labelers, goldItems));
  return result;
}

function parseJsonl(text) {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

// ---------------------------------------------------------------- scoring

const BINS = [[0, 0.5], [0.5, 0.8], [0.8, 0.9], [0.9, 0.95], [0.95, 0.99], [0.99, 1.0000001]];
const SPAMMER_ACCURACY = 0.6;
const NOT_FLAGS = new Set(['low_confidence', 'gold', 'anchored']);

async function score(st, ds, pid, rows, taskItem, taskVotes, labelers, goldItems) {
  const acc = (pairs) => (pairs.length ? pairs.filter(([a, b]) => a === b).length / pairs.length : null);
  const finals = new Map(rows.map((x) => [x.external_id, x]));
  const itemTask = new Map([...taskItem].map(([t, i]) => [i, t]));
  const nonGold = ds.items.filter((i) => !goldItems.has(i));

  // Final labels.
  const finalNonGold = nonGold.filter((i) => finals.has(i));
  const out = {
    final: rows.length,
    acc_nongold: acc(finalNonGold.map((i) => [finals.get(i).label, ds.gold.get(i)])),
    acc_overall: acc(ds.items.filter((i) => finals.has(i)).map((i) => [finals.get(i).label, ds.gold.get(i)])),
  };
  // Every boolean field of the export row, counted generically (a flag the
  // server adds later shows up here without a change).
  const flags = {};
  for (const x of rows) for (const [k, v] of Object.entries(x)) {
    if (typeof v === 'boolean') { flags[k] ??= 0; if (v) flags[k]++; }
  }
  out.flags = flags;
  out.flags_nongold = {};
  for (const i of finalNonGold) for (const [k, v] of Object.entries(finals.get(i))) {
    if (typeof v === 'boolean') { out.flags_nongold[k] ??= 0; if (v) out.flags_nongold[k]++; }
  }
  // Cross-check: the export's vote count against the votes cast here.
  out.vote_count_mismatch = rows.filter((x) => (taskVotes.get(x.task_id) || []).length !== x.votes).length;

  // Open at the end, scored with the majority of the votes they got.
  const open = ds.items.filter((i) => !finals.has(i));
  const openVotes = open.map((i) => (taskVotes.get(itemTask.get(i)) || []).map((v) => v.label));
  const openScored = open.map((i, k) => [openVotes[k].length ? majority(openVotes[k]) : null, ds.gold.get(i)]);
  out.open_end = open.length;
  out.open_nongold = open.filter((i) => !goldItems.has(i)).length;
  out.open_no_votes = openVotes.filter((v) => v.length === 0).length;
  out.open_mv_acc = acc(openScored.filter(([l]) => l !== null));
  // Every non-gold item, the open ones by their votes' majority: what the
  // requester holds at the end.
  out.acc_nongold_with_open = acc(nonGold.map((i) => [finals.has(i) ? finals.get(i).label
    : majority((taskVotes.get(itemTask.get(i)) || []).map((v) => v.label)), ds.gold.get(i)]));

  // Calibration of the non-gold finals (a gold task's label is the gold answer).
  out.calibration = BINS.map(([lo, hi]) => {
    const inBin = finalNonGold.filter((i) => finals.get(i).confidence >= lo && finals.get(i).confidence < hi);
    return { lo, hi: Math.min(hi, 1), n: inBin.length,
      right: inBin.filter((i) => finals.get(i).label === ds.gold.get(i)).length };
  });
  const c95 = finalNonGold.filter((i) => finals.get(i).confidence >= 0.95);
  out.conf95 = { n: c95.length, right: c95.filter((i) => finals.get(i).label === ds.gold.get(i)).length };

  // Offline: MV over all the data set's votes, `stake` over the collected ones.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-replay-'));
  try {
    if (ds.votes.length) {
      const f = path.join(tmp, 'all.csv');
      fs.writeFileSync(f, 'item,worker,label\n' + ds.votes.map((v) => `${v.item},${v.worker},${v.label}`).join('\n') + '\n');
      const mv = await aggregate(st, f, 'mv');
      out.mv_all_acc_nongold = acc(nonGold.map((i) => [mv.get(i), ds.gold.get(i)]));
      out.mv_all_acc_overall = acc(ds.items.map((i) => [mv.get(i), ds.gold.get(i)]));
      out.diff_points = (out.acc_nongold - out.mv_all_acc_nongold) * 100;
    }
    const collected = [];
    for (const [t, vs] of taskVotes) for (const v of vs) collected.push(`${taskItem.get(t)},w${v.who},${v.label}`);
    if (collected.length) {
      const f = path.join(tmp, 'collected.csv');
      fs.writeFileSync(f, 'item,worker,label\n' + collected.join('\n') + '\n');
      const sk = await aggregate(st, f, 'stake');
      // Items without a collected vote count as wrong.
      out.stake_collected_acc_nongold = acc(nonGold.map((i) => [sk.get(i), ds.gold.get(i)]));
      const mvc = await aggregate(st, f, 'mv');
      out.mv_collected_acc_nongold = acc(nonGold.map((i) => [mvc.get(i), ds.gold.get(i)]));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  // Stake movement per group: Δ(stake + balance) over the replay, slashed.
  const groupOf = (lab) => lab.w.group ||
    (lab.w.accuracy < SPAMMER_ACCURACY ? 'spammers' : 'honest');
  const groups = {};
  for (const lab of labelers) {
    const g = (groups[groupOf(lab)] ??= { n: 0, votes: 0, delta: 0, slashed: 0, earned: 0,
      reputation: 0, rep_n: 0 });
    g.n++;
    // The market's own belief about the labeler at the end (GET /v1/me).
    const rep = (lab.after.reputation || []).find((x) => x.project === pid);
    if (rep) { g.reputation += rep.accuracy; g.rep_n++; }
    g.delta += (lab.after.stake + lab.after.balance) - (lab.before.stake + lab.before.balance);
    g.slashed += (lab.after.slashed || 0) - (lab.before.slashed || 0);
    g.earned += (lab.after.earned || 0) - (lab.before.earned || 0);
  }
  for (const vs of taskVotes.values()) for (const v of vs) groups[groupOf(labelers[v.who])].votes++;
  for (const g of Object.values(groups)) {
    g.reputation = g.rep_n ? g.reputation / g.rep_n : null;
    delete g.rep_n;
  }
  out.groups = groups;

  // The ring: tasks final with only ring votes behind them, and flagged.
  if (OPTS.ring) {
    const ringOnly = finalNonGold.filter((i) => {
      const vs = taskVotes.get(itemTask.get(i)) || [];
      return vs.length > 0 && vs.every((v) => labelers[v.who].w.group === 'ring');
    });
    const flagged = ringOnly.filter((i) => Object.entries(finals.get(i))
      .some(([k, v]) => v === true && !NOT_FLAGS.has(k)));
    out.ring_only_final = ringOnly.length;
    out.ring_only_flagged = flagged.length;
    out.ring_only_wrong = ringOnly.filter((i) => finals.get(i).label !== ds.gold.get(i)).length;
  }
  return out;
}

async function aggregate(st, file, method) {
  const r = await st.labelctl(['aggregate', '--votes', file, '--method', method]);
  if (r.code !== 0) throw new Error(`labelctl aggregate --method ${method}: ${r.stderr}`);
  const m = new Map();
  const lines = r.stdout.split('\n').filter((l) => l);
  lines.shift();
  for (const l of lines) { const [item, label] = l.split(','); m.set(item, label); }
  return m;
}

// ---------------------------------------------------------------- rendering

function render(opts) {
  const runs = parseJsonl(fs.readFileSync(opts.render, 'utf8'));
  const f4 = (x) => (x == null ? '—' : x.toFixed(4));
  const pct = (x) => (x == null ? '—' : `${(100 * x).toFixed(0)}%`);
  const pct1 = (x) => (x == null ? '—' : `${(100 * x).toFixed(1)}%`);
  const cr = (x) => (x == null ? '—' : (x / 1e6).toFixed(2));
  const sgn = (x) => (x == null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);
  const from = (rs) => {
    const by = new Map();
    for (const x of rs) {
      const k = `commit \`${x.commit || opts.commit || '?'}\` by \`${x.command || opts.command || 'replay.sh'}\``;
      by.set(k, (by.get(k) || 0) + 1);
    }
    if (by.size <= 1) return `Generated from ${[...by.keys()][0] || `commit \`${opts.commit || '?'}\``}.`;
    return `Generated from ${[...by].map(([k, n]) => `${k} (${n} run${n > 1 ? 's' : ''})`).join('; ')}.`;
  };
  const L = [];
  // A cell (set, order, gold) run more than once: its first run in the
  // tables, every run in the spread table.
  const cellKey = (x) => `${x.set}/${x.order}/${x.gold_rate}`;
  const cells = new Map();
  for (const x of runs.filter((y) => y.order !== 'ring')) {
    if (!cells.has(cellKey(x))) cells.set(cellKey(x), []);
    cells.get(cellKey(x)).push(x);
  }
  const sets = [...cells.values()].map((v) => v[0]);
  const sub = sets.find((x) => x.subsampled);
  const cover = (k) => [...new Set(sets.map((x) => x[k]))].sort().join(', ');
  L.push(
    'Each row is one replay of a data set through the live market, driven over the public REST API',
    '(`bench/aggregation/replay.mjs`; read its top comment): a fresh PostgreSQL and labelchaind, a',
    'project with the set\'s labels, min_votes 3, max_votes = the most votes any item has (cap 50),',
    'confidence 0.95, min_stake 1 credit, reward 0.1 credit a task, every item a task (at gold 10%, a',
    'seeded tenth of them uploaded as gold with their gold.csv label). Every worker of the set is a',
    `fresh labeler staking the same amount (${sets.length ? cr(sets[0].stake ?? 40e6) : '40.00'} credits:` +
      ' weight is capped at stake_ref = min_stake, so',
    'the amount only sets how many open votes a labeler can bond, 3% of 1 credit each; the largest',
    'worker, possent\'s, has 1,000 votes). Labelers arrive in waves of 16 (`waves`: seeded random',
    'order; `spammers-first` / `honest-first`: by accuracy against gold.csv, ascending / descending);',
    'each claims, votes its own label from votes.csv (signed, `next: true`) or skips, until nothing is',
    'left it may take. One that finds nothing while another of its wave is still busy waits and claims',
    'again (after min_votes a task takes one lease at a time, and a labeler about to skip it may hold',
    'it); one whose own items are all voted or final leaves (every further offer would be a skip).',
    '',
    '- **accuracy**: final labels against gold.csv on the non-gold items; **MV over all votes**: majority',
    '  vote over every vote of the set (ties to the lowest label, `labelctl aggregate --method mv`) on the',
    '  same items; **difference**: accuracy − MV, in points. **offline stake on collected votes**:',
    '  `labelctl aggregate --method stake` (the same reputation/ library offline, Dawid–Skene EM on top)',
    '  over exactly the votes the market collected, on the same items.',
    '- **votes spent**: votes cast / votes in votes.csv. **open at end**: items not final when every',
    '  labeler had left (their workers\' votes ran out before the task decided), with the accuracy of the',
    '  majority of the votes they got in brackets. **finals ≥ 0.95 right**: the share of non-gold finals',
    '  with confidence ≥ 0.95 that are right, of how many.',
    '- **Δ stake**: total change of stake + balance over the replay, in credits, of the workers whose',
    '  accuracy against gold.csv is < 0.6 ("spammers") and ≥ 0.6 ("honest"); slashed in brackets, the',
    '  number of workers in square brackets. **flags**: every boolean field of the export row that is',
    '  true on non-gold finals (any flag the server adds shows here). Time: the whole replay, set-up included.',
    ...(sub ? [`- product is replayed on a seeded subsample of ${sub.items} of its ${sub.items_in_set.toLocaleString('en-US')} items (3 votes`,
      '  an item: nothing to save at min_votes 3, and the skips of 176 workers over 8,315 tasks would take',
      '  far too long); MV is over the votes of those items.'] : []),
    '- The replays are not deterministic: 16 labelers at a time race for leases, so which votes a task',
    '  gets before it is final varies from run to run.',
    '',
    `Covered: data sets ${cover('set') || '—'}; orders ${cover('order') || '—'}; gold ${cover('gold_rate') || '—'}` +
      ` (seed ${[...new Set(sets.map((x) => x.seed))].join(', ')})` +
      `${runs.some((x) => x.order === 'ring') ? `; the ring scenario (seed ${[...new Set(runs
        .filter((x) => x.order === 'ring').map((x) => x.seed))].join(', ')})` : ''}.`,
    '');
  const golds = [...new Set(sets.map((x) => x.gold_rate))].sort();
  const orderRank = { waves: 0, 'spammers-first': 1, 'honest-first': 2 };
  for (const g of golds) {
    const rs = sets.filter((x) => x.gold_rate === g)
      .sort((a, b) => (a.set < b.set ? -1 : a.set > b.set ? 1 : orderRank[a.order] - orderRank[b.order]));
    L.push(`### Replays, gold ${g ? `${Math.round(g * 100)}%` : '0'}`, '', from(rs), '');
    L.push('| data set | order | accuracy (non-gold) | MV over all votes | difference (points) |' +
      ' offline stake on collected votes |' +
      ' votes spent | open at end (MV of their votes) | finals ≥ 0.95 right |' +
      ' spammers\' Δ stake (slashed) | honest Δ stake (slashed) | flags | time (s) |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of rs) {
      const sp = x.groups.spammers; const ho = x.groups.honest;
      const grp = (q) => (q ? `${cr(q.delta)} (${cr(q.slashed)}) [${q.n}]` : '— [0]');
      const fl = Object.entries(x.flags_nongold || {}).filter(([k]) => k !== 'gold' && k !== 'anchored')
        .map(([k, v]) => `${k} ${v}`).join(', ');
      L.push(`| ${x.set}${x.subsampled ? ` (${x.items} of ${x.items_in_set})` : ''} | ${x.order} |` +
        ` ${f4(x.acc_nongold)} | ${f4(x.mv_all_acc_nongold)} | ${sgn(x.diff_points)} |` +
        ` ${f4(x.stake_collected_acc_nongold)} |` +
        ` ${pct(x.votes_spent)} | ${x.open_end}${x.open_end ? ` (${f4(x.open_mv_acc)})` : ''} |` +
        ` ${x.conf95.n ? pct1(x.conf95.right / x.conf95.n) : '—'} of ${x.conf95.n} |` +
        ` ${grp(sp)} | ${grp(ho)} | ${fl} | ${x.seconds.total.toFixed(0)} |`);
    }
    L.push('');
  }
  if (sets.length) {
    L.push('### Calibration, pooled over the replays above (non-gold finals)', '', from(sets), '');
    L.push(`| confidence | ${golds.map((g) => `gold ${Math.round(g * 100)}%: finals | right`).join(' | ')} |`);
    L.push(`|---|${golds.map(() => '---|---').join('|')}|`);
    for (let b = 0; b < BINS.length; b++) {
      const cells = golds.map((g) => {
        let n = 0; let right = 0;
        for (const x of sets.filter((y) => y.gold_rate === g)) { n += x.calibration[b].n; right += x.calibration[b].right; }
        return `${n} | ${n ? (right / n).toFixed(4) : '—'}`;
      });
      const [lo, hi] = BINS[b];
      L.push(`| [${lo}, ${hi > 1 ? '1]' : `${hi})`} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }
  const repeated = [...cells.values()].filter((v) => v.length > 1);
  if (repeated.length) {
    const all = repeated.flat();
    const med = (xs) => { const a = [...xs].sort((p, q) => p - q); const m = a.length >> 1;
      return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; };
    const spread = (xs, f) => `${f(med(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
    L.push('### Run-to-run spread (the same seed, replayed again)', '', from(all), '');
    L.push('| data set | order | gold | runs | accuracy (non-gold), median (min–max) | votes spent |' +
      ' finals ≥ 0.95 right | open at end |');
    L.push('|---|---|---|---|---|---|---|---|');
    for (const v of repeated) {
      const x = v[0];
      L.push(`| ${x.set} | ${x.order} | ${Math.round(x.gold_rate * 100)}% | ${v.length} |` +
        ` ${spread(v.map((y) => y.acc_nongold), f4)} | ${spread(v.map((y) => y.votes_spent), pct1)} |` +
        ` ${spread(v.map((y) => (y.conf95.n ? y.conf95.right / y.conf95.n : 0)), pct1)} |` +
        ` ${spread(v.map((y) => y.open_end), (n) => String(n))} |`);
    }
    L.push('');
  }
  const rings = runs.filter((x) => x.order === 'ring')
    .sort((a, b) => a.gold_rate - b.gold_rate || a.seed - b.seed);
  if (rings.length) {
    L.push('### Ring: 5 fresh identities at min_stake vote one wrong answer, then 5 honest labelers at 85%', '',
      '200 yes/no tasks (truth drawn with the seed; at gold 10%, 20 of them gold), min_votes 3, max_votes',
      '10, confidence 0.95. The ring (5 identities staking exactly min_stake, 1 credit) arrives first and',
      'votes the wrong answer on every task it is offered; when it has left, 5 honest labelers (40',
      'credits each) vote, each right with p = 0.85. **final on ring votes alone**: non-gold finals whose',
      'every vote is the ring\'s (how many of them wrong); **flagged**: of those, how many carry a true',
      'boolean export field other than low_confidence, gold and anchored. **reputation**: the mean',
      'α/(α+β) the market holds for the group at the end (GET /v1/me; — when it never voted).', '',
      from(rings), '');
    L.push('| gold | seed | accuracy (non-gold) | final | open at end (MV of their votes) |' +
      ' final on ring votes alone | of those flagged |' +
      ' ring Δ stake (slashed) | honest Δ stake (slashed) | votes cast (ring / honest) |' +
      ' reputation at the end (ring / honest) |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of rings) {
      const q = x.groups.ring; const h = x.groups.honest;
      L.push(`| ${Math.round(x.gold_rate * 100)}% | ${x.seed} | ${f4(x.acc_nongold)} | ${x.final} |` +
        ` ${x.open_end}${x.open_end ? ` (${f4(x.open_mv_acc)})` : ''} |` +
        ` ${x.ring_only_final} (${x.ring_only_wrong} wrong) | ${x.ring_only_flagged} |` +
        ` ${cr(q.delta)} (${cr(q.slashed)}) | ${cr(h.delta)} (${cr(h.slashed)}) | ${q.votes} / ${h.votes} |` +
        ` ${f4(q.reputation)} / ${f4(h.reputation)} |`);
    }
    L.push('');
  }
  return L.join('\n');
}

main().catch((e) => { process.stderr.write(`replay: error: ${e.stack || e}\n`); process.exit(1); });
