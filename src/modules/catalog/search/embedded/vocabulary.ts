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
  /** Open addressing: slot → term id (-1 empty); looked up from a string or from a code-unit buffer. */
  private slots = new Int32Array(1 << 12).fill(-1);
  private hashes = new Uint32Array(1 << 12);
  readonly terms: string[] = [];
  /** How a term was written (accents) when that differs from the folded term; for suggestions. */
  readonly display: (string | undefined)[] = [];
  private sorted: number[] = [];
  private pending: number[] = [];
  private readonly byFirstAndLength = new Map<string, number[]>();
  private readonly firstLetters = new Set<string>();

  get size(): number {
    return this.terms.length;
  }

  get(term: string): number | undefined {
    let h = 0x811c9dc5;
    for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 0x01000193);
    h >>>= 0;
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i]!;
      if (id === -1) return undefined;
      if (this.hashes[id] === h && this.terms[id] === term) return id;
    }
  }

  /** The id of the term spelled by `buf[0, len)`, added when new. */
  getOrAddBuffer(buf: Uint16Array, len: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h >>>= 0;
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const id = this.slots[i]!;
      if (id === -1) break;
      if (this.hashes[id] !== h) continue;
      const t = this.terms[id]!;
      if (t.length !== len) continue;
      let same = true;
      for (let k = 0; k < len; k++) {
        if (t.charCodeAt(k) !== buf[k]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
    return this.insert(String.fromCharCode(...buf.subarray(0, len)), h, i);
  }

  getOrAdd(term: string): number {
    const known = this.get(term);
    if (known !== undefined) return known;
    let h = 0x811c9dc5;
    for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 0x01000193);
    h >>>= 0;
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i]! !== -1) i = (i + 1) & mask;
    return this.insert(term, h, i);
  }

  private insert(term: string, h: number, slot: number): number {
    const id = this.terms.length;
    if (id >= this.hashes.length) {
      const next = new Uint32Array(this.hashes.length * 2);
      next.set(this.hashes);
      this.hashes = next;
    }
    this.hashes[id] = h;
    this.slots[slot] = id;
    if ((id + 1) * 2 > this.slots.length) {
      const size = this.slots.length * 2;
      this.slots = new Int32Array(size).fill(-1);
      const mask = size - 1;
      for (let t = 0; t <= id; t++) {
        let j = this.hashes[t]! & mask;
        while (this.slots[j]! !== -1) j = (j + 1) & mask;
        this.slots[j] = t;
      }
    }
    this.terms.push(term);
    this.display.push(undefined);
    this.pending.push(id);
    if (this.pending.length > Math.max(4096, this.sorted.length >>> 3)) this.mergePending();
    const key = `${term[0]}${term.length}`;
    const bucket = this.byFirstAndLength.get(key);
    if (bucket) bucket.push(id);
    else this.byFirstAndLength.set(key, [id]);
    this.firstLetters.add(term[0]!);
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
      // A typo on the first letter counts as two: one edit, and it must touch the first letter — substitute,
      // insert or delete it, or swap it with the second. Candidates are spelled out and looked up.
      const rest = word.slice(1);
      const candidates = [rest, word[1]! + first + word.slice(2)];
      for (const x of this.firstLetters) {
        if (x === first) continue;
        candidates.push(x + rest, x + word);
      }
      const seen = new Set<number>();
      for (const c of candidates) {
        const id = this.get(c);
        if (id === undefined || seen.has(id) || c[0] === first) continue;
        seen.add(id);
        out.push({ term: id, typos: 2, exact: false });
      }
    }
    if (out.length <= cap) return out;
    return out.sort((a, b) => a.typos - b.typos || weight(b.term) - weight(a.term)).slice(0, cap);
  }
}
