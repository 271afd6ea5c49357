import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCatalog, type CatalogReader, type RawRow } from '../../../src/modules/catalog/import/index.js';
import { rejectsWithCode } from '../../support/assert-app-error.js';
import { bytesSource, xlsx, xlsxWithEntity, xlsxWithHiddenPart, xlsxZipBomb, zip } from '../../support/catalog-files.js';

async function allRows(reader: CatalogReader): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return rows;
}

// A private temp dir: other test processes spool into the system's one at the same time.
const spoolDir = mkdtempSync(join(tmpdir(), 'atelier-xlsx-test-'));
const spooled = async () => (await readdir(spoolDir)).filter((n) => n.startsWith('atelier-xlsx-spool-')).length;

const book = () =>
  xlsx([
    {
      name: 'Notes',
      rows: [['This sheet is not the catalog']],
    },
    {
      name: 'Produits',
      rows: [
        ['Référence', 'Désignation', 'Prix', 'Lien', 'Ajouté le', 'Poids'],
        [
          'A1',
          { richText: [{ text: 'Poêle ' }, { text: 'pro', font: { bold: true } }] },
          12.5,
          { formula: 'HYPERLINK("http://evil.example","clic")', result: 'clic' },
          new Date(Date.UTC(2024, 0, 15)),
          0.1 + 0.2,
        ],
        [],
        [
          'A2',
          'Couvercle',
          1234.56,
          { text: 'site', hyperlink: 'https://atelier.example/a2' },
          new Date(Date.UTC(2024, 0, 15, 10, 30)),
          3,
        ],
      ],
    },
  ]);

describe('XLSX catalogs', () => {
  after(() => rmSync(spoolDir, { recursive: true, force: true }));

  it('reads the first sheet by default and a named one on request', async () => {
    const bytes = await book();
    const first = await openCatalog(bytesSource(bytes), { fileName: 'c.xlsx' });
    assert.equal(first.format, 'xlsx');
    assert.equal(first.csv, null);
    assert.deepEqual(await first.headers(), ['This sheet is not the catalog']);
    assert.deepEqual(await allRows(first), []);
    const named = await openCatalog(bytesSource(bytes), { sheet: 'Produits', tmpDir: spoolDir });
    assert.deepEqual(await named.headers(), ['Référence', 'Désignation', 'Prix', 'Lien', 'Ajouté le', 'Poids']);
  });

  it('turns cells into text: formulas as their formula, rich text as plain, dates as ISO 8601, numbers without float noise', async () => {
    const reader = await openCatalog(bytesSource(await book()), { sheet: 'Produits', tmpDir: spoolDir });
    const rows = await allRows(reader);
    assert.deepEqual(
      rows.map((r) => r.line),
      [2, 4],
      'rows keep their sheet row numbers; the blank row 3 is skipped',
    );
    assert.deepEqual(rows[0]?.values, {
      Référence: 'A1',
      Désignation: 'Poêle pro',
      Prix: '12.5',
      Lien: '=HYPERLINK("http://evil.example","clic")',
      'Ajouté le': '2024-01-15',
      Poids: '0.3',
    });
    assert.deepEqual(rows[1]?.values, {
      Référence: 'A2',
      Désignation: 'Couvercle',
      Prix: '1234.56',
      Lien: 'site',
      'Ajouté le': '2024-01-15T10:30:00.000Z',
      Poids: '3',
    });
  });

  it('keeps characters whose UTF-8 bytes straddle two inflated chunks (exceljs streaming bug worked around)', async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `Poêle n°${i} – 12,50 € 日本`);
    const bytes = await xlsx([{ name: 'P', rows: [['sku', 'nom'], ...names.map((n, i) => [`S${i}`, n])] }]);
    const rows = await allRows(await openCatalog(bytesSource(bytes), {}));
    assert.deepEqual(
      rows.map((r) => r.values.nom),
      names,
    );
  });

  it('can be read twice and leaves no spooled copy behind', async () => {
    const before = await spooled();
    const reader = await openCatalog(bytesSource(await book()), { sheet: 'Produits', tmpDir: spoolDir });
    assert.equal(await spooled(), before + 1);
    assert.equal((await allRows(reader)).length, 2);
    assert.equal(await spooled(), before);
    assert.equal((await allRows(reader)).length, 2, 'a second pass spools again');
    const headersOnly = await openCatalog(bytesSource(await book()), { sheet: 'Produits', tmpDir: spoolDir });
    assert.equal((await headersOnly.headers()).length, 6);
    assert.equal(await spooled(), before, 'headers() alone leaves nothing behind');
    assert.equal((await allRows(headersOnly)).length, 2);
    const unused = await openCatalog(bytesSource(await book()), { tmpDir: spoolDir });
    await unused.close?.();
    assert.equal(await spooled(), before);
  });

  it('names the sheets when the asked one does not exist', async () => {
    const reader = await openCatalog(bytesSource(await book()), { sheet: 'Catalogue' });
    const err = await rejectsWithCode(allRows(reader), 'BAD_USER_INPUT');
    assert.equal(err.message, 'The workbook has no sheet named "Catalogue" (sheets: "Notes", "Produits")');
  });

  it('refuses a zip bomb before exceljs reads it', async () => {
    const before = await spooled();
    const err = await rejectsWithCode(
      openCatalog(bytesSource(await xlsxZipBomb()), { fileName: 'c.xlsx', tmpDir: spoolDir }),
      'TOO_LARGE',
    );
    assert.match(err.message, /zip bomb/);
    assert.equal(await spooled(), before, 'the spooled copy is deleted');
  });

  it('refuses a DOCTYPE with entities in any XML part', async () => {
    const err = await rejectsWithCode(openCatalog(bytesSource(await xlsxWithEntity()), {}), 'UNSUPPORTED_TYPE');
    assert.match(err.message, /XML entities or a DOCTYPE \(xl\/sharedStrings\.xml\)/);
  });

  it('refuses a part hidden from the central directory', async () => {
    const err = await rejectsWithCode(openCatalog(bytesSource(await xlsxWithHiddenPart()), {}), 'UNSUPPORTED_TYPE');
    assert.equal(err.message, 'The Excel file has hidden or overlapping parts');
  });

  it('refuses a zip that is not a workbook, a text file declared as xlsx, and a workbook over maxBytes', async () => {
    const notBook = await zip([{ name: 'readme.txt', data: Buffer.from('hello') }]);
    assert.equal(
      (await rejectsWithCode(openCatalog(bytesSource(notBook), {}), 'UNSUPPORTED_TYPE')).message,
      'The zip file is not an Excel workbook (.xlsx)',
    );
    await rejectsWithCode(openCatalog(bytesSource(Buffer.from('sku,name\n')), { format: 'xlsx' }), 'UNSUPPORTED_TYPE');
    await rejectsWithCode(openCatalog(bytesSource(await book()), { maxBytes: 1000 }), 'TOO_LARGE');
  });

  it('refuses a damaged workbook', async () => {
    const bytes = await book();
    const damaged = Buffer.from(bytes);
    // scramble compressed data in the middle: the central directory still lists every part
    const from = Math.floor(bytes.length / 3);
    damaged.fill(0x5a, from, from + 200);
    const err = await rejectsWithCode(openCatalog(bytesSource(damaged), {}), 'UNSUPPORTED_TYPE');
    assert.match(err.message, /damaged|hidden/);
  });
});
