import type { Product } from '../../src/modules/catalog/model.js';
import { EmbeddedSearchIndex } from '../../src/modules/catalog/search/index.js';
import { searchIndexSuite } from '../conformance/search-index.suite.js';

// The embedded index reads hit text through `loadProducts` (the product store's getMany in the app); here the
// products the suite saves are kept in a map, as a store would return them.
searchIndexSuite('embedded', async () => {
  const saved = new Map<string, Product>();
  const index = new EmbeddedSearchIndex({
    loadProducts: async (ids) => ids.flatMap((id) => saved.get(id) ?? []),
  });
  return {
    index,
    save: async (products) => {
      for (const p of products) saved.set(p.id, p);
    },
  };
});
