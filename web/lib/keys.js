// web/lib/keys.js — the labeler's Ed25519 key: WebCrypto for generation and
// signing, IndexedDB for storage (CryptoKey objects are stored as they are, so a
// non-extractable private key never leaves the browser's key store).  The file
// format for export/import is JSON:
//   {"type":"labelchain-ed25519-key","v":1,"public_key":"<hex>","private_key_pkcs8":"<hex>"}
import { fromHex, toHex, utf8 } from './hex.js';

const subtle = globalThis.crypto.subtle;
const DB = 'labelchain', STORE = 'keys', ID = 'labeler';
export const KEY_FILE_TYPE = 'labelchain-ed25519-key';

export async function generateKey(exportable) {
  const pair = await subtle.generateKey({ name: 'Ed25519' }, !!exportable, ['sign', 'verify']);
  return withPublicHex(pair.privateKey, pair.publicKey);
}

async function withPublicHex(privateKey, publicKey) {
  const raw = new Uint8Array(await subtle.exportKey('raw', publicKey));
  return { privateKey, publicKey, publicHex: toHex(raw), exportable: privateKey.extractable, created: new Date().toISOString() };
}

export async function sign(key, message) {
  const sig = await subtle.sign({ name: 'Ed25519' }, key.privateKey, utf8(message));
  return toHex(new Uint8Array(sig));
}

export async function verify(publicHex, message, sigHex) {
  const pub = await subtle.importKey('raw', fromHex(publicHex), { name: 'Ed25519' }, true, ['verify']);
  return subtle.verify({ name: 'Ed25519' }, pub, fromHex(sigHex), utf8(message));
}

export async function exportKeyFile(key) {
  if (!key.privateKey.extractable) throw new Error('this key was created non-exportable: it cannot leave this browser');
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', key.privateKey));
  return JSON.stringify({ type: KEY_FILE_TYPE, v: 1, public_key: key.publicHex, private_key_pkcs8: toHex(pkcs8) }, null, 2) + '\n';
}

// Imports a key file; the imported key stays exportable (you hold the file anyway).
// The public key is re-derived by signing and verifying a probe message.
export async function importKeyFile(text) {
  let j;
  try { j = JSON.parse(text); } catch { throw new Error('not a labelchain key file (not JSON)'); }
  if (!j || j.type !== KEY_FILE_TYPE || j.v !== 1 || typeof j.private_key_pkcs8 !== 'string' || typeof j.public_key !== 'string') {
    throw new Error('not a labelchain key file');
  }
  const privateKey = await subtle.importKey('pkcs8', fromHex(j.private_key_pkcs8), { name: 'Ed25519' }, true, ['sign']);
  const publicKey = await subtle.importKey('raw', fromHex(j.public_key), { name: 'Ed25519' }, true, ['verify']);
  const key = await withPublicHex(privateKey, publicKey);
  const probe = 'labelchain:key-check';
  if (!(await verify(key.publicHex, probe, await sign(key, probe)))) throw new Error('the private key does not match the public key in the file');
  return key;
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function tx(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req && req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('aborted'));
    });
  } finally { db.close(); }
}
export const saveKey = (key) => tx('readwrite', (s) => s.put(key, ID));
export const loadKey = () => tx('readonly', (s) => s.get(ID));
export const deleteKey = () => tx('readwrite', (s) => s.delete(ID));
