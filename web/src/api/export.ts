// Exports of findings and alerts (`GET /api/v1/export/{findings,alerts}`): CSV, JSON Lines
// or OCSF JSON Lines. They need the bearer token, so the file is fetched here (refreshing
// the token once on a 401, like the GraphQL client) and handed to the browser as a blob.
import type { Session } from '../auth/session';

export type ExportKind = 'findings' | 'alerts';
export type ExportFormat = 'csv' | 'json' | 'ocsf';

export const EXPORT_FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'csv', label: 'CSV' },
  { value: 'json', label: 'JSON Lines' },
  { value: 'ocsf', label: 'OCSF (JSON Lines)' },
];

export interface ExportFilters {
  status?: readonly string[];
  severity?: readonly string[];
  awsAccountId?: string | null;
  /** RFC 3339. */
  since?: string | null;
}

/** The export's address with the page's filters: `/api/v1/export/findings?format=csv&status=OPEN,SUPPRESSED`. */
export function exportUrl(kind: ExportKind, format: ExportFormat, filters: ExportFilters = {}): string {
  const q = new URLSearchParams({ format });
  if (filters.status && filters.status.length > 0) q.set('status', filters.status.join(','));
  if (filters.severity && filters.severity.length > 0) q.set('severity', filters.severity.join(','));
  const account = filters.awsAccountId?.trim();
  if (account) q.set('awsAccountId', account);
  if (filters.since) q.set('since', filters.since);
  return `/api/v1/export/${kind}?${q.toString()}`;
}

/** The file name from a Content-Disposition header (`filename*=UTF-8''…` preferred), or null. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const name = (plain?.[2] ?? plain?.[1])?.trim();
  return name ? name.replace(/[/\\]/g, '_') : null;
}

type AuthSession = Pick<Session, 'accessToken' | 'hasRefreshToken' | 'isExpiring' | 'refresh'>;

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body?.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  if (response.status === 401) return 'Your session has ended; sign in again.';
  if (response.status === 403) return 'Your role cannot export this data.';
  if (response.status === 429) return 'Too many exports at once; try again in a moment.';
  return response.status >= 500 ? 'Vigil had a problem with the export; try again in a moment.' : `The export failed (${response.status}).`;
}

/** Fetches an export with the session's token; resolves to the file, or throws an Error with a message to show. */
export async function fetchExport(session: AuthSession, url: string, fallbackName: string, fetchImpl: typeof fetch = fetch): Promise<{ blob: Blob; filename: string }> {
  if (session.hasRefreshToken() && session.isExpiring()) await session.refresh();
  const get = () => {
    const token = session.accessToken();
    return fetchImpl(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'same-origin' });
  };
  let response: Response;
  try {
    response = await get();
    if (response.status === 401 && session.hasRefreshToken() && (await session.refresh())) response = await get();
  } catch {
    throw new Error('Vigil could not be reached. Check your connection and try again.');
  }
  if (!response.ok) throw new Error(await errorMessage(response));
  const blob = await response.blob();
  return { blob, filename: filenameFromDisposition(response.headers.get('Content-Disposition')) ?? fallbackName };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
