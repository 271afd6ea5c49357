import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawnServer, type ServerProcess } from '../../support/spawn-server.js';
import { csvOf, sampleRows, type ImportBody } from '../../support/catalog-api.js';
import { call, importUntil, loginAdmin as login, uploadCsv as upload } from '../../support/catalog-process.js';
import { ADMIN } from '../../support/test-server.js';

const until = (srv: ServerProcess, token: string, id: string, done: (i: ImportBody) => boolean) =>
  importUntil(srv, token, id, done, 60_000);

describe('a catalog import and kill -9', () => {
  it('resumes after a crash mid-import and ends with the right counts, losing and duplicating nothing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-import-kill-'));
    const env = {
      DATA_DIR: dataDir,
      DEMO_DATA: 'false',
      PUBLIC_URL: 'http://atelier.test',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // a dead worker's lease on the import job expires quickly, so the restarted server takes it over
      JOB_LEASE_MS: '1500',
      JOB_POLL_INTERVAL_MS: '50',
    };
    const first = await spawnServer(env);
    let second: ServerProcess | null = null;
    try {
      let token = await login(first);
      const partner = await call(first, token, 'POST', '/api/v1/partners', {
        slug: 'crash',
        name: 'Crash',
        contactEmail: 'crash@example.com',
      });
      const partnerId = String(partner.body.id);
      const base = sampleRows(10_000);
      const warm = await upload(first, token, partnerId, csvOf(base));
      assert.equal((await until(first, token, warm, (i) => i.status === 'SUCCEEDED')).counts.created, 10_000);

      // 5,000 unchanged, 5,000 updated, 50,000 new.
      const next = [
        ...base.slice(0, 5_000),
        ...base.slice(5_000).map((r) => ({ ...r, price: '1.00' })),
        ...sampleRows(50_000, 'NEW'),
      ];
      const id = await upload(first, token, partnerId, csvOf(next));
      const seen = await until(
        first,
        token,
        id,
        (i) =>
          (i.progress.phase === 'APPLYING' && i.progress.rowsRead >= 5_000) || (i.status !== 'RUNNING' && i.status !== 'QUEUED'),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      assert.equal(seen.status, 'RUNNING', 'killed while applying');

      second = await spawnServer(env);
      token = await login(second);
      const done = await until(second, token, id, (i) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(i.status));
      assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done.failure));
      assert.deepEqual(done.counts, { created: 50_000, updated: 5_000, unchanged: 5_000, archived: 0, rejected: 0 });

      // Exactly 60,000 products, as the rebuilt search index counts them.
      const deadline = Date.now() + 20_000;
      let total = 0;
      while (Date.now() < deadline) {
        const res = await call(second, token, 'GET', `/api/v1/products/search?partner=${partnerId}&limit=1`);
        total = Number(res.body.estimatedTotal);
        if (total === 60_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(total, 60_000);
      const again = await upload(second, token, partnerId, csvOf(next));
      const rerun = await until(second, token, again, (i) => i.status === 'SUCCEEDED');
      assert.deepEqual(rerun.counts, { created: 0, updated: 0, unchanged: 60_000, archived: 0, rejected: 0 });
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
