import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { createDocumentClient, createTables } from '../../../src/shared/dynamodb.js';
import { startDynamoDbLocal } from '../../support/dynamodb-local.js';
import { profilesApiSuite } from './profiles-api.suite.js';

// The whole server — accounts and profiles — on DynamoDB Local, started by the test itself.
const local = startDynamoDbLocal();
local.catch(() => {});

profilesApiSuite('dynamodb', async () => {
  const { endpoint } = await local;
  const prefix = `api_${randomUUID().slice(0, 8)}_`;
  const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
  await createTables(client, prefix);
  client.destroy();
  return { PROFILE_STORE: 'dynamodb', ACCOUNT_STORE: 'dynamodb', DYNAMODB_ENDPOINT: endpoint, DYNAMODB_TABLE_PREFIX: prefix };
});

after(async () => {
  const instance = await local.catch(() => null);
  await instance?.stop();
});
