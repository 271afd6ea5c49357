import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { CatalogReader, OpenStream, RawRow } from './catalog-reader.js';
import { byteGuard, MAX_ROW_CHARS, megabytes, tooLarge, unreadable } from './limits.js';
import { uniqueHeaders } from './raw-headers.js';
import type { CsvEncoding, Delimiter } from './sniff.js';

interface CsvOptions {
  delimiter: Delimiter;
  encoding: CsvEncoding;
  maxBytes: number;
}

interface Record_ {
  record: string[];
  info: { empty_lines: number };
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
 * Every record of the file as text cells, with the line where it starts. csv-parse's own `info.lines`
 * is the line where a record ends (and counts a CRLF inside quotes twice), so the start is counted here:
 * lines of the records before + empty lines skipped + 1.
 */
async function* records(open: OpenStream, options: CsvOptions): AsyncGenerator<{ line: number; cells: string[] }> {
  const source = await open();
  const parser = parse({
    delimiter: options.delimiter,
    info: true,
    relax_column_count: true,
    // `Écran 27" 4K` in an unquoted field is text, not an error
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_CHARS,
  });
  const stream = pipeline(source, byteGuard(options.maxBytes, true), iconv.decodeStream(options.encoding), parser, () => {
    // errors reach the consumer through the parser's iterator
  });
  let linesBefore = 0;
  try {
    for await (const { record, info } of stream as AsyncIterable<Record_>) {
      yield { line: linesBefore + info.empty_lines + 1, cells: record };
      let span = 1;
      for (const cell of record) span += extraLines(cell);
      linesBefore += span;
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const line = linesBefore + Number((err as CsvError & { empty_lines?: number }).empty_lines ?? 0) + 1;
      if (err.code === 'CSV_MAX_RECORD_SIZE') {
        throw tooLarge(`Row starting on line ${line} is longer than ${megabytes(MAX_ROW_CHARS)}`);
      }
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        throw unreadable(`A quoted value opened in the row starting on line ${line} is never closed`);
      }
      if (err.code === 'CSV_INVALID_CLOSING_QUOTE') {
        throw unreadable(`In the row starting on line ${line}, a quoted value is followed by other characters`);
      }
      throw unreadable(`The CSV cannot be read at the row starting on line ${line}`);
    }
    throw err;
  } finally {
    stream.destroy();
  }
}

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
      let headers: string[] | null = null;
      for await (const { line, cells } of records(open, options)) {
        if (!headers) {
          headers = uniqueHeaders(cells);
          continue;
        }
        if (isBlank(cells)) continue;
        const values: Record<string, string | null> = {};
        const n = Math.min(cells.length, headers.length);
        for (let i = 0; i < n; i++) values[headers[i] as string] = cells[i] as string;
        const row: RawRow = { line, values };
        const extra = cells.slice(headers.length);
        if (cells.length < headers.length || !isBlank(extra)) {
          row.errors = [
            {
              line,
              column: null,
              reason: `The row has ${cells.length} columns, the header has ${headers.length}`,
            },
          ];
        }
        yield row;
      }
    },
  };
}
