// web/lib/messages.js — the signed message formats of DESIGN.md.  Pure.
// UTF-8, fields joined by "\n", no trailing newline.

export const LOGIN_TAG = 'labelchain:login:v1';
export const VOTE_TAG = 'labelchain:vote:v1';

export function loginMessage(challenge) {
  if (typeof challenge !== 'string' || challenge.includes('\n')) throw new Error('bad challenge');
  return `${LOGIN_TAG}\n${challenge}`;
}

export function voteMessage(assignmentId, taskId, label) {
  for (const [n, v] of [['assignment id', assignmentId], ['task id', taskId], ['label', label]]) {
    if (v === undefined || v === null || String(v).includes('\n')) throw new Error(`bad ${n}`);
  }
  return `${VOTE_TAG}\n${assignmentId}\n${taskId}\n${label}`;
}

// Keyboard shortcuts for the label buttons: 1–9, then letters a–z without the
// ones the labeling view already uses (s = skip).
const LETTERS = 'abcdefghijklmnopqrtuvwxyz'.split('');
export function shortcutKeys(n) {
  const keys = [];
  for (let i = 0; i < n; i++) {
    if (i < 9) keys.push(String(i + 1));
    else if (i - 9 < LETTERS.length) keys.push(LETTERS[i - 9]);
    else keys.push(null);
  }
  return keys;
}

// Micro-credits → "12.345678" credits (trailing zeros trimmed, at least 2 decimals).
export function formatCredits(micro) {
  if (micro === undefined || micro === null || micro === '') return '—';
  let v = BigInt(micro);
  const neg = v < 0n; if (neg) v = -v;
  const whole = v / 1000000n, frac = (v % 1000000n).toString().padStart(6, '0');
  let f = frac.replace(/0+$/, ''); if (f.length < 2) f = f.padEnd(2, '0');
  const w = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '−' : ''}${w}.${f}`;
}

// "12.5" credits → 12500000 micro-credits; throws on bad input.
export function parseCredits(s) {
  const t = String(s).trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(t);
  if (!m) throw new Error('enter an amount like 10 or 2.5 (up to 6 decimals)');
  return Number(BigInt(m[1]) * 1000000n + BigInt((m[2] || '').padEnd(6, '0')));
}
