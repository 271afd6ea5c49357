import { PermanentError, type EventHandler } from '../../jobs/index.js';
import type { ProductStore, ProductsChanged } from '../product-store.js';
import type { SearchIndex } from '../search/search-index.js';

export const SEARCH_INDEX_HANDLER = 'catalog.search-index';
export const PRODUCTS_CHANGED = 'catalog.products.changed';

const isPayload = (p: unknown): p is ProductsChanged['payload'] =>
  typeof p === 'object' &&
  p !== null &&
  'productIds' in p &&
  Array.isArray(p.productIds) &&
  p.productIds.every((id) => typeof id === 'string');

/**
 * Feeds an external SearchIndex (OpenSearch) from `catalog.products.changed`: loads the products as they are *now*
 * and upserts them (ARCHIVED ones are removed by `upsert`); ids the store no longer knows are removed. Idempotent and
 * order-insensitive: a redelivered or late event writes the current state again, and the OpenSearch adapter versions
 * documents by `updatedAt`, so an older copy never overwrites a newer one.
 *
 * Wired only when SEARCH_INDEX=opensearch: the embedded index tails the SQLite store's change feed instead.
 */
export function searchIndexHandler(
  products: Pick<ProductStore, 'getMany'>,
  index: Pick<SearchIndex, 'upsert' | 'remove'>,
): EventHandler {
  return {
    name: SEARCH_INDEX_HANDLER,
    on: [PRODUCTS_CHANGED],
    async handle(event, ctx) {
      const payload: unknown = event.payload;
      if (!isPayload(payload)) throw new PermanentError(`${event.type} ${event.id} has no productIds`);
      const ids = [...new Set(payload.productIds)];
      if (!ids.length) return;
      const found = await products.getMany(ids);
      await index.upsert(found);
      const known = new Set(found.map((p) => p.id));
      const gone = ids.filter((id) => !known.has(id));
      if (gone.length) await index.remove(gone);
      const archived = found.filter((p) => p.status === 'ARCHIVED').length;
      ctx.log.info({ indexed: found.length - archived, removed: archived + gone.length }, 'search index updated');
    },
  };
}
