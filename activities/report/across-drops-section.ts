import type { Transition } from '../segment-models/monic-transitions';
import type { AcrossDrops } from './across-drops';
import { displayText } from './display-text';
import { migrationChart, sizesOverDropsChart } from './charts/drift-charts';

/**
 * The report's "Across drops" section: how this drop compares with the model it was assigned into
 * or refitted from, the pipeline's segment sizes over its drops, this drop's MONIC transitions in
 * plain words and the migration matrix of returning users (docs/DRIFT.md defines every number).
 */
export async function renderAcrossDrops(across: AcrossDrops): Promise<string> {
  const { summary } = across;
  const nameOf = new Map(across.names.map(({ id, name }) => [id, name]));
  // A segment without a name of its own (a fresh id is named `segment <id>`) is not named twice.
  const segment = (id: number) => (nameOf.has(id) && nameOf.get(id) !== `segment ${id}` ? `segment ${id} (${displayText(nameOf.get(id), 80)})` : `segment ${id}`);
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const model = `model v${summary.comparedWith.version} (fitted on drop <code>${displayText(summary.comparedWith.dropId)}</code>)`;
  const how = summary.mode === 'assign' ? `was assigned into ${model}` : `was refitted; its segments were matched to the ids of ${model}`;
  const trigger = summary.triggeredBy
    ? ` It was first assigned into v${summary.triggeredBy.version}, whose ${summary.triggeredBy.rule === 'refitDriftThreshold' ? 'drift score' : 'share shift'} ${summary.triggeredBy.value} reached ${summary.triggeredBy.rule} ${summary.triggeredBy.threshold}, so it was refitted.`
    : '';
  const centroids = summary.centroidSpace === 'model space' ? '' : ` Centroids were not compared (${displayText(summary.centroidSpace)}).`;
  const missing = across.dropsWithoutSizes > 0 ? ` ${across.dropsWithoutSizes} earlier drop(s) recorded no segment sizes (assigned before sizes were kept) and are left out of the chart.` : '';
  return `<h2>Across drops</h2>
<p>Pipeline <code>${displayText(across.pipeline)}</code>: this drop ${how}.${trigger} Compared with that model's own users:
${summary.returningUsers.toLocaleString('en-US')} returning users, ${percent(summary.migratedShare)} of them in another segment now;
segment shares shifted by ${percent(summary.shareShift)} (total variation); drift score ${summary.driftScore} (the larger of the two).${centroids}${missing}</p>
<div class="chart-row">
${across.sizes.length > 0 ? await sizesOverDropsChart(across) : ''}
${across.migration.rows.length > 0 && across.migration.columns.length > 0 ? await migrationChart(across) : ''}
</div>
<h3>Transitions of the segments (MONIC)</h3>
${transitionsTable(across.transitions, segment, summary.comparedWith.version)}`;
}

function transitionsTable(transitions: Transition[], segment: (id: number) => string, version: number): string {
  if (transitions.length === 0) return '<p>No segment to compare.</p>';
  const ids = (list: number[]) => (list.length > 0 ? list.join(', ') : '-');
  const rows = transitions.map((transition) => `<tr><td class="text">${transition.kind}</td><td>${ids(transition.from)}</td><td>${ids(transition.to)}</td><td class="text">${inWords(transition, segment)}</td></tr>`);
  return `<div class="table-scroll"><table class="transitions"><thead><tr><th>transition</th><th>in model v${version}</th><th>in this drop</th><th>in plain words</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

/** One transition as a sentence (HTML; names escaped by `segment`). Overlaps are shares of the old segment's returning users. */
export function inWords(transition: Transition, segment: (id: number) => string): string {
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
  const { from, to, overlaps } = transition;
  switch (transition.kind) {
    case 'survived':
      return `${segment(from[0])} survived${to[0] === from[0] ? '' : ` as ${segment(to[0])}`}: ${percent(overlaps[0])} of its returning users are in it now.`;
    case 'absorbed':
      return `${list(from.map(segment))} were absorbed into ${segment(to[0])}, which holds ${list(overlaps.map(percent))} of their returning users.`;
    case 'split':
      return `${segment(from[0])} split into ${list(to.map(segment))} (${list(overlaps.map(percent))} of its returning users).`;
    case 'disappeared':
      return `${segment(from[0])} disappeared: no segment of this drop holds most of its returning users, and they did not split into a few.`;
    case 'emerged':
      return `${segment(to[0])} emerged: no earlier segment lives on in it (new users, or users gathered from several segments).`;
  }
}
