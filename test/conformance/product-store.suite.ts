import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { productContentHash } from '../../src/modules/catalog/content-hash.js';
import type { ProductInput, RowOutcome } from '../../src/modules/catalog/model.js';
import type { ProductStore, ProductsChanged } from '../../src/modules/catalog/product-store.js';
import { makeProductInput } from '../support/catalog-fixtures.js';
import { nextTimestamp } from '../support/fixtures.js';

async function drainOutbox(store: ProductStore): Promise<void> {
  for (let batch = await store.readOutbox(100); batch.length; batch = await store.readOutbox(100)) {
    await store.ackOutbox(batch.map((e) => e.id));
  }
}

/** Events recorded since the last drain, for one partner (other tests' events are skipped). */
async function changedEvents(store: ProductStore, partnerId: string): Promise<ProductsChanged[]> {
  const all: ProductsChanged[] = [];
  for (let batch = await store.readOutbox(100); batch.length; batch = await store.readOutbox(100)) {
    for (const e of batch) {
      if (e.type === 'catalog.products.changed' && (e as ProductsChanged).payload.partnerId === partnerId) {
        all.push(e as ProductsChanged);
      }
    }
    await store.ackOutbox(batch.map((e) => e.id));
  }
  return all;
}

const skusOf = (rows: readonly ProductInput[]) => rows.map((r) => r.sku);

