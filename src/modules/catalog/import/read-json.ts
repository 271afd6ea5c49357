import { pipeline } from 'node:stream';
import Assembler from 'stream-json/assembler.js';
import parser, { type Token } from 'stream-json/parser.js';
import { AppError } from '../../../shared/errors.js';
import type { CatalogReader, OpenStream, RawRow } from './catalog-reader.js';
import { itemToRawRow } from './json-item.js';
import { byteGuard, MAX_ROW_CHARS, megabytes, tooLarge, unreadable } from './limits.js';

/** Deeper nesting than this anywhere in the file is refused (no catalog needs it; it only costs memory). */
const MAX_DEPTH = 32;
/** `headers()` collects keys from this many first items. */
const HEADER_SAMPLE = 100;

const NOT_A_LIST = 'The JSON file must be an array of products or an object with a "products" array';

const startsValue = (t: Token): boolean =>
  t.name === 'startObject' ||
  t.name === 'startArray' ||
  t.name === 'stringValue' ||
  t.name === 'numberValue' ||
  t.name === 'nullValue' ||
  t.name === 'trueValue' ||
  t.name === 'falseValue';

/**
 * The items of `[...]` or `{"products": [...]}`, streamed token by token (stream-json) and assembled one
 * at a time, numbers kept as written. Bounded: an item over 1 MB, a string over 1 MB anywhere, nesting
 * deeper than 32 → a file-level error as soon as it is seen.
 */
async function* items(open: OpenStream, maxBytes: number): AsyncGenerator<{ position: number; value: unknown }> {
  const source = await open();
  const tokens = pipeline(source, byteGuard(maxBytes, true), parser.asStream(), () => {
    // errors reach the consumer through the iterator
  });
  let depth = 0;
  /** Depth at which items sit: 1 in a top-level array, 2 in `{"products": [...]}`; null until known. */
  let itemDepth: number | null = null;
  let rootIsObject = false;
  let lastKey: string | null = null;
  let asm: Assembler | null = null;
  let itemChars = 0;
  let stringChars = 0;
  let position = 0;
  try {
    for await (const t of tokens as AsyncIterable<Token>) {
      if (t.name === 'startString' || t.name === 'startKey') {
        stringChars = 0;
      } else if (t.name === 'stringChunk' || t.name === 'numberChunk') {
        stringChars += t.value.length;
        itemChars += t.value.length;
        if (stringChars > MAX_ROW_CHARS) {
          throw tooLarge(`A value in the JSON is longer than ${megabytes(MAX_ROW_CHARS)}`);
        }
        if (asm && itemChars > MAX_ROW_CHARS) {
          throw tooLarge(`Item ${position} of the JSON is larger than ${megabytes(MAX_ROW_CHARS)}`);
        }
      } else if (t.name === 'keyValue' && depth === 1) {
        lastKey = t.value;
      }
      if (depth === 0 && itemDepth === null) {
        if (t.name === 'startArray') itemDepth = 1;
        else if (t.name === 'startObject') rootIsObject = true;
        else if (startsValue(t)) throw unreadable(NOT_A_LIST);
      } else if (rootIsObject && itemDepth === null && depth === 1 && t.name === 'startArray' && lastKey === 'products') {
        itemDepth = 2;
        depth++;
        continue;
      }
      if (!asm && itemDepth !== null && depth === itemDepth && startsValue(t)) {
        asm = new Assembler({ numberAsString: true });
        itemChars = 0;
        position++;
      }
      if (t.name === 'startObject' || t.name === 'startArray') {
        depth++;
        if (depth > MAX_DEPTH) throw unreadable(`The JSON is nested more than ${MAX_DEPTH} levels deep`);
      } else if (t.name === 'endObject' || t.name === 'endArray') {
        depth--;
      }
      if (asm) {
        asm.consume(t);
        if (asm.done) {
          yield { position, value: asm.current };
          asm = null;
        }
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const detail = err instanceof Error ? err.message.replace(/^Parser cannot parse input: /, '') : String(err);
    throw unreadable(`The JSON is not valid after item ${position} (${detail})`);
  } finally {
    tokens.destroy();
  }
  if (itemDepth === null) throw unreadable(NOT_A_LIST);
}

export function jsonReader(open: OpenStream, maxBytes: number): CatalogReader {
  return {
    format: 'json',
    csv: null,
    async headers(): Promise<string[]> {
      const keys = new Set<string>();
      for await (const { position, value } of items(open, maxBytes)) {
        for (const key of Object.keys(itemToRawRow(value, position).values)) keys.add(key);
        if (position >= HEADER_SAMPLE) break;
      }
      return [...keys];
    },
    async *rows(): AsyncGenerator<RawRow> {
      for await (const { position, value } of items(open, maxBytes)) yield itemToRawRow(value, position);
    },
  };
}
