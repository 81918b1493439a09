// Role names and what the app says about them (presentation only). What a caller may do
// comes from the server (`access` in the Me query), so the app shows only the buttons a
// member can use from the same table the server enforces (the server still decides).
import type { Permission, Role } from '../gql/graphql';

/** The caller's access as the server reports it (`Query.access`). */
export interface Access {
  role: Role;
  permissions: readonly Permission[];
  grantableRoles: readonly Role[];
}

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

/** Whether the server's permission list includes `permission` (false while unknown). */
export function can(access: Access | null | undefined, permission: Permission): boolean {
  return access?.permissions.includes(permission) ?? false;
}

/** Whether the caller may give someone `role`, by the server's list (only owners make owners). */
export function mayGrant(access: Access | null | undefined, role: Role): boolean {
  return access?.grantableRoles.includes(role) ?? false;
}

/** Roles the caller may hand out, strongest first whatever order the server listed them in. */
export function grantableRoles(access: Access | null | undefined): Role[] {
  return ROLES.filter((r) => mayGrant(access, r));
}

/** Roles an API key may carry: those the caller may grant, never OWNER. */
export function apiKeyRoles(access: Access | null | undefined): Role[] {
  return grantableRoles(access).filter((r) => r !== 'OWNER');
}
