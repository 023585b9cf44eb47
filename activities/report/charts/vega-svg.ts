import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Draws a Vega-Lite spec as an SVG string, when the report is written: Vega's headless renderer
 * ('none' + toSVG) needs no browser and no canvas, and escapes every text and attribute it writes,
 * so data text (brands, categories, names) cannot become markup. The report embeds the SVG inline:
 * no script, no CDN, the page reads offline and prints.
 */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const withDefaults = {
    ...spec,
    config: {
      aria: false, // the figure's caption describes the chart; per-mark ARIA labels would repeat every data value
      font: 'system-ui, sans-serif',
      view: { stroke: '#ddd' },
      // Without a canvas Vega estimates text widths generously: the limits leave room for ~40-character names.
      axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320 },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400 },
      ...(spec as { config?: object }).config,
    },
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withDefaults).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One chart in the report: the SVG in a figure, named for tests and readers, with a caption (already HTML). */
export function figure(name: string, svg: string, captionHtml: string): string {
  return `<figure class="chart" data-chart="${name}">${svg}<figcaption>${captionHtml}</figcaption></figure>`;
}

/** The segment colours, the same in every chart: one per segment name, in segment order. */
export function segmentColor(names: string[]) {
  return { domain: names, scheme: names.length <= 10 ? 'tableau10' : 'tableau20' };
}
