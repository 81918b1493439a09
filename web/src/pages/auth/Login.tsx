import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { restFormError, type FormError } from '../../api/errors';
import { authApi } from '../../api/rest';
import { useAuth } from '../../auth/AuthProvider';
import { FormAlert, TextField } from '../../components/fields';
import { useTitle } from '../../lib/useTitle';
import { emailError, hasErrors, type Errors } from '../../lib/validation';
import { AuthShell, TrialExplainer } from './AuthShell';

type F = 'email' | 'password';

/** Where to go after signing in: a path inside the app, never another origin. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function Login() {
  useTitle('Log in');
  const { signIn } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors<F>>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: Errors<F> = { email: emailError(email), password: password ? undefined : 'Enter your password.' };
    setErrors(next);
    setFormError(null);
    if (hasErrors(next)) return;
    setBusy(true);
    try {
      // The public pages' guard then goes to `next` (or the dashboard).
      signIn(await authApi.login(email.trim(), password), safeNext(params.get('next')));
    } catch (err) {
      const fe = restFormError(err);
      if (fe.field) setErrors({ [fe.field]: fe.message });
      else setFormError(fe);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthShell title="Log in to Vigil" aside={<TrialExplainer />}>
      {params.get('signedOut') && <FormAlert tone="info" message="You are logged out." />}
      {params.get('expired') && <FormAlert tone="info" message="Your session ended. Log in again to continue." />}
      <form onSubmit={submit} noValidate aria-describedby={formError ? 'login-error' : undefined}>
        <div id="login-error">
          <FormAlert message={formError?.message} />
        </div>
        <TextField
          label="Work email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="auth-switch">
        New to Vigil? <Link to="/signup">Start a 15-day free trial</Link>
      </p>
    </AuthShell>
  );
}
