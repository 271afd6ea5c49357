import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { AppError } from '../../../shared/errors.js';
import type { CatalogReader, OpenStream, RawRow } from './catalog-reader.js';
import { inspectXlsx } from './inspect-xlsx.js';
import { byteGuard, unreadable } from './limits.js';
import { put, uniqueHeaders } from './raw-headers.js';

/** exceljs's streaming reader internals that `utf8Safe` wraps (not in its type declarations). */
interface ReaderInternals {
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
}

async function* decodeUtf8(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/**
 * exceljs 4.4's streaming reader decodes each inflated chunk on its own, so a character whose UTF-8
 * bytes straddle two chunks becomes "��" (about one `€` in 2,000 rows here; exceljs issues #2084, #2316,
 * fixes unmerged). Its parts reach the XML parser as strings instead: the shared strings and workbook
 * entries are given a UTF-8 decoding (`setEncoding`), worksheets a StringDecoder. Overrides on this one
 * instance; exceljs itself is untouched.
 */
function utf8Safe(book: BookReader): BookReader {
  const internals = book as unknown as ReaderInternals;
  const proto = Object.getPrototypeOf(book) as ReaderInternals;
  internals._parseSharedStrings = function (entry) {
    entry.setEncoding('utf8');
    return proto._parseSharedStrings.call(this, entry);
  };
  internals._parseWorkbook = function (entry) {
    entry.setEncoding('utf8');
    return proto._parseWorkbook.call(this, entry);
  };
  internals._parseWorksheet = function (iterator, sheetNo) {
    return proto._parseWorksheet.call(this, decodeUtf8(iterator), sheetNo);
  };
  return book;
}

/** What the streaming reader exposes at run time but its type declarations leave out. */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name?: string;
}
interface BookReader extends AsyncIterable<SheetReader> {
  model?: { sheets?: { name?: string }[] };
}

const isoDate = (d: Date): string => {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
};

/** Excel shows 15 significant digits; beyond that a double is noise (0.1 + 0.2 → 0.30000000000000004). */
const numberText = (n: number): string => String(Number(n.toPrecision(15)));

/**
 * A cell as text: a formula as its formula (`=HYPERLINK(...)`, never evaluated nor its cached result), a
 * shared-formula cell (whose text only its master holds) as its cached result, rich text as its plain
 * text, a hyperlink cell as its text, a date as ISO 8601 (a date only when the time is midnight UTC), a
 * number without float noise, an error as its code (`#N/A`).
 */
export function cellText(value: ExcelJS.CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDate(value);
  if ('formula' in value && typeof value.formula === 'string' && !('sharedFormula' in value)) return `=${value.formula}`;
  if ('sharedFormula' in value) return value.result === undefined ? null : cellText(value.result);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  // the text of a hyperlink cell may itself be rich text
  if ('hyperlink' in value) return cellText(value.text);
  if ('error' in value) return value.error;
  return null;
}

async function spool(open: OpenStream, maxBytes: number, tmpDir: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpDir, 'atelier-xlsx-spool-'));
  const path = join(dir, 'catalog.xlsx');
  try {
    await pipeline(await open(), byteGuard(maxBytes, false), createWriteStream(path));
    return { dir, path };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

interface XlsxOptions {
  sheet: string | null;
  maxBytes: number;
  /** Where the spooled copy goes (the system's temp dir by default). */
  tmpDir?: string | undefined;
}

/**
 * Spools the file to a temporary directory (yauzl needs random access; the size limit is enforced while
 * copying), inspects it (`inspectXlsx`), then streams the chosen sheet with exceljs's WorkbookReader.
 * The sheet is the one named `sheet`, else the first of the workbook. The spooled copy made here serves
 * the first `headers()` or `rows()`, which delete it when they end, so that a caller who stops after
 * `headers()` (missing columns) leaves nothing behind; a later call spools and inspects again. `close()`
 * deletes it when neither is called.
 */
export async function openXlsx(open: OpenStream, options: XlsxOptions): Promise<CatalogReader> {
  const judged = async (): Promise<{ dir: string; path: string }> => {
    const copy = await spool(open, options.maxBytes, options.tmpDir ?? tmpdir());
    try {
      await inspectXlsx(copy.path);
      return copy;
    } catch (err) {
      await rm(copy.dir, { recursive: true, force: true });
      throw err;
    }
  };
  let current: Promise<{ dir: string; path: string }> | null = Promise.resolve(await judged());
  const acquire = () => (current ??= judged());
  const close = async (): Promise<void> => {
    const copy = current;
    current = null;
    if (copy) await rm((await copy).dir, { recursive: true, force: true });
  };

  async function* sheetRows(): AsyncGenerator<{ line: number; cells: (string | null)[] }> {
    const { path } = await acquire();
    const book = utf8Safe(
      new ExcelJS.stream.xlsx.WorkbookReader(path, {
        sharedStrings: 'cache',
        styles: 'cache', // date cells are told apart by their number format
        hyperlinks: 'ignore',
        worksheets: 'emit',
        entries: 'ignore',
      }),
    );
    const seen: string[] = [];
    try {
      for await (const sheet of book) {
        const name = sheet.name ?? '';
        const wanted = options.sheet ?? book.model?.sheets?.[0]?.name ?? name;
        seen.push(name);
        if (name !== wanted) {
          // Drain it: exceljs may have parked this sheet in a temp file that it deletes once we move on, and an
          // unread sheet's stream would then fail to open (ENOENT) outside any await.
          for await (const row of sheet) void row;
          continue;
        }
        for await (const row of sheet) {
          const values = row.values as ExcelJS.CellValue[];
          const cells: (string | null)[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
          yield { line: row.number, cells };
        }
        return;
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw unreadable('The Excel file cannot be read (damaged or not a workbook)');
    }
    throw unreadable(
      options.sheet
        ? `The workbook has no sheet named "${options.sheet}" (sheets: ${seen.map((s) => `"${s}"`).join(', ')})`
        : 'The workbook has no sheet',
    );
  }

  const isBlank = (cells: readonly (string | null)[]) => cells.every((c) => c === null || c.trim() === '');

  return {
    format: 'xlsx',
    csv: null,
    async headers(): Promise<string[]> {
      try {
        for await (const { cells } of sheetRows()) if (!isBlank(cells)) return uniqueHeaders(cells);
        return [];
      } finally {
        await close();
      }
    },
    async *rows(): AsyncGenerator<RawRow> {
      try {
        let headers: string[] | null = null;
        for await (const { line, cells } of sheetRows()) {
          if (isBlank(cells)) continue;
          if (!headers) {
            headers = uniqueHeaders(cells);
            continue;
          }
          const values: Record<string, string | null> = {};
          const extra: string[] = [];
          cells.forEach((cell, i) => {
            const header = headers?.[i];
            if (header !== undefined) put(values, header, cell);
            else if (cell !== null && cell.trim() !== '') extra.push(cell);
          });
          const row: RawRow = { line, values };
          if (extra.length) row.errors = [{ line, column: null, reason: `The row has values beyond the last header column` }];
          yield row;
        }
      } finally {
        await close();
      }
    },
    close,
  };
}
