import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Product } from '../../src/modules/catalog/model.js';
import { EmbeddedSearchIndex, readSnapshot, writeSnapshot } from '../../src/modules/catalog/search/index.js';
import { SearchEngine } from '../../src/modules/catalog/search/embedded/engine.js';
import type { SearchQuery } from '../../src/modules/catalog/search/search-index.js';
import { makeProduct } from '../conformance/search-index.suite.js';

const q = (text: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  q: text,
  filters: {},
  sort: 'relevance',
  facets: ['brand', 'category', 'partner', 'price'],
  limit: 7,
  cursor: null,
  ...more,
});

function catalog(): Product[] {
  return Array.from({ length: 60 }, (_, i) =>
    makeProduct({
      name: `${i % 2 ? 'Lampe' : 'Théière'} ${i % 3 ? 'rouge' : 'bleue'} ${i}`,
      brand: i % 3 ? 'Lumi' : 'Brilla',
      partnerId: `p${i % 3}`,
      category: ['Maison', i % 2 ? 'Salon' : 'Cuisine'],
      priceMinor: i % 10 ? 500 * i : null,
      ean: i === 7 ? '4006381333931' : null,
      description: i % 4 ? 'Une description en porcelaine' : null,
      attributes: { taille: i % 4 ? 'M' : 'L' },
    }),
  );
}

const queries = [
  q('lampe'),
  q('theiere rouge'),
  q('lamp', { sort: 'price_desc', filters: { brands: ['Lumi'], priceMinMinor: 1000 } }),
  q('porcelaine', { sort: 'name' }),
  q('4006381333931'),
  q('', { sort: 'newest', filters: { attributes: { taille: 'M' }, categoryPrefix: ['Maison', 'Salon'] } }),
  q('lampr'),
];

describe('Search index snapshots', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-search-snap-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads an index that answers exactly as the one saved, and stays writable', () => {
    const engine = new SearchEngine();
    const products = catalog();
    for (const p of products) engine.upsert(p);
    engine.upsert({ ...products[3]!, name: 'Applique murale' }); // a dead document in the snapshot
    engine.remove(products[4]!.id);
    const bytes = writeSnapshot(dir, engine, 1234);
    assert.ok(bytes > 0);
    const loaded = readSnapshot(dir);
    assert.ok(loaded);
    assert.equal(loaded.seq, 1234);
    assert.equal(loaded.engine.size, engine.size);
    for (const query of queries) assert.deepEqual(loaded.engine.search(query), engine.search(query), query.q);
    assert.deepEqual(loaded.engine.suggest('théi', 5), engine.suggest('théi', 5));
    // Writes after loading: new terms, new documents, replacements, removals, compaction.
    for (const e of [engine, loaded.engine]) {
      e.upsert(makeProduct({ id: 'new-1', name: 'Abat-jour lampe', brand: 'Nouvelle' }));
      e.upsert({ ...products[5]!, name: 'Lampe rénovée' });
      e.remove(products[6]!.id);
      e.compact();
    }
    for (const query of [...queries, q('abat jour'), q('renovee')]) {
      const strip = (r: ReturnType<SearchEngine['search']>): unknown => ({ ...r, nextCursor: null });
      assert.deepEqual(strip(loaded.engine.search(query)), strip(engine.search(query)), query.q);
    }
  });

  it('reads a missing, truncated, corrupted or other-version snapshot as none', () => {
    assert.equal(readSnapshot(dir), null, 'missing');
    const engine = new SearchEngine();
    for (const p of catalog()) engine.upsert(p);
    writeSnapshot(dir, engine, 1);
    const file = path.join(dir, 'index.snap');
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 100));
    assert.equal(readSnapshot(dir), null, 'truncated');
    const flipped = Buffer.from(good);
    flipped[100] = flipped[100]! ^ 0xff;
    fs.writeFileSync(file, flipped);
    assert.equal(readSnapshot(dir), null, 'a flipped byte');
    const other = Buffer.from(good);
    other.writeUInt32LE(999, other.length - 12);
    fs.writeFileSync(file, other);
    assert.equal(readSnapshot(dir), null, 'another format version');
    fs.writeFileSync(file, good);
    assert.ok(readSnapshot(dir), 'the intact file still loads');
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });

  it('EmbeddedSearchIndex saves, then loads its snapshot and returns the seq to resume the feed from', async () => {
    const products = catalog();
    const byId = new Map(products.map((p) => [p.id, p]));
    const loadProducts = async (ids: readonly string[]): Promise<Product[]> => ids.flatMap((id) => byId.get(id) ?? []);
    const a = new EmbeddedSearchIndex({ loadProducts });
    await a.upsert(products);
    a.saveSnapshot(dir, 60);
    const b = new EmbeddedSearchIndex({ loadProducts });
    assert.equal(b.loadSnapshot(path.join(dir, 'elsewhere')), null);
    assert.equal(b.loadSnapshot(dir), 60);
    assert.deepEqual(await b.search(q('lampe rouge')), await a.search(q('lampe rouge')));
  });
});
