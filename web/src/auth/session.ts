// The signed-in session. The access token lives only in memory; the refresh token is kept
// in localStorage so a reload or a new tab stays signed in. Refresh tokens rotate and a
// reused one revokes the whole session, so refreshes are serialised: within a tab by one
// in-flight promise, across tabs by a Web Lock, re-reading the newest refresh token once
// the lock is held.
import { authApi, RestError, type TokenResponse } from '../api/rest';

const STORAGE_KEY = 'vigil.refresh';
const LOCK_NAME = 'vigil-token-refresh';
/** Refresh this long before the access token expires. */
const EXPIRY_SKEW_MS = 30_000;

export type SessionState = 'unknown' | 'signed-in' | 'signed-out';
/** Why the last session ended: logged out here, refused by the server, or logged out in another tab. */
export type SessionEnd = 'logout' | 'refused' | 'other-tab';
type Listener = (state: SessionState) => void;

interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionDeps {
  storage: Storage;
  refresh: (refreshToken: string) => Promise<TokenResponse>;
  logout: (refreshToken: string) => Promise<void>;
  now: () => number;
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export class Session {
  private access: string | null = null;
  private expiresAt = 0;
  private inFlight: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();
  private current: SessionState = 'unknown';
  private end: SessionEnd | null = null;
  private readonly deps: SessionDeps;

  constructor(deps: SessionDeps) {
    this.deps = deps;
  }

  get state(): SessionState {
    return this.current;
  }

  /** Why the last signed-in session ended (null: none ended yet). */
  get ended(): SessionEnd | null {
    return this.end;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: SessionState) {
    if (state === this.current) return;
    this.current = state;
    for (const l of this.listeners) l(state);
  }

  /** Stores a token response from sign-up, login, invite acceptance or refresh. */
  signIn(tokens: TokenResponse): void {
    this.end = null;
    this.access = tokens.access_token;
    this.expiresAt = this.deps.now() + tokens.expires_in * 1000;
    this.deps.storage.setItem(STORAGE_KEY, tokens.refresh_token);
    this.set('signed-in');
  }

  accessToken(): string | null {
    return this.access;
  }

  /** Whether the access token is missing or about to expire. */
  isExpiring(): boolean {
    return !this.access || this.deps.now() >= this.expiresAt - EXPIRY_SKEW_MS;
  }

  hasRefreshToken(): boolean {
    return Boolean(this.deps.storage.getItem(STORAGE_KEY));
  }

  /**
   * Gets a new access token with the refresh token. Resolves false (and signs out) when
   * the refresh token is refused; network failures keep the session for a later retry.
   */
  refresh(): Promise<boolean> {
    if (!this.inFlight) {
      const run = this.deps.lock ?? ((fn) => fn());
      this.inFlight = run(() => this.refreshNow()).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async refreshNow(): Promise<boolean> {
    const token = this.deps.storage.getItem(STORAGE_KEY);
    if (!token) {
      this.clear();
      return false;
    }
    try {
      this.signIn(await this.deps.refresh(token));
      return true;
    } catch (e) {
      if (e instanceof RestError && e.status > 0 && e.status < 500 && e.status !== 429) {
        // Another tab may have rotated it while we waited; it would have stored the new one.
        if (this.deps.storage.getItem(STORAGE_KEY) === token) this.deps.storage.removeItem(STORAGE_KEY);
        this.clear('refused');
      }
      return false;
    }
  }

  /** Establishes the session at start-up from a stored refresh token. */
  async restore(): Promise<SessionState> {
    if (!this.hasRefreshToken()) {
      this.clear();
      return 'signed-out';
    }
    const ok = await this.refresh();
    if (!ok && this.current === 'unknown') this.set(this.hasRefreshToken() ? 'unknown' : 'signed-out');
    return this.current;
  }

  /** Ends the session on the server (best effort) and here. */
  async signOut(): Promise<void> {
    const token = this.deps.storage.getItem(STORAGE_KEY);
    this.deps.storage.removeItem(STORAGE_KEY);
    this.clear('logout');
    if (token) {
      try {
        await this.deps.logout(token);
      } catch {
        // The token is forgotten here either way; it expires on its own.
      }
    }
  }

  /** Forgets the in-memory session (the server refused it, or another tab signed out). */
  clear(reason?: SessionEnd): void {
    if (this.current === 'signed-in' && reason) this.end = reason;
    this.access = null;
    this.expiresAt = 0;
    this.set('signed-out');
  }

  /** Called when another tab changed the stored refresh token. */
  storageChanged(key: string | null, newValue: string | null): void {
    if ((key === STORAGE_KEY || key === null) && !newValue && this.current === 'signed-in') this.clear('other-tab');
  }
}

function browserLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request(LOCK_NAME, fn) as Promise<T>) : fn();
}

export const session = new Session({
  storage: typeof window !== 'undefined' ? window.localStorage : { getItem: () => null, setItem() {}, removeItem() {} },
  refresh: authApi.refresh,
  logout: authApi.logout,
  now: () => Date.now(),
  lock: browserLock,
});

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => session.storageChanged(e.key, e.newValue));
}
