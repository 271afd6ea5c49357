import { AppError, ErrorCode } from '../../../../shared/errors.js';
import type { SearchSort } from '../search-index.js';

/**
 * Opaque paging cursor: the sort key of the last hit returned plus its product id, and a fingerprint of the query
 * (text, filters, sort) so that a cursor cannot be replayed on another query. Paging is keyset paging over a total
 * order (sort key, [name,] product id): no skips nor repeats while the index does not change.
 */
export interface CursorKey {
  sort: SearchSort;
  fingerprint: string;
  /** The primary sort value; null stands for +Infinity (e.g. a product without price). */
  primary: number | null;
  /** Folded name (name sort only). */
  name: string | null;
  productId: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([1, key.sort, key.fingerprint, key.primary, key.name, key.productId])).toString('base64url');
}

const invalid = (): AppError => new AppError(ErrorCode.BAD_USER_INPUT, 'Invalid cursor', { field: 'cursor' });

export function decodeCursor(cursor: string, sort: SearchSort, fingerprint: string): CursorKey {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(raw) || raw.length !== 6 || raw[0] !== 1) throw invalid();
  const [, s, fp, primary, name, productId] = raw as unknown[];
  if (s !== sort || fp !== fingerprint) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor belongs to another query', { field: 'cursor' });
  }
  if (
    (primary !== null && typeof primary !== 'number') ||
    (name !== null && typeof name !== 'string') ||
    typeof productId !== 'string'
  ) {
    throw invalid();
  }
  return { sort, fingerprint, primary, name, productId };
}
