// The REST auth endpoints (`/api/v1/auth/*`). Errors are `{"error": {"code", "message"}}`.

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

/** A failed REST call: the server's code and message, or a network failure. */
export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, retryAfter?: number) {
    super(message);
    this.name = 'RestError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const BASE = '/api/v1/auth';

async function post<T>(path: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new RestError(0, 'network', 'Vigil could not be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const err = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(response.headers.get('Retry-After'));
    throw new RestError(
      response.status,
      err?.code ?? (response.status >= 500 ? 'internal' : 'error'),
      err?.message ?? (response.status >= 500 ? 'Vigil had a problem; try again in a moment.' : `Request failed (${response.status}).`),
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return payload as T;
}

export const authApi = {
  signup: (email: string, password: string, organization: string) =>
    post<TokenResponse>('/signup', { email, password, organization }),
  login: (email: string, password: string) => post<TokenResponse>('/login', { email, password }),
  refresh: (refreshToken: string) => post<TokenResponse>('/refresh', { refresh_token: refreshToken }),
  logout: (refreshToken: string) => post<void>('/logout', { refresh_token: refreshToken }),
  acceptInvite: (token: string, password: string) => post<TokenResponse>('/invites/accept', { token, password }),
};
