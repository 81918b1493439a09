import { authExchange } from '@urql/exchange-auth';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type CombinedError } from 'urql';
import type { Session } from '../auth/session';

function isAuthError(error: CombinedError): boolean {
  if (error.response && (error.response as Response).status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/** The WebSocket address of the subscriptions endpoint, on the page's own origin. */
export function subscriptionsUrl(location: { protocol: string; host: string } = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql/ws`;
}

/**
 * Subscriptions over `/graphql/ws` (graphql-transport-ws). The access token goes in the
 * `connection_init` payload, read (and refreshed first when expiring) each time the socket
 * connects, so a reconnect uses the current token. The socket opens on the first
 * subscription and closes shortly after the last one ends.
 */
function createSubscriptions(session: Session): WsClient | null {
  if (typeof window === 'undefined' || typeof WebSocket === 'undefined') return null;
  return createWsClient({
    url: subscriptionsUrl(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    retryAttempts: 3,
    connectionParams: async () => {
      if (session.hasRefreshToken() && session.isExpiring()) await session.refresh();
      const token = session.accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
}

/**
 * The GraphQL client: every operation carries the in-memory access token; an expiring
 * token is refreshed first, and an `UNAUTHENTICATED` answer triggers one refresh and a
 * retry. When the refresh token is refused the session ends and the app shows the login.
 * Subscriptions go over a WebSocket (see `createSubscriptions`).
 */
export function createGraphqlClient(session: Session): Client {
  const ws = createSubscriptions(session);
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
        willAuthError(operation) {
          // Subscriptions authenticate in the socket's connection_init instead.
          if (operation.kind === 'subscription') return false;
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
      ...(ws
        ? [
            subscriptionExchange({
              forwardSubscription(request) {
                const input = { ...request, query: request.query || '' };
                return {
                  subscribe(sink) {
                    const dispose = ws.subscribe(input, sink);
                    return { unsubscribe: dispose };
                  },
                };
              },
            }),
          ]
        : []),
    ],
  });
}
