import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { gqlMessage } from '../api/errors';
import { Dialog } from './Dialog';
import { FormAlert } from './fields';

/**
 * Asks before a destructive action: the mutation's error, a danger button that runs
 * `onConfirm` (disabled while `fetching`) and Cancel. `onConfirm` resolves to whether the
 * dialog should close, usually `!result.error`. `outcome`, once set, replaces the buttons,
 * e.g. with the one-time secret the action produced.
 */
export function ConfirmDialog({
  open = true,
  onClose,
  title,
  description,
  confirmLabel,
  fetching,
  error,
  onConfirm,
  outcome,
  children,
}: {
  open?: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  confirmLabel: ReactNode;
  fetching: boolean;
  error?: CombinedError | null;
  onConfirm: () => Promise<boolean>;
  outcome?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description}>
      {outcome ?? (
        <>
          {children}
          <FormAlert message={error ? gqlMessage(error) : undefined} />
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-danger"
              disabled={fetching}
              onClick={async () => {
                if (await onConfirm()) onClose();
              }}
            >
              {confirmLabel}
            </button>
            <button type="button" className="btn btn-ghost" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
