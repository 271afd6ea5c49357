/**
 * What the OpenSearch adapter sends and how it reads the answers, as pure functions (unit-tested in
 * `test/unit/opensearch-requests.test.ts` without a cluster). `opensearch-index.ts` only moves these bodies over HTTP.
 */
import { createHash } from 'node:crypto';
import { badInput } from '../../../../shared/errors.js';
import type { Product } from '../../model.js';
import { PRICE_FACET_BOUNDS } from '../search-index.js';
import type {
  FacetValue,
  PriceRangeFacet,
  SearchHit,
  SearchQuery,
  SearchResult,
  SearchSort,
  Suggestion,
} from '../search-index.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Category paths are stored and faceted joined with this separator (the contract's facet format). */
export const CATEGORY_SEPARATOR = ' > ';
/** Separates an attribute's name from its value in `attributePairs` (a character no header or cell carries). */
export const ATTRIBUTE_SEPARATOR = '\u001f';
/** Beyond this many matches the total is an estimate (`track_total_hits`). */
export const TOTAL_HITS_CAP = 10_000;
/** Typo tolerance of the contract: 1 edit from 5 letters, 2 from 9. */
export const FUZZINESS = 'AUTO:5,9';
/** Exact SKU/EAN matches outrank any text score. */
export const EXACT_CODE_BOOST = 10_000;
/** Price facet ranges from the port's bounds, inclusive (the range aggregation's `to` is exclusive, hence +1). */
export const PRICE_BUCKETS: readonly { minMinor: number | null; maxMinor: number | null }[] = [null, ...PRICE_FACET_BOUNDS].map(
  (min, i) => {
    const next = PRICE_FACET_BOUNDS[i];
    return { minMinor: min, maxMinor: next === undefined ? null : next - 1 };
  },
);
/** Matched spans come back between these (private-use) characters; escaping and `<mark>` are ours. */
const HL_OPEN = '\uE000';
const HL_CLOSE = '\uE001';

// ---------------------------------------------------------------------------------------------- index definition

const ELISION_ARTICLES = ['l', 'm', 't', 'qu', 'n', 's', 'j', 'd', 'c', 'jusqu', 'quoiqu', 'lorsqu', 'puisqu'];

/** A text field analyzed accent- and case-insensitively, with French and English stemmed sub-fields. */
const textField = (opts: { prefix?: boolean; sort?: boolean; raw?: boolean }): JsonObject => {
  const fields: JsonObject = {
    fr: { type: 'text', analyzer: 'atelier_fr' },
    en: { type: 'text', analyzer: 'atelier_en' },
  };
  if (opts.prefix) fields.prefix = { type: 'text', analyzer: 'atelier_prefix', search_analyzer: 'atelier_folded' };
  if (opts.sort) fields.sort = { type: 'keyword', normalizer: 'atelier_folded', ignore_above: 256 };
  if (opts.raw) fields.raw = { type: 'keyword', ignore_above: 512 };
  return { type: 'text', analyzer: 'atelier_folded', fields };
};

