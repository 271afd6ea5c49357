import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createRuntime, type RuntimeLogger } from '../../src/runtime.js';
import { DynamoProductStore } from '../../src/modules/catalog/stores/dynamodb-product-store.js';
import { DynamoCatalogStore } from '../../src/modules/catalog/stores/dynamodb-catalog-store.js';
import { SqliteProductStore } from '../../src/modules/catalog/stores/sqlite-product-store.js';
import { OpenSearchIndex } from '../../src/modules/catalog/search/opensearch/opensearch-index.js';
import { SEARCH_INDEX_HANDLER } from '../../src/modules/catalog/handlers/search-index-handler.js';

const quiet: RuntimeLogger = { info() {}, warn() {}, error() {}, child: () => quiet };

/** Builds the runtime (nothing is contacted: adapters connect lazily) and reports what was wired. */
async function wiring(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-wiring-'));
  const rt = await createRuntime(loadConfig({ DATA_DIR: dataDir, ...env }), quiet);
  try {
    return {
      products: rt.adapters.productStore,
      catalog: rt.adapters.catalogStore,
      search: rt.adapters.searchIndex,
      feed: rt.adapters.searchFeed,
      handlers: rt.handlers.map((h) => h.name),
    };
  } finally {
    await rt.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('catalog adapters on AWS', () => {
  it('serves a DynamoDB catalog with OpenSearch fed by the catalog.search-index handler', async () => {
    const w = await wiring({
      CATALOG_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      SEARCH_INDEX: 'opensearch',
      OPENSEARCH_URL: 'http://127.0.0.1:9',
      OPENSEARCH_INDEX: 'wiring_',
    });
    assert.ok(w.products instanceof DynamoProductStore);
    assert.ok(w.catalog instanceof DynamoCatalogStore);
    assert.ok(w.search instanceof OpenSearchIndex);
    assert.equal(w.search.indexName, 'wiring_products');
    assert.equal(w.feed, null);
    assert.ok(w.handlers.includes(SEARCH_INDEX_HANDLER));
  });

  it('feeds OpenSearch from events over a SQLite catalog too, and leaves the embedded index to the change feed', async () => {
    const os1 = await wiring({ SEARCH_INDEX: 'opensearch', OPENSEARCH_URL: 'http://127.0.0.1:9' });
    assert.ok(os1.products instanceof SqliteProductStore);
    assert.ok(os1.handlers.includes(SEARCH_INDEX_HANDLER));
    const embedded = await wiring({});
    assert.ok(embedded.feed);
    assert.ok(!embedded.handlers.includes(SEARCH_INDEX_HANDLER));
  });
});
