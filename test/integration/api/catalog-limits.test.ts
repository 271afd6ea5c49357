import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { api, assertProblem, createPartner, csvOf, runImport, sampleRows, uploadImport } from '../../support/catalog-api.js';

describe('catalog import limits from configuration', () => {
  let server: TestServer;
  let admin: string;
  before(async () => {
    server = await startTestServer({ CATALOG_MAX_FILE_BYTES: '4000', CATALOG_MAX_REJECT_SHARE: '0.1' });
    admin = await server.adminToken();
  });
  after(async () => {
    await server.close();
  });

  it('refuses a file over CATALOG_MAX_FILE_BYTES, uploaded or announced, with 413 TOO_LARGE', async () => {
    const partner = await createPartner(server, 'limits-size');
    const big = csvOf(sampleRows(100));
    assert.ok(big.length > 4000);
    assertProblem(await uploadImport(server, admin, partner, { name: 'big.csv', bytes: big }), 413, 'TOO_LARGE');
    assertProblem(
      await api(server, 'POST', `/api/v1/partners/${partner}/imports/upload-url`, {
        token: admin,
        body: { fileName: 'big.csv', size: 5000 },
      }),
      413,
      'TOO_LARGE',
    );
    const list = await api(server, 'GET', `/api/v1/partners/${partner}/imports`, { token: admin });
    assert.deepEqual(list.body.items, [], 'no import was recorded');
  });

  it('fails an import whose rejects pass CATALOG_MAX_REJECT_SHARE', async () => {
    const partner = await createPartner(server, 'limits-share');
    // 2 bad rows of 10 = 20% > 10%
    const rows = [...sampleRows(8), { sku: 'X-1', name: '' }, { sku: 'X-2', name: '' }];
    const imp = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(rows) });
    assert.equal(imp.status, 'FAILED');
    assert.equal(imp.failure?.code, 'TOO_MANY_REJECTS');
    const ok = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(8)) });
    assert.deepEqual(ok.counts, { created: 8, updated: 0, unchanged: 0, archived: 0, rejected: 0 });
  });
});
