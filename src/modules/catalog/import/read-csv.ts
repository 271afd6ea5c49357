import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { RowError } from '../model.js';
import type { CatalogReader, OpenStream, RawRow } from './catalog-reader.js';
import { byteGuard, MAX_ROW_CHARS, megabytes, tooLarge, unreadable } from './limits.js';
import { put, uniqueHeaders } from './raw-headers.js';
import type { CsvEncoding, Delimiter } from './sniff.js';

interface CsvOptions {
  delimiter: Delimiter;
  encoding: CsvEncoding;
  maxBytes: number;
}

/** Physical lines a field spans beyond its first (CRLF, LF or a lone CR each end one). */
function extraLines(field: string): number {
  if (field.indexOf('\n') === -1 && field.indexOf('\r') === -1) return 0;
  let n = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && field.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * csv-parse over the file's bytes: UTF-8 is parsed as bytes (csv-parse decodes each field whole, so a
 * character split between chunks is safe, and `bom` drops a BOM); the single-byte encodings are decoded
 * by iconv-lite first. Empty lines come through as `['']` so that the caller can count lines.
 */
function csvStream(source: Readable, options: CsvOptions, onRecord?: (cells: string[]) => void): Readable {
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    relax_column_count: true,
    // `Écran 27" 4K` in an unquoted field is text, not an error
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_ROW_CHARS,
    ...(onRecord
      ? {
          on_record: (cells: string[]) => {
            onRecord(cells);
            return cells;
          },
        }
      : {}),
  });
  const guard = byteGuard(options.maxBytes, true);
  const done = () => {
    // errors reach the consumer through the parser's iterator
  };
  return options.encoding === 'utf-8'
    ? pipeline(source, guard, parser, done)
    : pipeline(source, guard, iconv.decodeStream(options.encoding), parser, done);
}

const lineSpan = (cells: readonly string[]): number => {
  let span = 1;
  for (const cell of cells) span += extraLines(cell);
  return span;
};

/**
 * A parse error fires ahead of the records already parsed (the stream is destroyed with their buffer), so
 * the line where the failing record starts is found by a second pass that counts lines as csv-parse
 * produces records — only when the file is broken.
 */
async function locateError(open: OpenStream, options: CsvOptions): Promise<number> {
  let linesBefore = 0;
  const stream = csvStream(await open(), options, (cells) => {
    linesBefore += lineSpan(cells);
  });
  try {
    for await (const cells of stream as AsyncIterable<string[]>) void cells;
  } catch {
    // the error we came for
  } finally {
    stream.destroy();
  }
  return linesBefore + 1;
}

async function fileError(err: unknown, open: OpenStream, options: CsvOptions): Promise<unknown> {
  if (!(err instanceof CsvError)) return err;
  const line = await locateError(open, options);
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return tooLarge(`Row starting on line ${line} is longer than ${megabytes(MAX_ROW_CHARS)}`);
  }
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return unreadable(`A quoted value opened in the row starting on line ${line} is never closed`);
  }
  if (err.code === 'CSV_INVALID_CLOSING_QUOTE') {
    return unreadable(`In the row starting on line ${line}, a quoted value is followed by other characters`);
  }
  return unreadable(`The CSV cannot be read at the row starting on line ${line}`);
}

/**
 * Every non-blank record with the line where it starts, counted here (csv-parse's `info.lines` is where a
 * record ends, and counts a CRLF inside quotes twice): lines spanned by the records before + 1.
 */
async function* records(open: OpenStream, options: CsvOptions): AsyncGenerator<{ line: number; cells: string[] }> {
  const stream = csvStream(await open(), options);
  let linesBefore = 0;
  try {
    for await (const cells of stream as AsyncIterable<string[]>) {
      const line = linesBefore + 1;
      linesBefore += lineSpan(cells);
      if (!isBlank(cells)) yield { line, cells };
    }
  } catch (err) {
    throw await fileError(err, open, options);
  } finally {
    stream.destroy();
  }
}

const NOT_UTF8 = 'The value has bytes that are not UTF-8 (the file was read as UTF-8 from its start): save the file as CSV UTF-8';

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

export function csvReader(open: OpenStream, options: CsvOptions): CatalogReader {
  const headerRow = async (): Promise<string[]> => {
    for await (const { cells } of records(open, options)) return uniqueHeaders(cells);
    return [];
  };
  return {
    format: 'csv',
    csv: { delimiter: options.delimiter, encoding: options.encoding },
    headers: headerRow,
    async *rows(): AsyncGenerator<RawRow> {
      const utf8 = options.encoding === 'utf-8';
      let headers: string[] | null = null;
      for await (const { line, cells } of records(open, options)) {
        if (!headers) {
          headers = uniqueHeaders(cells);
          continue;
        }
        const values: Record<string, string | null> = {};
        const errors: RowError[] = [];
        const n = Math.min(cells.length, headers.length);
        for (let i = 0; i < n; i++) {
          const header = headers[i] as string;
          const cell = cells[i] as string;
          put(values, header, cell);
          // the encoding was judged on the first 64 KB: a later byte that is not UTF-8 shows up here
          if (utf8 && cell.includes('\uFFFD')) {
            errors.push({ line, column: header, reason: NOT_UTF8 });
          }
        }
        const row: RawRow = { line, values };
        if (cells.length < headers.length || !isBlank(cells.slice(headers.length))) {
          errors.push({ line, column: null, reason: `The row has ${cells.length} columns, the header has ${headers.length}` });
        }
        if (errors.length) row.errors = errors;
        yield row;
      }
    },
  };
}
