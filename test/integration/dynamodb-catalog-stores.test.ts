import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RowError, RowOutcome } from '../../src/modules/catalog/model.js';
import type { ProductsChanged } from '../../src/modules/catalog/product-store.js';
import { DynamoProductStore, ROWS_PER_TRANSACTION } from '../../src/modules/catalog/stores/dynamodb-product-store.js';
import { DynamoCatalogStore } from '../../src/modules/catalog/stores/dynamodb-catalog-store.js';
import { productStoreSuite } from '../conformance/product-store.suite.js';
import { catalogStoreSuite } from '../conformance/catalog-store.suite.js';
import { dynamoDbTables } from '../support/dynamodb-local.js';
import { makeProductInput } from '../support/catalog-fixtures.js';
import { nextTimestamp } from '../support/fixtures.js';

// Started at module load: the suites' own `before` hooks call the factories below, which await it.
const ready = dynamoDbTables();

// Both stores share one table, as in production.
productStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoProductStore(client, tables.catalog);
});
catalogStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoCatalogStore(client, tables.catalog);
});

// DynamoDB-specific behaviour the conformance suites do not reach: chunked transactions and races.
describe('DynamoProductStore: chunked batches', () => {
  const drain = async (store: DynamoProductStore, partnerId: string): Promise<ProductsChanged[]> => {
    const mine: ProductsChanged[] = [];
    for (let b = await store.readOutbox(100); b.length; b = await store.readOutbox(100)) {
      for (const e of b) if ((e as ProductsChanged).payload.partnerId === partnerId) mine.push(e as ProductsChanged);
      await store.ackOutbox(b.map((e) => e.id));
    }
    return mine;
  };

  it('records one event per transaction chunk, together covering every changed product exactly once', async () => {
    const { client, tables } = await ready;
    const store = new DynamoProductStore(client, tables.catalog);
    const partnerId = randomUUID();
    const rows = Array.from({ length: ROWS_PER_TRANSACTION * 2 + 3 }, (_, i) => makeProductInput({ sku: `C-${i}` }));
    await store.applyBatch({ partnerId, importId: randomUUID(), rows, now: nextTimestamp() });
    const events = await drain(store, partnerId);
    assert.equal(events.length, 3);
    const ids = events.flatMap((e) => e.payload.productIds);
    assert.equal(new Set(ids).size, rows.length);
    assert.deepEqual((await store.getMany(ids)).map((p) => p.sku).sort(), rows.map((r) => r.sku).sort());
  });

  it('resumes a batch interrupted after its first chunk: recorded outcomes for it, events only for the rest', async () => {
    const { client, tables } = await ready;
    const store = new DynamoProductStore(client, tables.catalog);
    const partnerId = randomUUID();
    const importId = randomUUID();
    const rows = Array.from({ length: ROWS_PER_TRANSACTION + 5 }, () => makeProductInput());
    // What a crash after the first transaction leaves behind: the first chunk applied, with its event.
    await store.applyBatch({ partnerId, importId, rows: rows.slice(0, ROWS_PER_TRANSACTION), now: nextTimestamp() });
    await drain(store, partnerId);
    const outcomes = await store.applyBatch({ partnerId, importId, rows, now: nextTimestamp() });
    assert.deepEqual(outcomes, Array<RowOutcome>(rows.length).fill('created'));
    const ids = (await drain(store, partnerId)).flatMap((e) => e.payload.productIds);
    assert.equal(ids.length, 5);
    assert.deepEqual(await store.countOutcomes(importId), { created: rows.length, updated: 0, unchanged: 0, archived: 0 });
  });

  it('archives more products than one transaction holds, in parallel chunks, and counts them exactly', async () => {
    const { client, tables } = await ready;
    const store = new DynamoProductStore(client, tables.catalog);
    const partnerId = randomUUID();
    const rows = Array.from({ length: ROWS_PER_TRANSACTION * 3 + 7 }, () => makeProductInput());
    await store.applyBatch({ partnerId, importId: randomUUID(), rows, now: nextTimestamp() });
    await drain(store, partnerId);
    const replace = randomUUID();
    await store.applyBatch({ partnerId, importId: replace, rows: rows.slice(0, 2), now: nextTimestamp() });
    assert.equal(await store.archiveMissing(partnerId, replace, nextTimestamp()), rows.length - 2);
    assert.equal(await store.archiveMissing(partnerId, replace, nextTimestamp()), rows.length - 2);
    const archived = (await drain(store, partnerId)).flatMap((e) => e.payload.productIds);
    assert.equal(new Set(archived).size, rows.length - 2);
    assert.ok((await store.getMany(archived)).every((p) => p.status === 'ARCHIVED' && p.lastImportOutcome === 'archived'));
  });

  it('lets two processes apply the same batch at once without duplicating a product or an outcome', async () => {
    const { client, tables } = await ready;
    const [a, b] = [new DynamoProductStore(client, tables.catalog), new DynamoProductStore(client, tables.catalog)];
    const partnerId = randomUUID();
    const importId = randomUUID();
    const rows = Array.from({ length: 40 }, () => makeProductInput());
    const now = nextTimestamp();
    const [ra, rb] = await Promise.all([
      a.applyBatch({ partnerId, importId, rows, now }),
      b.applyBatch({ partnerId, importId, rows, now }),
    ]);
    assert.deepEqual(ra, rb);
    assert.deepEqual(await a.countOutcomes(importId), { created: 40, updated: 0, unchanged: 0, archived: 0 });
    const ids = (await drain(a, partnerId)).flatMap((e) => e.payload.productIds);
    assert.equal(new Set(ids).size, 40, 'each product announced');
    assert.equal(ids.length, 40, 'and only once');
  });
});

describe('DynamoCatalogStore: rejected rows', () => {
  it('splits large error lists across items and shrinks them on rerun', async () => {
    const { client, tables } = await ready;
    const store = new DynamoCatalogStore(client, tables.catalog);
    const importId = randomUUID();
    const long = 'x'.repeat(500);
    const many = Array.from({ length: 2000 }, (_, i) => ({ line: i + 2, column: 'name', reason: `${long} ${i}` }));
    await store.setImportErrors(importId, many);
    const items = await client.send(
      new QueryCommand({
        TableName: tables.catalog,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `IMPORT#${importId}` },
      }),
    );
    assert.ok((items.Count ?? 0) >= 4, `about 1 MB of rows needs several items, got ${items.Count}`);
    const back: RowError[] = [];
    for await (const e of store.importErrors(importId)) back.push(e);
    assert.deepEqual(back, many);
    await store.setImportErrors(importId, [{ line: 7, column: null, reason: 'short' }]);
    const again: RowError[] = [];
    for await (const e of store.importErrors(importId)) again.push(e);
    assert.deepEqual(again, [{ line: 7, column: null, reason: 'short' }]);
  });
});
