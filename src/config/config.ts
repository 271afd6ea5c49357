import path from 'node:path';
import { z } from 'zod';

/**
 * The only place that reads `process.env`. Everything is parsed once at start-up;
 * a bad value stops the process with the full list of problems.
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const storeKind = z.enum(['sqlite', 'dynamodb']);
const blobStoreKind = z.enum(['fs', 's3']);
const mailTransport = z.enum(['file', 'smtp', 'ses']);
const email = z.string().email();
/** `addr@host` or `Display Name <addr@host>`: what a From header holds. */
const mailbox = z
  .string()
  .min(1)
  .refine((v) => email.safeParse(/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v.trim()).success, 'an address, or Name <address>');
const urlWithProtocol = (...protocols: string[]) =>
  z
    .string()
    .url()
    .refine(
      (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
      `a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`,
    );

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  PROFILE_STORE: storeKind.default('sqlite'),
  ACCOUNT_STORE: storeKind.optional(),
  JOB_STORE: storeKind.optional(),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  DYNAMODB_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{0,200}$/, 'letters, digits, _ . - only')
    .default('atelier_'),
  AWS_REGION: z.string().min(1).default('eu-west-3'),

  UPLOAD_URL_TTL_SECONDS: int(1, 3_600).default(600),
  UPLOAD_SWEEP_AFTER_MS: int(100, 30 * 86_400_000).default(86_400_000),
  BLOB_STORE: blobStoreKind.default('fs'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lowercase letters, digits, . or -')
    .optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).optional(),

  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
  AUTH_MAIL_RATE_LIMIT: int(1, 1_000_000).default(10),
  AUTH_RATE_LIMIT: int(1, 1_000_000).default(60),
  AUTH_CODE_RESEND_INTERVAL_MS: int(0, 3_600_000).default(60_000),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  PASSWORD_HASH_COST: int(10, 20).default(15),
  /** `local`: LocalIdentity (accounts in the AccountStore); `cognito`: an Amazon Cognito user pool. */
  AUTH_PROVIDER: z.enum(['local', 'cognito']).default('local'),
  COGNITO_USER_POOL_ID: z
    .string()
    .regex(/^[\w-]+_[\w-]+$/, 'a user pool id such as eu-west-3_AbCdEf123')
    .optional(),
  COGNITO_CLIENT_ID: z
    .string()
    .regex(/^[\w+-]+$/, 'an app client id (letters, digits, + or -)')
    .optional(),
  COGNITO_REGION: z.string().min(1).optional(),
  /** A local peer (cognito-local); undefined means the regional endpoint and issuer. */
  COGNITO_ENDPOINT: z.string().url().optional(),
  /** Only for app clients created with a secret: every call then carries a SECRET_HASH. */
  COGNITO_CLIENT_SECRET: z.string().min(1).optional(),

  DEMO_DATA: bool.default(true),
  GRAPHIQL: bool.optional(),
  GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
  GRAPHQL_MAX_ALIASES: int(1, 200).default(15),
  GRAPHQL_MAX_TOKENS: int(50, 100_000).default(2_000),
  GRAPHQL_MAX_COST: int(10, 1_000_000).default(5_000),
  /** Registered read operations served by the compiled fast path (ADR 013); `off` sends everything through Yoga. */
  GRAPHQL_FAST_PATH: z.enum(['on', 'off']).default('on'),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  /** Behind a load balancer: how many proxy hops to trust for the client address (X-Forwarded-For). */
  TRUST_PROXY_HOPS: int(0, 10).default(0),

  WORKER: z.enum(['embedded', 'off']).default('embedded'),
  JOB_MAX_ATTEMPTS: int(1, 100).default(8),
  JOB_POLL_INTERVAL_MS: int(5, 60_000).default(250),
  JOB_BACKOFF_BASE_MS: int(1, 3_600_000).default(1_000),
  JOB_BACKOFF_MAX_MS: int(1, 86_400_000).default(900_000),
  JOB_LEASE_MS: int(100, 3_600_000).default(60_000),
  /** Jobs a worker runs at once; deliveries mostly wait on peers (SMTP, Slack), not on the CPU. */
  JOB_CONCURRENCY: int(1, 256).default(32),
  PROFILE_MAIL_WINDOW_MS: int(0, 86_400_000).default(600_000),

  MAIL_TRANSPORT: mailTransport.default('file'),
  MAIL_FROM: mailbox.default('Atelier <no-reply@atelier.local>'),
  SMTP_URL: urlWithProtocol('smtp:', 'smtps:').optional(),
  /** Connection, greeting and socket time-outs of the SMTP and SES transports. */
  MAIL_TIMEOUT_MS: int(100, 120_000).default(10_000),
  SES_ENDPOINT: z.string().url().optional(),
  SES_REGION: z.string().min(1).optional(),
  SLACK_WEBHOOK_URL: urlWithProtocol('https:', 'http:').optional(),
  TEAM_EMAIL: email.optional(),

  CATALOG_STORE: storeKind.default('sqlite'),
  SEARCH_INDEX: z.enum(['embedded', 'opensearch']).default('embedded'),
  OPENSEARCH_URL: urlWithProtocol('https:', 'http:').optional(),
  /** Prefix of the OpenSearch index names (the products index is `<prefix>products`). */
  OPENSEARCH_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,200}$/, 'lowercase letters, digits, _ . - only, not starting with _ . or -')
    .default('atelier_'),
  /** Share of rejected rows above which an import fails and changes nothing. */
  CATALOG_MAX_REJECT_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  CATALOG_MAX_FILE_BYTES: int(1, 5 * 1024 ** 3).default(200 * 1024 * 1024),
  /** Requests per minute a new search API key is allowed (admins may set another per key). */
  CATALOG_API_KEY_RATE_LIMIT: int(1, 1_000_000).default(600),
  /** Searches per minute per signed-in account. */
  CATALOG_SEARCH_RATE_LIMIT: int(1, 1_000_000).default(1_200),
});

