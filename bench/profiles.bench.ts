/**
 * `npm run bench` — getProfile / updateProfile throughput and latency under concurrent load, on
 * the SQLite and DynamoDB stores, against the same server's `GET /healthz` measured in the same run.
 *
 * Requirement: "reads at ≥ 40% of the healthz ceiling with p99 ≤ 20 ms on SQLite". This is not a
 * pass/fail test: it prints figures, ratios to the ceiling, and whether the aim is met.
 *
 * The real server runs as a child process (`node --import tsx src/main.ts`), configured only by its
 * environment, so what is measured is what ships: production mode, real HTTP, real stores.
 *
 *   npm run bench -- [--store sqlite|dynamodb|both] [--profiles N] [--duration S] [--warmup S]
 *                    [--connections C] [--json]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createDocumentClient, createTables } from '../src/shared/dynamodb.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../test/support/dynamodb-local.js';
import { MailedCodes } from './mailed-codes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AIM = { readRatio: 0.4, readP99Ms: 20 } as const;
/** Busy CPU of other processes (% of one core) above which a run is flagged as disturbed. */
const DISTURBED_PCT = 15;
const STORES = ['sqlite', 'dynamodb'] as const;
type Store = (typeof STORES)[number];

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

interface Options {
  stores: Store[];
  profiles: number;
  durationS: number;
  warmupS: number;
  connections: number;
  json: boolean;
}

