import type { Product } from '../model.js';

export type SearchSort = 'relevance' | 'price_asc' | 'price_desc' | 'name' | 'newest';
export type FacetName = 'brand' | 'category' | 'partner' | 'price';

/**
 * Bounds of the price facet's ranges, in minor units: ranges are [null, b0-1], [b0, b1-1], …, [bn, null]. Every
 * adapter returns every range (zero counts included), in this order; products without a price are in none.
 */
export const PRICE_FACET_BOUNDS: readonly number[] = [1000, 2500, 5000, 10000, 25000, 50000];

export interface SearchQuery {
  /** Free text; empty means "everything that passes the filters". */
  q: string;
  filters: {
    /** Any of these partners. */
    partnerIds?: string[];
    /** Any of these brands, exactly as written on the products (the brand facet's values). */
    brands?: string[];
    /** Category path prefix from the root, e.g. ["Maison", "Cuisine"]: whole path elements, exact. */
    categoryPrefix?: string[];
    /** Inclusive, minor units. */
    priceMinMinor?: number;
    priceMaxMinor?: number;
    /** true: stock > 0; false: stock 0 or unknown. */
    inStock?: boolean;
    /** Attribute name → exact value (case-sensitive); every pair must hold. */
    attributes?: Record<string, string>;
  };
  sort: SearchSort;
  facets: FacetName[];
  /** 1–100. */
  limit: number;
  /** Opaque, from a previous result with the same query; null for the first page. */
  cursor: string | null;
}

/** Highlighted text: matched spans wrapped in `<mark>` … `</mark>`, everything else HTML-escaped. */
export interface SearchHit {
  productId: string;
  highlights: { name: string; brand: string | null; description: string | null };
}

/** One facet value; a facet lists at most 100 values, highest counts first, ties by value (code-unit order). */
export interface FacetValue {
  value: string;
  count: number;
}

export interface PriceRangeFacet {
  /** Minor units, inclusive; null = open. */
  minMinor: number | null;
  maxMinor: number | null;
  count: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Number of matches; exact when `totalIsExact`, else an estimate (≥ the hits of a first page). */
  estimatedTotal: number;
  totalIsExact: boolean;
  /**
   * false when the facet counts are estimates: an adapter may count the total and the facets of a huge match set on
   * a deterministic sample of the matches, scaled (the embedded index does above 50,000 matches; a value rare in
   * the matches may then be missing). Hits, their order and cursors are never approximate. Absent means true.
   */
  facetsAreExact?: boolean;
  /**
   * Counted over every match (after filters, whatever the cursor), or estimated when `facetsAreExact` is false; only
   * the facets asked for are present.
   */
  facets: {
    brand?: FacetValue[];
    /** Counts per full category path joined with " > ", plus every prefix of it. */
    category?: FacetValue[];
    partner?: FacetValue[];
    price?: PriceRangeFacet[];
  };
  nextCursor: string | null;
}

export interface Suggestion {
  /** The completed query text. */
  text: string;
  /** Same text with the completed part in `<mark>`. */
  highlighted: string;
}

/**
 * Port: full-text search over ACTIVE products. Adapters: `EmbeddedSearchIndex` (default; in-process, rebuilt from
 * the SQLite product store's change feed) and `OpenSearchIndex`. Both pass `test/conformance/search-index.suite.ts`.
 *
 * Relevance: case- and accent-insensitive (French and English), prefix match on the last query word, typo
 * tolerance (1 typo from 5 letters, 2 from 9), an exact SKU or EAN match first, then field weights
 * name > brand > category > description; ties broken by product id so that paging is deterministic.
 */
export interface SearchIndex {
  /** Adds or replaces these products; ARCHIVED ones are removed. Idempotent. */
  upsert(products: readonly Product[]): Promise<void>;
  remove(productIds: readonly string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  /**
   * Search-as-you-type: up to `limit` completions of the query's last word (with its earlier words); none when the
   * query ends with a space or punctuation.
   */
  suggest(q: string, limit: number): Promise<Suggestion[]>;
  /** Throws when the index cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
