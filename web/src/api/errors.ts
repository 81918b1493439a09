// Turning API errors into what a form shows: a message next to a field when the error
// is about one, a message for the whole form otherwise.
import type { CombinedError } from 'urql';
import { RestError } from './rest';

export interface FormError {
  field?: string;
  message: string;
  code?: string;
}

/** REST error codes that are about one field of the auth forms. */
const REST_FIELDS: Record<string, string> = {
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  invalid_organization: 'organization',
};

const REST_MESSAGES: Record<string, string> = {
  email_taken: 'An account with this email already exists. Log in instead?',
  invalid_credentials: 'The email or password is incorrect.',
  invalid_invite: 'This invitation is invalid, has expired or was already used. Ask for a new one.',
};

export function restFormError(e: unknown): FormError {
  if (e instanceof RestError) {
    if (e.code === 'rate_limited') {
      const wait = e.retryAfter ? ` Try again in ${e.retryAfter} s.` : ' Try again in a minute.';
      return { code: e.code, message: `Too many attempts.${wait}` };
    }
    const message = REST_MESSAGES[e.code] ?? capitalise(e.message);
    return { code: e.code, field: REST_FIELDS[e.code], message };
  }
  return { message: 'Something went wrong. Try again.' };
}

export function gqlCode(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A readable sentence for a GraphQL failure. */
export function gqlMessage(error: CombinedError | undefined | null): string {
  if (!error) return '';
  if (error.networkError) return 'Vigil could not be reached. Check your connection and try again.';
  const first = error.graphQLErrors[0];
  if (!first) return 'Something went wrong. Try again.';
  switch (gqlCode(error)) {
    case 'UNAVAILABLE':
      return 'Vigil is briefly unavailable. Try again in a few seconds.';
    case 'INTERNAL':
      return 'Vigil had a problem answering; it has been logged. Try again in a moment.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Log in again.';
    default:
      return capitalise(first.message);
  }
}

/**
 * A mutation's error for a form. `BAD_USER_INPUT` goes next to `field` (the input the
 * mutation takes from the user), or to the field named by `extensions.field` when the
 * server names one of the form's fields.
 */
export function gqlFormError(error: CombinedError, field?: string, known: readonly string[] = []): FormError {
  const code = gqlCode(error);
  const ext = error.graphQLErrors[0]?.extensions ?? {};
  const message = gqlMessage(error);
  if (code === 'BAD_USER_INPUT') {
    const named = typeof ext.field === 'string' && known.includes(ext.field) ? ext.field : undefined;
    return { code, field: named ?? field, message };
  }
  return { code, message };
}

export function capitalise(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const sentence = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
