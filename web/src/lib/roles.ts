// What each role may do: the same table as the server's `vigil_core::roles::Role::allows`,
// so the app shows only the buttons a member can use (the server still decides).
import type { Role } from '../gql/graphql';

export type Permission =
  | 'read'
  | 'triageFindings'
  | 'triageAlerts'
  | 'manageAccounts'
  | 'manageUsers'
  | 'manageApiKeys'
  | 'readAuditLog'
  | 'manageIntegrations';

export const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'ANALYST', 'VIEWER'];

export const ROLE_LABEL: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  ANALYST: 'Analyst',
  VIEWER: 'Viewer',
};

export const ROLE_DESCRIPTION: Record<Role, string> = {
  OWNER: 'Everything, including making other owners.',
  ADMIN: 'Everything except making owners: accounts, users, keys, rules.',
  ANALYST: 'Reads everything; suppresses findings and triages alerts.',
  VIEWER: 'Reads everything; changes nothing.',
};

export function can(role: Role | null | undefined, permission: Permission): boolean {
  switch (role) {
    case 'OWNER':
    case 'ADMIN':
      return true;
    case 'ANALYST':
      return permission === 'read' || permission === 'triageFindings' || permission === 'triageAlerts';
    case 'VIEWER':
      return permission === 'read';
    default:
      return false;
  }
}

/** Whether `role` may give someone `other` (only owners make owners). */
export function mayGrant(role: Role | null | undefined, other: Role): boolean {
  return can(role, 'manageUsers') && (role === 'OWNER' || other !== 'OWNER');
}

/** Roles `role` may hand out, strongest first. */
export function grantableRoles(role: Role | null | undefined): Role[] {
  return ROLES.filter((r) => mayGrant(role, r));
}

/** Roles an API key may carry: never OWNER, and never more than the creator holds. */
export function apiKeyRoles(role: Role | null | undefined): Role[] {
  return grantableRoles(role).filter((r) => r !== 'OWNER');
}
