import { spans } from './tokenizer.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** What a query matched: whole terms (exact words, typo variants, prefix completions) and the last word's prefix. */
export interface MatchedTerms {
  terms: ReadonlySet<string>;
  prefix: string | null;
}

/**
 * `text` HTML-escaped, with every word whose folded form the query matched wrapped in `<mark>`…`</mark>`
 * (accent- and case-insensitive: the user's own spelling is kept inside the mark).
 */
export function highlight(text: string, matched: MatchedTerms): string {
  let out = '';
  let at = 0;
  for (const s of spans(text)) {
    if (s.token === null) continue;
    const hit = matched.terms.has(s.token) || (matched.prefix !== null && s.token.startsWith(matched.prefix));
    if (!hit) continue;
    out += `${escapeHtml(text.slice(at, s.start))}<mark>${escapeHtml(text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return out + escapeHtml(text.slice(at));
}