const USAGE = `usage: npm run bench -- [--store sqlite|dynamodb|both] [--profiles N] [--duration S] [--warmup S] [--connections C] [--json]`;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      store: { type: 'string', default: 'both' },
      profiles: { type: 'string', default: '500' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '16' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got "${raw}")`);
    return n;
  };
  const store = values.store;
  if (store !== 'both' && store !== 'sqlite' && store !== 'dynamodb') {
    throw new UsageError(`--store must be sqlite, dynamodb or both (got "${store}")`);
  }
  const opts: Options = {
    stores: store === 'both' ? [...STORES] : [store],
    profiles: int('profiles', values.profiles, 1),
    durationS: int('duration', values.duration, 1),
    warmupS: int('warmup', values.warmup, 0),
    connections: int('connections', values.connections, 1),
    json: values.json,
  };
  // Each connection has at most one update in flight, and an update must not race another one on
  // the same profile (that would be a CONFLICT of the benchmark's making, not the server's).
  if (opts.profiles < opts.connections) {
    throw new UsageError(`--profiles (${opts.profiles}) must be at least --connections (${opts.connections})`);
  }
  return opts;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Clean-up: children, DynamoDB Local and temp dirs go away on success, failure and Ctrl-C alike
// ---------------------------------------------------------------------------------------------

const live = {
  servers: new Set<ChildProcess>(),
  dirs: new Set<string>(),
  dynamo: undefined as DynamoDbLocal | undefined,
};
let interrupted = false;

const hasExited = (p: ChildProcess): boolean => p.pid === undefined || p.exitCode !== null || p.signalCode !== null;

/** SIGTERM (the server drains in-flight requests), then SIGKILL if it is still there after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function cleanUp(): Promise<void> {
  await Promise.allSettled([...live.servers].map((c) => stopChild(c)));
  live.servers.clear();
  const dynamo = live.dynamo;
  live.dynamo = undefined;
  await dynamo?.stop().catch(() => undefined);
  for (const dir of live.dirs) fs.rmSync(dir, { recursive: true, force: true });
  live.dirs.clear();
}

function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // The DynamoDB Local helper re-raises the signal after killing its JVM; one clean-up is enough.
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the server(s) and removing temp data…\n`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  // Last resort if the process ends another way (an uncaught error): nothing may outlive it.
  process.on('exit', () => {
    for (const c of live.servers) if (!hasExited(c)) c.kill('SIGKILL');
    for (const dir of live.dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

// ---------------------------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------------------------

interface Server {
  url: string;
  child: ChildProcess;
  admin: { email: string; password: string };
  /** Verification codes the server mails to its FileMailer directory, under the DATA_DIR we own. */
  mail: MailedCodes;
  /** Lines the server printed (LOG_LEVEL=warn, so warnings and errors), newest last, capped. */
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

async function startServer(storeEnv: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
  live.dirs.add(dataDir);
  const admin = {
    email: `admin-${randomUUID().slice(0, 8)}@bench.atelier.test`,
    password: randomBytes(18).toString('base64url'),
  };
  // Only what node needs from our environment: a developer's PUBLIC_URL, GRAPHQL_MAX_COST or
  // PROFILE_STORE must not silently change what is measured.
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'LANG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  const env = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
    NODE_ENV: 'production',
    PASSWORD_HASH_COST: '10',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    // Sign-up mails a verification code: the embedded worker writes it to $DATA_DIR/mail/*.eml, where
    // seeding reads it. A short poll interval and per-IP budgets no seed reaches keep seeding quick
    // (every seeding request comes from 127.0.0.1).
    MAIL_TRANSPORT: 'file',
    WORKER: 'embedded',
    JOB_POLL_INTERVAL_MS: '20',
    AUTH_MAIL_RATE_LIMIT: '1000000',
    AUTH_RATE_LIMIT: '1000000',
    ...storeEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.servers.add(child);
  child.once('exit', () => live.servers.delete(child));
  const output: string[] = [];
  let pending = '';
  const keep = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    output.push(...lines.filter((l) => l.trim()));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, child, output);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { url, child, admin, mail: new MailedCodes(path.join(dataDir, 'mail')), output };
}

async function waitUntilReady(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited(child)) {
      throw new Error(`the server exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output.join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the server did not answer GET /readyz with 200 within 60 s:\n${output.join('\n')}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// API calls used for seeding (plain fetch; not measured)
// ---------------------------------------------------------------------------------------------

interface GqlError {
  message?: string;
  extensions?: { code?: string; currentVersion?: number };
}
interface ProfileResult {
  id?: string;
  version?: number;
}
interface GqlBody {
  data?: Record<string, ProfileResult | null> | null;
  errors?: GqlError[];
}

function parseGql(text: string): GqlBody | null {
  try {
    const v: unknown = JSON.parse(text);
    // Every field of GqlBody is optional and checked where it is used.
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
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

async function signIn(server: Server, email: string, password: string): Promise<string> {
  const res = await postJson(`${server.url}/auth/login`, { email, password });
  const token: unknown = res.status === 200 ? (JSON.parse(res.text) as { accessToken?: unknown }).accessToken : undefined;
  if (typeof token !== 'string') throw new Error(`login of ${email} failed: ${res.status} ${res.text}`);
  return token;
}

async function gql(server: Server, query: string, variables: Record<string, unknown>, token: string): Promise<ProfileResult> {
  const res = await postJson(`${server.url}/graphql`, { query, variables }, token);
  const body = parseGql(res.text);
  const result = body?.data ? Object.values(body.data)[0] : undefined;
  if (res.status !== 200 || !body || body.errors?.length || !result) {
    throw new Error(`GraphQL call failed: ${res.status} ${res.text.slice(0, 500)}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Dataset: realistic freelancer profiles, deterministic so that runs are comparable
// ---------------------------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so every run seeds the same dataset. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Camille',
  'Léa',
  'Hugo',
  'Chloé',
  'Lucas',
  'Inès',
  'Nathan',
  'Zoé',
  'Jonas',
  'Sofia',
  'Mateo',
  'Amira',
  'Elias',
  'Hélène',
  'Yanis',
  'Clara',
];
const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Lefèvre',
  'Moreau',
  'García',
  'Schmidt',
  'Rossi',
  'Novak',
  'Silva',
  'Janssen',
  'Müller',
  'Haddad',
  'Petit',
  'Roux',
  'Faure',
];
const SKILLS = [
  'TypeScript',
  'Node.js',
  'React',
  'GraphQL',
  'PostgreSQL',
  'AWS',
  'Kubernetes',
  'Terraform',
  'Python',
  'Django',
  'Go',
  'Rust',
  'Java',
  'Spring Boot',
  'Kotlin',
  'Swift',
  'Figma',
  'UX research',
  'Product management',
  'Scrum',
  'Data engineering',
  'Apache Spark',
  'dbt',
  'Machine learning',
  'PyTorch',
  'Vue.js',
  'Angular',
  'Docker',
  'CI/CD',
  'Security audits',
];
const ROLES = ['developer', 'engineer', 'architect', 'consultant', 'tech lead', 'designer', 'data engineer'];
const PLACES: { city: string; countryCode: string; currency: string }[] = [
  { city: 'Paris', countryCode: 'FR', currency: 'EUR' },
  { city: 'Lyon', countryCode: 'FR', currency: 'EUR' },
  { city: 'Nantes', countryCode: 'FR', currency: 'EUR' },
  { city: 'Bordeaux', countryCode: 'FR', currency: 'EUR' },
  { city: 'Berlin', countryCode: 'DE', currency: 'EUR' },
  { city: 'Madrid', countryCode: 'ES', currency: 'EUR' },
  { city: 'Lisbon', countryCode: 'PT', currency: 'EUR' },
  { city: 'Brussels', countryCode: 'BE', currency: 'EUR' },
  { city: 'Amsterdam', countryCode: 'NL', currency: 'EUR' },
  { city: 'Milan', countryCode: 'IT', currency: 'EUR' },
  { city: 'Geneva', countryCode: 'CH', currency: 'CHF' },
  { city: 'London', countryCode: 'GB', currency: 'GBP' },
];
const OTHER_LANGUAGES = ['de', 'es', 'it', 'pt', 'nl'];
const LEVELS = ['B1', 'B2', 'C1', 'C2'];
const AVAILABILITY = ['AVAILABLE', 'PARTIALLY_AVAILABLE', 'UNAVAILABLE'] as const;
const REMOTE = ['ONSITE', 'HYBRID', 'REMOTE'] as const;

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

function profileInput(i: number, email: string): Record<string, unknown> {
  const rnd = prng(0xa7e11e4 + i);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const suffix = `-${i.toString(36)}`;
  const handle = (
    ascii(`${firstName}-${lastName}`)
      .toLowerCase()
      .slice(0, 30 - suffix.length) + suffix
  ).replace(/[^a-z0-9_-]/g, '');
  const skillNames = [...SKILLS].sort(() => rnd() - 0.5).slice(0, int(5, 12));
  const mainCount = int(1, 3);
  const skills = skillNames.map((name, k) => ({
    name,
    level: int(2, 5),
    years: Math.round(rnd() * 150) / 10 + 0.5,
    isMain: k < mainCount,
  }));
  const place = pick(PLACES);
  const status = pick(AVAILABILITY);
  const from = new Date(Date.UTC(2026, int(0, 11), int(1, 28))).toISOString().slice(0, 10);
  const role = pick(ROLES);
  const main = skillNames.slice(0, mainCount).join(', ');
  return {
    handle,
    firstName,
    lastName,
    email,
    phone: `+336${String(int(0, 99_999_999)).padStart(8, '0')}`,
    headline: `${pick(['Senior', 'Lead', 'Staff', 'Freelance'])} ${main.split(', ')[0]} ${role}`,
    bio:
      `${firstName} is a ${role} with ${int(3, 20)} years of experience, mostly with ${main}. ` +
      `Has shipped products for start-ups and large companies in ${place.city} and remotely, from discovery workshops ` +
      `to production support. Enjoys pairing, writing clear documentation and mentoring junior developers. ` +
      `Recent missions: ${skillNames.slice(mainCount, mainCount + 3).join(', ') || main} on customer-facing platforms.`,
    location: { city: place.city, countryCode: place.countryCode },
    remote: pick(REMOTE),
    dailyRate: int(35, 120) * 10,
    currency: place.currency,
    availability: {
      status,
      availableFrom: status === 'UNAVAILABLE' ? from : null,
      daysPerWeek: status === 'PARTIALLY_AVAILABLE' ? int(2, 4) : status === 'AVAILABLE' ? 5 : null,
    },
    skills,
    languages: [
      { code: place.countryCode === 'GB' ? 'en' : 'fr', level: 'NATIVE' },
      { code: place.countryCode === 'GB' ? 'fr' : 'en', level: pick(LEVELS) },
      ...(rnd() < 0.5 ? [{ code: pick(OTHER_LANGUAGES), level: pick(LEVELS) }] : []),
    ],
    links: [
      { type: 'LINKEDIN', url: `https://www.linkedin.com/in/${handle}` },
      { type: 'GITHUB', url: `https://github.com/${handle}` },
      ...(rnd() < 0.5 ? [{ type: 'MALT', url: `https://www.malt.fr/profile/${handle.replace(/-/g, '')}` }] : []),
      ...(rnd() < 0.3 ? [{ type: 'WEBSITE', url: `https://${handle}.dev` }] : []),
    ],
    visibility: rnd() < 0.7 ? 'PUBLIC' : 'PRIVATE',
  };
}

// Every field of a profile, as a profile page would ask for it; the mutation returns the same, as a
// client refreshing its cached copy from the mutation's result does.
const FULL_PROFILE = `
  fragment FullProfile on Profile {
    id handle firstName lastName email phone headline bio
    location { city countryCode }
    remote dailyRate currency
    availability { status availableFrom daysPerWeek }
    skills { name level years isMain }
    languages { code level }
    links { type url }
    visibility internalNotes internalRating tags
    version createdAt updatedAt
  }`;
const CREATE_PROFILE = `mutation CreateProfile($input: CreateProfileInput!) { createProfile(input: $input) { id version } }`;
/** An ad-hoc document (not registered): Yoga answers it, as it answered every read before ADR 013. */
const GET_PROFILE_ADHOC = `query GetProfile($id: ID!) { getProfile(id: $id) { ...FullProfile } } ${FULL_PROFILE}`;
/** The registered operation the web app sends (src/graphql/operations): the server's read fast path answers it. */
const GET_PROFILE = fs.readFileSync(path.join(ROOT, 'src/graphql/operations/get-profile.graphql'), 'utf8');
const GET_PROFILE_SHA256 = createHash('sha256').update(GET_PROFILE).digest('hex');
const UPDATE_PROFILE = `mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { ...FullProfile } } ${FULL_PROFILE}`;
const VERSION_OF = `query Version($id: ID!) { getProfile(id: $id) { id version } }`;

interface Dataset {
  ids: string[];
  /** The version each profile is at, as last seen by the benchmark. */
  versions: number[];
}

/** N freelancers sign up, verify their e-mail with the mailed code, sign in and create their profile, a few at a time, through the real API. */
async function seed(server: Server, n: number, runTag: string): Promise<Dataset> {
  const ids = new Array<string>(n);
  const versions = new Array<number>(n);
  let next = 0;
  const password = 'bench password 1234';
  let failed = false;
  const worker = async () => {
    for (let i = next++; i < n && !failed; i = next++) {
      const email = `freelancer-${runTag}-${i}@bench.atelier.test`;
      const signup = await postJson(`${server.url}/auth/signup`, { email, password });
      if (signup.status !== 201) throw new Error(`signup of ${email} failed: ${signup.status} ${signup.text}`);
      const verify = await postJson(`${server.url}/auth/verify`, { email, code: await server.mail.codeFor(email) });
      if (verify.status !== 200) throw new Error(`verification of ${email} failed: ${verify.status} ${verify.text}`);
      const token = await signIn(server, email, password);
      const created = await gql(server, CREATE_PROFILE, { input: profileInput(i, email) }, token);
      if (typeof created.id !== 'string' || typeof created.version !== 'number')
        throw new Error('createProfile returned no id/version');
      ids[i] = created.id;
      versions[i] = created.version;
    }
  };
  // A few at a time, as sign-ups arrive in real life; the first failure stops the other workers.
  await Promise.all(
    Array.from({ length: 8 }, () =>
      worker().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  return { ids, versions };
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

/** What went wrong in one run, counted per response (a GraphQL response with `errors` is a failure even with HTTP 200). */
class Failures {
  failed = 0;
  readonly byKind = new Map<string, number>();
  readonly examples: string[] = [];

  add(kind: string, example: string): void {
    this.failed += 1;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.examples.length < 3) this.examples.push(example.slice(0, 300));
  }
}

interface Row {
  /** getProfile: the registered document's text; getProfile/hash: its SHA-256 only; getProfile/yoga: an ad-hoc document. */
  op: 'healthz' | 'getProfile' | 'getProfile/hash' | 'getProfile/yoga' | 'updateProfile';
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** req/s over healthz's req/s in the same run. */
  ratio: number;
  /** Connection errors and timeouts, non-2xx responses, and 200s with GraphQL `errors` or wrong data. */
  errors: number;
  errorKinds: Record<string, number>;
  errorExamples: string[];
  totalRequests: number;
  /** Busy CPU of the server process during the measured run, in % of one core (Linux only). */
  serverCpuPct: number | null;
  /** Busy CPU of this process (the load generator), in % of one core. */
  loadGenCpuPct: number;
  /** Server CPU time per completed request, in µs (Linux only). */
  serverCpuUsPerRequest: number | null;
  /** Busy CPU of the benchmark's other child processes (DynamoDB Local's JVM), in % of one core (Linux only). */
  helperCpuPct: number | null;
  /**
   * Busy CPU of everything else on the machine (anything that should not be running: a build, a test
   * suite), in % of one core (Linux only). Much above a few % skews the run.
   */
  otherCpuPct: number | null;
}

interface Load {
  op: Row['op'];
  /** Part of the URL: autocannon takes the request path from `url`, not from a `path` option. */
  path: string;
  /** Builds the autocannon options for one run, reporting failures into `failures`. */
  options(failures: Failures): Omit<autocannon.Options, 'url' | 'path'>;
  /** Called after each run (warm-up included), e.g. to resynchronise state cut off mid-request. */
  afterRun?(): Promise<void>;
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

/** Busy CPU seconds of every process descending from this one (the server, DynamoDB Local), from /proc (Linux); null elsewhere. */
function descendantsCpuSeconds(): number | null {
  try {
    const children = new Map<number, number[]>();
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // The parent pid is the second field after the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    }
    let total = 0;
    const queue = [...(children.get(process.pid) ?? [])];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      total += processCpuSeconds(pid) ?? 0;
      queue.push(...(children.get(pid) ?? []));
    }
    return total;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine, all cores together, from /proc/stat (Linux); null elsewhere. */
function machineCpuSeconds(): number | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return cpu.length >= 8 ? (total - (cpu[3] ?? 0) - (cpu[4] ?? 0)) / 100 : null;
  } catch {
    return null;
  }
}

async function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err: unknown, result: autocannon.Result) =>
      err ? reject(err instanceof Error ? err : new Error(inspect(err))) : resolve(result),
    );
  });
}

