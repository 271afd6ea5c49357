import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCatalog, type CatalogReader, type RawRow } from '../../../src/modules/catalog/import/index.js';
import { rejectsWithCode } from '../../support/assert-app-error.js';
import { bytesSource, generatedSource, json, ndjson } from '../../support/catalog-files.js';

async function allRows(reader: CatalogReader): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return rows;
}

const ITEMS = [
  {
    sku: 'A1',
    name: 'Poêle',
    price: 12.5,
    stock: 3,
    active: true,
    images: ['https://x.example/1.jpg', 'https://x.example/2.jpg'],
  },
  { sku: 'A2', name: 'Couvercle', price: '1 234,56 €', category: ['Maison', 'Cuisine / Ustensiles'], description: null },
];

describe('JSON and NDJSON catalogs', () => {
  it('streams a top-level array: numbers as written, booleans as text, lists kept element by element', async () => {
    const bytes = Buffer.from(
      '[{"sku":"A1","name":"Poêle","price":12.50,"stock":3,"active":true,"images":["https://x.example/1.jpg","https://x.example/2.jpg"]},' +
        '{"sku":"A2","name":"Couvercle","price":"1 234,56 €","category":["Maison","Cuisine / Ustensiles"],"description":null}]',
    );
    const reader = await openCatalog(bytesSource(bytes, 16), { fileName: 'c.json' });
    assert.equal(reader.format, 'json');
    assert.deepEqual(await reader.headers(), ['sku', 'name', 'price', 'stock', 'active', 'images', 'category', 'description']);
    const rows = await allRows(reader);
    assert.deepEqual(rows[0], {
      line: 1,
      values: {
        sku: 'A1',
        name: 'Poêle',
        price: '12.50',
        stock: '3',
        active: 'true',
        images: 'https://x.example/1.jpg | https://x.example/2.jpg',
      },
      lists: { images: ['https://x.example/1.jpg', 'https://x.example/2.jpg'] },
    });
    assert.deepEqual(rows[1]?.lists, { category: ['Maison', 'Cuisine / Ustensiles'] });
    assert.equal(rows[1]?.values.description, null);
  });

  it('reads {"products": [...]} and ignores the other keys, whatever comes first', async () => {
    const doc = { meta: { exportedAt: '2024-01-01', items: [1, 2] }, products: ITEMS, total: 2 };
    const rows = await allRows(await openCatalog(bytesSource(json(doc)), {}));
    assert.deepEqual(
      rows.map((r) => [r.line, r.values.sku]),
      [
        [1, 'A1'],
        [2, 'A2'],
      ],
    );
  });

  it('flattens nested objects to dotted keys; refuses lists of objects and non-object items as row errors', async () => {
    const items = [
      { sku: 'A1', name: 'Pan', dimensions: { width: 28, unit: 'cm', box: { depth: 5 } } },
      { sku: 'A2', name: 'Lid', variants: [{ size: 'S' }] },
      'not an object',
      { sku: 'A4', name: 'Pot', a: { b: { c: { d: { e: 1 } } } } },
    ];
    const rows = await allRows(await openCatalog(bytesSource(json(items)), {}));
    assert.deepEqual(rows[0]?.values, {
      sku: 'A1',
      name: 'Pan',
      'dimensions.width': '28',
      'dimensions.unit': 'cm',
      'dimensions.box.depth': '5',
    });
    assert.equal(rows[0]?.errors, undefined);
    assert.deepEqual(rows[1]?.errors, [
      { line: 2, column: 'variants', reason: 'A list of objects or lists is not accepted here' },
    ]);
    assert.deepEqual(rows[2]?.errors, [{ line: 3, column: null, reason: 'The item is not a JSON object' }]);
    assert.deepEqual(rows[3]?.errors, [{ line: 4, column: 'a.b.c.d', reason: 'Objects nested this deep are not accepted' }]);
  });

  it('refuses JSON that is not a list of products, invalid JSON, deep nesting and huge values', async () => {
    const notList = await rejectsWithCode(allRows(await openCatalog(bytesSource(json({ items: ITEMS })), {})), 'BAD_USER_INPUT');
    assert.equal(notList.message, 'The JSON file must be an array of products or an object with a "products" array');
    const broken = Buffer.from('[{"sku":"A1","name":"Pan"},\n{"sku":"A2",,}]');
    const bad = await rejectsWithCode(allRows(await openCatalog(bytesSource(broken), {})), 'BAD_USER_INPUT');
    assert.equal(bad.message, 'The JSON is not valid at line 2, column 13 (expected an object key)');
    const truncated = Buffer.from('[{"sku":"A1","name":"Pan"},{"sku":"A2","na');
    const cut = await rejectsWithCode(allRows(await openCatalog(bytesSource(truncated), {})), 'BAD_USER_INPUT');
    assert.equal(cut.message, 'The JSON ends before it is complete (the file may be truncated)');
    const deep = Buffer.from('['.repeat(100) + ']'.repeat(100));
    await rejectsWithCode(allRows(await openCatalog(bytesSource(deep), { fileName: 'x.json' })), 'BAD_USER_INPUT');
    // a 50 MB string outside the products, generated lazily: refused after the first megabyte
    const huge = generatedSource(function* () {
      yield Buffer.from('{"comment":"');
      const block = Buffer.alloc(64 * 1024, 'a');
      for (let i = 0; i < 800; i++) yield block;
      yield Buffer.from('", "products": []}');
    });
    const before = process.memoryUsage().rss;
    const err = await rejectsWithCode(allRows(await openCatalog(huge, {})), 'TOO_LARGE');
    assert.equal(err.message, 'A value in the JSON is longer than 1 MB');
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
  });

  it('refuses an item over 1 MB made of many small values', async () => {
    const item = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'x'.repeat(60)]));
    const err = await rejectsWithCode(allRows(await openCatalog(bytesSource(json([item])), {})), 'TOO_LARGE');
    assert.equal(err.message, 'Item 1 of the JSON is larger than 1 MB');
  });

  it('reads NDJSON line by line; an invalid line is a row error with its line number', async () => {
    const bytes = ndjson([ITEMS[0], '', '{"sku": "A2", "name": ', ITEMS[1]]);
    const reader = await openCatalog(bytesSource(bytes), { fileName: 'c.ndjson' });
    assert.equal(reader.format, 'ndjson');
    const rows = await allRows(reader);
    assert.deepEqual(
      rows.map((r) => [r.line, r.values.sku ?? null, r.errors?.[0]?.reason ?? null]),
      [
        [1, 'A1', null],
        [3, null, 'The line is not valid JSON'],
        [4, 'A2', null],
      ],
    );
    assert.equal(rows[0]?.values.price, '12.5');
  });

  it('tells NDJSON from JSON by the bytes when the name says nothing', async () => {
    assert.equal((await openCatalog(bytesSource(ndjson(ITEMS)), {})).format, 'ndjson');
    assert.equal((await openCatalog(bytesSource(json({ products: ITEMS })), {})).format, 'json');
    assert.equal((await openCatalog(bytesSource(json(ITEMS)), { fileName: 'export.txt' })).format, 'json');
  });

  it('refuses an NDJSON line over 1 MB at once', async () => {
    const src = generatedSource(function* () {
      yield Buffer.from('{"sku":"A1","name":"Pan"}\n{"sku":"');
      const block = Buffer.alloc(64 * 1024, 'a');
      for (let i = 0; i < 1600; i++) yield block; // 100 MB, never all read
    });
    const err = await rejectsWithCode(allRows(await openCatalog(src, { format: 'ndjson' })), 'TOO_LARGE');
    assert.equal(err.message, 'Line 2 is longer than 1 MB');
  });
});
