/**
 * `npm run bench:import [-- --sizes 100000,1000000] [--batch 5000]` — catalog import throughput, from file to searchable.
 *
 * For each size (default 100,000 and 1,000,000 products), in a fresh child process (so that its peak RSS is the
 * import's) and a fresh data dir, wired as the app runs it with the embedded stores: a generated CSV (11 columns,
 * ~120 bytes a row) is stored in the `FsBlobStore` through a signed upload (as large files arrive), then the clock
 * starts: `runImport` (the job handler's code) on `SqliteProductStore` + `SqliteCatalogStore` sharing `catalog.db`,
 * while a `ProductFeed` (started as `src/app.ts` starts it: catch up, then poll every 500 ms) tails `changesSince`
 * into an `EmbeddedSearchIndex` in the same process. The clock stops when the import is SUCCEEDED and every product
 * is in the index (the feed has applied the store's last seq, and a search for the last sku finds it).
 *
 * Printed per size: products/s end to end (and the import alone), CPU-seconds, peak RSS, catalog.db on disk (with
 * its WAL), and the floor measured in the same child right after: the same rows (read back from the imported
 * store) inserted by a plain loop into a fresh products table (same schema and indexes, `openCatalogDb`), one
 * transaction per 1000 rows — what SQLite alone costs on this machine now; the ratio says how far above it the
 * import is. The load average is printed with every figure: other processes share the cores.
 * `--no-search` leaves the index out (the import alone: what the feed and the index add to time and memory).
 * The aim in the issue: ≥ 25,000 products/s end to end at 1M products, peak RSS ≤ 1 GiB.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBlobStore } from '../src/modules/files/index.js';
import { SqliteCatalogStore } from '../src/modules/catalog/stores/sqlite-catalog-store.js';
import { SqliteProductStore } from '../src/modules/catalog/stores/sqlite-product-store.js';
import { openCatalogDb } from '../src/modules/catalog/stores/catalog-db.js';
import { detectMapping, mapRow, missingRequiredFields, openCatalog } from '../src/modules/catalog/import/index.js';
import { runImport } from '../src/modules/catalog/import/run-import.js';
import { EmbeddedSearchIndex, ProductFeed } from '../src/modules/catalog/search/index.js';
import { systemClock } from '../src/shared/clock.js';
import type { CatalogImport } from '../src/modules/catalog/model.js';
import type { SearchQuery } from '../src/modules/catalog/search/index.js';

interface Figures {
  rows: number;
  csvBytes: number;
  importMs: number;
  searchableMs: number;
  cpuSeconds: number;
  peakRssBytes: number;
  dbBytes: number;
  walBytes: number;
  floorMs: number;
  counts: string;
  loadAtImport: number[];
  loadAtFloor: number[];
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const load = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Writes the generated CSV of `rows` products to `file`, streamed (bounded memory). */
async function writeCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve) => (out.write(s) ? resolve() : out.once('drain', resolve)));
  await write('sku,name,brand,category,price,currency,stock,description,ean,color,material\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const price = (10 + (i % 500)).toFixed(2);
    chunk += `SKU-${i},Poêle inox ${i % 97} cm,Brand ${i % 40},Maison > Cuisine > Poêles ${i % 12},${price},EUR,${i % 17},Une poêle solide numéro ${i},,${['rouge', 'noir', 'bleu'][i % 3]},inox\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return fs.statSync(file).size;
}

/** One size, in this (child) process: store the file, import, wait until searchable, then the floor. */
async function child(csvFile: string, rows: number, batchSize: number | undefined, withSearch: boolean): Promise<Figures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-import-'));
  try {
    const dbFile = path.join(dir, 'catalog.db');
    const blobs = await FsBlobStore.open({ dataDir: dir, publicUrl: 'http://localhost' });
    const products = new SqliteProductStore(dbFile);
    const catalog = new SqliteCatalogStore(dbFile);
    const index = new EmbeddedSearchIndex({ loadProducts: (ids) => products.getMany(ids) });
    const feed = withSearch ? new ProductFeed(products, index) : null;
    await feed?.catchUp();
    feed?.start();

    // The file is stored as a signed upload stores it (what `POST …/imports` with a blobKey then imports).
    const partnerId = crypto.randomUUID();
    const key = `catalog-imports/${partnerId}/${crypto.randomUUID()}`;
    const size = fs.statSync(csvFile).size;
    const target = await blobs.createUploadTarget({
      key,
      contentType: 'text/csv',
      minSize: size,
      maxSize: size,
      expiresInSeconds: 600,
    });
    await blobs.writeUpload(
      blobs.verifyUploadPolicy(target.fields.policy, target.fields.signature),
      fs.createReadStream(csvFile),
    );
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
    const loadAtImport = load();
    const done = await runImport(
      {
        products,
        catalog,
        blobs,
        clock: systemClock,
        settings: { maxRejectShare: 0.5, maxFileBytes: 200 * 1024 * 1024, apiKeyRateLimitPerMinute: 600, uploadTtlSeconds: 600 },
        readers: { openCatalog, detectMapping, mapRow, missingRequiredFields },
        batchSize,
      },
      imp.id,
    );
    const importMs = performance.now() - t0;
    if (done?.status !== 'SUCCEEDED') throw new Error(`import ended ${done?.status}: ${JSON.stringify(done?.failure)}`);
    // Searchable: the feed has applied the store's last change (the poll may be running; catchUp joins it).
    const last = await products.getBySku(partnerId, `SKU-${rows - 1}`);
    const source = openCatalogDb(dbFile);
    const lastSeq = source.prepare<[], { s: number }>('SELECT MAX(seq) AS s FROM products').get()?.s ?? 0;
    while (feed && feed.lastSeq < lastSeq) await feed.catchUp();
    const searchableMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!last) throw new Error('the last product was not imported');
    if (feed) {
      const q: SearchQuery = { q: `SKU-${rows - 1}`, filters: {}, sort: 'relevance', facets: [], limit: 1, cursor: null };
      const found = await index.search(q);
      if (found.hits[0]?.productId !== last.id) throw new Error('the last product is not searchable');
      await feed.stop();
    }
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const dbBytes = fs.statSync(dbFile).size;
    const walBytes = fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0;

    // The floor: the same rows, read back in chunks, inserted by a plain loop (only the inserts are timed).
    const floorDb = openCatalogDb(path.join(dir, 'floor.db'));
    const read = source.prepare<[number, number], Record<string, unknown>>(
      'SELECT * FROM products WHERE seq > ? AND seq <= ? ORDER BY seq',
    );
    const insert = floorDb.prepare(
      `INSERT INTO products (id, partner_id, sku, status, content_hash, seq, last_import_id, last_import_outcome, created_at, updated_at, doc)
       VALUES (@id, @partner_id, @sku, @status, @content_hash, @seq, @last_import_id, @last_import_outcome, @created_at, @updated_at, @doc)`,
    );
    const insertChunk = floorDb.transaction((chunk: Record<string, unknown>[]) => {
      for (const r of chunk) insert.run(r);
    });
    const loadAtFloor = load();
    let floorMs = 0;
    for (let s = 0; s < rows; s += 1000) {
      const chunk = read.all(s, s + 1000);
      const f0 = performance.now();
      insertChunk.immediate(chunk);
      floorMs += performance.now() - f0;
    }
    source.close();
    floorDb.close();
    await index.close();
    await products.close();
    await catalog.close();
    return {
      rows,
      csvBytes: size,
      importMs,
      searchableMs,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes,
      dbBytes,
      walBytes,
      floorMs,
      counts: JSON.stringify(done.counts),
      loadAtImport,
      loadAtFloor,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const childCsv = arg('--child');
  const batchArg = arg('--batch');
  const batchSize = batchArg === undefined ? undefined : Number(batchArg);
  if (childCsv) {
    const figures = await child(childCsv, Number(arg('--rows')), batchSize, !process.argv.includes('--no-search'));
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const positional = process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : undefined;
  const withSearch = !process.argv.includes('--no-search');
  const sizes = (arg('--sizes') ?? positional ?? '100000,1000000').split(',').map(Number);
  const cpu = os.cpus();
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${mib(os.totalmem())} RAM, ${os.type()} ${os.release()}, node ${process.version}, ${os.tmpdir()} on the same disk as the data dir`,
  );
  console.log(
    'Dataset: generated CSV, 11 columns (sku,name,brand,category,price,currency,stock,description,ean,color,material), ' +
      `one partner, all new products (first import, UPSERT), batches of ${batchSize ?? "runImport's default"}`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-csv-'));
  try {
    for (const rows of sizes) {
      const csvFile = path.join(work, `catalog-${rows}.csv`);
      await writeCsv(csvFile, rows);
      const self = fileURLToPath(import.meta.url);
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          self,
          '--child',
          csvFile,
          '--rows',
          String(rows),
          ...(batchSize ? ['--batch', String(batchSize)] : []),
          ...(withSearch ? [] : ['--no-search']),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      fs.rmSync(csvFile, { force: true });
      if (run.status !== 0) throw new Error(`the run of ${rows} rows failed (exit ${run.status})`);
      const f = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Figures;
      const perSecond = rows / (f.searchableMs / 1000);
      const floorPerSecond = rows / (f.floorMs / 1000);
      console.log(
        `\n${fmt(rows)} products, ${(f.csvBytes / 1024 / 1024).toFixed(1)} MiB CSV → ${f.counts}\n` +
          `  file stored → SUCCEEDED${withSearch ? ' → all searchable' : ' (--no-search: no index fed)'}: ${(f.searchableMs / 1000).toFixed(2)} s = ${fmt(perSecond)} products/s` +
          ` (import alone ${(f.importMs / 1000).toFixed(2)} s = ${fmt(rows / (f.importMs / 1000))}/s;` +
          ` ${fmt(rows / f.cpuSeconds)} products per CPU-second)  load average ${f.loadAtImport.join(' ')}\n` +
          `  peak RSS ${mib(f.peakRssBytes)}; catalog.db ${mib(f.dbBytes)} (+ WAL ${mib(f.walBytes)})\n` +
          `  floor (plain inserts, same rows, 1000 per transaction): ${(f.floorMs / 1000).toFixed(2)} s = ${fmt(floorPerSecond)} rows/s` +
          `  load average ${f.loadAtFloor.join(' ')}\n` +
          `  ratio end to end / floor: ${(perSecond / floorPerSecond).toFixed(2)}`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
