import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface SesLocal {
  /** The SES API endpoint, for the SDK client. */
  endpoint: string;
  /** What the peer received, as it stores it (`GET /store`). */
  emails(): Promise<SesLocalEmail[]>;
  stop(): Promise<void>;
}

/** One entry of aws-ses-v2-local's store (the fields the tests read). */
export interface SesLocalEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

const START_TIMEOUT_MS = 15_000;

/** GetAccount answers only when the peer is given an account (ping uses it). */
const ACCOUNT = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: 'EN',
    MailType: 'TRANSACTIONAL',
    ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
    UseCaseDescription: 'Atelier tests',
    WebsiteURL: 'http://localhost',
  },
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: [] },
};

const hasExited = (p: ChildProcess) => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

/**
 * Starts aws-ses-v2-local (its CLI, in a child node process) on a free port and resolves once
 * `/health-check` answers. The child is killed by `stop()`, and also when this process exits or is
 * interrupted, so a failed or aborted run leaves nothing behind.
 */
export async function startSesLocal(): Promise<SesLocal> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const cli = createRequire(import.meta.url).resolve('aws-ses-v2-local/dist/cli.js');
  const child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, AWS_SES_ACCOUNT: JSON.stringify(ACCOUNT) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
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
  };

  const emails = async (): Promise<SesLocalEmail[]> => {
    const res = await fetch(`${endpoint}/store`);
    if (!res.ok) throw new Error(`GET /store answered ${res.status}`);
    const body = (await res.json()) as { emails: SesLocalEmail[] };
    return body.emails;
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const up = await fetch(`${endpoint}/health-check`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return { endpoint, emails, stop };
      if (hasExited(child)) {
        throw new Error(`aws-ses-v2-local exited with ${child.exitCode ?? child.signalCode}\n--- its output ---\n${output}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `aws-ses-v2-local did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms\n--- its output ---\n${output}`,
        );
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
