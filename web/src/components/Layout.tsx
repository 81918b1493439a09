import { NavLink, Outlet, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthProvider';
import { useMe } from '../auth/MeProvider';
import { ROLE_LABEL } from '../lib/roles';
import { TrialBanner } from './TrialBanner';

const NAV = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/findings', label: 'Findings' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/assets', label: 'Assets' },
  { to: '/compliance', label: 'Compliance' },
  { to: '/accounts', label: 'AWS accounts' },
  { to: '/settings', label: 'Settings' },
];

export function Layout() {
  const { me } = useMe();
  const { signOut } = useAuth();
  const navigate = useNavigate();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">Vigil</span>
          <span className="brand-tenant">{me.tenant.name}</span>
        </div>
        <nav className="nav" aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end} className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <span className="user-email" title={me.email}>
            {me.email}
          </span>
          <span className="badge role-badge">{ROLE_LABEL[me.role]}</span>
          <button
            type="button"
            className="btn btn-small btn-on-dark"
            onClick={() => {
              void signOut().then(() => navigate('/login?signedOut=1', { replace: true }));
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <TrialBanner tenant={me.tenant} />
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
