import type { CandidateMetrics, CandidateRef, CleaningAccounting } from '../../common/contracts';
import type { RunConfig } from '../../common/run-config';

/** Everything the report shows; rendering is a pure function of it (unit-tested). */
export interface ReportModel {
  dropId: string;
  workflowId: string;
  runDir: string;
  accounting: CleaningAccounting;
  leaderboard: CandidateMetrics[];
  selectionRule: string;
  chosen: CandidateRef;
  selectionReason: string;
  profiles: Array<Record<string, unknown>>;
  steps: Array<{ step: string; finishedAt: string }>;
  config: RunConfig;
  generatedAt: string;
}

export function escapeHtml(value: unknown): string {
  return String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function formatNumber(value: unknown): string {
  if (typeof value !== 'number') return escapeHtml(value ?? '');
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
}

function table(headers: string[], rows: unknown[][], highlight?: (rowIndex: number) => boolean): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows
    .map((row, index) => `<tr${highlight?.(index) ? ' class="chosen"' : ''}>${row.map((cell) => `<td>${formatNumber(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderReport(model: ReportModel): string {
  const { accounting } = model;
  const sameCandidate = (candidate: CandidateRef) =>
    candidate.encoder === model.chosen.encoder && candidate.algorithm === model.chosen.algorithm && candidate.params === model.chosen.params;
  const accountingRows: unknown[][] = [
    ['raw rows', accounting.rawRows],
    ['cleaned rows', accounting.cleanedRows],
    ['duplicates removed', accounting.duplicateRows],
    ['quarantined rows', accounting.quarantinedRows],
    ...Object.entries(accounting.quarantineByReason).map(([reason, count]) => [`&nbsp;&nbsp;quarantined: ${reason}`, count]),
    ['users', accounting.users],
    ['users segmented', accounting.sequencedUsers],
    ['events held out for evaluation', accounting.holdoutEvents],
    ['users with held-out events', accounting.holdoutUsers],
  ];
  const profileColumns = model.profiles.length > 0 ? Object.keys(model.profiles[0]) : [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Segmentation report: ${escapeHtml(model.dropId)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
tr.chosen { background: #e6f4ea; font-weight: 600; }
code { background: #f5f5f5; padding: 0 0.2rem; }
</style></head><body>
<h1>Segmentation report</h1>
<p>Drop <code>${escapeHtml(model.dropId)}</code> &middot; workflow <code>${escapeHtml(model.workflowId)}</code> &middot; run directory <code>${escapeHtml(model.runDir)}</code> &middot; generated ${escapeHtml(model.generatedAt)}</p>
<h2>Chosen segmentation</h2>
<p><strong>${escapeHtml(model.chosen.encoder)} / ${escapeHtml(model.chosen.algorithm)} ${escapeHtml(model.chosen.params)}</strong>: ${escapeHtml(model.selectionReason)}.<br>
Selection rule: ${escapeHtml(model.selectionRule)}.</p>
<h2>Segment profiles</h2>
${table(profileColumns, model.profiles.map((profile) => profileColumns.map((column) => profile[column])))}
<h2>Leaderboard</h2>
${table(
    ['encoder', 'algorithm', 'params', 'silhouette', 'Davies-Bouldin', 'Calinski-Harabasz', 'inertia', 'smallest', 'largest', 'cluster s'],
    model.leaderboard.map((row) => [
      row.candidate.encoder, row.candidate.algorithm, row.candidate.params,
      row.silhouette, row.daviesBouldin, row.calinskiHarabasz, row.inertia,
      Math.min(...row.clusterSizes), Math.max(...row.clusterSizes), row.clusterSeconds,
    ]),
    (index) => sameCandidate(model.leaderboard[index].candidate),
  )}
<p>Silhouette is ${model.leaderboard.some((row) => row.silhouetteSampled) ? 'computed on a seeded random sample of users (the same sample for every candidate)' : 'exact'}.</p>
<h2>Data accounting</h2>
<p>Every raw row is either cleaned, removed as an exact duplicate, or quarantined with a reason (table <code>quarantine</code> in <code>run.duckdb</code>).</p>
${table(['', 'rows'], accountingRows).replaceAll('&amp;nbsp;', '&nbsp;')}
<h2>Steps</h2>
${table(['step', 'finished at'], model.steps.map((step) => [step.step, step.finishedAt]))}
<h2>Run settings</h2>
${table(['setting', 'value'], Object.entries(model.config).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : value === '' ? '(none)' : value]))}
</body></html>
`;
}
