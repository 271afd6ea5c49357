import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isPermanent, type HandlerContext } from '../../src/modules/jobs/index.js';
import type { Product } from '../../src/modules/catalog/model.js';
import type { ProductsChanged } from '../../src/modules/catalog/product-store.js';
import { SqliteProductStore } from '../../src/modules/catalog/stores/sqlite-product-store.js';
import { searchIndexHandler, SEARCH_INDEX_HANDLER } from '../../src/modules/catalog/handlers/search-index-handler.js';
import { makeProductInput } from '../support/catalog-fixtures.js';
import { nextTimestamp } from '../support/fixtures.js';

/** What an index holds: the handler's effect, observed. */
class RecordingIndex {
  readonly docs = new Map<string, Product>();
  async upsert(products: readonly Product[]): Promise<void> {
    for (const p of products) {
      if (p.status === 'ARCHIVED') this.docs.delete(p.id);
      else this.docs.set(p.id, p);
    }
  }
  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.docs.delete(id);
  }
}

const silent = { info() {}, warn() {}, error() {} };
const ctx = (): HandlerContext => ({ jobId: randomUUID(), attempt: 1, log: silent, now: () => new Date() });
const changed = (partnerId: string, productIds: string[]): ProductsChanged => ({
  id: randomUUID(),
  type: 'catalog.products.changed',
  aggregateId: partnerId,
  occurredAt: nextTimestamp(),
  payload: { partnerId, productIds },
});

describe('catalog.search-index handler', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-indexer-'));
  const store = new SqliteProductStore(path.join(dir, 'catalog.db'));
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('indexes the products of the events the store records, removes archived and unknown ones, and is idempotent', async () => {
    const index = new RecordingIndex();
    const handler = searchIndexHandler(store, index);
    assert.equal(handler.name, SEARCH_INDEX_HANDLER);
    assert.deepEqual(handler.on, ['catalog.products.changed']);

    const partnerId = randomUUID();
    const [a, b] = [makeProductInput(), makeProductInput()];
    await store.applyBatch({ partnerId, importId: randomUUID(), rows: [a, b], now: nextTimestamp() });
    const events = (await store.readOutbox(100)).filter((e) => (e as ProductsChanged).payload.partnerId === partnerId);
    assert.equal(events.length, 1);
    for (const e of events) await handler.handle(e, ctx());
    const bId = (await store.getBySku(partnerId, b.sku))!.id;
    assert.deepEqual([...index.docs.values()].map((p) => p.sku).sort(), [a.sku, b.sku].sort());

    // REPLACE keeping only `a`: b is archived, and an id the store never had is dropped too.
    const replace = randomUUID();
    await store.applyBatch({ partnerId, importId: replace, rows: [{ ...a, name: 'Renamed' }], now: nextTimestamp() });
    await store.archiveMissing(partnerId, replace, nextTimestamp());
    index.docs.set('ghost', { ...(await store.get(bId))!, id: 'ghost' });
    const later = (await store.readOutbox(100)).filter(
      (e) => (e as ProductsChanged).payload.partnerId === partnerId && !events.some((x) => x.id === e.id),
    );
    const withGhost = changed(partnerId, [...later.flatMap((e) => (e as ProductsChanged).payload.productIds), 'ghost']);
    for (let i = 0; i < 2; i++) {
      await handler.handle(withGhost, ctx());
      assert.deepEqual(
        [...index.docs.values()].map((p) => [p.sku, p.name]),
        [[a.sku, 'Renamed']],
      );
    }
  });

  it('sends an event without product ids to the dead letters at once', async () => {
    const handler = searchIndexHandler(store, new RecordingIndex());
    const bad = { ...changed('p', []), payload: { partnerId: 'p' } };
    await assert.rejects(handler.handle(bad, ctx()), (err: unknown) => isPermanent(err));
  });
});
