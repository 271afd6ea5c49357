/**
 * Partner catalogs: the data this module owns. Prices are integers in minor units (cents) with an
 * ISO 4217 currency; times are ISO 8601 strings; ids are UUIDs unless said otherwise.
 */

export interface Partner {
  id: string;
  /** Lowercase `[a-z0-9-]`, 2–64 characters, unique. */
  slug: string;
  name: string;
  contactEmail: string;
  createdAt: string;
  updatedAt: string;
}

/** One product as a catalog row describes it, after column mapping and normalization. */
export interface ProductInput {
  /** Partner's own reference; trimmed, 1–128 characters. Products are keyed by (partnerId, sku). */
  sku: string;
  name: string;
  description: string | null;
  brand: string | null;
  /** Category path from root to leaf, e.g. ["Maison", "Cuisine", "Poêles"]; empty when none. */
  category: string[];
  /** Minor units (cents); null when the row has no price. */
  priceMinor: number | null;
  /** ISO 4217; null only when priceMinor is null. */
  currency: string | null;
  imageUrls: string[];
  /** Digits only (GTIN-8/12/13/14), check digit verified; null when none. */
  ean: string | null;
  /** Units in stock; null when unknown. */
  stock: number | null;
  url: string | null;
  /** Unknown columns, by their header as written in the file; values as text. */
  attributes: Record<string, string>;
}

export type ProductStatus = 'ACTIVE' | 'ARCHIVED';

/** What an import did to one product. */
export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'archived';

export interface Product extends ProductInput {
  id: string;
  partnerId: string;
  status: ProductStatus;
  /** sha256 of the canonical JSON of the ProductInput: equal hash ⇒ `unchanged`. */
  contentHash: string;
  createdAt: string;
  updatedAt: string;
  /** The last import that wrote, confirmed or archived this product, and what it did then. */
  lastImportId: string | null;
  lastImportOutcome: RowOutcome | null;
}

export type ImportStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type ImportMode = 'UPSERT' | 'REPLACE';
export type CatalogFormat = 'csv' | 'xlsx' | 'json' | 'ndjson';

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
  rejected: number;
}

/** One rejected row: the 1-based line (CSV line of the record's start, XLSX row, JSON/NDJSON item position). */
export interface RowError {
  line: number;
  /** The column (header as written) or JSON field at fault; null when the row as a whole is. */
  column: string | null;
  reason: string;
}

/** Header in the file → product field (or `attribute`) — what a partner can save and reuse. */
export type ProductField =
  | 'sku'
  | 'name'
  | 'description'
  | 'brand'
  | 'price'
  | 'currency'
  | 'category'
  | 'image'
  | 'ean'
  | 'stock'
  | 'url'
  | 'attribute'
  | 'ignore';
export type ColumnMapping = Record<string, ProductField>;

export interface CatalogImport {
  id: string;
  partnerId: string;
  /** The account that started it. */
  createdBy: string;
  /** Where the uploaded file lives in the blob store. */
  blobKey: string;
  fileName: string;
  format: CatalogFormat | null;
  /** XLSX: the sheet to read (first when null). */
  sheet: string | null;
  mode: ImportMode;
  dryRun: boolean;
  status: ImportStatus;
  /** Rows read so far in the current phase, and the total once known (null until counted). */
  progress: { phase: 'VALIDATING' | 'APPLYING' | null; rowsRead: number; rowsTotal: number | null };
  counts: ImportCounts;
  /** Stable code and message when FAILED (e.g. TOO_MANY_REJECTS, UNSUPPORTED_TYPE, TOO_LARGE). */
  failure: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The mapping used (detected, or the partner's saved one). */
  mapping: ColumnMapping | null;
}

/** A search-only API key for partner websites; the secret is shown once and stored hashed. */
export interface ApiKey {
  id: string;
  name: string;
  /** First characters of the secret, to recognise it in lists. */
  prefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  /** Requests per minute allowed for this key. */
  rateLimitPerMinute: number;
}
