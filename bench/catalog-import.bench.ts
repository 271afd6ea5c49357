/**
 * `npm run bench:import [rows]` — end-to-end import throughput on the embedded stores.
 *
 * What runs, in this process: a generated CSV of `rows` products (default 200,000; 11 columns, ~150 bytes a row)
 * stored in an `FsBlobStore`, then `runImport` — the job handler's code — on `SqliteProductStore` and
 * `SqliteCatalogStore` in a fresh temp `catalog.db`: pass 1 reads, maps and validates every row, pass 2 reads
 * again and applies batches of 1000 in one transaction each. It is run three times: a first import (all
 * created), the same file again (all unchanged) and a file where every other row changed (half updated).
 * Printed: rows per second of the whole import (both passes), of pass 2 alone as the progress timings tell, and
 * rows per CPU-second of this process (what the import costs, whatever else runs on the machine).
 * The aim in the issue: ≥ 25,000 products/s end to end on 2 cores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../src/modules/files/index.js';
import { SqliteCatalogStore } from '../src/modules/catalog/stores/sqlite-catalog-store.js';
import { SqliteProductStore } from '../src/modules/catalog/stores/sqlite-product-store.js';
import { detectMapping, mapRow, missingRequiredFields, openCatalog } from '../src/modules/catalog/import/index.js';
import { runImport } from '../src/modules/catalog/import/run-import.js';
import { systemClock } from '../src/shared/clock.js';
import type { CatalogImport } from '../src/modules/catalog/model.js';

const rows = Number(process.argv[2] ?? 200_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-catalog-'));
const blobs = await FsBlobStore.open({ dataDir: dir, publicUrl: 'http://localhost' });
const products = new SqliteProductStore(path.join(dir, 'catalog.db'));
const catalog = new SqliteCatalogStore(path.join(dir, 'catalog.db'));
const partnerId = crypto.randomUUID();

function csv(changeEvery: number | null): Buffer {
  const lines = ['sku,name,brand,category,price,currency,stock,description,ean,color,material'];
  for (let i = 0; i < rows; i++) {
    const price = (10 + (i % 500) + (changeEvery && i % changeEvery === 0 ? 0.5 : 0)).toFixed(2);
    lines.push(
      `SKU-${i},Poêle inox ${i % 97} cm,Brand ${i % 40},Maison > Cuisine > Poêles ${i % 12},${price},EUR,${i % 17},Une poêle solide numéro ${i},,${['rouge', 'noir', 'bleu'][i % 3]},inox`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function run(label: string, bytes: Buffer): Promise<void> {
  const key = `catalog-imports/${partnerId}/${crypto.randomUUID()}`;
  await blobs.put(key, bytes, 'text/csv');
  const now = new Date().toISOString();
  const imp: CatalogImport = {
    id: crypto.randomUUID(),
    partnerId,
    createdBy: 'bench',
    blobKey: key,
    fileName: 'bench.csv',
    format: null,
    sheet: null,
    mode: 'UPSERT',
    dryRun: false,
    status: 'QUEUED',
    progress: { phase: null, rowsRead: 0, rowsTotal: null },
    counts: { created: 0, updated: 0, unchanged: 0, archived: 0, rejected: 0 },
    failure: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    mapping: null,
  };
  await catalog.createImport(imp);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let applyingSince = 0;
  const watch = setInterval(() => {
    void catalog.getImport(imp.id).then((i) => {
      if (!applyingSince && i?.progress.phase === 'APPLYING') applyingSince = performance.now();
    });
  }, 20);
  const done = await runImport(
    {
      products,
      catalog,
      blobs,
      clock: systemClock,
      settings: { maxRejectShare: 0.5, maxFileBytes: 2 * 1024 ** 3, apiKeyRateLimitPerMinute: 600, uploadTtlSeconds: 600 },
      readers: { openCatalog, detectMapping, mapRow, missingRequiredFields },
    },
    imp.id,
  );
  clearInterval(watch);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const applyMs = applyingSince ? performance.now() - applyingSince : NaN;
  console.log(
    `${label.padEnd(26)} ${done?.status} ${JSON.stringify(done?.counts)}\n` +
      `  end to end ${(ms / 1000).toFixed(2)} s = ${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s;` +
      ` apply pass ≈ ${(applyMs / 1000).toFixed(2)} s = ${Math.round(rows / (applyMs / 1000)).toLocaleString('en')} rows/s\n` +
      `  CPU ${cpuSeconds.toFixed(2)} s = ${Math.round(rows / cpuSeconds).toLocaleString('en')} rows per CPU-second` +
      ` (wall figures suffer when other processes share the cores: load average ${os.loadavg()[0]?.toFixed(1)})`,
  );
}

const file = csv(null);
console.log(
  `${rows.toLocaleString('en')} rows, ${(file.length / 1024 / 1024).toFixed(1)} MB CSV, node ${process.version}, ${os.cpus().length} CPUs`,
);
await run('first import (created)', file);
await run('same file (unchanged)', file);
await run('half the rows changed', csv(2));
await products.close();
await catalog.close();
fs.rmSync(dir, { recursive: true, force: true });
