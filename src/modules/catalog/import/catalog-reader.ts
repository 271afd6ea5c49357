import type { Readable } from 'node:stream';
import type { CatalogFormat, ColumnMapping, ProductInput, RowError } from '../model.js';

/** One record of the file before mapping: header (or JSON key) → cell value as text. */
export interface RawRow {
  /**
   * 1-based: CSV line where the record starts, XLSX row number, JSON item position (1st, 2nd… element of
   * the array), NDJSON line number (the item position when the file has no blank lines).
   */
  line: number;
  /**
   * Cell text by header. JSON: strings, numbers (as written) and booleans as text, nested objects flattened
   * to `parent.child` keys, arrays of scalars joined with ` | ` (their elements are also in `lists`).
   */
  values: Record<string, string | null>;
  /** JSON arrays of scalars by key, element by element: `mapRow` reads `category` and `image` from here when present. */
  lists?: Record<string, string[]>;
  /** Problems the reader found in this record (wrong column count, invalid NDJSON line…): `mapRow` rejects the row with them. */
  errors?: RowError[];
}

export interface OpenCatalogOptions {
  /** Detected from the bytes (and the name) when absent. */
  format?: CatalogFormat | null;
  /** For format detection hints and messages only. */
  fileName?: string;
  /** XLSX: sheet name; the first sheet when absent. */
  sheet?: string | null;
  /** XLSX: where the reader spools its copy of the file (the system's temp dir by default). */
  tmpDir?: string;
  /** Hard limit on the file size in bytes (default 200 MB). */
  maxBytes?: number;
}

export interface CatalogReader {
  format: CatalogFormat;
  /** CSV: the detected delimiter and encoding; null for other formats. */
  csv: { delimiter: string; encoding: 'utf-8' | 'windows-1252' | 'iso-8859-1' } | null;
  /** Headers in file order (JSON: keys of the first items, in order of first appearance). */
  headers(): Promise<string[]>;
  /** Every record, streamed with bounded memory. A file-level problem throws an AppError (UNSUPPORTED_TYPE, TOO_LARGE, BAD_USER_INPUT). */
  rows(): AsyncIterable<RawRow>;
  /** Releases what the reader holds (the spooled XLSX file); `rows()` does it itself when iterated to the end or left early. */
  close?(): Promise<void>;
}

/** The file as a fresh byte stream each time it is called (readers may read twice: sniff, then parse). */
export type OpenStream = () => Promise<Readable>;

export type MapRowResult = { ok: true; product: ProductInput } | { ok: false; errors: RowError[] };
export type { ColumnMapping };

/**
 * Opens a catalog file: detects the format from the bytes (then the name), for CSV the encoding and delimiter;
 * refuses hostile or unreadable files with an AppError (UNSUPPORTED_TYPE, TOO_LARGE, BAD_USER_INPUT) before
 * any row is returned. Implemented by `openCatalog` in `import/index.ts`.
 */
export type OpenCatalog = (open: OpenStream, options: OpenCatalogOptions) => Promise<CatalogReader>;

/**
 * Maps headers to product fields from common English and French names (sku/référence, name/nom/désignation…);
 * a saved mapping wins for the headers it names; unknown headers become `attribute`. Implemented by
 * `detectMapping`. A mapping without `sku` or `name` is reported by `missingRequiredFields`.
 */
export type DetectMapping = (headers: readonly string[], saved: ColumnMapping | null) => ColumnMapping;

/** Normalizes one row: every problem of the row is reported, with its column. Implemented by `mapRow`. */
export type MapRow = (row: RawRow, mapping: ColumnMapping) => MapRowResult;
