import path from 'node:path';
import { z } from 'zod';

/**
 * The only place that reads `process.env`. Everything is parsed once at start-up;
 * a bad value stops the process with the full list of problems.
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const storeKind = z.enum(['sqlite', 'dynamodb']);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  PROFILE_STORE: storeKind.default('sqlite'),
  ACCOUNT_STORE: storeKind.optional(),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  DYNAMODB_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{0,200}$/, 'letters, digits, _ . - only')
    .default('atelier_'),
  AWS_REGION: z.string().min(1).default('eu-west-3'),

  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  PASSWORD_HASH_COST: int(10, 20).default(15),

  DEMO_DATA: bool.default(true),
  GRAPHIQL: bool.optional(),
  GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
  GRAPHQL_MAX_ALIASES: int(1, 200).default(15),
  GRAPHQL_MAX_TOKENS: int(50, 100_000).default(2_000),
  GRAPHQL_MAX_COST: int(10, 1_000_000).default(5_000),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
});

export type StoreKind = z.infer<typeof storeKind>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  stores: { profiles: StoreKind; accounts: StoreKind };
  dynamodb: { endpoint: string | undefined; tablePrefix: string; region: string };
  admin: { email: string; password: string } | undefined;
  auth: { accessTokenTtlSeconds: number; refreshTokenTtlDays: number; passwordHashCost: number };
  demoData: boolean;
  graphql: { graphiql: boolean; maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  shutdownTimeoutMs: number;
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
  const usesDynamo = env.PROFILE_STORE === 'dynamodb' || env.ACCOUNT_STORE === 'dynamodb';
  if (usesDynamo && !env.DYNAMODB_ENDPOINT && !env.AWS_EXECUTION_ENV) {
    // On AWS the SDK finds the regional endpoint itself; elsewhere an explicit endpoint avoids surprises.
    problems.push('DYNAMODB_ENDPOINT: required when a store is dynamodb outside AWS');
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
    stores: { profiles: v.PROFILE_STORE, accounts: accountStore },
    dynamodb: { endpoint: v.DYNAMODB_ENDPOINT, tablePrefix: v.DYNAMODB_TABLE_PREFIX, region: v.AWS_REGION },
    admin: v.ADMIN_EMAIL && v.ADMIN_PASSWORD ? { email: v.ADMIN_EMAIL, password: v.ADMIN_PASSWORD } : undefined,
    auth: {
      accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
      passwordHashCost: v.PASSWORD_HASH_COST,
    },
    demoData: v.DEMO_DATA,
    graphql: {
      graphiql: v.GRAPHIQL ?? v.NODE_ENV !== 'production',
      maxDepth: v.GRAPHQL_MAX_DEPTH,
      maxAliases: v.GRAPHQL_MAX_ALIASES,
      maxTokens: v.GRAPHQL_MAX_TOKENS,
      maxCost: v.GRAPHQL_MAX_COST,
    },
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
  };
}
