import type { AlertStatus, FindingStatus, ScanStatus, Severity, WebhookDeliveryStatus, WebhookEvent, WebhookFormat } from '../gql/graphql';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

export const SEVERITY_LABEL: Record<Severity, string> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  INFO: 'Info',
};

/** Lower is more severe; for sorting. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export const FINDING_STATUS_LABEL: Record<FindingStatus, string> = {
  OPEN: 'Open',
  RESOLVED: 'Resolved',
  SUPPRESSED: 'Suppressed',
};

export const ALERT_STATUS_LABEL: Record<AlertStatus, string> = {
  OPEN: 'Open',
  ACKNOWLEDGED: 'Acknowledged',
  CLOSED: 'Closed',
};

export const SCAN_STATUS_LABEL: Record<ScanStatus, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  PARTIAL: 'Partial',
  FAILED: 'Failed',
};

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['ALERT_RAISED', 'FINDING_OPENED', 'FINDING_RESOLVED', 'SCAN_FINISHED'];

export const WEBHOOK_EVENT_LABEL: Record<WebhookEvent, string> = {
  ALERT_RAISED: 'Alert raised',
  FINDING_OPENED: 'Finding opened',
  FINDING_RESOLVED: 'Finding resolved',
  SCAN_FINISHED: 'Scan finished',
};

/** A delivery's event: one of the webhook events, or `TEST` (a delivery's event is a string). */
export function deliveryEventLabel(event: string): string {
  if (event === 'TEST') return 'Test';
  return WEBHOOK_EVENT_LABEL[event as WebhookEvent] ?? event;
}

export const WEBHOOK_FORMAT_LABEL: Record<WebhookFormat, string> = {
  VIGIL: 'Vigil JSON',
  SLACK: 'Slack-compatible text',
};

export const DELIVERY_STATUS_LABEL: Record<WebhookDeliveryStatus, string> = {
  PENDING: 'Pending',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
};

export function scanFinished(status: ScanStatus): boolean {
  return status === 'SUCCEEDED' || status === 'PARTIAL' || status === 'FAILED';
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

/** "14:05", local time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

const dateOnly = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "in 2 days", "just now". */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60), 'minute');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** `AWS::EC2::SecurityGroup` -> `EC2 security group`. */
export function resourceTypeLabel(type: string): string {
  const parts = type.split('::');
  if (parts.length !== 3 || parts[0] !== 'AWS') return type;
  const words = parts[2]
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((w) => (w === 'Acl' ? 'ACL' : w !== w.toUpperCase() ? w.toLowerCase() : w))
    .join(' ');
  return `${parts[1]} ${words}`;
}

/** Last meaningful part of an ARN, for compact display. */
export function shortArn(arn: string | null | undefined): string {
  if (!arn) return '—';
  const resource = arn.split(':').slice(5).join(':');
  return resource || arn;
}

export function toIsoFromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A Date as the value of an `<input type="datetime-local">` in local time. */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
