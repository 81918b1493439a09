import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { restFormError, type FormError } from '../../api/errors';
import { authApi } from '../../api/rest';
import { useAuth } from '../../auth/AuthProvider';
import { FormAlert, TextField } from '../../components/fields';
import { useTitle } from '../../lib/useTitle';
import { hasErrors, passwordError, PASSWORD_MIN, type Errors } from '../../lib/validation';
import { AuthShell } from './AuthShell';
import { focusFirstInvalid } from './Signup';

type F = 'password' | 'confirm';

/** The invitation token from `/invite#token=...` (the fragment never reaches a server log). */
export function inviteToken(hash: string, search: string): string {
  const fromHash = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return (fromHash ?? new URLSearchParams(search).get('token') ?? '').trim();
}

export function AcceptInvite() {
  useTitle('Accept your invitation');
  const { signIn, state, signOut } = useAuth();
  const navigate = useNavigate();
  const token = useMemo(() => inviteToken(window.location.hash, window.location.search), []);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors<F>>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: Errors<F> = {
      password: passwordError(password),
      confirm: confirm === password ? undefined : 'The passwords do not match.',
    };
    setErrors(next);
    setFormError(null);
    if (hasErrors(next)) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const tokens = await authApi.acceptInvite(token, password);
      if (state === 'signed-in') await signOut();
      signIn(tokens);
      // Forget the used token from the address bar and history.
      window.history.replaceState(null, '', '/invite');
      navigate('/', { replace: true });
    } catch (err) {
      const fe = restFormError(err);
      if (fe.field) setErrors({ [fe.field]: fe.message });
      else setFormError(fe);
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <AuthShell title="Accept your invitation">
        <FormAlert message="This link has no invitation token. Open the link from your invitation exactly as you received it, or ask an admin for a new one." />
        <p className="auth-switch">
          <Link to="/login">Go to the login page</Link>
        </p>
      </AuthShell>
    );
  }

  return (
    <AuthShell title="Join your team on Vigil">
      <p>You were invited to your organisation’s Vigil workspace. Choose a password to finish; you will log in with the email the invitation was sent to.</p>
      {state === 'signed-in' && <FormAlert tone="info" message="You are logged in as someone else in this browser; accepting logs you in as the invited user." />}
      <form onSubmit={submit} noValidate>
        <FormAlert message={formError?.message} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters.`}
        />
        <TextField
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Joining…' : 'Accept invitation'}
        </button>
      </form>
    </AuthShell>
  );
}
