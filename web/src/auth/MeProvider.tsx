import { createContext, useContext, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { MeQuery, Permission } from '../gql/graphql';
import { can } from '../lib/roles';
import { planAllowsNewWork } from '../lib/trial';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      email
      role
      tenant {
        id
        name
        plan
        trialEndsAt
        trialDaysLeft
      }
    }
    access {
      role
      permissions
      grantableRoles
    }
  }
`);

export type Me = MeQuery['me'];
export type MeAccess = MeQuery['access'];

interface MeContextValue {
  me: Me;
  /** The caller's role, permissions and grantable roles, as the server enforces them. */
  access: MeAccess;
  /** Whether the server's permission list includes `permission`. */
  can: (permission: Permission) => boolean;
  /** Whether the plan lets new connections and scans start. */
  activePlan: boolean;
}

const MeContext = createContext<MeContextValue | null>(null);

export function MeContextProvider({ me, access, children }: { me: Me; access: MeAccess; children: ReactNode }) {
  const value: MeContextValue = {
    me,
    access,
    can: (permission) => can(access, permission),
    activePlan: planAllowsNewWork(me.tenant.plan),
  };
  return <MeContext.Provider value={value}>{children}</MeContext.Provider>;
}

export function useMe(): MeContextValue {
  const ctx = useContext(MeContext);
  if (!ctx) throw new Error('useMe outside MeContextProvider');
  return ctx;
}

export function useMeQuery() {
  return useQuery({ query: MeDocument, requestPolicy: 'cache-and-network' });
}
