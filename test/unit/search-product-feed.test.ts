import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Product } from '../../src/modules/catalog/model.js';
import type { ProductChange } from '../../src/modules/catalog/product-store.js';
import { EmbeddedSearchIndex, ProductFeed, type ChangeSource } from '../../src/modules/catalog/search/index.js';
import { makeProduct } from '../conformance/search-index.suite.js';

/** An in-test change log with the store's semantics: seq strictly increasing, `changesSince` oldest first. */
class ChangeLog implements ChangeSource {
  readonly changes: ProductChange[] = [];
  reads = 0;
  write(...products: Product[]): void {
    for (const p of products) this.changes.push({ seq: this.changes.length * 3 + 7, productId: p.id, product: p });
  }
  async changesSince(afterSeq: number, limit: number): Promise<ProductChange[]> {
    this.reads++;
    await new Promise((r) => setImmediate(r));
    return this.changes.filter((c) => c.seq > afterSeq).slice(0, limit);
  }
}

const setup = (options = {}): { log: ChangeLog; index: EmbeddedSearchIndex; feed: ProductFeed } => {
  const log = new ChangeLog();
  const index = new EmbeddedSearchIndex({
    loadProducts: async (ids) =>
      ids.flatMap((id) =>
        log.changes
          .filter((c) => c.productId === id)
          .slice(-1)
          .map((c) => c.product),
      ),
  });
  return { log, index, feed: new ProductFeed(log, index, options) };
};
const hits = async (index: EmbeddedSearchIndex, q: string): Promise<string[]> =>
  (await index.search({ q, filters: {}, sort: 'relevance', facets: [], limit: 100, cursor: null })).hits.map((h) => h.productId);

describe('ProductFeed', () => {
  it('catches up in batches, applying updates and archives in order', async () => {
    const { log, index, feed } = setup({ batchSize: 2 });
    const a = makeProduct({ name: 'Bougie parfumée' });
    const b = makeProduct({ name: 'Bougie chauffe-plat' });
    log.write(a, b, { ...a, name: 'Lanterne' }, makeProduct({ name: 'Bougie x' }), { ...b, status: 'ARCHIVED' });
    assert.equal(await feed.catchUp(), 5);
    assert.equal(feed.lastSeq, log.changes.at(-1)!.seq);
    assert.equal(log.reads, 3, 'batches of 2, the last one short');
    assert.equal((await hits(index, 'bougie')).length, 1);
    assert.deepEqual(await hits(index, 'lanterne'), [a.id]);
    assert.equal(await feed.catchUp(), 0);
  });

  it('starts from a given seq', async () => {
    const { log, index } = setup();
    log.write(makeProduct({ name: 'Miroir ancien' }), makeProduct({ name: 'Miroir rond' }));
    const feed = new ProductFeed(log, index, { fromSeq: log.changes[0]!.seq });
    assert.equal(await feed.catchUp(), 1);
    assert.equal((await hits(index, 'miroir')).length, 1);
  });

  it('joins a read in progress and reads again for what came meanwhile', async () => {
    const { log, index, feed } = setup();
    log.write(makeProduct({ name: 'Horloge murale' }));
    const first = feed.catchUp();
    log.write(makeProduct({ name: 'Horloge comtoise' }));
    const second = feed.catchUp();
    assert.equal(await first, 2);
    assert.equal(await second, 2);
    assert.equal((await hits(index, 'horloge')).length, 2);
  });

  it('polls when started and when poked, until stopped', async () => {
    const { log, index, feed } = setup({ pollIntervalMs: 20 });
    feed.start();
    log.write(makeProduct({ name: 'Tabouret bar' }));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal((await hits(index, 'tabouret')).length, 1, 'seen by polling');
    log.write(makeProduct({ name: 'Tabouret pliant' }));
    feed.poke();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await hits(index, 'tabouret')).length, 2, 'seen after a poke');
    await feed.stop();
    log.write(makeProduct({ name: 'Tabouret haut' }));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal((await hits(index, 'tabouret')).length, 2, 'no polling once stopped');
  });

  it('reports read errors and keeps polling', async () => {
    const { log, index } = setup();
    const errors: unknown[] = [];
    let fail = true;
    const flaky: ChangeSource = {
      changesSince: async (s, l) => {
        if (fail) {
          fail = false;
          throw new Error('database is locked');
        }
        return log.changesSince(s, l);
      },
    };
    const feed = new ProductFeed(flaky, index, { pollIntervalMs: 10, onError: (e) => errors.push(e) });
    log.write(makeProduct({ name: 'Coffre bois' }));
    feed.start();
    await new Promise((r) => setTimeout(r, 60));
    await feed.stop();
    assert.equal(errors.length, 1);
    assert.equal((await hits(index, 'coffre')).length, 1);
  });
});
