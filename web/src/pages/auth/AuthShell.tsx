import type { ReactNode } from 'react';

export function AuthShell({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <div className="auth">
      <main id="main" className="auth-main">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Vigil
        </div>
        <div className="auth-grid">
          <section className="auth-card" aria-labelledby="auth-title">
            <h1 id="auth-title">{title}</h1>
            {children}
          </section>
          {aside && <aside className="auth-aside">{aside}</aside>}
        </div>
      </main>
    </div>
  );
}

export function TrialExplainer() {
  return (
    <>
      <h2>Your 15-day free trial</h2>
      <ul className="checklist">
        <li>Every feature, no card needed: configuration scans of every region, CloudTrail alerts, API keys.</li>
        <li>Connect an AWS account in a few minutes with a read-only role that only Vigil can assume (an external ID protects it).</li>
        <li>After 15 days your findings and alerts stay readable; scans and ingestion pause until a plan is active.</li>
      </ul>
    </>
  );
}
