import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchEngine } from '../../src/modules/catalog/search/embedded/engine.js';
import type { SearchQuery, SearchSort } from '../../src/modules/catalog/search/search-index.js';
import { makeProduct } from '../conformance/search-index.suite.js';

const q = (text: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  q: text,
  filters: {},
  sort: 'relevance',
  facets: ['brand', 'category', 'partner', 'price'],
  limit: 37,
  cursor: null,
  ...more,
});

// 3,000 products, most of them matching "lampe": an engine that estimates above 1,000 candidates (sample 600) against
// one that always counts exactly.
const products = Array.from({ length: 3000 }, (_, i) =>
  makeProduct({
    name: i % 10 === 0 ? `Applique ${i}` : `Lampe ${i % 3 ? 'rouge' : 'bleue'} ${i % 7 ? 'lampes' : ''} ${i}`,
    brand: `Marque ${i % 5}`,
    partnerId: `p${i % 4}`,
    category: ['Maison', i % 2 ? 'Salon' : 'Cuisine'],
    priceMinor: i % 50 === 0 ? null : 100 * (i % 700),
    stock: i % 9,
    createdAt: new Date(Date.UTC(2026, 0, 1) + (i % 400) * 60_000).toISOString(),
    attributes: { taille: i % 2 ? 'M' : 'L' },
  }),
);
const sampling = new SearchEngine({ exactCountLimit: 1000, sampleSize: 600 });
const exact = new SearchEngine({ exactCountLimit: 1_000_000 });
for (const p of products) {
  sampling.upsert(p);
  exact.upsert(p);
}

function pages(engine: SearchEngine, query: SearchQuery): string[] {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const r = engine.search({ ...query, cursor });
    out.push(...r.productIds);
    cursor = r.nextCursor;
  } while (cursor !== null);
  return out;
}

describe('SearchEngine on huge match sets (estimated counts)', () => {
  it('returns the same hits in the same order, page after page, as exact counting', () => {
    const sorts: SearchSort[] = ['relevance', 'price_asc', 'price_desc', 'name', 'newest'];
    for (const sort of sorts) {
      for (const text of ['lampe', 'lamp', '', 'lampe rouge']) {
        const query = q(text, { sort });
        const got = pages(sampling, query);
        assert.deepEqual(got, pages(exact, query), `${sort} "${text}"`);
        assert.equal(new Set(got).size, got.length, 'no repeats');
      }
    }
  });

  it('estimates the total and the facets, and says so', () => {
    const query = q('lampe');
    const e = exact.search(query);
    const s = sampling.search(query);
    assert.equal(e.totalIsExact, true);
    assert.equal(e.facetsAreExact, true);
    assert.equal(s.totalIsExact, false);
    assert.equal(s.facetsAreExact, false);
    assert.equal(e.total, 2700);
    assert.ok(Math.abs(s.total - e.total) / e.total < 0.1, `estimate ${s.total} vs ${e.total}`);
    const near = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(0.2 * b, 30);
    for (const facet of ['brand', 'partner', 'category'] as const) {
      for (const v of e.facets[facet]!) {
        const est = s.facets[facet]!.find((x) => x.value === v.value);
        assert.ok(est && near(est.count, v.count), `${facet} ${v.value}: ${est?.count} vs ${v.count}`);
      }
    }
    e.facets.price!.forEach((r, i) => assert.ok(near(s.facets.price![i]!.count, r.count), `price range ${i}`));
  });

  it('counts exactly when the matches are few enough, or when filters leave too few in the sample', () => {
    const small = sampling.search(q('applique'));
    assert.equal(small.total, 300);
    assert.equal(small.totalIsExact, true);
    // "lampe" has 2,700 candidates, but the brand + price filters leave few: the sample would be too thin.
    const filtered = q('lampe', { filters: { brands: ['Marque 1'], priceMinMinor: 100, priceMaxMinor: 5000 } });
    const s = sampling.search(filtered);
    const e = exact.search(filtered);
    assert.equal(s.totalIsExact, true);
    assert.equal(s.facetsAreExact, true);
    assert.equal(s.total, e.total);
    assert.deepEqual(s.facets, e.facets);
    assert.deepEqual(s.productIds, e.productIds);
  });
});
