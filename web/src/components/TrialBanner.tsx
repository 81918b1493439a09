import { formatDate } from '../lib/format';
import { trialBanner, type TrialInfo } from '../lib/trial';

export function TrialBanner({ tenant }: { tenant: TrialInfo }) {
  const banner = trialBanner(tenant);
  if (banner.kind === 'none') return null;
  if (banner.kind === 'expired') {
    return (
      <div className="banner banner-expired" role="region" aria-label="Plan">
        <strong>Your trial has ended{banner.endedAt ? ` (${formatDate(banner.endedAt)})` : ''}.</strong> Everything Vigil
        collected stays readable, but scans, activity ingestion and new connections are paused. Contact your Vigil
        representative to activate a plan.
      </div>
    );
  }
  const days = banner.daysLeft === 0 ? 'less than a day' : banner.daysLeft === 1 ? '1 day' : `${banner.daysLeft} days`;
  return (
    <div className={`banner ${banner.urgent ? 'banner-urgent' : 'banner-trial'}`} role="region" aria-label="Plan">
      <strong>Free trial: {days} left</strong>
      {banner.endsAt ? ` (ends ${formatDate(banner.endsAt)})` : ''}. Every feature is included during the trial; after it,
      your data stays readable but scans and ingestion pause until a plan is active.
    </div>
  );
}
