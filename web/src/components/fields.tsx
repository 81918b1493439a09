import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldShell {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** Hide the label visually (it stays for screen readers). */
  hideLabel?: boolean;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function Shell({ id, label, hint, error, hideLabel, children, required }: FieldShell & { id: string; children: ReactNode; required?: boolean }) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
        {required && (
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextField({
  label,
  hint,
  error,
  hideLabel,
  id: givenId,
  className = '',
  ...input
}: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <Shell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel} required={input.required}>
      <input
        id={id}
        className={`input ${className}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
    </Shell>
  );
}

export function TextAreaField({
  label,
  hint,
  error,
  hideLabel,
  id: givenId,
  className = '',
  ...textarea
}: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <Shell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel} required={textarea.required}>
      <textarea
        id={id}
        className={`input ${className}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...textarea}
      />
    </Shell>
  );
}

export function SelectField({
  label,
  hint,
  error,
  hideLabel,
  id: givenId,
  className = '',
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <Shell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel} required={select.required}>
      <select
        id={id}
        className={`input ${className}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {children}
      </select>
    </Shell>
  );
}

export interface CheckboxOption<V extends string> {
  value: V;
  label: ReactNode;
  hint?: ReactNode;
}

/**
 * Several checkboxes answering one question: a fieldset whose legend is the label, with
 * the hint and error described on the group. `onChange` keeps the options' order.
 */
export function CheckboxGroupField<V extends string>({
  label,
  hint,
  error,
  required,
  options,
  value,
  onChange,
}: Omit<FieldShell, 'hideLabel'> & {
  required?: boolean;
  options: readonly CheckboxOption<V>[];
  value: readonly V[];
  onChange: (next: V[]) => void;
}) {
  const id = useId();
  return (
    <fieldset className={`checkbox-group ${error ? 'field-invalid' : ''}`} aria-describedby={describedBy(id, hint, error)}>
      <legend>
        {label}
        {required && (
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </legend>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {options.map((o) => {
        const optionId = `${id}-${o.value}`;
        const checked = value.includes(o.value);
        return (
          <div className="checkbox-option" key={o.value}>
            <input
              type="checkbox"
              id={optionId}
              checked={checked}
              aria-describedby={o.hint ? `${optionId}-hint` : undefined}
              onChange={() => onChange(options.filter((x) => (x.value === o.value ? !checked : value.includes(x.value))).map((x) => x.value))}
            />
            <label htmlFor={optionId}>{o.label}</label>
            {o.hint && (
              <p className="field-hint" id={`${optionId}-hint`}>
                {o.hint}
              </p>
            )}
          </div>
        );
      })}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A message about the whole form (not one field), announced when it appears. */
export function FormAlert({ message, tone = 'error' }: { message?: string | null; tone?: 'error' | 'success' | 'info' }) {
  if (!message) return null;
  return (
    <div className={`form-alert form-alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {message}
    </div>
  );
}
