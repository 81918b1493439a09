import { planAllowsNewWork, trialBanner } from './trial';

describe('trialBanner', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('counts the days left of a trial, urgent in the last three', () => {
    expect(trialBanner({ plan: 'TRIAL', trialDaysLeft: 12, trialEndsAt: '2026-03-22T12:00:00Z' }, now)).toEqual({
      kind: 'trial',
      daysLeft: 12,
      endsAt: '2026-03-22T12:00:00Z',
      urgent: false,
    });
    expect(trialBanner({ plan: 'TRIAL', trialDaysLeft: 2 }, now)).toMatchObject({ urgent: true, daysLeft: 2 });
  });
  it('works the days out from the end when the server gives none', () => {
    expect(trialBanner({ plan: 'TRIAL', trialEndsAt: '2026-03-12T00:00:00Z' }, now)).toMatchObject({ daysLeft: 2 });
    expect(trialBanner({ plan: 'TRIAL', trialEndsAt: '2026-03-01T00:00:00Z' }, now)).toMatchObject({ daysLeft: 0 });
  });
  it('shows the expired state and nothing on a paid plan', () => {
    expect(trialBanner({ plan: 'EXPIRED', trialEndsAt: '2026-03-01T00:00:00Z' }, now)).toEqual({
      kind: 'expired',
      endedAt: '2026-03-01T00:00:00Z',
    });
    expect(trialBanner({ plan: 'ACTIVE' }, now)).toEqual({ kind: 'none' });
    expect(trialBanner(null, now)).toEqual({ kind: 'none' });
  });
  it('stops new work only when expired', () => {
    expect(planAllowsNewWork('TRIAL')).toBe(true);
    expect(planAllowsNewWork('ACTIVE')).toBe(true);
    expect(planAllowsNewWork('EXPIRED')).toBe(false);
  });
});
