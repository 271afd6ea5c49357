import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMapping, mapRow, openCatalog } from '../../../src/modules/catalog/import/index.js';
import { productCsv } from '../../support/catalog-files.js';

describe('catalog streaming', () => {
  it('streams a 200,000-row CSV through openCatalog and mapRow with bounded memory', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const reader = await openCatalog(productCsv(200_000), { fileName: 'big.csv' });
    const mapping = detectMapping(await reader.headers(), null);
    let ok = 0;
    let last = '';
    for await (const row of reader.rows()) {
      const result = mapRow(row, mapping);
      assert.ok(result.ok, JSON.stringify(result));
      ok++;
      last = result.product.sku;
      if ((ok & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    assert.equal(ok, 200_000);
    assert.equal(last, 'SKU-200000');
    const growth = peak - before;
    assert.ok(growth < 150 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1024 / 1024)} MB`);
  });
});
