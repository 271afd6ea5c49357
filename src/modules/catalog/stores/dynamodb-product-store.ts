import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomIds, type IdGenerator } from '../../../shared/clock.js';
import { DynamoOutbox, batchGetAll, cancellationCodes, type TransactItem } from '../../../shared/dynamodb.js';
import type { DomainEvent } from '../../../shared/events.js';
import { productContentHash, productInputOf } from '../content-hash.js';
import type { Product, ProductInput, ProductStatus, RowOutcome } from '../model.js';
import type { ApplyBatchInput, ProductStore, ProductsChanged } from '../product-store.js';

/** Rows written per transaction: each may add its id lookup item, plus one outbox and one tally item (≤ 52 of 100). */
export const ROWS_PER_TRANSACTION = 25;
/** Transactions of one batch in flight at once (its rows are distinct products, so they never conflict). */
const PARALLEL_TRANSACTIONS = 4;
/** A chunk whose products changed under it (another process applying the same import) is re-read and retried. */
const MAX_CHUNK_ATTEMPTS = 5;

/** Runs `work` on every item, `PARALLEL_TRANSACTIONS` at a time. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_TRANSACTIONS, items.length) }, worker));
}

const PRODUCT_SK = 'PRODUCT';
const ID_SK = 'ID';
const OUTCOMES: readonly RowOutcome[] = ['created', 'updated', 'unchanged', 'archived'];

const productPk = (partnerId: string, sku: string) => `PRODUCT#${partnerId}#${sku}`;
const productKey = (partnerId: string, sku: string) => ({ pk: productPk(partnerId, sku), sk: PRODUCT_SK });
const idKey = (id: string) => ({ pk: `PRODUCTID#${id}`, sk: ID_SK });
/** Sparse: only ACTIVE products are in the partner's `gsi1` partition (what REPLACE imports archive from). */
const activePk = (partnerId: string) => `ACTIVE#${partnerId}`;
/** Tallies of an import's outcomes: one item per transaction that wrote products for it (see countOutcomes). */
const tallyPk = (importId: string) => `IMPORT_TALLY#${importId}`;

/** The product item: the input as JSON, plus what conditions, indexes and listings read. */
function toItem(p: Product): Record<string, unknown> {
  return {
    ...productKey(p.partnerId, p.sku),
    id: p.id,
    partnerId: p.partnerId,
    sku: p.sku,
    status: p.status,
    contentHash: p.contentHash,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    lastImportId: p.lastImportId ?? undefined,
    lastImportOutcome: p.lastImportOutcome ?? undefined,
    doc: JSON.stringify(productInputOf(p)),
    gsi1pk: p.status === 'ACTIVE' ? activePk(p.partnerId) : undefined,
    gsi1sk: p.status === 'ACTIVE' ? p.sku : undefined,
  };
}

