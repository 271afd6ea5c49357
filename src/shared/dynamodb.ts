import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from './events.js';

export type DynamoCredentials = DynamoDBClientConfig['credentials'];

/**
 * Credentials for a client: the explicit ones if given; static dummies for a local peer
 * (DynamoDB Local signs nothing but the SDK refuses to send unsigned requests) unless the
 * environment provides real keys; otherwise undefined, so real AWS uses the default provider chain.
 * The one place outside config.ts that looks at process.env, and only for this presence check.
 */
export function resolveCredentials(
  endpoint: string | undefined,
  credentials?: DynamoCredentials,
  env: Record<string, string | undefined> = process.env,
): DynamoCredentials {
  if (credentials) return credentials;
  if (endpoint && !env.AWS_ACCESS_KEY_ID) return { accessKeyId: 'local', secretAccessKey: 'local' };
  return undefined;
}

export interface DynamoConnection {
  /** A local peer (DynamoDB Local, LocalStack); undefined means the regional AWS endpoint. */
  endpoint?: string | undefined;
  region: string;
  credentials?: DynamoCredentials;
}

/** Document client (plain JS values in and out); the caller owns it and calls `destroy()`. */
export function createDocumentClient({ endpoint, region, credentials }: DynamoConnection): DynamoDBDocumentClient {
  const resolved = resolveCredentials(endpoint, credentials);
  const base = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(resolved ? { credentials: resolved } : {}),
  });
  // Optional fields of the models are `undefined` when absent; DynamoDB refuses undefined values.
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

export interface TableNames {
  profiles: string;
  accounts: string;
  jobs: string;
  notifications: string;
  /** Partner catalogs: products, partners, imports, mappings, API keys (one table, as `catalog.db`). */
  catalog: string;
}

export const tableNames = (prefix: string): TableNames => ({
  profiles: `${prefix}profiles`,
  accounts: `${prefix}accounts`,
  jobs: `${prefix}jobs`,
  notifications: `${prefix}notifications`,
  catalog: `${prefix}catalog`,
});

export interface TableOutcome {
  table: string;
  created: boolean;
}

/**
 * Creates every table (single-table layout per module: `pk`/`sk` plus one GSI `gsi1` for
 * listings and work queues) if missing, and waits until they are ACTIVE. Idempotent.
 */
export async function createTables(
  client: DynamoDBDocumentClient,
  prefix: string,
  log: (message: string) => void = () => {},
): Promise<TableOutcome[]> {
  const outcomes: TableOutcome[] = [];
  const names = tableNames(prefix);
  for (const table of [names.profiles, names.accounts, names.jobs, names.notifications, names.catalog]) {
    let created = true;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'gsi1pk', AttributeType: 'S' },
            { AttributeName: 'gsi1sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'gsi1',
              KeySchema: [
                { AttributeName: 'gsi1pk', KeyType: 'HASH' },
                { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    } catch (err) {
      // Another run (or a concurrent one) created it: fine, we still wait for ACTIVE below.
      if (!isAwsError(err, 'ResourceInUseException')) throw err;
      created = false;
    }
    // The waiter only sends DescribeTable, which the document client passes through unchanged.
    await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: table });
    log(created ? `created table ${table}` : `table ${table} already exists`);
    outcomes.push({ table, created });
  }
  return outcomes;
}

/** True for an SDK error with this exception name (names are stable; classes may be duplicated across copies). */
export function isAwsError(err: unknown, name: string): err is Error {
  return err instanceof Error && err.name === name;
}

/**
 * The `CancellationReasons` codes of a cancelled transaction, in the order of its items
 * (`'None'` for items that did not fail), or null when `err` is not a cancellation.
 */
export function cancellationCodes(err: unknown): (string | undefined)[] | null {
  if (!isAwsError(err, 'TransactionCanceledException')) return null;
  const reasons: unknown = 'CancellationReasons' in err ? err.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r: unknown) =>
    r && typeof r === 'object' && 'Code' in r && typeof r.Code === 'string' ? r.Code : undefined,
  );
}

/**
 * Items of a newest-first Query (ScanIndexForward false), following `LastEvaluatedKey` until
 * `want` items passed the filter or the index is exhausted. Filters apply after DynamoDB reads
 * a page, so one page may hold few matches: hence the loop and a page size above `want`.
 */
