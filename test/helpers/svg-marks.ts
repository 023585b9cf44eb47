/**
 * How many marks a chart of a report draws, read from the HTML without a browser: the paths inside
 * the chart figure's mark groups named `<name>_marks` (a Vega-Lite layer's `name`). One path per
 * line series, per rect, per point.
 */
export function markCount(html: string, chart: string, name: string): number {
  const start = html.indexOf(`<figure class="chart" data-chart="${chart}">`);
  if (start < 0) return 0;
  const figure = html.slice(start, html.indexOf('</figure>', start));
  const groups = [...figure.matchAll(new RegExp(`<g class="mark-\\w+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'g'))];
  return groups.reduce((sum, [, inner]) => sum + (inner.match(/<path /g)?.length ?? 0), 0);
}
