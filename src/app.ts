import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { createHttpServer } from './http/http-server.js';
import { createMetrics, registerHttpMetrics } from './http/metrics.js';
import { registerGraphQL } from './graphql/graphql-server.js';
import { OidcProviders, authRoutes, oidcRoutes } from './modules/identity/index.js';
import { devMailboxRoutes } from './modules/notifications/http/dev-mailbox-routes.js';
import { createRuntime } from './runtime.js';
import { registerBlobRoutes } from './modules/files/index.js';
import { setProfileFile } from './modules/profiles/index.js';
import { randomIds, systemClock } from './shared/clock.js';
import { seedDemoData } from './demo/seed-demo-data.js';
import { registerCatalogHttp } from './modules/catalog/http/register-catalog-http.js';
import type { CatalogDeps } from './modules/catalog/deps.js';
import { catalogSettings } from './runtime.js';
import { seedDemoCatalog } from './demo/seed-demo-catalog.js';
import { searchSnapshots } from './modules/catalog/search/index.js';
import { registerWebApp } from './http/web-app.js';

export interface AtelierApp {
  app: FastifyInstance;
  /** Stops accepting work, closes WebSockets, lets in-flight requests and jobs finish, then releases stores. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Where JSON log lines go (stdout by default); tests read them. */
  logStream?: Writable;
}

/** The HTTP process: the runtime (adapters, identity, handlers, worker) behind the REST and GraphQL edges. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<AtelierApp> {
  const app = await createHttpServer(config, options.logStream);
  const registry = createMetrics();
  const runtime = await createRuntime(config, app.log, registry);
  const { adapters, identity, worker } = runtime;
  await registerBlobRoutes(app, adapters.blobStore);
  registerHttpMetrics(app, registry);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const pings = {
      accounts: adapters.accountStore,
      profiles: adapters.profileStore,
      jobs: adapters.jobStore,
      mail: adapters.mailer,
      blobs: adapters.blobStore,
      // Cognito mode: the user pool is a dependency too (LocalIdentity's store is `accounts`)
      ...(config.identity.cognito ? { identity } : {}),
      catalog: adapters.catalogStore,
      products: adapters.productStore,
      search: adapters.searchIndex,
    };
    const checks = await Promise.all(
      Object.entries(pings).map(async ([name, port]) => {
        try {
          await port.ping();
          return [name, 'ok'] as const;
        } catch (err) {
          app.log.warn({ err, dependency: name }, 'readiness check failed');
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const ready = checks.every(([, s]) => s === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(checks) });
  });

  authRoutes(
    app,
    identity,
    {
      mailRateLimitPerMinute: config.auth.mailRateLimitPerMinute,
      rateLimitPerMinute: config.auth.rateLimitPerMinute,
    },
    runtime.mfa,
  );
  if (runtime.federation) {
    oidcRoutes(app, {
      federation: runtime.federation,
      providers: new OidcProviders(config.oidcProviders, (provider, err) =>
        app.log.error({ err, provider }, 'OpenID Connect discovery failed'),
      ),
      flows: runtime.secrets,
      publicUrl: config.publicUrl,
      rateLimitPerMinute: config.auth.rateLimitPerMinute,
    });
  }
  if (config.mail.transport === 'file' && config.env !== 'production') devMailboxRoutes(app, config);
  const profilesDeps = { store: adapters.profileStore, clock: systemClock, ids: randomIds };
  const graphql = registerGraphQL(app, {
    config,
    identity,
    profiles: profilesDeps,
    jobs: { store: adapters.jobStore, clock: systemClock },
    files: (profiles) => ({
      blobs: adapters.blobStore,
      clock: systemClock,
      ids: randomIds,
      schedule: runtime.schedule,
      uploadTtlSeconds: config.uploads.ttlSeconds,
      sweepAfterMs: config.uploads.sweepAfterMs,
      profiles: {
        profileOf: (ownerId) => adapters.profileStore.getByOwner(ownerId),
        setFile: (ownerId, file) => setProfileFile(profiles, ownerId, file),
      },
    }),
    registry,
    log: app.log,
    // a commit wakes the embedded worker at once instead of at its next poll
    onCommit: () => worker.poke(),
  });
  app.addHook('preClose', async () => {
    await graphql.close();
  });
  const catalogDeps: CatalogDeps = {
    products: adapters.productStore,
    catalog: adapters.catalogStore,
    blobs: adapters.blobStore,
    search: adapters.searchIndex,
    clock: systemClock,
    ids: randomIds,
    schedule: runtime.schedule,
    settings: catalogSettings(config),
  };
  await registerCatalogHttp(app, {
    deps: catalogDeps,
    identity,
    onScheduled: () => worker.poke(),
    accountSearchRateLimitPerMinute: config.catalog.accountSearchRateLimitPerMinute,
  });
  // the web app at / (after every API route, whose paths it never answers)
  await registerWebApp(app);
  // The embedded index is rebuilt from the product store before the server answers searches.
  if (adapters.searchFeed) {
    const snapshots =
      adapters.embeddedIndex && searchSnapshots(adapters.embeddedIndex, adapters.searchFeed, config.dataDir, app.log);
    snapshots?.load();
    const applied = await adapters.searchFeed.catchUp();
    if (applied > 0) snapshots?.save();
    adapters.searchFeed.start();
    if (snapshots) app.addHook('onClose', async () => snapshots.save());
  }

  if (config.admin) {
    const admin = await identity.ensureAdmin(config.admin.email, config.admin.password);
    app.log.info({ adminId: admin.id }, 'admin account ready');
  }
  if (config.demoData) {
    await seedDemoData(identity, { ...profilesDeps, events: { publish: () => undefined } }, app.log);
  }
  if (config.demoData) await seedDemoCatalog(catalogDeps, app.log);
  if (config.worker.mode === 'embedded') worker.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    close() {
      closing ??= (async () => {
        await app.close();
        await runtime.close();
      })();
      return closing;
    },
  };
}