async function measure(server: Server, load: Load, o: Options): Promise<Omit<Row, 'ratio'>> {
  const base = { url: server.url + load.path, connections: o.connections, pipelining: 1, timeout: 10 };
  // The warm-up lets V8 optimise, caches fill and connections open; its figures are thrown away.
  if (o.warmupS > 0) {
    await run({ ...base, ...load.options(new Failures()), duration: o.warmupS });
    await load.afterRun?.();
  }
  const failures = new Failures();
  const cpuBefore = processCpuSeconds(server.child.pid);
  const ownBefore = descendantsCpuSeconds();
  const machineBefore = machineCpuSeconds();
  const genBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await run({ ...base, ...load.options(failures), duration: o.durationS });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = processCpuSeconds(server.child.pid);
  const ownAfter = descendantsCpuSeconds();
  const machineAfter = machineCpuSeconds();
  const gen = process.cpuUsage(genBefore);
  await load.afterRun?.();

  // For GraphQL, onResponse already counted non-2xx responses among the failures.
  if (load.op === 'healthz' && result.non2xx) failures.byKind.set('non-2xx', result.non2xx);
  const transport = result.errors;
  if (transport) failures.byKind.set(`connection errors (${result.timeouts} timeouts)`, transport);
  const serverS = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const genS = (gen.user + gen.system) / 1e6;
  const machineS = machineBefore !== null && machineAfter !== null ? machineAfter - machineBefore : null;
  const ownS = ownBefore !== null && ownAfter !== null ? ownAfter - ownBefore : null;
  return {
    op: load.op,
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: transport + (load.op === 'healthz' ? result.non2xx : failures.failed),
    errorKinds: Object.fromEntries(failures.byKind),
    errorExamples: failures.examples,
    totalRequests: result.requests.total,
    serverCpuPct: serverS === null ? null : (serverS / wallS) * 100,
    loadGenCpuPct: (genS / wallS) * 100,
    serverCpuUsPerRequest: serverS === null || !result.requests.total ? null : (serverS * 1e6) / result.requests.total,
    helperCpuPct: ownS === null || serverS === null ? null : (Math.max(0, ownS - serverS) / wallS) * 100,
    otherCpuPct: machineS === null || ownS === null ? null : (Math.max(0, machineS - ownS - genS) / wallS) * 100,
  };
}

