import { CombinedError } from 'urql';
import { gqlFormError, gqlMessage, restFormError } from './errors';
import { RestError } from './rest';

describe('restFormError', () => {
  it('puts field errors next to their field', () => {
    expect(restFormError(new RestError(409, 'email_taken', 'an account with this email already exists'))).toMatchObject({
      field: 'email',
      message: expect.stringMatching(/already exists/),
    });
    expect(restFormError(new RestError(422, 'weak_password', 'password must be at least 10 characters'))).toEqual({
      code: 'weak_password',
      field: 'password',
      message: 'Password must be at least 10 characters.',
    });
  });
  it('keeps form-wide errors for the whole form', () => {
    expect(restFormError(new RestError(401, 'invalid_credentials', 'email or password is incorrect')).field).toBeUndefined();
    expect(restFormError(new RestError(429, 'rate_limited', 'too many', 42)).message).toBe('Too many attempts. Try again in 42 s.');
    expect(restFormError(new Error('boom')).message).toMatch(/went wrong/);
  });
});

describe('GraphQL errors', () => {
  const error = (message: string, extensions: Record<string, unknown>) =>
    new CombinedError({ graphQLErrors: [{ message, extensions } as never] });

  it('maps BAD_USER_INPUT to the form field', () => {
    expect(gqlFormError(error('roleArn is not a role ARN: the account must be 12 digits', { code: 'BAD_USER_INPUT' }), 'roleArn')).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'roleArn',
      message: 'RoleArn is not a role ARN: the account must be 12 digits.',
    });
  });
  it('prefers the field the server names when the form has it', () => {
    expect(gqlFormError(error('bad', { code: 'BAD_USER_INPUT', field: 'until' }), 'reason', ['reason', 'until']).field).toBe('until');
    expect(gqlFormError(error('bad', { code: 'BAD_USER_INPUT', field: 'detection' }), 'reason', ['reason']).field).toBe('reason');
  });
  it('never shows internal details and keeps permission errors form-wide', () => {
    expect(gqlMessage(error('internal error; it has been logged', { code: 'INTERNAL' }))).toMatch(/had a problem/);
    expect(gqlMessage(error("Vigil's database is unavailable for a moment; retry shortly", { code: 'UNAVAILABLE' }))).toMatch(/briefly unavailable/);
    expect(gqlFormError(error('your role (VIEWER) does not allow this', { code: 'FORBIDDEN' }), 'name')).toEqual({
      code: 'FORBIDDEN',
      message: 'Your role (VIEWER) does not allow this.',
    });
    expect(gqlMessage(new CombinedError({ networkError: new Error('fetch failed') }))).toMatch(/could not be reached/);
  });
});
