// tests/integration/openapi.test.mjs — every route of server/routes.c is
// documented in web/openapi.yaml (path and method), and the server serves
// the document at /openapi.yaml.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, SRCDIR } from './lib/stack.mjs';

function documented(yamlText) {
  const ops = new Set();
  let inPaths = false; let cur = null;
  for (const line of yamlText.split('\n')) {
    if (/^paths:/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    let m = /^ {2}(\/\S*):\s*$/.exec(line);
    if (m) { cur = m[1]; continue; }
    m = /^ {4}(get|post|put|patch|delete):\s*$/.exec(line);
    if (m && cur) ops.add(`${m[1].toUpperCase()} ${cur}`);
  }
  return ops;
}

function routed() {
  const src = fs.readFileSync(path.join(SRCDIR, 'server/routes.c'), 'utf8');
  return [...src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(\/[^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

// The operations whose security is `security: []` (no token), from the
// document; and the routes of server/routes.c that take none (AUTH_NONE).
function documentedOpen(yamlText) {
  const open = new Set();
  let cur = null; let op = null; let inPaths = false;
  for (const line of yamlText.split('\n')) {
    if (/^paths:/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    let m = /^ {2}(\/\S*):\s*$/.exec(line);
    if (m) { cur = m[1]; op = null; continue; }
    m = /^ {4}(get|post|put|patch|delete):\s*$/.exec(line);
    if (m) { op = `${m[1].toUpperCase()} ${cur}`; continue; }
    if (op && /^ {6}security: \[\]\s*$/.test(line)) open.add(op);
  }
  return open;
}

function routedOpen() {
  const src = fs.readFileSync(path.join(SRCDIR, 'server/routes.c'), 'utf8');
  return [...src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(\/[^"]*)",\s*\w+,\s*(AUTH_\w+)/g)]
    .filter((m) => m[3] === 'AUTH_NONE').map((m) => `${m[1]} ${m[2]}`);
}

test('every routed path and method is in web/openapi.yaml', () => {
  const doc = fs.readFileSync(path.join(SRCDIR, 'web/openapi.yaml'), 'utf8');
  assert.match(doc, /^openapi: 3\.1\.\d+$/m);
  const ops = documented(doc);
  const routes = routed();
  assert.ok(routes.length >= 20, 'routes found');
  const missing = routes.filter((r) => !ops.has(r));
  assert.deepEqual(missing, [], 'undocumented routes');
  const extra = [...ops].filter((o) => !routes.includes(o));
  assert.deepEqual(extra, [], 'documented but not routed');
});

test('web/openapi.yaml states each route\'s security: no token exactly where routes.c takes none', () => {
  const doc = fs.readFileSync(path.join(SRCDIR, 'web/openapi.yaml'), 'utf8');
  assert.match(doc, /^security:\n {2}- bearer: \[\]$/m, 'a bearer token by default');
  const open = routedOpen();
  assert.ok(open.includes('GET /healthz') && !open.includes('GET /v1/tasks/{id}/proof'), 'auth read from routes.c');
  assert.deepEqual([...documentedOpen(doc)].sort(), open.sort());
});

// Operations of a path in the document, with the text of each.
function operations(yamlText) {
  const ops = new Map();
  let cur = null; let op = null;
  for (const line of yamlText.split('\n')) {
    if (/^\S/.test(line)) { cur = null; op = null; }
    let m = /^ {2}(\/\S*):\s*$/.exec(line);
    if (m) { cur = m[1]; op = null; continue; }
    m = /^ {4}(get|post|put|patch|delete):\s*$/.exec(line);
    if (m && cur) { op = `${m[1].toUpperCase()} ${cur}`; ops.set(op, ''); continue; }
    if (op) ops.set(op, ops.get(op) + line + '\n');
  }
  return ops;
}

test('every rate-limited route documents its 429', () => {
  const doc = fs.readFileSync(path.join(SRCDIR, 'web/openapi.yaml'), 'utf8');
  const src = fs.readFileSync(path.join(SRCDIR, 'server/routes.c'), 'utf8');
  const limited = [...src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(\/[^"]*)"[^}]*?EDGE_(SIGNIN|LABEL|UPLOAD)\s*\}/g)]
    .map((m) => `${m[1]} ${m[2]}`);
  assert.ok(limited.length >= 5, 'rate-limited routes found');
  const ops = operations(doc);
  for (const r of limited) {
    assert.match(ops.get(r) ?? '', /'429':\s*\n\s*\$ref: '#\/components\/responses\/RateLimited'/, `${r} lacks its 429`);
  }
  assert.match(doc, /RateLimited:[\s\S]*?Retry-After:/);
});

let st;
before(async () => { st = await startStack(); });
after(async () => { if (st) await st.stop(); });

test('labelchaind serves /openapi.yaml', async () => {
  const r = await fetch(`${st.url}/openapi.yaml`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /openapi: 3\.1/);
});
