import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { createDocumentClient, createTables, tableNames } from '../../src/shared/dynamodb.js';
import { DynamoProfileStore } from '../../src/modules/profiles/stores/dynamodb-profile-store.js';
// Imported from its file, not the module index, so this test does not load the HTTP layer.
import { DynamoAccountStore } from '../../src/modules/identity/stores/dynamodb-account-store.js';
import { profileStoreSuite } from '../conformance/profile-store.suite.js';
import { accountStoreSuite } from '../conformance/account-store.suite.js';
import { startDynamoDbLocal } from '../support/dynamodb-local.js';

// Started at module load: the suites' own `before` hooks call the factories below, which await it.
const local = startDynamoDbLocal();
const ready = local.then(async ({ endpoint }) => {
  const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
  // A unique prefix, so a run never sees another run's items even against a shared instance.
  const prefix = `test_${randomUUID().slice(0, 8)}_`;
  await createTables(client, prefix);
  return { client, tables: tableNames(prefix) };
});
// Reported through `before` (and the factories); this only prevents an early unhandled-rejection crash.
ready.catch(() => {});

before(async () => {
  await ready;
});

after(async () => {
  const env = await ready.catch(() => null);
  env?.client.destroy();
  const instance = await local.catch(() => null);
  await instance?.stop();
});

profileStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoProfileStore(client, tables.profiles);
});
accountStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoAccountStore(client, tables.accounts);
});
