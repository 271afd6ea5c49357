/**
 * `npm run bench:catalog` — the embedded search engine at catalog scale, against floors measured in the same run.
 *
 * Aim (catalog issue): 1M products on this 2-core machine; import ≥ 25,000 products/s (file to searchable); search
 * p95 ≤ 15 ms and p99 ≤ 40 ms with facets at concurrency 1 and 8; peak RSS ≤ 1 GiB. Not a pass/fail test: it prints
 * figures, ratios against the floors, and whether each aim is met.
 *
 * Per size (default 100000 and 1000000), with the deterministic catalog of `bench/catalog/generate.ts`:
 *   Floors, in this process, on a temp SQLite file:
 *     - a plain insert loop into a table like the product store's (id, partner, sku, JSON document, seq), 10k rows
 *       per transaction: products/s (generation not timed);
 *     - the same products into a bare FTS5 table (unicode61, diacritics removed): products/s;
 *     - the query mix as FTS5 `MATCH … ORDER BY bm25 LIMIT 20` (words as typed, last word as a prefix when the query
 *       has it; no typo tolerance, no filters, no facets: the floor does strictly less work): p50/p95/p99.
 *   The engine, in a child process (clean peak RSS), on the same SQLite file:
 *     - start-up: the index rebuilt from the store's change feed (`ProductFeed` over `changesSince`, 10k per batch:
 *       read + JSON parse + index), and the index build alone (time inside applyChanges): products/s;
 *     - index memory (heap + array buffers after GC, minus before) and the typed-array part;
 *     - the query mix through `EmbeddedSearchIndex.search` (all four facets, limit 20, highlights loaded through the
 *       SQLite file as the product store's getMany would): p50/p95/p99 at concurrency 1 and 8 (eight overlapping async
 *       clients in this process), queries/s;
 *     - peak RSS of the child (everything: SQLite cache, feed batches, index).
 *
 * The query mix (seeded): 1–3 consecutive words of a random product's name (40/40/20 %), 20 % with one typo in a word
 * of ≥ 5 letters, 30 % with the last word cut to a prefix, 30 % with one filter (category root, price range, in
 * stock, brand or partner), 15 % sorted by price/name/newest; all with facets brand, category, partner, price.
 *
 *   npm run bench:catalog -- [--sizes 100000,1000000] [--queries 400] [--fts-queries 100] [--seed 42]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import type { Product } from '../src/modules/catalog/model.js';
import type { ProductChange } from '../src/modules/catalog/product-store.js';
import { EmbeddedSearchIndex, ProductFeed } from '../src/modules/catalog/search/index.js';
import { makeCatalog, type Catalog } from './catalog/generate.js';
import { makeQueries, type BenchQuery } from './catalog/queries.js';

const SELF = fileURLToPath(import.meta.url);
const AIM = { importPerSec: 25_000, p95: 15, p99: 40, rssBytes: 1024 ** 3 };

// ------------------------------------------------------------------------------------------------
// Query mix
// ------------------------------------------------------------------------------------------------

// ------------------------------------------------------------------------------------------------
// Figures
// ------------------------------------------------------------------------------------------------

interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  qps: number;
}

function latency(samples: number[], wallMs: number): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]!, qps: (samples.length / wallMs) * 1000 };
}

const fmtMs = (ms: number): string => (ms < 1 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(0)} MiB`;

function gcNow(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return gc;
}

// ------------------------------------------------------------------------------------------------
// Floors (parent process)
// ------------------------------------------------------------------------------------------------

interface Floors {
  sqliteInsertPerSec: number;
  fts5InsertPerSec: number;
  fts5: Latency;
  fts5Queries: number;
  dbBytes: number;
  generateSec: number;
}

function createSchema(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE products (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      partner_id TEXT NOT NULL,
      sku TEXT NOT NULL,
      status TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      doc TEXT NOT NULL,
      UNIQUE (partner_id, sku)
    );
    CREATE VIRTUAL TABLE products_fts USING fts5(name, brand, category, description, tokenize = 'unicode61 remove_diacritics 2');
  `);
}

function runFloors(catalog: Catalog, file: string, queries: BenchQuery[]): Floors {
  const db = new Database(file);
  createSchema(db);
  const insert = db.prepare(
    'INSERT INTO products (id, partner_id, sku, status, content_hash, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertFts = db.prepare('INSERT INTO products_fts (rowid, name, brand, category, description) VALUES (?, ?, ?, ?, ?)');
  let insertMs = 0;
  let ftsMs = 0;
  let genMs = 0;
  const BATCH = 10_000;
  for (let from = 0; from < catalog.size; from += BATCH) {
    const g0 = performance.now();
    const batch: Product[] = [];
    for (let i = from; i < Math.min(catalog.size, from + BATCH); i++) batch.push(catalog.productAt(i));
    const t0 = performance.now();
    genMs += t0 - g0;
    db.transaction(() => {
      for (const p of batch) insert.run(p.id, p.partnerId, p.sku, p.status, p.contentHash, p.updatedAt, JSON.stringify(p));
    })();
    const t1 = performance.now();
    insertMs += t1 - t0;
    db.transaction(() => {
      batch.forEach((p, k) => insertFts.run(from + k + 1, p.name, p.brand, p.category.join(' '), p.description));
    })();
    ftsMs += performance.now() - t1;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const search = db.prepare(
    'SELECT rowid FROM products_fts WHERE products_fts MATCH ? ORDER BY bm25(products_fts, 10.0, 5.0, 3.0, 1.0) LIMIT 20',
  );
  const ftsQuery = (q: BenchQuery): string =>
    q.words.map((w, i) => `"${w.replace(/"/g, '""')}"${q.prefix && i === q.words.length - 1 ? '*' : ''}`).join(' ');
  for (const q of queries.slice(0, 10)) search.all(ftsQuery(q));
  const samples: number[] = [];
  const w0 = performance.now();
  for (const q of queries) {
    const t0 = performance.now();
    search.all(ftsQuery(q));
    samples.push(performance.now() - t0);
  }
  const wall = performance.now() - w0;
  db.close();
  return {
    sqliteInsertPerSec: (catalog.size / insertMs) * 1000,
    fts5InsertPerSec: (catalog.size / ftsMs) * 1000,
    fts5: latency(samples, wall),
    fts5Queries: queries.length,
    dbBytes: fs.statSync(file).size,
    generateSec: genMs / 1000,
  };
}

// ------------------------------------------------------------------------------------------------
// Engine (child process)
// ------------------------------------------------------------------------------------------------

interface EngineFigures {
  products: number;
  startupSec: number;
  buildPerSec: number;
  /** Per second of CPU time of this process (GC threads included): what the build does when it has a core. */
  buildPerCpuSec: number;
  feedReadSec: number;
  indexBytes: number;
  typedArrayBytes: number;
  vocabulary: number;
  c1: Latency;
  c8: Latency;
  engineOnly: Latency;
  cpuMsPerQuery: number;
  cpuLatency: Latency;
  medianTotal: number;
  peakRssBytes: number;
  queries: number;
  snapshotWriteSec: number;
  snapshotBytes: number;
  /** Peak RSS once the snapshot has been written (the write copies the postings into one array). */
  peakRssWithSnapshotBytes: number;
  estimatedShare: number;
}

