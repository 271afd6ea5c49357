/**
 * Tokenizer shared by indexing, querying and highlighting: case- and accent-insensitive for French and English.
 *
 * fold: NFD, diacritics stripped, lowercase, ligatures spelled out (œ → oe, æ → ae, ß → ss, ø → o, ł → l, đ → d).
 * tokenize: fold, drop French elisions (l', d', j', m', n', s', t', c', qu', lorsqu', puisqu', jusqu', quoiqu'),
 * then split on anything that is not a letter or a digit. Digits are kept ("128go" is one token).
 */

const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd' };
const NON_ASCII = /[^\u0020-\u007e]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;
const MARKS = /\p{M}+/gu;
/** An elided article or pronoun at the start of a word, followed by an apostrophe (straight or typographic). */
const ELISION = /(?<![\p{L}\p{N}])(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu)['’`]/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** Folded form of one lowercase non-ASCII character, cached (a combining mark folds to ''). */
const folded = new Map<string, string>();
function foldChar(c: string): string {
  let f = folded.get(c);
  if (f === undefined) {
    f = c.normalize('NFD').replace(MARKS, '');
    f = f.replace(/[œæßøłđ]/g, (x) => LIGATURES[x] ?? x);
    if (folded.size < 10_000) folded.set(c, f);
  }
  return f;
}

export function fold(text: string): string {
  const lower = text.toLowerCase();
  // Decomposed input (a letter then combining marks) folds character by character too: marks fold to ''.
  return NON_ASCII.test(lower) ? lower.replace(NON_ASCII_ALL, foldChar) : lower;
}

/** Folded tokens of `text`, in order (duplicates kept). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  scanTokens(text, (buf, len) => out.push(String.fromCharCode(...buf.subarray(0, len))));
  return out;
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

// ------------------------------------------------------------------------------------------------
// Allocation-free scanner (indexing): the same tokens as `tokenize`, delivered as UTF-16 code units in a
// reused buffer, so that known terms are looked up without creating a string.
// ------------------------------------------------------------------------------------------------

/** Longer tokens are cut to this many code units. */
export const MAX_TOKEN = 64;
const APOSTROPHE = -2;
const SEPARATOR = -1;
/** ASCII: the folded code, SEPARATOR or APOSTROPHE. */
const ASCII = new Int32Array(128).map((_, c) => {
  if (c >= 65 && c <= 90) return c + 32;
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return c;
  return c === 39 || c === 96 ? APOSTROPHE : SEPARATOR;
});
const IS_WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** Non-ASCII code unit → its folded code units ('' for a combining mark), or null for a separator. */
const wide = new Map<number, string | null>();
function foldWide(c: number): string | null {
  let f = wide.get(c);
  if (f === undefined) {
    const ch = String.fromCharCode(c);
    f = c === 0x2019 ? "'" : IS_WORD_CHAR.test(ch) ? foldChar(ch.toLowerCase()) : null;
    wide.set(c, f);
  }
  return f;
}
const ELISION_WORDS = ['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'lorsqu', 'puisqu', 'jusqu', 'quoiqu'];

function isElision(buf: Uint16Array, len: number): boolean {
  if (len > 7) return false;
  outer: for (const w of ELISION_WORDS) {
    if (w.length !== len) continue;
    for (let i = 0; i < len; i++) if (w.charCodeAt(i) !== buf[i]) continue outer;
    return true;
  }
  return false;
}

const buffer = new Uint16Array(MAX_TOKEN);

/** Calls `emit(buf, len)` for each token of `text` (the buffer is reused: copy what you keep). */
export function scanTokens(text: string, emit: (buf: Uint16Array, len: number) => void): void {
  const buf = buffer;
  let len = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let code: number;
    let wideFold: string | null = null;
    if (c < 128) code = ASCII[c]!;
    else {
      wideFold = foldWide(c);
      code = wideFold === null ? SEPARATOR : wideFold === "'" ? APOSTROPHE : 0;
    }
    if (code >= 0) {
      inWord = true;
      if (wideFold === null) {
        if (len < MAX_TOKEN) buf[len++] = code;
      } else {
        for (let k = 0; k < wideFold.length && len < MAX_TOKEN; k++) buf[len++] = wideFold.charCodeAt(k);
      }
      continue;
    }
    if (inWord && len > 0 && !(code === APOSTROPHE && isElision(buf, len))) emit(buf, len);
    inWord = false;
    len = 0;
  }
  if (inWord && len > 0) emit(buf, len);
}
