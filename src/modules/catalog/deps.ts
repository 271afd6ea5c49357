import type { Clock, IdGenerator } from '../../shared/clock.js';
import type { DomainEvent } from '../../shared/events.js';
import type { BlobStore } from '../files/blob-store.js';
import type { CatalogStore } from './catalog-store.js';
import type { ProductStore } from './product-store.js';
import type { SearchIndex } from './search/search-index.js';

export interface CatalogSettings {
  /** Share of rejected rows (0–1) above which an import fails and changes nothing. */
  maxRejectShare: number;
  /** Largest catalog file accepted, in bytes. */
  maxFileBytes: number;
  /** Requests per minute of a new API key unless the admin says otherwise. */
  apiKeyRateLimitPerMinute: number;
  /** Signed upload targets for catalog files live this long. */
  uploadTtlSeconds: number;
}

export interface CatalogDeps {
  products: ProductStore;
  catalog: CatalogStore;
  blobs: BlobStore;
  search: SearchIndex;
  clock: Clock;
  ids: IdGenerator;
  /** Queues `event` for `handler` at `runAt` (the import job). */
  schedule(event: DomainEvent, handler: string, runAt: string): Promise<void>;
  settings: CatalogSettings;
}

/** The event an import job is scheduled with, and the handler that runs it. */
export const IMPORT_REQUESTED = 'catalog.import_requested';
export const IMPORT_HANDLER = 'run-catalog-import';
export type ImportRequested = DomainEvent<typeof IMPORT_REQUESTED, { importId: string }>;

/** Where uploaded catalog files live in the blob store. */
export const importBlobPrefix = (partnerId: string) => `catalog-imports/${partnerId}/`;
