import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDocumentClient, createTables } from '../../../src/shared/dynamodb.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../support/dynamodb-local.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createPartner, csvOf, eventually, partnerAccount, runImport, sampleRows } from '../../support/catalog-api.js';

/**
 * The AWS catalog path end to end: REST import → DynamoDB catalog table (chunked transactions with outbox items) →
 * worker relay → `catalog.search-index` job → OpenSearch `_bulk`. The OpenSearch side is a peer that accepts every
 * write and records it (no cluster runs here; search-index.opensearch.test.ts covers a real one), so this checks
 * what the server sends, not how OpenSearch ranks.
 */
const docs = new Map<string, Record<string, unknown>>();
const deleted = new Set<string>();
const opensearch = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    let answer: unknown = { acknowledged: true };
    if (route === 'POST /_bulk') {
      const lines = body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, { _id: string }>);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.index) {
          const doc = lines[++i] as unknown as Record<string, unknown>;
          docs.set(line.index._id, doc);
          deleted.delete(line.index._id);
          items.push({ index: { status: 200 } });
        } else if (line.delete) {
          docs.delete(line.delete._id);
          deleted.add(line.delete._id);
          items.push({ delete: { status: 200 } });
        }
      }
      answer = { errors: false, items };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
});

describe('catalog on DynamoDB with an event-fed OpenSearch index', () => {
  let dynamo: DynamoDbLocal;
  let server: TestServer;
  before(async () => {
    await new Promise<void>((resolve) => opensearch.listen(0, '127.0.0.1', resolve));
    dynamo = await startDynamoDbLocal();
    const prefix = `api_${randomUUID().slice(0, 8)}_`;
    const client = createDocumentClient({ endpoint: dynamo.endpoint, region: 'eu-west-3' });
    await createTables(client, prefix);
    client.destroy();
    server = await startTestServer({
      CATALOG_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_TABLE_PREFIX: prefix,
      SEARCH_INDEX: 'opensearch',
      OPENSEARCH_URL: `http://127.0.0.1:${(opensearch.address() as AddressInfo).port}`,
    });
  });
  after(async () => {
    await server?.close();
    await dynamo?.stop();
    await new Promise<void>((resolve) => opensearch.close(() => resolve()));
  });

  it('imports into DynamoDB and indexes what changed, then removes what a REPLACE import archived', async () => {
    const partnerId = await createPartner(server, 'aws-e2e');
    const member = await partnerAccount(server, partnerId);
    const rows = sampleRows(60, 'AWS');
    const first = await runImport(server, member.token, partnerId, { name: 'c.csv', bytes: csvOf(rows) });
    assert.equal(first.status, 'SUCCEEDED', JSON.stringify(first.failure));
    assert.deepEqual(first.counts, { created: 60, updated: 0, unchanged: 0, archived: 0, rejected: 0 });
    await eventually(async () => assert.equal(docs.size, 60), 15_000);
    const doc = [...docs.values()].find((d) => d.sku === 'AWS-1');
    assert.equal(doc?.name, 'Poêle inox 1');
    assert.deepEqual(doc?.categoryPaths, ['Maison', 'Maison > Cuisine', 'Maison > Cuisine > Poêles']);
    assert.equal(doc?.partnerId, partnerId);

    const again = await runImport(server, member.token, partnerId, { name: 'c.csv', bytes: csvOf(rows) });
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 60, archived: 0, rejected: 0 });

    const kept = rows.slice(0, 10).map((r, i) => (i === 0 ? { ...r, name: 'Poêle renommée' } : r));
    const replace = await runImport(server, member.token, partnerId, { name: 'k.csv', bytes: csvOf(kept) }, { mode: 'REPLACE' });
    assert.deepEqual(replace.counts, { created: 0, updated: 1, unchanged: 9, archived: 50, rejected: 0 });
    await eventually(async () => {
      assert.equal(docs.size, 10);
      assert.equal(deleted.size, 50);
    }, 15_000);
    assert.ok([...docs.values()].some((d) => d.name === 'Poêle renommée'));
  });
});
