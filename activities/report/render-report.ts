import type { CandidateMetrics, CandidateRef, CleaningAccounting, HoldoutPartLift, LiftEstimate } from '../../common/contracts';
import type { Evidence } from '../evaluation/stable-lift';
import { sameCandidate } from '../../common/candidates';
import type { RunConfig } from '../../common/run-config';
import { displayText, titleText } from './display-text';
import type { SegmentGeometry } from './segment-geometry';
import { segmentCards } from './segment-cards';
import { metricsByKCharts, paretoChart } from './charts/candidate-charts';
import { chartNames, segmentSizesChart, similarityChart, userMapChart } from './charts/segment-charts';
import { accountingChart, stageDurationsChart } from './charts/run-charts';
import type { AcrossDrops } from './across-drops';
import { renderAcrossDrops } from './across-drops-section';
import { DENSITY_SILHOUETTE_USERS } from '../metrics/density-silhouette';

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
  /** How strongly held-out recommendation value backs the choice, with the chosen lift on validation and test users. */
  evidence?: Evidence | null;
  /** Successive halving: how many candidates were screened, and how many of them scored fully (the leaderboard's rows). */
  screening?: { candidates: number; fullyScored: number } | null;
  profiles: Array<Record<string, unknown>>;
  /** Per segment and kind (category, brand, item): the terms with the highest lift. */
  topTerms?: Array<Record<string, unknown>>;
  /** Per segment: the users closest to its centroid, with their sequences. */
  representatives?: Array<{ segment: number; userId: string; sequence: string }>;
  /** The chosen encoder's space: a 2-D map of a sample of users and the segments' centroid similarity. */
  geometry?: Pick<SegmentGeometry, 'map' | 'similarity'>;
  /** A drop compared with its model: its drift and the pipeline's segment sizes over drops. */
  acrossDrops?: AcrossDrops;
  steps: Array<{ step: string; finishedAt: string; seconds?: number }>;
  /** When the run started (its stored config was written): the stage chart counts from here. */
  startedAt?: string;
  /** Where the run's workflow is in the Temporal UI, when known. */
  temporalUiUrl?: string;
  /** Versions of what made the report (package, Node.js, chart library). */
  versions?: Record<string, string>;
  config: RunConfig;
  generatedAt: string;
}

/** A table cell that is already HTML, its text put through displayText piece by piece. */
class Html {
  constructor(readonly html: string) {}
}