/** Settings and mappings of the products index (`PUT /<index>`). */
export function indexDefinition(): JsonObject {
  return {
    settings: {
      index: { number_of_shards: 1, max_result_window: TOTAL_HITS_CAP },
      analysis: {
        filter: {
          atelier_elision: { type: 'elision', articles_case: true, articles: ELISION_ARTICLES },
          atelier_fr_stem: { type: 'stemmer', language: 'light_french' },
          atelier_en_possessive: { type: 'stemmer', language: 'possessive_english' },
          atelier_en_stem: { type: 'stemmer', language: 'light_english' },
          atelier_edge: { type: 'edge_ngram', min_gram: 1, max_gram: 20 },
        },
        normalizer: {
          atelier_folded: { type: 'custom', filter: ['lowercase', 'asciifolding'] },
        },
        analyzer: {
          atelier_folded: { type: 'custom', tokenizer: 'standard', filter: ['atelier_elision', 'lowercase', 'asciifolding'] },
          atelier_fr: {
            type: 'custom',
            tokenizer: 'standard',
            filter: ['atelier_elision', 'lowercase', 'asciifolding', 'atelier_fr_stem'],
          },
          atelier_en: {
            type: 'custom',
            tokenizer: 'standard',
            filter: ['atelier_en_possessive', 'lowercase', 'asciifolding', 'atelier_en_stem'],
          },
          atelier_prefix: {
            type: 'custom',
            tokenizer: 'standard',
            filter: ['atelier_elision', 'lowercase', 'asciifolding', 'atelier_edge'],
          },
        },
      },
    },
    mappings: {
      dynamic: 'strict',
      properties: {
        id: { type: 'keyword' },
        partnerId: { type: 'keyword' },
        sku: { type: 'keyword', normalizer: 'atelier_folded' },
        ean: { type: 'keyword' },
        name: textField({ prefix: true, sort: true }),
        brand: textField({ prefix: true, raw: true }),
        category: textField({ prefix: true }),
        /** Every prefix of the category path joined with " > ": the filter and the facet. */
        categoryPaths: { type: 'keyword' },
        description: textField({}),
        priceMinor: { type: 'long' },
        currency: { type: 'keyword' },
        stock: { type: 'integer' },
        attributePairs: { type: 'keyword' },
        createdAt: { type: 'date' },
        updatedAt: { type: 'date' },
      },
    },
  };
}

/** "Maison > Cuisine > Poêles" and each of its prefixes. */
export const categoryPrefixes = (path: readonly string[]): string[] =>
  path.map((_, i) => path.slice(0, i + 1).join(CATEGORY_SEPARATOR));

