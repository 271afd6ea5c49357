import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface S3rverLocal {
  /** The S3 endpoint, for the SDK client (path-style). */
  endpoint: string;
  bucket: string;
  /** s3rver knows one access key pair only (S3RVER/S3RVER); it refuses others by id. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

const hasExited = (p: ChildProcess) => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

/**
 * Starts s3rver (its CLI, in a child node process) on a free port, with a throw-away directory and
 * `bucket` created, and resolves once it answers HTTP. `stop()` kills it and removes the directory;
 * the child is also killed when this process exits or is interrupted, so a failed run leaves nothing.
 */
export async function startS3rver(bucket = 'atelier-test'): Promise<S3rverLocal> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-s3rver-'));
  const cli = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [cli, '--directory', directory, '--address', '127.0.0.1', '--port', String(port), '--configure-bucket', bucket],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
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
    const timer = setTimeout(kill, 5_000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(directory, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      // Any HTTP answer (ListBuckets refuses anonymous callers) means it listens; the bucket is
      // created before it starts listening.
      const up = await fetch(`${endpoint}/`).then(
        () => true,
        () => false,
      );
      if (up) return { endpoint, bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, stop };
      if (hasExited(child)) {
        throw new Error(`s3rver exited with ${child.exitCode ?? child.signalCode}\n--- its output ---\n${output}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`s3rver did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms\n--- its output ---\n${output}`);
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
