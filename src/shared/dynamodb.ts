import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

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
}

export const tableNames = (prefix: string): TableNames => ({
  profiles: `${prefix}profiles`,
  accounts: `${prefix}accounts`,
});

export interface TableOutcome {
  table: string;
  created: boolean;
}

/**
 * Creates both tables (single-table layout per module: `pk`/`sk` plus one GSI `gsi1` for
 * newest-first listings) if missing, and waits until they are ACTIVE. Idempotent.
 */
export async function createTables(
  client: DynamoDBDocumentClient,
  prefix: string,
  log: (message: string) => void = () => {},
): Promise<TableOutcome[]> {
  const outcomes: TableOutcome[] = [];
  const names = tableNames(prefix);
  for (const table of [names.profiles, names.accounts]) {
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
