/**
 * Typo tolerance: how many typos a query word may have, and a bounded Damerau–Levenshtein distance (optimal
 * string alignment: insertion, deletion, substitution, transposition of two adjacent letters each cost 1).
 */

/** 0 typos below 5 letters, 1 from 5, 2 from 9 (the catalog issue's rule, as Meilisearch defaults). */
export function allowedTypos(word: string): number {
  const n = word.length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

const MAX_LEN = 64;
let rowA = new Int32Array(MAX_LEN + 1);
let rowB = new Int32Array(MAX_LEN + 1);
let rowC = new Int32Array(MAX_LEN + 1);

/** Distance between `a` and `b` when it is ≤ `max`, else `max + 1` (stops as soon as it must exceed `max`). */
export function typoDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la > MAX_LEN || lb > MAX_LEN) return a === b ? 0 : max + 1;
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  rowA = prev2;
  rowB = prev;
  rowC = cur;
  const d = prev[lb]!;
  return d > max ? max + 1 : d;
}
