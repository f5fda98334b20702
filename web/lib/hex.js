// web/lib/hex.js — hex and byte helpers.  Pure: no DOM, importable from node.

export function toHex(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

// Accepts an optional 0x prefix and either case; throws on anything else.
export function fromHex(hex) {
  if (typeof hex !== 'string') throw new TypeError('hex must be a string');
  let h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`not hex: "${hex.slice(0, 20)}"`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

export function isHex(s, bytes) {
  return typeof s === 'string' && /^[0-9a-f]*$/.test(s) && s.length % 2 === 0 &&
    (bytes === undefined || s.length === bytes * 2);
}

export function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export const utf8 = (s) => new TextEncoder().encode(s);

// Big-endian fixed-width encoding of a non-negative integer (Number or BigInt).
export function uintBE(value, width) {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError('negative');
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  if (v !== 0n) throw new RangeError(`${value} does not fit in ${width} bytes`);
  return out;
}