const str = (item: Record<string, unknown>, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB product item ${String(item.pk)} has no string ${key}`);
  return v;
};

function fromItem(item: Record<string, unknown>): Product {
  return {
    ...(JSON.parse(str(item, 'doc')) as ProductInput),
    id: str(item, 'id'),
    partnerId: str(item, 'partnerId'),
    status: str(item, 'status') as ProductStatus,
    contentHash: str(item, 'contentHash'),
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
    lastImportId: typeof item.lastImportId === 'string' ? item.lastImportId : null,
    lastImportOutcome: typeof item.lastImportOutcome === 'string' ? (item.lastImportOutcome as RowOutcome) : null,
  };
}

/** The condition that the stored product is still the one we read (same import mark, content and status). */
function unchangedSince(
  read: Product,
): Pick<NonNullable<TransactItem['Put']>, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const values: Record<string, unknown> = { ':hash': read.contentHash, ':status': read.status };
  let importTest = 'attribute_not_exists(lastImportId)';
  if (read.lastImportId !== null) {
    values[':lastImport'] = read.lastImportId;
    importTest = 'lastImportId = :lastImport';
  }
  return {
    ConditionExpression: `contentHash = :hash AND #status = :status AND ${importTest}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

interface Planned {
  outcome: RowOutcome;
  /** Writes for this row (none when the import already applied it). */
  writes: TransactItem[];
  /** The product id when the row changes it (created, updated): what the batch's event lists. */
  changedId: string | null;
}

/**
 * ProductStore on the catalog DynamoDB table. Products are keyed by (partner, sku) — what imports look up — with an
 * id lookup item written once at creation (`get`/`getMany` by id). `applyBatch` reads the batch's products in one
 * BatchGet, then writes chunks of `ROWS_PER_TRANSACTION` rows in TransactWriteItems, each with its own
 * `catalog.products.changed` outbox item: a crash between two chunks leaves the first chunk's products marked with
 * the import *and* its event recorded, so a re-run returns the marked outcomes and indexes still hear of every change.
 * Each write is conditioned on the product being as read; a chunk that lost a race is re-read and re-planned.
 *
 * `gsi1` (sparse) holds a partner's ACTIVE products: what REPLACE imports archive from (candidates are re-read
 * consistently, so the index's lag on AWS never archives a product wrongly).
 *
 * Outcome counts are tallies: each transaction also puts an item `IMPORT_TALLY#<import>` / `<tx id>` with the
 * outcomes it wrote, so `countOutcomes` is one strongly consistent Query (exact right after the writes, which a GSI
 * on lastImportId would not be on AWS), a replay adds nothing (it writes nothing), and parallel chunks never contend
 * (one item each, unlike a single counter item per import). Unlike SQLite's count of the products an import still
 * marks, a tally keeps counting a product that a later import touched again: what that import did, not what is left.
 *
 * No `changesSince`: on DynamoDB, search indexes are fed by the outbox events (DynamoDB Streams or the worker).
 */
export class DynamoProductStore implements ProductStore {
  readonly outboxName = 'catalog';
  private readonly outbox: DynamoOutbox;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator = randomIds,
  ) {
    this.outbox = new DynamoOutbox(client, tableName);
  }

  async applyBatch(input: ApplyBatchInput): Promise<RowOutcome[]> {
    const { partnerId, importId, rows, now } = input;
    const outcomes: RowOutcome[] = new Array<RowOutcome>(rows.length);
    const chunks: number[][] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) {
      chunks.push(Array.from({ length: Math.min(ROWS_PER_TRANSACTION, rows.length - i) }, (_, j) => i + j));
    }
    await inParallel(chunks, async (chunk) => {
      const chunkOutcomes = await this.applyChunk(
        partnerId,
        importId,
        chunk.map((i) => rows[i]!),
        now,
      );
      chunk.forEach((rowIndex, j) => (outcomes[rowIndex] = chunkOutcomes[j]!));
    });
    return outcomes;
  }

  private async applyChunk(
    partnerId: string,
    importId: string,
    rows: readonly ProductInput[],
    now: string,
  ): Promise<RowOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.existingBySku(partnerId, rows);
      const plan = rows.map((row) => this.plan(partnerId, importId, row, existing.get(row.sku) ?? null, now));
      const writes = plan.flatMap((p) => p.writes);
      if (!writes.length) return plan.map((p) => p.outcome);
      const changed = plan.flatMap((p) => (p.changedId ? [p.changedId] : []));
      const events: ProductsChanged[] = changed.length
        ? [
            {
              id: this.ids.newId(),
              type: 'catalog.products.changed',
              aggregateId: partnerId,
              occurredAt: now,
              payload: { partnerId, productIds: changed },
            },
          ]
        : [];
      const tally = this.tally(
        importId,
        plan.filter((p) => p.writes.length).map((p) => p.outcome),
      );
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, tally, ...this.outbox.puts(events)] }));
        return plan.map((p) => p.outcome);
      } catch (err) {
        const codes = cancellationCodes(err);
        const lostRace = codes?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict');
        if (!lostRace || attempt >= MAX_CHUNK_ATTEMPTS) throw err;
      }
    }
  }

  private plan(partnerId: string, importId: string, row: ProductInput, found: Product | null, now: string): Planned {
    if (found && found.lastImportId === importId && found.lastImportOutcome) {
      return { outcome: found.lastImportOutcome, writes: [], changedId: null };
    }
    const hash = productContentHash(row);
    if (!found) {
      const id = this.ids.newId();
      const p: Product = {
        ...productInputOf(row),
        id,
        partnerId,
        status: 'ACTIVE',
        contentHash: hash,
        createdAt: now,
        updatedAt: now,
        lastImportId: importId,
        lastImportOutcome: 'created',
      };
      return {
        outcome: 'created',
        changedId: id,
        writes: [
          { Put: { TableName: this.tableName, Item: toItem(p), ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...idKey(id), partnerId, sku: row.sku },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      };
    }
    if (found.contentHash !== hash || found.status === 'ARCHIVED') {
      const p: Product = {
        ...found,
        ...productInputOf(row),
        status: 'ACTIVE',
        contentHash: hash,
        updatedAt: now,
        lastImportId: importId,
        lastImportOutcome: 'updated',
      };
      return {
        outcome: 'updated',
        changedId: found.id,
        writes: [{ Put: { TableName: this.tableName, Item: toItem(p), ...unchangedSince(found) } }],
      };
    }
    const cond = unchangedSince(found);
    return {
      outcome: 'unchanged',
      changedId: null,
      writes: [
        {
          Update: {
            TableName: this.tableName,
            Key: productKey(partnerId, row.sku),
            UpdateExpression: 'SET lastImportId = :imp, lastImportOutcome = :outcome',
            ConditionExpression: cond.ConditionExpression,
            ExpressionAttributeNames: cond.ExpressionAttributeNames,
            ExpressionAttributeValues: {
              ...cond.ExpressionAttributeValues,
              ':imp': importId,
              ':outcome': 'unchanged',
            },
          },
        },
      ],
    };
  }

  private async existingBySku(partnerId: string, rows: readonly ProductInput[]): Promise<Map<string, Product>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      rows.map((r) => productKey(partnerId, r.sku)),
    );
    return new Map(items.map((item) => [str(item, 'sku'), fromItem(item)]));
  }

  async previewBatch(partnerId: string, rows: readonly ProductInput[]): Promise<RowOutcome[]> {
    const existing = await this.existingBySku(partnerId, rows);
    return rows.map((row): RowOutcome => {
      const found = existing.get(row.sku);
      if (!found) return 'created';
      return found.contentHash !== productContentHash(row) || found.status === 'ARCHIVED' ? 'updated' : 'unchanged';
    });
  }

  async archiveMissing(partnerId: string, importId: string, now: string): Promise<number> {
    // The index lists candidates (possibly stale on AWS); each is re-read consistently and archived only if it
    // still is ACTIVE and untouched by this import, under a condition that it has not changed since.
    for (let round = 0; round < MAX_CHUNK_ATTEMPTS * 4; round++) {
      const skus = await this.activeSkusNotIn(partnerId, importId);
      if (!skus.length) break;
      const chunks: string[][] = [];
      for (let i = 0; i < skus.length; i += ROWS_PER_TRANSACTION) chunks.push(skus.slice(i, i + ROWS_PER_TRANSACTION));
      let lost = false;
      await inParallel(chunks, async (chunk) => {
        if (!(await this.archiveChunk(partnerId, importId, chunk, now))) lost = true;
      });
      if (!lost) break;
    }
    return (await this.countOutcomes(importId)).archived;
  }

  private async activeSkusNotIn(partnerId: string, importId: string): Promise<string[]> {
    const skus: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: 'attribute_not_exists(lastImportId) OR lastImportId <> :imp',
          ExpressionAttributeValues: { ':pk': activePk(partnerId), ':imp': importId },
          ProjectionExpression: 'sku',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if (typeof item.sku === 'string') skus.push(item.sku);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return skus;
  }

  /** False when a product changed under us (the caller lists the candidates again). */
  private async archiveChunk(partnerId: string, importId: string, skus: readonly string[], now: string): Promise<boolean> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      skus.map((sku) => productKey(partnerId, sku)),
    );
    const targets = items.map(fromItem).filter((p) => p.status === 'ACTIVE' && p.lastImportId !== importId);
    if (!targets.length) return true;
    const writes: TransactItem[] = targets.map((p) => ({
      Put: {
        TableName: this.tableName,
        Item: toItem({ ...p, status: 'ARCHIVED', updatedAt: now, lastImportId: importId, lastImportOutcome: 'archived' }),
        ...unchangedSince(p),
      },
    }));
    const event: ProductsChanged = {
      id: this.ids.newId(),
      type: 'catalog.products.changed',
      aggregateId: partnerId,
      occurredAt: now,
      payload: { partnerId, productIds: targets.map((p) => p.id) },
    };
    const tally = this.tally(
      importId,
      targets.map((): RowOutcome => 'archived'),
    );
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, tally, ...this.outbox.puts([event])] }));
      return true;
    } catch (err) {
      if (cancellationCodes(err)?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return false;
      throw err;
    }
  }

  /** The tally item of one transaction: how many of each outcome it wrote for the import. */
  private tally(importId: string, outcomes: readonly RowOutcome[]): TransactItem {
    const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, archived: 0 };
    for (const o of outcomes) counts[o]++;
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: tallyPk(importId), sk: this.ids.newId(), ...counts },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async countOutcomes(importId: string): Promise<Record<RowOutcome, number>> {
    const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, archived: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': tallyPk(importId) },
          ProjectionExpression: 'created, updated, unchanged, archived',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        for (const o of OUTCOMES) counts[o] += typeof item[o] === 'number' ? item[o] : 0;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async get(id: string): Promise<Product | null> {
    const lookup = await this.client.send(new GetCommand({ TableName: this.tableName, Key: idKey(id), ConsistentRead: true }));
    const item = lookup.Item;
    if (!item || typeof item.partnerId !== 'string' || typeof item.sku !== 'string') return null;
    return this.getBySku(item.partnerId, item.sku);
  }

  async getBySku(partnerId: string, sku: string): Promise<Product | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: productKey(partnerId, sku), ConsistentRead: true }),
    );
    return res.Item ? fromItem(res.Item) : null;
  }

  async getMany(ids: readonly string[]): Promise<Product[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const lookups = await batchGetAll(this.client, this.tableName, unique.map(idKey));
    const keys = lookups.flatMap((l) =>
      typeof l.partnerId === 'string' && typeof l.sku === 'string' ? [productKey(l.partnerId, l.sku)] : [],
    );
    return (await batchGetAll(this.client, this.tableName, keys)).map(fromItem);
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return this.outbox.read(limit);
  }

  async ackOutbox(ids: string[]): Promise<void> {
    await this.outbox.ack(ids);
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client. */
  async close(): Promise<void> {}
}
