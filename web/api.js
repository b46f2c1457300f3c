// api.js: the one way to the server. Same-origin fetch with the session cookie; every
// change carries the session's CSRF token (X-CSRF-Token). Failures become ApiError with
// the server's error name and message, so that a page can put them beside the field
// they are about.

let csrf = null;
let onLoggedOut = null;

export class ApiError extends Error {
  constructor(status, error, message, retryAfter) {
    super(message || error || `HTTP ${status}`);
    this.status = status;
    this.error = error || '';
    this.retryAfter = retryAfter;
  }

  /** The field a message is about: the part before the first colon ("new: too short"). */
  get field() {
    const m = /^([A-Za-z_.$[\]0-9]+):/.exec(this.message);
    return m ? m[1] : null;
  }
}

export function setCsrf(token) { csrf = token; }

/** Called with no argument when a request finds the session gone (401). */
export function onUnauthenticated(fn) { onLoggedOut = fn; }

/**
 * One request. opts: quiet401 (no return to the login page), headers (added), etag
 * (resolve {data, etag} instead of the data, for a later If-Match).
 */
export async function api(method, path, body, { quiet401 = false, headers: extra = {}, etag = false } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  const raw = body instanceof Blob;	// a file, sent as it is (evidence)
  if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined || raw ? body : JSON.stringify(body),
      credentials: 'same-origin', cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', null);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401 && onLoggedOut) onLoggedOut();
    // The whole reply goes along: some carry more than a message (an import's report).
    throw Object.assign(new ApiError(res.status, data && data.error, data && data.message, res.headers.get('Retry-After')), { body: data });
  }
  return etag ? { data, etag: res.headers.get('ETag') } : data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/** A path segment, encoded. */
export const seg = (s) => encodeURIComponent(s);

/** Every item of a paged list (limit 1000 a page), following next_cursor. */
export async function getAll(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(`${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...r.items);
    cursor = r.next_cursor;
  } while (cursor);
  return items;
}