export type StoreKind = z.infer<typeof storeKind>;
export type BlobStoreKind = z.infer<typeof blobStoreKind>;
export type MailTransport = z.infer<typeof mailTransport>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  stores: { profiles: StoreKind; accounts: StoreKind; jobs: StoreKind };
  worker: {
    /** `embedded`: the HTTP process also runs the job worker; `off`: run `npm run worker` separately. */
    mode: 'embedded' | 'off';
    maxAttempts: number;
    pollIntervalMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    leaseMs: number;
    concurrency: number;
  };
  /** At most one profile-change e-mail per profile within this window; changes in between are summarised. */
  profileMailWindowMs: number;
  /** Signed upload targets live this long; uploads never attached are deleted after `sweepAfterMs`. */
  uploads: { ttlSeconds: number; sweepAfterMs: number };
  dynamodb: { endpoint: string | undefined; tablePrefix: string; region: string };
  /** Uploaded files: `fs` under $DATA_DIR/blobs (served by this process), or an S3 bucket. */
  blobs: {
    store: BlobStoreKind;
    /** Set whenever `store` is s3. */
    bucket: string | undefined;
    /** A local peer (s3rver, MinIO, LocalStack); undefined means the regional AWS endpoint. */
    endpoint: string | undefined;
    region: string;
  };
  admin: { email: string; password: string } | undefined;
  /** Who keeps accounts: the built-in service, or a Cognito user pool (then `cognito` is set). */
  identity: { provider: 'local' | 'cognito'; cognito: CognitoConfig | undefined };
  /** "Sign in with …" providers (OpenID Connect), in the order of OIDC_PROVIDERS; empty when none. */
  oidcProviders: OidcProviderConfig[];
  auth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    passwordHashCost: number;
    mailRateLimitPerMinute: number;
    rateLimitPerMinute: number;
    codeResendIntervalMs: number;
  };
  demoData: boolean;
  graphql: { graphiql: boolean; maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number; fastPath: boolean };
  shutdownTimeoutMs: number;
  /** 0: the socket's address is the client's; n: trust n proxies' X-Forwarded-For entries. */
  trustProxyHops: number;
  mail: {
    transport: MailTransport;
    /** The From of every mail we send. */
    from: string;
    smtpUrl: string | undefined;
    timeoutMs: number;
    /** A local peer (aws-ses-v2-local, LocalStack); undefined means the regional AWS endpoint. */
    sesEndpoint: string | undefined;
    sesRegion: string;
  };
  notify: { slackWebhookUrl: string | undefined; teamEmail: string | undefined };
  catalog: {
    store: StoreKind;
    /** `embedded`: in-process index fed by the SQLite product store's change feed; `opensearch`: OPENSEARCH_URL. */
    searchIndex: 'embedded' | 'opensearch';
    openSearchUrl: string | undefined;
    /** The products index is `<openSearchIndexPrefix>products`. */
    openSearchIndexPrefix: string;
    maxRejectShare: number;
    maxFileBytes: number;
    apiKeyRateLimitPerMinute: number;
    accountSearchRateLimitPerMinute: number;
  };
}

export interface CognitoConfig {
  userPoolId: string;
  clientId: string;
  region: string;
  /** cognito-local or another emulator; undefined means `https://cognito-idp.<region>.amazonaws.com`. */
  endpoint: string | undefined;
  clientSecret: string | undefined;
}

