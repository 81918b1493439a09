import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { CombinedError } from 'urql';
import { ConfirmDialog } from './ConfirmDialog';

/** An opener and the dialog, whose action fails with `failure` when one is given. */
function Harness({ failure, onAction }: { failure?: CombinedError; onAction: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<CombinedError | undefined>();
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Delete…
      </button>
      {open && (
        <ConfirmDialog
          onClose={() => setOpen(false)}
          title="Delete “SIEM”?"
          description="This cannot be undone."
          confirmLabel="Delete webhook"
          fetching={false}
          error={error}
          onConfirm={async () => {
            onAction();
            setError(failure);
            return !failure;
          }}
        >
          <p>Extra detail</p>
        </ConfirmDialog>
      )}
    </>
  );
}

async function openDialog() {
  await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
  return screen.getByRole('dialog', { name: 'Delete “SIEM”?' });
}

describe('ConfirmDialog', () => {
  it('runs the action and closes when it succeeds', async () => {
    const action = vi.fn();
    render(<Harness onAction={action} />);
    const dialog = await openDialog();
    expect(dialog).toHaveAccessibleDescription('This cannot be undone.');
    expect(within(dialog).getByText('Extra detail')).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect(action).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('stays open and shows the error when the action fails', async () => {
    const action = vi.fn();
    const failure = new CombinedError({ graphQLErrors: [{ message: 'webhook not found', extensions: { code: 'NOT_FOUND' } } as never] });
    render(<Harness onAction={action} failure={failure} />);
    const dialog = await openDialog();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect(action).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('dialog', { name: 'Delete “SIEM”?' })).toBeInTheDocument();
    expect(within(dialog).getByRole('alert')).not.toBeEmptyDOMElement();
  });

  it('closes on Cancel without running the action', async () => {
    const action = vi.fn();
    render(<Harness onAction={action} />);
    const dialog = await openDialog();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(action).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('disables the action while it runs and shows the outcome instead of the buttons', () => {
    const { rerender } = render(
      <ConfirmDialog onClose={() => {}} title="Rotate?" confirmLabel="Rotate secret" fetching error={null} onConfirm={async () => false} />,
    );
    expect(screen.getByRole('button', { name: 'Rotate secret' })).toBeDisabled();
    rerender(
      <ConfirmDialog onClose={() => {}} title="Rotate?" confirmLabel="Rotate secret" fetching={false} onConfirm={async () => false} outcome={<p>New secret</p>} />,
    );
    expect(screen.getByText('New secret')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Rotate secret' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
  });
});
