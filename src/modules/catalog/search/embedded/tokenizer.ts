/**
 * Tokenizer shared by indexing, querying and highlighting: case- and accent-insensitive for French and English.
 *
 * fold: NFD, diacritics stripped, lowercase, ligatures spelled out (œ → oe, æ → ae, ß → ss, ø → o, ł → l, đ → d).
 * tokenize: fold, drop French elisions (l', d', j', m', n', s', t', c', qu', lorsqu', puisqu', jusqu', quoiqu'),
 * then split on anything that is not a letter or a digit. Digits are kept ("128go" is one token).
 */

const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd' };
const LIGATURE = /[œæßøłđ]/g;
const HAS_LIGATURE = /[œæßøłđ]/;
const NON_ASCII = /[^\u0020-\u007e]/;
const MARKS = /\p{M}+/gu;
/** An elided article or pronoun at the start of a word, followed by an apostrophe (straight or typographic). */
const ELISION = /(?<![\p{L}\p{N}])(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu)['’`]/gu;
const WORD = /[\p{L}\p{N}]+/gu;

export function fold(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  let s = text.normalize('NFD').replace(MARKS, '').toLowerCase();
  if (HAS_LIGATURE.test(s)) s = s.replace(LIGATURE, (c) => LIGATURES[c] ?? c);
  return s;
}

/** Folded tokens of `text`, in order (duplicates kept). */
export function tokenize(text: string): string[] {
  const f = fold(text);
  return (f.indexOf("'") >= 0 || f.indexOf('’') >= 0 || f.indexOf('`') >= 0 ? f.replace(ELISION, ' ') : f).match(WORD) ?? [];
}

/** Lowercased (not folded) tokens, aligned with `tokenize(text)` when the lengths agree: display forms. */
export function surfaceTokens(text: string): string[] {
  return text.toLowerCase().normalize('NFC').replace(ELISION, ' ').match(WORD) ?? [];
}

export function hasNonAscii(text: string): boolean {
  return NON_ASCII.test(text);
}

/** SKU/EAN as a whole value: folded, trimmed, inner whitespace removed. */
export function normalizeCode(code: string): string {
  return fold(code.trim()).replace(/\s+/g, '');
}

/** One word of `text` with its position in the original string (for highlighting). */
export interface Span {
  start: number;
  end: number;
  /** The folded token, or null for an elided article (not a searchable token). */
  token: string | null;
}

const SPAN = /[\p{L}\p{N}\p{M}]+/gu;
const ELIDED = new Set(['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'lorsqu', 'puisqu', 'jusqu', 'quoiqu']);

/** Words of the ORIGINAL text with their offsets, so that highlights wrap the characters the user wrote. */
export function spans(text: string): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(SPAN)) {
    const start = m.index;
    const end = start + m[0].length;
    const folded = fold(m[0]);
    const next = text[end];
    const elided = (next === "'" || next === '’' || next === '`') && ELIDED.has(folded);
    out.push({ start, end, token: elided ? null : folded });
  }
  return out;
}
