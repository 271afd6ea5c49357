/**
 * `npm run bench:catalog` — parse + map throughput and memory of the catalog readers: a generated catalog
 * (never held whole in memory) streamed through `openCatalog` → `rows()` → `mapRow`, per format.
 *
 * Aim: the import pipeline targets ≥ 25,000 products/s end to end on a 2-core machine, so parsing and
 * mapping should stay well above it (≥ 100,000 rows/s for CSV) with bounded memory. Prints figures; not
 * a pass/fail test. Rows per CPU-second (user + system time of this process, which includes GC and
 * stream threads) is the figure to compare on a shared machine; wall-clock rows/s depends on the load.
 * The bounded-memory assertion lives in test/unit/catalog/throughput.test.ts.
 *
 *   npm run bench:catalog -- [--rows N] [--format csv|xlsx|json|ndjson|all]
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { detectMapping, mapRow, openCatalog, type OpenStream } from '../src/modules/catalog/import/index.js';
import { generatedSource, productCsv, productItems } from '../test/support/catalog-files.js';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, format: { type: 'string', default: 'all' } },
});
const ROWS = Number(args.rows);

async function measure(label: string, open: OpenStream): Promise<void> {
  if (global.gc) global.gc();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const reader = await openCatalog(open, {});
  const mapping = detectMapping(await reader.headers(), null);
  let ok = 0;
  let rejected = 0;
  for await (const row of reader.rows()) {
    const r = mapRow(row, mapping);
    if (r.ok) ok++;
    else rejected++;
    if ((ok & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
  console.log(
    `${label.padEnd(8)} ${String(ok + rejected).padStart(8)} rows  ${s.toFixed(2)} s  ${Math.round((ok + rejected) / s)
      .toString()
      .padStart(8)} rows/s  ${Math.round((ok + rejected) / cpuS)
      .toString()
      .padStart(8)} rows/CPU-s  rejected ${rejected}  RSS +${mb(peak - rss0)} (peak ${mb(peak)})`,
  );
}

const want = (f: string) => args.format === 'all' || args.format === f;
if (want('csv')) await measure('csv', productCsv(ROWS));
if (want('ndjson')) {
  await measure(
    'ndjson',
    generatedSource(function* () {
      for (const batch of productItems(ROWS)) yield Buffer.from(batch.map((i) => JSON.stringify(i)).join('\n') + '\n');
    }),
  );
}
if (want('json')) {
  await measure(
    'json',
    generatedSource(function* () {
      yield Buffer.from('[');
      let first = true;
      for (const batch of productItems(ROWS)) {
        yield Buffer.from((first ? '' : ',') + batch.map((i) => JSON.stringify(i)).join(','));
        first = false;
      }
      yield Buffer.from(']');
    }),
  );
}
if (want('xlsx')) {
  // written by exceljs's streaming writer to a temp file: the bench measures reading, not building
  const dir = await mkdtemp(join(tmpdir(), 'catalog-bench-'));
  const filename = join(dir, 'catalog.xlsx');
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings: true });
  const sheet = writer.addWorksheet('Produits');
  sheet.addRow(['Référence', 'Désignation', 'Marque', 'Prix', 'Catégorie', 'EAN', 'Stock', 'Couleur']).commit();
  for (const batch of productItems(ROWS)) {
    for (const i of batch) sheet.addRow([i.sku, i.name, i.brand, i.price, i.category, i.ean, i.stock, i.color]).commit();
  }
  sheet.commit();
  await writer.commit();
  try {
    await measure('xlsx', () => Promise.resolve(createReadStream(filename)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
