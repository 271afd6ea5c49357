import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchEngine } from '../../src/modules/catalog/search/embedded/engine.js';
import type { SearchQuery } from '../../src/modules/catalog/search/search-index.js';
import { makeProduct } from '../conformance/search-index.suite.js';

const q = (text: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  q: text,
  filters: {},
  sort: 'relevance',
  facets: ['brand', 'category', 'partner', 'price'],
  limit: 100,
  cursor: null,
  ...more,
});

describe('SearchEngine.compact', () => {
  it('drops replaced and removed documents without changing any answer', () => {
    const engine = new SearchEngine();
    const products = Array.from({ length: 40 }, (_, i) =>
      makeProduct({
        name: `Lampe ${i % 2 ? 'rouge' : 'bleue'} ${i}`,
        brand: i % 3 ? 'Lumi' : 'Brilla',
        category: ['Maison', i % 2 ? 'Salon' : 'Cuisine'],
        priceMinor: 500 * i,
        ean: i === 7 ? '4006381333931' : null,
        attributes: { taille: i % 4 ? 'M' : 'L' },
      }),
    );
    for (const p of products) engine.upsert(p);
    for (const p of products.slice(0, 20)) engine.upsert({ ...p, name: `${p.name} neuve` });
    for (const p of products.slice(30)) engine.remove(p.id);
    const queries = [
      q('lampe'),
      q('lampe rouge'),
      q('neuve'),
      q('4006381333931'),
      q('', { sort: 'name', filters: { attributes: { taille: 'M' }, categoryPrefix: ['Maison', 'Salon'] } }),
      q('lamp', { sort: 'price_desc', filters: { brands: ['Lumi'], priceMinMinor: 1000 } }),
    ];
    const strip = (r: ReturnType<SearchEngine['search']>): unknown => ({ ...r, nextCursor: null, matched: null });
    const before = queries.map((x) => strip(engine.search(x)));
    engine.compact();
    const after = queries.map((x) => strip(engine.search(x)));
    assert.deepEqual(after, before);
    assert.equal(engine.size, 30);
    assert.equal(engine.search(q('4006381333931')).productIds[0], products[7]!.id);
    // Still writable after a compaction.
    engine.upsert({ ...products[0]!, name: 'Applique murale' });
    assert.deepEqual(engine.search(q('applique')).productIds, [products[0]!.id]);
  });
});
