import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomIds, type IdGenerator } from '../../../shared/clock.js';
import { DynamoOutbox, batchGetAll, cancellationCodes, type TransactItem } from '../../../shared/dynamodb.js';
import type { DomainEvent } from '../../../shared/events.js';
import { productContentHash, productInputOf } from '../content-hash.js';
import type { Product, ProductInput, ProductStatus, RowOutcome } from '../model.js';
import type { ApplyBatchInput, ProductStore, ProductsChanged } from '../product-store.js';

/** Rows written per transaction: each may add its id lookup item, plus one outbox item (≤ 51 of the 100 allowed). */
export const ROWS_PER_TRANSACTION = 25;
/** Transactions of one batch in flight at once (its rows are distinct products, so they never conflict). */
const PARALLEL_TRANSACTIONS = 4;
/** A chunk whose products changed under it (another process applying the same import) is re-read and retried. */
const MAX_CHUNK_ATTEMPTS = 5;

const PRODUCT_SK = 'PRODUCT';
const ID_SK = 'ID';
const OUTCOMES: readonly RowOutcome[] = ['created', 'updated', 'unchanged', 'archived'];

const productPk = (partnerId: string, sku: string) => `PRODUCT#${partnerId}#${sku}`;
const productKey = (partnerId: string, sku: string) => ({ pk: productPk(partnerId, sku), sk: PRODUCT_SK });
const idKey = (id: string) => ({ pk: `PRODUCTID#${id}`, sk: ID_SK });
/** Sparse: only ACTIVE products are in the partner's `gsi1` partition (what REPLACE imports archive from). */
const activePk = (partnerId: string) => `ACTIVE#${partnerId}`;
/** `gsi2` (keys only): a product under the last import that touched it, sorted by outcome (what countOutcomes counts). */
const importPk = (importId: string) => `IMPORT_PRODUCTS#${importId}`;
const importSk = (outcome: RowOutcome, sku: string) => `${outcome}#${sku}`;

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
    gsi2pk: p.lastImportId && p.lastImportOutcome ? importPk(p.lastImportId) : undefined,
    gsi2sk: p.lastImportId && p.lastImportOutcome ? importSk(p.lastImportOutcome, p.sku) : undefined,
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
 * Indexes: `gsi1` (sparse) holds a partner's ACTIVE products (archiveMissing), `gsi2` (keys only) each product under
 * its last import and outcome (countOutcomes). Counters were the alternative: one counter item per import, updated
 * in every chunk's transaction, would serialize the parallel chunks on that item. GSIs are eventually consistent on
 * AWS: a count taken within a second of the writes may lag (DynamoDB Local is immediate).
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
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        const chunkOutcomes = await this.applyChunk(
          partnerId,
          importId,
          chunk.map((i) => rows[i]!),
          now,
        );
        chunk.forEach((rowIndex, j) => (outcomes[rowIndex] = chunkOutcomes[j]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_TRANSACTIONS, chunks.length) }, worker));
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
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, ...this.outbox.puts(events)] }));
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
            UpdateExpression: 'SET lastImportId = :imp, lastImportOutcome = :outcome, gsi2pk = :g2pk, gsi2sk = :g2sk',
            ConditionExpression: cond.ConditionExpression,
            ExpressionAttributeNames: cond.ExpressionAttributeNames,
            ExpressionAttributeValues: {
              ...cond.ExpressionAttributeValues,
              ':imp': importId,
              ':outcome': 'unchanged',
              ':g2pk': importPk(importId),
              ':g2sk': importSk('unchanged', row.sku),
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
      let lost = false;
      for (let i = 0; i < skus.length; i += ROWS_PER_TRANSACTION) {
        const won = await this.archiveChunk(partnerId, importId, skus.slice(i, i + ROWS_PER_TRANSACTION), now);
        lost ||= !won;
      }
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
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, ...this.outbox.puts([event])] }));
      return true;
    } catch (err) {
      if (cancellationCodes(err)?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return false;
      throw err;
    }
  }

  async countOutcomes(importId: string): Promise<Record<RowOutcome, number>> {
    const counts = await Promise.all(
      OUTCOMES.map(async (outcome) => {
        let n = 0;
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :outcome)',
              ExpressionAttributeValues: { ':pk': importPk(importId), ':outcome': `${outcome}#` },
              Select: 'COUNT',
              ExclusiveStartKey: startKey,
            }),
          );
          n += page.Count ?? 0;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return [outcome, n] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<RowOutcome, number>;
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
