import path from 'node:path';
import type { Config } from './config.js';
import { createDocumentClient, tableNames } from '../shared/dynamodb.js';
import type { AccountStore, AuditLog } from '../modules/identity/index.js';
import { SqliteAuditLog } from '../modules/identity/stores/sqlite-audit-log.js';
import { DynamoAuditLog } from '../modules/identity/stores/dynamodb-audit-log.js';
import { SqliteAccountStore } from '../modules/identity/stores/sqlite-account-store.js';
import { DynamoAccountStore } from '../modules/identity/stores/dynamodb-account-store.js';
import type { ProfileStore } from '../modules/profiles/index.js';
import { SqliteProfileStore } from '../modules/profiles/stores/sqlite-profile-store.js';
import { DynamoProfileStore } from '../modules/profiles/stores/dynamodb-profile-store.js';
import type { JobStore } from '../modules/jobs/index.js';
import { SqliteJobStore } from '../modules/jobs/stores/sqlite-job-store.js';
import { DynamoJobStore } from '../modules/jobs/stores/dynamodb-job-store.js';
import type { ProfileMailState } from '../modules/notifications/state/profile-mail-state.js';
import { SqliteProfileMailState } from '../modules/notifications/state/stores/sqlite-profile-mail-state.js';
import { DynamoProfileMailState } from '../modules/notifications/state/stores/dynamodb-profile-mail-state.js';
import type { Mailer } from '../modules/notifications/index.js';
import { createMailer } from '../modules/notifications/index.js';
import { createBlobStore, type BlobStore } from '../modules/files/index.js';
import type { CatalogStore } from '../modules/catalog/catalog-store.js';
import type { ProductStore } from '../modules/catalog/product-store.js';
import { SqliteProductStore } from '../modules/catalog/stores/sqlite-product-store.js';
import { SqliteCatalogStore } from '../modules/catalog/stores/sqlite-catalog-store.js';
import { DynamoProductStore } from '../modules/catalog/stores/dynamodb-product-store.js';
import { DynamoCatalogStore } from '../modules/catalog/stores/dynamodb-catalog-store.js';
import { OpenSearchIndex } from '../modules/catalog/search/opensearch/opensearch-index.js';
import { EmbeddedSearchIndex, ProductFeed, type SearchIndex } from '../modules/catalog/search/index.js';

/**
 * Which adapter serves each port — the one place to look.
 *
 * | port             | local default                          | AWS adapter                         | chosen by        |
 * |------------------|----------------------------------------|-------------------------------------|------------------|
 * | AccountStore     | sqlite  ($DATA_DIR/identity.db)        | dynamodb (<prefix>accounts)         | ACCOUNT_STORE    |
 * | AuditLog         | sqlite  ($DATA_DIR/audit.db)           | dynamodb (<prefix>accounts)         | ACCOUNT_STORE    |
 * | ProfileStore     | sqlite  ($DATA_DIR/profiles.db)        | dynamodb (<prefix>profiles)         | PROFILE_STORE    |
 * | JobStore         | sqlite  ($DATA_DIR/jobs.db)            | dynamodb (<prefix>jobs)             | JOB_STORE        |
 * | ProfileMailState | sqlite  ($DATA_DIR/notifications.db)   | dynamodb (<prefix>notifications)    | JOB_STORE        |
 * | Mailer           | file    ($DATA_DIR/mail/*.eml)         | ses (SES v2); also smtp             | MAIL_TRANSPORT   |
 * | BlobStore        | fs      ($DATA_DIR/blobs, signed URLs) | s3 (pre-signed POST and GET)        | BLOB_STORE       |
 * | ProductStore     | sqlite  ($DATA_DIR/catalog.db)         | dynamodb (<prefix>catalog)          | CATALOG_STORE    |
 * | CatalogStore     | sqlite  ($DATA_DIR/catalog.db)         | dynamodb (<prefix>catalog)          | CATALOG_STORE    |
 * | SearchIndex      | embedded (fed by the product feed)     | opensearch (fed by outbox events)   | SEARCH_INDEX     |
 * | Identity         | local (LocalIdentity, ES256 JWTs)      | cognito (CognitoIdentity, pool JWKS)| AUTH_PROVIDER    |
 */
