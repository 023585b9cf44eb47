/**
 * A user's TF-IDF document arrives from DuckDB as one string (the tfidf_document macro in
 * sql/macros.sql: tokens e:<event type>, c:<category>, b:<brand> per event, oldest first, joined by
 * the unit separator); these are its tokens.
 */
const UNIT_SEPARATOR = '\x1f';

export function documentTokens(document: string | null): string[] {
  return document ? document.split(UNIT_SEPARATOR) : [];
}
