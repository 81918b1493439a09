import { useId, useState } from 'react';
import { EXPORT_FORMATS, exportUrl, fetchExport, saveBlob, type ExportFilters, type ExportFormat, type ExportKind } from '../api/export';
import { session } from '../auth/session';

const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', json: 'jsonl', ocsf: 'ocsf.jsonl' };

/**
 * Downloads the list as CSV, JSON Lines or OCSF, with the page's current filters. A format
 * select and a button (both keyboard-usable, labelled); a failure is shown next to them.
 */
export function ExportControl({ kind, filters, noun }: { kind: ExportKind; filters: ExportFilters; noun: string }) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await fetchExport(session, exportUrl(kind, format, filters), `vigil-${kind}.${EXTENSION[format]}`);
      saveBlob(blob, filename);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The export failed.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="export-control" role="group" aria-labelledby={`${id}-label`}>
      <span id={`${id}-label`} className="sr-only">
        Export {noun}
      </span>
      <label htmlFor={`${id}-format`} className="export-label">
        Export as
      </label>
      <select
        id={`${id}-format`}
        className="input export-format"
        value={format}
        onChange={(e) => setFormat(e.target.value as ExportFormat)}
        disabled={busy}
      >
        {EXPORT_FORMATS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn"
        onClick={() => void run()}
        disabled={busy}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {busy ? 'Exporting…' : 'Export'}
      </button>
      {error && (
        <p className="field-error export-error" id={`${id}-error`} role="alert">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
