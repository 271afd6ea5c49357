import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PeerStart {
  /** For error messages, e.g. "DynamoDB Local". */
  name: string;
  endpoint: string;
  /** True once the peer answers; any thrown error counts as "not yet". */
  probe(): Promise<boolean>;
  timeoutMs: number;
  intervalMs: number;
  /** Why the process could not run, when it never started (e.g. its runtime is missing). */
  spawnFailure?: (err: Error) => string;
}

const hasExited = (p: ChildProcess) => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

/**
 * Supervises a local peer (DynamoDB Local, s3rver, aws-ses-v2-local): keeps the tail of its output for
 * error messages, waits until `probe` answers, and makes sure the process is killed by `stop()` and
 * also when this process exits or is interrupted, so an aborted test run leaves nothing behind.
 * Resolves with `stop`; on a failed start the process is stopped and the error says why.
 */
export async function superviseChildPeer(child: ChildProcess, start: PeerStart): Promise<() => Promise<void>> {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A process that never started (no pid) may report only 'error', never 'exit'.
    child.once('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) resolve();
    });
  });

  const kill = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    // let the default handling (termination) happen now that the peer is taken care of
    detach();
    process.kill(process.pid, signal);
  };
  const detach = () => {
    process.off('exit', kill);
    for (const s of signals) process.off(s, onSignal);
  };
  process.on('exit', kill);
  for (const s of signals) process.on(s, onSignal);

  const stop = async () => {
    detach();
    if (!hasExited(child)) child.kill('SIGTERM');
    // a peer that ignores SIGTERM for too long gets SIGKILL
    const timer = setTimeout(kill, 5_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const deadline = Date.now() + start.timeoutMs;
    for (;;) {
      if (await start.probe().catch(() => false)) return stop;
      // checked after the (asynchronous) probe, so a spawn 'error' event has had time to arrive
      if (spawnError || hasExited(child)) {
        const why =
          spawnError && start.spawnFailure
            ? start.spawnFailure(spawnError)
            : `exited with ${child.exitCode ?? child.signalCode ?? spawnError?.message ?? 'an unknown status'}`;
        throw new Error(`${start.name} ${why}\n--- its output ---\n${output}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${start.name} did not answer on ${start.endpoint} within ${start.timeoutMs} ms\n--- its output ---\n${output}`,
        );
      }
      await sleep(start.intervalMs);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
