import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDocumentClient, createTables } from '../../../src/shared/dynamodb.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../support/dynamodb-local.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { startOpenSearchPeer, type OpenSearchPeer } from '../../support/opensearch-peer.js';
import { createPartner, csvOf, eventually, partnerAccount, runImport, sampleRows } from '../../support/catalog-api.js';

/**
 * The AWS catalog path end to end: REST import → DynamoDB catalog table (chunked transactions with outbox items) →
 * worker relay → `catalog.search-index` job → OpenSearch `_bulk`, received by a peer that records the writes.
 */
describe('catalog on DynamoDB with an event-fed OpenSearch index', () => {
  let dynamo: DynamoDbLocal;
  let server: TestServer;
  let opensearch: OpenSearchPeer;
  before(async () => {
    opensearch = await startOpenSearchPeer();
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
      OPENSEARCH_URL: opensearch.url,
    });
  });
  after(async () => {
    await server?.close();
    await dynamo?.stop();
    await opensearch?.stop();
  });

  it('imports into DynamoDB and indexes what changed, then removes what a REPLACE import archived', async () => {
    const { docs, deleted } = opensearch;
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
