import { NavLink, Outlet } from 'react-router';
import { useMe } from '../../auth/MeProvider';
import { PageHeader } from '../../components/ui';

export default function Settings() {
  const { can } = useMe();
  const tabs = [
    { to: 'team', label: 'Team', show: true },
    { to: 'api-keys', label: 'API keys', show: can('MANAGE_API_KEYS') },
    { to: 'webhooks', label: 'Webhooks', show: can('MANAGE_INTEGRATIONS') },
    { to: 'rules', label: 'Detection rules', show: true },
    { to: 'audit-log', label: 'Audit log', show: can('READ_AUDIT_LOG') },
  ].filter((t) => t.show);
  return (
    <>
      <PageHeader title="Settings" description="Your team, integrations and the record of who did what." />
      <nav className="subnav" aria-label="Settings">
        <ul>
          {tabs.map((t) => (
            <li key={t.to}>
              <NavLink to={t.to} className={({ isActive }) => (isActive ? 'subnav-link active' : 'subnav-link')}>
                {t.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </>
  );
}

export function NotAllowed({ what }: { what: string }) {
  return (
    <div className="state state-empty">
      <p className="state-title">Only owners and admins {what}</p>
      <p>Ask an owner or admin of your organisation if you need this.</p>
    </div>
  );
}
