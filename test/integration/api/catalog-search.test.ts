import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { api, assertProblem, createPartner, csvOf, eventually, runImport, type Row } from '../../support/catalog-api.js';

interface Item {
  product: {
    id: string;
    sku: string;
    name: string;
    brand: string | null;
    partnerId: string;
    price: { amount: number; amountMinor: number; currency: string } | null;
    inStock: boolean | null;
  };
  highlights: { name: string };
}

const ROWS: Row[] = [
  {
    sku: 'P-1',
    name: 'Poêle inox 24 cm',
    brand: 'Cristel',
    category: 'Maison > Cuisine > Poêles',
    price: '49.90',
    currency: 'EUR',
    stock: '3',
    color: 'gris',
  },
  {
    sku: 'P-2',
    name: 'Poêle fonte 28 cm',
    brand: 'Staub',
    category: 'Maison > Cuisine > Poêles',
    price: '89.00',
    currency: 'EUR',
    stock: '0',
    color: 'noir',
  },
  {
    sku: 'P-3',
    name: 'Casserole cuivre',
    brand: 'Cristel',
    category: 'Maison > Cuisine > Casseroles',
    price: '120.00',
    currency: 'EUR',
    stock: '5',
    color: 'cuivre',
  },
  {
    sku: 'P-4',
    name: 'Moulin à poivre',
    brand: 'Peugeot',
    category: 'Maison > Table',
    price: '35.00',
    currency: 'EUR',
    stock: '8',
    color: 'noir',
  },
  {
    sku: 'P-5',
    name: 'Poêle à crêpes',
    brand: 'Tefal',
    category: 'Maison > Cuisine > Poêles',
    price: '19.99',
    currency: 'EUR',
    stock: '12',
    color: 'noir',
  },
];

