import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SqliteJobStore } from '../../../src/modules/jobs/index.js';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';
import { startFaultySmtp, seeded, type FaultySmtp } from '../../support/faulty-peers.js';
import path from 'node:path';

const PASSWORD = 'a good long password';
/** Few jobs at once, so that every kill lands while messages are still waiting their turn. */
const CONCURRENCY = 4;

/** `npm run worker` as its own process, sharing the server's data directory and mail transport. */
function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker-main.ts'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a worker killed with SIGKILL mid-batch', () => {
  let s: TestServer;
  let smtp: FaultySmtp;
  let workerEnv: Record<string, string>;
  before(async () => {
    // a slow peer keeps jobs in flight long enough for the kills to land in the middle of batches
    smtp = await startFaultySmtp({ refuseRate: 0, hangRate: 0, blackholes: [], seed: 7, delayMs: 100 });
    const env = {
      WORKER: 'off',
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      JOB_LEASE_MS: '500',
      JOB_POLL_INTERVAL_MS: '20',
      JOB_CONCURRENCY: String(CONCURRENCY),
    };
    s = await startTestServer(env, {
      readCode: (email) => /\b(\d{6})\b/.exec(smtp.accepted.find((m) => m.to.includes(email))?.text ?? '')?.[1] ?? null,
    });
    workerEnv = { ...env, DATA_DIR: s.dataDir, LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '10', NODE_ENV: 'test' };
  });
  after(async () => {
    await s.close();
    await smtp.stop();
  });

  it('loses no event and repeats no effect across repeated kill -9', async () => {
    const N = 40;
    const emails = Array.from({ length: N }, (_, i) => uniqueEmail(`crash${i}`));
    for (const email of emails) assert.equal((await s.post('/auth/signup', { email, password: PASSWORD })).status, 201);
    // every sign-up is now an event in the identity outbox, and no worker is running
    const random = seeded(3);
    let kills = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const before = smtp.accepted.length;
      const w = startWorker(workerEnv);
      // kill once this run has delivered a few messages: it is then in the middle of a batch
      await until('the worker to be busy', () => smtp.accepted.length >= before + 3 + Math.floor(random() * 4), 20_000);
      w.child.kill('SIGKILL');
      await w.exited;
      kills += 1;
    }
    assert.ok(smtp.distinct().length < N, 'work was left for the last worker: the kills interrupted delivery');
    const last = startWorker(workerEnv);
    await until('every code', () => smtp.distinct().length >= N);
    await new Promise((r) => setTimeout(r, 1_000)); // let any straggler (a re-run of a lost lease) arrive
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0, 'the worker stops cleanly on SIGTERM');

    const distinct = smtp.distinct();
    assert.equal(distinct.length, N, 'one message per sign-up: none lost');
    assert.deepEqual(new Set(distinct.map((m) => emails.find((e) => m.to.includes(e)))).size, N);
    const jobs = new SqliteJobStore(path.join(s.dataDir, 'jobs.db'));
    const counts = await jobs.counts();
    await jobs.close();
    assert.deepEqual(
      { pending: counts.pending, running: counts.running, dead: counts.dead },
      { pending: 0, running: 0, dead: 0 },
    );
    // a kill between sending and recording can send a message twice, but always with the same Message-ID
    const dupes = smtp.accepted.length - distinct.length;
    // at most the jobs in flight at each kill (the worker's concurrency) are sent again
    assert.ok(dupes <= kills * CONCURRENCY, `at most one re-send per in-flight job per kill, got ${dupes} for ${kills} kills`);
  });
});