const GRAPHQL_HEADERS = (token: string) => ({
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
  authorization: `Bearer ${token}`,
});

/** Classifies one GraphQL response; returns the body when it is a success. */
function checkGql(status: number, text: string, field: string, failures: Failures): { body: GqlBody | null; ok: boolean } {
  const body = parseGql(text);
  const errors = body?.errors ?? [];
  if (errors.length) {
    const codes = [...new Set(errors.map((e) => e.extensions?.code ?? 'no code'))].join('+');
    failures.add(`GraphQL errors: ${codes}`, `${status} ${text}`);
    return { body, ok: false };
  }
  if (status !== 200) {
    failures.add(`HTTP ${status}`, `${status} ${text}`);
    return { body, ok: false };
  }
  if (!body?.data?.[field]) {
    failures.add('no data', `${status} ${text}`);
    return { body, ok: false };
  }
  return { body, ok: true };
}

function healthzLoad(): Load {
  return { op: 'healthz', path: '/healthz', options: () => ({ method: 'GET' }) };
}

function getProfileLoad(data: Dataset, token: string, how: 'text' | 'hash' | 'yoga' = 'text'): Load {
  // Bodies built once: the load generator shares the CPU with the server, so it does as little as possible.
  const body = (id: string) =>
    how === 'hash'
      ? { extensions: { persistedQuery: { version: 1, sha256Hash: GET_PROFILE_SHA256 } }, variables: { id } }
      : { query: how === 'yoga' ? GET_PROFILE_ADHOC : GET_PROFILE, variables: { id } };
  const bodies = data.ids.map((id) => JSON.stringify(body(id)));
  let next = 0;
  return {
    op: how === 'text' ? 'getProfile' : how === 'hash' ? 'getProfile/hash' : 'getProfile/yoga',
    path: '/graphql',
    options: (failures) => {
      // Which profile each in-flight request asked for, keyed by autocannon's per-request context.
      const asked = new WeakMap<object, number>();
      return {
        method: 'POST',
        headers: GRAPHQL_HEADERS(token),
        requests: [
          {
            setupRequest: (req, context) => {
              const i = next++ % bodies.length;
              asked.set(context, i);
              return { ...req, body: bodies[i] };
            },
            onResponse: (status, text, context) => {
              const { body, ok } = checkGql(status, text, 'getProfile', failures);
              const i = asked.get(context);
              if (ok && i !== undefined && body?.data?.getProfile?.id !== data.ids[i]) {
                failures.add('wrong profile', `asked ${data.ids[i]}, got ${text.slice(0, 200)}`);
              }
            },
          },
        ],
      };
    },
  };
}