export interface Adapters {
  accountStore: AccountStore;
  auditLog: AuditLog;
  profileStore: ProfileStore;
  jobStore: JobStore;
  profileMailState: ProfileMailState;
  mailer: Mailer;
  blobStore: BlobStore;
  productStore: ProductStore;
  catalogStore: CatalogStore;
  searchIndex: SearchIndex;
  /** Embedded index only: tails the product store's change feed into the index (started by the HTTP process). */
  searchFeed: ProductFeed | null;
  /** The embedded index when SEARCH_INDEX=embedded (the HTTP process loads and saves its snapshot), else null. */
  embeddedIndex: EmbeddedSearchIndex | null;
  /** Releases what the adapters hold (files, connections, the DynamoDB client). */
  close(): Promise<void>;
}

export async function createAdapters(config: Config): Promise<Adapters> {
  const kinds = config.stores;
  const needsDynamo = Object.values(kinds).includes('dynamodb') || config.catalog.store === 'dynamodb';
  const dynamo = needsDynamo
    ? createDocumentClient({ endpoint: config.dynamodb.endpoint, region: config.dynamodb.region })
    : null;
  const tables = tableNames(config.dynamodb.tablePrefix);
  const file = (name: string) => path.join(config.dataDir, name);

  const accountStore: AccountStore =
    kinds.accounts === 'dynamodb' && dynamo
      ? new DynamoAccountStore(dynamo, tables.accounts)
      : new SqliteAccountStore(file('identity.db'));
  // Follows the account store: the audit trail belongs to the identity module.
  const auditLog: AuditLog =
    kinds.accounts === 'dynamodb' && dynamo ? new DynamoAuditLog(dynamo, tables.accounts) : new SqliteAuditLog(file('audit.db'));
  const profileStore: ProfileStore =
    kinds.profiles === 'dynamodb' && dynamo
      ? new DynamoProfileStore(dynamo, tables.profiles)
      : new SqliteProfileStore(file('profiles.db'));
  const jobStore: JobStore =
    kinds.jobs === 'dynamodb' && dynamo ? new DynamoJobStore(dynamo, tables.jobs) : new SqliteJobStore(file('jobs.db'));
  const profileMailState: ProfileMailState =
    kinds.jobs === 'dynamodb' && dynamo
      ? new DynamoProfileMailState(dynamo, tables.notifications)
      : new SqliteProfileMailState(file('notifications.db'));
  const mailer = createMailer(config);
  const blobStore = await createBlobStore(config);
  // Both catalog stores share one file (SQLite) or one table (DynamoDB).
  const catalogDynamo = config.catalog.store === 'dynamodb' ? dynamo : null;
  const sqliteProducts = catalogDynamo ? null : new SqliteProductStore(file('catalog.db'));
  const productStore: ProductStore = sqliteProducts ?? new DynamoProductStore(catalogDynamo!, tables.catalog);
  const catalogStore: CatalogStore = catalogDynamo
    ? new DynamoCatalogStore(catalogDynamo, tables.catalog)
    : new SqliteCatalogStore(file('catalog.db'));
  let searchIndex: SearchIndex;
  let searchFeed: ProductFeed | null = null;
  let embeddedIndex: EmbeddedSearchIndex | null = null;
  if (config.catalog.searchIndex === 'opensearch') {
    // Fed by the `catalog.search-index` job handler from the product store's outbox events (see runtime.ts).
    if (!config.catalog.openSearchUrl) throw new Error('SEARCH_INDEX=opensearch needs OPENSEARCH_URL');
    searchIndex = new OpenSearchIndex({ url: config.catalog.openSearchUrl, indexPrefix: config.catalog.openSearchIndexPrefix });
  } else {
    // config.ts refuses CATALOG_STORE=dynamodb with the embedded index: it tails the SQLite store's change feed.
    if (!sqliteProducts) throw new Error('SEARCH_INDEX=embedded needs CATALOG_STORE=sqlite');
    const embedded = new EmbeddedSearchIndex({ loadProducts: (ids) => productStore.getMany(ids) });
    searchIndex = embedded;
    embeddedIndex = embedded;
    searchFeed = new ProductFeed(sqliteProducts, embedded);
  }

  return {
    accountStore,
    auditLog,
    profileStore,
    jobStore,
    profileMailState,
    mailer,
    blobStore,
    productStore,
    catalogStore,
    searchIndex,
    searchFeed,
    embeddedIndex,
    async close() {
      await searchFeed?.stop();
      await Promise.allSettled([
        accountStore.close(),
        auditLog.close(),
        profileStore.close(),
        jobStore.close(),
        profileMailState.close(),
        mailer.close(),
        blobStore.close(),
        productStore.close(),
        catalogStore.close(),
        searchIndex.close(),
      ]);
      dynamo?.destroy();
    },
  };
}
