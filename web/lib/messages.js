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

// Credits as a person types them → micro-credits (an integer), or an Error
// whose message says what to type instead.  No amount is ever silently
// scaled; the rules:
//  - digits with at most one decimal mark, "." or ",": "0,5" and "0.5" are
//    both half a credit; ".5" and "5." are fine too;
//  - at most 6 decimals (a micro-credit is 0.000001);
//  - no thousands separators: both marks ("1,234.5"), a mark twice
//    ("1,000,000"), spaces or apostrophes ("1 000", "1'000") are refused;
//  - one mark followed by exactly three digits, after 1 to 3 digits that
//    are not all zero ("1,000", "12.500"), is refused as ambiguous: it is a
//    thousands group in one convention and decimals in the other.  "0,500",
//    "1234,567" and "1,5000" can only be decimals and are accepted;
//  - no sign: "-1" is refused as negative, "+1" as not an amount;
//  - empty or blank input is refused; "0" is 0 (callers that need more
//    than nothing say so);
//  - at most 10^9 credits, the server's limit (LC_MAX_AMOUNT).
export const MAX_CREDITS = 1000000000;
export function parseCredits(s) {
  const t = String(s ?? '').trim();
  if (t === '') throw new Error('enter an amount, like 10 or 2.5');
  if (/^[-−–]/.test(t)) throw new Error('an amount cannot be negative');
  if (/^\d[\d.,]*[\s'’\u00a0\u202f]\d/.test(t) || /[.,].*[.,]/.test(t)) {
    throw new Error('write the amount without thousands separators and with one decimal mark, "." or "," (like 1000 or 2,5)');
  }
  const m = /^(\d*)(?:([.,])(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[3] || '') === '')) throw new Error('enter an amount like 10 or 2,5: digits and one decimal mark');
  const [, int, mark, frac = ''] = m;
  if (mark && frac.length === 3 && int.length >= 1 && int.length <= 3 && /[1-9]/.test(int)) {
    let f = frac.replace(/0+$/, '') || '0';
    if (f.length === 3) f += '0';
    throw new Error(`"${t}" is ambiguous: type ${int}${frac} or ${int}${mark}${f} (no thousands separators)`);
  }
  if (frac.length > 6) throw new Error('at most 6 decimals (a micro-credit is 0.000001)');
  const micro = BigInt(int || '0') * 1000000n + BigInt(frac.padEnd(6, '0'));
  if (micro > BigInt(MAX_CREDITS) * 1000000n) throw new Error(`at most one billion (${MAX_CREDITS}) credits`);
  return Number(micro);
}
