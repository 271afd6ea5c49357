import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OpenSearchIndex } from '../../src/modules/catalog/search/opensearch/opensearch-index.js';
import type { Product } from '../../src/modules/catalog/model.js';
import { searchRequest, suggestRequest } from '../../src/modules/catalog/search/opensearch/requests.js';

/**
 * A scripted HTTP peer speaking the few OpenSearch answers the adapter's transport must handle (no cluster runs
 * here): what it received is recorded, and each route answers from a queue the test fills.
 */
interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}
const received: Received[] = [];
const script = new Map<string, { status: number; body: unknown }[]>();
const answer = (route: string, status: number, body: unknown) => {
  const queue = script.get(route) ?? [];
  queue.push({ status, body });
  script.set(route, queue);
};

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const next = script.get(route)?.shift() ?? { status: 404, body: { error: { type: 'unscripted', reason: route } } };
    res.writeHead(next.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(next.body));
  });
});
let base = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const product = (id: string): Product => ({
  id,
  partnerId: 'p',
  sku: id,
  name: `Product ${id}`,
  description: null,
  brand: null,
  category: [],
  priceMinor: null,
  currency: null,
  imageUrls: [],
  ean: null,
  stock: null,
  url: null,
  attributes: {},
  status: 'ACTIVE',
  contentHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  lastImportId: null,
  lastImportOutcome: null,
});

describe('OpenSearchIndex transport (against a scripted peer)', () => {
  it('creates the index once (tolerating one that exists), authenticates with the URL credentials, retries 429 items', async () => {
    received.length = 0;
    const index = new OpenSearchIndex({ url: `http://admin:s3cret@${base}`, indexPrefix: 't_', retryBaseMs: 1 });
    answer('PUT /t_products', 400, { error: { type: 'resource_already_exists_exception', reason: 'exists' } });
    answer('POST /_bulk', 200, { errors: true, items: [{ index: { status: 201 } }, { index: { status: 429 } }] });
    answer('POST /_bulk', 200, { errors: false, items: [{ index: { status: 201 } }] });
    await index.upsert([product('a'), product('b')]);
    answer('POST /_bulk', 200, { errors: false, items: [{ delete: { status: 404 } }] });
    await index.remove(['gone']);

    assert.deepEqual(
      received.map((r) => `${r.method} ${r.url}`),
      ['PUT /t_products', 'POST /_bulk?refresh=wait_for', 'POST /_bulk?refresh=wait_for', 'POST /_bulk?refresh=wait_for'],
    );
    assert.ok(received.every((r) => r.authorization === `Basic ${Buffer.from('admin:s3cret').toString('base64')}`));
    assert.equal(received[1]!.contentType, 'application/x-ndjson');
    assert.equal(received[1]!.body.trim().split('\n').length, 4, 'two index actions with their documents');
    const retried = received[2]!.body.trim().split('\n');
    assert.equal((JSON.parse(retried[0]!) as { index: { _id: string } }).index._id, 'b', 'only the refused item is sent again');
    assert.equal(received[3]!.body, '{"delete":{"_index":"t_products","_id":"gone"}}\n');
  });

  it('reports items refused for good, and gives up on 429 after its attempts', async () => {
    received.length = 0;
    const index = new OpenSearchIndex({ url: `http://${base}`, indexPrefix: 'u_', retryBaseMs: 1, maxAttempts: 2 });
    answer('PUT /u_products', 200, { acknowledged: true });
    answer('POST /_bulk', 200, { errors: true, items: [{ index: { status: 400, error: { reason: 'failed to parse' } } }] });
    await assert.rejects(index.upsert([product('a')]), /refused 1 of 1 bulk actions \(first: a, 400 failed to parse\)/);
    answer('POST /_bulk', 200, { errors: true, items: [{ index: { status: 429 } }] });
    answer('POST /_bulk', 200, { errors: true, items: [{ index: { status: 429 } }] });
    await assert.rejects(index.upsert([product('a')]), /still overloaded \(429\) for 1 bulk actions after 2 attempts/);
    assert.equal(received[0]!.authorization, undefined);
    assert.equal(received.filter((r) => r.method === 'PUT').length, 1, 'the index is created once per process');
  });

  it('posts the built search and suggest bodies to the index, refreshes it and drops it (an absent one too)', async () => {
    received.length = 0;
    const index = new OpenSearchIndex({ url: `http://${base}`, indexPrefix: 'w_' });
    const q = { q: 'poele', filters: {}, sort: 'relevance' as const, facets: [], limit: 5, cursor: null };
    answer('PUT /w_products', 200, { acknowledged: true });
    answer('POST /w_products/_search', 200, {
      hits: { total: { value: 1, relation: 'eq' }, hits: [{ _id: 'a', _source: { id: 'a', name: 'Poêle' }, sort: [1, 'a'] }] },
    });
    const r = await index.search(q);
    assert.deepEqual(r.hits, [{ productId: 'a', highlights: { name: 'Poêle', brand: null, description: null } }]);
    assert.deepEqual(JSON.parse(received[1]!.body), searchRequest(q));
    answer('POST /w_products/_search', 200, { hits: { hits: [{ _source: { name: 'Poêle inox' } }] } });
    assert.deepEqual(await index.suggest('po', 3), [{ text: 'poêle', highlighted: 'po<mark>êle</mark>' }]);
    assert.deepEqual(JSON.parse(received[2]!.body), suggestRequest('po'));
    assert.deepEqual(await index.suggest('po ', 3), [], 'nothing to complete: no request');
    answer('POST /w_products/_refresh', 200, {});
    await index.refreshNow();
    answer('DELETE /w_products', 200, { acknowledged: true });
    await index.dropIndex();
    await index.dropIndex(); // unscripted: 404, tolerated
    assert.deepEqual(
      received.map((x) => `${x.method} ${x.url}`),
      [
        'PUT /w_products',
        'POST /w_products/_search',
        'POST /w_products/_search',
        'POST /w_products/_refresh',
        'DELETE /w_products',
        'DELETE /w_products',
      ],
    );
  });

  it('answers UNAVAILABLE when the cluster cannot be reached, and surfaces error answers without credentials', async () => {
    const down = new OpenSearchIndex({ url: 'http://user:pw@127.0.0.1:9', indexPrefix: 'x_', timeoutMs: 2000 });
    await assert.rejects(down.ping(), { code: 'UNAVAILABLE' });
    const index = new OpenSearchIndex({ url: `http://user:pw@${base}`, indexPrefix: 'v_' });
    answer('GET /_cluster/health', 401, { error: { type: 'security_exception', reason: 'unauthorized' } });
    await assert.rejects(index.ping(), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /GET \/_cluster\/health answered 401: unauthorized/);
      assert.doesNotMatch(err.message, /pw/);
      return true;
    });
  });
});
