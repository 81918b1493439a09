import { apiKeyRoles, can, grantableRoles, mayGrant } from './roles';

describe('can', () => {
  it('mirrors the server’s permission table', () => {
    expect(can('OWNER', 'manageUsers')).toBe(true);
    expect(can('ADMIN', 'manageIntegrations')).toBe(true);
    expect(can('ANALYST', 'triageFindings')).toBe(true);
    expect(can('ANALYST', 'triageAlerts')).toBe(true);
    expect(can('ANALYST', 'manageAccounts')).toBe(false);
    expect(can('ANALYST', 'readAuditLog')).toBe(false);
    expect(can('VIEWER', 'read')).toBe(true);
    expect(can('VIEWER', 'triageFindings')).toBe(false);
    expect(can(undefined, 'read')).toBe(false);
  });
});

describe('granting roles', () => {
  it('lets only owners make owners', () => {
    expect(mayGrant('OWNER', 'OWNER')).toBe(true);
    expect(mayGrant('ADMIN', 'OWNER')).toBe(false);
    expect(mayGrant('ADMIN', 'ADMIN')).toBe(true);
    expect(mayGrant('ANALYST', 'VIEWER')).toBe(false);
    expect(grantableRoles('ADMIN')).toEqual(['ADMIN', 'ANALYST', 'VIEWER']);
    expect(grantableRoles('VIEWER')).toEqual([]);
  });
  it('never offers OWNER for an API key', () => {
    expect(apiKeyRoles('OWNER')).toEqual(['ADMIN', 'ANALYST', 'VIEWER']);
  });
});
