/**
 * `npm run bench:events` — how fast recorded events reach their destinations, under a steady profile-update load.
 *
 * Issue 3: "A benchmark prints events delivered per second and the delay from commit to delivery (p50/p99)
 * under a steady profile-update load." This is not a pass/fail test: it prints figures and whether the job
 * worker kept up.
 *
 * What runs
 *   - The real server as a child process (`node --import tsx src/main.ts`, NODE_ENV=production) on a free port
 *     with a fresh temp DATA_DIR (SQLite stores), configured only by its environment. With `--worker separate`
 *     the server runs with WORKER=off and the worker is its own process (`src/worker-main.ts`, same env and
 *     DATA_DIR), as a deployment that splits them would.
 *   - In this process: an SMTP sink (smtp-server; MAIL_TRANSPORT=smtp points at it) and a Slack webhook
 *     receiver (plain HTTP, answers 200; SLACK_WEBHOOK_URL points at it). Each records the arrival time of
 *     every message; parsing waits until the load is over, so the sinks cost as little CPU as possible while
 *     the server is measured. PROFILE_MAIL_WINDOW_MS=0: every update's owner summary is due at once.
 *     smtp-server pauses 100 ms before greeting each connection (its early-talker check; no option turns it
 *     off), and SmtpMailer opens one connection per message, so every e-mail costs ≥ 100 ms of a worker slot:
 *     a fair stand-in for the TCP/TLS/AUTH round trips of a real relay, and printed with the results.
 *   - N freelancers are seeded through the API (sign-up, code read from the SMTP sink, verify, login,
 *     createProfile); the queue is left to drain; then updates are sent at a fixed rate for a fixed time,
 *     round-robin over the profiles (an update waits for the previous one of the same profile, since it needs
 *     its version). Every update changes `availability.status` (alternating, so the team hears about it)
 *     and `firstName`, which carries the update's sequence number as a marker (`Bench<seq>`).
 *     One update → one `profile.updated` event → jobs collect-profile-update, slack-team, mail-team, and
 *     (from collect) mail-profile-update-summary → three deliveries: a Slack post, a team e-mail, an owner e-mail.
 *
 * Correlation (why the firstName marker): the API never shows an event id, but every message about a profile
 * names the person: the Slack text and the team e-mail subject hold `firstName lastName` from the event's own
 * snapshot of the profile, and the owner summary greets `firstName` from the newest snapshot it summarises.
 * So the marker names the exact update (sequence number → commit time) with no guessing from arrival order:
 *   - Slack, team e-mail: delay = arrival − commit of the update whose marker the message carries.
 *   - Owner summary: one e-mail may sum up several updates of a profile when the worker lags (that is the
 *     feature). A summary carrying marker m covers every update of that profile up to m not covered by an
 *     earlier summary; the delay of each covered update is arrival − its commit, i.e. "time until the owner
 *     received an e-mail reflecting this change". Updates no summary reflects are reported as such (a change
 *     collected while its profile's summary is being sent, to fields that summary already lists, is folded
 *     into it although the e-mail was composed before it: the bench shows such cases with their timing).
 *   Changing firstName as well adds a changed field, not a job: the same four jobs run per update.
 *   "Commit" is the `updatedAt` the mutation returns: the server's clock, read just before the transaction
 *   that writes the change and its outbox event (the event's `occurredAt` is read right after it). Server,
 *   worker and sinks share this machine's clock.
 *
 * What it prints, per scenario: updates achieved; deliveries/s per channel over the steady phase (the load
 * minus `--warmup`); commit→delivery delay p50/p95/p99/max per channel for updates committed in the steady
 * phase (late deliveries included, however late); the backlog (outbox rows + pending/running jobs, read from
 * the SQLite files in the DATA_DIR this bench owns, read-only: no port exposes a count over HTTP) when the load
 * stops and how long the rest took to drain; a timeline; the worker's own `atelier_event_delivery_delay_seconds`
 * histogram and `atelier_jobs_processed_total` from GET /metrics as a cross-check (embedded worker only: the
 * standalone worker serves no /metrics); CPU of each process; and a verdict.
 *
 * Baseline, measured in the same run: the same load on a fresh server with SLACK_WEBHOOK_URL and TEAM_EMAIL
 * unset. The slack-team and mail-team jobs still exist and run (and return at once); only the owner summary is
 * delivered. The difference is the cost of the two team channels.
 *
 *   npm run bench:events -- [--worker embedded|separate] [--profiles N] [--rate R] [--duration S]
 *                           [--warmup S] [--drain-timeout S] [--skip-baseline]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEAM_EMAIL = 'team@bench.test';
const PASSWORD = 'bench password 1234';
const MARKER = /\bBench(\d+)\b/;
const CHANNELS = ['slack', 'team', 'owner'] as const;
type Channel = (typeof CHANNELS)[number];

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

interface Options {
  worker: 'embedded' | 'separate';
  profiles: number;
  /** Target profile updates per second. */
  rate: number;
  durationS: number;
  /** The first seconds of the load, left out of the steady-phase figures. */
  warmupS: number;
  drainTimeoutS: number;
  baseline: boolean;
}

