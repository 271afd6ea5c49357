import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { createDocumentClient, createTables } from '../../../src/shared/dynamodb.js';
import { startDynamoDbLocal } from '../../support/dynamodb-local.js';
import { oidcFederationSuite } from './oidc-federation.suite.js';

// The whole server — accounts on DynamoDB Local (links, grants, settings, compare-and-set) — started by the test.
const local = startDynamoDbLocal();
local.catch(() => {});

oidcFederationSuite('dynamodb', async () => {
  const { endpoint } = await local;
  const prefix = `oidc_${randomUUID().slice(0, 8)}_`;
  const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
  await createTables(client, prefix);
  client.destroy();
  return { PROFILE_STORE: 'dynamodb', ACCOUNT_STORE: 'dynamodb', DYNAMODB_ENDPOINT: endpoint, DYNAMODB_TABLE_PREFIX: prefix };
});

after(async () => {
  const instance = await local.catch(() => null);
  await instance?.stop();
});
