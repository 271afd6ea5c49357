/**
 * Catalog files built in code for the import tests: CSV in each encoding and delimiter, XLSX (exceljs's
 * writer), hostile archives (yazl), JSON and NDJSON, and streams too large to hold in memory.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { OpenStream } from '../../src/modules/catalog/import/index.js';

/** The bytes as a fresh stream on every call, in chunks of `chunkSize` (as a blob store would stream them). */
export function bytesSource(bytes: Buffer, chunkSize = 64 * 1024): OpenStream {
  return () => {
    function* chunks() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    }
    return Promise.resolve(Readable.from(chunks()));
  };
}

/** A source generated lazily on every call: nothing of it is ever held whole in memory. */
export function generatedSource(make: () => Iterable<Buffer> | AsyncIterable<Buffer>): OpenStream {
  return () => Promise.resolve(Readable.from(make()));
}

export type CsvEncodingName = 'utf-8' | 'windows-1252' | 'iso-8859-1';

export interface CsvOptions {
  delimiter?: string;
  encoding?: CsvEncodingName;
  bom?: boolean;
  eol?: string;
  /** Quote every cell (else only cells that need it). */
  quoteAll?: boolean;
}

export function csvText(rows: readonly (readonly string[])[], options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const eol = options.eol ?? '\n';
  const cell = (v: string) => (options.quoteAll || v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return rows.map((r) => r.map(cell).join(delimiter)).join(eol) + eol;
}

export function csv(rows: readonly (readonly string[])[], options: CsvOptions = {}): Buffer {
  const body = iconv.encode(csvText(rows, options), options.encoding ?? 'utf-8');
  return options.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

export interface SheetSpec {
  name: string;
  rows: ExcelJS.CellValue[][];
}

/** A real workbook from exceljs's writer. */
export async function xlsx(sheets: readonly SheetSpec[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const spec of sheets) {
    const sheet = book.addWorksheet(spec.name);
    for (const row of spec.rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface ZipPart {
  name: string;
  data: Buffer;
  compress?: boolean;
}

export function zip(parts: readonly ZipPart[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const p of parts) {
    if (p.name.endsWith('/')) z.addEmptyDirectory(p.name);
    else z.addBuffer(p.data, p.name, { compress: p.compress ?? true });
  }
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

/** The parts of a zip, decompressed (test files only: small). */
export async function unzip(bytes: Buffer): Promise<ZipPart[]> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, z) => (err || !z ? reject(err ?? new Error('zip')) : resolve(z))),
  );
  const parts: ZipPart[] = [];
  await new Promise<void>((resolve, reject) => {
    file.on('entry', (entry: yauzl.Entry) => {
      file.openReadStream(entry, (err, stream) => {
        if (err || !stream) return reject(err ?? new Error('entry'));
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          parts.push({ name: entry.fileName, data: Buffer.concat(chunks) });
          file.readEntry();
        });
      });
    });
    file.on('end', () => resolve());
    file.on('error', reject);
    file.readEntry();
  });
  return parts;
}

const simpleBook = () =>
  xlsx([
    {
      name: 'Produits',
      rows: [
        ['sku', 'nom'],
        ['A1', 'Poêle'],
      ],
    },
  ]);

/** A valid workbook plus a sheet part of 50 MB of spaces: ~50 KB on disk, a ratio around 1000. */
export async function xlsxZipBomb(): Promise<Buffer> {
  const parts = await unzip(await simpleBook());
  parts.push({ name: 'xl/worksheets/sheet2.xml', data: Buffer.alloc(50 * 1024 * 1024, 0x20) });
  return zip(parts);
}

/** A workbook whose shared strings declare an entity (billion-laughs style) in a DOCTYPE. */
export async function xlsxWithEntity(): Promise<Buffer> {
  const parts = await unzip(await simpleBook());
  const evil =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<!DOCTYPE sst [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">' +
    '<si><t>sku</t></si><si><t>&lol2;</t></si></sst>';
  return zip(parts.map((p) => (p.name === 'xl/sharedStrings.xml' ? { name: p.name, data: Buffer.from(evil) } : p)));
}

/**
 * A workbook with a part its central directory does not list (hidden between two listed ones): readers
 * that stream local headers, as exceljs does, would see it.
 */
export async function xlsxWithHiddenPart(): Promise<Buffer> {
  const parts = await unzip(await simpleBook());
  const hiddenName = 'xl/worksheets/sheet9.xml';
  const bytes = await zip([{ name: hiddenName, data: Buffer.from('<worksheet/>') }, ...parts]);
  // drop the hidden part's record from the central directory and fix the end record
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  const records: Buffer[] = [];
  for (let at = cdOffset; at < eocd;) {
    const size = 46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    const name = bytes.toString('utf8', at + 46, at + 46 + bytes.readUInt16LE(at + 28));
    if (name !== hiddenName) records.push(bytes.subarray(at, at + size));
    at += size;
  }
  const cd = Buffer.concat(records);
  const end = Buffer.from(bytes.subarray(eocd, eocd + 22));
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([bytes.subarray(0, cdOffset), cd, end]);
}

/** A header line, then one line of `size` bytes with no line break (never held in memory whole). */
export function singleLineCsv(size: number): OpenStream {
  return generatedSource(function* () {
    yield Buffer.from('sku,name,description\nA1,Poêle,');
    const block = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < size; sent += block.length) yield block;
    yield Buffer.from('\n');
  });
}

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
export const ndjson = (items: readonly unknown[]): Buffer =>
  Buffer.from(items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n') + '\n');

export interface ProductItem {
  sku: string;
  name: string;
  brand: string;
  price: string;
  category: string;
  ean: string;
  stock: number;
  color: string;
}

/** `rows` realistic products (prices with comma decimals, category paths, EANs) in batches of 1000. */
export function* productItems(rows: number): Generator<ProductItem[]> {
  let batch: ProductItem[] = [];
  for (let i = 1; i <= rows; i++) {
    batch.push({
      sku: `SKU-${i}`,
      name: `Produit numéro ${i}`,
      brand: 'Atelier',
      price: `${(i % 997) + 1},${String(i % 100).padStart(2, '0')} €`,
      category: 'Maison > Cuisine > Poêles',
      ean: '4006381333931',
      stock: i % 50,
      color: 'Rouge',
    });
    if (batch.length === 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The same products as a `;`-separated CSV with French headers, generated as it is read. */
export function productCsv(rows: number, options: { delimiter?: string } = {}): OpenStream {
  const d = options.delimiter ?? ';';
  return generatedSource(function* () {
    yield Buffer.from(['Référence', 'Désignation', 'Marque', 'Prix', 'Catégorie', 'EAN', 'Stock', 'Couleur'].join(d) + '\n');
    for (const batch of productItems(rows)) {
      const lines = batch.map((i) => [i.sku, i.name, i.brand, i.price, i.category, i.ean, String(i.stock), i.color].join(d));
      yield Buffer.from(lines.join('\n') + '\n');
    }
  });
}