export interface OidcProviderConfig {
  /** Lower-case name from OIDC_PROVIDERS: in the routes (/auth/oidc/<id>/…) and in federated links. */
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
}

const OIDC_ID = /^[a-z][a-z0-9]{0,30}$/;
/** Hosts of this machine: the only ones reached over plain http (an OIDC provider in development and tests). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `OIDC_PROVIDERS=google,acme`, then for each `OIDC_<NAME>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET` and the
 * optional `_LABEL`, `_SCOPES`. The variable names depend on the list, so they are checked here rather than
 * in the static schema; every problem is reported with the others.
 */
function oidcProviders(env: Record<string, string | undefined>): { providers: OidcProviderConfig[]; problems: string[] } {
  const problems: string[] = [];
  const providers: OidcProviderConfig[] = [];
  const names = (env.OIDC_PROVIDERS ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length)
    problems.push('OIDC_PROVIDERS: a provider is listed twice');
  for (const name of names) {
    const id = name.toLowerCase();
    if (!OIDC_ID.test(id)) {
      problems.push(`OIDC_PROVIDERS: "${name}" must be a letter then up to 30 letters or digits`);
      continue;
    }
    const prefix = `OIDC_${id.toUpperCase()}_`;
    const get = (key: string) => env[prefix + key];
    const issuer = get('ISSUER');
    const clientId = get('CLIENT_ID');
    const clientSecret = get('CLIENT_SECRET');
    if (!issuer) problems.push(`${prefix}ISSUER: required for the provider ${id}`);
    else {
      let url: URL | null = null;
      try {
        url = new URL(issuer);
      } catch {
        problems.push(`${prefix}ISSUER: not a URL`);
      }
      // Plain http only to a provider on this machine (development, tests): anything else would expose the code exchange.
      if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
        problems.push(`${prefix}ISSUER: must be an https URL (http only for localhost)`);
      }
    }
    if (!clientId) problems.push(`${prefix}CLIENT_ID: required for the provider ${id}`);
    if (!clientSecret) problems.push(`${prefix}CLIENT_SECRET: required for the provider ${id}`);
    const scopes = get('SCOPES') ?? 'openid email profile';
    if (!scopes.split(/\s+/).includes('openid')) problems.push(`${prefix}SCOPES: must include openid`);
    if (issuer && clientId && clientSecret) {
      providers.push({ id, label: get('LABEL') ?? name, issuer, clientId, clientSecret, scopes });
    }
  }
  return { providers, problems };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function crossVariableProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
    problems.push(`${env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'}: ADMIN_EMAIL and ADMIN_PASSWORD go together`);
  }
  const usesDynamo = [env.PROFILE_STORE, env.ACCOUNT_STORE, env.JOB_STORE, env.NOTIFICATION_STORE, env.CATALOG_STORE].includes(
    'dynamodb',
  );
  if (usesDynamo && !env.DYNAMODB_ENDPOINT && !env.AWS_EXECUTION_ENV) {
    // On AWS the SDK finds the regional endpoint itself; elsewhere an explicit endpoint avoids surprises.
    problems.push('DYNAMODB_ENDPOINT: required when a store is dynamodb outside AWS');
  }
  if (env.BLOB_STORE === 's3' && !env.S3_BUCKET) {
    problems.push('S3_BUCKET: required when BLOB_STORE is s3');
  }
  if (env.SEARCH_INDEX === 'opensearch' && !env.OPENSEARCH_URL) {
    problems.push('OPENSEARCH_URL: required when SEARCH_INDEX is opensearch');
  }
  if (env.CATALOG_STORE === 'dynamodb' && env.SEARCH_INDEX !== 'opensearch') {
    // The embedded index tails the SQLite product store's change feed; DynamoDB feeds indexes through events.
    problems.push('SEARCH_INDEX: must be opensearch when CATALOG_STORE is dynamodb');
  }
  if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
    problems.push('SMTP_URL: required when MAIL_TRANSPORT is smtp');
  }
  if (env.AUTH_PROVIDER === 'cognito') {
    for (const name of ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID'] as const) {
      if (!env[name]) problems.push(`${name}: required when AUTH_PROVIDER is cognito`);
    }
    // the region is also the pool id's prefix; an explicit one avoids a silent mismatch with AWS_REGION
    if (!env.COGNITO_REGION) problems.push('COGNITO_REGION: required when AUTH_PROVIDER is cognito');
  }
  return problems;
}

