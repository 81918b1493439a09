import { describe, expect, it, vi } from 'vitest';
import { exportUrl, fetchExport, filenameFromDisposition } from './export';

describe('exportUrl', () => {
  it('has only the format without filters', () => {
    expect(exportUrl('findings', 'csv')).toBe('/api/v1/export/findings?format=csv');
    expect(exportUrl('alerts', 'ocsf', {})).toBe('/api/v1/export/alerts?format=ocsf');
  });

  it('passes the filters through, lists comma-separated', () => {
    const url = exportUrl('findings', 'json', {
      status: ['OPEN', 'SUPPRESSED'],
      severity: ['CRITICAL', 'HIGH'],
      awsAccountId: 'acc-1',
    });
    const [path, query] = url.split('?');
    expect(path).toBe('/api/v1/export/findings');
    const q = new URLSearchParams(query);
    expect(q.get('format')).toBe('json');
    expect(q.get('status')).toBe('OPEN,SUPPRESSED');
    expect(q.get('severity')).toBe('CRITICAL,HIGH');
    expect(q.get('awsAccountId')).toBe('acc-1');
    expect(q.has('since')).toBe(false);
    expect(query).toContain('status=OPEN%2CSUPPRESSED');
  });

  it('drops empty filters and encodes since', () => {
    const url = exportUrl('alerts', 'csv', { status: [], severity: undefined, awsAccountId: ' ', since: '2026-01-02T03:04:05.000Z' });
    const q = new URLSearchParams(url.split('?')[1]);
    expect([...q.keys()]).toEqual(['format', 'since']);
    expect(q.get('since')).toBe('2026-01-02T03:04:05.000Z');
    expect(url).toContain('since=2026-01-02T03%3A04%3A05.000Z');
  });
});

describe('filenameFromDisposition', () => {
  it('reads plain, quoted and RFC 5987 names', () => {
    expect(filenameFromDisposition('attachment; filename="vigil-findings.csv"')).toBe('vigil-findings.csv');
    expect(filenameFromDisposition('attachment; filename=alerts.jsonl')).toBe('alerts.jsonl');
    expect(filenameFromDisposition("attachment; filename=\"x.csv\"; filename*=UTF-8''f%C3%BCr.csv")).toBe('für.csv');
    expect(filenameFromDisposition(null)).toBeNull();
    expect(filenameFromDisposition('attachment')).toBeNull();
  });
});

describe('fetchExport', () => {
  it('refreshes once on 401 and retries with the new token', async () => {
    let token = 'old';
    const session = {
      accessToken: () => token,
      hasRefreshToken: () => true,
      isExpiring: () => false,
      refresh: vi.fn(async () => {
        token = 'new';
        return true;
      }),
    };
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).Authorization;
      if (auth === 'Bearer old') return new Response('', { status: 401 });
      return new Response('a,b\n', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="f.csv"' } });
    });
    const out = await fetchExport(session, '/api/v1/export/findings?format=csv', 'fallback.csv', fetchImpl as unknown as typeof fetch);
    expect(session.refresh).toHaveBeenCalledTimes(1);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    expect(out.filename).toBe('f.csv');
    expect(await out.blob.text()).toBe('a,b\n');
  });

  it('throws the server message', async () => {
    const session = { accessToken: () => 't', hasRefreshToken: () => true, isExpiring: () => false, refresh: async () => true };
    const fetchImpl = async () =>
      new Response(JSON.stringify({ error: { code: 'forbidden', message: 'Not allowed.' } }), { status: 403, headers: { 'Content-Type': 'application/json' } });
    await expect(fetchExport(session, '/x', 'f', fetchImpl as unknown as typeof fetch)).rejects.toThrow('Not allowed.');
  });
});