function updateProfileLoad(server: Server, data: Dataset, token: string): Load {
  const n = data.ids.length;
  /** Profiles with an update in flight, and since when: never two updates on one profile at once. */
  const inFlight = new Map<number, number>();
  const STALE_MS = 10_000; // autocannon's request timeout: past it the request is abandoned
  let next = 0;
  const pickProfile = (): number => {
    const now = Date.now();
    for (let tries = 0; tries < n; tries++) {
      const i = next++ % n;
      const since = inFlight.get(i);
      if (since === undefined || now - since > STALE_MS) return i;
    }
    return next++ % n; // unreachable while profiles ≥ connections (checked at start-up)
  };
  // The field flips between two values so that every update is a real change (an update that
  // changes nothing returns early without writing, which would flatter the figures).
  const HEADLINES = ['Freelance developer, available for new missions', 'Freelance developer, booked until next quarter'];
  return {
    op: 'updateProfile',
    path: '/graphql',
    options: (failures) => {
      const asked = new WeakMap<object, number>();
      return {
        method: 'POST',
        headers: GRAPHQL_HEADERS(token),
        requests: [
          {
            setupRequest: (req, context) => {
              const i = pickProfile();
              inFlight.set(i, Date.now());
              asked.set(context, i);
              const expectedVersion = data.versions[i] ?? 1;
              const input = { id: data.ids[i], expectedVersion, headline: HEADLINES[expectedVersion % 2] };
              return { ...req, body: JSON.stringify({ query: UPDATE_PROFILE, variables: { input } }) };
            },
            onResponse: (status, text, context) => {
              const i = asked.get(context);
              if (i === undefined) return;
              inFlight.delete(i);
              const { body, ok } = checkGql(status, text, 'updateProfile', failures);
              const version = body?.data?.updateProfile?.version;
              if (ok && typeof version === 'number') {
                data.versions[i] = version;
                return;
              }
              // After a CONFLICT the server tells the current version: carry on from it.
              const current = body?.errors?.find((e) => e.extensions?.code === 'CONFLICT')?.extensions?.currentVersion;
              if (typeof current === 'number') data.versions[i] = current;
            },
          },
        ],
      };
    },
    // Requests still in flight when a run ends are abandoned by autocannon, but the server may
    // have applied them: read those versions back so the next run starts without a stale one.
    async afterRun() {
      if (!inFlight.size) return;
      await sleep(500);
      for (const i of inFlight.keys()) {
        const got = await gql(server, VERSION_OF, { id: data.ids[i] }, token);
        if (typeof got.version === 'number') data.versions[i] = got.version;
      }
      inFlight.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One store, end to end
// ---------------------------------------------------------------------------------------------

interface StoreResult {
  store: Store;
  skipped?: string;
  seedSeconds?: number;
  rows?: Row[];
  aim?: { readRatio: number; readP99Ms: number; met: boolean };
  serverLog?: string[];
  serverExit?: string;
}

/** The last server's tail of warnings/errors and exit status, read after benchStore returns or throws. */
let lastServer: { log: string[]; exit?: string } = { log: [] };

const hasJava = (): boolean => !spawnSync('java', ['-version'], { stdio: 'ignore' }).error;

async function benchStore(store: Store, o: Options): Promise<StoreResult> {
  let storeEnv: Record<string, string> = {};
  if (store === 'dynamodb') {
    if (!hasJava()) {
      return {
        store,
        skipped:
          'DynamoDB Local needs a Java runtime (`java` on PATH), and none was found; install one (e.g. apt-get install default-jre-headless) to measure this store',
      };
    }
    progress('dynamodb: starting DynamoDB Local…');
    try {
      live.dynamo = await startDynamoDbLocal();
    } catch (err) {
      return { store, skipped: `DynamoDB Local did not start: ${err instanceof Error ? err.message : String(err)}` };
    }
    const region = 'eu-west-3';
    const prefix = `bench_${randomUUID().slice(0, 8)}_`;
    const client = createDocumentClient({ endpoint: live.dynamo.endpoint, region });
    try {
      await createTables(client, prefix);
    } finally {
      client.destroy();
    }
    storeEnv = {
      PROFILE_STORE: 'dynamodb',
      ACCOUNT_STORE: 'dynamodb',
      // Jobs and notification state (which JOB_STORE also picks) on DynamoDB too, as a deployment has them.
      JOB_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: live.dynamo.endpoint,
      DYNAMODB_TABLE_PREFIX: prefix,
      AWS_REGION: region,
    };
  }

  progress(`${store}: starting the server…`);
  const server = await startServer(storeEnv);
  try {
    progress(`${store}: seeding ${o.profiles} freelancer accounts and profiles through the API…`);
    const t0 = performance.now();
    const data = await seed(server, o.profiles, randomUUID().slice(0, 6));
    const seedSeconds = (performance.now() - t0) / 1000;
    // Signed in after seeding so the access token (15 min by default) is fresh for the measurements.
    const token = await signIn(server, server.admin.email, server.admin.password);

    const rows: Row[] = [];
    for (const load of [
      healthzLoad(),
      getProfileLoad(data, token, 'text'),
      getProfileLoad(data, token, 'hash'),
      getProfileLoad(data, token, 'yoga'),
      updateProfileLoad(server, data, token),
    ]) {
      progress(`${store}: ${load.op}: ${o.warmupS} s warm-up + ${o.durationS} s at ${o.connections} connections…`);
      const m = await measure(server, load, o);
      const ceiling = rows[0]?.reqPerSec ?? m.reqPerSec;
      rows.push({ ...m, ratio: ceiling > 0 ? m.reqPerSec / ceiling : 0 });
    }
    const read = rows.find((r) => r.op === 'getProfile');
    const aim = read
      ? {
          readRatio: read.ratio,
          readP99Ms: read.p99Ms,
          met: read.ratio >= AIM.readRatio && read.p99Ms <= AIM.readP99Ms && read.errors === 0,
        }
      : undefined;
    return { store, seedSeconds, rows, ...(aim ? { aim } : {}) };
  } finally {
    await stopChild(server.child);
    live.servers.delete(server.child);
    const exit =
      server.child.exitCode === 0 ? undefined : `exited with ${server.child.exitCode ?? server.child.signalCode} after SIGTERM`;
    const log = server.output.length <= 12 ? server.output : [...server.output.slice(0, 6), '…', ...server.output.slice(-6)];
    lastServer = { log, ...(exit ? { exit } : {}) };
    if (live.dynamo) {
      const dynamo = live.dynamo;
      live.dynamo = undefined;
      await dynamo.stop();
    }
    for (const dir of live.dirs) fs.rmSync(dir, { recursive: true, force: true });
    live.dirs.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const progress = (line: string) => process.stderr.write(`… ${line}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const pctOrUnknown = (p: number | null) => (p === null ? '?' : String(Math.round(p)));

function header(o: Options, startedAt: Date, loadAtStart: number[]): string[] {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Atelier profiles benchmark — started ${startedAt.toISOString()}`,
    `dataset:  ${o.profiles} freelancer profiles (one per account, created through the API), ${o.connections} concurrent connections,`,
    `          ${o.durationS} s measured per operation after a ${o.warmupS} s warm-up (not counted)`,
    `machine:  ${cpus.length} cores (${model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}`,
    // Anything else running skews the figures; the load average at start makes that visible.
    `          load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
    `note:     the load generator (autocannon, in this process) shares these ${cpus.length} cores with the server under test`,
    `          (and, for dynamodb, with DynamoDB Local's JVM): absolute req/s are below what a dedicated machine gives;`,
    `          compare the ratios to GET /healthz, measured by the same server in the same run.`,
    `          Latencies are autocannon's (whole milliseconds). "server µs/req" is the server's CPU time per request`,
    `          (its threads together): it moves less than req/s when something else takes the CPU.`,
  ];
}

function table(r: StoreResult): string[] {
  if (r.skipped) return [``, `${r.store}: skipped — ${r.skipped}`];
  const rows = r.rows ?? [];
  const cols = ['operation', 'req/s', 'p50 ms', 'p99 ms', 'vs healthz', 'errors', 'server µs/req'];
  const widths = [15, 9, 8, 8, 11, 8, 14];
  const line = (cells: string[]) =>
    '  ' + cells.map((c, k) => (k === 0 ? c.padEnd(widths[k] ?? 0) : c.padStart(widths[k] ?? 0))).join('  ');
  const out = [
    ``,
    `${r.store} — ${r.store === 'sqlite' ? 'accounts and profiles on SQLite (WAL)' : 'accounts and profiles on DynamoDB Local (in memory)'}; seeded in ${r.seedSeconds?.toFixed(1)} s`,
    line(cols),
    ...rows.map((row) =>
      line([
        row.op,
        fmtInt(row.reqPerSec),
        String(row.p50Ms),
        String(row.p99Ms),
        pct(row.ratio),
        fmtInt(row.errors),
        row.serverCpuUsPerRequest === null ? '?' : fmtInt(row.serverCpuUsPerRequest),
      ]),
    ),
    `  cpu during each run, % of one core (server / load generator${r.store === 'dynamodb' ? ' / DynamoDB Local' : ''} / everything else): ${rows
      .map(
        (row) =>
          `${row.op} ${[
            pctOrUnknown(row.serverCpuPct),
            String(Math.round(row.loadGenCpuPct)),
            ...(r.store === 'dynamodb' ? [pctOrUnknown(row.helperCpuPct)] : []),
            pctOrUnknown(row.otherCpuPct),
          ].join('/')}`,
      )
      .join(', ')}`,
  ];
  for (const row of rows.filter((x) => x.errors > 0)) {
    const kinds = Object.entries(row.errorKinds)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ');
    out.push(`  ${row.op} errors: ${kinds}`);
    for (const e of row.errorExamples) out.push(`    e.g. ${e}`);
  }
  const disturbed = rows.filter((row) => row.otherCpuPct !== null && row.otherCpuPct > DISTURBED_PCT);
  if (disturbed.length) {
    out.push(
      `  ⚠ other processes used the CPU during ${disturbed.map((row) => row.op).join(', ')}: those figures (and ratios) are not comparable; run again on a quiet machine`,
    );
  }
  if (r.serverExit) out.push(`  the server ${r.serverExit}`);
  if (r.serverLog?.length) {
    out.push(`  the server printed (LOG_LEVEL=warn, so warnings and errors only):`);
    for (const l of r.serverLog) out.push(`    ${l.slice(0, 300)}`);
  }
  return out;
}

function aimLine(r: StoreResult): string | null {
  if (!r.aim) return null;
  const read = r.rows?.find((x) => x.op === 'getProfile');
  const errors = read && read.errors > 0 ? `, ${read.errors} failed reads` : '';
  const note = r.store === 'sqlite' ? '' : ' (for information: the aim is stated for SQLite)';
  return (
    `${r.store}: reads at ${pct(r.aim.readRatio)} of ceiling (aim ≥ ${AIM.readRatio * 100}%), ` +
    `p99 ${r.aim.readP99Ms} ms (aim ≤ ${AIM.readP99Ms} ms)${errors}: ${r.aim.met ? 'met' : 'not met'}${note}`
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  installSignalHandlers();
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const results: StoreResult[] = [];
  let failed = false;
  for (const store of o.stores) {
    lastServer = { log: [] };
    try {
      const r = await benchStore(store, o);
      results.push({
        ...r,
        ...(lastServer.log.length ? { serverLog: lastServer.log } : {}),
        ...(lastServer.exit ? { serverExit: lastServer.exit } : {}),
      });
    } catch (err) {
      if (interrupted) return 130;
      failed = true;
      const why = err instanceof Error ? err.message : String(err);
      results.push({ store, skipped: `failed: ${why}`, ...(lastServer.log.length ? { serverLog: lastServer.log } : {}) });
    }
  }

  const out = [...header(o, startedAt, loadAtStart), ...results.flatMap(table), ``];
  const aims = results.map(aimLine).filter((l): l is string => l !== null);
  out.push(...(aims.length ? aims : ['no store was measured, so the aim could not be checked']));
  console.log(out.join('\n'));

  if (o.json) {
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `profiles-${startedAt.toISOString().replace(/:/g, '-').replace(/\..*$/, '')}.json`);
    const cpus = os.cpus();
    const doc = {
      date: startedAt.toISOString(),
      loadAverageAtStart: loadAtStart,
      dataset: { profiles: o.profiles, connections: o.connections, durationS: o.durationS, warmupS: o.warmupS },
      machine: {
        cores: cpus.length,
        model: cpus[0]?.model.trim(),
        totalMemBytes: os.totalmem(),
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        loadGeneratorSharesCores: true,
      },
      aim: AIM,
      stores: results,
    };
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    console.log(`\nresults written to ${path.relative(ROOT, file)}`);
  }
  return failed ? 1 : 0;
}

const code = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});
await cleanUp();
process.exit(code);
