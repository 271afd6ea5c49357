import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Assembler from 'stream-json/assembler.js';
import { jsonParser, type Token } from 'stream-json/parser.js';
import verifier from 'stream-json/utils/verifier.js';
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

interface Item {
  position: number;
  value: unknown;
}

/**
 * Turns tokens into items: finds where items sit (`[...]` or `{"products": [...]}`), assembles each with
 * stream-json's Assembler (numbers kept as written), and enforces the limits token by token.
 */
class ItemCollector {
  /** Items completed by the tokens handled so far, to be taken by the caller. */
  readonly ready: Item[] = [];
  depth = 0;
  /** Depth at which items sit: 1 in a top-level array, 2 in `{"products": [...]}`; null until known. */
  itemDepth: number | null = null;
  private rootIsObject = false;
  private lastKey: string | null = null;
  private asm: Assembler | null = null;
  private itemChars = 0;
  private stringChars = 0;
  position = 0;

  handle(t: Token): void {
    if (t.name === 'startString' || t.name === 'startKey') {
      this.stringChars = 0;
    } else if (t.name === 'stringChunk' || t.name === 'numberChunk') {
      this.stringChars += t.value.length;
      this.itemChars += t.value.length;
      if (this.stringChars > MAX_ROW_CHARS) {
        throw tooLarge(`A value in the JSON is longer than ${megabytes(MAX_ROW_CHARS)}`);
      }
      if (this.asm && this.itemChars > MAX_ROW_CHARS) {
        throw tooLarge(`Item ${this.position} of the JSON is larger than ${megabytes(MAX_ROW_CHARS)}`);
      }
    } else if (t.name === 'keyValue' && this.depth === 1) {
      this.lastKey = t.value;
    }
    if (this.depth === 0 && this.itemDepth === null) {
      if (t.name === 'startArray') this.itemDepth = 1;
      else if (t.name === 'startObject') this.rootIsObject = true;
      else if (startsValue(t)) throw unreadable(NOT_A_LIST);
    } else if (
      this.rootIsObject &&
      this.itemDepth === null &&
      this.depth === 1 &&
      t.name === 'startArray' &&
      this.lastKey === 'products'
    ) {
      this.itemDepth = 2;
      this.depth++;
      return;
    }
    if (!this.asm && this.itemDepth !== null && this.depth === this.itemDepth && startsValue(t)) {
      this.asm = new Assembler({ numberAsString: true });
      this.itemChars = 0;
      this.position++;
    }
    if (t.name === 'startObject' || t.name === 'startArray') {
      this.depth++;
      if (this.depth > MAX_DEPTH) throw unreadable(`The JSON is nested more than ${MAX_DEPTH} levels deep`);
    } else if (t.name === 'endObject' || t.name === 'endArray') {
      this.depth--;
    }
    if (this.asm) {
      this.asm.consume(t);
      if (this.asm.done) {
        this.ready.push({ position: this.position, value: this.asm.current });
        this.asm = null;
      }
    }
  }
}

/**
 * The items of `[...]` or `{"products": [...]}`, streamed: stream-json's tokenizer is called on each
 * decoded chunk directly (one call per 64 KB rather than a stream event per token, which cost 10× more),
 * and the items completed by that chunk are yielded. Bounded: an item over 1 MB, a string over 1 MB
 * anywhere, nesting deeper than 32 → a file-level error as soon as it is seen.
 */
async function* items(open: OpenStream, maxBytes: number): AsyncGenerator<Item> {
  const bytes = pipeline(await open(), byteGuard(maxBytes, true), () => {
    // errors reach the consumer through the iterator
  });
  const decoder = new StringDecoder('utf8');
  const tokenize = jsonParser();
  const collector = new ItemCollector();
  let started = false;
  const feed = (text: string) => {
    if (!started) {
      text = text.replace(/^\uFEFF/, '');
      started = text !== '';
    }
    const out = tokenize(text);
    if (typeof out === 'object') for (const t of out.values) collector.handle(t);
  };
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      feed(decoder.write(chunk));
      yield* collector.ready;
      collector.ready.length = 0;
    }
    feed(decoder.end());
    yield* collector.ready;
    // the tokenizer is never flushed: an unfinished document is caught here instead
    if (collector.depth !== 0) throw unreadable('The JSON ends before it is complete (the file may be truncated)');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw await syntaxError(open, maxBytes);
  } finally {
    bytes.destroy();
  }
  if (collector.itemDepth === null) throw unreadable(NOT_A_LIST);
}

/**
 * The parser's error says what but not where, and it fires ahead of the items already parsed: a second
 * pass with stream-json's verifier (only when the file is invalid) gives the line and column.
 */
async function syntaxError(open: OpenStream, maxBytes: number): Promise<AppError> {
  const checked = pipeline(await open(), byteGuard(maxBytes, true), verifier.asStream(), () => {
    // the error is read from the iterator
  });
  try {
    for await (const nothing of checked as AsyncIterable<never>) void nothing;
  } catch (err) {
    if (err instanceof AppError) return err;
    const where = err as Partial<verifier.VerifierError>;
    const what = where.message?.replace(/^.*cannot parse input: /, '') ?? 'unexpected input';
    if (typeof where.line === 'number' && typeof where.pos === 'number') {
      return unreadable(`The JSON is not valid at line ${where.line}, column ${where.pos} (${what})`);
    }
  } finally {
    checked.destroy();
  }
  return unreadable('The JSON is not valid');
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
