import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CatalogReader, OpenStream, RawRow } from './catalog-reader.js';
import { itemToRawRow } from './json-item.js';
import { byteGuard, MAX_ROW_CHARS, megabytes, tooLarge } from './limits.js';

const HEADER_SAMPLE = 100;

/**
 * Non-blank lines with their 1-based number. Split here rather than with `readline`, which has no bound
 * on a line's length: a line over 1 MB fails at once with TOO_LARGE instead of filling memory.
 */
async function* lines(open: OpenStream, maxBytes: number): AsyncGenerator<{ line: number; text: string }> {
  const source = await open();
  const bytes = pipeline(source, byteGuard(maxBytes, true), () => {
    // errors reach the consumer through the iterator
  });
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      pending += decoder.write(chunk);
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        line++;
        const text = pending.slice(start, nl);
        start = nl + 1;
        if (text.length > MAX_ROW_CHARS) throw tooLarge(`Line ${line} is longer than ${megabytes(MAX_ROW_CHARS)}`);
        if (text.trim() !== '') yield { line, text };
      }
      pending = pending.slice(start);
      if (pending.length > MAX_ROW_CHARS) throw tooLarge(`Line ${line + 1} is longer than ${megabytes(MAX_ROW_CHARS)}`);
    }
    pending += decoder.end();
    if (pending.trim() !== '') yield { line: line + 1, text: pending };
  } finally {
    bytes.destroy();
  }
}

function parseLine(line: number, text: string): RawRow {
  let value: unknown;
  try {
    value = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text);
  } catch {
    return { line, values: {}, errors: [{ line, column: null, reason: 'The line is not valid JSON' }] };
  }
  return itemToRawRow(value, line);
}

/** NDJSON / JSON Lines: one JSON object per line; an invalid line is a row error, the others go on. */
export function ndjsonReader(open: OpenStream, maxBytes: number): CatalogReader {
  return {
    format: 'ndjson',
    csv: null,
    async headers(): Promise<string[]> {
      const keys = new Set<string>();
      let seen = 0;
      for await (const { line, text } of lines(open, maxBytes)) {
        for (const key of Object.keys(parseLine(line, text).values)) keys.add(key);
        if (++seen >= HEADER_SAMPLE) break;
      }
      return [...keys];
    },
    async *rows(): AsyncGenerator<RawRow> {
      for await (const { line, text } of lines(open, maxBytes)) yield parseLine(line, text);
    },
  };
}
