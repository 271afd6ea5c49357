import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Product } from '../../src/modules/catalog/model.js';
import type { SearchQuery } from '../../src/modules/catalog/search/search-index.js';
import { parseConnection } from '../../src/modules/catalog/search/opensearch/opensearch-index.js';
import {
  bulkActionsFor,
  bulkBody,
  bulkOutcome,
  chunkActions,
  decodeSearchCursor,
  encodeSearchCursor,
  indexDefinition,
  mergeHighlights,
  parseSearchResponse,
  parseSuggestResponse,
  queryWords,
  searchRequest,
  suggestRequest,
  toDocument,
  wordClause,
  type JsonObject,
} from '../../src/modules/catalog/search/opensearch/requests.js';

const product = (over: Partial<Product> = {}): Product => ({
  id: '00000000-0000-4000-8000-000000000001',
  partnerId: 'p1',
  sku: 'POE-28',
  name: 'Poêle en fonte',
  description: "Idéale pour l'induction <28 cm>",
  brand: 'Le Creuset',
  category: ['Maison', 'Cuisine', 'Poêles'],
  priceMinor: 8990,
  currency: 'EUR',
  imageUrls: [],
  ean: '3017620422003',
  stock: 4,
  url: null,
  attributes: { Couleur: 'Rouge' },
  status: 'ACTIVE',
  contentHash: 'h',
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T03:04:05.000Z',
  lastImportId: 'i1',
  lastImportOutcome: 'created',
  ...over,
});

const query = (over: Partial<SearchQuery> = {}): SearchQuery => ({
  q: '',
  filters: {},
  sort: 'relevance',
  facets: [],
  limit: 20,
  cursor: null,
  ...over,
});

/** The clause of one query word, spelled out: tiers exact 3w, typos 2w, prefix 1w over name 4, brand 3, category 2, description 1. */
const word = (w: string, prefix = false) => {
  const cs = (filter: unknown, boost: number) => ({ constant_score: { filter, boost } });
  const queries: unknown[] = [];
  for (const [f, weight] of [
    ['name', 4],
    ['brand', 3],
    ['category', 2],
    ['description', 1],
  ] as const) {
    queries.push(cs({ multi_match: { query: w, fields: [f, `${f}.fr`, `${f}.en`] } }, 3 * weight));
    queries.push(cs({ match: { [f]: { query: w, fuzziness: 'AUTO:5,9' } } }, 2 * weight));
    if (prefix && f !== 'description') queries.push(cs({ match: { [`${f}.prefix`]: { query: w } } }, weight));
  }
  return { dis_max: { queries } };
};

describe('OpenSearch index definition', () => {
  const def = indexDefinition();
  const analysis = (def.settings as JsonObject).analysis as JsonObject;
  const props = ((def.mappings as JsonObject).properties ?? {}) as Record<string, JsonObject>;

  it('folds accents and case, strips French elisions and stems lightly in French and English', () => {
    assert.deepEqual(analysis.analyzer, {
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
    });
    const filters = analysis.filter as Record<string, JsonObject>;
    assert.equal(filters.atelier_fr_stem!.language, 'light_french');
    assert.equal(filters.atelier_en_stem!.language, 'light_english');
    assert.deepEqual(filters.atelier_edge, { type: 'edge_ngram', min_gram: 1, max_gram: 20 });
  });

  it('maps names with stemmed, prefix and sort sub-fields, codes as keywords and numbers as numbers', () => {
    assert.deepEqual(props.name, {
      type: 'text',
      analyzer: 'atelier_folded',
      fields: {
        fr: { type: 'text', analyzer: 'atelier_fr' },
        en: { type: 'text', analyzer: 'atelier_en' },
        prefix: { type: 'text', analyzer: 'atelier_prefix', search_analyzer: 'atelier_folded' },
        sort: { type: 'keyword', normalizer: 'atelier_folded', ignore_above: 256 },
      },
    });
    assert.deepEqual(props.sku, { type: 'keyword', normalizer: 'atelier_folded' });
    assert.deepEqual(props.ean, { type: 'keyword' });
    assert.deepEqual(props.categoryPaths, { type: 'keyword' });
    assert.deepEqual(props.priceMinor, { type: 'long' });
    assert.deepEqual(props.stock, { type: 'integer' });
    assert.deepEqual(props.createdAt, { type: 'date' });
    assert.equal((def.mappings as JsonObject).dynamic, 'strict');
  });

  it('indexes every field the mapping declares and nothing else', () => {
    const doc = toDocument(product());
    assert.deepEqual(Object.keys(doc).sort(), Object.keys(props).sort());
    assert.deepEqual(doc.categoryPaths, ['Maison', 'Maison > Cuisine', 'Maison > Cuisine > Poêles']);
    assert.deepEqual(doc.attributePairs, ['Couleur\u001fRouge']);
  });
});