const USAGE =
  'usage: npm run bench:events -- [--worker embedded|separate] [--profiles N] [--rate R] [--duration S] [--warmup S] ' +
  '[--drain-timeout S] [--skip-baseline]';

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      worker: { type: 'string', default: 'embedded' },
      profiles: { type: 'string', default: '50' },
      rate: { type: 'string', default: '50' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      'drain-timeout': { type: 'string', default: '120' },
      'skip-baseline': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, raw: string, min: number, integer: boolean): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number ≥ ${min} (got "${raw}")`);
    }
    return n;
  };
  if (values.worker !== 'embedded' && values.worker !== 'separate') {
    throw new UsageError(`--worker must be embedded or separate (got "${values.worker}")`);
  }
  const opts: Options = {
    worker: values.worker,
    profiles: num('profiles', values.profiles, 1, true),
    rate: num('rate', values.rate, 0.1, false),
    durationS: num('duration', values.duration, 1, false),
    warmupS: num('warmup', values.warmup, 0, false),
    drainTimeoutS: num('drain-timeout', values['drain-timeout'], 1, false),
    baseline: !values['skip-baseline'],
  };
  if (opts.warmupS >= opts.durationS) throw new UsageError('--warmup must be shorter than --duration');
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Clean-up: children, sinks, read-only connections and temp dirs go away on success, failure and Ctrl-C
// ---------------------------------------------------------------------------------------------

const live = {
  children: new Set<ChildProcess>(),
  stoppers: new Set<() => Promise<void>>(),
  dirs: new Set<string>(),
};
let interrupted = false;

const hasExited = (p: ChildProcess): boolean => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

/** SIGTERM (the process finishes what it has in hand), then SIGKILL if it is still there after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function cleanUp(): Promise<void> {
  await Promise.allSettled([...live.children].map((c) => stopChild(c)));
  live.children.clear();
  await Promise.allSettled([...live.stoppers].map((stop) => stop()));
  live.stoppers.clear();
  for (const dir of live.dirs) fs.rmSync(dir, { recursive: true, force: true });
  live.dirs.clear();
}

function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the server, the worker and the sinks, removing temp data…\n`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  // Last resort if the process ends another way (an uncaught error): no child may outlive it.
  process.on('exit', () => {
    for (const c of live.children) if (!hasExited(c)) c.kill('SIGKILL');
    for (const dir of live.dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------------------------

type MailKind = 'team' | 'summary' | 'code' | 'other';

interface MailArrival {
  at: number;
  kind: MailKind;
  messageId: string;
  rcpt: string[];
  raw: Buffer;
  /** The SMTP conversation as the sink saw it: TCP accept → message accepted (includes the greeting pause). */
  sessionMs: number;
}

const kindOf = (messageId: string): MailKind =>
  messageId.includes('.mail-team.')
    ? 'team'
    : messageId.includes('.mail-profile-update-summary')
      ? 'summary'
      : messageId.includes('.mail-account-code')
        ? 'code'
        : 'other';

/** The SMTP peer the server mails to: keeps the raw message, its envelope and its arrival time. */
class SmtpSink {
  readonly messages: MailArrival[] = [];
  readonly counts: Record<MailKind, number> = { team: 0, summary: 0, code: 0, other: 0 };
  private readonly server: SMTPServer;
  private readonly codes = new Map<string, string>();
  private scanned = 0;
  private scanning: Promise<void> | undefined;
  /** When each client connection was accepted, by `address:port`. */
  private readonly accepted = new Map<string, number>();
  url = '';

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      // no certificate to offer: the sink speaks plain SMTP
      disabledCommands: ['STARTTLS'],
      // a reverse DNS lookup of 127.0.0.1 per connection would be the sink's latency, not the server's
      disableReverseLookup: true,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const at = Date.now();
          const raw = Buffer.concat(chunks);
          const end = raw.indexOf('\r\n\r\n');
          const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
          const messageId = /^message-id:\s*<([^>]*)>/im.exec(head)?.[1] ?? '';
          const kind = kindOf(messageId);
          const peer = `${session.remoteAddress}:${session.remotePort}`;
          const sessionMs = at - (this.accepted.get(peer) ?? at);
          this.accepted.delete(peer);
          this.counts[kind] += 1;
          const rcpt = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
          this.messages.push({ at, kind, messageId, rcpt, raw, sessionMs });
          callback();
        });
      },
    });
    // smtp-server's own hooks run after its greeting pause; the TCP accept is the true start of a send.
    this.server.server.on('connection', (socket: net.Socket) => {
      this.accepted.set(`${socket.remoteAddress}:${socket.remotePort}`, Date.now());
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.server.address();
    if (!address || typeof address === 'string') throw new Error('the SMTP sink has no port');
    this.url = `smtp://127.0.0.1:${address.port}`;
  }

  /** The verification code mailed to `email`, once the server's worker has sent it. */
  async codeFor(email: string, timeoutMs = 30_000): Promise<string> {
    const key = email.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const code = this.codes.get(key);
      if (code) {
        this.codes.delete(key);
        return code;
      }
      this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
      await this.scanning;
      if (this.codes.has(key)) continue;
      if (Date.now() > deadline) throw new Error(`no verification code mailed to ${email} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  private async scan(): Promise<void> {
    while (this.scanned < this.messages.length) {
      const m = this.messages[this.scanned++]!;
      if (m.kind !== 'code') continue;
      const text = (await simpleParser(m.raw)).text ?? '';
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      for (const to of m.rcpt) if (code) this.codes.set(to, code);
    }
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface SlackArrival {
  at: number;
  body: string;
}

/** A Slack incoming-webhook stand-in that answers 200 to everything and keeps what it was sent. */
class SlackReceiver {
  readonly posts: SlackArrival[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.posts.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('the Slack receiver has no port');
    this.url = `http://127.0.0.1:${address.port}/services/bench/webhook`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// The system under test: server (+ worker)
// ---------------------------------------------------------------------------------------------

interface Atelier {
  url: string;
  dataDir: string;
  server: ChildProcess;
  worker: ChildProcess | undefined;
  /** Lines the processes printed (LOG_LEVEL=warn: warnings and errors), capped. */
  output: string[];
}

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

function spawnNode(script: string, env: Record<string, string>, label: string, output: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.children.add(child);
  child.once('exit', () => live.children.delete(child));
  let pending = '';
  const keep = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    output.push(...lines.filter((l) => l.trim()).map((l) => `[${label}] ${l}`));
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function startAtelier(
  o: Options,
  sinks: { smtpUrl: string; slackUrl: string | undefined; teamEmail: string | undefined },
): Promise<Atelier> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-events-bench-'));
  live.dirs.add(dataDir);
  // Only what node needs from our environment: a developer's JOB_POLL_INTERVAL_MS or PROFILE_STORE
  // must not silently change what is measured.
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'LANG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  const env: Record<string, string> = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
    PASSWORD_HASH_COST: '10',
    AUTH_MAIL_RATE_LIMIT: '1000000',
    PROFILE_MAIL_WINDOW_MS: '0',
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: sinks.smtpUrl,
    ...(sinks.slackUrl ? { SLACK_WEBHOOK_URL: sinks.slackUrl } : {}),
    ...(sinks.teamEmail ? { TEAM_EMAIL: sinks.teamEmail } : {}),
  };
  const output: string[] = [];
  const server = spawnNode('src/main.ts', { ...env, WORKER: o.worker === 'embedded' ? 'embedded' : 'off' }, 'server', output);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited(server)) {
      throw new Error(
        `the server exited with ${server.exitCode ?? server.signalCode} before it was ready:\n${output.join('\n')}`,
      );
    }
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the server did not answer GET /readyz with 200 within 60 s:\n${output.join('\n')}`);
    await sleep(100);
  }
  // The standalone worker starts after the server has created the stores and run their migrations.
  const worker = o.worker === 'separate' ? spawnNode('src/worker-main.ts', env, 'worker', output) : undefined;
  return { url, dataDir, server, worker, output };
}

async function stopAtelier(a: Atelier): Promise<void> {
  await Promise.all([stopChild(a.server), ...(a.worker ? [stopChild(a.worker)] : [])]);
  fs.rmSync(a.dataDir, { recursive: true, force: true });
  live.dirs.delete(a.dataDir);
}

// ---------------------------------------------------------------------------------------------
// Backlog: outbox rows not yet relayed and jobs not yet done, read-only from the SQLite files
// ---------------------------------------------------------------------------------------------

interface Backlog {
  outbox: number;
  pending: number;
  running: number;
  dead: number;
}

const backlogTotal = (b: Backlog): number => b.outbox + b.pending + b.running;

/**
 * Reads the stores' files directly (read-only, WAL lets it read beside the writers): no HTTP route counts
 * pending jobs, and /metrics only counts jobs once processed. Observation only; the bench owns the DATA_DIR.
 */
class BacklogReader {
  private readonly jobs: Database.Database;
  private readonly outboxes: Database.Database[];

  constructor(dataDir: string) {
    const open = (f: string) => new Database(path.join(dataDir, f), { readonly: true, fileMustExist: true });
    this.jobs = open('jobs.db');
    this.outboxes = ['profiles.db', 'identity.db'].map(open);
  }

  read(): Backlog {
    const counts = this.jobs
      .prepare<[], { pending: number; running: number; dead: number }>(
        `SELECT (SELECT count(*) FROM jobs WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM jobs WHERE status = 'running') AS running,
                (SELECT count(*) FROM jobs WHERE status = 'dead') AS dead`,
      )
      .get();
    let outbox = 0;
    for (const db of this.outboxes) outbox += db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox').get()?.n ?? 0;
    return { outbox, pending: counts?.pending ?? 0, running: counts?.running ?? 0, dead: counts?.dead ?? 0 };
  }

  close(): void {
    for (const db of [this.jobs, ...this.outboxes]) db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// GET /metrics (Prometheus text)
// ---------------------------------------------------------------------------------------------

interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseProm(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(url: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/metrics`);
  return parseProm(await res.text());
}

