// tests/e2e/web_units.test.mjs — the pure ES modules of web/ under node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { toHex, fromHex, uintBE, isHex } from '../../web/lib/hex.js';
import { leafHash, nodeHash, merkleRoot, inclusionPath, verifyInclusion, rootFromInclusionProof,
  anchorCalldata, parseAnchorCalldata, proofShapeProblems } from '../../web/lib/merkle.js';
import { loginMessage, voteMessage, shortcutKeys, formatCredits, parseCredits } from '../../web/lib/messages.js';
import { generateKey, sign, verify, exportKeyFile, importKeyFile } from '../../web/lib/keys.js';

const sha = (...b) => createHash('sha256').update(Buffer.concat(b.map((x) => Buffer.from(x)))).digest();

test('hex round trip and errors', () => {
  const b = Uint8Array.from([0, 1, 0xab, 0xff]);
  assert.equal(toHex(b), '0001abff');
  assert.deepEqual(fromHex('0001ABFF'), b);
  assert.deepEqual(fromHex('0x0001abff'), b);
  assert.throws(() => fromHex('abc'));
  assert.throws(() => fromHex('zz'));
  assert.equal(toHex(uintBE(258, 8)), '0000000000000102');
  assert.throws(() => uintBE(256, 1));
  assert.ok(isHex('00ff', 2)); assert.ok(!isHex('00FF'));
});

