import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProductInput } from '../../../src/modules/catalog/model.js';
import { csvCell, detectMapping, mapRow, openCatalog, type RawRow } from '../../../src/modules/catalog/import/index.js';
import { bytesSource } from '../../support/catalog-files.js';

const row = (values: Record<string, string | null>, extra: Partial<RawRow> = {}): RawRow => ({ line: 7, values, ...extra });
const mapped = (values: Record<string, string | null>, extra: Partial<RawRow> = {}): ProductInput => {
  const result = mapRow(row(values, extra), detectMapping(Object.keys(values), null));
  assert.ok(result.ok, JSON.stringify(result));
  return result.product;
};
const errorsOf = (values: Record<string, string | null>) => {
  const result = mapRow(row(values), detectMapping(Object.keys(values), null));
  assert.ok(!result.ok, 'expected a rejected row');
  return result.errors;
};

describe('row normalization', () => {
  it('builds a product: trimmed text, empty → null, category path, attributes by header as written', () => {
    assert.deepEqual(
      mapped({
        Référence: '  A-1 ',
        Nom: ' Poêle ',
        Description: '   ',
        Marque: 'Atelier',
        Prix: '12,50 €',
        Catégorie: 'Maison > Cuisine /  Poêles > ',
        Images: 'https://x.example/1.jpg | https://x.example/2.jpg;https://x.example/3.jpg https://x.example/1.jpg',
        EAN: '4006381333931',
        Stock: '1 200',
        URL: 'https://atelier.example/p/a-1',
        Couleur: ' Rouge ',
        Matière: '',
        Formule: '=HYPERLINK("http://evil.example")',
      }),
      {
        sku: 'A-1',
        name: 'Poêle',
        description: null,
        brand: 'Atelier',
        category: ['Maison', 'Cuisine', 'Poêles'],
        priceMinor: 1250,
        currency: 'EUR',
        imageUrls: ['https://x.example/1.jpg', 'https://x.example/2.jpg', 'https://x.example/3.jpg'],
        ean: '4006381333931',
        stock: 1200,
        url: 'https://atelier.example/p/a-1',
        attributes: { Couleur: 'Rouge', Formule: '=HYPERLINK("http://evil.example")' },
      },
    );
  });

  const prices: [string, number, string][] = [
    ['12,50 €', 1250, 'EUR'],
    ['1 234,56', 123456, 'EUR'],
    ['1\u00a0234,56', 123456, 'EUR'],
    ['1\u202f234,56 €', 123456, 'EUR'],
    ['12.50', 1250, 'EUR'],
    ['1,234.56', 123456, 'EUR'],
    ['1.234,56', 123456, 'EUR'],
    ['€12.50', 1250, 'EUR'],
    ['12.50 EUR', 1250, 'EUR'],
    ['12.50 usd', 1250, 'USD'],
    ['$5', 500, 'USD'],
    ['£3.5', 350, 'GBP'],
    ["CHF 1'234.50", 123450, 'CHF'],
    ['0,10', 10, 'EUR'],
    ['0.1', 10, 'EUR'],
    ['1,234', 123400, 'EUR'],
    ['1.234.567', 123456700, 'EUR'],
    ['12.500', 1250000, 'EUR'],
    ['12,5000 €', 1250, 'EUR'],
    ['1500 JPY', 1500, 'JPY'],
    ['0', 0, 'EUR'],
    ['19.99', 1999, 'EUR'],
    ['0.29', 29, 'EUR'],
    ['1.005', 100500, 'EUR'], // a lone separator before three digits groups thousands
  ];
  for (const [text, minor, currency] of prices) {
    it(`reads the price ${JSON.stringify(text)} as ${minor} ${currency} minor units`, () => {
      const p = mapped({ sku: 'A1', name: 'Pan', price: text });
      assert.deepEqual([p.priceMinor, p.currency], [minor, currency]);
    });
  }

  const badPrices: [string, string][] = [
    ['-5', 'The price is negative'],
    ['(5,00)', 'The price is negative'],
    ['12,50 € HT', 'The price is not a number'],
    ['abc', 'The price is not a number'],
    ['12..5', 'The price is not a number'],
    ['1,23,45', 'The price is not a number'],
    ['12,345,6', 'The price is not a number'],
    ['12,9999 €', 'The price has more than 2 decimals'],
    ['0,125', 'The price has more than 2 decimals'],
    ['12.5 JPY', 'JPY prices have no decimals'],
    ['12 XYZ', '"XYZ" is not a known currency'],
    ['€12 EUR', 'The price names two currencies'],
    ['99999999999999999999', 'The price is too large'],
  ];
  for (const [text, reason] of badPrices) {
    it(`rejects the price ${JSON.stringify(text)}: ${reason}`, () => {
      assert.deepEqual(errorsOf({ sku: 'A1', name: 'Pan', price: text }), [{ line: 7, column: 'price', reason }]);
    });
  }

  it('takes the currency from its column first, checks it against ISO 4217 and against the price cell', () => {
    assert.equal(mapped({ sku: 'A1', name: 'Pan', price: '12.50', devise: 'usd' }).currency, 'USD');
    assert.deepEqual(errorsOf({ sku: 'A1', name: 'Pan', price: '12.50', devise: 'EURO' }), [
      { line: 7, column: 'devise', reason: '"EURO" is not an ISO 4217 currency code' },
    ]);
    assert.deepEqual(errorsOf({ sku: 'A1', name: 'Pan', price: '12.50 €', devise: 'USD' }), [
      { line: 7, column: 'price', reason: 'The price is in EUR but the currency column says USD' },
    ]);
    const noPrice = mapped({ sku: 'A1', name: 'Pan', price: '', devise: 'USD' });
    assert.deepEqual([noPrice.priceMinor, noPrice.currency], [null, null]);
  });

  it('reports every problem of a row at once, each with its column', () => {
    assert.deepEqual(
      errorsOf({
        sku: ' ',
        name: 'x'.repeat(301),
        price: 'gratuit',
        ean: '4006381333932',
        stock: '-3',
        url: 'javascript:alert(1)',
        image: 'ftp://x.example/a.jpg https://ok.example/b.jpg',
      }),
      [
        { line: 7, column: 'sku', reason: 'The SKU is missing' },
        { line: 7, column: 'name', reason: 'The name is longer than 300 characters' },
        { line: 7, column: 'price', reason: 'The price is not a number' },
        { line: 7, column: 'ean', reason: 'The EAN/GTIN check digit is wrong' },
        { line: 7, column: 'stock', reason: 'The stock cannot be negative' },
        { line: 7, column: 'url', reason: 'The URL must be an http(s) address' },
        { line: 7, column: 'image', reason: 'Image URLs must be http(s) addresses (ftp://x.example/a.jpg)' },
      ],
    );
  });

  it('says so when a number field holds a spreadsheet formula', () => {
    assert.deepEqual(
      errorsOf({ sku: 'A1', name: 'Pan', price: '=B2*1.2', stock: '=SUM(C2:C9)' }).map((e) => [e.column, e.reason]),
      [
        ['price', 'The price is a spreadsheet formula, not a value: export the sheet with values instead of formulas'],
        ['stock', 'The stock is a spreadsheet formula, not a value: export the sheet with values instead of formulas'],
      ],
    );
  });

  it('checks the SKU length and characters', () => {
    assert.equal(mapped({ sku: 'x'.repeat(128), name: 'Pan' }).sku.length, 128);
    assert.deepEqual(errorsOf({ sku: 'x'.repeat(129), name: 'Pan' }), [
      { line: 7, column: 'sku', reason: 'The SKU is longer than 128 characters' },
    ]);
    assert.deepEqual(errorsOf({ sku: 'A\n1', name: 'Pan' }), [
      { line: 7, column: 'sku', reason: 'The SKU contains a line break or a control character' },
    ]);
    assert.deepEqual(errorsOf({ name: 'Pan' }), [{ line: 7, column: null, reason: 'The SKU is missing' }]);
  });

  it('accepts GTIN-8, UPC-12, EAN-13 and GTIN-14 with valid check digits only', () => {
    for (const code of ['96385074', '036000291452', '4006381333931', '10614141000415', ' 4006381333931 ']) {
      assert.equal(mapped({ sku: 'A1', name: 'Pan', ean: code }).ean, code.trim());
    }
    assert.equal(errorsOf({ sku: 'A1', name: 'Pan', ean: '400638133393' })[0]?.reason, 'The EAN/GTIN check digit is wrong');
    assert.equal(errorsOf({ sku: 'A1', name: 'Pan', ean: '12345' })[0]?.reason, 'The EAN/GTIN must have 8, 12, 13 or 14 digits');
    assert.equal(errorsOf({ sku: 'A1', name: 'Pan', ean: '4.00638E+12' })[0]?.reason, 'The EAN/GTIN must contain digits only');
  });

  it('reads stock as a whole number ≥ 0', () => {
    const stock = (t: string) => mapped({ sku: 'A1', name: 'Pan', stock: t }).stock;
    assert.deepEqual(['12', '12,0', '12.00', '1 200', '1\u00a0200', '1,200', '0'].map(stock), [12, 12, 12, 1200, 1200, 1200, 0]);
    assert.equal(errorsOf({ sku: 'A1', name: 'Pan', stock: '12,5' })[0]?.reason, 'The stock must be a whole number');
    assert.equal(errorsOf({ sku: 'A1', name: 'Pan', stock: 'beaucoup' })[0]?.reason, 'The stock is not a number');
  });

  it('uses JSON lists for category and images element by element, and refuses a list for a single field', () => {
    const p = mapped(
      {
        sku: 'A1',
        name: 'Pan',
        category: 'Maison | T-shirts / Polos',
        images: 'https://x.example/1.jpg | https://x.example/2.jpg',
      },
      { lists: { category: ['Maison', ' T-shirts / Polos '], images: ['https://x.example/1.jpg', 'https://x.example/2.jpg'] } },
    );
    assert.deepEqual(p.category, ['Maison', 'T-shirts / Polos']);
    assert.deepEqual(p.imageUrls, ['https://x.example/1.jpg', 'https://x.example/2.jpg']);
    const result = mapRow(row({ sku: 'A1 | A2', name: 'Pan' }, { lists: { sku: ['A1', 'A2'] } }), { sku: 'sku', name: 'name' });
    assert.deepEqual(result, { ok: false, errors: [{ line: 7, column: 'sku', reason: 'A list is not accepted for the sku' }] });
  });

  it('rejects a row with the reader’s errors, added to its own', () => {
    const result = mapRow(
      row({ sku: 'A1' }, { errors: [{ line: 7, column: null, reason: 'The row has 1 columns, the header has 2' }] }),
      {
        sku: 'sku',
        name: 'name',
      },
    );
    assert.deepEqual(result, {
      ok: false,
      errors: [
        { line: 7, column: null, reason: 'The row has 1 columns, the header has 2' },
        { line: 7, column: 'name', reason: 'The name is missing' },
      ],
    });
  });

  it('follows the mapping: ignored columns are dropped, several image columns are merged, unknown headers are attributes', () => {
    const result = mapRow(
      row({
        code: 'A1',
        titre: 'Pan',
        interne: 'x',
        'image 1': 'https://x.example/1.jpg',
        'image 2': 'https://x.example/2.jpg',
        extra: 'y',
      }),
      {
        code: 'sku',
        titre: 'name',
        interne: 'ignore',
        'image 1': 'image',
        'image 2': 'image',
      },
    );
    assert.ok(result.ok);
    assert.deepEqual(result.product.imageUrls, ['https://x.example/1.jpg', 'https://x.example/2.jpg']);
    assert.deepEqual(result.product.attributes, { extra: 'y' });
  });
});

