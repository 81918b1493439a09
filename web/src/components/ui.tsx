import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AlertStatus, FindingStatus, ScanStatus, Severity, WebhookDeliveryStatus } from '../gql/graphql';
import {
  ALERT_STATUS_LABEL,
  DELIVERY_STATUS_LABEL,
  FINDING_STATUS_LABEL,
  SCAN_STATUS_LABEL,
  SEVERITY_LABEL,
  formatDateTime,
  formatRelative,
} from '../lib/format';
import { FormAlert } from './fields';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({
  title,
  actions,
  children,
  className = '',
  headingLevel = 2,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={`card ${className}`}>
      {(title || actions) && (
        <div className="card-header">
          {title && <Heading className="card-title">{title}</Heading>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge sev-${severity.toLowerCase()}`}>{SEVERITY_LABEL[severity]}</span>;
}

export function FindingStatusBadge({ status }: { status: FindingStatus }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{FINDING_STATUS_LABEL[status]}</span>;
}

export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  return <span className={`badge alert-${status.toLowerCase()}`}>{ALERT_STATUS_LABEL[status]}</span>;
}

export function ScanStatusBadge({ status }: { status: ScanStatus }) {
  return <span className={`badge scan-${status.toLowerCase()}`}>{SCAN_STATUS_LABEL[status]}</span>;
}

export function DeliveryStatusBadge({ status }: { status: WebhookDeliveryStatus }) {
  return <span className={`badge delivery-${status.toLowerCase()}`}>{DELIVERY_STATUS_LABEL[status]}</span>;
}

export function AccountStatusBadge({ status }: { status: 'PENDING' | 'CONNECTED' | 'ERROR' }) {
  const label = { PENDING: 'Waiting for role', CONNECTED: 'Connected', ERROR: 'Error' }[status];
  return <span className={`badge account-${status.toLowerCase()}`}>{label}</span>;
}

/** A time shown relative ("5 minutes ago") with the exact time on hover and for machines. */
export function Time({ iso, absolute = false }: { iso: string | null | undefined; absolute?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {absolute ? formatDateTime(iso) : formatRelative(iso)}
    </time>
  );
}

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'Copied' : label}
      <span className="sr-only" aria-live="polite">
        {copied ? ' to the clipboard' : ''}
      </span>
    </button>
  );
}

/** A value the user copies somewhere else (external ID, API key, invite link). */
export function CopyField({ label, value, id, secret = false }: { label: string; value: string; id: string; secret?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input id={id} className={`input mono ${secret ? 'secret' : ''}`} value={value} readOnly onFocus={(e) => e.currentTarget.select()} />
        <CopyButton value={value} label={`Copy`} />
      </div>
    </div>
  );
}

/**
 * A secret the server shows only once (a new API key, a webhook's signing secret): the
 * value to copy, the warning to store it now, and a button that takes it off the screen.
 */
export function OneTimeSecret({
  id,
  announcement,
  what,
  label,
  value,
  note,
  onDone,
}: {
  id: string;
  /** What just happened ("API key “SIEM” created."). */
  announcement: string;
  /** The secret in the warning and the button: "key" gives "Copy the key now" and "I have stored the key". */
  what: string;
  label: string;
  value: string;
  note?: ReactNode;
  onDone: () => void;
}) {
  return (
    <div className="one-time">
      <FormAlert tone="success" message={announcement} />
      <p>
        <strong>Copy the {what} now: it is shown only once.</strong>
        {note && <> {note}</>}
      </p>
      <CopyField id={id} label={label} value={value} secret />
      <button type="button" className="btn" onClick={onDone}>
        I have stored the {what}
      </button>
    </div>
  );
}

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" tabIndex={0} aria-label={label}>
      <code>{JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}

export function DescriptionList({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="dl">
      {items.map(([term, detail], i) => (
        <div className="dl-row" key={i}>
          <dt>{term}</dt>
          <dd>{detail ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Text a screen reader announces when it changes (results counts, saved states). */
export function LiveRegion({ children }: { children: ReactNode }) {
  return (
    <div className="sr-only" role="status" aria-live="polite">
      {children}
    </div>
  );
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max || 100}
        aria-valuenow={max > 0 ? value : undefined}
        aria-valuetext={max > 0 ? `${value} of ${max}` : 'waiting'}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** Moves focus to the element when it first renders (a result the user must read). */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/**
 * Text from the API (descriptions, remediation, runbooks) with `backticked` parts shown
 * as code, the way the rule authors write commands and identifiers.
 */
export function RichText({ text, className = 'prose' }: { text: string; className?: string }) {
  const parts = text.split(/(`[^`\n]+`)/g);
  return (
    <p className={className}>
      {parts.map((part, i) =>
        part.length > 2 && part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : part,
      )}
    </p>
  );
}
