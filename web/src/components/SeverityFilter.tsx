import type { Severity } from '../gql/graphql';
import { SEVERITIES, SEVERITY_LABEL } from '../lib/format';

export function SeverityFilter({ value, onChange }: { value: Severity[]; onChange: (next: Severity[]) => void }) {
  return (
    <fieldset className="chip-group">
      <legend>Severity</legend>
      {SEVERITIES.map((s) => {
        const checked = value.includes(s);
        return (
          <label key={s} className={`chip chip-${s.toLowerCase()} ${checked ? 'chip-on' : ''}`}>
            <input
              type="checkbox"
              checked={checked}
              onChange={() => onChange(checked ? value.filter((v) => v !== s) : SEVERITIES.filter((x) => x === s || value.includes(x)))}
            />
            {SEVERITY_LABEL[s]}
          </label>
        );
      })}
    </fieldset>
  );
}
