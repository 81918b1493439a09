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

/**
 * Counts items per local day and severity over the last `days` days (today included),
 * oldest first, with a zero bucket for days without any. Items outside the window are
 * ignored.
 */
export function bucketByDay(
  items: readonly { at: string; severity: Severity }[],
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
  for (const item of items) {
    const at = new Date(item.at);
    if (Number.isNaN(at.getTime())) continue;
    const bucket = index.get(dayKey(at));
    if (!bucket) continue;
    bucket[item.severity] += 1;
    bucket.total += 1;
  }
  return buckets;
}