interface SnapshotStartFigures {
  /** Snapshot read + checked + loaded, then the feed caught up from its seq: searchable. */
  startupSec: number;
  loadSec: number;
  caughtUp: number;
  peakRssBytes: number;
}

async function runEngine(size: number, seed: number, file: string, nQueries: number): Promise<EngineFigures> {
  const gc = gcNow();
  const catalog = makeCatalog(size, seed);
  const queries = makeQueries(catalog, nQueries, seed);
  const db = new Database(file, { readonly: true });
  const changes = db.prepare('SELECT seq, id, doc FROM products WHERE seq > ? ORDER BY seq LIMIT ?');
  const getMany = db.prepare('SELECT doc FROM products WHERE id IN (SELECT value FROM json_each(?))');
  let readMs = 0;
  const source = {
    changesSince: async (after: number, limit: number): Promise<ProductChange[]> => {
      const t0 = performance.now();
      const rows = changes.all(after, limit) as { seq: number; id: string; doc: string }[];
      const out = rows.map((r) => ({ seq: r.seq, productId: r.id, product: JSON.parse(r.doc) as Product }));
      readMs += performance.now() - t0;
      return out;
    },
  };
  const index = new EmbeddedSearchIndex({
    loadProducts: async (ids) => (getMany.all(JSON.stringify(ids)) as { doc: string }[]).map((r) => JSON.parse(r.doc) as Product),
  });
  let buildMs = 0;
  let buildCpuMs = 0;
  const sink = {
    applyChanges: (batch: readonly ProductChange[]): void => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      index.applyChanges(batch);
      const c = process.cpuUsage(c0);
      buildCpuMs += (c.user + c.system) / 1000;
      buildMs += performance.now() - t0;
    },
  };
  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const feed = new ProductFeed(source, sink, { batchSize: 10_000 });
  const applied = await feed.catchUp();
  const t1 = performance.now();
  index.engine.trim();
  buildMs += performance.now() - t1;
  const startupMs = performance.now() - t0;
  gc();
  const after = process.memoryUsage();

  const run = async (concurrency: number): Promise<{ lat: Latency; totals: number[]; estimated: number }> => {
    const samples: number[] = [];
    const totals: number[] = [];
    let estimated = 0;
    let next = 0;
    const w0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < queries.length) {
          const q = queries[next++]!;
          const s0 = performance.now();
          const r = await index.search(q.query);
          samples.push(performance.now() - s0);
          totals.push(r.estimatedTotal);
          if (!r.totalIsExact) estimated++;
        }
      }),
    );
    return { lat: latency(samples, performance.now() - w0), totals, estimated };
  };
  for (const q of queries.slice(0, 100)) await index.search(q.query);
  const c1 = await run(1);
  const c8 = await run(8);
  // Load-independent figures: the engine alone (ranking, facets, cursor; no text loading nor highlighting), and CPU
  // time per full search.
  const engineSamples: number[] = [];
  const e0 = performance.now();
  for (const q of queries) {
    const s0 = performance.now();
    index.engine.search(q.query);
    engineSamples.push(performance.now() - s0);
  }
  const engineOnly = latency(engineSamples, performance.now() - e0);
  // CPU time per full search (service time: what latency would be on an idle core), one query at a time.
  const cpuSamples: number[] = [];
  for (const q of queries) {
    const c0 = process.cpuUsage();
    await index.search(q.query);
    const c = process.cpuUsage(c0);
    cpuSamples.push((c.user + c.system) / 1000);
  }
  const cpuMsPerQuery = cpuSamples.reduce((a, b) => a + b, 0) / cpuSamples.length;
  const cpuLatency = latency(cpuSamples, 1);
  const totals = [...c1.totals].sort((a, b) => a - b);
  db.close();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const s0 = performance.now();
  const snapshotBytes = index.saveSnapshot(path.join(path.dirname(file), 'search-index'), feed.lastSeq);
  const snapshotWriteSec = (performance.now() - s0) / 1000;
  return {
    products: applied,
    startupSec: startupMs / 1000,
    buildPerSec: (applied / buildMs) * 1000,
    buildPerCpuSec: (applied / buildCpuMs) * 1000,
    feedReadSec: readMs / 1000,
    indexBytes: after.heapUsed + after.external - (before.heapUsed + before.external),
    typedArrayBytes: index.engine.typedArrayBytes(),
    vocabulary: index.engine.vocabulary.size,
    c1: c1.lat,
    c8: c8.lat,
    engineOnly,
    cpuMsPerQuery,
    cpuLatency,
    medianTotal: totals[Math.floor(totals.length / 2)]!,
    peakRssBytes,
    queries: queries.length,
    snapshotWriteSec,
    snapshotBytes,
    peakRssWithSnapshotBytes: process.resourceUsage().maxRSS * 1024,
    estimatedShare: c1.estimated / queries.length,
  };
}