/** The ProductStore contract. Every adapter runs it: `productStoreSuite('sqlite', () => ...)`. */
export function productStoreSuite(name: string, open: () => Promise<ProductStore>): void {
  describe(`ProductStore conformance: ${name}`, () => {
    let store: ProductStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    const apply = (partnerId: string, importId: string, rows: readonly ProductInput[], now = nextTimestamp()) =>
      store.applyBatch({ partnerId, importId, rows, now });

    it('creates new products and reads them back by id, sku and in bulk', async () => {
      const partnerId = randomUUID();
      const importId = randomUUID();
      const rows = [makeProductInput({ sku: 'A-1' }), makeProductInput({ sku: 'A-2', priceMinor: null, currency: null })];
      const now = nextTimestamp();
      assert.deepEqual(await apply(partnerId, importId, rows, now), ['created', 'created']);
      const a1 = await store.getBySku(partnerId, 'A-1');
      assert.ok(a1);
      assert.deepEqual(
        { ...a1, id: 'x' },
        {
          ...rows[0],
          id: 'x',
          partnerId,
          status: 'ACTIVE',
          contentHash: productContentHash(rows[0] as ProductInput),
          createdAt: now,
          updatedAt: now,
          lastImportId: importId,
          lastImportOutcome: 'created',
        },
      );
      assert.deepEqual(await store.get(a1.id), a1);
      const a2 = await store.getBySku(partnerId, 'A-2');
      assert.equal(a2?.priceMinor, null);
      const many = await store.getMany([a1.id, randomUUID(), a2?.id ?? '']);
      assert.deepEqual(many.map((p) => p.sku).sort(), ['A-1', 'A-2']);
      assert.deepEqual(await store.getMany([]), []);
      assert.equal(await store.get(randomUUID()), null);
      assert.equal(await store.getBySku(partnerId, 'nope'), null);
      assert.equal(await store.getBySku(randomUUID(), 'A-1'), null, 'skus are per partner');
    });

    it('keys products by (partner, sku): the same sku at two partners is two products', async () => {
      const [p1, p2] = [randomUUID(), randomUUID()];
      const row = makeProductInput({ sku: 'SHARED' });
      assert.deepEqual(await apply(p1, randomUUID(), [row]), ['created']);
      assert.deepEqual(await apply(p2, randomUUID(), [row]), ['created']);
      const [a, b] = [await store.getBySku(p1, 'SHARED'), await store.getBySku(p2, 'SHARED')];
      assert.ok(a && b);
      assert.notEqual(a.id, b.id);
    });

    it('reports an equal product unchanged in a new import, keeping its updatedAt and recording the import', async () => {
      const partnerId = randomUUID();
      const first = nextTimestamp();
      const rows = [makeProductInput({ attributes: { a: '1', b: '2' } }), makeProductInput()];
      await apply(partnerId, randomUUID(), rows, first);
      const second = randomUUID();
      // Same content, attributes in another order: still the same product.
      const again = [{ ...rows[0], attributes: { b: '2', a: '1' } } as ProductInput, rows[1] as ProductInput];
      assert.deepEqual(await apply(partnerId, second, again), ['unchanged', 'unchanged']);
      const p = await store.getBySku(partnerId, rows[0]?.sku ?? '');
      assert.equal(p?.updatedAt, first);
      assert.equal(p?.lastImportId, second);
      assert.equal(p?.lastImportOutcome, 'unchanged');
      assert.deepEqual(await store.countOutcomes(second), { created: 0, updated: 0, unchanged: 2, archived: 0 });
    });

    it('updates a product whose content changed, keeping its id and createdAt', async () => {
      const partnerId = randomUUID();
      const row = makeProductInput({ priceMinor: 1000 });
      const created = nextTimestamp();
      await apply(partnerId, randomUUID(), [row], created);
      const before = await store.getBySku(partnerId, row.sku);
      const later = nextTimestamp();
      const imp = randomUUID();
      assert.deepEqual(await apply(partnerId, imp, [{ ...row, priceMinor: 1200 }], later), ['updated']);
      const after = await store.getBySku(partnerId, row.sku);
      assert.equal(after?.id, before?.id);
      assert.equal(after?.priceMinor, 1200);
      assert.equal(after?.createdAt, created);
      assert.equal(after?.updatedAt, later);
      assert.equal(after?.lastImportOutcome, 'updated');
      assert.notEqual(after?.contentHash, before?.contentHash);
    });

    it('returns the recorded outcomes when the same import re-applies a batch (crash recovery), writing nothing new', async () => {
      const partnerId = randomUUID();
      const existing = makeProductInput({ sku: 'E-1', priceMinor: 100 });
      await apply(partnerId, randomUUID(), [existing]);
      const imp = randomUUID();
      const batch = [makeProductInput({ sku: 'N-1' }), { ...existing, priceMinor: 200 }, makeProductInput({ sku: 'N-2' })];
      await drainOutbox(store);
      const first = await apply(partnerId, imp, batch);
      assert.deepEqual(first, ['created', 'updated', 'created']);
      const n1 = await store.getBySku(partnerId, 'N-1');
      assert.equal((await changedEvents(store, partnerId)).length, 1);
      const again = await apply(partnerId, imp, batch, nextTimestamp());
      assert.deepEqual(again, first);
      assert.deepEqual(await store.getBySku(partnerId, 'N-1'), n1);
      assert.deepEqual(await changedEvents(store, partnerId), [], 'a replay records no event');
      assert.deepEqual(await store.countOutcomes(imp), { created: 2, updated: 1, unchanged: 0, archived: 0 });
    });

    it('records one catalog.products.changed event per batch with the changed products only', async () => {
      const partnerId = randomUUID();
      const keep = makeProductInput();
      await apply(partnerId, randomUUID(), [keep]);
      await drainOutbox(store);
      const fresh = makeProductInput();
      await apply(partnerId, randomUUID(), [keep, fresh]);
      const events = await changedEvents(store, partnerId);
      assert.equal(events.length, 1);
      const e = events[0];
      assert.ok(e);
      assert.equal(e.aggregateId, partnerId);
      const freshId = (await store.getBySku(partnerId, fresh.sku))?.id;
      assert.deepEqual(e.payload, { partnerId, productIds: [freshId] });
      await apply(partnerId, randomUUID(), [keep, fresh]);
      assert.deepEqual(await changedEvents(store, partnerId), [], 'no event when every row is unchanged');
    });

    it('previews outcomes without writing anything', async () => {
      const partnerId = randomUUID();
      const a = makeProductInput({ priceMinor: 1 });
      const b = makeProductInput();
      await apply(partnerId, randomUUID(), [a, b]);
      await drainOutbox(store);
      const before = await store.getBySku(partnerId, a.sku);
      const fresh = makeProductInput();
      assert.deepEqual(await store.previewBatch(partnerId, [fresh, { ...a, priceMinor: 2 }, b]), [
        'created',
        'updated',
        'unchanged',
      ]);
      assert.equal(await store.getBySku(partnerId, fresh.sku), null);
      assert.deepEqual(await store.getBySku(partnerId, a.sku), before);
      assert.deepEqual(await changedEvents(store, partnerId), []);
    });

    it('archives the products an import did not touch, idempotently, and revives them when they come back', async () => {
      const partnerId = randomUUID();
      const rows = Array.from({ length: 5 }, (_, i) => makeProductInput({ sku: `R-${i}` }));
      await apply(partnerId, randomUUID(), rows);
      const other = randomUUID();
      await apply(other, randomUUID(), [makeProductInput({ sku: 'R-0' })]);
      await drainOutbox(store);
      const replace = randomUUID();
      const kept = rows.slice(0, 2);
      assert.deepEqual(await apply(partnerId, replace, kept), ['unchanged', 'unchanged']);
      const at = nextTimestamp();
      assert.equal(await store.archiveMissing(partnerId, replace, at), 3);
      assert.equal(await store.archiveMissing(partnerId, replace, nextTimestamp()), 3, 'idempotent');
      const gone = await store.getBySku(partnerId, 'R-4');
      assert.equal(gone?.status, 'ARCHIVED');
      assert.equal(gone?.lastImportOutcome, 'archived');
      assert.equal(gone?.updatedAt, at);
      assert.equal((await store.getBySku(partnerId, 'R-0'))?.status, 'ACTIVE');
      assert.equal((await store.getBySku(other, 'R-0'))?.status, 'ACTIVE', 'other partners are untouched');
      const events = await changedEvents(store, partnerId);
      assert.deepEqual(events.flatMap((e) => e.payload.productIds).length, 3);
      assert.deepEqual(await store.countOutcomes(replace), { created: 0, updated: 0, unchanged: 2, archived: 3 });

      const revive = randomUUID();
      assert.deepEqual(await apply(partnerId, revive, [rows[4] as ProductInput]), ['updated']);
      assert.equal((await store.getBySku(partnerId, 'R-4'))?.status, 'ACTIVE');
    });

    it('archives every product when a REPLACE import kept none', async () => {
      const partnerId = randomUUID();
      await apply(partnerId, randomUUID(), [makeProductInput(), makeProductInput()]);
      assert.equal(await store.archiveMissing(partnerId, randomUUID(), nextTimestamp()), 2);
      assert.equal(await store.archiveMissing(randomUUID(), randomUUID(), nextTimestamp()), 0);
    });

    it('counts outcomes per import', async () => {
      const partnerId = randomUUID();
      const [a, b, c] = [makeProductInput(), makeProductInput(), makeProductInput()];
      await apply(partnerId, randomUUID(), [a, b]);
      const imp = randomUUID();
      const outcomes: RowOutcome[] = [
        ...(await apply(partnerId, imp, [a, { ...b, name: 'Renamed' }])),
        ...(await apply(partnerId, imp, [c])),
      ];
      assert.deepEqual(outcomes, ['unchanged', 'updated', 'created']);
      assert.deepEqual(await store.countOutcomes(imp), { created: 1, updated: 1, unchanged: 1, archived: 0 });
      assert.deepEqual(await store.countOutcomes(randomUUID()), { created: 0, updated: 0, unchanged: 0, archived: 0 });
    });

    it('applies a batch of 1000 in one call and returns outcomes in input order', async () => {
      const partnerId = randomUUID();
      const rows = Array.from({ length: 1000 }, (_, i) => makeProductInput({ sku: `BULK-${i}` }));
      await apply(partnerId, randomUUID(), rows.slice(0, 500));
      const imp = randomUUID();
      const changedRows = rows.map((r, i) => (i % 4 === 0 ? { ...r, stock: 99 } : r));
      const outcomes = await apply(partnerId, imp, changedRows);
      assert.equal(outcomes.length, 1000);
      outcomes.forEach((o, i) => {
        const expected = i >= 500 ? 'created' : i % 4 === 0 ? 'updated' : 'unchanged';
        assert.equal(o, expected, `row ${i} (${skusOf(rows)[i]})`);
      });
      assert.deepEqual(await apply(partnerId, randomUUID(), []), []);
    });

    it('serves a change feed in strictly increasing seq when it has one', async (t) => {
      if (!store.changesSince) {
        t.diagnostic('this adapter feeds indexes through events only');
        return;
      }
      const head = async (): Promise<number> => {
        let after = 0;
        for (;;) {
          const page = (await store.changesSince?.(after, 500)) ?? [];
          if (page.length === 0) return after;
          after = page[page.length - 1]?.seq ?? after;
        }
      };
      const start = await head();
      const partnerId = randomUUID();
      const [a, b] = [makeProductInput(), makeProductInput()];
      await apply(partnerId, randomUUID(), [a, b]);
      await apply(partnerId, randomUUID(), [a, { ...b, name: 'B2' }]);
      await store.archiveMissing(partnerId, randomUUID(), nextTimestamp());
      const changes = (await store.changesSince(start, 100)).filter((c) => c.product.partnerId === partnerId);
      const seqs = changes.map((c) => c.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
      );
      assert.equal(new Set(seqs).size, seqs.length);
      // a and b appear once each with their latest state (ARCHIVED), changes replaced older ones.
      assert.deepEqual(
        changes.map((c) => c.product.status),
        ['ARCHIVED', 'ARCHIVED'],
      );
      assert.ok(changes.every((c) => c.productId === c.product.id));
      assert.equal((await store.changesSince(start, 1)).length, 1);
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}