interface HandlerHistogram {
  handler: string;
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (seconds), +Inf last. */
  buckets: [number, number][];
}

/** The worker's delay histogram per handler, `after − before` (so seeding is left out). */
function delayHistograms(before: PromSample[], after: PromSample[]): HandlerHistogram[] {
  const base = 'atelier_event_delivery_delay_seconds';
  const key = (s: PromSample) => `${s.name}|${s.labels.handler}|${s.labels.le ?? ''}`;
  const prev = new Map(before.map((s) => [key(s), s.value]));
  const byHandler = new Map<string, HandlerHistogram>();
  for (const s of after) {
    if (!s.name.startsWith(base) || !s.labels.handler) continue;
    const h = byHandler.get(s.labels.handler) ?? { handler: s.labels.handler, count: 0, sum: 0, buckets: [] };
    byHandler.set(h.handler, h);
    const v = s.value - (prev.get(key(s)) ?? 0);
    if (s.name === `${base}_count`) h.count = v;
    else if (s.name === `${base}_sum`) h.sum = v;
    else if (s.name === `${base}_bucket`) h.buckets.push([s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), v]);
  }
  for (const h of byHandler.values()) h.buckets.sort((a, b) => a[0] - b[0]);
  return [...byHandler.values()].filter((h) => h.count > 0);
}

/** As Prometheus' histogram_quantile: linear within the bucket; the last finite bound when it falls in +Inf. */
function histogramQuantile(h: HandlerHistogram, q: number): number {
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const [le, cum] of h.buckets) {
    if (cum >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, cum - below);
    }
    lower = le;
    below = cum;
  }
  return lower;
}

