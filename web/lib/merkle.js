// web/lib/merkle.js — RFC 6962 / RFC 9162 Merkle hashing, inclusion proof
// verification and the anchor calldata.  Pure (WebCrypto SHA-256 only), so the
// same module runs in the browser and under node's test runner.
import { concat, equalBytes, fromHex, toHex, uintBE, utf8 } from './hex.js';

const subtle = globalThis.crypto.subtle;

export async function sha256(bytes) {
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}
export async function leafHash(record) {
  const bytes = typeof record === 'string' ? utf8(record) : record;
  return sha256(concat(Uint8Array.of(0), bytes));
}
export async function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

// RFC 9162 §2.1.3.2.  Returns { ok, root, reason, steps } where steps lists each
// hashing step (for display).  index and size may be Number or BigInt.
export async function rootFromInclusionProof(leafIndex, treeSize, leaf, path) {
  let fn = BigInt(leafIndex), sn = BigInt(treeSize) - 1n;
  const steps = [];
  if (BigInt(leafIndex) >= BigInt(treeSize) || BigInt(leafIndex) < 0n) {
    return { ok: false, reason: `leaf index ${leafIndex} is not below tree size ${treeSize}`, steps };
  }
  let r = leaf;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (sn === 0n) return { ok: false, reason: `path is too long (${path.length} hashes)`, steps };
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      steps.push({ side: 'left', sibling: toHex(p), result: toHex(r) });
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
      steps.push({ side: 'right', sibling: toHex(p), result: toHex(r) });
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: `path is too short (${path.length} hashes)`, steps, root: r };
  return { ok: true, root: r, steps };
}

export async function verifyInclusion(leafIndex, treeSize, leaf, path, root) {
  const res = await rootFromInclusionProof(leafIndex, treeSize, leaf, path);
  if (!res.ok) return res;
  if (!equalBytes(res.root, root)) return { ...res, ok: false, reason: 'computed root differs from the proof\'s root' };
  return res;
}

// Naive reference (RFC 6962 §2.1 MTH) for tests and tooling.
export async function merkleRoot(leafHashes) {
  const n = leafHashes.length;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return leafHashes[0];
  let k = 1; while (k * 2 < n) k *= 2;
  return nodeHash(await merkleRoot(leafHashes.slice(0, k)), await merkleRoot(leafHashes.slice(k)));
}
export async function inclusionPath(m, leafHashes) {
  const n = leafHashes.length;
  if (n <= 1) return [];
  let k = 1; while (k * 2 < n) k *= 2;
  if (m < k) return [...await inclusionPath(m, leafHashes.slice(0, k)), await merkleRoot(leafHashes.slice(k))];
  return [...await inclusionPath(m - k, leafHashes.slice(k)), await merkleRoot(leafHashes.slice(0, k))];
}

export const ANCHOR_PREFIX = '6c630001';
export function anchorCalldata(rootHex, treeSize) {
  const root = fromHex(rootHex);
  if (root.length !== 32) throw new Error('root must be 32 bytes');
  return '0x' + ANCHOR_PREFIX + toHex(root) + toHex(uintBE(treeSize, 8));
}
export function parseAnchorCalldata(input) {
  const h = (input || '').replace(/^0x/i, '').toLowerCase();
  if (h.length !== 8 + 64 + 16 || !h.startsWith(ANCHOR_PREFIX)) return null;
  return { root: h.slice(8, 72), treeSize: BigInt('0x' + h.slice(72)) };
}

// Check a proof object's shape; returns a list of problems (empty when fine).
export function proofShapeProblems(p) {
  const probs = [];
  if (!p || typeof p !== 'object') return ['not a JSON object'];
  if (typeof p.leaf !== 'string') probs.push('"leaf" must be the record string');
  for (const k of ['leaf_hash', 'root']) {
    if (typeof p[k] !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(p[k])) probs.push(`"${k}" must be 32 bytes of hex`);
  }
  for (const k of ['leaf_index', 'tree_size']) {
    if (!(Number.isInteger(p[k]) && p[k] >= 0) && !/^\d+$/.test(String(p[k]))) probs.push(`"${k}" must be a non-negative integer`);
  }
  if (!Array.isArray(p.path) || p.path.some((h) => typeof h !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(h))) {
    probs.push('"path" must be an array of 32-byte hex strings');
  }
  return probs;
}