describe('OpenSearch bulk writes', () => {
  it('writes NDJSON: index with the document, delete for archived products, external versions from updatedAt', () => {
    const active = product();
    const archived = product({ id: 'x2', status: 'ARCHIVED', updatedAt: '2026-01-04T00:00:00.000Z' });
    const body = bulkBody('atelier_products', bulkActionsFor([active, archived]));
    const lines = body.split('\n');
    assert.equal(lines.at(-1), '', 'ends with a newline');
    assert.deepEqual(
      lines.slice(0, -1).map((l) => JSON.parse(l) as unknown),
      [
        {
          index: {
            _index: 'atelier_products',
            _id: active.id,
            version: Date.parse(active.updatedAt),
            version_type: 'external_gte',
          },
        },
        toDocument(active),
        {
          delete: {
            _index: 'atelier_products',
            _id: 'x2',
            version: Date.parse(archived.updatedAt),
            version_type: 'external_gte',
          },
        },
      ],
    );
  });

  it('writes unversioned deletes for plain removals', () => {
    assert.equal(bulkBody('i', [{ op: 'delete', id: 'a' }]), '{"delete":{"_index":"i","_id":"a"}}\n');
  });

  it('chunks by action count and by size', () => {
    const actions = bulkActionsFor(Array.from({ length: 7 }, (_, i) => product({ id: `id${i}` })));
    assert.deepEqual(
      chunkActions(actions, 3).map((c) => c.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      chunkActions(actions, 100, 1).map((c) => c.length),
      [1, 1, 1, 1, 1, 1, 1],
    );
  });

  it('retries 429 items, accepts version conflicts and absent deletes, reports other failures', () => {
    const actions = bulkActionsFor([product({ id: 'a' }), product({ id: 'b' }), product({ id: 'c' }), product({ id: 'd' })]);
    actions.push({ op: 'delete', id: 'e' });
    const outcome = bulkOutcome(actions, {
      errors: true,
      items: [
        { index: { status: 201 } },
        { index: { status: 429, error: { type: 'es_rejected_execution_exception' } } },
        { index: { status: 409, error: { type: 'version_conflict_engine_exception' } } },
        { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [stock]' } } },
        { delete: { status: 404, result: 'not_found' } },
      ],
    });
    assert.deepEqual(
      outcome.retry.map((a) => a.id),
      ['b'],
    );
    assert.deepEqual(outcome.failed, [{ id: 'd', status: 400, reason: 'failed to parse field [stock]' }]);
    assert.throws(() => bulkOutcome(actions, { items: [] }), /0 items for 5 actions/);
  });
});

describe('OpenSearch search requests', () => {
  it('matches everything with filters only, sorted by score then id, totals capped at 10,000', () => {
    assert.deepEqual(searchRequest(query({ q: '  ' })), {
      size: 21,
      track_total_hits: 10_000,
      query: { bool: { must: [{ match_all: {} }], filter: [] } },
      sort: [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }],
      _source: ['id', 'name', 'brand', 'description'],
    });
  });

  it('needs every word (fuzzy), lets the last be a prefix, and puts an exact SKU or EAN first', () => {
    const body = searchRequest(query({ q: "poele l'induc", limit: 10 }));
    assert.deepEqual(body.query, {
      bool: {
        must: [
          {
            bool: {
              should: [
                { constant_score: { filter: { term: { sku: "poele l'induc" } }, boost: 10_000 } },
                { constant_score: { filter: { term: { ean: "poele l'induc" } }, boost: 10_000 } },
                { bool: { must: [word('poele'), word('induc', true)] } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
        filter: [],
      },
    });
    assert.deepEqual((wordClause('cap', true).dis_max as { queries: unknown[] }).queries.slice(0, 3), [
      { constant_score: { filter: { multi_match: { query: 'cap', fields: ['name', 'name.fr', 'name.en'] } }, boost: 12 } },
      { constant_score: { filter: { match: { name: { query: 'cap', fuzziness: 'AUTO:5,9' } } }, boost: 8 } },
      { constant_score: { filter: { match: { 'name.prefix': { query: 'cap' } } }, boost: 4 } },
    ]);
    const ended = searchRequest(query({ q: 'tapis ' })).query as { bool: { must: { bool: { should: unknown[] } }[] } };
    assert.deepEqual(ended.bool.must[0]!.bool.should[2], { bool: { must: [word('tapis')] } }, 'a trailing space: no prefix');
    assert.equal(body.size, 11);
    assert.deepEqual(queryWords("L'huile d’olive aujourd'hui, 28cm"), ['huile', 'olive', "aujourd'hui", '28cm']);
    const hl = body.highlight as JsonObject;
    assert.equal(hl.number_of_fragments, 0);
    assert.deepEqual(Object.keys(hl.fields as JsonObject), [
      'name',
      'name.fr',
      'name.en',
      'name.prefix',
      'brand',
      'brand.fr',
      'brand.en',
      'brand.prefix',
      'description',
      'description.fr',
      'description.en',
    ]);
  });

  it('refuses a limit outside 1–100', () => {
    for (const limit of [0, 101, 2.5]) assert.throws(() => searchRequest(query({ limit })), { code: 'BAD_USER_INPUT' });
  });

  it('turns every filter into a bool.filter clause, and facets into aggregations', () => {
    const body = searchRequest(
      query({
        sort: 'price_asc',
        filters: {
          partnerIds: ['p1', 'p2'],
          brands: ['Le Creuset'],
          categoryPrefix: ['Maison', 'Cuisine'],
          priceMinMinor: 1000,
          priceMaxMinor: 5000,
          inStock: true,
          attributes: { Couleur: 'Rouge' },
        },
        facets: ['brand', 'category', 'partner', 'price'],
      }),
    );
    assert.deepEqual((body.query as { bool: JsonObject }).bool.filter, [
      { terms: { partnerId: ['p1', 'p2'] } },
      { terms: { 'brand.raw': ['Le Creuset'] } },
      { term: { categoryPaths: 'Maison > Cuisine' } },
      { range: { priceMinor: { gte: 1000, lte: 5000 } } },
      { range: { stock: { gt: 0 } } },
      { term: { attributePairs: 'Couleur\u001fRouge' } },
    ]);
    assert.deepEqual(body.sort, [{ priceMinor: { order: 'asc', missing: '_last' } }, { id: { order: 'asc' } }]);
    const order = [{ _count: 'desc' }, { _key: 'asc' }];
    assert.deepEqual(body.aggs, {
      brand: { terms: { field: 'brand.raw', size: 50, order } },
      category: { terms: { field: 'categoryPaths', size: 200, order } },
      partner: { terms: { field: 'partnerId', size: 50, order } },
      price: {
        range: {
          field: 'priceMinor',
          ranges: [
            { to: 1000 },
            { from: 1000, to: 2500 },
            { from: 2500, to: 5000 },
            { from: 5000, to: 10000 },
            { from: 10000, to: 25000 },
            { from: 25000, to: 50000 },
            { from: 50000 },
          ],
        },
      },
    });
  });

  it('sorts by name, newest and price descending with the id tie-break', () => {
    assert.deepEqual(searchRequest(query({ sort: 'name' })).sort, [{ 'name.sort': { order: 'asc' } }, { id: { order: 'asc' } }]);
    assert.deepEqual(searchRequest(query({ sort: 'newest' })).sort, [{ createdAt: { order: 'desc' } }, { id: { order: 'asc' } }]);
    assert.deepEqual(searchRequest(query({ sort: 'price_desc' })).sort, [
      { priceMinor: { order: 'desc', missing: '_last' } },
      { id: { order: 'asc' } },
    ]);
  });

  it('continues with search_after from a cursor of the same query, and refuses one of another query', () => {
    const q = query({ q: 'poele', limit: 2 });
    const cursor = encodeSearchCursor(q, [1.5, 'id-2']);
    assert.deepEqual(searchRequest({ ...q, cursor }).search_after, [1.5, 'id-2']);
    assert.deepEqual(decodeSearchCursor({ ...q, facets: ['brand'] }, cursor), [1.5, 'id-2']);
    assert.throws(() => searchRequest({ ...q, q: 'wok', cursor }), { code: 'BAD_USER_INPUT' });
    assert.throws(() => searchRequest({ ...q, cursor: 'garbage' }), { code: 'BAD_USER_INPUT' });
  });
});

describe('OpenSearch answers', () => {
  const q = query({ q: 'poele', limit: 1, facets: ['brand', 'price'] });
  const answer = {
    hits: {
      total: { value: 10_000, relation: 'gte' },
      hits: [
        {
          _id: 'a',
          _source: { id: 'a', name: 'Poêle <fonte>', brand: null, description: 'Une poêle & un couvercle' },
          highlight: {
            name: ['\uE000Poêle\uE001 <fonte>'],
            'name.fr': ['\uE000Poêle\uE001 <fonte>'],
            'description.fr': ['Une \uE000poêle\uE001 & un couvercle'],
          },
          sort: [3.2, 'a'],
        },
        { _id: 'b', _source: { id: 'b', name: 'Poêlon' }, sort: [2.1, 'b'] },
      ],
    },
    aggregations: {
      brand: { buckets: [{ key: 'Le Creuset', doc_count: 3 }] },
      price: { buckets: [1, 0, 2, 0, 0, 0, 0].map((doc_count) => ({ doc_count })) },
    },
  };

  it('returns one page of hits with escaped highlights, estimated totals, facets and a cursor', () => {
    const r = parseSearchResponse(q, answer);
    assert.deepEqual(r.hits, [
      {
        productId: 'a',
        highlights: {
          name: '<mark>Poêle</mark> &lt;fonte&gt;',
          brand: null,
          description: 'Une <mark>poêle</mark> &amp; un couvercle',
        },
      },
    ]);
    assert.equal(r.estimatedTotal, 10_000);
    assert.equal(r.totalIsExact, false);
    assert.deepEqual(r.facets.brand, [{ value: 'Le Creuset', count: 3 }]);
    assert.deepEqual(r.facets.price, [
      { minMinor: null, maxMinor: 999, count: 1 },
      { minMinor: 1000, maxMinor: 2499, count: 0 },
      { minMinor: 2500, maxMinor: 4999, count: 2 },
      { minMinor: 5000, maxMinor: 9999, count: 0 },
      { minMinor: 10000, maxMinor: 24999, count: 0 },
      { minMinor: 25000, maxMinor: 49999, count: 0 },
      { minMinor: 50000, maxMinor: null, count: 0 },
    ]);
    assert.ok(r.nextCursor);
    assert.deepEqual(decodeSearchCursor(q, r.nextCursor), [3.2, 'a']);
  });

  it('has no cursor on the last page', () => {
    const r = parseSearchResponse({ ...q, limit: 5 }, answer);
    assert.equal(r.hits.length, 2);
    assert.equal(r.nextCursor, null);
    assert.equal(r.hits[1]!.highlights.name, 'Poêlon');
  });

  it('merges overlapping marks of several sub-fields and ignores a copy of another text', () => {
    assert.equal(
      mergeHighlights('abc def', ['\uE000abc\uE001 def', 'a\uE000bc d\uE001ef', 'other \uE000text\uE001']),
      '<mark>abc d</mark>ef',
    );
  });
});

describe('OpenSearch suggestions', () => {
  it('asks for names starting a word with the last word, earlier words matched as in search', () => {
    assert.deepEqual(suggestRequest('fonte po'), {
      size: 50,
      track_total_hits: false,
      _source: ['name'],
      query: { bool: { must: [word('fonte'), { match: { 'name.prefix': { query: 'po' } } }] } },
      sort: [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }],
    });
    assert.equal(suggestRequest(' ,; '), null);
    assert.equal(suggestRequest('po '), null, 'a trailing space ends the word: nothing to complete');
  });

  it('completes the last word from the names, most frequent first, marking the completed part', () => {
    const answer = {
      hits: {
        hits: [{ _source: { name: 'Poêle en fonte' } }, { _source: { name: 'Grande POÊLE' } }, { _source: { name: 'Pot <4L>' } }],
      },
    };
    assert.deepEqual(parseSuggestResponse('Fonté po', 5, answer), [
      { text: 'fonte poêle', highlighted: 'fonte po<mark>êle</mark>' },
      { text: 'fonte pot', highlighted: 'fonte po<mark>t</mark>' },
    ]);
    assert.deepEqual(parseSuggestResponse('pot', 5, answer), [{ text: 'pot', highlighted: 'pot' }]);
    assert.equal(parseSuggestResponse('fonte po', 1, answer).length, 1);
  });
});

describe('OpenSearch connection', () => {
  it('moves credentials from the URL into a Basic header', () => {
    assert.deepEqual(parseConnection('https://admin:s%40cret@search.example:9200/'), {
      base: 'https://search.example:9200',
      authorization: `Basic ${Buffer.from('admin:s@cret').toString('base64')}`,
    });
    assert.deepEqual(parseConnection('http://localhost:9200'), { base: 'http://localhost:9200', authorization: undefined });
  });
});
