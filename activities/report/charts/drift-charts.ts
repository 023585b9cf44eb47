import type { TopLevelSpec } from 'vega-lite';
import type { AcrossDrops } from '../across-drops';
import { chartText } from '../display-text';
import { figure, segmentColor, vegaLiteSvg } from './vega-svg';

/** A persisted segment id as a chart label: "3: Cart-heavy buyers" (unique, since ids are), "noise" for -1. */
export function segmentLabels(names: AcrossDrops['names']): (id: number) => string {
  const nameOf = new Map(names.map(({ id, name }) => [id, chartText(name, 40)]));
  return (id) => (id < 0 ? 'noise' : `${id}: ${nameOf.get(id) ?? `segment ${id}`}`);
}

/** A drop as an axis label: its place in the pipeline and its id. */
function dropLabel(sequence: number, dropId: string): string {
  return `#${sequence} ${chartText(dropId, 28)}`;
}

/** One line per persisted segment: its users in each drop of the pipeline (a point where it has only one). */
export async function sizesOverDropsChart(across: Pick<AcrossDrops, 'sizes' | 'names'>): Promise<string> {
  const label = segmentLabels(across.names);
  const drops = [...new Map(across.sizes.map((size) => [size.sequence, dropLabel(size.sequence, size.dropId)]))].sort(([a], [b]) => a - b).map(([, name]) => name);
  const ids = [...new Set(across.sizes.map((size) => size.id))].sort((a, b) => a - b);
  const values = across.sizes.map((size) => ({ drop: dropLabel(size.sequence, size.dropId), segment: label(size.id), users: size.users }));
  const encoding = {
    x: { field: 'drop', type: 'ordinal', title: 'drop (order in the pipeline)', sort: drops, axis: { labelAngle: -30 } },
    y: { field: 'users', type: 'quantitative', title: 'users' },
    color: { field: 'segment', type: 'nominal', title: 'segment', scale: segmentColor(ids.map(label)) },
  };
  const spec = {
    width: Math.max(240, 90 * drops.length), height: 260, data: { values },
    layer: [
      { name: 'segment_size_lines', mark: { type: 'line', strokeWidth: 2 }, encoding },
      { name: 'segment_size_points', mark: { type: 'point', filled: true, size: 40 }, encoding },
    ],
  } as unknown as TopLevelSpec;
  return figure('sizes-over-drops', await vegaLiteSvg(spec),
    'Users per segment in each drop of the pipeline, by persisted id (the id a segment keeps across refits); a line that ends is a segment that disappeared, one that starts late emerged.');
}

/** Where returning users went: one cell per (segment before, segment now), coloured by the row's share, the count written in it. */
export async function migrationChart(across: Pick<AcrossDrops, 'migration' | 'names' | 'summary'>): Promise<string> {
  const label = segmentLabels(across.names);
  const { rows, columns, counts, rates } = across.migration;
  const values = rows.flatMap((from, r) => columns.map((to, c) => ({ from: label(from), to: label(to), users: counts[r][c], rate: rates[r][c] })));
  const { comparedWith } = across.summary;
  const spec = {
    // Axis titles would print over long names (Vega measures text without a canvas): the chart's title says which axis is which.
    title: { text: `rows: segments of model v${comparedWith.version}; columns: segments of this drop`, fontSize: 11, fontWeight: 'normal', anchor: 'start' },
    width: { step: 40 }, height: { step: 30 }, data: { values },
    encoding: {
      x: { field: 'to', type: 'nominal', title: null, sort: columns.map(label), axis: { labelAngle: -40, orient: 'top' } },
      y: { field: 'from', type: 'nominal', title: null, sort: rows.map(label) },
    },
    layer: [
      { name: 'migration_cells', mark: 'rect', encoding: { color: { field: 'rate', type: 'quantitative', title: 'share of the row', scale: { domain: [0, 1], scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'users', format: ',d' }, color: { condition: { test: 'datum.rate > 0.6', value: 'white' }, value: 'black' } } },
    ],
  } as unknown as TopLevelSpec;
  return figure('migration', await vegaLiteSvg(spec),
    `Migration of returning users: each row is a segment of model v${comparedWith.version} (its own users), each column a segment of this drop; the number is users, the colour the share of the row. The diagonal stayed; noise is the last row and column.`);
}
