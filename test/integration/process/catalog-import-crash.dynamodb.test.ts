import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDocumentClient, createTables } from '../../../src/shared/dynamodb.js';
import { startDynamoDbLocal } from '../../support/dynamodb-local.js';
import { startOpenSearchPeer } from '../../support/opensearch-peer.js';
import { spawnServer, type ServerProcess } from '../../support/spawn-server.js';
import { csvOf, sampleRows, type ImportBody } from '../../support/catalog-api.js';
import { call, importUntil, loginAdmin as login, uploadCsv as upload } from '../../support/catalog-process.js';
import { ADMIN } from '../../support/test-server.js';

const until = (srv: ServerProcess, token: string, id: string, done: (i: ImportBody) => boolean) =>
  importUntil(srv, token, id, done, 180_000);

/**
 * The DynamoDB counterpart of catalog-import-crash.test.ts: the server is killed while an import writes its chunked
 * transactions; the restarted server reruns it and the tallies, written in the same transactions as the products,
 * give exact counts. Smaller than the SQLite test: DynamoDB Local writes a few hundred rows a second.
 */
describe('a catalog import on DynamoDB and kill -9', () => {
  it('resumes after a crash mid-import with exact counts, every product indexed once', async () => {
    const dynamo = await startDynamoDbLocal();
    const opensearch = await startOpenSearchPeer();
    const prefix = `crash_${randomUUID().slice(0, 8)}_`;
    const client = createDocumentClient({ endpoint: dynamo.endpoint, region: 'eu-west-3' });
    await createTables(client, prefix);
    client.destroy();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-import-kill-ddb-'));
    const env = {
      DATA_DIR: dataDir,
      DEMO_DATA: 'false',
      PUBLIC_URL: 'http://atelier.test',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      JOB_LEASE_MS: '1500',
      JOB_POLL_INTERVAL_MS: '50',
      CATALOG_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_TABLE_PREFIX: prefix,
      SEARCH_INDEX: 'opensearch',
      OPENSEARCH_URL: opensearch.url,
    };
    const first = await spawnServer(env);
    let second: ServerProcess | null = null;
    try {
      let token = await login(first);
      const partner = await call(first, token, 'POST', '/api/v1/partners', {
        slug: 'crash-ddb',
        name: 'Crash',
        contactEmail: 'crash@example.com',
      });
      const partnerId = String(partner.body.id);
      const base = sampleRows(2_000);
      const warm = await upload(first, token, partnerId, csvOf(base));
      assert.equal((await until(first, token, warm, (i) => i.status === 'SUCCEEDED')).counts.created, 2_000);

      // 1,000 unchanged, 1,000 updated, 4,000 new.
      const next = [
        ...base.slice(0, 1_000),
        ...base.slice(1_000).map((r) => ({ ...r, price: '1.00' })),
        ...sampleRows(4_000, 'NEW'),
      ];
      const id = await upload(first, token, partnerId, csvOf(next));
      const seen = await until(
        first,
        token,
        id,
        (i) =>
          (i.progress.phase === 'APPLYING' && i.progress.rowsRead >= 2_000) || (i.status !== 'RUNNING' && i.status !== 'QUEUED'),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      assert.equal(seen.status, 'RUNNING', 'killed while applying');

      second = await spawnServer(env);
      token = await login(second);
      const done = await until(second, token, id, (i) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(i.status));
      assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done.failure));
      assert.deepEqual(done.counts, { created: 4_000, updated: 1_000, unchanged: 1_000, archived: 0, rejected: 0 });

      // Every product reached the index (events were committed with the writes, before and after the crash).
      const deadline = Date.now() + 60_000;
      while (opensearch.docs.size < 6_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(opensearch.docs.size, 6_000);
      const updated = [...opensearch.docs.values()].filter((d) => d.priceMinor === 100).length;
      assert.equal(updated, 1_000, 'the updated products were indexed with their new price');
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      await opensearch.stop();
      await dynamo.stop();
    }
  });
});
