import type { SearchQuery } from '../../src/modules/catalog/search/index.js';
import { mulberry32, type Catalog } from './generate.js';

/**
 * The benchmark's query mix (seeded): 1–3 consecutive words of a random product's name (40/40/20 %), 20 % with one
 * typo in a word of ≥ 5 letters, 30 % with the last word cut to a prefix, 30 % with one filter (category root, price
 * range, in stock, brand or partner), 15 % sorted by price/name/newest; all with the four facets, limit 20.
 */
export interface BenchQuery {
  query: SearchQuery;
  /** Words as typed, and whether the last one is a prefix (for the FTS5 floor). */
  words: string[];
  prefix: boolean;
}

export function makeQueries(catalog: Catalog, count: number, seed: number): BenchQuery[] {
  const r = mulberry32(seed * 7 + 1);
  const out: BenchQuery[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  while (out.length < count) {
    const p = catalog.productAt(Math.floor(r() * catalog.size));
    const nameWords = p.name.split(' ');
    const roll = r();
    const n = Math.min(nameWords.length, roll < 0.4 ? 1 : roll < 0.8 ? 2 : 3);
    const start = Math.floor(r() * (nameWords.length - n + 1));
    const words = nameWords.slice(start, start + n).map((w) => (r() < 0.7 ? w.toLowerCase() : w));
    if (r() < 0.2) {
      const i = words.findIndex((w) => w.length >= 5);
      if (i >= 0) {
        const w = words[i]!;
        const at = 1 + Math.floor(r() * (w.length - 1));
        words[i] = w.slice(0, at) + letters[Math.floor(r() * 26)] + w.slice(at + 1);
      }
    }
    let prefix = false;
    if (r() < 0.3) {
      const last = words[words.length - 1]!;
      words[words.length - 1] = last.slice(0, Math.max(3, Math.ceil(last.length * 0.6)));
      prefix = true;
    }
    const filters: SearchQuery['filters'] = {};
    if (r() < 0.3) {
      const f = Math.floor(r() * 5);
      if (f === 0) filters.categoryPrefix = [p.category[0]!];
      else if (f === 1) Object.assign(filters, { priceMinMinor: 1000, priceMaxMinor: 10_000 });
      else if (f === 2) filters.inStock = true;
      else if (f === 3 && p.brand) filters.brands = [p.brand];
      else filters.partnerIds = [p.partnerId];
    }
    const sorts = ['price_asc', 'price_desc', 'name', 'newest'] as const;
    const sort = r() < 0.85 ? 'relevance' : sorts[Math.floor(r() * sorts.length)]!;
    out.push({
      query: { q: words.join(' '), filters, sort, facets: ['brand', 'category', 'partner', 'price'], limit: 20, cursor: null },
      words,
      prefix,
    });
  }
  return out;
}
