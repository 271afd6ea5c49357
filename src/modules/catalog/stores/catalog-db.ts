import { openSqlite, type Migration, type Sqlite } from '../../../shared/sqlite.js';
import { outboxMigration } from '../../../shared/sqlite-outbox.js';

/**
 * The catalog module's one SQLite file (`$DATA_DIR/catalog.db`), shared by SqliteProductStore and
 * SqliteCatalogStore: both open it with the same migrations, so whichever opens first brings it up to date.
 */
const migrations: Migration[] = [
  {
    version: 1,
    name: 'products with a change sequence',
    up: `
      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        partner_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        status TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        seq INTEGER NOT NULL UNIQUE,
        last_import_id TEXT,
        last_import_outcome TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (partner_id, sku)
      );
      CREATE INDEX products_last_import ON products (last_import_id, last_import_outcome);
      CREATE INDEX products_partner_status ON products (partner_id, status);
    `,
  },
  outboxMigration(2),
  {
    version: 3,
    name: 'partners, memberships, imports, rejected rows, mappings, API keys',
    up: `
      CREATE TABLE partners (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE memberships (
        account_id TEXT PRIMARY KEY,
        partner_id TEXT NOT NULL
      );
      CREATE TABLE imports (
        id TEXT PRIMARY KEY,
        partner_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX imports_partner_newest ON imports (partner_id, created_at DESC, id DESC);
      CREATE TABLE import_errors (
        import_id TEXT NOT NULL,
        ord INTEGER NOT NULL,
        line INTEGER NOT NULL,
        col TEXT,
        reason TEXT NOT NULL,
        PRIMARY KEY (import_id, ord)
      ) WITHOUT ROWID;
      CREATE TABLE mappings (
        partner_id TEXT PRIMARY KEY,
        mapping TEXT NOT NULL
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        doc TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'imports write one index less',
    // (partner_id, status) only served archiveMissing, which the (partner_id, sku) unique index serves as well;
    // every new product wrote an entry in it (about 8% of the CPU of applyBatch).
    up: `DROP INDEX IF EXISTS products_partner_status;`,
  },
];

export function openCatalogDb(file: string): Sqlite {
  const db = openSqlite(file, migrations);
  // Imports write four indexes of a large table per row: a page cache that holds them keeps batches off the disk.
  db.pragma('cache_size = -65536');
  return db;
}
