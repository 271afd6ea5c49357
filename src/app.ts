import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { createAdapters } from './config/adapters.js';
import { createHttpServer } from './http/http-server.js';
import { createMetrics, registerHttpMetrics } from './http/metrics.js';
import { registerGraphQL } from './graphql/graphql-server.js';
import { LocalIdentity, SigningKeys, authRoutes } from './modules/identity/index.js';
import { randomIds, systemClock } from './shared/clock.js';
import { seedDemoData } from './demo/seed-demo-data.js';

export interface AtelierApp {
  app: FastifyInstance;
  /** Stops accepting work, closes WebSockets, lets in-flight requests finish, then releases stores. */
  close(): Promise<void>;
}

/** The composition root: builds every adapter from config and wires the modules to the HTTP edge. */
export interface BuildOptions {
  /** Where JSON log lines go (stdout by default); tests read them. */
  logStream?: Writable;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<AtelierApp> {
  const app = createHttpServer(config, options.logStream);
  const adapters = createAdapters(config);
  const keys = await SigningKeys.load(path.join(config.dataDir, 'keys'), config.publicUrl, 'atelier');
  const identity = new LocalIdentity({
    store: adapters.accountStore,
    keys,
    clock: systemClock,
    ids: randomIds,
    accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    passwordHashCost: config.auth.passwordHashCost,
  });

  const registry = createMetrics();
  registerHttpMetrics(app, registry);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks = await Promise.all(
      Object.entries({ accounts: () => adapters.accountStore.ping(), profiles: () => adapters.profileStore.ping() }).map(
        async ([name, ping]) => {
          try {
            await ping();
            return [name, 'ok'] as const;
          } catch (err) {
            app.log.warn({ err, store: name }, 'readiness check failed');
            return [name, 'unreachable'] as const;
          }
        },
      ),
    );
    const ready = checks.every(([, s]) => s === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(checks) });
  });

  authRoutes(app, identity);
  const profilesDeps = { store: adapters.profileStore, clock: systemClock, ids: randomIds };
  const graphql = registerGraphQL(app, { config, identity, profiles: profilesDeps, registry, log: app.log });
  app.addHook('preClose', async () => {
    await graphql.close();
  });

  if (config.admin) {
    const admin = await identity.ensureAdmin(config.admin.email, config.admin.password);
    app.log.info({ adminId: admin.id }, 'admin account ready');
  }
  if (config.demoData) {
    await seedDemoData(identity, { ...profilesDeps, events: { publish: () => undefined } }, app.log);
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    close() {
      closing ??= (async () => {
        await app.close();
        await adapters.close();
      })();
      return closing;
    },
  };
}
