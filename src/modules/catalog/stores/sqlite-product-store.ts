import type { DomainEvent } from '../../../shared/events.js';
import { randomIds, type IdGenerator } from '../../../shared/clock.js';
import type { Sqlite } from '../../../shared/sqlite.js';
import { SqliteOutbox } from '../../../shared/sqlite-outbox.js';
import { productContentHash } from '../content-hash.js';
import type { Product, ProductInput, ProductStatus, RowOutcome } from '../model.js';
import type { ApplyBatchInput, ProductChange, ProductStore, ProductsChanged } from '../product-store.js';
import { openCatalogDb } from './catalog-db.js';

interface Row {
  id: string;
  partner_id: string;
  sku: string;
  status: ProductStatus;
  content_hash: string;
  seq: number;
  last_import_id: string | null;
  last_import_outcome: RowOutcome | null;
  created_at: string;
  updated_at: string;
  doc: string;
}

/** What applyBatch needs of an existing product: no document parsing on the hot path. */
interface Existing {
  id: string;
  sku: string;
  status: ProductStatus;
  content_hash: string;
  last_import_id: string | null;
  last_import_outcome: RowOutcome | null;
}

const fromRow = (r: Row): Product => ({
  ...(JSON.parse(r.doc) as ProductInput),
  id: r.id,
  partnerId: r.partner_id,
  status: r.status,
  contentHash: r.content_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastImportId: r.last_import_id,
  lastImportOutcome: r.last_import_outcome,
});

const docOf = (p: ProductInput): string =>
  JSON.stringify({
    sku: p.sku,
    name: p.name,
    description: p.description,
    brand: p.brand,
    category: p.category,
    priceMinor: p.priceMinor,
    currency: p.currency,
    imageUrls: p.imageUrls,
    ean: p.ean,
    stock: p.stock,
    url: p.url,
    attributes: p.attributes,
  } satisfies ProductInput);

/** Events carry at most this many product ids, so that one event stays a small job payload. */
const IDS_PER_EVENT = 1000;

/**
 * ProductStore on `$DATA_DIR/catalog.db`. Every change takes the next `seq` (strictly increasing across the
 * store), which is what `changesSince` serves to the embedded search index. A batch is one IMMEDIATE
 * transaction with a single lookup of the batch's existing skus.
 */
export class SqliteProductStore implements ProductStore {
  readonly outboxName = 'catalog';
  private readonly db: Sqlite;
  private readonly outbox: SqliteOutbox;
  private readonly q;