/** Parses the environment; throws `ConfigError` listing every invalid variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  // Rules between variables are checked on the raw values, so they are reported alongside any other problem.
  const problems = crossVariableProblems(cleaned);
  const oidc = oidcProviders(cleaned);
  problems.push(...oidc.problems);
  if (!parsed.success) {
    problems.unshift(...parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const v = parsed.data;
  const accountStore = v.ACCOUNT_STORE ?? v.PROFILE_STORE;
  return {
    env: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/$/, ''),
    dataDir: path.resolve(v.DATA_DIR),
    logLevel: v.LOG_LEVEL,
    stores: { profiles: v.PROFILE_STORE, accounts: accountStore, jobs: v.JOB_STORE ?? v.PROFILE_STORE },
    worker: {
      mode: v.WORKER,
      maxAttempts: v.JOB_MAX_ATTEMPTS,
      pollIntervalMs: v.JOB_POLL_INTERVAL_MS,
      backoffBaseMs: v.JOB_BACKOFF_BASE_MS,
      backoffMaxMs: v.JOB_BACKOFF_MAX_MS,
      leaseMs: v.JOB_LEASE_MS,
      concurrency: v.JOB_CONCURRENCY,
    },
    profileMailWindowMs: v.PROFILE_MAIL_WINDOW_MS,
    uploads: { ttlSeconds: v.UPLOAD_URL_TTL_SECONDS, sweepAfterMs: v.UPLOAD_SWEEP_AFTER_MS },
    dynamodb: { endpoint: v.DYNAMODB_ENDPOINT, tablePrefix: v.DYNAMODB_TABLE_PREFIX, region: v.AWS_REGION },
    blobs: { store: v.BLOB_STORE, bucket: v.S3_BUCKET, endpoint: v.S3_ENDPOINT, region: v.S3_REGION ?? v.AWS_REGION },
    admin: v.ADMIN_EMAIL && v.ADMIN_PASSWORD ? { email: v.ADMIN_EMAIL, password: v.ADMIN_PASSWORD } : undefined,
    identity: {
      provider: v.AUTH_PROVIDER,
      cognito:
        v.AUTH_PROVIDER === 'cognito' && v.COGNITO_USER_POOL_ID && v.COGNITO_CLIENT_ID && v.COGNITO_REGION
          ? {
              userPoolId: v.COGNITO_USER_POOL_ID,
              clientId: v.COGNITO_CLIENT_ID,
              region: v.COGNITO_REGION,
              endpoint: v.COGNITO_ENDPOINT?.replace(/\/$/, ''),
              clientSecret: v.COGNITO_CLIENT_SECRET,
            }
          : undefined,
    },
    oidcProviders: oidc.providers,
    auth: {
      accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
      passwordHashCost: v.PASSWORD_HASH_COST,
      mailRateLimitPerMinute: v.AUTH_MAIL_RATE_LIMIT,
      rateLimitPerMinute: v.AUTH_RATE_LIMIT,
      codeResendIntervalMs: v.AUTH_CODE_RESEND_INTERVAL_MS,
    },
    demoData: v.DEMO_DATA,
    graphql: {
      graphiql: v.GRAPHIQL ?? v.NODE_ENV !== 'production',
      maxDepth: v.GRAPHQL_MAX_DEPTH,
      maxAliases: v.GRAPHQL_MAX_ALIASES,
      maxTokens: v.GRAPHQL_MAX_TOKENS,
      maxCost: v.GRAPHQL_MAX_COST,
      fastPath: v.GRAPHQL_FAST_PATH === 'on',
    },
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    trustProxyHops: v.TRUST_PROXY_HOPS,
    mail: {
      transport: v.MAIL_TRANSPORT,
      from: v.MAIL_FROM,
      smtpUrl: v.SMTP_URL,
      timeoutMs: v.MAIL_TIMEOUT_MS,
      sesEndpoint: v.SES_ENDPOINT,
      sesRegion: v.SES_REGION ?? v.AWS_REGION,
    },
    notify: { slackWebhookUrl: v.SLACK_WEBHOOK_URL, teamEmail: v.TEAM_EMAIL },
    catalog: {
      store: v.CATALOG_STORE,
      searchIndex: v.SEARCH_INDEX,
      openSearchUrl: v.OPENSEARCH_URL,
      openSearchIndexPrefix: v.OPENSEARCH_INDEX,
      maxRejectShare: v.CATALOG_MAX_REJECT_SHARE,
      maxFileBytes: v.CATALOG_MAX_FILE_BYTES,
      apiKeyRateLimitPerMinute: v.CATALOG_API_KEY_RATE_LIMIT,
      accountSearchRateLimitPerMinute: v.CATALOG_SEARCH_RATE_LIMIT,
    },
  };
}
