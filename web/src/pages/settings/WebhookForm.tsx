import { useState, type FormEvent } from 'react';
import type { CombinedError } from 'urql';
import { capitalise, gqlFormError } from '../../api/errors';
import { CheckboxGroupField, FormAlert, SelectField, TextField } from '../../components/fields';
import type { Severity, WebhookEvent, WebhookFormat } from '../../gql/graphql';
import { SEVERITIES, SEVERITY_LABEL, WEBHOOK_EVENTS, WEBHOOK_EVENT_LABEL, WEBHOOK_FORMAT_LABEL } from '../../lib/format';
import { hasErrors, nameError, webhookUrlError, type Errors } from '../../lib/validation';

export interface WebhookValues {
  name: string;
  url: string;
  events: WebhookEvent[];
  minSeverity: Severity;
  format: WebhookFormat;
}

export const NEW_WEBHOOK: WebhookValues = { name: '', url: '', events: ['ALERT_RAISED'], minSeverity: 'LOW', format: 'VIGIL' };

type Field = 'name' | 'url' | 'events';
const FIELDS: readonly Field[] = ['url', 'events', 'name'];
const NAME_MAX = 100;

const EVENT_HINT: Record<WebhookEvent, string> = {
  ALERT_RAISED: 'A detection raised a new alert.',
  FINDING_OPENED: 'A finding was seen for the first time, came back, or its suppression ended (not for a new account’s first scan: its “Scan finished” gives the count).',
  FINDING_RESOLVED: 'A re-check no longer sees a finding.',
  SCAN_FINISHED: 'A scan ended (sent whatever the minimum severity).',
};

const EVENT_OPTIONS = WEBHOOK_EVENTS.map((e) => ({ value: e, label: WEBHOOK_EVENT_LABEL[e], hint: EVENT_HINT[e] }));

/** What the form checks before sending; a new webhook's name may be left empty (the server uses the URL's host). */
export function webhookErrors(values: WebhookValues, { nameRequired = false } = {}): Errors<Field> {
  return {
    url: webhookUrlError(values.url),
    events: values.events.length === 0 ? 'Choose at least one event.' : undefined,
    name: nameRequired || values.name.trim() ? nameError(values.name, 'a name for the webhook', NAME_MAX) : undefined,
  };
}

/**
 * The server's refusal, next to the field it is about. Its messages start with the
 * argument's name ("url must use https", "events must name at least one event"), and
 * "url" reads better as "The URL".
 */
export function webhookServerError(error: CombinedError): { field?: Field; message: string } {
  const { code, message } = gqlFormError(error);
  const raw = error.graphQLErrors[0]?.message?.trim() ?? '';
  const field = code === 'BAD_USER_INPUT' ? FIELDS.find((f) => new RegExp(`^${f}\\b`).test(raw)) : undefined;
  if (!field) return { message };
  return { field, message: field === 'url' ? capitalise(raw.replace(/^url\b/, 'the URL')) : capitalise(raw) };
}

/**
 * A webhook's URL, events, minimum severity, format and name, checked before sending;
 * `onSubmit` answers the server's error, shown next to its field.
 */
export function WebhookForm({
  initial,
  submitLabel,
  busyLabel,
  nameRequired = false,
  onSubmit,
  onCancel,
}: {
  initial: WebhookValues;
  submitLabel: string;
  busyLabel: string;
  nameRequired?: boolean;
  onSubmit: (values: WebhookValues) => Promise<CombinedError | undefined>;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors<Field | 'form'>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof WebhookValues>(key: K, value: WebhookValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found = webhookErrors(values, { nameRequired });
    setErrors(found);
    if (hasErrors(found)) return;
    setBusy(true);
    const error = await onSubmit({ ...values, name: values.name.trim(), url: values.url.trim() });
    setBusy(false);
    if (error) {
      const { field, message } = webhookServerError(error);
      setErrors({ [field ?? 'form']: message });
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <FormAlert message={errors.form} />
      <TextField
        label="URL"
        type="url"
        required
        value={values.url}
        onChange={(e) => set('url', e.target.value)}
        error={errors.url}
        hint="Where Vigil posts the events: https, on a public address."
        autoComplete="off"
        spellCheck={false}
      />
      <CheckboxGroupField label="Events" required options={EVENT_OPTIONS} value={values.events} onChange={(next) => set('events', next)} error={errors.events} />
      <div className="form-row form-row-even">
        <SelectField
          label="Minimum severity"
          value={values.minSeverity}
          onChange={(e) => set('minSeverity', e.target.value as Severity)}
          hint="Alerts and findings below it are not sent."
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Format"
          value={values.format}
          onChange={(e) => set('format', e.target.value as WebhookFormat)}
          hint={values.format === 'SLACK' ? 'A {"text": …} message for Slack or Mattermost.' : 'The event as JSON, in the API’s field names.'}
        >
          {(Object.keys(WEBHOOK_FORMAT_LABEL) as WebhookFormat[]).map((f) => (
            <option key={f} value={f}>
              {WEBHOOK_FORMAT_LABEL[f]}
            </option>
          ))}
        </SelectField>
      </div>
      <TextField
        label="Name"
        required={nameRequired}
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        hint={nameRequired ? undefined : 'Optional; the URL’s host when left empty.'}
        maxLength={NAME_MAX}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
