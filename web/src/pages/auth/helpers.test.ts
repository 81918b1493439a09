import { inviteToken } from './AcceptInvite';
import { safeNext } from './Login';

describe('auth page helpers', () => {
  it('reads the invitation token from the fragment, or the query as a fallback', () => {
    expect(inviteToken('#token=abc123', '')).toBe('abc123');
    expect(inviteToken('', '?token=xyz')).toBe('xyz');
    expect(inviteToken('', '')).toBe('');
  });
  it('only follows `next` inside the app', () => {
    expect(safeNext('/findings?severity=HIGH')).toBe('/findings?severity=HIGH');
    expect(safeNext('//evil.example.com')).toBe('/');
    expect(safeNext('https://evil.example.com')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
