import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { OpenSearchIndex } from '../../src/modules/catalog/search/opensearch/opensearch-index.js';
import { SqliteProductStore } from '../../src/modules/catalog/stores/sqlite-product-store.js';
import { searchIndexHandler } from '../../src/modules/catalog/handlers/search-index-handler.js';
import { searchIndexSuite } from '../conformance/search-index.suite.js';
import { makeProductInput } from '../support/catalog-fixtures.js';
import { nextTimestamp } from '../support/fixtures.js';

/**
 * The SearchIndex conformance suite on a real OpenSearch (or Elasticsearch-compatible) cluster, when
 * OPENSEARCH_URL points at one (e.g. `docker run -p 9200:9200 -e discovery.type=single-node
 * -e DISABLE_SECURITY_PLUGIN=true opensearchproject/opensearch:2`). No cluster can be started from this
 * repository's packages, so without the variable this file runs one test that says so, and checks nothing else:
 * the request bodies are covered by test/unit/opensearch-requests.test.ts and the transport by
 * test/integration/opensearch-transport.test.ts.
 */
const url = loadConfig({ OPENSEARCH_URL: process.env.OPENSEARCH_URL }).catalog.openSearchUrl;

/** Every test gets its own index, dropped afterwards. */
const freshIndex = () => new OpenSearchIndex({ url: url ?? '', indexPrefix: `test_${randomUUID().slice(0, 8)}_` });

if (!url) {
  describe('SearchIndex conformance: opensearch', () => {
    it('skipped: OPENSEARCH_URL not set (no OpenSearch cluster to run the suite against)', (t) => {
      t.diagnostic('skipped: OPENSEARCH_URL not set; set it to a cluster URL (credentials allowed) to run the suite');
      assert.equal(url, undefined);
    });
  });
} else {
  searchIndexSuite('opensearch', async () => {
    const index = freshIndex();
    return {
      index,
      refresh: () => index.refreshNow(),
      dispose: () => index.dropIndex(),
    };
  });

  describe('catalog.search-index handler on OpenSearch', () => {
    it('makes imported products searchable and drops archived ones, from the store outbox events', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-os-'));
      const store = new SqliteProductStore(path.join(dir, 'catalog.db'));
      const index = freshIndex();
      try {
        const handler = searchIndexHandler(store, index);
        const deliver = async () => {
          const ctx = { jobId: randomUUID(), attempt: 1, log: { info() {}, warn() {}, error() {} }, now: () => new Date() };
          for (let b = await store.readOutbox(100); b.length; b = await store.readOutbox(100)) {
            for (const e of b) await handler.handle(e, ctx);
            await store.ackOutbox(b.map((e) => e.id));
          }
        };
        const partnerId = randomUUID();
        const [kept, dropped] = [makeProductInput({ name: 'Théière fonte' }), makeProductInput({ name: 'Théière verre' })];
        await store.applyBatch({ partnerId, importId: randomUUID(), rows: [kept, dropped], now: nextTimestamp() });
        await deliver();
        const q = {
          q: 'theiere',
          filters: { partnerIds: [partnerId] },
          sort: 'relevance' as const,
          facets: [],
          limit: 10,
          cursor: null,
        };
        assert.equal((await index.search(q)).hits.length, 2);
        const replace = randomUUID();
        await store.applyBatch({ partnerId, importId: replace, rows: [kept], now: nextTimestamp() });
        await store.archiveMissing(partnerId, replace, nextTimestamp());
        await deliver();
        const hits = (await index.search(q)).hits.map((h) => h.productId);
        assert.deepEqual(hits, [(await store.getBySku(partnerId, kept.sku))!.id]);
      } finally {
        await index.dropIndex();
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
