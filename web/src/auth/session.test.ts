import { RestError, type TokenResponse } from '../api/rest';
import { Session, type SessionDeps } from './session';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

function tokens(n: number, expiresIn = 900): TokenResponse {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'Bearer', expires_in: expiresIn };
}

function setup(overrides: Partial<SessionDeps> = {}) {
  const storage = memoryStorage();
  let now = 1_000_000;
  let issued = 1;
  const refresh = vi.fn(async (token: string) => {
    await Promise.resolve();
    if (token !== `refresh-${issued}`) throw new RestError(401, 'invalid_token', 'reused');
    issued += 1;
    return tokens(issued);
  });
  const logout = vi.fn(async () => undefined);
  const session = new Session({ storage, refresh, logout, now: () => now, ...overrides });
  return { session, storage, refresh, logout, advance: (ms: number) => (now += ms) };
}

describe('Session', () => {
  it('keeps the access token in memory and only the refresh token in storage', () => {
    const { session, storage } = setup();
    session.signIn(tokens(1));
    expect(session.accessToken()).toBe('access-1');
    expect([...storage.map.values()]).toEqual(['refresh-1']);
    expect(session.state).toBe('signed-in');
  });

  it('counts a token as expiring 30 s before it does', () => {
    const { session, advance } = setup();
    session.signIn(tokens(1, 900));
    expect(session.isExpiring()).toBe(false);
    advance(869_000);
    expect(session.isExpiring()).toBe(false);
    advance(2_000);
    expect(session.isExpiring()).toBe(true);
  });

  it('refreshes once for many concurrent callers, so a rotated token is never reused', async () => {
    const { session, refresh, storage } = setup();
    session.signIn(tokens(1));
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual([true, true, true]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.accessToken()).toBe('access-2');
    expect(storage.getItem('vigil.refresh')).toBe('refresh-2');
    // A later refresh uses the rotated token.
    await session.refresh();
    expect(refresh).toHaveBeenLastCalledWith('refresh-2');
  });

  it('signs out when the refresh token is refused', async () => {
    const { session, storage } = setup({ refresh: vi.fn(async () => Promise.reject(new RestError(401, 'invalid_token', 'no'))) });
    session.signIn(tokens(1));
    const states: string[] = [];
    session.subscribe((s) => states.push(s));
    expect(await session.refresh()).toBe(false);
    expect(session.state).toBe('signed-out');
    expect(session.accessToken()).toBeNull();
    expect(storage.getItem('vigil.refresh')).toBeNull();
    expect(states).toEqual(['signed-out']);
    expect(session.ended).toBe('refused');
  });

  it('keeps the session when Vigil cannot be reached, to retry later', async () => {
    const { session, storage } = setup({ refresh: vi.fn(async () => Promise.reject(new RestError(0, 'network', 'offline'))) });
    session.signIn(tokens(1));
    expect(await session.refresh()).toBe(false);
    expect(session.state).toBe('signed-in');
    expect(storage.getItem('vigil.refresh')).toBe('refresh-1');
  });

  it('restores a session from the stored refresh token at start-up', async () => {
    const { session, storage } = setup();
    storage.setItem('vigil.refresh', 'refresh-1');
    expect(await session.restore()).toBe('signed-in');
    expect(session.accessToken()).toBe('access-2');
  });

  it('is signed out at start-up without a stored token', async () => {
    const { session, refresh } = setup();
    expect(await session.restore()).toBe('signed-out');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('logs out on the server and forgets everything', async () => {
    const { session, storage, logout } = setup();
    session.signIn(tokens(1));
    await session.signOut();
    expect(logout).toHaveBeenCalledWith('refresh-1');
    expect(storage.getItem('vigil.refresh')).toBeNull();
    expect(session.accessToken()).toBeNull();
    expect(session.state).toBe('signed-out');
    expect(session.ended).toBe('logout');
  });

  it('follows another tab that logged out', () => {
    const { session } = setup();
    session.signIn(tokens(1));
    session.storageChanged('vigil.refresh', null);
    expect(session.state).toBe('signed-out');
    expect(session.ended).toBe('other-tab');
  });
});
