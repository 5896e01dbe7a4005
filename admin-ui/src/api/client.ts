// The dashboard's HTTP client and its session.
//
// The access token lives in this module's memory only (never in storage):
// a reload starts without one and gets a fresh one from /refresh, whose
// refresh token is an HttpOnly cookie the page cannot read (cookie mode of
// the auth plugin, X-CarBot-Session: cookie). A refresh is scheduled before
// the access token expires; a 401 is answered by one refresh and a retry;
// when refreshing fails the session ends and onExpired() sends the user to
// the login page with a message.

export interface ErrorDetail {
  field?: string;
  issue?: string;
  message?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface User {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  tier: string;
  role: string;
}

export interface TokenReply {
  user: User;
  tokens: { access_token: string; expires_in: number };
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SessionDeps {
  fetch: Fetch;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (t: unknown) => void;
  /** serialises refreshes across tabs (navigator.locks), or runs fn directly */
  withLock: <T>(fn: () => Promise<T>) => Promise<T>;
}

export const SESSION_HEADER = { 'X-CarBot-Session': 'cookie' } as const;

/** When to refresh: a minute before expiry; for lifetimes under two minutes at half of it. */
export function refreshDelayMs(expiresIn: number): number {
  const s = expiresIn >= 120 ? expiresIn - 60 : expiresIn / 2;
  return Math.round(Math.max(5, s) * 1000);
}

async function errorOf(r: Response): Promise<ApiError> {
  let code = 'http_' + r.status;
  let message = r.statusText || 'Request failed';
  let details: ErrorDetail[] = [];
  try {
    const j = (await r.json()) as { error?: { code?: string; message?: string; details?: ErrorDetail[] } };
    if (j.error) {
      code = j.error.code ?? code;
      message = j.error.message ?? message;
      details = Array.isArray(j.error.details) ? j.error.details : [];
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(r.status, code, message, details);
}

async function codeOf(r: Response): Promise<string | undefined> {
  try {
    return ((await r.clone().json()) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export class Session {
  private access: string | null = null;
  private timer: unknown = null;
  private inflight: Promise<boolean> | null = null;
  user: User | null = null;
  onChange: (u: User | null) => void = () => {};
  onExpired: () => void = () => {};
  private readonly deps: SessionDeps;

  constructor(deps: SessionDeps) {
    this.deps = deps;
  }

  get signedIn(): boolean {
    return this.access !== null;
  }

  /** Takes the answer of login, register or refresh. */
  accept(r: TokenReply): void {
    this.access = r.tokens.access_token;
    this.user = r.user;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = this.deps.setTimer(() => {
      void this.refresh();
    }, refreshDelayMs(r.tokens.expires_in));
    this.onChange(r.user);
  }

  clear(): void {
    this.access = null;
    this.user = null;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.onChange(null);
  }

  /** A new access token from the cookie; false when the session is over. One at a time. */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      this.inflight = this.deps
        .withLock(async () => {
          const r = await this.deps.fetch('/api/v1/auth/refresh', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', ...SESSION_HEADER },
            body: '{}',
          });
          if (!r.ok) return false;
          this.accept((await r.json()) as TokenReply);
          return true;
        })
        .catch(() => false)
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  /** Sends a request with the access token; one refresh and retry on 401. */
  async request(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    if (!this.access && !retried) {
      if (!(await this.refresh())) return this.expired();
    }
    const headers = new Headers(init.headers);
    if (this.access) headers.set('Authorization', 'Bearer ' + this.access);
    const r = await this.deps.fetch(path, { ...init, headers, credentials: 'same-origin' });
    if (r.status !== 401) return r;
    // A route's own 401 (a wrong current password: invalid_credentials) is
    // its answer; only the authenticator's (unauthorized) ends a session.
    if ((await codeOf(r)) === 'invalid_credentials') return r;
    if (retried || !(await this.refresh())) return this.expired();
    return this.request(path, init, true);
  }

  private expired(): never {
    const had = this.user !== null;
    this.clear();
    if (had) this.onExpired();
    throw new ApiError(401, 'unauthorized', 'Session expired');
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const r = await this.request(path, init);
    if (!r.ok) throw await errorOf(r);
    if (r.status === 204) return undefined as T;
    return (await r.json()) as T;
  }
}

function lockOf(): SessionDeps['withLock'] {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return (fn) => fn();
  return <T,>(fn: () => Promise<T>) => locks.request('carbot-refresh', fn) as Promise<T>;
}

export const session = new Session({
  fetch: (i, init) => fetch(i, init),
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  withLock: lockOf(),
});

/** Public calls (login, register): cookie mode, no bearer. */
export async function publicPost<T>(path: string, body: unknown): Promise<T> {
  const r = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...SESSION_HEADER },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw await errorOf(r);
  return (await r.json()) as T;
}

export function get<T>(path: string, query?: Record<string, string | number | boolean | undefined | null>): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return session.json<T>(s ? `${path}?${s}` : path);
}

export function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return session.json<T>(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function logout(): Promise<void> {
  try {
    await session.json('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...SESSION_HEADER },
      body: '{}',
    });
  } catch {
    /* signed out locally in any case */
  }
  session.clear();
}
