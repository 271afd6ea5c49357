import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { api, createPartner, csvOf, eventually, runImport, sampleRows } from '../../support/catalog-api.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-snapshot-'));
const snapshotFile = path.join(dataDir, 'search-index', 'index.snap');

async function totalFor(server: TestServer, q: string): Promise<number> {
  const user = await server.newUser();
  const res = await api(server, 'GET', `/api/v1/products/search?q=${encodeURIComponent(q)}&limit=5`, { token: user.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.estimatedTotal as number;
}

const logged = (server: TestServer, msg: string) => server.logLines.some((l) => l.msg === msg);

describe('the embedded search index across restarts (snapshot in $DATA_DIR/search-index)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('writes a snapshot at shutdown, starts from it, then follows changes made after it', async () => {
    const first = await startTestServer({}, { dataDir });
    let partnerId: string;
    try {
      assert.ok(logged(first, 'no usable search index snapshot; rebuilding the index from the product store'));
      const admin = await first.adminToken();
      partnerId = await createPartner(first, 'snap-partner');
      const done = await runImport(first, admin, partnerId, { name: 'a.csv', bytes: csvOf(sampleRows(120, 'A')) });
      assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done.failure));
      await eventually(async () => assert.equal(await totalFor(first, 'poele'), 120));
    } finally {
      await first.close();
    }
    assert.ok(fs.statSync(snapshotFile).size > 0, 'the snapshot was written at shutdown');

    const second = await startTestServer({}, { dataDir });
    try {
      assert.ok(logged(second, 'search index loaded from its snapshot'), 'started from the snapshot');
      assert.equal(await totalFor(second, 'poele'), 120);
      const admin = await second.adminToken();
      const more = await runImport(second, admin, partnerId, { name: 'b.csv', bytes: csvOf(sampleRows(30, 'B')) });
      assert.equal(more.status, 'SUCCEEDED', JSON.stringify(more.failure));
      await eventually(async () => assert.equal(await totalFor(second, 'poele'), 150));
    } finally {
      await second.close();
    }
  });

  it('rebuilds from the product store when the snapshot is damaged', async () => {
    const bytes = fs.readFileSync(snapshotFile);
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0xff;
    fs.writeFileSync(snapshotFile, bytes);
    const third = await startTestServer({}, { dataDir });
    try {
      assert.ok(logged(third, 'no usable search index snapshot; rebuilding the index from the product store'));
      assert.equal(await totalFor(third, 'poele'), 150);
    } finally {
      await third.close();
    }
  });
});
