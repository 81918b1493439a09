import { bucketsFromCounts, windowStart } from './timeseries';

describe('bucketsFromCounts', () => {
  const now = new Date(2026, 2, 10, 15, 30); // 10 March, local time

  it('has one bucket per day, oldest first, with zeros for quiet days', () => {
    const buckets = bucketsFromCounts([], 7, now);
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

  it('places the server’s counts by day and severity and ignores days outside the window', () => {
    const buckets = bucketsFromCounts(
      [
        { day: '2026-03-10', severity: 'HIGH', count: 2 },
        { day: '2026-03-10', severity: 'LOW', count: 1 },
        { day: '2026-03-09', severity: 'CRITICAL', count: 1 },
        { day: '2026-03-04', severity: 'LOW', count: 3 },
        { day: '2026-03-03', severity: 'LOW', count: 5 },
        { day: '2026-03-11', severity: 'HIGH', count: 7 },
      ],
      7,
      now,
    );
    const byDay = Object.fromEntries(buckets.map((b) => [b.day, b]));
    expect(byDay['2026-03-10']).toMatchObject({ HIGH: 2, LOW: 1, total: 3 });
    expect(byDay['2026-03-09']).toMatchObject({ CRITICAL: 1, HIGH: 0, total: 1 });
    expect(byDay['2026-03-04']).toMatchObject({ LOW: 3, total: 3 });
    expect(byDay['2026-03-05']).toMatchObject({ total: 0 });
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(7);
  });

  it('starts the window at local midnight', () => {
    const start = windowStart(7, now);
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours()]).toEqual([2026, 2, 4, 0]);
  });
});
