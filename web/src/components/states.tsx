import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { gqlMessage } from '../api/errors';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({
  error,
  title = 'This could not be loaded',
  onRetry,
}: {
  error?: CombinedError | string | null;
  title?: string;
  onRetry?: () => void;
}) {
  const message = typeof error === 'string' ? error : gqlMessage(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      {message && <p>{message}</p>}
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}

/**
 * Loading, error and empty states around a query's data: `children` renders only
 * with data (stale data stays on screen while a refetch runs).
 */
export function QueryState<T>({
  data,
  fetching,
  error,
  onRetry,
  isEmpty,
  empty,
  loadingLabel,
  children,
}: {
  data: T | undefined | null;
  fetching: boolean;
  error?: CombinedError;
  onRetry?: () => void;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  if (data == null) {
    if (error) return <ErrorState error={error} onRetry={onRetry} />;
    if (fetching) return <Loading label={loadingLabel} />;
    return <Loading label={loadingLabel} />;
  }
  return (
    <>
      {error && <ErrorState error={error} title="The latest data could not be loaded" onRetry={onRetry} />}
      {isEmpty?.(data) ? empty : children(data)}
    </>
  );
}
