// The widget API client: JSON over fetch, no cookies, with a timeout.

const TIMEOUT_MS = 20000;

// An error carrying what the UI needs to word it: HTTP status (0 for a
// network failure or timeout), the API's error code and Retry-After seconds.
function apiError(status, body, retryAfter) {
  const e = (body && body.error) || {};
  const err = new Error(e.message || (status ? 'HTTP ' + status : 'network error'));
  err.status = status;
  err.code = e.code || '';
  err.retryAfter = retryAfter || 0;
  return err;
}

// auth: { key } sends the client key as client_key in every body; { page }
// (a hosted landing page, whose key the page cannot hold) sends the page id
// in the X-CarBot-Page header instead, and no client_key.
export function createApi(base, auth) {
  const root = base.replace(/\/+$/, '') + '/api/v1/widget/';
  const headers = { 'Content-Type': 'application/json' };
  if (auth.key) auth = { client_key: auth.key };
  else {
    headers['X-CarBot-Page'] = auth.page;
    auth = {};
  }

  // POSTs body to the endpoint name; resolves with the JSON answer.
  // credentials "omit": the API identifies the visitor by session id only,
  // never by cookies, so none are sent or stored.
  function post(name, body, opts) {
    const ctl = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = ctl && setTimeout(() => ctl.abort(), TIMEOUT_MS);
    return fetch(root + name, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers,
      body: JSON.stringify(Object.assign({}, auth, body)),
      signal: ctl ? ctl.signal : undefined,
      keepalive: !!(opts && opts.keepalive),
    })
      .then(
        (res) =>
          res.text().then((text) => {
            let json = null;
            try {
              json = text ? JSON.parse(text) : {};
            } catch (e) {
              /* not JSON: treated as a failure below */
            }
            if (!res.ok || !json) {
              throw apiError(res.status || 0, json, parseInt(res.headers.get('Retry-After'), 10));
            }
            return json;
          }),
        () => {
          throw apiError(0);
        },
      )
      .finally(() => timer && clearTimeout(timer));
  }

  return { post };
}
