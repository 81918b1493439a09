import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { gqlCode } from './api/errors';
import { AuthProvider, useAuth } from './auth/AuthProvider';
import { MeContextProvider, useMeQuery } from './auth/MeProvider';
import { session } from './auth/session';
import { Layout } from './components/Layout';
import { ErrorState, Loading } from './components/states';
import { AcceptInvite } from './pages/auth/AcceptInvite';
import { Login, safeNext } from './pages/auth/Login';
import { Logout } from './pages/auth/Logout';
import { Signup } from './pages/auth/Signup';
import { NotFound } from './pages/NotFound';

// Pages past the dashboard load on demand, keeping the first load small.
const Dashboard = lazy(() => import('./pages/Dashboard'));
const Findings = lazy(() => import('./pages/Findings'));
const Alerts = lazy(() => import('./pages/Alerts'));
const Assets = lazy(() => import('./pages/Assets'));
const Compliance = lazy(() => import('./pages/Compliance'));
const Accounts = lazy(() => import('./pages/Accounts'));
const ConnectAccount = lazy(() => import('./pages/ConnectAccount'));
const ConnectOrganization = lazy(() => import('./pages/ConnectOrganization'));
const Settings = lazy(() => import('./pages/settings/Settings'));
const Team = lazy(() => import('./pages/settings/Team'));
const ApiKeys = lazy(() => import('./pages/settings/ApiKeys'));
const Webhooks = lazy(() => import('./pages/settings/Webhooks'));
const Rules = lazy(() => import('./pages/settings/Rules'));
const AuditLog = lazy(() => import('./pages/settings/AuditLog'));

function FullPage({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="full-page">
      {children}
    </main>
  );
}

/** The signed-in part of the app: needs a session and the caller's `me`. */
function RequireAuth() {
  const { state, retry } = useAuth();
  const location = useLocation();
  if (state === 'unknown') {
    return (
      <FullPage>
        <h1 className="sr-only">Vigil</h1>
        <Loading label="Opening your session…" />
        <RestoreWatchdog onStuck={retry} />
      </FullPage>
    );
  }
  if (state === 'signed-out') {
    const params = new URLSearchParams();
    const next = `${location.pathname}${location.search}`;
    if (next !== '/') params.set('next', next);
    // A session the server refused (expired, revoked, member removed) or that another tab
    // logged out: say so on the login page.
    if (session.ended === 'refused') params.set('expired', '1');
    if (session.ended === 'other-tab') params.set('signedOut', '1');
    const query = params.toString();
    return <Navigate to={query ? `/login?${query}` : '/login'} replace />;
  }
  return <WithMe />;
}

/** Retries restoring the session every few seconds while Vigil cannot be reached. */
function RestoreWatchdog({ onStuck }: { onStuck: () => void }) {
  useEffect(() => {
    const t = setInterval(onStuck, 5000);
    return () => clearInterval(t);
  }, [onStuck]);
  return null;
}

function WithMe() {
  const [{ data, error }, refetch] = useMeQuery();
  if (!data) {
    if (error && gqlCode(error) !== 'UNAUTHENTICATED') {
      return (
        <FullPage>
          <h1 className="sr-only">Vigil</h1>
          <ErrorState error={error} title="Vigil could not load your workspace" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        </FullPage>
      );
    }
    return (
      <FullPage>
        <h1 className="sr-only">Vigil</h1>
        <Loading label="Loading your workspace…" />
      </FullPage>
    );
  }
  return (
    <MeContextProvider me={data.me} access={data.access}>
      <Outlet />
    </MeContextProvider>
  );
}

/** Login and sign-up are for signed-out visitors; a signed-in one goes to the app. */
export function PublicOnly() {
  const { state, destination } = useAuth();
  const location = useLocation();
  if (state === 'signed-in') {
    const next = new URLSearchParams(location.search).get('next');
    const target = destination();
    return <Navigate to={target !== '/' ? target : safeNext(next)} replace />;
  }
  return <Outlet />;
}

export function AppRoutes() {
  return (
    <Suspense
      fallback={
        <FullPage>
          <Loading />
        </FullPage>
      }
    >
      <Routes>
        <Route element={<PublicOnly />}>
          <Route path="/login" element={<Login />} />
          <Route path="/signup" element={<Signup />} />
        </Route>
        <Route path="/invite" element={<AcceptInvite />} />
        <Route path="/logout" element={<Logout />} />
        <Route element={<RequireAuth />}>
          <Route element={<Layout />}>
            <Route index element={<Dashboard />} />
            <Route path="findings" element={<Findings />}>
              <Route path=":findingId" element={null} />
            </Route>
            <Route path="alerts" element={<Alerts />}>
              <Route path=":alertId" element={null} />
            </Route>
            <Route path="assets" element={<Assets />}>
              <Route path=":assetId" element={null} />
            </Route>
            <Route path="compliance" element={<Compliance />} />
            <Route path="accounts" element={<Accounts />} />
            <Route path="accounts/connect" element={<ConnectAccount />} />
            <Route path="accounts/:accountId/connect" element={<ConnectAccount />} />
            <Route path="accounts/organizations/connect" element={<ConnectOrganization />} />
            <Route path="accounts/organizations/:organizationId" element={<ConnectOrganization />} />
            <Route path="settings" element={<Settings />}>
              <Route index element={<Navigate to="team" replace />} />
              <Route path="team" element={<Team />} />
              <Route path="api-keys" element={<ApiKeys />} />
              <Route path="webhooks" element={<Webhooks />} />
              <Route path="rules" element={<Rules />} />
              <Route path="audit-log" element={<AuditLog />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  );
}
