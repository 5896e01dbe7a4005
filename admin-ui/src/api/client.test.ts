import { describe, expect, it, vi } from 'vitest';
import { ApiError, Session, refreshDelayMs, type SessionDeps, type TokenReply } from './client';

const user = { id: 'u1', email: 'a@b.de', first_name: null, last_name: null, company_name: null, tier: 'basic', role: 'user' };
const reply = (access: string, expires_in = 900): TokenReply => ({ user, tokens: { access_token: access, expires_in } });
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function harness(handler: (path: string, init: RequestInit) => Response | Promise<Response>) {
  const timers: { fn: () => void; ms: number }[] = [];
  const calls: { path: string; init: RequestInit }[] = [];
  const deps: SessionDeps = {
    fetch: async (path, init = {}) => {
      calls.push({ path, init });
      return handler(path, init);
    },
    now: () => 0,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    withLock: (fn) => fn(),
  };
  return { s: new Session(deps), timers, calls };
}
const auth = (init: RequestInit) => new Headers(init.headers).get('Authorization');

describe('a route\'s own 401', () => {
  it('a wrong current password (invalid_credentials) is an answer, not the end of the session', async () => {
    const { s, calls } = harness((p) => (p.endsWith('/refresh') ? json(200, reply('A2')) : json(401, { error: { code: 'invalid_credentials', message: 'wrong' } })));
    const expired = vi.fn();
    s.onExpired = expired;
    s.accept(reply('A1'));
    await expect(s.json('/api/v1/auth/password', { method: 'POST' })).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/auth/password']);
    expect(s.signedIn).toBe(true);
    expect(expired).not.toHaveBeenCalled();
  });
});

describe('token refresh', () => {
  it('schedules the refresh a minute before expiry (half-way for short lifetimes)', () => {
    expect(refreshDelayMs(900)).toBe(840000);
    expect(refreshDelayMs(120)).toBe(60000);
    expect(refreshDelayMs(30)).toBe(15000);
    expect(refreshDelayMs(2)).toBe(5000);
  });

  it('sends the access token and keeps it in memory only', async () => {
    const { s, calls, timers } = harness(() => json(200, { ok: 1 }));
    s.accept(reply('A1'));
    expect(await s.json('/api/x')).toEqual({ ok: 1 });
    expect(auth(calls[0]!.init)).toBe('Bearer A1');
    expect(timers[0]!.ms).toBe(840000);
    expect(JSON.stringify(localStorage)).not.toContain('A1');
  });

  it('refreshes from the cookie in cookie mode, with no token in the body', async () => {
    const { s, calls, timers } = harness((p) => (p.endsWith('/refresh') ? json(200, reply('A2')) : json(200, {})));
    s.accept(reply('A1'));
    timers[0]!.fn();
    await vi.waitFor(() => expect(calls.length).toBe(1));
    const c = calls[0]!;
    expect(c.path).toBe('/api/v1/auth/refresh');
    expect(new Headers(c.init.headers).get('X-CarBot-Session')).toBe('cookie');
    expect(c.init.body).toBe('{}');
    expect(c.init.credentials).toBe('same-origin');
    await vi.waitFor(() => expect(timers.length).toBe(2));
    await s.json('/api/x');
    expect(auth(calls[1]!.init)).toBe('Bearer A2');
  });

  it('answers a 401 with one refresh and a retry', async () => {
    let n = 0;
    const { s, calls } = harness((p, init) => {
      if (p.endsWith('/refresh')) return json(200, reply('A2'));
      if (auth(init) === 'Bearer A1') return json(401, { error: { code: 'unauthorized' } });
      n++;
      return json(200, { n });
    });
    s.accept(reply('A1'));
    expect(await s.json('/api/x')).toEqual({ n: 1 });
    expect(calls.map((c) => c.path)).toEqual(['/api/x', '/api/v1/auth/refresh', '/api/x']);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const { s, calls } = harness(async (p, init) => {
      if (p.endsWith('/refresh')) return json(200, reply('A2'));
      return auth(init) === 'Bearer A2' ? json(200, {}) : json(401, {});
    });
    s.accept(reply('A1'));
    await Promise.all([s.json('/a'), s.json('/b'), s.json('/c')]);
    expect(calls.filter((c) => c.path.endsWith('/refresh')).length).toBe(1);
  });

  it('ends the session when the refresh fails, and says so once', async () => {
    const { s } = harness((p) => (p.endsWith('/refresh') ? json(401, {}) : json(401, {})));
    const expired = vi.fn();
    const changes: unknown[] = [];
    s.onExpired = expired;
    s.onChange = (u) => changes.push(u);
    s.accept(reply('A1'));
    await expect(s.json('/api/x')).rejects.toBeInstanceOf(ApiError);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(s.signedIn).toBe(false);
    expect(changes.at(-1)).toBeNull();
  });

  it('without a token first tries the cookie, and does not call onExpired for a visitor never signed in', async () => {
    const { s, calls } = harness(() => json(401, {}));
    const expired = vi.fn();
    s.onExpired = expired;
    await expect(s.json('/api/x')).rejects.toMatchObject({ status: 401 });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/auth/refresh']);
    expect(expired).not.toHaveBeenCalled();
  });

  it('turns the error shape into an ApiError with details', async () => {
    const { s } = harness(() => json(400, { error: { code: 'validation_failed', message: 'bad', details: [{ field: 'domain', issue: 'invalid' }] } }));
    s.accept(reply('A1'));
    await expect(s.json('/api/x')).rejects.toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'domain' }] });
  });
});
