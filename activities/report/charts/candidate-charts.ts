import type { TopLevelSpec } from 'vega-lite';
import type { CandidateMetrics, CandidateRef } from '../../../common/contracts';
import { sameCandidate } from '../../../common/candidates';
import { stabilityScore } from '../../evaluation/stability';
import { validationLift } from '../../evaluation/stable-lift';
import { chartText } from '../display-text';
import { figure, vegaLiteSvg } from './vega-svg';

/** One point per candidate: its family (encoder / algorithm), segments, and the metrics the charts draw. */
interface CandidatePoint {
  family: string;
  label: string;
  k: number;
  silhouette: number | null;
  densitySilhouette: number | null;
  stability: number | null;
  lift: number | null;
  liftLow: number | null;
  liftHigh: number | null;
  chosen: boolean;
}

function points(rows: CandidateMetrics[], chosen: CandidateRef): CandidatePoint[] {
  return rows.map((row) => {
    const lift = validationLift(row);
    const finite = (value: number | null | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
    return {
      family: chartText(`${row.candidate.encoder} / ${row.candidate.algorithm}`, 60),
      label: chartText(`${row.candidate.encoder} / ${row.candidate.algorithm} ${row.candidate.params}`, 80),
      // Algorithms that decide the number of segments themselves (k = 0) are placed at what they found.
      k: row.candidate.k > 0 ? row.candidate.k : row.clusterSizes.length,
      silhouette: finite(row.silhouette),
      densitySilhouette: finite(row.densitySilhouette),
      stability: finite(stabilityScore(row.stability)),
      lift: finite(lift?.value),
      liftLow: finite(lift?.ciLow),
      liftHigh: finite(lift?.ciHigh),
      chosen: sameCandidate(row.candidate, chosen),
    };
  });
}

const METRICS = [
  { field: 'silhouette', title: 'silhouette', band: false },
  { field: 'densitySilhouette', title: 'density silhouette', band: false },
  { field: 'stability', title: 'stability (ARI across refits)', band: false },
  { field: 'lift', title: 'validation NDCG@10 lift vs popularity', band: true },
] as const;

/**
 * Per encoder x algorithm, each metric against k: one line per candidate family, the lift with
 * its 95% interval as a band, the chosen candidate ringed.
 */
export async function metricsByKCharts(rows: CandidateMetrics[], chosen: CandidateRef): Promise<string> {
  const data = points(rows, chosen);
  const families = [...new Set(data.map((point) => point.family))].sort();
  const color = { field: 'family', type: 'nominal', title: 'encoder / algorithm', scale: { domain: families, scheme: 'category10' } } as const;
  const figures = [];
  for (const metric of METRICS) {
    const present = data.filter((point) => point[metric.field] !== null);
    if (present.length === 0) continue;
    const x = { field: 'k', type: 'quantitative', title: 'segments (k)', axis: { tickMinStep: 1 }, scale: { zero: false } } as const;
    const y = { field: metric.field, type: 'quantitative', title: metric.title, scale: { zero: false } } as const;
    const spec = {
      width: 300, height: 200,
      data: { values: present },
      layer: [
        ...(metric.band ? intervalLayers(present, x, color) : []),
        { name: 'family_lines', mark: { type: 'line', point: true }, encoding: { x, y, color } },
        {
          name: 'chosen_candidate',
          transform: [{ filter: 'datum.chosen' }],
          mark: { type: 'point', size: 220, strokeWidth: 2.5, color: '#111', filled: false },
          encoding: { x, y },
        },
      ],
    } as unknown as TopLevelSpec;
    const band = metric.band ? ' The bar behind each point is its 95% paired-bootstrap interval; a dashed one has no upper bound (drawn to the top of the chart).' : '';
    figures.push(figure(`metric-${metric.field}`, await vegaLiteSvg(spec), `${metric.title} against k, one line per encoder / algorithm; the chosen candidate is ringed.${band}`));
  }
  return `<div class="chart-row">${figures.join('\n')}</div>`;
}

/**
 * The lift's 95% intervals as wide translucent bars behind the points (a band between points would
 * vanish where a family has one interval): solid when bounded, dashed up to the chart's top when the
 * interval has no upper bound (the baseline scored 0 on some resamples).
 */
function intervalLayers(present: CandidatePoint[], x: object, color: object): object[] {
  const withLow = present.filter((point) => point.liftLow !== null);
  const top = Math.max(...present.flatMap((point) => [point.lift ?? -Infinity, point.liftHigh ?? -Infinity]));
  // Families' intervals at the same k are set a little apart, so they do not hide each other.
  const families = [...new Set(present.map((point) => point.family))].sort();
  const nudge = (family: string) => (families.indexOf(family) - (families.length - 1) / 2) * 0.07;
  const values = withLow.map((point) => ({ ...point, kNudged: point.k + nudge(point.family), bandHigh: point.liftHigh ?? Math.max(top, point.liftLow!), open: point.liftHigh === null }));
  const layer = (open: boolean) => ({
    data: { values: values.filter((value) => value.open === open) },
    mark: { type: 'rule', strokeWidth: 4, opacity: 0.35, ...(open ? { strokeDash: [4, 3] } : {}) },
    encoding: { x: { ...x, field: 'kNudged' }, y: { field: 'liftLow', type: 'quantitative' }, y2: { field: 'bandHigh' }, color: { ...color, legend: null } },
  });
  return [layer(false), layer(true)];
}

/** The candidates no other candidate beats on both stability and validation lift. */
export function paretoFront<T extends { stability: number | null; lift: number | null }>(candidates: T[]): T[] {
  const scored = candidates.filter((point) => point.stability !== null && point.lift !== null) as Array<T & { stability: number; lift: number }>;
  return scored
    .filter((point) => !scored.some((other) => other.stability >= point.stability && other.lift >= point.lift && (other.stability > point.stability || other.lift > point.lift)))
    .sort((a, b) => a.stability - b.stability || b.lift - a.lift);
}

/**
 * All candidates on stability vs validation lift, the Pareto front joined, the chosen one ringed and
 * labelled. Where no candidate has a lift (no held-out events, or popularity scored 0 on the
 * validation users), silhouette takes the lift's place, and the caption says so.
 */
export async function paretoChart(rows: CandidateMetrics[], chosen: CandidateRef): Promise<string> {
  const all = points(rows, chosen);
  const hasLift = all.some((point) => point.stability !== null && point.lift !== null);
  const value = hasLift ? { field: 'lift', title: 'validation NDCG@10 lift vs popularity' } : { field: 'silhouette', title: 'silhouette' };
  const data = all
    .map((point) => ({ ...point, value: hasLift ? point.lift : point.silhouette }))
    .filter((point) => point.stability !== null && point.value !== null);
  if (data.length === 0) return '<p>No candidate has a stability: nothing to weigh against each other.</p>';
  const front = paretoFront(data.map((point) => ({ ...point, lift: point.value })));
  const x = { field: 'stability', type: 'quantitative', title: 'stability (ARI across refits)', scale: { zero: false } } as const;
  const y = { field: 'value', type: 'quantitative', title: value.title, scale: { zero: false } } as const;
  const spec = {
    width: 520, height: 320,
    layer: [
      { name: 'pareto_front', data: { values: front }, mark: { type: 'line', color: '#999', strokeDash: [4, 3] }, encoding: { x, y, order: { field: 'stability' } } },
      {
        name: 'candidates', data: { values: data }, mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
        encoding: { x, y, color: { field: 'family', type: 'nominal', title: 'encoder / algorithm', scale: { scheme: 'category10' } }, shape: { field: 'family', type: 'nominal', title: 'encoder / algorithm' } },
      },
      { name: 'chosen_candidate', data: { values: data.filter((point) => point.chosen) }, mark: { type: 'point', size: 300, strokeWidth: 2.5, color: '#111' }, encoding: { x, y } },
      {
        data: { values: data.filter((point) => point.chosen) },
        mark: { type: 'text', align: 'left', dx: 12, dy: -10, fontWeight: 'bold' },
        encoding: { x, y, text: { value: 'chosen' } },
      },
    ],
  } as unknown as TopLevelSpec;
  const instead = hasLift ? '' : ' No candidate has a validation lift (no held-out events, or global popularity scored 0 on the validation users), so silhouette stands in for it.';
  return figure('pareto', await vegaLiteSvg(spec),
    `Every candidate (${data.length}) by stability and ${value.title}. The dashed line joins the Pareto front: candidates no other beats on both. The ringed one was chosen.${instead}`);
}
