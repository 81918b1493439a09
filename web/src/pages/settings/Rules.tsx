import { useCallback, useMemo, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { gqlCode, gqlFormError, gqlMessage } from '../../api/errors';
import { useMe } from '../../auth/MeProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { FormAlert, SelectField, TextAreaField } from '../../components/fields';
import { EmptyState, QueryState } from '../../components/states';
import { Card, RichText, SeverityBadge, Time } from '../../components/ui';
import { graphql } from '../../gql';
import type { DetectionRulesQuery, TestDetectionRuleQuery } from '../../gql/graphql';
import { plural } from '../../lib/format';
import { useTitle } from '../../lib/useTitle';

const RulesDocument = graphql(`
  query DetectionRules {
    detectionRules {
      id
      sigmaId
      kind
      title
      description
      severity
      techniques
      runbook
      builtin
      enabled
      yaml
      updatedAt
    }
  }
`);

const TestRuleDocument = graphql(`
  query TestDetectionRule($yaml: String!, $since: DateTime) {
    testDetectionRule(yaml: $yaml, since: $since) {
      kind
      scanned
      matched
      matchedEventIds
      complete
      capped
      wouldRaiseCount
      wouldRaise {
        awsAccountId
        group
        firstEventAt
        lastEventAt
        count
        sampleEventIds
      }
    }
  }
`);

const CreateRuleDocument = graphql(`
  mutation CreateDetectionRule($yaml: String!) {
    createDetectionRule(yaml: $yaml) {
      id
      title
      enabled
    }
  }
`);

const UpdateRuleDocument = graphql(`
  mutation UpdateDetectionRule($id: ID!, $enabled: Boolean) {
    updateDetectionRule(id: $id, enabled: $enabled) {
      id
      enabled
      updatedAt
    }
  }
`);

const DeleteRuleDocument = graphql(`
  mutation DeleteDetectionRule($id: ID!) {
    deleteDetectionRule(id: $id)
  }
`);

export const RULE_TEMPLATE = `title: Security group deleted
description: Someone deleted a security group; check it was planned.
level: medium
tags:
  - attack.t1562.007
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: ec2.amazonaws.com
    eventName: DeleteSecurityGroup
  condition: selection
runbook: Confirm the change with the owner of the VPC.
`;

/** A correlation over a built-in rule (or one of yours, by its `id:`), to start from. */
export const CORRELATION_TEMPLATE = `title: Many security groups deleted
id: my-security-group-deletions
description: One principal deleted several security groups within minutes.
level: high
tags:
  - attack.t1562.007
correlation:
  type: event_count
  rules:
    - my-security-group-deleted
  group-by:
    - userIdentity.arn
  timespan: 15m
  condition:
    gte: 5
`;

/** Whether the YAML is a correlation (it has a top-level `correlation:` section). */
export function isCorrelation(yaml: string): boolean {
  return /^correlation\s*:/m.test(yaml);
}

type Rule = DetectionRulesQuery['detectionRules'][number];
type TestResult = TestDetectionRuleQuery['testDetectionRule'];

export default function Rules() {
  useTitle('Detection rules');
  const { can } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: RulesDocument });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [filter, setFilter] = useState<'all' | 'custom' | 'builtin'>('all');
  const [viewing, setViewing] = useState<Rule | null>(null);
  const rules = useMemo(
    () =>
      (data?.detectionRules ?? [])
        .filter((r) => filter === 'all' || (filter === 'builtin' ? r.builtin : !r.builtin))
        // The tenant's own rules first: they are the ones people come here to change.
        .sort((a, b) => Number(a.builtin) - Number(b.builtin)),
    [data, filter],
  );

  return (
    <div className="settings-grid settings-grid-rules">
      <Card
        title="Detection rules"
        actions={
          <SelectField label="Show" value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)} className="input-small">
            <option value="all">All rules</option>
            <option value="custom">Your rules</option>
            <option value="builtin">Built-in rules</option>
          </SelectField>
        }
      >
        <p className="muted">Sigma rules run on every new CloudTrail event. Built-in rules ship with Vigil; your own rules sit beside them.</p>
        <QueryState data={data} fetching={fetching} error={error} onRetry={reload}>
          {() =>
            rules.length === 0 ? (
              <EmptyState title={filter === 'custom' ? 'You have no rules of your own yet' : 'No rules'} />
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <caption className="sr-only">Detection rules</caption>
                  <thead>
                    <tr>
                      <th scope="col">Rule</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Source</th>
                      <th scope="col">State</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rules.map((r) => (
                      <RuleRow key={r.id} rule={r} onView={() => setViewing(r)} />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryState>
      </Card>
      {can('MANAGE_INTEGRATIONS') && <NewRuleCard />}
      <Dialog open={Boolean(viewing)} onClose={() => setViewing(null)} title={viewing?.title ?? 'Rule'} variant="drawer" wide>
        {viewing && (
          <article className="detail">
            <div className="detail-head">
              <SeverityBadge severity={viewing.severity} />
              <span className="mono small muted">{viewing.id}</span>
            </div>
            {!viewing.builtin && (
              <p className="small muted">
                Correlations name this {viewing.kind === 'CORRELATION' ? 'correlation' : 'rule'} as <code>{viewing.sigmaId}</code>.
              </p>
            )}
            <section>
              <h4>Why it matters</h4>
              <RichText text={viewing.description} />
            </section>
            {viewing.runbook && (
              <section>
                <h4>What to do first</h4>
                <RichText text={viewing.runbook} />
              </section>
            )}
            <section>
              <h4>Sigma YAML</h4>
              <pre className="json" tabIndex={0} aria-label="Sigma YAML">
                <code>{viewing.yaml}</code>
              </pre>
            </section>
          </article>
        )}
      </Dialog>
    </div>
  );
}

function RuleRow({ rule: r, onView }: { rule: Rule; onView: () => void }) {
  const { can } = useMe();
  const [confirming, setConfirming] = useState(false);
  const [{ fetching: updating, error: updateError }, update] = useMutation(UpdateRuleDocument);
  const [{ fetching: deleting, error: deleteError }, remove] = useMutation(DeleteRuleDocument);
  const manage = can('MANAGE_INTEGRATIONS') && !r.builtin;
  return (
    <tr>
      <td>
        <button type="button" className="link-button" onClick={onView}>
          {r.title}
        </button>
        {(r.kind === 'CORRELATION' || r.techniques.length > 0) && (
          <div className="small muted mono">{[r.kind === 'CORRELATION' ? 'Correlation' : '', ...r.techniques].filter(Boolean).join(' · ')}</div>
        )}
        {updateError && <p className="field-error">{gqlMessage(updateError)}</p>}
      </td>
      <td>
        <SeverityBadge severity={r.severity} />
      </td>
      <td>{r.builtin ? 'Built-in' : <>Yours{r.updatedAt && <span className="small muted"> · changed <Time iso={r.updatedAt} /></span>}</>}</td>
      <td>
        {manage ? (
          <label className="switch">
            <input type="checkbox" checked={r.enabled} disabled={updating} onChange={(e) => void update({ id: r.id, enabled: e.target.checked })} />
            <span>{r.enabled ? 'Enabled' : 'Disabled'}</span>
            <span className="sr-only"> ({r.title})</span>
          </label>
        ) : r.enabled ? (
          'Enabled'
        ) : (
          'Disabled'
        )}
      </td>
      <td className="cell-actions">
        {manage && (
          <>
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setConfirming(true)}>
              Delete<span className="sr-only"> {r.title}</span>
            </button>
            <ConfirmDialog
              open={confirming}
              onClose={() => setConfirming(false)}
              title={`Delete “${r.title}”?`}
              description="The rule stops running on new events. Alerts it already raised stay."
              confirmLabel="Delete rule"
              fetching={deleting}
              error={deleteError}
              onConfirm={async () => !(await remove({ id: r.id }, { additionalTypenames: ['DetectionRule'] })).error}
            />
          </>
        )}
      </td>
    </tr>
  );
}

/** `BAD_USER_INPUT` from the rule compiler carries the line and the field. */
export function ruleErrorText(message: string, ext: Record<string, unknown> | undefined): string {
  const where = [typeof ext?.line === 'number' ? `line ${ext.line}` : '', typeof ext?.field === 'string' && ext.field ? `field ${ext.field}` : '']
    .filter(Boolean)
    .join(', ');
  return where ? `${where[0].toUpperCase()}${where.slice(1)}: ${message}` : message;
}

function NewRuleCard() {
  const client = useClient();
  const [yaml, setYaml] = useState(RULE_TEMPLATE);
  const [days, setDays] = useState('7');
  const [yamlError, setYamlError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [{ fetching: saving }, create] = useMutation(CreateRuleDocument);

  function check(): boolean {
    setFormError(undefined);
    setSaved(null);
    if (!yaml.trim()) {
      setYamlError('Write the rule in Sigma YAML.');
      return false;
    }
    if (!/^\s*title\s*:/m.test(yaml) || !/^\s*(detection|correlation)\s*:/m.test(yaml)) {
      setYamlError('A rule needs at least a title and a detection section (or, for a correlation, a correlation section).');
      return false;
    }
    setYamlError(undefined);
    return true;
  }

  function showError(error: NonNullable<Awaited<ReturnType<typeof create>>['error']>) {
    if (gqlCode(error) === 'BAD_USER_INPUT') {
      setYamlError(ruleErrorText(gqlMessage(error), error.graphQLErrors[0]?.extensions));
    } else setFormError(gqlFormError(error).message);
  }

  async function dryRun() {
    if (!check()) return;
    setTesting(true);
    setResult(null);
    const since = new Date(Date.now() - Number(days) * 86_400_000).toISOString();
    const r = await client.query(TestRuleDocument, { yaml, since }, { requestPolicy: 'network-only' }).toPromise();
    setTesting(false);
    if (r.error) showError(r.error);
    else if (r.data) setResult(r.data.testDetectionRule);
  }

  async function save() {
    if (!check()) return;
    const r = await create({ yaml }, { additionalTypenames: ['DetectionRule'] });
    if (r.error) showError(r.error);
    else if (r.data) {
      setSaved(r.data.createDetectionRule.title);
      setResult(null);
    }
  }

  return (
    <Card title="Add a Sigma rule">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <FormAlert message={formError} />
        <FormAlert tone="success" message={saved ? `Rule “${saved}” saved and enabled. It runs on new events from now on.` : undefined} />
        <TextAreaField
          label="Rule (Sigma YAML)"
          className="mono code-input"
          rows={18}
          spellCheck={false}
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          error={yamlError}
          hint="Fields are CloudTrail’s (eventName, userIdentity.arn, requestParameters…). A correlation counts the matches of other rules, named by their id. Try it on recent events before saving."
        />
        <p className="small">
          Start from{' '}
          <button type="button" className="link-button" onClick={() => setYaml(RULE_TEMPLATE)}>
            a single-event rule
          </button>{' '}
          or{' '}
          <button type="button" className="link-button" onClick={() => setYaml(CORRELATION_TEMPLATE)}>
            a correlation
          </button>
          .
        </p>
        <div className="form-row">
          <SelectField label="Dry run over" value={days} onChange={(e) => setDays(e.target.value)} className="input-small">
            <option value="1">the last day</option>
            <option value="7">the last 7 days</option>
            <option value="30">the last 30 days</option>
          </SelectField>
        </div>
        {isCorrelation(yaml) && (
          <p className="small muted">A dry run replays the rules this correlation counts over that period, in time order, and shows the alerts it would have raised.</p>
        )}
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => void dryRun()} disabled={testing}>
            {testing ? 'Running…' : 'Dry run'}
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save rule'}
          </button>
        </div>
      </form>
      <div aria-live="polite">{result && <DryRunResult result={result} />}</div>
    </Card>
  );
}

/** What a dry run (backtest) found: matching events, and the alerts it would have raised. */
function DryRunResult({ result }: { result: TestResult }) {
  const correlation = result.kind === 'CORRELATION';
  return (
    <div className="dry-run">
      <p>
        <strong>
          {plural(result.matched, 'event')} matched{correlation ? ' its base rules' : ''}
        </strong>{' '}
        of {plural(result.scanned, 'recent event')} looked at.{' '}
        <strong>
          {plural(result.wouldRaiseCount, 'alert')} would have been raised.
        </strong>
      </p>
      {!result.complete && <p className="small muted">The time budget ran out: only the events above were replayed.</p>}
      {result.capped && <p className="small muted">The period held more events than a dry run reads: only the newest were replayed.</p>}
      {result.wouldRaise.length > 0 && (
        // Focusable so that keyboard users can scroll a wide table of plain text.
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Would-be alerts">
          <table className="table">
            <caption className="sr-only">Alerts the rule would have raised</caption>
            <thead>
              <tr>
                <th scope="col">{correlation ? 'Group' : 'Principal'}</th>
                <th scope="col">First event</th>
                <th scope="col">Last event</th>
                <th scope="col">Events</th>
                <th scope="col">Sample event IDs</th>
              </tr>
            </thead>
            <tbody>
              {result.wouldRaise.map((a) => (
                <tr key={`${a.awsAccountId}|${a.group}|${a.firstEventAt}`}>
                  <td className="mono small">{a.group}</td>
                  <td>
                    <Time iso={a.firstEventAt} absolute />
                  </td>
                  <td>
                    <Time iso={a.lastEventAt} absolute />
                  </td>
                  <td>{a.count.toLocaleString('en')}</td>
                  <td className="mono small">{a.sampleEventIds.slice(0, 3).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.matchedEventIds.length > 0 && (
        <details>
          <summary>Matching event IDs</summary>
          <ul className="mono small id-list">
            {result.matchedEventIds.slice(0, 20).map((id) => (
              <li key={id}>{id}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
