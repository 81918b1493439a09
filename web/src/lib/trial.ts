import type { Plan } from '../gql/graphql';

export interface TrialInfo {
  plan: Plan;
  trialEndsAt?: string | null;
  trialDaysLeft?: number | null;
}

export type TrialBanner =
  | { kind: 'none' }
  | { kind: 'trial'; daysLeft: number; endsAt: string | null; urgent: boolean }
  | { kind: 'expired'; endedAt: string | null };

/** What the banner at the top of every page says about the plan. */
export function trialBanner(t: TrialInfo | null | undefined, now: Date = new Date()): TrialBanner {
  if (!t) return { kind: 'none' };
  if (t.plan === 'EXPIRED') return { kind: 'expired', endedAt: t.trialEndsAt ?? null };
  if (t.plan !== 'TRIAL') return { kind: 'none' };
  let daysLeft = t.trialDaysLeft;
  if (daysLeft == null && t.trialEndsAt) {
    daysLeft = Math.max(0, Math.ceil((new Date(t.trialEndsAt).getTime() - now.getTime()) / 86_400_000));
  }
  daysLeft = Math.max(0, daysLeft ?? 0);
  return { kind: 'trial', daysLeft, endsAt: t.trialEndsAt ?? null, urgent: daysLeft <= 3 };
}

/** Whether work that needs an active plan (connections, scans) may start. */
export function planAllowsNewWork(plan: Plan | null | undefined): boolean {
  return plan === 'TRIAL' || plan === 'ACTIVE';
}