  constructor(
    file: string,
    private readonly ids: IdGenerator = randomIds,
  ) {
    this.db = openCatalogDb(file);
    this.outbox = new SqliteOutbox(this.db);
    const db = this.db;
    this.q = {
      existing: db.prepare<[string, string], Existing>(
        `SELECT id, sku, status, content_hash, last_import_id, last_import_outcome FROM products
         WHERE partner_id = ? AND sku IN (SELECT value FROM json_each(?))`,
      ),
      maxSeq: db.prepare<[], { s: number | null }>('SELECT MAX(seq) AS s FROM products'),
      insert: db.prepare(
        `INSERT INTO products (id, partner_id, sku, status, content_hash, seq, last_import_id, last_import_outcome,
           created_at, updated_at, doc)
         VALUES (@id, @partnerId, @sku, 'ACTIVE', @hash, @seq, @importId, 'created', @now, @now, @doc)`,
      ),
      update: db.prepare(
        `UPDATE products SET status = 'ACTIVE', content_hash = @hash, seq = @seq, last_import_id = @importId,
           last_import_outcome = 'updated', updated_at = @now, doc = @doc WHERE id = @id`,
      ),
      touch: db.prepare<[string, string]>(
        `UPDATE products SET last_import_id = ?, last_import_outcome = 'unchanged' WHERE id = ?`,
      ),
      toArchive: db.prepare<[string, string], { id: string }>(
        `SELECT id FROM products WHERE partner_id = ? AND status = 'ACTIVE'
           AND (last_import_id IS NULL OR last_import_id <> ?)`,
      ),
      archive: db.prepare<[number, string, string, string]>(
        `UPDATE products SET status = 'ARCHIVED', seq = ?, last_import_id = ?, last_import_outcome = 'archived',
           updated_at = ? WHERE id = ?`,
      ),
      countArchived: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM products WHERE last_import_id = ? AND last_import_outcome = 'archived'`,
      ),
      countOutcomes: db.prepare<[string], { outcome: RowOutcome; n: number }>(
        `SELECT last_import_outcome AS outcome, COUNT(*) AS n FROM products WHERE last_import_id = ?
         GROUP BY last_import_outcome`,
      ),
      byId: db.prepare<[string], Row>('SELECT * FROM products WHERE id = ?'),
      bySku: db.prepare<[string, string], Row>('SELECT * FROM products WHERE partner_id = ? AND sku = ?'),
      many: db.prepare<[string], Row>('SELECT * FROM products WHERE id IN (SELECT value FROM json_each(?))'),
      since: db.prepare<[number, number], Row>('SELECT * FROM products WHERE seq > ? ORDER BY seq LIMIT ?'),
      ping: db.prepare('SELECT 1'),
    };
  }

  private existingBySku(partnerId: string, rows: readonly ProductInput[]): Map<string, Existing> {
    const found = this.q.existing.all(partnerId, JSON.stringify(rows.map((r) => r.sku)));
    return new Map(found.map((e) => [e.sku, e]));
  }

  private changedEvents(partnerId: string, productIds: string[], now: string): ProductsChanged[] {
    const events: ProductsChanged[] = [];
    for (let i = 0; i < productIds.length; i += IDS_PER_EVENT) {
      events.push({
        id: this.ids.newId(),
        type: 'catalog.products.changed',
        aggregateId: partnerId,
        occurredAt: now,
        payload: { partnerId, productIds: productIds.slice(i, i + IDS_PER_EVENT) },
      });
    }
    return events;
  }

  async applyBatch(input: ApplyBatchInput): Promise<RowOutcome[]> {
    const { partnerId, importId, rows, now } = input;
    if (rows.length === 0) return Promise.resolve([]);
    const run = this.db.transaction((): RowOutcome[] => {
      const existing = this.existingBySku(partnerId, rows);
      let seq = this.q.maxSeq.get()?.s ?? 0;
      const changed: string[] = [];
      const outcomes = rows.map((row): RowOutcome => {
        const found = existing.get(row.sku);
        if (found && found.last_import_id === importId && found.last_import_outcome) return found.last_import_outcome;
        const hash = productContentHash(row);
        if (!found) {
          const id = this.ids.newId();
          this.q.insert.run({ id, partnerId, sku: row.sku, hash, seq: ++seq, importId, now, doc: docOf(row) });
          changed.push(id);
          return 'created';
        }
        if (found.content_hash !== hash || found.status === 'ARCHIVED') {
          this.q.update.run({ id: found.id, hash, seq: ++seq, importId, now, doc: docOf(row) });
          changed.push(found.id);
          return 'updated';
        }
        this.q.touch.run(importId, found.id);
        return 'unchanged';
      });
      this.outbox.append(this.changedEvents(partnerId, changed, now));
      return outcomes;
    });
    return Promise.resolve(run.immediate());
  }

  async previewBatch(partnerId: string, rows: readonly ProductInput[]): Promise<RowOutcome[]> {
    if (rows.length === 0) return Promise.resolve([]);
    const existing = this.existingBySku(partnerId, rows);
    return Promise.resolve(
      rows.map((row): RowOutcome => {
        const found = existing.get(row.sku);
        if (!found) return 'created';
        return found.content_hash !== productContentHash(row) || found.status === 'ARCHIVED' ? 'updated' : 'unchanged';
      }),
    );
  }

  async archiveMissing(partnerId: string, importId: string, now: string): Promise<number> {
    const run = this.db.transaction((): number => {
      const ids = this.q.toArchive.all(partnerId, importId).map((r) => r.id);
      let seq = this.q.maxSeq.get()?.s ?? 0;
      for (const id of ids) this.q.archive.run(++seq, importId, now, id);
      this.outbox.append(this.changedEvents(partnerId, ids, now));
      return this.q.countArchived.get(importId)?.n ?? 0;
    });
    return Promise.resolve(run.immediate());
  }

  async countOutcomes(importId: string): Promise<Record<RowOutcome, number>> {
    const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, archived: 0 };
    for (const r of this.q.countOutcomes.all(importId)) counts[r.outcome] = r.n;
    return Promise.resolve(counts);
  }

  async get(id: string): Promise<Product | null> {
    const r = this.q.byId.get(id);
    return Promise.resolve(r ? fromRow(r) : null);
  }

  async getBySku(partnerId: string, sku: string): Promise<Product | null> {
    const r = this.q.bySku.get(partnerId, sku);
    return Promise.resolve(r ? fromRow(r) : null);
  }

  async getMany(ids: readonly string[]): Promise<Product[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return Promise.resolve(this.q.many.all(JSON.stringify(ids)).map(fromRow));
  }

  async changesSince(afterSeq: number, limit: number): Promise<ProductChange[]> {
    return Promise.resolve(this.q.since.all(afterSeq, limit).map((r) => ({ seq: r.seq, productId: r.id, product: fromRow(r) })));
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return Promise.resolve(this.outbox.readBatch(limit));
  }

  async ackOutbox(ids: string[]): Promise<void> {
    this.outbox.ack(ids);
    return Promise.resolve();
  }

  async ping(): Promise<void> {
    this.q.ping.get();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