describe('csvCell', () => {
  it('quotes every value and doubles inner quotes', () => {
    assert.equal(csvCell('Poêle "pro", 28 cm'), '"Poêle ""pro"", 28 cm"');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell(''), '""');
  });

  it('neutralizes values a spreadsheet would run as formulas', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil.example","clic")'), '"\'=HYPERLINK(""http://evil.example"",""clic"")"');
    for (const v of ['+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(csvCell(v), `"'${v}"`);
    assert.equal(csvCell('a=b'), '"a=b"');
  });
});

describe('headers that are also object properties', () => {
  it('keeps __proto__, constructor and length as ordinary columns, from CSV and JSON alike', async () => {
    const csvText = 'sku,name,__proto__,constructor,toString\nA1,Pan,x,y,z\n';
    const jsonText =
      '[{"sku":"A1","name":"Pan","__proto__":["x"],"constructor":"y","length":"z","image":"https://x.example/1.jpg"}]';
    for (const text of [csvText, jsonText]) {
      const reader = await openCatalog(bytesSource(Buffer.from(text)), {});
      const mapping = detectMapping(await reader.headers(), null);
      assert.equal(Object.getPrototypeOf(mapping), Object.prototype);
      for await (const r of reader.rows()) {
        assert.equal(Object.getPrototypeOf(r.values), Object.prototype);
        const result = mapRow(r, mapping);
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(Object.getPrototypeOf(result.product.attributes), Object.prototype);
        assert.equal(result.product.attributes.__proto__, 'x');
        assert.equal(Object.hasOwn(result.product.attributes, '__proto__'), true);
        assert.equal(result.product.attributes.constructor, 'y');
      }
    }
  });
});
