import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('catalog configuration', () => {
  it('defaults to the embedded stores and index, half the rows as the reject limit and 200 MB files', () => {
    assert.deepEqual(loadConfig({}).catalog, {
      store: 'sqlite',
      searchIndex: 'embedded',
      openSearchUrl: undefined,
      openSearchIndexPrefix: 'atelier_',
      maxRejectShare: 0.5,
      maxFileBytes: 200 * 1024 * 1024,
      apiKeyRateLimitPerMinute: 600,
      accountSearchRateLimitPerMinute: 1200,
    });
  });

  it('refuses a reject share outside 0–1 and OpenSearch without a URL, listing both', () => {
    try {
      loadConfig({ CATALOG_MAX_REJECT_SHARE: '1.5', SEARCH_INDEX: 'opensearch' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, ['CATALOG_MAX_REJECT_SHARE', 'OPENSEARCH_URL']);
    }
    assert.equal(loadConfig({ CATALOG_MAX_REJECT_SHARE: '0.1' }).catalog.maxRejectShare, 0.1);
  });
});
