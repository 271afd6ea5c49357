import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { superviseChildPeer } from './child-peer.js';
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
  const stop = await superviseChildPeer(child, {
    name: 's3rver',
    endpoint,
    // any HTTP answer (ListBuckets refuses anonymous callers) means it listens; the bucket exists by then
    probe: () => fetch(`${endpoint}/`).then(() => true),
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 100,
  }).catch((err: unknown) => {
    fs.rmSync(directory, { recursive: true, force: true });
    throw err;
  });
  return {
    endpoint,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop: async () => {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