describe('catalog search over REST', () => {
  let server: TestServer;
  let admin: string;
  let user: string;
  let partnerA: string;
  let partnerB: string;
  const search = async (qs: string, token = user) => {
    const res = await api(server, 'GET', `/api/v1/products/search?${qs}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as {
      items: Item[];
      estimatedTotal: number;
      facets: Record<string, { value?: string; count: number }[]>;
      nextCursor: string | null;
    };
  };

  before(async () => {
    server = await startTestServer({ CATALOG_API_KEY_RATE_LIMIT: '1000' });
    admin = await server.adminToken();
    user = (await server.newUser()).token;
    partnerA = await createPartner(server, 'search-a');
    partnerB = await createPartner(server, 'search-b');
    const a = await runImport(server, admin, partnerA, { name: 'a.csv', bytes: csvOf(ROWS) });
    assert.equal(a.status, 'SUCCEEDED', JSON.stringify(a.failure));
    const b = await runImport(server, admin, partnerB, {
      name: 'b.csv',
      bytes: csvOf([
        {
          sku: 'B-1',
          name: 'Poêle wok',
          brand: 'Tefal',
          category: 'Maison > Cuisine > Poêles',
          price: '39.00',
          currency: 'EUR',
          stock: '1',
        },
      ]),
    });
    assert.equal(b.status, 'SUCCEEDED');
    await eventually(async () => assert.equal((await search('q=')).estimatedTotal, 6));
  });
  after(async () => {
    await server.close();
  });

  it('finds products by text, accent- and case-insensitively, with highlights and prices in both units', async () => {
    const res = await search('q=POELE');
    assert.equal(res.estimatedTotal, 4);
    const p1 = res.items.find((i) => i.product.sku === 'P-1');
    assert.ok(p1);
    assert.match(p1.highlights.name, /<mark>Poêle<\/mark>/);
    assert.deepEqual(p1.product.price, { amount: 49.9, amountMinor: 4990, currency: 'EUR' });
    assert.equal(p1.product.inStock, true);
  });

  it('filters by partner, brand, category prefix, price range, stock and attribute', async () => {
    const skus = (r: { items: Item[] }) => r.items.map((i) => i.product.sku).sort();
    assert.deepEqual(skus(await search(`q=poele&partner=${partnerB}`)), ['B-1']);
    assert.deepEqual(skus(await search('brand=Cristel')), ['P-1', 'P-3']);
    assert.deepEqual(skus(await search('brand=Cristel&brand=Peugeot')), ['P-1', 'P-3', 'P-4']);
    assert.deepEqual(skus(await search(`category=${encodeURIComponent('Maison > Cuisine > Casseroles')}`)), ['P-3']);
    assert.deepEqual(skus(await search('priceMin=30&priceMax=50')), ['B-1', 'P-1', 'P-4']);
    assert.deepEqual(skus(await search(`inStock=false&partner=${partnerA}`)), ['P-2']);
    assert.deepEqual(skus(await search('attr=color:noir&q=poele')), ['P-2', 'P-5']);
  });

  it('sorts, pages with a cursor and counts facets', async () => {
    const byPrice = await search('sort=price_asc&limit=2&facets=brand,category,partner,price');
    assert.deepEqual(
      byPrice.items.map((i) => i.product.sku),
      ['P-5', 'P-4'],
    );
    assert.ok(byPrice.nextCursor);
    const seen = [...byPrice.items.map((i) => i.product.sku)];
    let cursor: string | null = byPrice.nextCursor;
    while (cursor) {
      const page = await search(`sort=price_asc&limit=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...page.items.map((i) => i.product.sku));
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, ['P-5', 'P-4', 'B-1', 'P-1', 'P-2', 'P-3']);
    const brands = Object.fromEntries((byPrice.facets.brand ?? []).map((f): [string, number] => [f.value ?? '', f.count]));
    assert.deepEqual(brands, { Cristel: 2, Staub: 1, Peugeot: 1, Tefal: 2 });
    const partners = Object.fromEntries((byPrice.facets.partner ?? []).map((f): [string, number] => [f.value ?? '', f.count]));
    assert.equal(partners[partnerA], 5);
    const cats = Object.fromEntries((byPrice.facets.category ?? []).map((f): [string, number] => [f.value ?? '', f.count]));
    assert.equal(cats['Maison'], 6);
    assert.equal(cats['Maison > Cuisine > Poêles'], 4);
    assert.ok(Array.isArray(byPrice.facets.price));
    const desc = await search('sort=price_desc&limit=1');
    assert.equal(desc.items[0]?.product.sku, 'P-3');
    const byName = await search('sort=name&limit=1');
    assert.equal(byName.items[0]?.product.sku, 'P-3');
  });

  it('suggests completions and reads one product; archived and unknown ones are 404', async () => {
    const s = await api(server, 'GET', '/api/v1/products/suggest?q=pO', { token: user });
    assert.equal(s.status, 200);
    const texts = (s.body.items as { text: string }[]).map((i) => i.text);
    assert.ok(
      texts.some((t) => /^po[eê]le$/i.test(t)),
      JSON.stringify(texts),
    );
    const one = (await search('q=P-4')).items[0];
    assert.equal(one?.product.sku, 'P-4');
    const got = await api(server, 'GET', `/api/v1/products/${one?.product.id}`, { token: user });
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'Moulin à poivre');
    assertProblem(await api(server, 'GET', '/api/v1/products/unknown', { token: user }), 404, 'NOT_FOUND');
    assertProblem(await api(server, 'GET', '/api/v1/products/search?q=x'), 401, 'UNAUTHENTICATED');
    assertProblem(await api(server, 'GET', '/api/v1/products/search?limit=101', { token: user }), 400, 'BAD_USER_INPUT');
    assertProblem(await api(server, 'GET', '/api/v1/products/search?sort=cheapest', { token: user }), 400, 'BAD_USER_INPUT');
  });

  it('lets admin issue search-only API keys, rate-limited per key, refused at once when revoked', async () => {
    const freelancer = await server.newUser();
    assertProblem(
      await api(server, 'POST', '/api/v1/api-keys', { token: freelancer.token, body: { name: 'x' } }),
      403,
      'FORBIDDEN',
    );
    const issued = await api(server, 'POST', '/api/v1/api-keys', {
      token: admin,
      body: { name: 'Partner site', rateLimitPerMinute: 4 },
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const secret = String(issued.body.secret);
    const key = issued.body.key as { id: string; prefix: string };
    assert.ok(secret.startsWith(key.prefix));
    const listed = await api(server, 'GET', '/api/v1/api-keys', { token: admin });
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'the secret is shown once only');

    const viaHeader = await api(server, 'GET', '/api/v1/products/search?q=poele', { headers: { 'x-api-key': secret } });
    assert.equal(viaHeader.status, 200);
    const viaAuth = await api(server, 'GET', '/api/v1/products/suggest?q=mou', {
      headers: { authorization: `ApiKey ${secret}` },
    });
    assert.equal(viaAuth.status, 200);
    assertProblem(await api(server, 'GET', '/api/v1/partners', { headers: { 'x-api-key': secret } }), 403, 'FORBIDDEN');
    assertProblem(
      await api(server, 'GET', '/api/v1/products/search?q=a', { headers: { 'x-api-key': 'atk_wrong' } }),
      401,
      'UNAUTHENTICATED',
    );
    // 4 per minute across the search routes: two used above; the fifth call is refused.
    assert.equal((await api(server, 'GET', '/api/v1/products/search', { headers: { 'x-api-key': secret } })).status, 200);
    assert.equal((await api(server, 'GET', '/api/v1/products/suggest?q=po', { headers: { 'x-api-key': secret } })).status, 200);
    const limited = await api(server, 'GET', '/api/v1/products/search', { headers: { 'x-api-key': secret } });
    assertProblem(limited, 429, 'RATE_LIMITED');
    // Another key has its own budget.
    const other = await api(server, 'POST', '/api/v1/api-keys', { token: admin, body: { name: 'Other site' } });
    const otherSecret = String(other.body.secret);
    assert.equal((await api(server, 'GET', '/api/v1/products/search', { headers: { 'x-api-key': otherSecret } })).status, 200);
    const revoked = await api(server, 'DELETE', `/api/v1/api-keys/${(other.body.key as { id: string }).id}`, {
      token: admin,
    });
    assert.equal(revoked.status, 204);
    assertProblem(
      await api(server, 'GET', '/api/v1/products/search', { headers: { 'x-api-key': otherSecret } }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('publishes an OpenAPI 3.1 document of every route, and interactive docs', async () => {
    const res = await api(server, 'GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.body as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    const expected = [
      'POST /api/v1/partners',
      'GET /api/v1/partners',
      'GET /api/v1/me/partner',
      'GET /api/v1/partners/{partnerId}',
      'PATCH /api/v1/partners/{partnerId}',
      'GET /api/v1/partners/{partnerId}/members',
      'PUT /api/v1/partners/{partnerId}/members/{accountId}',
      'DELETE /api/v1/partners/{partnerId}/members/{accountId}',
      'GET /api/v1/partners/{partnerId}/mapping',
      'PUT /api/v1/partners/{partnerId}/mapping',
      'POST /api/v1/partners/{partnerId}/imports/upload-url',
      'POST /api/v1/partners/{partnerId}/imports',
      'GET /api/v1/partners/{partnerId}/imports',
      'GET /api/v1/imports/{importId}',
      'POST /api/v1/imports/{importId}/cancel',
      'GET /api/v1/imports/{importId}/errors.csv',
      'GET /api/v1/imports/{importId}/events',
      'POST /api/v1/api-keys',
      'GET /api/v1/api-keys',
      'DELETE /api/v1/api-keys/{keyId}',
      'GET /api/v1/products/search',
      'GET /api/v1/products/suggest',
      'GET /api/v1/products/{productId}',
    ];
    assert.deepEqual(ops.sort(), expected.sort());
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        assert.ok(op.responses && Object.keys(op.responses).length >= 2, `${method} ${path} documents its responses`);
        assert.ok('default' in op.responses, `${method} ${path} documents its problem responses`);
      }
    }
    assert.ok(doc.components.schemas.Product && doc.components.schemas.Import && doc.components.schemas.Problem);
    assert.ok(doc.components.securitySchemes.bearerAuth && doc.components.securitySchemes.apiKeyHeader);
    // Every $ref resolves inside the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const r of refs) assert.ok(r && r in doc.components.schemas, `$ref ${r} resolves`);
    const search = doc.paths['/api/v1/products/search']?.get;
    assert.ok((search?.parameters ?? []).length >= 10, 'search documents its query parameters');

    const docs = await fetch(`${server.url}/api/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await docs.text(), /swagger/i);
  });
});
