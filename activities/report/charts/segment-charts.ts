import type { TopLevelSpec } from 'vega-lite';
import type { SegmentGeometry } from '../segment-geometry';
import { EVENT_MIX, isIdTerm, populationProfile } from '../segment-names';
import { chartText } from '../display-text';
import { figure, segmentColor, vegaLiteSvg } from './vega-svg';

type Row = Record<string, unknown>;

/** Segment -> its name as a chart label (cut, unsafe characters replaced; Vega escapes it). */
export function chartNames(profiles: Row[]): Map<number, string> {
  return new Map(profiles.map((profile) => [Number(profile.segment), chartText(profile.name ?? `segment ${String(profile.segment)}`, 48)]));
}

/** The users on the first two principal components of the clustering space, coloured by segment, names at the centres. */
export async function userMapChart(map: SegmentGeometry['map'], names: Map<number, string>): Promise<string> {
  const nameOf = (segment: number) => names.get(segment) ?? `segment ${segment}`;
  const points = map.points.map((point) => ({ x: point.x, y: point.y, name: nameOf(point.segment) }));
  const centres = [...names].map(([segment, name]) => {
    const own = map.points.filter((point) => point.segment === segment);
    const mean = (key: 'x' | 'y') => own.reduce((sum, point) => sum + point[key], 0) / Math.max(own.length, 1);
    return { x: mean('x'), y: mean('y'), name, users: own.length };
  }).filter((centre) => centre.users > 0)
    // Neighbouring centres' names are set at alternating heights, so close centres do not print over each other.
    .sort((a, b) => a.x - b.x || a.name.localeCompare(b.name))
    .map((centre, rank) => ({ ...centre, offset: ((rank % 3) - 1) * 16 }));
  const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
  const x = { field: 'x', type: 'quantitative', title: `PC 1 (${percent(map.explained[0])} of variance)`, axis: { labels: false, ticks: false } } as const;
  const y = { field: 'y', type: 'quantitative', title: `PC 2 (${percent(map.explained[1])})`, axis: { labels: false, ticks: false } } as const;
  const spec = {
    width: 640, height: 440,
    layer: [
      {
        name: 'users', data: { values: points }, mark: { type: 'circle', size: 14, opacity: 0.55 },
        encoding: { x, y, color: { field: 'name', type: 'nominal', title: 'segment', scale: segmentColor([...names.values()]) } },
      },
      // Each name twice: a white halo under it keeps it readable over the points.
      ...[-16, 0, 16].flatMap((dy) => [
        { data: { values: centres.filter((centre) => centre.offset === dy) }, mark: { type: 'text', dy, fontWeight: 'bold', fontSize: 12, stroke: 'white', strokeWidth: 3, strokeOpacity: 0.85 }, encoding: { x, y, text: { field: 'name' } } },
        { name: `segment_centres_${dy + 16}`, data: { values: centres.filter((centre) => centre.offset === dy) }, mark: { type: 'text', dy, fontWeight: 'bold', fontSize: 12 }, encoding: { x, y, text: { field: 'name' } } },
      ]),
    ],
  } as unknown as TopLevelSpec;
  const sampled = map.points.length < map.users ? `a seeded sample of ${map.points.length.toLocaleString('en-US')} of ${map.users.toLocaleString('en-US')} users` : `all ${map.users.toLocaleString('en-US')} users`;
  return figure('user-map', await vegaLiteSvg(spec),
    `Users on the first two principal components of the chosen encoder's space (${sampled}), coloured by segment; names at the segments' centres. Segments can overlap here and still be apart in the full space.`);
}

/** One bar per segment: its users. */
export async function segmentSizesChart(profiles: Row[], names: Map<number, string>): Promise<string> {
  const values = profiles.map((profile) => ({ name: names.get(Number(profile.segment)), users: Number(profile.users), share: Number(profile.share) }));
  const spec = {
    width: 420, height: { step: 22 }, data: { values },
    layer: [
      {
        name: 'segment_bars', mark: 'bar',
        encoding: {
          y: { field: 'name', type: 'nominal', title: null, sort: null },
          x: { field: 'users', type: 'quantitative', title: 'users' },
          color: { field: 'name', type: 'nominal', legend: null, scale: segmentColor([...names.values()]) },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3 },
        encoding: { y: { field: 'name', type: 'nominal', sort: null }, x: { field: 'users', type: 'quantitative' }, text: { field: 'share', format: '.0%' } },
      },
    ],
  } as unknown as TopLevelSpec;
  return figure('segment-sizes', await vegaLiteSvg(spec), 'Users per segment (share of all segmented users at the bar end).');
}