function formatCell(value: unknown): string {
  if (value instanceof Html) return value.html;
  if (typeof value !== 'number') return displayText(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
}

function table(headers: string[], rows: unknown[][], highlight?: (rowIndex: number) => boolean): string {
  const head = headers.map((header) => `<th>${displayText(header)}</th>`).join('');
  const isText = (cell: unknown) => typeof cell === 'string' || cell instanceof Html;
  const body = rows
    .map((row, index) => `<tr${highlight?.(index) ? ' class="chosen"' : ''}>${row.map((cell) => `<td${isText(cell) ? ' class="text"' : ''}>${formatCell(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  // Wide tables scroll inside their box instead of widening the page.
  return `<div class="table-scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The report as one self-contained HTML page: charts are inline SVG drawn now, so it needs no script, no network. */
export async function renderReport(model: ReportModel): Promise<string> {
  const { accounting } = model;
  const isChosen = (candidate: CandidateRef) => sameCandidate(candidate, model.chosen);
  const accountingRows: unknown[][] = [
    ['raw rows', accounting.rawRows],
    ['cleaned rows', accounting.cleanedRows],
    ['duplicates removed', accounting.duplicateRows],
    ['quarantined rows', accounting.quarantinedRows],
    ...Object.entries(accounting.quarantineByReason).map(([reason, count]) => [new Html(`&nbsp;&nbsp;quarantined: ${displayText(reason)}`), count]),
    ['users', accounting.users],
    ['users segmented', accounting.sequencedUsers],
    ['events held out for evaluation', accounting.holdoutEvents],
    ['users with held-out events', accounting.holdoutUsers],
  ];
  // The name next to the segment; the description is on the segment's card.
  const profileColumns = model.profiles.length > 0
    ? ['segment', 'name', ...Object.keys(model.profiles[0]).filter((column) => !['segment', 'name', 'description'].includes(column))].filter((column) => column in model.profiles[0])
    : [];
  const names = chartNames(model.profiles);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Segmentation report: ${titleText(model.dropId)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child, td.text { text-align: left; }
td.text { overflow-wrap: break-word; max-width: 40rem; }
tr.chosen { background: #e6f4ea; font-weight: 600; }
p.evidence-weak, p.evidence-insufficient { background: #fff4e5; padding: 0.4rem; }
code { background: #f5f5f5; padding: 0 0.2rem; overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; max-width: 100%; }
figure.chart { display: inline-block; margin: 0.5rem 1.5rem 1rem 0; vertical-align: top; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #555; max-width: 40rem; }
.chart-row { display: flex; flex-wrap: wrap; align-items: flex-start; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(34rem, 1fr)); gap: 1rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 1rem; overflow-wrap: anywhere; }
.card h3 { margin: 0.4rem 0; } .muted { color: #777; font-weight: normal; font-size: 0.85rem; }
ol.sequences { font-size: 0.8rem; padding-left: 1.2rem; } ol.sequences li { margin-bottom: 0.3rem; }
@media print { .card, figure.chart { break-inside: avoid; } body { margin: 0.5cm; } }
</style></head><body>
<h1>Segmentation report</h1>
<p>Drop <code>${displayText(model.dropId)}</code> &middot; workflow <code>${displayText(model.workflowId)}</code> &middot; run directory <code>${displayText(model.runDir)}</code> &middot; generated ${displayText(model.generatedAt)}</p>
<h2>Chosen segmentation</h2>
<p><strong>${displayText(model.chosen.encoder)} / ${displayText(model.chosen.algorithm)} ${displayText(model.chosen.params)}</strong>: ${displayText(model.selectionReason)}.<br>
Selection rule: ${displayText(model.selectionRule)}.</p>
${renderEvidence(model.evidence, model.leaderboard.find((row) => isChosen(row.candidate))?.downstream?.sampledFrom)}
<h2>The users and their segments</h2>
<div class="chart-row">
${model.geometry ? await userMapChart(model.geometry.map, names) : ''}
${model.profiles.length > 0 ? await segmentSizesChart(model.profiles, names) : ''}
</div>
<h2>Segments</h2>
<div class="cards">
${await segmentCards(model.profiles, model.topTerms ?? [], model.representatives ?? [])}
</div>
${model.geometry && model.geometry.similarity.segments.length > 1 ? await similarityChart(model.geometry.similarity, names) : ''}
${model.acrossDrops ? await renderAcrossDrops(model.acrossDrops) : ''}
<h2>Segment profiles</h2>
${table(profileColumns, model.profiles.map((profile) => profileColumns.map((column) => profile[column])))}
${renderDownstream(model.leaderboard.find((row) => isChosen(row.candidate)))}
${renderTopTerms(model.topTerms ?? [], names)}
<h2>How the candidates compare</h2>
${await metricsByKCharts(model.leaderboard, model.chosen)}
${await paretoChart(model.leaderboard, model.chosen)}
<h2>Leaderboard</h2>
${table(
    ['encoder', 'algorithm', 'params', 'silhouette', 'density silhouette', 'Davies-Bouldin', 'Calinski-Harabasz', 'stability (seeds)', 'stability (subsamples)',
      'NDCG@10', 'NDCG@10 lift vs popularity [95% CI]', 'validation lift [95% CI]', 'next-purchase AUC', 'ARI vs known labels', 'smallest', 'largest', 'cluster s'],
    model.leaderboard.map((row) => [
      row.candidate.encoder, row.candidate.algorithm, row.candidate.params,
      row.silhouette, row.densitySilhouette, row.daviesBouldin, row.calinskiHarabasz, row.stability?.seeds.mean, row.stability?.subsamples.mean,
      row.downstream?.segment['10']?.ndcg, describeLift(row.downstream?.lift.ndcg10), describeLift(row.downstream?.validation?.ndcg10),
      row.downstream?.nextPurchase?.segment.auc.mean,
      row.external?.ari, Math.min(...row.clusterSizes), Math.max(...row.clusterSizes), row.clusterSeconds,
    ]),
    (index) => isChosen(model.leaderboard[index].candidate),
  )}
${model.screening ? `<p>${model.screening.candidates} candidates were screened on samples (one stability refit, lift on sampled validation users); the ${model.screening.fullyScored} most promising were scored fully and are listed here (docs/EVALUATION.md, "Successive halving").</p>` : ''}
<p>Silhouette is ${model.leaderboard.some((row) => row.silhouetteSampled) ? 'computed on a seeded random sample of users (the same sample for every candidate)' : 'exact'}.
The density silhouette is the silhouette on density-connected distances (the largest step on a walk through the users), which
does not penalize ring- or chain-shaped segments as the straight-line one does; it is measured on a seeded sample of up to
${DENSITY_SILHOUETTE_USERS.toLocaleString('en-US')} users (docs/EVALUATION.md).</p>
<h2>Data accounting</h2>
<p>Every raw row is either cleaned, removed as an exact duplicate, or quarantined with a reason (table <code>quarantine</code> in <code>run.duckdb</code>).</p>
${await accountingChart(accounting)}
${table(['', 'rows'], accountingRows)}
<h2>Steps</h2>
${await stageDurationsChart(model.steps, model.startedAt)}
${table(['step', 'finished at', 'seconds'], model.steps.map((step) => [step.step, step.finishedAt, step.seconds === undefined ? '' : step.seconds.toFixed(1)]))}
<h2>Run settings</h2>
${model.temporalUiUrl ? `<p>The workflow in the Temporal UI: <a href="${displayText(model.temporalUiUrl, 2000)}">${displayText(model.temporalUiUrl)}</a></p>` : ''}
${model.versions ? table(['made with', 'version'], Object.entries(model.versions)) : ''}
${table(['setting', 'value'], Object.entries(model.config).map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : value === '' ? '(none)' : value]))}
</body></html>
`;
}

/**
 * The evidence behind the choice in plain words, and the chosen lift on the users it was chosen on
 * (validation) next to the users it was not (test): the test figure is the one to quote.
 */
function renderEvidence(evidence: Evidence | null | undefined, sampledFrom: number | undefined): string {
  if (!evidence) return '';
  const part = (name: string, lift: HoldoutPartLift | undefined) =>
    lift ? [name, lift.users, describeLift(lift.ndcg10) || 'n/a', describeLift(lift.hr10) || 'n/a'] : [name, 0, 'n/a', 'n/a'];
  return `<p class="evidence evidence-${evidence.strength}"><strong>Evidence: ${displayText(evidence.strength)}.</strong> ${displayText(evidence.statement)}</p>
${evidence.validation || evidence.test ? table(['held-out users', 'users', 'NDCG@10 lift vs popularity [95% CI]', 'HR@10 lift [95% CI]'],
    [part('validation (chosen on these)', evidence.validation), part('test (not used to choose: the figure to quote)', evidence.test)]) : ''}
${sampledFrom === undefined ? '' : `<p>Both halves are of a seeded sample of the ${sampledFrom.toLocaleString('en-US')} users with held-out events (downstreamMaxUsers), the same for every candidate.</p>`}`;
}

function describeLift(lift: LiftEstimate | undefined): string {
  if (!lift || lift.value === null) return '';
  const bound = (value: number | null) => (value === null ? '∞' : `${(value * 100).toFixed(0)}%`);
  return `${(lift.value * 100).toFixed(1)}% [${bound(lift.ciLow)}, ${bound(lift.ciHigh)}]`;
}

function renderDownstream(row: CandidateMetrics | undefined): string {
  const downstream = row?.downstream;
  if (!downstream) return '<h2>Downstream value</h2><p>Not measured: no segmented user has held-out events (holdoutMode none?).</p>';
  const rows: unknown[][] = [];
  for (const k of downstream.ks) {
    for (const [name, scores] of [['segment popularity', downstream.segment], ['global popularity', downstream.popularity], ['random', downstream.random]] as const) {
      const at = scores[String(k)];
      rows.push([`${name} @${k}`, at.hr, at.ndcg, at.mrr, at.precision, at.recall, at.coverage]);
    }
  }
  const purchase = downstream.nextPurchase;
  return `<h2>Downstream value of the chosen segmentation</h2>
<p>Each of ${downstream.users.toLocaleString('en-US')} users with held-out events${downstream.sampledFrom === undefined ? '' : ` (a seeded sample of the ${downstream.sampledFrom.toLocaleString('en-US')}, the same for every candidate; downstreamMaxUsers)`} is recommended the most popular items of their segment that they have not seen yet,
scored against the held-out items (full ranking over ${downstream.catalogue.toLocaleString('en-US')} items), next to global popularity and random recommendations.
NDCG@10 lift over global popularity: ${displayText(describeLift(downstream.lift.ndcg10) || 'n/a')}; HR@10 lift: ${displayText(describeLift(downstream.lift.hr10) || 'n/a')} (paired bootstrap, 95%).</p>
${table(['recommender', 'HR', 'NDCG', 'MRR', 'precision', 'recall', 'coverage'], rows)}
${purchase ? `<p>Next purchase (does the user buy among the held-out events?): ${purchase.buyers} of ${purchase.users} users buy; ${purchase.folds}-fold cross-validated AUC
${purchase.segment.auc.mean.toFixed(3)} ± ${purchase.segment.auc.sd.toFixed(3)} with the segment as feature, against ${purchase.baseline.auc.mean.toFixed(3)} without;
F1 ${purchase.segment.f1.mean.toFixed(3)} vs ${purchase.baseline.f1.mean.toFixed(3)}.</p>` : ''}`;
}

function renderTopTerms(terms: Array<Record<string, unknown>>, names: Map<number, string>): string {
  if (terms.length === 0) return '';
  const segments = [...new Set(terms.map((term) => Number(term.segment)))].sort((a, b) => a - b);
  const kinds = ['category', 'brand', 'item'];
  const cell = (segment: number, kind: string) => terms
    .filter((term) => Number(term.segment) === segment && term.kind === kind)
    .map((term) => `${displayText(term.term)} (${Number(term.lift).toFixed(1)}x)`).join(', ');
  return `<h2>What sets each segment apart</h2>
<p>Terms the segment's users interacted with most often relative to all segmented users (lift; at least 3 users of the segment). Items are ids.</p>
${table(['segment', 'name', ...kinds], segments.map((segment) => [segment, names.get(segment) ?? '', ...kinds.map((kind) => new Html(cell(segment, kind)))]))}`;
}
