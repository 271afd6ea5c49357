import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCatalog, type CatalogReader, type RawRow } from '../../../src/modules/catalog/import/index.js';
import { rejectsWithCode } from '../../support/assert-app-error.js';
import { bytesSource, csv, singleLineCsv } from '../../support/catalog-files.js';
import { png } from '../../support/sample-files.js';

async function allRows(reader: CatalogReader): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return rows;
}

const ROWS = [
  ['sku', 'nom', 'prix'],
  ['A1', 'Poêle à frire “pro” – 28 cm', '12,50 €'],
  ['A2', 'Café crème', '3,20 €'],
];

describe('CSV catalogs', () => {
  for (const encoding of ['utf-8', 'windows-1252', 'iso-8859-1'] as const) {
    it(`detects ${encoding} and decodes accents${encoding === 'iso-8859-1' ? '' : ', quotes and €'}`, async () => {
      // ISO-8859-1 has neither € nor typographic quotes: the sample keeps to its letters
      const rows =
        encoding === 'iso-8859-1'
          ? [
              ['sku', 'nom', 'prix'],
              ['A1', 'Poêle à frire', '12,50 EUR'],
              ['A2', 'Café crème', '3,20'],
            ]
          : ROWS;
      const reader = await openCatalog(bytesSource(csv(rows, { encoding, delimiter: ';' })), { fileName: 'c.csv' });
      assert.equal(reader.format, 'csv');
      assert.deepEqual(reader.csv, { delimiter: ';', encoding });
      assert.deepEqual(await reader.headers(), ['sku', 'nom', 'prix']);
      const read = await allRows(reader);
      assert.deepEqual(
        read.map((r) => r.values),
        rows.slice(1).map(([sku, nom, prix]) => ({ sku, nom, prix })),
      );
    });
  }

  it('flags, as a row error, a value whose bytes are not UTF-8 after a first 64 KB that was', async () => {
    const ascii = csv([['sku', 'name'], ...Array.from({ length: 8000 }, (_, i) => [`S${i}`, 'plain ascii name'])]);
    const latin1 = csv(
      [
        ['S-late', 'Poêle'],
        ['S-ok', 'Lid'],
      ],
      { encoding: 'iso-8859-1' },
    );
    const reader = await openCatalog(bytesSource(Buffer.concat([ascii, latin1])), {});
    assert.equal(reader.csv?.encoding, 'utf-8');
    const flagged = (await allRows(reader)).filter((r) => r.errors);
    assert.deepEqual(
      flagged.map((r) => [r.values.sku, r.errors?.[0]?.column]),
      [['S-late', 'name']],
    );
  });

  it('strips a UTF-8 BOM (the first header is not "\\uFEFFsku")', async () => {
    const reader = await openCatalog(bytesSource(csv(ROWS, { bom: true })), {});
    assert.equal(reader.csv?.encoding, 'utf-8');
    assert.deepEqual(await reader.headers(), ['sku', 'nom', 'prix']);
    assert.equal((await allRows(reader))[0]?.values.sku, 'A1');
  });

  it('decodes a character split across stream chunks', async () => {
    const bytes = csv(ROWS);
    const reader = await openCatalog(bytesSource(bytes, 7), {});
    assert.equal((await allRows(reader))[0]?.values.nom, 'Poêle à frire “pro” – 28 cm');
  });

  for (const delimiter of [',', ';', '\t', '|']) {
    it(`detects the delimiter ${JSON.stringify(delimiter)}, ignoring the ones inside quotes`, async () => {
      const rows = [
        ['sku', 'name', 'price', 'description'],
        ['A1', 'Pan; "large", 28|30 cm', '1,234.56', 'a\tb'],
        ['A2', 'Lid', '3', 'x,y;z|w'],
      ];
      const reader = await openCatalog(bytesSource(csv(rows, { delimiter, quoteAll: true })), {});
      assert.equal(reader.csv?.delimiter, delimiter);
      assert.deepEqual(
        (await allRows(reader)).map((r) => r.values.name),
        ['Pan; "large", 28|30 cm', 'Lid'],
      );
    });
  }

  it('reads quoted multi-line fields and reports the line where each record starts (LF and CRLF)', async () => {
    for (const eol of ['\n', '\r\n']) {
      const rows = [
        ['sku', 'name', 'description'],
        ['A1', 'Pan', `first line${eol}second line${eol}third line`],
        ['A2', 'Lid', 'one line'],
        ['A3', 'Pot', `two${eol}lines`],
      ];
      const text = csv(rows, { eol }).toString().replace(`A2,Lid`, `${eol}${eol}A2,Lid`); // two blank lines before A2
      const read = await allRows(await openCatalog(bytesSource(Buffer.from(text)), {}));
      assert.deepEqual(
        read.map((r) => [r.line, r.values.sku]),
        [
          [2, 'A1'],
          [7, 'A2'],
          [8, 'A3'],
        ],
        `eol ${JSON.stringify(eol)}`,
      );
      assert.equal(read[0]?.values.description, `first line${eol}second line${eol}third line`);
    }
  });

  it('keeps a stray quote inside an unquoted value (Écran 27" 4K)', async () => {
    const text = 'sku,name\nA1,Écran 27" 4K\n';
    const read = await allRows(await openCatalog(bytesSource(Buffer.from(text)), {}));
    assert.equal(read[0]?.values.name, 'Écran 27" 4K');
  });

  it('makes a row with the wrong number of columns a row error, and reads on', async () => {
    const text = 'sku,name,price\nA1,Pan\nA2,Lid,3,extra\nA3,Pot,4,\nA4,Cup,5\n';
    const read = await allRows(await openCatalog(bytesSource(Buffer.from(text)), {}));
    assert.deepEqual(
      read.map((r) => [r.line, r.values.sku, r.errors?.[0]?.reason ?? null]),
      [
        [2, 'A1', 'The row has 2 columns, the header has 3'],
        [3, 'A2', 'The row has 4 columns, the header has 3'],
        [4, 'A3', null], // a trailing delimiter adds an empty cell, not a column
        [5, 'A4', null],
      ],
    );
  });

  it('skips blank rows and names empty or repeated headers', async () => {
    const text = 'sku,,name,name\nA1,x,Pan,Poêle\n,,,\n\nA2,y,Lid,Couvercle\n';
    const reader = await openCatalog(bytesSource(Buffer.from(text)), {});
    assert.deepEqual(await reader.headers(), ['sku', 'column 2', 'name', 'name (2)']);
    assert.deepEqual(
      (await allRows(reader)).map((r) => [r.line, r.values['name (2)']]),
      [
        [2, 'Poêle'],
        [5, 'Couvercle'],
      ],
    );
  });

  it('refuses a row longer than 1 MB at once, with its line, without reading the whole 100 MB line', async () => {
    const before = process.memoryUsage().rss;
    const reader = await openCatalog(singleLineCsv(100 * 1024 * 1024), { fileName: 'big.csv' });
    const err = await rejectsWithCode(allRows(reader), 'TOO_LARGE');
    assert.equal(err.message, 'Row starting on line 2 is longer than 1 MB');
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'memory stayed bounded');
  });

  it('refuses a file over maxBytes while streaming it', async () => {
    const rows = [['sku', 'name'], ...Array.from({ length: 5000 }, (_, i) => [`S${i}`, `Product ${i}`])];
    const reader = await openCatalog(bytesSource(csv(rows)), { maxBytes: 20_000 });
    const err = await rejectsWithCode(allRows(reader), 'TOO_LARGE');
    assert.match(err.message, /larger than 0\.0? ?MB|larger than/);
  });

  it('refuses a PNG renamed .csv, and binary data in a declared CSV', async () => {
    const renamed = await rejectsWithCode(openCatalog(bytesSource(await png()), { fileName: 'catalog.csv' }), 'UNSUPPORTED_TYPE');
    assert.equal(renamed.message, 'The file is not a CSV, Excel or JSON catalog (it is a PNG file)');
    const nul = Buffer.concat([Buffer.from('sku,name\nA1,'), Buffer.from([0, 1, 2, 0]), Buffer.from('\n')]);
    await rejectsWithCode(openCatalog(bytesSource(nul), { fileName: 'catalog.csv', format: 'csv' }), 'UNSUPPORTED_TYPE');
    const lateNul = Buffer.concat([
      csv([['sku', 'name'], ...Array.from({ length: 30_000 }, () => ['A', 'B'])]),
      Buffer.from([0]),
    ]);
    const reader = await openCatalog(bytesSource(lateNul), {});
    await rejectsWithCode(allRows(reader), 'UNSUPPORTED_TYPE');
  });

  it('refuses an unclosed quote with the line where its row starts', async () => {
    const text = 'sku,name\nA1,Pan\nA2,"Lid\nA3,Pot\n';
    const err = await rejectsWithCode(allRows(await openCatalog(bytesSource(Buffer.from(text)), {})), 'BAD_USER_INPUT');
    assert.equal(err.message, 'A quoted value opened in the row starting on line 3 is never closed');
  });

  it('follows a declared format over the file name', async () => {
    const reader = await openCatalog(bytesSource(csv(ROWS)), { fileName: 'export.json', format: 'csv' });
    assert.equal(reader.format, 'csv');
    await rejectsWithCode(openCatalog(bytesSource(csv(ROWS)), { fileName: 'export.json' }), 'UNSUPPORTED_TYPE');
  });

  it('refuses an empty file and UTF-16', async () => {
    await rejectsWithCode(openCatalog(bytesSource(Buffer.alloc(0)), {}), 'UNSUPPORTED_TYPE');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('sku,name\n', 'utf16le')]);
    const err = await rejectsWithCode(openCatalog(bytesSource(utf16), {}), 'UNSUPPORTED_TYPE');
    assert.match(err.message, /UTF-16/);
  });
});
