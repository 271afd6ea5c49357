import { allowedTypos, typoDistance } from './typo.js';

/** One vocabulary term a query word expands to. */
export interface Expansion {
  term: number;
  typos: number;
  /** The word itself (not a prefix completion nor a typo variant). */
  exact: boolean;
}

/** The most terms a prefix expands to (the most frequent ones are kept). */
export const MAX_PREFIX_TERMS = 50;
/** The most terms a word's typo variants expand to (fewest typos, then most frequent). */
export const MAX_TYPO_TERMS = 30;

/**
 * Every indexed term, with an id. Prefix search runs on a sorted array of term ids (binary search; new terms wait in a
 * small unsorted tail merged in when it grows). Typo search only compares the word with terms of the same first letter
 * and a length within the allowed typos (buckets by first letter and length); a typo on the first letter costs 2,
 * so it is only tolerated on words of 9 letters or more.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly terms: string[] = [];
  /** How a term was written (accents) when that differs from the folded term; for suggestions. */
  readonly display: (string | undefined)[] = [];
  private sorted: number[] = [];
  private pending: number[] = [];
  private readonly byFirstAndLength = new Map<string, number[]>();
  private readonly byLength = new Map<number, number[]>();

  get size(): number {
    return this.terms.length;
  }

  get(term: string): number | undefined {
    return this.ids.get(term);
  }

  getOrAdd(term: string): number {
    let id = this.ids.get(term);
    if (id !== undefined) return id;
    id = this.terms.length;
    this.ids.set(term, id);
    this.terms.push(term);
    this.display.push(undefined);
    this.pending.push(id);
    if (this.pending.length > Math.max(4096, this.sorted.length >>> 3)) this.mergePending();
    const key = `${term[0]}${term.length}`;
    const bucket = this.byFirstAndLength.get(key);
    if (bucket) bucket.push(id);
    else this.byFirstAndLength.set(key, [id]);
    const lb = this.byLength.get(term.length);
    if (lb) lb.push(id);
    else this.byLength.set(term.length, [id]);
    return id;
  }

  private mergePending(): void {
    const t = this.terms;
    const p = this.pending.sort((a, b) => (t[a]! < t[b]! ? -1 : 1));
    const s = this.sorted;
    const out = new Array<number>(s.length + p.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < s.length && j < p.length) out[k++] = t[s[i]!]! < t[p[j]!]! ? s[i++]! : p[j++]!;
    while (i < s.length) out[k++] = s[i++]!;
    while (j < p.length) out[k++] = p[j++]!;
    this.sorted = out;
    this.pending = [];
  }

  /** Terms starting with `prefix` (the prefix itself included), the `cap` most frequent by `weight`. */
  withPrefix(prefix: string, weight: (term: number) => number, cap: number): number[] {
    const t = this.terms;
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[s[mid]!]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < s.length && t[s[i]!]!.startsWith(prefix); i++) found.push(s[i]!);
    for (const id of this.pending) if (t[id]!.startsWith(prefix)) found.push(id);
    if (found.length <= cap) return found;
    return found.sort((a, b) => weight(b) - weight(a) || (t[a]! < t[b]! ? -1 : 1)).slice(0, cap);
  }

  /** Terms within the word's allowed typos (not the word itself), fewest typos first, then most frequent. */
  withTypos(word: string, weight: (term: number) => number, cap: number): Expansion[] {
    const max = allowedTypos(word);
    if (max === 0) return [];
    const out: Expansion[] = [];
    const first = word[0]!;
    for (let len = word.length - max; len <= word.length + max; len++) {
      const bucket = this.byFirstAndLength.get(`${first}${len}`);
      if (!bucket) continue;
      for (const id of bucket) {
        const term = this.terms[id]!;
        if (term === word) continue;
        const d = typoDistance(word, term, max);
        if (d <= max) out.push({ term: id, typos: d, exact: false });
      }
    }
    if (max >= 2) {
      // A typo on the first letter counts as two: only one edit, and it must involve the first letter.
      for (let len = word.length - 1; len <= word.length + 1; len++) {
        for (const id of this.byLength.get(len) ?? []) {
          const term = this.terms[id]!;
          if (term[0] === first) continue;
          if (typoDistance(word, term, 1) <= 1) out.push({ term: id, typos: 2, exact: false });
        }
      }
    }
    if (out.length <= cap) return out;
    return out.sort((a, b) => a.typos - b.typos || weight(b.term) - weight(a.term)).slice(0, cap);
  }
}
