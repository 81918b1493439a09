import { accessFor } from '../test/render';
import { apiKeyRoles, can, grantableRoles, mayGrant, type Access } from './roles';

describe('can', () => {
  it('reads the server’s permission list, not the role', () => {
    // A list the old client-side table would not give an analyst: the server's word wins.
    const access: Access = { role: 'ANALYST', permissions: ['READ', 'TRIAGE_ALERTS'], grantableRoles: [] };
    expect(can(access, 'TRIAGE_ALERTS')).toBe(true);
    expect(can(access, 'TRIAGE_FINDINGS')).toBe(false);
    expect(can(undefined, 'READ')).toBe(false);
  });

  // The component tests' `accessFor` must answer as the server does (core/src/roles.rs).
  it('test access mirrors the server’s permission table', () => {
    expect(can(accessFor('OWNER'), 'MANAGE_USERS')).toBe(true);
    expect(can(accessFor('ADMIN'), 'MANAGE_INTEGRATIONS')).toBe(true);
    expect(can(accessFor('ANALYST'), 'TRIAGE_FINDINGS')).toBe(true);
    expect(can(accessFor('ANALYST'), 'TRIAGE_ALERTS')).toBe(true);
    expect(can(accessFor('ANALYST'), 'MANAGE_ACCOUNTS')).toBe(false);
    expect(can(accessFor('ANALYST'), 'READ_AUDIT_LOG')).toBe(false);
    expect(can(accessFor('VIEWER'), 'READ')).toBe(true);
    expect(can(accessFor('VIEWER'), 'TRIAGE_FINDINGS')).toBe(false);
  });
});

describe('granting roles', () => {
  it('grants what the server lists, strongest first', () => {
    const access: Access = { role: 'OWNER', permissions: ['READ', 'MANAGE_USERS'], grantableRoles: ['VIEWER', 'OWNER', 'ANALYST'] };
    expect(grantableRoles(access)).toEqual(['OWNER', 'ANALYST', 'VIEWER']);
    expect(mayGrant(access, 'ADMIN')).toBe(false);
    expect(grantableRoles(undefined)).toEqual([]);
  });
  it('lets only owners make owners (test access, as the server answers)', () => {
    expect(mayGrant(accessFor('OWNER'), 'OWNER')).toBe(true);
    expect(mayGrant(accessFor('ADMIN'), 'OWNER')).toBe(false);
    expect(mayGrant(accessFor('ADMIN'), 'ADMIN')).toBe(true);
    expect(mayGrant(accessFor('ANALYST'), 'VIEWER')).toBe(false);
    expect(grantableRoles(accessFor('ADMIN'))).toEqual(['ADMIN', 'ANALYST', 'VIEWER']);
    expect(grantableRoles(accessFor('VIEWER'))).toEqual([]);
  });
  it('never offers OWNER for an API key', () => {
    expect(apiKeyRoles(accessFor('OWNER'))).toEqual(['ADMIN', 'ANALYST', 'VIEWER']);
    expect(apiKeyRoles({ role: 'OWNER', permissions: [], grantableRoles: ['OWNER'] })).toEqual([]);
  });
});