test('leaf and node hashes follow RFC 6962', async () => {
  assert.equal(toHex(await leafHash('')), sha([0]).toString('hex'));
  assert.equal(toHex(await leafHash('abc')), sha([0], 'abc').toString('hex'));
  const l = sha('l'), r = sha('r');
  assert.equal(toHex(await nodeHash(l, r)), sha([1], l, r).toString('hex'));
  // RFC 6962 empty tree
  assert.equal(toHex(await merkleRoot([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('inclusion verification: every size 1..64 and every index against a naive recompute', async () => {
  const leaves = [];
  for (let i = 0; i < 64; i++) leaves.push(await leafHash(`{"leaf":${i}}`));
  for (let n = 1; n <= 64; n++) {
    const hs = leaves.slice(0, n);
    const root = await merkleRoot(hs);
    for (let m = 0; m < n; m++) {
      const path = await inclusionPath(m, hs);
      const ok = await verifyInclusion(m, n, hs[m], path, root);
      assert.ok(ok.ok, `n=${n} m=${m}: ${ok.reason}`);
      // wrong index, wrong size, wrong leaf, truncated / extended path must fail
      if (n > 1) assert.ok(!(await verifyInclusion((m + 1) % n, n, hs[m], path, root)).ok, `index n=${n} m=${m}`);
      // (a wrong tree size may still fold to the same root — that is why the
      // anchor binds root and size together; see the calldata test)
      assert.ok(!(await verifyInclusion(m, n, await leafHash('x'), path, root)).ok);
      if (path.length) assert.ok(!(await verifyInclusion(m, n, hs[m], path.slice(0, -1), root)).ok);
      assert.ok(!(await verifyInclusion(m, n, hs[m], [...path, hs[0]], root)).ok);
      if (path.length) {
        const bad = path.map((p) => Uint8Array.from(p)); bad[0][0] ^= 1;
        assert.ok(!(await verifyInclusion(m, n, hs[m], bad, root)).ok);
      }
    }
  }
});

test('index outside the tree is rejected', async () => {
  const r = await rootFromInclusionProof(5, 5, new Uint8Array(32), []);
  assert.ok(!r.ok);
});

test('anchor calldata', () => {
  const root = 'ab'.repeat(32);
  const d = anchorCalldata(root, 258);
  assert.equal(d, '0x6c630001' + root + '0000000000000102');
  assert.deepEqual(parseAnchorCalldata(d), { root, treeSize: 258n });
  assert.equal(parseAnchorCalldata('0x1234'), null);
});

test('proof shape checks', () => {
  assert.deepEqual(proofShapeProblems({ leaf: 'x', leaf_hash: '00'.repeat(32), root: '11'.repeat(32), leaf_index: 0, tree_size: 1, path: [] }), []);
  assert.ok(proofShapeProblems({ leaf: 1 }).length >= 3);
  assert.ok(proofShapeProblems(null).length === 1);
});

test('signed message formats', () => {
  assert.equal(loginMessage('c0ffee'), 'labelchain:login:v1\nc0ffee');
  assert.equal(voteMessage(12, 34, 'cat'), 'labelchain:vote:v1\n12\n34\ncat');
  assert.throws(() => voteMessage(1, 2, 'a\nb'));
  assert.throws(() => loginMessage('a\n'));
  assert.ok(!voteMessage('a', 'b', 'ü').endsWith('\n'));
});

test('shortcut keys: 1-9 then letters, never s', () => {
  const k = shortcutKeys(40);
  assert.deepEqual(k.slice(0, 10), ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'a']);
  assert.ok(!k.includes('s'));
  assert.equal(new Set(k.filter(Boolean)).size, k.filter(Boolean).length);
});

test('credits formatting and parsing', () => {
  assert.equal(formatCredits(1234567890), '1,234.56789');
  assert.equal(formatCredits(0), '0.00');
  assert.equal(formatCredits(-1500000), '−1.50');
  assert.equal(parseCredits('2.5'), 2500000);
  assert.equal(parseCredits('10'), 10000000);
  assert.throws(() => parseCredits('1.1234567'));
  assert.throws(() => parseCredits('-1'));
});

test('parseCredits: either decimal mark, never silently scaled (issue 14)', () => {
  const ok = { '0,5': 500000, '0.5': 500000, ' 2,5 ': 2500000, '.5': 500000, ',25': 250000, '5.': 5000000, '0': 0,
    '007': 7000000, '0,500': 500000, '000.250': 250000, '1234,567': 1234567000, '1,5000': 1500000, '12,34': 12340000,
    '0.000001': 1, '1000000000': 1e15, '1,000001': 1000001 };
  for (const [t, v] of Object.entries(ok)) assert.equal(parseCredits(t), v, JSON.stringify(t));
  const bad = {
    '1,000': /"1,000" is ambiguous: type 1000 or 1,0/, '1.000': /ambiguous: type 1000 or 1\.0/, '12.500': /ambiguous: type 12500 or 12\.5/,
    '1.234': /ambiguous: type 1234 or 1\.2340/, '999,999': /ambiguous/,
    '1,234.5': /thousands/, '1.234,5': /thousands/, '1,000,000': /thousands/, '1 000': /thousands/, "1'000": /thousands/,
    '1\u00a0000': /thousands/, '1,5,0': /one decimal mark/,
    '2.1234567': /at most 6 decimals/, '0,0000001': /at most 6 decimals/,
    '-1': /negative/, '−1': /negative/, '-0,5': /negative/, '+1': /amount like/,
    '': /enter an amount/, '   ': /enter an amount/, '.': /amount like/, ',': /amount like/, 'abc': /amount like/,
    '1e3': /amount like/, '0x10': /amount like/, '١٢': /amount like/, '1000000000.000001': /at most one billion/,
  };
  for (const [t, re] of Object.entries(bad)) assert.throws(() => parseCredits(t), re, JSON.stringify(t));
  assert.throws(() => parseCredits(undefined), /enter an amount/);
  assert.throws(() => parseCredits(null), /enter an amount/);
});

test('Ed25519 keys: sign/verify, export/import file', async () => {
  const k = await generateKey(true);
  assert.match(k.publicHex, /^[0-9a-f]{64}$/);
  const sig = await sign(k, loginMessage('abc'));
  assert.match(sig, /^[0-9a-f]{128}$/);
  assert.ok(await verify(k.publicHex, loginMessage('abc'), sig));
  assert.ok(!(await verify(k.publicHex, loginMessage('abd'), sig)));
  const file = await exportKeyFile(k);
  const k2 = await importKeyFile(file);
  assert.equal(k2.publicHex, k.publicHex);
  const nk = await generateKey(false);
  await assert.rejects(exportKeyFile(nk));
  await assert.rejects(importKeyFile('{"type":"other"}'));
  const tampered = JSON.parse(file); tampered.public_key = nk.publicHex;
  await assert.rejects(importKeyFile(JSON.stringify(tampered)));
});
