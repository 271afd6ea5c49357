import path from 'node:path';
import type { Config } from './config.js';
import { createDocumentClient, tableNames } from '../shared/dynamodb.js';
import type { AccountStore } from '../modules/identity/index.js';
import { SqliteAccountStore } from '../modules/identity/stores/sqlite-account-store.js';
import { DynamoAccountStore } from '../modules/identity/stores/dynamodb-account-store.js';
import type { ProfileStore } from '../modules/profiles/index.js';
import { SqliteProfileStore } from '../modules/profiles/stores/sqlite-profile-store.js';
import { DynamoProfileStore } from '../modules/profiles/stores/dynamodb-profile-store.js';

/**
 * Which adapter serves each port — the one place to look.
 *
 * | port          | local default                      | AWS adapter                         | chosen by        |
 * |---------------|------------------------------------|-------------------------------------|------------------|
 * | AccountStore  | sqlite  ($DATA_DIR/identity.db)    | dynamodb (<prefix>accounts)         | ACCOUNT_STORE    |
 * | ProfileStore  | sqlite  ($DATA_DIR/profiles.db)    | dynamodb (<prefix>profiles)         | PROFILE_STORE    |
 * | Identity      | local (LocalIdentity, ES256 JWTs)  | cognito (with the account issue)    | —                |
 */
export interface Adapters {
  accountStore: AccountStore;
  profileStore: ProfileStore;
  /** Releases what the adapters share (e.g. the DynamoDB client). */
  close(): Promise<void>;
}

export function createAdapters(config: Config): Adapters {
  const needsDynamo = config.stores.accounts === 'dynamodb' || config.stores.profiles === 'dynamodb';
  const dynamo = needsDynamo
    ? createDocumentClient({ endpoint: config.dynamodb.endpoint, region: config.dynamodb.region })
    : null;
  const tables = tableNames(config.dynamodb.tablePrefix);

  const accountStore =
    config.stores.accounts === 'dynamodb' && dynamo
      ? new DynamoAccountStore(dynamo, tables.accounts)
      : new SqliteAccountStore(path.join(config.dataDir, 'identity.db'));
  const profileStore =
    config.stores.profiles === 'dynamodb' && dynamo
      ? new DynamoProfileStore(dynamo, tables.profiles)
      : new SqliteProfileStore(path.join(config.dataDir, 'profiles.db'));

  return {
    accountStore,
    profileStore,
    async close() {
      await Promise.allSettled([accountStore.close(), profileStore.close()]);
      dynamo?.destroy();
    },
  };
}