/** The indexed document of an ACTIVE product. */
export function toDocument(p: Product): JsonObject {
  return {
    id: p.id,
    partnerId: p.partnerId,
    sku: p.sku,
    ean: p.ean,
    name: p.name,
    brand: p.brand,
    category: [...p.category],
    categoryPaths: categoryPrefixes(p.category),
    description: p.description,
    priceMinor: p.priceMinor,
    currency: p.currency,
    stock: p.stock,
    attributePairs: Object.entries(p.attributes).map(([k, v]) => `${k}${ATTRIBUTE_SEPARATOR}${v}`),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

// ---------------------------------------------------------------------------------------------------------- bulk

export type BulkAction =
  { op: 'index'; id: string; version: number; doc: JsonObject } | { op: 'delete'; id: string; version?: number };

/**
 * Index or delete actions for products: ARCHIVED ones are deleted. Both carry the product's `updatedAt` (in ms) as
 * an external version, so a late job holding an older copy never overwrites a newer one (OpenSearch answers 409,
 * which `bulkFailures` treats as done).
 */
export function bulkActionsFor(products: readonly Product[]): BulkAction[] {
  return products.map((p) => {
    const version = Date.parse(p.updatedAt);
    return p.status === 'ARCHIVED' ? { op: 'delete', id: p.id, version } : { op: 'index', id: p.id, version, doc: toDocument(p) };
  });
}

/** The NDJSON body of `POST /_bulk` (each line a JSON object, ending with a newline as OpenSearch requires). */
export function bulkBody(index: string, actions: readonly BulkAction[]): string {
  const lines: string[] = [];
  for (const a of actions) {
    const meta: JsonObject = { _index: index, _id: a.id };
    if (a.version !== undefined) {
      meta.version = a.version;
      meta.version_type = 'external_gte';
    }
    lines.push(JSON.stringify({ [a.op]: meta }));
    if (a.op === 'index') lines.push(JSON.stringify(a.doc));
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Splits actions into bulk requests of at most `maxActions` actions and about `maxBytes` of body. */
export function chunkActions(actions: readonly BulkAction[], maxActions = 500, maxBytes = 5_000_000): BulkAction[][] {
  const chunks: BulkAction[][] = [];
  let current: BulkAction[] = [];
  let bytes = 0;
  for (const a of actions) {
    const size = a.op === 'index' ? Buffer.byteLength(JSON.stringify(a.doc)) + 100 : 100;
    if (current.length && (current.length >= maxActions || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(a);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

export interface BulkOutcome {
  /** Actions to send again (429: the cluster is overloaded). */
  retry: BulkAction[];
  /** Actions that failed for good, with OpenSearch's reason. */
  failed: { id: string; status: number; reason: string }[];
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The objects of an array (anything else in it, or a non-array, gives nothing). */
const objects = (v: unknown): Record<string, unknown>[] => {
  const out: Record<string, unknown>[] = [];
  if (Array.isArray(v)) for (const item of v) if (asObject(item)) out.push(asObject(item)!);
  return out;
};

/**
 * Reads a `_bulk` answer item by item (the request succeeds even when items fail). Done: 2xx, a delete of an absent
 * document (404), a version conflict (409: the index already holds this version or a newer one).
 */
export function bulkOutcome(actions: readonly BulkAction[], response: unknown): BulkOutcome {
  const items = asObject(response)?.items;
  if (!Array.isArray(items) || items.length !== actions.length) {
    throw new Error(
      `OpenSearch bulk answer has ${Array.isArray(items) ? items.length : 'no'} items for ${actions.length} actions`,
    );
  }
  const outcome: BulkOutcome = { retry: [], failed: [] };
  items.forEach((raw, i) => {
    const action = actions[i]!;
    const result = asObject(asObject(raw)?.[action.op]);
    const status = typeof result?.status === 'number' ? result.status : 0;
    if ((status >= 200 && status < 300) || status === 409 || (action.op === 'delete' && status === 404)) return;
    if (status === 429) {
      outcome.retry.push(action);
      return;
    }
    const error = asObject(result?.error);
    const reason = typeof error?.reason === 'string' ? error.reason : typeof error?.type === 'string' ? error.type : 'unknown';
    outcome.failed.push({ id: action.id, status, reason });
  });
  return outcome;
}

// -------------------------------------------------------------------------------------------------------- search

/**
 * Words of a query, as typed: letters and digits, kept together across an inner apostrophe (aujourd'hui), minus a
 * French elided article (l'huile → huile), which the analyzers drop too and which would otherwise be a word to match.
 */
export const queryWords = (q: string): string[] =>
  (q.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? []).map((w) => {
    const m = /^([\p{L}]+)['’](.+)$/u.exec(w);
    return m && ELISION_ARTICLES.includes(m[1]!.toLowerCase()) ? m[2]! : w;
  });

/** Lowercase without accents: how the index compares words. */
export const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Fields by weight (name > brand > category > description). Scores are tiers, not BM25: each word scores the best of
 * exact (3 × weight), with typos (2 × weight) and as a prefix (1 × weight) over the fields, so that field order,
 * fewer typos and whole words rank the same on every index size (BM25's IDF would let a rare field outrank a
 * frequent one). Ties are then broken by id.
 */
export const FIELD_WEIGHTS: readonly (readonly [field: string, weight: number])[] = [
  ['name', 4],
  ['brand', 3],
  ['category', 2],
  ['description', 1],
];
const PREFIX_FIELDS = new Set(['name', 'brand', 'category']);

const scored = (filter: Json, boost: number): Json => ({ constant_score: { filter, boost } });

/** One query word: the best of its exact, typo-tolerant and (for the last word) prefix matches over the fields. */
export function wordClause(word: string, asPrefix: boolean): JsonObject {
  const queries: Json[] = [];
  for (const [field, weight] of FIELD_WEIGHTS) {
    // Exact: the folded field or its light French/English stems.
    queries.push(scored({ multi_match: { query: word, fields: [field, `${field}.fr`, `${field}.en`] } }, 3 * weight));
    queries.push(scored({ match: { [field]: { query: word, fuzziness: FUZZINESS } } }, 2 * weight));
    if (asPrefix && PREFIX_FIELDS.has(field)) queries.push(scored({ match: { [`${field}.prefix`]: { query: word } } }, weight));
  }
  return { dis_max: { queries } };
}

/** True when the query's last word is being typed (the text does not end with a space or punctuation). */
export const endsInWord = (q: string): boolean => /[\p{L}\p{N}]$/u.test(q);

/**
 * Every word must match some field (with typos); the last one may also be the start of a word unless a space or
 * punctuation ends the query. An exact SKU or EAN matches on its own, with a boost that puts it first.
 */
export function textQuery(q: string): JsonObject {
  const words = queryWords(q);
  if (!words.length) return { match_all: {} };
  const prefix = endsInWord(q);
  const clauses = words.map((w, i) => wordClause(w, prefix && i === words.length - 1));
  const code = q.trim();
  return {
    bool: {
      should: [
        scored({ term: { sku: code } }, EXACT_CODE_BOOST),
        scored({ term: { ean: code } }, EXACT_CODE_BOOST),
        { bool: { must: clauses } },
      ],
      minimum_should_match: 1,
    },
  };
}

/** The filters of a query, as `bool.filter` clauses (they do not score, and are cached). */
export function filterClauses(filters: SearchQuery['filters']): Json[] {
  const out: Json[] = [];
  if (filters.partnerIds) out.push({ terms: { partnerId: filters.partnerIds } });
  if (filters.brands) out.push({ terms: { 'brand.raw': filters.brands } });
  if (filters.categoryPrefix?.length) out.push({ term: { categoryPaths: filters.categoryPrefix.join(CATEGORY_SEPARATOR) } });
  if (filters.priceMinMinor !== undefined || filters.priceMaxMinor !== undefined) {
    const range: JsonObject = {};
    if (filters.priceMinMinor !== undefined) range.gte = filters.priceMinMinor;
    if (filters.priceMaxMinor !== undefined) range.lte = filters.priceMaxMinor;
    out.push({ range: { priceMinor: range } });
  }
  if (filters.inStock === true) out.push({ range: { stock: { gt: 0 } } });
  if (filters.inStock === false) out.push({ bool: { must_not: { range: { stock: { gt: 0 } } } } });
  for (const [name, value] of Object.entries(filters.attributes ?? {})) {
    out.push({ term: { attributePairs: `${name}${ATTRIBUTE_SEPARATOR}${value}` } });
  }
  return out;
}

/** Sort clauses; every sort ends with `id` so that equal keys page deterministically (`search_after`). */
export function sortClauses(sort: SearchSort): Json[] {
  const tieBreak = { id: { order: 'asc' } };
  switch (sort) {
    case 'relevance':
      return [{ _score: { order: 'desc' } }, tieBreak];
    case 'price_asc':
      return [{ priceMinor: { order: 'asc', missing: '_last' } }, tieBreak];
    case 'price_desc':
      return [{ priceMinor: { order: 'desc', missing: '_last' } }, tieBreak];
    case 'name':
      return [{ 'name.sort': { order: 'asc' } }, tieBreak];
    case 'newest':
      return [{ createdAt: { order: 'desc' } }, tieBreak];
  }
}

const FACET_SIZE: Record<'brand' | 'category' | 'partner', number> = { brand: 50, category: 200, partner: 50 };
const termsAgg = (field: string, size: number): JsonObject => ({
  terms: { field, size, order: [{ _count: 'desc' }, { _key: 'asc' }] },
});

export function facetAggregations(facets: SearchQuery['facets']): JsonObject {
  const aggs: JsonObject = {};
  for (const f of new Set(facets)) {
    switch (f) {
      case 'brand':
        aggs.brand = termsAgg('brand.raw', FACET_SIZE.brand);
        break;
      case 'category':
        aggs.category = termsAgg('categoryPaths', FACET_SIZE.category);
        break;
      case 'partner':
        aggs.partner = termsAgg('partnerId', FACET_SIZE.partner);
        break;
      case 'price':
        aggs.price = {
          range: {
            field: 'priceMinor',
            ranges: PRICE_BUCKETS.map((b) => {
              const r: JsonObject = {};
              if (b.minMinor !== null) r.from = b.minMinor;
              if (b.maxMinor !== null) r.to = b.maxMinor + 1;
              return r;
            }),
          },
        };
        break;
    }
  }
  return aggs;
}

/** A fingerprint of everything but the cursor and facets: a cursor only continues the query it came from. */
export function queryFingerprint(query: SearchQuery): string {
  const { q, filters, sort, limit } = query;
  return createHash('sha256')
    .update(JSON.stringify([q, filters, sort, limit]))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeSearchCursor(query: SearchQuery, searchAfter: readonly Json[]): string {
  return Buffer.from(JSON.stringify({ f: queryFingerprint(query), a: searchAfter }), 'utf8').toString('base64url');
}

/** The `search_after` values of a cursor; BAD_USER_INPUT when it is malformed or belongs to another query. */
export function decodeSearchCursor(query: SearchQuery, cursor: string): Json[] {
  try {
    const parsed = asObject(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown);
    const after = parsed?.a;
    if (
      parsed?.f === queryFingerprint(query) &&
      Array.isArray(after) &&
      after.length === 2 &&
      after.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    ) {
      return after as Json[];
    }
  } catch {
    // fall through to the uniform error
  }
  throw badInput([{ path: 'cursor', message: 'is not a cursor of this query' }]);
}

const HIGHLIGHT_FIELDS = ['name', 'name.fr', 'name.en', 'name.prefix', 'brand', 'brand.fr', 'brand.en', 'brand.prefix'];
const DESCRIPTION_HIGHLIGHT_FIELDS = ['description', 'description.fr', 'description.en'];

/** The body of `POST /<index>/_search` for a query (one more hit than asked, to know whether a next page exists). */
export function searchRequest(query: SearchQuery): JsonObject {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
    throw badInput([{ path: 'limit', message: 'must be an integer from 1 to 100' }]);
  }
  const filters = filterClauses(query.filters);
  const body: JsonObject = {
    size: query.limit + 1,
    track_total_hits: TOTAL_HITS_CAP,
    query: { bool: { must: [textQuery(query.q)], filter: filters } },
    sort: sortClauses(query.sort),
    _source: ['id', 'name', 'brand', 'description'],
  };
  if (query.cursor) body.search_after = decodeSearchCursor(query, query.cursor);
  if (queryWords(query.q).length) {
    const fields: JsonObject = {};
    for (const f of [...HIGHLIGHT_FIELDS, ...DESCRIPTION_HIGHLIGHT_FIELDS]) fields[f] = {};
    body.highlight = {
      type: 'unified',
      pre_tags: [HL_OPEN],
      post_tags: [HL_CLOSE],
      number_of_fragments: 0,
      require_field_match: true,
      fields,
    };
  }
  const aggs = facetAggregations(query.facets);
  if (Object.keys(aggs).length) body.aggs = aggs;
  return body;
}

// ------------------------------------------------------------------------------------------------- highlighting

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** [start, end) spans of `text` marked in one highlighted copy of it; null when the copy is not of this text. */
function markedSpans(text: string, highlighted: string): [number, number][] | null {
  const spans: [number, number][] = [];
  let plain = '';
  let open = -1;
  for (const ch of highlighted) {
    if (ch === HL_OPEN) open = plain.length;
    else if (ch === HL_CLOSE && open >= 0) {
      spans.push([open, plain.length]);
      open = -1;
    } else plain += ch;
  }
  return plain === text ? spans : null;
}

/**
 * The text HTML-escaped, with every span that any of the field's highlights marks wrapped in `<mark>` (the
 * stemmed, folded and prefix sub-fields each mark their own matches; their union is what matched).
 */
export function mergeHighlights(text: string, highlighted: readonly string[]): string {
  const spans = highlighted
    .flatMap((h) => markedSpans(text, h) ?? [])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  let out = '';
  let at = 0;
  for (const [a, b] of merged) {
    out += `${escapeHtml(text.slice(at, a))}<mark>${escapeHtml(text.slice(a, b))}</mark>`;
    at = b;
  }
  return out + escapeHtml(text.slice(at));
}

// ------------------------------------------------------------------------------------------------------- answers

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

function highlightOf(text: string | null, highlight: Record<string, unknown> | null, field: string): string | null {
  if (text === null) return null;
  const copies = Object.entries(highlight ?? {})
    .filter(([k]) => k === field || k.startsWith(`${field}.`))
    .flatMap(([, v]) => strings(v));
  return mergeHighlights(text, copies);
}

const bucketsOf = (aggs: Record<string, unknown> | null, name: string): Record<string, unknown>[] => {
  return objects(asObject(aggs?.[name])?.buckets);
};

const termFacet = (aggs: Record<string, unknown> | null, name: string): FacetValue[] =>
  bucketsOf(aggs, name).map((b) => ({ value: String(b.key), count: typeof b.doc_count === 'number' ? b.doc_count : 0 }));

/** A search answer as the port's result. */
export function parseSearchResponse(query: SearchQuery, response: unknown): SearchResult {
  const root = asObject(response);
  const hitsObj = asObject(root?.hits);
  const rawHits = objects(hitsObj?.hits);
  const total = asObject(hitsObj?.total);
  const page = rawHits.slice(0, query.limit);
  const hits: SearchHit[] = page.map((h) => {
    const src = asObject(h._source);
    const hl = asObject(h.highlight);
    const name = typeof src?.name === 'string' ? src.name : '';
    const brand = typeof src?.brand === 'string' ? src.brand : null;
    const description = typeof src?.description === 'string' ? src.description : null;
    return {
      productId: typeof src?.id === 'string' ? src.id : String(h._id),
      highlights: {
        name: highlightOf(name, hl, 'name')!,
        brand: highlightOf(brand, hl, 'brand'),
        description: highlightOf(description, hl, 'description'),
      },
    };
  });
  const lastSort = page.at(-1)?.sort;
  const nextCursor =
    rawHits.length > query.limit && Array.isArray(lastSort) ? encodeSearchCursor(query, lastSort as Json[]) : null;

  const aggs = asObject(root?.aggregations);
  const facets: SearchResult['facets'] = {};
  for (const f of new Set(query.facets)) {
    switch (f) {
      case 'brand':
      case 'category':
      case 'partner':
        facets[f] = termFacet(aggs, f);
        break;
      case 'price': {
        const buckets = bucketsOf(aggs, 'price');
        facets.price = PRICE_BUCKETS.map((b, i): PriceRangeFacet => ({
          ...b,
          count: typeof buckets[i]?.doc_count === 'number' ? buckets[i].doc_count : 0,
        }));
        break;
      }
    }
  }
  return {
    hits,
    estimatedTotal: typeof total?.value === 'number' ? total.value : hits.length,
    totalIsExact: total?.relation === 'eq',
    facets,
    nextCursor,
  };
}

// ------------------------------------------------------------------------------------------------------- suggest

/** Names fetched to gather completions from. */
export const SUGGEST_SAMPLE = 50;

/** Products whose names start a word with the last query word (and match the earlier words). */
export function suggestRequest(q: string): JsonObject | null {
  const words = queryWords(q);
  const last = words.at(-1);
  if (!last || !endsInWord(q)) return null;
  return {
    size: SUGGEST_SAMPLE,
    track_total_hits: false,
    _source: ['name'],
    query: {
      bool: {
        must: [...words.slice(0, -1).map((w) => wordClause(w, false)), { match: { 'name.prefix': { query: last } } }],
      },
    },
    sort: [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }],
  };
}

/**
 * Completions of the last word: words of the matching names that start with it (accents and case aside), most
 * frequent first, then alphabetically; the earlier words come first, folded (as the embedded index shows them).
 */
export function parseSuggestResponse(q: string, limit: number, response: unknown): Suggestion[] {
  const words = queryWords(q);
  const last = words.at(-1);
  if (!last || !endsInWord(q)) return [];
  const prefix = fold(last);
  const hits = asObject(asObject(response)?.hits)?.hits;
  const counts = new Map<string, { word: string; count: number }>();
  for (const h of Array.isArray(hits) ? hits : []) {
    const name = asObject(asObject(h)?._source)?.name;
    if (typeof name !== 'string') continue;
    for (const w of queryWords(name)) {
      const key = fold(w);
      if (!key.startsWith(prefix)) continue;
      const entry = counts.get(key) ?? { word: w.toLowerCase(), count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
  }
  const head = words.slice(0, -1).map(fold).join(' ');
  const lead = head ? `${head} ` : '';
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || (fold(a.word) < fold(b.word) ? -1 : 1))
    .slice(0, limit)
    .map(({ word }) => {
      const typed = word.slice(0, last.length);
      const rest = word.slice(last.length);
      return {
        text: `${lead}${word}`,
        highlighted: escapeHtml(lead + typed) + (rest ? `<mark>${escapeHtml(rest)}</mark>` : ''),
      };
    });
}
