import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { superviseChildPeer } from './child-peer.js';
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
  const stop = await superviseChildPeer(child, {
    name: 'aws-ses-v2-local',
    endpoint,
    probe: () => fetch(`${endpoint}/health-check`).then((r) => r.ok),
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 100,
  });
  const emails = async (): Promise<SesLocalEmail[]> => {
    const res = await fetch(`${endpoint}/store`);
    if (!res.ok) throw new Error(`GET /store answered ${res.status}`);
    const body = (await res.json()) as { emails: SesLocalEmail[] };
    return body.emails;
  };
  return { endpoint, emails, stop };
}
