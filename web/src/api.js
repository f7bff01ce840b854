// The same HTTP API as every other client: the session cookie carries the
// sign-in, and the CSRF token goes with every request that changes state.
let csrf = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.field = problem && problem.field;
    this.problem = problem;
  }
}

export function setCsrf(v) { csrf = v; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf || 'signin';
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, null);
  }
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

// Does the node offer this endpoint? OPTIONS is routed by no endpoint, so
// the node answers 405 ("method not allowed here") for a path it serves
// and 404 ("no such endpoint") for one it does not. Nothing is read.
const probes = new Map();
export function offers(path) {
  if (!probes.has(path)) {
    probes.set(path, (async () => {
      try {
        const r = await fetch(path, { method: 'OPTIONS', credentials: 'same-origin', cache: 'no-store',
          headers: { Accept: 'application/json' } });
        if (r.status !== 404) return true;
        const p = await r.json().catch(() => null);
        return !(p && /no such endpoint/.test(p.detail || ''));
      } catch (e) {
        return false;
      }
    })());
  }
  return probes.get(path);
}
