import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { restFormError, type FormError } from '../../api/errors';
import { authApi } from '../../api/rest';
import { useAuth } from '../../auth/AuthProvider';
import { FormAlert, TextField } from '../../components/fields';
import { useTitle } from '../../lib/useTitle';
import { emailError, hasErrors, nameError, passwordError, PASSWORD_MIN, type Errors } from '../../lib/validation';
import { AuthShell, TrialExplainer } from './AuthShell';

type F = 'organization' | 'email' | 'password';

export function Signup() {
  useTitle('Start your free trial');
  const { signIn } = useAuth();
  const [values, setValues] = useState<Record<F, string>>({ organization: '', email: '', password: '' });
  const [errors, setErrors] = useState<Errors<F>>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (f: F) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [f]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: Errors<F> = {
      organization: nameError(values.organization, 'your organisation’s name', 200),
      email: emailError(values.email),
      password: passwordError(values.password),
    };
    setErrors(next);
    setFormError(null);
    if (hasErrors(next)) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      signIn(await authApi.signup(values.email.trim(), values.password, values.organization.trim()), '/accounts/connect?welcome=1');
    } catch (err) {
      const fe = restFormError(err);
      if (fe.field) {
        setErrors({ [fe.field]: fe.message });
        focusFirstInvalid();
      } else setFormError(fe);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthShell title="Start your 15-day free trial" aside={<TrialExplainer />}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={formError?.message} />
        <TextField
          label="Organisation"
          name="organization"
          autoComplete="organization"
          required
          value={values.organization}
          onChange={set('organization')}
          error={errors.organization}
          hint="Your company or team; you can invite colleagues later."
        />
        <TextField
          label="Work email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={values.email}
          onChange={set('email')}
          error={errors.email}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters. A passphrase works well.`}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating your account…' : 'Start free trial'}
        </button>
        <p className="fine-print">No payment details needed. You become the owner of your organisation in Vigil.</p>
      </form>
      <p className="auth-switch">
        Already using Vigil? <Link to="/login">Log in</Link>
      </p>
    </AuthShell>
  );
}

/** Moves focus to the first field marked invalid, after React has rendered the errors. */
export function focusFirstInvalid() {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  });
}
