import type { DomainEvent, OutboxSource } from '../../shared/events.js';
import type { Product, ProductInput, RowOutcome } from './model.js';

/**
 * Recorded in the store's outbox, in the same transaction, by every write that changes products (created,
 * updated, archived — not unchanged): what feeds an external search index (OpenSearch) through the job worker.
 */
export type ProductsChanged = DomainEvent<'catalog.products.changed', { partnerId: string; productIds: string[] }>;

/** One product change in the store's change feed (the embedded search index tails it). */
export interface ProductChange {
  /** Strictly increasing across the store. */
  seq: number;
  productId: string;
  /** The product as it is now (ARCHIVED products are still returned: indexes drop them). */
  product: Product;
}

export interface ApplyBatchInput {
  partnerId: string;
  importId: string;
  /** Rows in file order; skus are unique within one import (the import dedupes before applying). */
  rows: readonly ProductInput[];
  /** ISO 8601 time of the write. */
  now: string;
}

/**
 * Port: where products live. Adapters: `SqliteProductStore` (default, `$DATA_DIR/catalog.db`) and
 * `DynamoProductStore`; both pass `test/conformance/product-store.suite.ts`.
 *
 * Imports are made idempotent by the store: every product remembers the last import that touched it and the
 * outcome it had then, so re-applying a batch of the same import (after a crash) returns the outcomes of the
 * first application and writes nothing new.
 */
export interface ProductStore extends OutboxSource {
  /**
   * Upserts a batch atomically: a new (partner, sku) is `created`; an existing one whose content hash differs
   * (or that is ARCHIVED) is `updated` (and made ACTIVE again); an equal one is `unchanged` (its updatedAt is
   * kept). Every product gets lastImportId = importId. Records one `ProductsChanged` event for the batch's changed
   * products (none when all are unchanged). Outcomes are returned in input order; a row already
   * applied by this same import returns its recorded outcome.
   */
  applyBatch(input: ApplyBatchInput): Promise<RowOutcome[]>;
  /** What applyBatch would return, without writing (dry runs). */
  previewBatch(partnerId: string, rows: readonly ProductInput[]): Promise<RowOutcome[]>;
  /**
   * REPLACE mode: archives every ACTIVE product of the partner whose lastImportId is not `importId`, recording
   * outcome `archived` for it. Idempotent. Returns how many products this import has archived in total.
   */
  archiveMissing(partnerId: string, importId: string, now: string): Promise<number>;
  /** How many products each outcome has for this import (what a crashed import recounts from). */
  countOutcomes(importId: string): Promise<Record<RowOutcome, number>>;
  get(id: string): Promise<Product | null>;
  getBySku(partnerId: string, sku: string): Promise<Product | null>;
  /** Many products at once, in no particular order; unknown ids are skipped. */
  getMany(ids: readonly string[]): Promise<Product[]>;
  /** Changes with seq > `afterSeq`, oldest first, at most `limit` (SQLite only; DynamoDB feeds indexes through events). */
  changesSince?(afterSeq: number, limit: number): Promise<ProductChange[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
