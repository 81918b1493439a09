import { TextField } from './fields';

/** The optional list of regions a connection is watched in (empty: every enabled region). */
export function RegionsField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  return (
    <TextField
      label="Regions (optional)"
      name="regions"
      placeholder="every enabled region"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint="Leave empty to scan every region the account has enabled. To watch only some (for example when service control policies deny the others), list them: eu-west-1, us-east-1."
      spellCheck={false}
      autoCapitalize="off"
    />
  );
}
