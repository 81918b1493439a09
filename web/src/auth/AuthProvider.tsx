import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';
import { createGraphqlClient } from '../api/client';
import type { TokenResponse } from '../api/rest';
import { session, type SessionState } from './session';

interface AuthContextValue {
  state: SessionState;
  /** Stores the tokens; the sign-in pages then go to `destination` (default: the dashboard). */
  signIn: (tokens: TokenResponse, destination?: string) => void;
  /** Where to go after the sign-in that just happened (read by the public pages' guard). */
  destination: () => string;
  signOut: () => Promise<void>;
  retry: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(session.state);
  const [generation, setGeneration] = useState(0);
  const [client, setClient] = useState(() => createGraphqlClient(session));

  useEffect(
    () =>
      session.subscribe((next) => {
        setState(next);
        // A fresh client (and cache) once a session ends: nothing of one user's data is
        // shown to the next.
        if (next === 'signed-out') setClient(createGraphqlClient(session));
      }),
    [],
  );
  useEffect(() => {
    if (session.state === 'unknown') void session.restore().then(setState);
  }, [generation]);

  const after = useRef('/');
  const signIn = useCallback((tokens: TokenResponse, destination = '/') => {
    after.current = destination;
    session.signIn(tokens);
  }, []);
  const destination = useCallback(() => after.current, []);
  const signOut = useCallback(() => {
    after.current = '/';
    return session.signOut();
  }, []);
  const retry = useCallback(() => setGeneration((g) => g + 1), []);
  const value = useMemo(() => ({ state, signIn, signOut, retry, destination }), [state, signIn, signOut, retry, destination]);

  return (
    <AuthContext.Provider value={value}>
      <UrqlProvider value={client}>{children}</UrqlProvider>
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
