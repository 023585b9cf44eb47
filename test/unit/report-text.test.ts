import { describe, expect, it } from 'vitest';
import { displayText } from '../../activities/report/display-text';
import { renderReport, type ReportModel } from '../../activities/report/render-report';
import type { CandidateMetrics } from '../../common/contracts';
import { resolveRunConfig } from '../../common/run-config';

const EVIL_BRAND = 'acme\u202Eevil\u0007\u0000\u2066x\u200F\u0085\u007F';
const LONG_CATEGORY = `${'c'.repeat(200)}${'d'.repeat(800)}`;
/** Every character the report must not pass on: C0 (but tab, newline), DEL, C1, bidi marks/overrides/isolates. */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

const candidate: CandidateMetrics = {
  candidate: { encoder: 'behavior-stats', algorithm: 'kmeans', params: 'k=2', k: 2 },
  silhouette: 0.4, silhouetteSampled: false, daviesBouldin: 1, calinskiHarabasz: 10, inertia: 5, clusterSizes: [3, 3], clusterSeconds: 0.1,
};

function reportWith(text: string): ReportModel {
  return {
    dropId: `drop-${text}`, workflowId: 'wf', runDir: '/runs/x',
    accounting: { rawRows: 10, cleanedRows: 10, quarantinedRows: 0, duplicateRows: 0, quarantineByReason: {}, users: 6, sequencedUsers: 6, holdoutEvents: 0, holdoutUsers: 0 },
    leaderboard: [candidate], selectionRule: 'rule', chosen: candidate.candidate, selectionReason: 'best',
    profiles: [{ segment: 0, users: 3, top_brand: EVIL_BRAND, top_category: LONG_CATEGORY }],
    topTerms: [
      { segment: 0, kind: 'brand', term: EVIL_BRAND, lift: 2 },
      { segment: 0, kind: 'category', term: LONG_CATEGORY, lift: 1.5 },
      { segment: 0, kind: 'item', term: `item\u0000${text}`, lift: 1.2 },
    ],
    representatives: [{ segment: 0, userId: `u\u202E${text}`, sequence: `view ${LONG_CATEGORY} ${EVIL_BRAND}; search ${text}` }],
    steps: [{ step: 'clean', finishedAt: 't' }],
    config: resolveRunConfig({ mappingFile: `/maps/${EVIL_BRAND}.json`, transformerEventSeparator: `\u0007${text}` }),
    generatedAt: 'now',
  };
}

describe('report text', () => {
  it('passes no control or bidirectional-override character from the data or the config into the HTML', async () => {
    const html = await renderReport(reportWith('\u202Equery'));
    for (const character of ['\u202E', '\u0007', '\u0000', '\u2066', '\u200F', '\u0085', '\u007F']) expect(html).not.toContain(character);
    expect(html).not.toMatch(UNSAFE);
    // Replaced visibly, not dropped: the reader sees that something was there.
    expect(html).toContain('acme\uFFFDevil\uFFFD\uFFFD\uFFFDx\uFFFD\uFFFD\uFFFD');
  });

  it('cuts a 1000-character value at 200 characters (a sequence at 400) and keeps the whole of it in a tooltip', async () => {
    const html = await renderReport(reportWith('q'));
    expect(html).toContain(`<td class="text"><span title="${LONG_CATEGORY}">${'c'.repeat(200)}…</span></td>`);
    expect(html).toContain(`<span title="${LONG_CATEGORY}">${'c'.repeat(200)}…</span> (1.5x)`);
    expect(html).toContain(`>view ${'c'.repeat(200)}${'d'.repeat(195)}…</span>`);
    // Nowhere shown in full outside a title attribute.
    expect(html.replace(/ title="[^"]*"/g, '')).not.toContain(LONG_CATEGORY);
  });

  it('escapes markup, also inside the tooltip', () => {
    expect(displayText('<b>"x"</b>')).toBe('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    const long = `"><script>${'x'.repeat(300)}`;
    const shown = displayText(long);
    expect(shown).not.toContain('<script>');
    expect(shown.startsWith('<span title="&quot;&gt;&lt;script&gt;')).toBe(true);
  });

  it('keeps tab and newline, and never cuts a character in half', () => {
    expect(displayText('a\tb\nc')).toBe('a\tb\nc');
    expect(displayText('😀'.repeat(3), 2)).toBe('<span title="😀😀😀">😀😀…</span>');
  });
});

describe('a report of a downstream evaluation on a sample (downstreamMaxUsers)', () => {
  const lift = { value: 0.2, ciLow: 0.1, ciHigh: 0.3, segment: 0.12, baseline: 0.1 };
  const withDownstream = (sampledFrom?: number): ReportModel => {
    const atK = { '10': { hr: 0.2, ndcg: 0.1, mrr: 0.1, precision: 0.02, recall: 0.2, coverage: 0.1 } };
    const downstream = {
      users: 200_000, ...(sampledFrom === undefined ? {} : { sampledFrom }), catalogue: 500, ks: [10],
      segment: atK, popularity: atK, random: atK, lift: { ndcg10: lift },
      validation: { users: 100_651, ndcg10: lift }, test: { users: 99_349, ndcg10: lift },
    };
    const chosen = { ...candidate, downstream } as CandidateMetrics;
    return {
      ...reportWith('sample'), leaderboard: [chosen],
      evidence: { strength: 'strong', statement: 'It recommends better.', validation: downstream.validation, test: downstream.test } as never,
    };
  };

  it('says the users are a seeded sample, of how many, next to the validation and test figures and in the downstream section', async () => {
    const html = await renderReport(withDownstream(754_095));
    expect(html).toContain('Both halves are of a seeded sample of the 754,095 users with held-out events');
    expect(html).toContain('Each of 200,000 users with held-out events (a seeded sample of the 754,095');
    expect(html).toContain('20.0% [10%, 30%]');
    const everyone = await renderReport(withDownstream());
    expect(everyone).not.toContain('seeded sample of the');
    expect(everyone).toContain('Each of 200,000 users with held-out events is recommended');
  });
});
