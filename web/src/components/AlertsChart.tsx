import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Severity } from '../gql/graphql';
import { SEVERITIES, SEVERITY_LABEL, severityRank } from '../lib/format';
import type { DayBucket } from '../lib/timeseries';

export const SEVERITY_COLOR: Record<Severity, string> = {
  CRITICAL: '#7f1d1d',
  HIGH: '#dc2626',
  MEDIUM: '#d97706',
  LOW: '#2563eb',
  INFO: '#64748b',
};

/** New alerts per day, stacked by severity, with the same numbers as a table for screen readers. */
export function AlertsChart({ buckets }: { buckets: DayBucket[] }) {
  const total = buckets.reduce((n, b) => n + b.total, 0);
  const present = SEVERITIES.filter((s) => buckets.some((b) => b[s] > 0));
  const series = present.length > 0 ? present : (['HIGH'] as Severity[]);
  return (
    <figure className="chart" aria-label={`New alerts per day over the last ${buckets.length} days: ${total} in all`}>
      <div className="chart-canvas" aria-hidden="true">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={buckets} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#475569' }} tickLine={false} axisLine={{ stroke: '#cbd5e1' }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: '#475569' }} tickLine={false} axisLine={false} />
            <Tooltip cursor={{ fill: 'rgba(148, 163, 184, 0.15)' }} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(item) => severityRank(item.dataKey as Severity)} />
            {series.map((s) => (
              <Bar key={s} dataKey={s} name={SEVERITY_LABEL[s]} stackId="alerts" fill={SEVERITY_COLOR[s]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>New alerts per day by severity</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {SEVERITIES.map((s) => (
              <th scope="col" key={s}>
                {SEVERITY_LABEL[s]}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((b) => (
            <tr key={b.day}>
              <th scope="row">{b.label}</th>
              {SEVERITIES.map((s) => (
                <td key={s}>{b[s]}</td>
              ))}
              <td>{b.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
