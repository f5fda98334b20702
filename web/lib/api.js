// web/lib/api.js — the REST client.  Errors: ApiError for problem+json answers
// (status, type, title, detail), NetworkError when the server cannot be reached.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status; this.type = problem.type || ''; this.title = problem.title || '';
    this.detail = problem.detail || '';
  }
}
export class NetworkError extends Error {}

const TOKEN = 'labelchain.token', WHO = 'labelchain.session';

export const session = {
  get token() { return localStorage.getItem(TOKEN); },
  get info() { try { return JSON.parse(localStorage.getItem(WHO) || 'null'); } catch { return null; } },
  set(token, info) { localStorage.setItem(TOKEN, token); localStorage.setItem(WHO, JSON.stringify(info || {})); },
  clear() { localStorage.removeItem(TOKEN); localStorage.removeItem(WHO); },
};

export async function request(method, path, { body, raw, contentType, auth = true, accept, signal } = {}) {
  const headers = {};
  if (auth && session.token) headers.authorization = `Bearer ${session.token}`;
  if (accept) headers.accept = accept;
  let payload;
  if (raw !== undefined) { payload = raw; headers['content-type'] = contentType || 'application/octet-stream'; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new NetworkError('cannot reach the server');
  }
  if (r.status === 204) return null;
  const ct = r.headers.get('content-type') || '';
  const text = await r.text();
  if (!r.ok) {
    let problem = { title: r.statusText, detail: text.slice(0, 300) };
    if (ct.includes('json')) { try { problem = JSON.parse(text); } catch { /* keep text */ } }
    if (r.status === 401 && auth && session.token) window.dispatchEvent(new CustomEvent('lc:unauthorized'));
    throw new ApiError(r.status, problem);
  }
  if (ct.includes('application/json') || ct.includes('problem+json')) return text ? JSON.parse(text) : null;
  return text;
}

export const get = (p, o) => request('GET', p, o);
export const post = (p, body, o = {}) => request('POST', p, { ...o, body });
