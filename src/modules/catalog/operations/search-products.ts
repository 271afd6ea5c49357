import currencyCodes from 'currency-codes';
import { notFound } from '../../../shared/errors.js';
import type { CatalogDeps } from '../deps.js';
import type { Product } from '../model.js';
import { requireSearchCaller, type Caller } from '../policy.js';
import type { SearchHit, SearchQuery, SearchResult, Suggestion } from '../search/search-index.js';

export interface FoundProduct {
  product: Product;
  highlights: SearchHit['highlights'];
}

export interface ProductSearchResult extends Omit<SearchResult, 'hits'> {
  items: FoundProduct[];
}

/**
 * Searches ACTIVE products through the SearchIndex, then loads the hits from the ProductStore so that the
 * answer shows the stored product (an index that lags behind a write never shows stale fields; a hit whose
 * product was archived meanwhile is left out).
 */
export async function searchProducts(deps: CatalogDeps, caller: Caller | null, query: SearchQuery): Promise<ProductSearchResult> {
  requireSearchCaller(caller);
  const result = await deps.search.search(query);
  const products = new Map((await deps.products.getMany(result.hits.map((h) => h.productId))).map((p) => [p.id, p]));
  const items: FoundProduct[] = [];
  for (const hit of result.hits) {
    const product = products.get(hit.productId);
    if (product && product.status === 'ACTIVE') items.push({ product, highlights: hit.highlights });
  }
  return {
    items,
    estimatedTotal: result.estimatedTotal,
    totalIsExact: result.totalIsExact,
    facets: result.facets,
    nextCursor: result.nextCursor,
  };
}

export async function suggestProducts(deps: CatalogDeps, caller: Caller | null, q: string, limit: number): Promise<Suggestion[]> {
  requireSearchCaller(caller);
  return deps.search.suggest(q, limit);
}

/** An ACTIVE product; archived ones are NOT_FOUND to searchers. */
export async function getProduct(deps: CatalogDeps, caller: Caller | null, id: string): Promise<Product> {
  requireSearchCaller(caller);
  const product = await deps.products.get(id);
  if (!product || product.status !== 'ACTIVE') throw notFound('Product');
  return product;
}

/** Digits after the decimal point of an ISO 4217 currency (2 when unknown). */
export function minorDigits(currency: string): number {
  return currencyCodes.code(currency)?.digits ?? 2;
}

/** 1999 EUR → 19.99; 1999 JPY → 1999. */
export function toMajorUnits(minor: number, currency: string): number {
  const digits = minorDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}

/** 19.99 EUR → 1999 (rounded to the nearest minor unit). */
export function toMinorUnits(major: number, currency: string | null): number {
  return Math.round(major * 10 ** (currency ? minorDigits(currency) : 2));
}
