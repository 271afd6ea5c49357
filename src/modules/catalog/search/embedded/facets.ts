import type { FacetValue, PriceRangeFacet } from '../search-index.js';
import { PRICE_FACET_BOUNDS } from '../search-index.js';

/** At most this many values per facet (highest counts first, then value). */
export const FACET_VALUES_LIMIT = 100;

/** Index of the price range of `priceMinor` in PRICE_FACET_BOUNDS (ranges are [bound[i-1], bound[i]-1]). */
export function priceBucket(priceMinor: number): number {
  let i = 0;
  while (i < PRICE_FACET_BOUNDS.length && priceMinor >= PRICE_FACET_BOUNDS[i]!) i++;
  return i;
}

export function priceFacet(counts: Uint32Array): PriceRangeFacet[] {
  const out: PriceRangeFacet[] = [];
  for (let i = 0; i <= PRICE_FACET_BOUNDS.length; i++) {
    out.push({
      minMinor: i === 0 ? null : PRICE_FACET_BOUNDS[i - 1]!,
      maxMinor: i === PRICE_FACET_BOUNDS.length ? null : PRICE_FACET_BOUNDS[i]! - 1,
      count: counts[i]!,
    });
  }
  return out;
}

/** Non-zero counts as facet values, most frequent first, ties by value; `names[i]` names count i. */
export function topValues(counts: Uint32Array, names: readonly string[]): FacetValue[] {
  let nonZero = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i]! > 0) nonZero++;
  // Only the values that can make the top FACET_VALUES_LIMIT are materialised and sorted.
  let threshold = 1;
  if (nonZero > FACET_VALUES_LIMIT) {
    const sorted = counts.slice(1).sort();
    threshold = sorted[sorted.length - FACET_VALUES_LIMIT]!;
  }
  const out: FacetValue[] = [];
  for (let i = 1; i < counts.length; i++) if (counts[i]! >= threshold) out.push({ value: names[i]!, count: counts[i]! });
  out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return out.length > FACET_VALUES_LIMIT ? out.slice(0, FACET_VALUES_LIMIT) : out;
}
