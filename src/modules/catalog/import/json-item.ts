import type { RowError } from '../model.js';
import type { RawRow } from './catalog-reader.js';
import { put } from './raw-headers.js';

/** Nested objects deeper than this (below the item) are refused for the field rather than flattened. */
const MAX_FLATTEN_DEPTH = 3;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const scalarText = (v: unknown): string | null | undefined => {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  // numbers arrive as written (stream-json `numberAsString`) or from JSON.parse (shortest round-trip text)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
};

/**
 * One JSON or NDJSON item as a RawRow. Strings, numbers and booleans become text, null stays null; an
 * array of scalars is kept element by element in `lists` (and joined with ` | ` in `values`); a nested
 * object is flattened to `parent.child` keys (so `{"dimensions": {"w": 10}}` gives the attribute
 * `dimensions.w`); an array holding objects or arrays, or an object nested more than 3 levels, is a row
 * error on that field. An item that is not an object is a row error.
 */
export function itemToRawRow(item: unknown, line: number): RawRow {
  const row: RawRow = { line, values: {} };
  if (!isPlainObject(item)) {
    row.errors = [{ line, column: null, reason: 'The item is not a JSON object' }];
    return row;
  }
  const errors: RowError[] = [];
  const visit = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [key, value] of Object.entries(obj)) {
      const name = prefix + key;
      const text = scalarText(value);
      if (text !== undefined) {
        put(row.values, name, text);
      } else if (Array.isArray(value)) {
        const items = value.map(scalarText);
        if (items.some((t) => t === undefined)) {
          errors.push({ line, column: name, reason: 'A list of objects or lists is not accepted here' });
          continue;
        }
        const texts = items.filter((t): t is string => t !== null && t !== undefined);
        put(row.values, name, texts.join(' | '));
        put((row.lists ??= {}), name, texts);
      } else if (isPlainObject(value)) {
        if (depth >= MAX_FLATTEN_DEPTH) {
          errors.push({ line, column: name, reason: 'Objects nested this deep are not accepted' });
        } else {
          visit(value, `${name}.`, depth + 1);
        }
      }
    }
  };
  visit(item, '', 0);
  if (errors.length) row.errors = errors;
  return row;
}