export async function queryUpTo(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  want: number,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const pageSize = Math.min(Math.max(want * 3, 50), 1000);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, ScanIndexForward: false, Limit: pageSize, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      found.push(item);
      if (found.length >= want) return found;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/**
 * Items for these keys (BatchGetItem by 100, in parallel, retrying unprocessed keys with a short backoff), in no
 * particular order; absent keys are skipped.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  consistent = true,
): Promise<Record<string, unknown>[]> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 10) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${attempt} attempts`);
        const res = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }),
        );
        found.push(...(res.Responses?.[tableName] ?? []));
        pending = res.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
      return found;
    }),
  );
  return pages.flat();
}

/** One item of a TransactWriteItems call. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The items of one TransactWriteItems call, each tagged with its role, so that a cancellation
 * (whose reasons come in item order) maps back to roles rather than to fixed positions.
 */
export class TransactItems<R extends string> {
  private readonly entries: { role: R; item: TransactItem }[] = [];

  add(role: R, ...items: TransactItem[]): this {
    for (const item of items) this.entries.push({ role, item });
    return this;
  }

  get items(): TransactItem[] {
    return this.entries.map((e) => e.item);
  }

  /** The cancellation codes (see `cancellationCodes`) of the items with this role, in the order they were added. */
  codesOf(codes: readonly (string | undefined)[], role: R): (string | undefined)[] {
    return this.entries.flatMap((e, i) => (e.role === role ? [codes[i]] : []));
  }
}

export const OUTBOX_PK = 'OUTBOX';

const outboxString = (item: Record<string, unknown>, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB outbox item ${String(item.sk)} has no string ${key}`);
  return v;
};

/**
 * A module's transactional outbox in its own DynamoDB table: one item per event, in the `OUTBOX`
 * partition, put by the store in the same TransactWriteItems as the change (so a cancelled
 * transaction records nothing).
 *
 * The sort key is `occurredAt#index#id` (index: position in the transaction, zero-padded), so the
 * partition reads in the order events were recorded, and events of one transaction keep their array
 * order. Order is by event time, not commit time: two processes whose clocks disagree may interleave;
 * a late commit with an older occurredAt lands before events already read, and is still delivered,
 * since the relay always reads from the head and acknowledges by id.
 *
 * On AWS, DynamoDB Streams on these items feed the Lambda relay (src/lambda); `read`/`ack` serve the
 * worker's polling relay. `OUTBOX` is a single partition key, a hot key by design: acceptable at this
 * write volume (a partition takes about 1,000 writes per second), and kept small by acknowledgement.
 */
export class DynamoOutbox {
  /** id → sort key of events this process read, so that `ack` can delete without searching. */
  private readonly keys = new Map<string, string>();
  private static readonly MAX_REMEMBERED = 10_000;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts for the events, to add to the transaction that makes the change. */
  puts(events: readonly DomainEvent[]): TransactItem[] {
    return events.map((e, i) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          pk: OUTBOX_PK,
          sk: `${e.occurredAt}#${String(i).padStart(3, '0')}#${e.id}`,
          id: e.id,
          type: e.type,
          aggregateId: e.aggregateId,
          occurredAt: e.occurredAt,
          payload: JSON.stringify(e.payload),
        },
      },
    }));
  }

  /** Up to `limit` events, oldest first (strongly consistent: a base-table query). */
  async read(limit: number): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    while (events.length < limit) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': OUTBOX_PK },
          ConsistentRead: true,
          ScanIndexForward: true,
          Limit: limit - events.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item: Record<string, unknown> = raw;
        const event: DomainEvent = {
          id: outboxString(item, 'id'),
          type: outboxString(item, 'type'),
          aggregateId: outboxString(item, 'aggregateId'),
          occurredAt: outboxString(item, 'occurredAt'),
          payload: JSON.parse(outboxString(item, 'payload')) as unknown,
        };
        this.remember(event.id, outboxString(item, 'sk'));
        events.push(event);
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    return events;
  }

  /** Deletes the events with these ids; unknown ids are ignored. */
  async ack(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    const sks: string[] = [];
    const unknown: string[] = [];
    for (const id of unique) {
      const sk = this.keys.get(id);
      if (sk === undefined) unknown.push(id);
      else sks.push(sk);
    }
    // Ids this process did not read (another relay did, or it restarted): search the partition.
    // Rare, and the partition is short while the relay keeps up.
    if (unknown.length) sks.push(...(await this.findKeys(unknown)));
    for (let i = 0; i < sks.length; i += 25) {
      await Promise.all(
        sks.slice(i, i + 25).map((sk) =>
          // Deleting an absent item is a no-op: acknowledging twice is harmless.
          this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: OUTBOX_PK, sk } })),
        ),
      );
    }
    for (const id of unique) this.keys.delete(id);
  }

  private remember(id: string, sk: string): void {
    // Bounded: events read but never acknowledged here (another relay acknowledged them) must not pile up.
    if (this.keys.size >= DynamoOutbox.MAX_REMEMBERED) this.keys.clear();
    this.keys.set(id, sk);
  }

  private async findKeys(ids: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    // IN takes at most 100 operands.
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const values: Record<string, unknown> = { ':pk': OUTBOX_PK };
      chunk.forEach((id, j) => (values[`:id${j}`] = id));
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: `#id IN (${chunk.map((_, j) => `:id${j}`).join(', ')})`,
            ExpressionAttributeNames: { '#id': 'id' },
            ExpressionAttributeValues: values,
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const raw of page.Items ?? []) {
          const item: Record<string, unknown> = raw;
          if (typeof item.sk === 'string') found.push(item.sk);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return found;
  }
}
