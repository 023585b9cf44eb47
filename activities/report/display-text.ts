/**
 * How the report shows text it does not control (brands, categories, titles, queries, item ids, drop
 * ids, paths and other config values): as escaped HTML, without control or bidirectional-override
 * characters, and cut when very long. Pure.
 */

export function escapeHtml(value: unknown): string {
  return String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Longer text (a brand, a category, a path from the data or the config) is shown cut, whole in a tooltip. */
const MAX_SHOWN_CHARS = 200;

/**
 * Characters that must not reach the page as they are: C0 controls but tab and newline, DEL, C1
 * controls, and the bidirectional marks, embeddings, overrides and isolates (U+202E makes the text
 * after it read backwards). Each becomes U+FFFD, so the reader sees that something was there; an
 * HTML character reference would not do, the browser turns it back into the character.
 */
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Text from the data, the config or the run as HTML: unsafe characters replaced, markup escaped, and
 * past `maxChars` characters cut with '…', the whole text kept in a title attribute. Every piece of
 * text the report shows goes through here.
 */
export function displayText(value: unknown, maxChars = MAX_SHOWN_CHARS): string {
  const whole = safeCharacters(value);
  const shown = shorten(whole, maxChars);
  return shown === whole ? escapeHtml(whole) : `<span title="${escapeHtml(whole)}">${escapeHtml(shown)}</span>`;
}

/** The same text for the page's <title>, where no markup is read: cut, without the tooltip. */
export function titleText(value: unknown): string {
  return escapeHtml(shorten(safeCharacters(value), MAX_SHOWN_CHARS));
}

function safeCharacters(value: unknown): string {
  return String(value ?? '').replace(UNSAFE_CHARACTERS, '\uFFFD');
}

function shorten(text: string, maxChars: number): string {
  const characters = Array.from(text); // code points: a cut never splits a surrogate pair
  return characters.length > maxChars ? `${characters.slice(0, maxChars).join('')}…` : text;
}

/**
 * Text for a chart label: unsafe characters replaced and cut like displayText, but not escaped,
 * because the chart renderer escapes what it writes (activities/report/charts/vega-svg.ts).
 */
export function chartText(value: unknown, maxChars = 40): string {
  return shorten(safeCharacters(value), maxChars);
}
