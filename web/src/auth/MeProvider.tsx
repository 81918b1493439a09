import { createContext, useContext, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';
import { can, type Permission } from '../lib/roles';
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
  }
`);

export type Me = MeQuery['me'];

interface MeContextValue {
  me: Me;
  can: (permission: Permission) => boolean;
  /** Whether the plan lets new connections and scans start. */
  activePlan: boolean;
}

const MeContext = createContext<MeContextValue | null>(null);

export function MeContextProvider({ me, children }: { me: Me; children: ReactNode }) {
  const value: MeContextValue = {
    me,
    can: (permission) => can(me.role, permission),
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