/** Cosine similarity of the segments' centroids relative to the population mean, as a heatmap. */
export async function similarityChart(similarity: SegmentGeometry['similarity'], names: Map<number, string>): Promise<string> {
  const nameOf = (segment: number) => names.get(segment) ?? `segment ${segment}`;
  const values = similarity.segments.flatMap((a, i) => similarity.segments.map((b, j) => ({ a: nameOf(a), b: nameOf(b), cosine: similarity.values[i][j] })));
  const order = similarity.segments.map(nameOf);
  const spec = {
    width: { step: 34 }, height: { step: 34 }, data: { values },
    encoding: {
      x: { field: 'b', type: 'nominal', title: null, sort: order, axis: { labelAngle: -40 } },
      y: { field: 'a', type: 'nominal', title: null, sort: order },
    },
    layer: [
      { name: 'similarity_cells', mark: 'rect', encoding: { color: { field: 'cosine', type: 'quantitative', title: 'cosine', scale: { domain: [-1, 1], scheme: 'redblue', reverse: true } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'cosine', format: '.2f' }, color: { condition: { test: 'abs(datum.cosine) > 0.6', value: 'white' }, value: 'black' } } },
    ],
  } as unknown as TopLevelSpec;
  return figure('similarity', await vegaLiteSvg(spec),
    'How alike the segments are: cosine similarity of their centroids in the clustering space, each taken relative to the mean of all users (1: they differ from the population the same way; -1: in opposite ways).');
}

/** A segment's event mix (share of its events per type) next to the population's. */
export async function eventMixChart(profile: Row, profiles: Row[]): Promise<string> {
  const population = populationProfile(profiles.filter((row) => Number(row.segment) >= 0));
  const values = EVENT_MIX.filter((kind) => population.mix[kind] > 0 || Number(profile[`${kind}_share`]) > 0).flatMap((kind) => [
    { event: kind, who: 'segment', share: Number(profile[`${kind}_share`] ?? 0) },
    { event: kind, who: 'population', share: population.mix[kind] },
  ]);
  const spec = {
    width: 260, height: { step: 11 }, data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'event', type: 'nominal', title: null, sort: [...EVENT_MIX] },
      yOffset: { field: 'who', sort: ['segment', 'population'] },
      x: { field: 'share', type: 'quantitative', title: 'share of events', axis: { format: '.0%' } },
      color: { field: 'who', type: 'nominal', title: null, scale: { domain: ['segment', 'population'], range: ['#4c78a8', '#c7c7c7'] }, legend: { orient: 'bottom' } },
    },
  } as unknown as TopLevelSpec;
  return figure('event-mix', await vegaLiteSvg(spec), 'Event mix: the segment against all segmented users.');
}

/** A segment's most distinctive categories, brands and items, by lift. */
export async function topTermsChart(segment: number, topTerms: Row[]): Promise<string> {
  const own = topTerms.filter((term) => Number(term.segment) === segment);
  if (own.length === 0) return '<p class="muted">No category, brand or item is chosen by at least 3 of its users more often than by the population.</p>';
  const used = new Set<string>();
  const values = own.map((term) => {
    // Two terms cut to the same label would share one bar: number the later ones.
    // Ids are labelled as ids ("#1487580008984608779"): the log has no names for them.
    const text = `${isIdTerm(String(term.kind), String(term.term)) ? '#' : ''}${chartText(term.term, 36)}`;
    let label = text;
    for (let copy = 2; used.has(`${String(term.kind)}:${label}`); copy++) label = `${text} (${copy})`;
    used.add(`${String(term.kind)}:${label}`);
    return { term: label, kind: String(term.kind), lift: Number(term.lift), users: Number(term.segment_users) };
  });
  const kinds = ['category', 'brand', 'item'].filter((kind) => values.some((value) => value.kind === kind));
  const y = { field: 'term', type: 'nominal', title: null, sort: null } as const;
  const x = { field: 'lift', type: 'quantitative', title: 'lift (x the population)' } as const;
  const spec = {
    resolve: { scale: { y: 'independent' } }, // each kind lists its own terms
    data: { values: [...values].sort((a, b) => b.lift - a.lift) },
    vconcat: kinds.map((kind) => ({
      title: { text: kind, anchor: 'start', fontSize: 11 },
      width: 220, height: { step: 14 },
      transform: [{ filter: { field: 'kind', equal: kind } }],
      layer: [
        { name: `term_bars_${kind}`, mark: 'bar', encoding: { y, x, color: { value: '#f58518' } } },
        { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y, x, text: { field: 'lift', format: '.1f' } } },
      ],
    })),
  } as unknown as TopLevelSpec;
  return figure('top-terms', await vegaLiteSvg(spec), 'What sets it apart: terms its users chose more often than the population (lift), per kind; # marks an id where the log has no name.');
}
