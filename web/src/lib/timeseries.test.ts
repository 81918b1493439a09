import { bucketByDay, windowStart } from './timeseries';

describe('bucketByDay', () => {
  const now = new Date(2026, 2, 10, 15, 30); // 10 March, local time

  it('has one bucket per day, oldest first, with zeros for quiet days', () => {
    const buckets = bucketByDay([], 7, now);
    expect(buckets.map((b) => b.day)).toEqual([
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(buckets.every((b) => b.total === 0 && b.HIGH === 0)).toBe(true);
  });

  it('counts by local day and severity and ignores what is outside the window', () => {
    const buckets = bucketByDay(
      [
        { at: new Date(2026, 2, 10, 0, 5).toISOString(), severity: 'HIGH' },
        { at: new Date(2026, 2, 10, 23, 59).toISOString(), severity: 'HIGH' },
        { at: new Date(2026, 2, 9, 12).toISOString(), severity: 'CRITICAL' },
        { at: new Date(2026, 2, 4, 0, 0).toISOString(), severity: 'LOW' },
        { at: new Date(2026, 2, 3, 23, 59).toISOString(), severity: 'LOW' },
        { at: 'not a date', severity: 'LOW' },
      ],
      7,
      now,
    );
    const byDay = Object.fromEntries(buckets.map((b) => [b.day, b]));
    expect(byDay['2026-03-10']).toMatchObject({ HIGH: 2, total: 2 });
    expect(byDay['2026-03-09']).toMatchObject({ CRITICAL: 1, total: 1 });
    expect(byDay['2026-03-04']).toMatchObject({ LOW: 1, total: 1 });
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(4);
  });

  it('starts the window at local midnight', () => {
    const start = windowStart(7, now);
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours()]).toEqual([2026, 2, 4, 0]);
  });
});