/** Start-up from the snapshot the engine child wrote: load it, then catch up from the feed after its seq. */
async function runSnapshotStart(file: string): Promise<SnapshotStartFigures> {
  const db = new Database(file, { readonly: true });
  const changes = db.prepare('SELECT seq, id, doc FROM products WHERE seq > ? ORDER BY seq LIMIT ?');
  const source = {
    changesSince: async (after: number, limit: number): Promise<ProductChange[]> =>
      (changes.all(after, limit) as { seq: number; id: string; doc: string }[]).map((r) => ({
        seq: r.seq,
        productId: r.id,
        product: JSON.parse(r.doc) as Product,
      })),
  };
  const index = new EmbeddedSearchIndex({ loadProducts: async () => [] });
  const t0 = performance.now();
  const seq = index.loadSnapshot(path.join(path.dirname(file), 'search-index'));
  if (seq === null) throw new Error('no usable snapshot');
  const loadSec = (performance.now() - t0) / 1000;
  const feed = new ProductFeed(source, index, { batchSize: 10_000, fromSeq: seq });
  const caughtUp = await feed.catchUp();
  const startupSec = (performance.now() - t0) / 1000;
  db.close();
  return { startupSec, loadSec, caughtUp, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function runChild<T>(size: number, seed: number, file: string, nQueries: number, mode = '--child'): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        SELF,
        mode,
        '--sizes',
        String(size),
        '--seed',
        String(seed),
        '--db',
        file,
        '--queries',
        String(nQueries),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`engine child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '400' },
    'fts-queries': { type: 'string', default: '100' },
    seed: { type: 'string', default: '42' },
    child: { type: 'boolean', default: false },
    'snapshot-child': { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const seed = Number(values.seed);
const nQueries = Number(values.queries);

if (values['snapshot-child']) {
  process.stdout.write(`${JSON.stringify(await runSnapshotStart(values.db!))}\n`);
} else if (values.child) {
  const figures = await runEngine(sizes[0]!, seed, values.db!, nQueries);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const cpus = os.cpus();
  const probe = new Database(':memory:');
  const sqliteVersion = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  probe.close();
  console.log('Catalog search benchmark');
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${mib(os.totalmem())} RAM, ${os.platform()} ${os.release()}; node ${process.version}; SQLite ${sqliteVersion}; load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `dataset: bench/catalog/generate.ts seed ${seed} (24k pseudo-words Zipf, ~6-word names, ~30-word descriptions, 2k brands, 3-level categories, 50 partners)`,
  );
  console.log(
    `query mix: ${nQueries} queries (engine), first ${values['fts-queries']} of them for the FTS5 floor; limit 20; facets brand, category, partner, price\n`,
  );
  for (const size of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-catalog-bench-'));
    try {
      const file = path.join(dir, 'catalog.db');
      const catalog = makeCatalog(size, seed);
      const queries = makeQueries(catalog, nQueries, seed);
      console.log(`== ${fmtInt(size)} products ==`);
      const floors = runFloors(catalog, file, queries.slice(0, Number(values['fts-queries'])));
      console.log(
        `floor  SQLite insert loop (store-like table)   ${fmtInt(floors.sqliteInsertPerSec)} products/s   (generation ${floors.generateSec.toFixed(1)} s, not timed)`,
      );
      console.log(
        `floor  FTS5 insert (4 columns)                 ${fmtInt(floors.fts5InsertPerSec)} products/s   (database ${mib(floors.dbBytes)})`,
      );
      const f = floors.fts5;
      console.log(
        `floor  FTS5 MATCH ORDER BY bm25 LIMIT 20       p50 ${fmtMs(f.p50)} ms  p95 ${fmtMs(f.p95)} ms  p99 ${fmtMs(f.p99)} ms  max ${fmtMs(f.max)} ms  (${floors.fts5Queries} queries, no facets)`,
      );
      const e = await runChild<EngineFigures>(size, seed, file, nQueries);
      const snap = await runChild<SnapshotStartFigures>(size, seed, file, nQueries, '--snapshot-child');
      const ok = (b: boolean): string => (b ? 'meets aim' : 'MISSES aim');
      console.log(
        `engine start-up (feed from SQLite → searchable) ${e.startupSec.toFixed(1)} s = ${fmtInt(e.products / e.startupSec)} products/s (of which feed read + JSON parse ${e.feedReadSec.toFixed(1)} s)`,
      );
      console.log(
        `engine start-up from a snapshot               ${snap.startupSec.toFixed(1)} s (load + check ${snap.loadSec.toFixed(1)} s, ${fmtInt(snap.caughtUp)} changes caught up; peak RSS ${mib(snap.peakRssBytes)}); snapshot on disk ${mib(e.snapshotBytes)}, written in ${e.snapshotWriteSec.toFixed(1)} s (peak RSS then ${mib(e.peakRssWithSnapshotBytes)})`,
      );
      console.log(
        `engine index build                             ${fmtInt(e.buildPerSec)} products/s wall, ${fmtInt(e.buildPerCpuSec)} per CPU-second  (${(e.buildPerSec / floors.sqliteInsertPerSec).toFixed(1)}× the SQLite insert floor; aim for the whole import ≥ ${fmtInt(AIM.importPerSec)}/s)`,
      );
      console.log(
        `engine index memory                            ${mib(e.indexBytes)} = ${fmtInt(e.indexBytes / e.products)} bytes/product (typed arrays ${mib(e.typedArrayBytes)}); vocabulary ${fmtInt(e.vocabulary)} terms`,
      );
      for (const [name, l] of [
        ['1', e.c1],
        ['8', e.c8],
      ] as const) {
        console.log(
          `engine search, concurrency ${name}                  p50 ${fmtMs(l.p50)} ms  p95 ${fmtMs(l.p95)} ms  p99 ${fmtMs(l.p99)} ms  max ${fmtMs(l.max)} ms  ${fmtInt(l.qps)} q/s` +
            `  | FTS5 p95 ÷ this p95 = ${(f.p95 / l.p95).toFixed(1)}  | ${ok(l.p95 <= AIM.p95 && l.p99 <= AIM.p99)} (p95 ≤ ${AIM.p95}, p99 ≤ ${AIM.p99})`,
        );
      }
      const eo = e.engineOnly;
      console.log(
        `engine alone (no text load/highlight), c1     p50 ${fmtMs(eo.p50)} ms  p95 ${fmtMs(eo.p95)} ms  p99 ${fmtMs(eo.p99)} ms  max ${fmtMs(eo.max)} ms`,
      );
      const cl = e.cpuLatency;
      console.log(
        `engine CPU time per full search (service time) p50 ${fmtMs(cl.p50)} ms  p95 ${fmtMs(cl.p95)} ms  p99 ${fmtMs(cl.p99)} ms  max ${fmtMs(cl.max)} ms  mean ${e.cpuMsPerQuery.toFixed(2)} ms  | ${ok(cl.p95 <= AIM.p95 && cl.p99 <= AIM.p99)} on an idle core`,
      );
      console.log(
        `engine matches per query (median estimatedTotal) ${fmtInt(e.medianTotal)}; estimated (sampled) totals and facets in ${(e.estimatedShare * 100).toFixed(0)} % of the queries`,
      );
      console.log(
        `engine peak RSS (child: SQLite + feed + index)  ${mib(e.peakRssBytes)}  | ${ok(e.peakRssBytes <= AIM.rssBytes)} (≤ 1 GiB)`,
      );
      console.log(
        `load average now ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} (${cpus.length} cores: above ${cpus.length} the figures are disturbed by other processes)\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
