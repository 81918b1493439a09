import type { Severity } from '../gql/graphql';
import { SEVERITIES } from './format';

export type DayBucket = { day: string; label: string; total: number } & Record<Severity, number>;

/** Local midnight of `d`. */
function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function dayKey(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const dayLabel = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric' });

/** Start of the window covering today and the `days - 1` days before it (local time). */
export function windowStart(days: number, now: Date = new Date()): Date {
  const start = startOfDay(now);
  start.setDate(start.getDate() - (days - 1));
  return start;
}

/** The browser's IANA time zone, the one the server counts days in for the chart. */
export function browserTimeZone(): string | undefined {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
}

/**
 * Turns the server's counts per day (`YYYY-MM-DD` in the browser's time zone) and severity
 * into one bucket per local day over the last `days` days (today included), oldest first,
 * with a zero bucket for days the server left out. Rows outside the window are ignored.
 */
export function bucketsFromCounts(
  rows: readonly { day: string; severity: Severity; count: number }[],
  days: number,
  now: Date = new Date(),
): DayBucket[] {
  const buckets: DayBucket[] = [];
  const index = new Map<string, DayBucket>();
  const cursor = windowStart(days, now);
  for (let i = 0; i < days; i++) {
    const bucket = { day: dayKey(cursor), label: dayLabel.format(cursor), total: 0 } as DayBucket;
    for (const s of SEVERITIES) bucket[s] = 0;
    buckets.push(bucket);
    index.set(bucket.day, bucket);
    cursor.setDate(cursor.getDate() + 1);
  }
  for (const row of rows) {
    const bucket = index.get(row.day);
    if (!bucket || !(row.severity in bucket)) continue;
    bucket[row.severity] += row.count;
    bucket.total += row.count;
  }
  return buckets;
}