function processedDelta(before: PromSample[], after: PromSample[]): Map<string, Record<string, number>> {
  const name = 'atelier_jobs_processed_total';
  const key = (s: PromSample) => `${s.labels.handler}|${s.labels.outcome}`;
  const prev = new Map(before.filter((s) => s.name === name).map((s) => [key(s), s.value]));
  const out = new Map<string, Record<string, number>>();
  for (const s of after) {
    if (s.name !== name || !s.labels.handler || !s.labels.outcome) continue;
    const v = s.value - (prev.get(key(s)) ?? 0);
    if (!v) continue;
    out.set(s.labels.handler, { ...out.get(s.labels.handler), [s.labels.outcome]: v });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// API calls (plain fetch)
// ---------------------------------------------------------------------------------------------

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

interface GqlOutcome {
  result: Record<string, unknown> | undefined;
  /** The first error's code (or a transport failure), when the call did not succeed. */
  error: string | undefined;
  currentVersion: number | undefined;
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<GqlOutcome> {
  const res = await postJson(`${url}/graphql`, { query, variables }, token);
  const body = asRecord(parseJson(res.text));
  const data = asRecord(body?.data);
  const result = data ? asRecord(Object.values(data)[0]) : undefined;
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  const ext = asRecord(asRecord(errors[0])?.extensions);
  if (res.status === 200 && !errors.length && result) return { result, error: undefined, currentVersion: undefined };
  const code = typeof ext?.code === 'string' ? ext.code : `HTTP ${res.status}`;
  return {
    result: undefined,
    error: `${code}: ${res.text.slice(0, 200)}`,
    currentVersion: typeof ext?.currentVersion === 'number' ? ext.currentVersion : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------

interface SeededProfile {
  id: string;
  handle: string;
  token: string;
  version: number;
  /** Updates sent so far: picks the next availability status. */
  updates: number;
}

const FIRST_SKILLS = ['TypeScript', 'Node.js', 'React', 'GraphQL', 'PostgreSQL', 'AWS', 'Python', 'Go', 'Figma', 'Kotlin'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Moreau', 'Garcia', 'Schmidt', 'Rossi', 'Novak', 'Silva', 'Petit'];
const CITIES = [
  { city: 'Paris', countryCode: 'FR' },
  { city: 'Lyon', countryCode: 'FR' },
  { city: 'Berlin', countryCode: 'DE' },
  { city: 'Lisbon', countryCode: 'PT' },
];

/** A realistic profile (events carry the whole profile, so its size matters), deterministic per index. */
function profileInput(i: number, email: string, runTag: string): Record<string, unknown> {
  const skills = Array.from({ length: 6 }, (_, k) => ({
    name: FIRST_SKILLS[(i + k) % FIRST_SKILLS.length]!,
    level: 2 + ((i + k) % 4),
    years: 1 + ((i * 7 + k) % 12),
    isMain: k < 2,
  }));
  const place = CITIES[i % CITIES.length]!;
  const lastName = LAST_NAMES[i % LAST_NAMES.length]!;
  const handle = `bench-${runTag}-${i}`;
  return {
    handle,
    firstName: 'Bench0',
    lastName,
    email,
    headline: `Freelance ${skills[0]!.name} developer`,
    bio:
      `A developer with ${3 + (i % 15)} years of experience, mostly with ${skills[0]!.name} and ${skills[1]!.name}. ` +
      `Has shipped products for start-ups and large companies in ${place.city} and remotely, from discovery ` +
      'workshops to production support. Enjoys pairing, writing clear documentation and mentoring.',
    location: place,
    remote: 'HYBRID',
    dailyRate: 400 + (i % 10) * 50,
    currency: 'EUR',
    availability: { status: 'UNAVAILABLE', availableFrom: '2026-09-01' },
    skills,
    languages: [
      { code: 'fr', level: 'NATIVE' },
      { code: 'en', level: 'C1' },
    ],
    links: [
      { type: 'LINKEDIN', url: `https://www.linkedin.com/in/${handle}` },
      { type: 'GITHUB', url: `https://github.com/${handle}` },
    ],
    visibility: 'PUBLIC',
  };
}

const CREATE_PROFILE = `mutation C($input: CreateProfileInput!) { createProfile(input: $input) { id handle version } }`;
const UPDATE_PROFILE = `mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { version updatedAt } }`;

/** N freelancers sign up, verify with the mailed code, sign in and create their profile, 8 at a time. */
async function seed(a: Atelier, smtp: SmtpSink, n: number, runTag: string): Promise<SeededProfile[]> {
  const profiles = new Array<SeededProfile>(n);
  let next = 0;
  let failed = false;
  const lane = async () => {
    for (let i = next++; i < n && !failed; i = next++) {
      const email = `freelancer-${i}@bench.test`;
      const signup = await postJson(`${a.url}/auth/signup`, { email, password: PASSWORD });
      if (signup.status !== 201) throw new Error(`signup of ${email} failed: ${signup.status} ${signup.text}`);
      const verify = await postJson(`${a.url}/auth/verify`, { email, code: await smtp.codeFor(email) });
      if (verify.status !== 200) throw new Error(`verification of ${email} failed: ${verify.status} ${verify.text}`);
      const login = await postJson(`${a.url}/auth/login`, { email, password: PASSWORD });
      const token = asRecord(parseJson(login.text))?.accessToken;
      if (login.status !== 200 || typeof token !== 'string') throw new Error(`login of ${email} failed: ${login.text}`);
      const created = await gql(a.url, CREATE_PROFILE, { input: profileInput(i, email, runTag) }, token);
      const { id, handle, version } = created.result ?? {};
      if (typeof id !== 'string' || typeof handle !== 'string' || typeof version !== 'number') {
        throw new Error(`createProfile failed: ${created.error}`);
      }
      profiles[i] = { id, handle, token, version, updates: 0 };
    }
  };
  await Promise.all(
    Array.from({ length: 8 }, () =>
      lane().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  return profiles;
}

/** Waits until nothing is left in the outboxes and the job queue, and the sinks have been quiet for `quietMs`. */
async function settle(backlog: BacklogReader, sinks: { last(): number }, quietMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (backlogTotal(backlog.read()) === 0 && Date.now() - sinks.last() >= quietMs) return true;
    await sleep(100);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

interface UpdateRecord {
  seq: number;
  profile: number;
  scheduledAt: number;
  sentAt: number;
  doneAt: number;
  /** The `updatedAt` the mutation returned (ms), or null when it failed. */
  commitAt: number | null;
  error: string | undefined;
}

interface TimelineSample {
  at: number;
  backlog: Backlog;
}

interface CpuSnapshot {
  server: number | null;
  worker: number | null;
  bench: number;
  /** Busy and total jiffies of the whole machine. */
  machine: { busy: number; total: number } | null;
}

/** utime + stime of a process in seconds, from /proc (Linux); null elsewhere. */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, in USER_HZ ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function machineJiffies(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function cpuSnapshot(a: Atelier): CpuSnapshot {
  const u = process.cpuUsage();
  return {
    server: processCpuSeconds(a.server.pid),
    worker: a.worker ? processCpuSeconds(a.worker.pid) : null,
    bench: (u.user + u.system) / 1e6,
    machine: machineJiffies(),
  };
}

interface LoadResult {
  t0: number;
  /** When the schedule ended: t0 + duration. */
  tEnd: number;
  records: UpdateRecord[];
  timeline: TimelineSample[];
  backlogAtEnd: Backlog;
  /** When every job was done and the outboxes empty after the load (null: not within the drain timeout). */
  drainedAt: number | null;
  cpu: { before: CpuSnapshot; after: CpuSnapshot };
  loopDelayP99Ms: number;
}

async function runLoad(
  o: Options,
  a: Atelier,
  profiles: SeededProfile[],
  backlog: BacklogReader,
  lastArrival: () => number,
): Promise<LoadResult> {
  const records: UpdateRecord[] = [];
  const chains = profiles.map(() => Promise.resolve());
  const total = Math.floor(o.durationS * o.rate);
  const intervalMs = 1000 / o.rate;
  const timeline: TimelineSample[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });

  const update = async (seq: number, k: number, scheduledAt: number): Promise<void> => {
    const p = profiles[k]!;
    const status = p.updates++ % 2 === 0 ? 'AVAILABLE' : 'PARTIALLY_AVAILABLE';
    const input = {
      id: p.id,
      expectedVersion: p.version,
      firstName: `Bench${seq}`,
      availability: { status, daysPerWeek: status === 'AVAILABLE' ? 5 : 3 },
    };
    const sentAt = Date.now();
    let out: GqlOutcome;
    try {
      out = await gql(a.url, UPDATE_PROFILE, { input }, p.token);
    } catch (err) {
      out = {
        result: undefined,
        error: `network: ${err instanceof Error ? err.message : String(err)}`,
        currentVersion: undefined,
      };
    }
    const doneAt = Date.now();
    const { version, updatedAt } = out.result ?? {};
    if (typeof version === 'number' && typeof updatedAt === 'string') {
      p.version = version;
      records.push({ seq, profile: k, scheduledAt, sentAt, doneAt, commitAt: Date.parse(updatedAt), error: undefined });
    } else {
      if (out.currentVersion !== undefined) p.version = out.currentVersion;
      records.push({ seq, profile: k, scheduledAt, sentAt, doneAt, commitAt: null, error: out.error ?? 'no version' });
    }
  };

  const before = cpuSnapshot(a);
  const t0 = Date.now() + 20;
  const tEnd = t0 + o.durationS * 1000;
  const sampler = setInterval(() => timeline.push({ at: Date.now(), backlog: backlog.read() }), 1000);
  loop.enable();
  let i = 0;
  while (i < total) {
    // fire everything due (several at once if this loop was late), then sleep until the next one is
    while (i < total && t0 + i * intervalMs <= Date.now()) {
      const seq = i + 1;
      const k = i % profiles.length;
      const scheduledAt = t0 + i * intervalMs;
      chains[k] = chains[k]!.then(() => update(seq, k, scheduledAt));
      i++;
    }
    if (i < total) await sleep(Math.max(0, t0 + i * intervalMs - Date.now()));
  }
  await sleep(Math.max(0, tEnd - Date.now()));
  const backlogAtEnd = backlog.read();
  const after = cpuSnapshot(a);
  loop.disable();
  await Promise.all(chains);

  // drain: until the queue is empty and the sinks have been quiet for a second
  let drainedAt: number | null = null;
  const deadline = Date.now() + o.drainTimeoutS * 1000;
  while (Date.now() < deadline) {
    const b = backlog.read();
    if (backlogTotal(b) === 0) {
      drainedAt ??= Date.now();
      if (Date.now() - lastArrival() >= 1000) break;
    } else {
      drainedAt = null;
    }
    await sleep(100);
  }
  clearInterval(sampler);
  timeline.push({ at: Date.now(), backlog: backlog.read() });
  records.sort((x, y) => x.seq - y.seq);
  return {
    t0,
    tEnd,
    records,
    timeline,
    backlogAtEnd,
    drainedAt,
    cpu: { before, after },
    loopDelayP99Ms: loop.percentile(99) / 1e6,
  };
}

// ---------------------------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------------------------

interface Delivery {
  channel: Channel;
  at: number;
  /** The update (sequence number) whose marker the message carries. */
  seq: number;
}

interface Correlated {
  deliveries: Delivery[];
  /** Per channel: delay (ms) of each update from commit to its first delivery, keyed by seq. */
  delays: Record<Channel, Map<number, number>>;
  duplicates: Record<Channel, number>;
  /** Messages of the measured phase whose marker names no update we made (should be 0). */
  unmatched: number;
  /** Owner summaries that summed up more than one update. */
  coalescedSummaries: number;
}

async function correlate(
  records: UpdateRecord[],
  smtp: SmtpSink,
  slack: SlackReceiver,
  from: { mail: number; slack: number },
): Promise<Correlated> {
  const bySeq = new Map(records.filter((r) => r.commitAt !== null).map((r) => [r.seq, r]));
  const deliveries: Delivery[] = [];
  const delays: Record<Channel, Map<number, number>> = { slack: new Map(), team: new Map(), owner: new Map() };
  const duplicates: Record<Channel, number> = { slack: 0, team: 0, owner: 0 };
  let unmatched = 0;
  let coalescedSummaries = 0;

  const record = (channel: Channel, seq: number, at: number) => {
    const r = bySeq.get(seq);
    if (!r || r.commitAt === null) {
      unmatched += 1;
      return;
    }
    deliveries.push({ channel, at, seq });
    if (delays[channel].has(seq)) duplicates[channel] += 1;
    else delays[channel].set(seq, at - r.commitAt);
  };

  for (const post of slack.posts.slice(from.slack)) {
    const text = asRecord(parseJson(post.body))?.text;
    const seq = typeof text === 'string' ? MARKER.exec(text)?.[1] : undefined;
    if (seq === undefined) unmatched += 1;
    else record('slack', Number(seq), post.at);
  }

  // Updates not yet reflected in an owner summary, per profile, oldest first.
  const uncovered = new Map<number, UpdateRecord[]>();
  for (const r of records) if (r.commitAt !== null) uncovered.set(r.profile, [...(uncovered.get(r.profile) ?? []), r]);
  const mails = smtp.messages.slice(from.mail).filter((m) => m.kind === 'team' || m.kind === 'summary');
  mails.sort((x, y) => x.at - y.at);
  for (const m of mails) {
    const parsed = await simpleParser(m.raw);
    const seqText = MARKER.exec(m.kind === 'team' ? (parsed.subject ?? '') : (parsed.text ?? ''))?.[1];
    const seq = seqText === undefined ? undefined : Number(seqText);
    const r = seq === undefined ? undefined : bySeq.get(seq);
    if (!r || seq === undefined) {
      unmatched += 1;
      continue;
    }
    if (m.kind === 'team') {
      record('team', seq, m.at);
      continue;
    }
    const queue = uncovered.get(r.profile) ?? [];
    let covered = 0;
    while (queue.length && queue[0]!.seq <= seq) {
      const u = queue.shift()!;
      delays.owner.set(u.seq, m.at - u.commitAt!);
      covered += 1;
    }
    if (covered === 0) duplicates.owner += 1;
    if (covered > 1) coalescedSummaries += 1;
    deliveries.push({ channel: 'owner', at: m.at, seq });
  }
  deliveries.sort((x, y) => x.at - y.at);
  return { deliveries, delays, duplicates, unmatched, coalescedSummaries };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

const sortedValues = (xs: Iterable<number>): number[] => [...xs].sort((x, y) => x - y);
const fmtMs = (ms: number): string =>
  Number.isNaN(ms) ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
const fmtRate = (n: number): string => (Number.isNaN(n) ? '—' : n.toFixed(1));
const pad = (s: string | number, w: number): string => String(s).padStart(w);
const padEnd = (s: string | number, w: number): string => String(s).padEnd(w);

interface ScenarioReport {
  label: string;
  channels: readonly Channel[];
  load: LoadResult;
  corr: Correlated;
  metricsBefore: PromSample[] | null;
  metricsAfter: PromSample[] | null;
  seeded: number;
  output: string[];
  /** SMTP session times (ms) of the e-mails sent during this phase. */
  smtpSessionMs: number[];
}

interface Summary {
  label: string;
  updatesOk: number;
  steadyUpdatesPerSec: number;
  steadyDeliveriesPerSec: Record<Channel, number>;
  p50: Record<Channel, number>;
  p99: Record<Channel, number>;
  backlogAtEnd: number;
  drainMs: number | null;
  serverCpuPct: number | null;
  workerCpuPct: number | null;
}

function report(o: Options, s: ScenarioReport): Summary {
  const { load, corr } = s;
  const ok = load.records.filter((r) => r.commitAt !== null);
  const failed = load.records.filter((r) => r.commitAt === null);
  const steadyFrom = load.t0 + o.warmupS * 1000;
  const steadyS = (load.tEnd - steadyFrom) / 1000;
  const inSteady = (t: number) => t >= steadyFrom && t < load.tEnd;
  const steadyUpdates = ok.filter((r) => inSteady(r.commitAt!));
  const steadySeqs = new Set(steadyUpdates.map((r) => r.seq));

  const lines: string[] = [];
  const out = (l = '') => lines.push(l);
  out(`── ${s.label} ${'─'.repeat(Math.max(0, 96 - s.label.length))}`);

  // Load as achieved
  const lag = sortedValues(load.records.map((r) => r.sentAt - r.scheduledAt));
  const rtt = sortedValues(ok.map((r) => r.doneAt - r.sentAt));
  const errorKinds = new Map<string, number>();
  for (const r of failed) {
    const kind = (r.error ?? '').split(':')[0] ?? '';
    errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  }
  out(
    `load: ${load.records.length} updates over ${o.durationS} s to ${s.seeded} profiles (target ${o.rate}/s); ` +
      `${ok.length} committed, ${failed.length} failed${failed.length ? ` (${[...errorKinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`,
  );
  out(
    `      steady phase (${o.warmupS}–${o.durationS} s): ${fmtRate(steadyUpdates.length / steadyS)} commits/s; ` +
      `updateProfile round trip p50 ${fmtMs(percentile(rtt, 0.5))}, p99 ${fmtMs(percentile(rtt, 0.99))}; ` +
      `send lag behind schedule p99 ${fmtMs(percentile(lag, 0.99))}; bench event-loop delay p99 ${fmtMs(load.loopDelayP99Ms)}`,
  );
  out();

  // Throughput and delays per channel
  const per = Object.fromEntries(CHANNELS.map((c) => [c, corr.deliveries.filter((d) => d.channel === c)])) as Record<
    Channel,
    Delivery[]
  >;
  const steadyRate = (c: Channel) => per[c].filter((d) => inSteady(d.at)).length / steadyS;
  const totalSteady = s.channels.reduce((sum, c) => sum + steadyRate(c), 0);
  const delays = Object.fromEntries(
    CHANNELS.map((c) => [c, sortedValues([...corr.delays[c]].filter(([seq]) => steadySeqs.has(seq)).map(([, d]) => d))]),
  ) as Record<Channel, number[]>;
  const missing = (c: Channel) => ok.filter((r) => !corr.delays[c].has(r.seq)).length;
  const NAMES: Record<Channel, string> = {
    slack: 'Slack post (slack-team)',
    team: 'team e-mail (mail-team)',
    owner: 'owner e-mail (summary)',
  };
  out(
    `${padEnd('channel', 26)}${pad('deliv/s', 9)}${pad('per upd', 9)}${pad('p50', 9)}${pad('p95', 9)}${pad('p99', 9)}` +
      `${pad('max', 9)}${pad('n', 7)}${pad('missing', 9)}${pad('dupl', 6)}`,
  );
  for (const c of s.channels) {
    const d = delays[c];
    out(
      `${padEnd(NAMES[c], 26)}${pad(fmtRate(steadyRate(c)), 9)}${pad((steadyRate(c) / (steadyUpdates.length / steadyS)).toFixed(2), 9)}` +
        `${pad(fmtMs(percentile(d, 0.5)), 9)}${pad(fmtMs(percentile(d, 0.95)), 9)}${pad(fmtMs(percentile(d, 0.99)), 9)}` +
        `${pad(fmtMs(d.at(-1) ?? NaN), 9)}${pad(d.length, 7)}${pad(missing(c), 9)}${pad(corr.duplicates[c], 6)}`,
    );
  }
  out(
    `${padEnd('all deliveries', 26)}${pad(fmtRate(totalSteady), 9)}${pad((totalSteady / (steadyUpdates.length / steadyS)).toFixed(2), 9)}`,
  );
  out(
    `  deliv/s: messages arriving at the sinks during the steady phase ÷ its length; per upd: ÷ commits/s. Delays: commit → ` +
      `arrival, for the ${steadyUpdates.length} updates committed in the steady phase, however late they arrived. ` +
      `missing: committed updates (whole load) with no such delivery after the drain.`,
  );
  if (s.channels.includes('owner')) {
    out(
      `  owner: ${per.owner.length} summaries for ${ok.length} updates; ${corr.coalescedSummaries} summed up several updates` +
        ` (the worker lagged behind that profile's next change); owner delay = until an e-mail reflecting the change arrived.`,
    );
  }
  const ownerMissing = s.channels.includes('owner') ? ok.filter((r) => !corr.delays.owner.has(r.seq)) : [];
  if (ownerMissing.length) {
    // Why an update has no owner e-mail reflecting it: show the summary of that profile nearest to it.
    const profileOf = new Map(ok.map((r) => [r.seq, r.profile]));
    out(`  owner e-mails never reflecting an update: ${ownerMissing.length}; e.g.`);
    for (const u of ownerMissing.slice(0, 3)) {
      const next = per.owner.find((d) => profileOf.get(d.seq) === u.profile && d.at >= u.commitAt!);
      out(
        `    update #${u.seq} (profile ${u.profile}) committed at +${fmtMs(u.commitAt! - load.t0)}: ` +
          (next
            ? `the next summary of that profile arrived ${fmtMs(next.at - u.commitAt!)} later carrying the older #${next.seq}, and no later one came`
            : 'no summary of that profile arrived after it'),
      );
    }
  }
  if (corr.unmatched) out(`  ${corr.unmatched} messages carried no marker of ours (unexpected).`);
  out();

  // Backlog and drain
  const b = load.backlogAtEnd;
  const lastDelivery = corr.deliveries.at(-1)?.at;
  const drainMs = load.drainedAt === null ? null : Math.max(0, load.drainedAt - load.tEnd);
  out(
    `backlog when the load stopped: ${backlogTotal(b)} (outbox ${b.outbox}, jobs pending ${b.pending}, running ${b.running}); ` +
      `dead letters ${load.timeline.at(-1)?.backlog.dead ?? 0}`,
  );
  out(
    `drain: queue empty ${drainMs === null ? `NOT within ${o.drainTimeoutS} s` : `${fmtMs(drainMs)} after the load stopped`}; ` +
      `last delivery ${lastDelivery === undefined ? '—' : `${fmtMs(lastDelivery - load.tEnd)} after it`}`,
  );
  out();

  // Timeline
  const step = Math.max(1, Math.round(o.durationS / 20));
  const endAt = Math.max(load.tEnd, lastDelivery ?? 0, load.timeline.at(-1)?.at ?? 0);
  out(
    `timeline (every ${step} s; counts in the interval; delay p50/p99 of deliveries arriving in it, all channels; backlog at its end)`,
  );
  out(
    `${pad('t (s)', 7)}${pad('commits', 9)}${s.channels.map((c) => pad(c, 8)).join('')}${pad('p50', 9)}${pad('p99', 9)}` +
      `${pad('backlog', 9)}${pad('outbox', 8)}${pad('pending', 9)}${pad('running', 9)}`,
  );
  const delayOf = (d: Delivery) => corr.delays[d.channel].get(d.seq);
  for (let t = load.t0; t < endAt; t += step * 1000) {
    const inside = (x: number) => x >= t && x < t + step * 1000;
    const arrived = corr.deliveries.filter((d) => inside(d.at));
    const ds = sortedValues(
      arrived.flatMap((d) => {
        const v = delayOf(d);
        return v === undefined ? [] : [v];
      }),
    );
    const sample = [...load.timeline].reverse().find((x) => x.at <= t + step * 1000) ?? load.timeline[0];
    const bl = sample?.backlog;
    out(
      `${pad(((t - load.t0) / 1000).toFixed(0), 7)}${pad(ok.filter((r) => inside(r.commitAt!)).length, 9)}` +
        `${s.channels.map((c) => pad(arrived.filter((d) => d.channel === c).length, 8)).join('')}` +
        `${pad(fmtMs(percentile(ds, 0.5)), 9)}${pad(fmtMs(percentile(ds, 0.99)), 9)}` +
        `${pad(bl ? backlogTotal(bl) : '—', 9)}${pad(bl?.outbox ?? '—', 8)}${pad(bl?.pending ?? '—', 9)}${pad(bl?.running ?? '—', 9)}`,
    );
  }
  out();

  // The worker's own view
  if (s.metricsBefore && s.metricsAfter) {
    out('worker metrics (GET /metrics, this phase only): atelier_event_delivery_delay_seconds = event recorded → handler done');
    out(
      `${padEnd('handler', 30)}${pad('done', 7)}${pad('retry', 7)}${pad('dead', 6)}${pad('mean', 9)}${pad('~p50', 9)}${pad('~p99', 9)}`,
    );
    const processed = processedDelta(s.metricsBefore, s.metricsAfter);
    for (const h of delayHistograms(s.metricsBefore, s.metricsAfter)) {
      const p = processed.get(h.handler) ?? {};
      out(
        `${padEnd(h.handler, 30)}${pad(p.done ?? 0, 7)}${pad(p.retry ?? 0, 7)}${pad(p.dead ?? 0, 6)}` +
          `${pad(fmtMs((h.sum / h.count) * 1000), 9)}${pad(fmtMs(histogramQuantile(h, 0.5) * 1000), 9)}` +
          `${pad(fmtMs(histogramQuantile(h, 0.99) * 1000), 9)}`,
      );
    }
    out(
      '  (~: interpolated within the histogram buckets 10/50/100/250/500 ms, 1/2.5/5/15 s. The summary job\'s "event" is the ' +
        'summary due at collect time, so its figure leaves out the collect hop; the bench figures above include it.)',
    );
  } else {
    out(
      'worker metrics: n/a — the standalone worker (src/worker-main.ts) builds its runtime without a metrics registry and ' +
        "serves no /metrics; the server's counters stay at 0 with WORKER=off.",
    );
  }
  out();

  // CPU
  const { before, after } = load.cpu;
  const wallS = (load.tEnd - load.t0) / 1000;
  const pct = (x: number | null, y: number | null) => (x === null || y === null ? null : ((y - x) / wallS) * 100);
  const serverPct = pct(before.server, after.server);
  const workerPct = pct(before.worker, after.worker);
  const benchPct = pct(before.bench, after.bench);
  const machinePct =
    before.machine && after.machine
      ? ((after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total)) * 100
      : null;
  const fmtPct = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(0)}%`);
  out(
    `CPU during the load (% of one core): server ${fmtPct(serverPct)}${o.worker === 'separate' ? `, worker ${fmtPct(workerPct)}` : ''}, ` +
      `bench (load generator + sinks) ${fmtPct(benchPct)}; whole machine ${fmtPct(machinePct)} busy of ${os.cpus().length} cores`,
  );
  // What the machine spent beyond our processes: another job running beside the bench skews every figure.
  const others =
    machinePct === null || serverPct === null
      ? null
      : machinePct * os.cpus().length - serverPct - (workerPct ?? 0) - (benchPct ?? 0);
  if (others !== null && others > 20) {
    out(`WARNING: other processes used ≈ ${others.toFixed(0)}% of one core during the load; these figures are not clean.`);
  }

  // Where a job's time goes: an e-mail job holds one of the worker's slots for a whole SMTP conversation.
  const slots = loadConfig({}).worker.concurrency;
  const session = sortedValues(s.smtpSessionMs);
  const loadSamples = load.timeline.filter((x) => x.at <= load.tEnd);
  const full = loadSamples.filter((x) => x.backlog.running >= slots).length;
  const mailsNeeded = (steadyUpdates.length / steadyS) * s.channels.filter((c) => c !== 'slack').length;
  out(
    `worker slots: ${slots} jobs at once (JOB_CONCURRENCY, default); all ${slots} busy in ` +
      `${full} of ${loadSamples.length} one-second samples during the load`,
  );
  out(
    `SMTP conversation per e-mail, as the sink saw it (TCP accept → message accepted): p50 ${fmtMs(percentile(session, 0.5))}, ` +
      `p99 ${fmtMs(percentile(session, 0.99))}. SmtpMailer opens one connection per message, and smtp-server pauses 100 ms ` +
      'before its greeting (early-talker check), a stand-in for the TCP/TLS/AUTH round trips of a real relay.',
  );
  out(
    `  so e-mail alone needs ≈ ${fmtRate(mailsNeeded)} mails/s × ${fmtMs(percentile(session, 0.5))} = ` +
      `${((mailsNeeded * percentile(session, 0.5)) / 1000).toFixed(1)} busy slots of ${slots} at this load (if no summary coalesced)`,
  );

  // Verdict: the team channels are one delivery per update, so they show whether the worker kept pace.
  const commitsPerS = steadyUpdates.length / steadyS;
  const oneToOne = s.channels.filter((c) => c !== 'owner');
  const paceChannels: readonly Channel[] = oneToOne.length ? oneToOne : s.channels;
  const ratios = paceChannels.map((c) => steadyRate(c) / commitsPerS);
  const minRatio = Math.min(...ratios);
  const backlogLimit = Math.ceil(4 * o.rate); // about one second of jobs (4 per update)
  const keptUp = minRatio >= 0.95 && backlogTotal(b) <= backlogLimit && drainMs !== null && drainMs <= 2_000;
  out(
    `verdict: ${keptUp ? 'KEPT UP' : 'FELL BEHIND'} — steady deliveries ${fmtRate(totalSteady)}/s for ${fmtRate(commitsPerS)} commits/s ` +
      `(${(totalSteady / commitsPerS).toFixed(2)} per update, expected ${s.channels.length}; slowest channel ${minRatio.toFixed(2)} of the commit rate), ` +
      `backlog at stop ${backlogTotal(b)} (≤ ${backlogLimit} ≈ 1 s of jobs), drained in ${drainMs === null ? '—' : fmtMs(drainMs)}`,
  );
  const warnings = s.output.filter((l) => /"level":(40|50|60)|warn|error/i.test(l));
  if (warnings.length) {
    out(`server/worker printed ${warnings.length} warning/error lines; the first ones:`);
    for (const l of warnings.slice(0, 5)) out(`  ${l.slice(0, 300)}`);
  }
  out();
  console.log(lines.join('\n'));

  return {
    label: s.label,
    updatesOk: ok.length,
    steadyUpdatesPerSec: commitsPerS,
    steadyDeliveriesPerSec: Object.fromEntries(CHANNELS.map((c) => [c, steadyRate(c)])) as Record<Channel, number>,
    p50: Object.fromEntries(CHANNELS.map((c) => [c, percentile(delays[c], 0.5)])) as Record<Channel, number>,
    p99: Object.fromEntries(CHANNELS.map((c) => [c, percentile(delays[c], 0.99)])) as Record<Channel, number>,
    backlogAtEnd: backlogTotal(b),
    drainMs,
    serverCpuPct: serverPct,
    workerCpuPct: workerPct,
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

async function runScenario(o: Options, label: string, withTeam: boolean, runTag: string): Promise<Summary> {
  const smtp = new SmtpSink();
  const slack = new SlackReceiver();
  await smtp.start();
  await slack.start();
  const stopSinks = async () => {
    await Promise.allSettled([smtp.stop(), slack.stop()]);
  };
  live.stoppers.add(stopSinks);
  let atelier: Atelier | undefined;
  let backlog: BacklogReader | undefined;
  try {
    atelier = await startAtelier(o, {
      smtpUrl: smtp.url,
      slackUrl: withTeam ? slack.url : undefined,
      teamEmail: withTeam ? TEAM_EMAIL : undefined,
    });
    backlog = new BacklogReader(atelier.dataDir);
    const a = atelier;
    const b = backlog;
    const lastArrival = () => Math.max(smtp.messages.at(-1)?.at ?? 0, slack.posts.at(-1)?.at ?? 0);

    process.stderr.write(`${label}: seeding ${o.profiles} freelancers through the API…\n`);
    const seedStart = Date.now();
    const profiles = await seed(a, smtp, o.profiles, runTag);
    const settled = await settle(b, { last: lastArrival }, 500, 60_000);
    process.stderr.write(
      `${label}: seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s${settled ? '' : ' (queue not empty after 60 s!)'}; ` +
        `load for ${o.durationS} s…\n`,
    );

    const metricsBefore = o.worker === 'embedded' ? await scrape(a.url) : null;
    const from = { mail: smtp.messages.length, slack: slack.posts.length };
    const load = await runLoad(o, a, profiles, b, lastArrival);
    const metricsAfter = o.worker === 'embedded' ? await scrape(a.url) : null;
    process.stderr.write(
      `${label}: load done; correlating ${smtp.messages.length - from.mail + slack.posts.length - from.slack} messages…\n`,
    );
    const corr = await correlate(load.records, smtp, slack, from);
    const channels: readonly Channel[] = withTeam ? CHANNELS : ['owner'];
    const smtpSessionMs = smtp.messages
      .slice(from.mail)
      .filter((m) => m.kind === 'team' || m.kind === 'summary')
      .map((m) => m.sessionMs);
    return report(o, {
      label,
      channels,
      load,
      corr,
      metricsBefore,
      metricsAfter,
      seeded: profiles.length,
      output: a.output,
      smtpSessionMs,
    });
  } finally {
    backlog?.close();
    if (atelier) await stopAtelier(atelier);
    await stopSinks();
    live.stoppers.delete(stopSinks);
  }
}

/** How busy the whole machine is over `ms`, in % of all cores (null off Linux). */
async function machineBusyPct(ms: number): Promise<number | null> {
  const a = machineJiffies();
  await sleep(ms);
  const b = machineJiffies();
  return a && b ? ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100 : null;
}

function printHeader(o: Options, idleBusy: number | null): void {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  console.log('Atelier — event delivery benchmark (issue 3)');
  console.log(
    `machine: ${cpus.length} × ${model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, ` +
      `Node ${process.version}`,
  );
  console.log(
    `machine busy before the run: ${idleBusy === null ? 'n/a' : `${idleBusy.toFixed(0)}% of all cores`}` +
      (idleBusy !== null && idleBusy > 10 ? ' — WARNING: something else is running; figures will be skewed' : ''),
  );
  console.log(
    `dataset: ${o.profiles} freelancer profiles (seeded through the API: signup, mailed code, verify, login, createProfile)`,
  );
  console.log(
    `load: ${o.rate} profile updates/s for ${o.durationS} s (steady phase after a ${o.warmupS} s warm-up), round-robin; ` +
      `each changes availability.status (alternating) and firstName (the correlation marker)`,
  );
  console.log(
    `server: node --import tsx src/main.ts, NODE_ENV=production, SQLite stores in a fresh temp DATA_DIR, ` +
      `PROFILE_MAIL_WINDOW_MS=0, MAIL_TRANSPORT=smtp (sink in this process), JOB_* defaults (poll 250 ms, JOB_CONCURRENCY ${loadConfig({}).worker.concurrency}); ` +
      `worker: ${o.worker === 'embedded' ? 'embedded in the server process' : 'separate process (src/worker-main.ts), server WORKER=off'}`,
  );
  console.log(
    `note: the load generator, the SMTP sink and the Slack receiver run in this process and share the ${cpus.length} cores ` +
      `with the server${o.worker === 'separate' ? ' and the worker' : ''}.`,
  );
  console.log();
}

function printComparison(full: Summary, base: Summary): void {
  console.log('── Comparison ' + '─'.repeat(85));
  console.log(
    `${padEnd('', 44)}${pad('commits/s', 10)}${pad('owner/s', 9)}${pad('owner p50', 11)}${pad('owner p99', 11)}` +
      `${pad('backlog', 9)}${pad('drain', 9)}${pad('srv CPU', 9)}${pad('wrk CPU', 9)}`,
  );
  for (const s of [full, base]) {
    console.log(
      `${padEnd(s.label.slice(0, 43), 44)}${pad(fmtRate(s.steadyUpdatesPerSec), 10)}${pad(fmtRate(s.steadyDeliveriesPerSec.owner), 9)}` +
        `${pad(fmtMs(s.p50.owner), 11)}${pad(fmtMs(s.p99.owner), 11)}${pad(s.backlogAtEnd, 9)}` +
        `${pad(s.drainMs === null ? '—' : fmtMs(s.drainMs), 9)}${pad(s.serverCpuPct === null ? 'n/a' : `${s.serverCpuPct.toFixed(0)}%`, 9)}` +
        `${pad(s.workerCpuPct === null ? 'n/a' : `${s.workerCpuPct.toFixed(0)}%`, 9)}`,
    );
  }
  console.log();
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(USAGE);
    process.exit(2);
  }
  installSignalHandlers();
  const busy = await machineBusyPct(1000);
  printHeader(o, busy);
  const runTag = randomBytes(3).toString('hex');
  const full = await runScenario(o, 'Slack + team e-mail + owner summary', true, runTag);
  if (o.baseline) {
    const base = await runScenario(o, 'Baseline: owner summary only (SLACK_WEBHOOK_URL, TEAM_EMAIL unset)', false, runTag);
    printComparison(full, base);
  }
}

main().then(
  async () => {
    await cleanUp();
    process.exit(0);
  },
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await cleanUp();
    process.exit(1);
  },
);
