import type { TopLevelSpec } from 'vega-lite';
import type { CleaningAccounting } from '../../../common/contracts';
import { chartText } from '../display-text';
import { figure, vegaLiteSvg } from './vega-svg';

/** Where every raw row went: cleaned, duplicate, or quarantined by reason; then the users kept. */
export async function accountingChart(accounting: CleaningAccounting): Promise<string> {
  const rows = [
    { what: 'cleaned', count: accounting.cleanedRows, group: 'kept' },
    { what: 'exact duplicates', count: accounting.duplicateRows, group: 'removed' },
    ...Object.entries(accounting.quarantineByReason).sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => ({ what: `quarantined: ${chartText(reason, 40)}`, count, group: 'quarantined' })),
  ];
  const spec = {
    width: 420, height: { step: 20 }, data: { values: rows },
    layer: [
      {
        name: 'row_bars', mark: 'bar',
        encoding: {
          y: { field: 'what', type: 'nominal', title: null, sort: null },
          x: { field: 'count', type: 'quantitative', title: `raw rows (${accounting.rawRows.toLocaleString('en-US')} in all)` },
          color: { field: 'group', type: 'nominal', title: null, scale: { domain: ['kept', 'removed', 'quarantined'], range: ['#54a24b', '#bab0ac', '#e45756'] } },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { y: { field: 'what', type: 'nominal', sort: null }, x: { field: 'count', type: 'quantitative' }, text: { field: 'count', format: ',' } } },
    ],
  } as unknown as TopLevelSpec;
  return figure('accounting', await vegaLiteSvg(spec),
    `Every raw row is cleaned, removed as an exact duplicate, or quarantined with a reason. ${accounting.users.toLocaleString('en-US')} users remain, ` +
      `${accounting.sequencedUsers.toLocaleString('en-US')} of them segmented; ${accounting.holdoutEvents.toLocaleString('en-US')} events of ${accounting.holdoutUsers.toLocaleString('en-US')} users are held out for evaluation.`);
}

/** A step's stage: "embed-tfidf-shard-0003" -> "embed tfidf", "cluster-..." -> "cluster". */
export function stageOf(step: string): string {
  const embed = /^embed-(.+)-shard-\d+$/.exec(step);
  if (embed) return `embed ${embed[1]}`;
  if (step.startsWith('fit-')) return `fit ${step.slice(4)}`;
  for (const stage of ['cluster', 'score']) if (step.startsWith(`${stage}-`)) return stage;
  return step;
}

/**
 * The run's stages in time, from its checkpoints: a step is taken to run from the previous
 * checkpoint (the first from the run's start) to its own, and a stage spans its steps. Steps run in
 * parallel, so stages overlap; a resumed run shows the time of the attempt that finished each step.
 */
export function stageSpans(steps: Array<{ step: string; finishedAt: string }>, startedAt?: string): Array<{ stage: string; start: number; end: number; steps: number }> {
  const ordered = [...steps].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  if (ordered.length === 0) return [];
  const origin = Math.min(Date.parse(startedAt ?? ordered[0].finishedAt), Date.parse(ordered[0].finishedAt));
  const spans = new Map<string, { stage: string; start: number; end: number; steps: number }>();
  let previous = origin;
  for (const { step, finishedAt } of ordered) {
    const end = Date.parse(finishedAt);
    const stage = stageOf(step);
    const span = spans.get(stage) ?? { stage, start: (previous - origin) / 1000, end: 0, steps: 0 };
    span.end = (end - origin) / 1000;
    span.steps += 1;
    spans.set(stage, span);
    previous = end;
  }
  return [...spans.values()];
}

export async function stageDurationsChart(steps: Array<{ step: string; finishedAt: string }>, startedAt?: string): Promise<string> {
  const spans = stageSpans(steps, startedAt).map((span) => ({ ...span, stage: chartText(span.stage, 40), seconds: Math.round((span.end - span.start) * 10) / 10 }));
  if (spans.length === 0) return '';
  const spec = {
    width: 480, height: { step: 20 }, data: { values: spans },
    layer: [
      {
        name: 'stage_bars', mark: { type: 'bar', color: '#4c78a8' },
        encoding: { y: { field: 'stage', type: 'nominal', title: null, sort: null }, x: { field: 'start', type: 'quantitative', title: 'seconds since the run started' }, x2: { field: 'end' } },
      },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { y: { field: 'stage', type: 'nominal', sort: null }, x: { field: 'end', type: 'quantitative' }, text: { field: 'seconds', format: '.1f' } } },
    ],
  } as unknown as TopLevelSpec;
  return figure('stages', await vegaLiteSvg(spec),
    'Stages of the run from its checkpoints (seconds at the bar end; publishing, still running when this was written, is not shown). Each step counts from the checkpoint before it; parallel steps make stages overlap.');
}
