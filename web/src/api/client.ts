import { authExchange } from '@urql/exchange-auth';
import { Client, cacheExchange, fetchExchange, type CombinedError } from 'urql';
import type { Session } from '../auth/session';

function isAuthError(error: CombinedError): boolean {
  if (error.response && (error.response as Response).status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/**
 * The GraphQL client: every operation carries the in-memory access token; an expiring
 * token is refreshed first, and an `UNAUTHENTICATED` answer triggers one refresh and a
 * retry. When the refresh token is refused the session ends and the app shows the login.
 */
export function createGraphqlClient(session: Session): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = session.accessToken();
          return token ? utils.appendHeaders(operation, { Authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError() {
          return session.hasRefreshToken() && session.isExpiring();
        },
        didAuthError(error) {
          return isAuthError(error);
        },
        async refreshAuth() {
          await session.refresh();
        },
      })),
      fetchExchange,
    ],
  });
}
