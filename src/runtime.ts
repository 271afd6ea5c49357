import path from 'node:path';
import type { Registry } from 'prom-client';
import type { Config } from './config/config.js';
import { createAdapters, type Adapters } from './config/adapters.js';
import {
  CognitoIdentity,
  LocalIdentity,
  type AuditEvent,
  SecretBox,
  SigningKeys,
  type FederatedSignIn,
  type IdentityProvider,
  type MfaService,
} from './modules/identity/index.js';
import { Worker, jobId, type EventHandler, type HandlerLogger } from './modules/jobs/index.js';
import { notificationHandlers } from './modules/notifications/handlers/index.js';
import { randomIds, systemClock } from './shared/clock.js';
import type { DomainEvent } from './shared/events.js';
import { fileHandlers } from './modules/files/handlers/file-handlers.js';

export interface RuntimeLogger extends HandlerLogger {
  child(bindings: object): RuntimeLogger;
}

/** Everything but the HTTP edge: adapters, identity, event handlers and the job worker. */
export interface Runtime {
  config: Config;
  log: RuntimeLogger;
  adapters: Adapters;
  identity: IdentityProvider;
  /** TOTP MFA and federated sign-in, offered by the local identity service. */
  mfa?: MfaService;
  federation?: FederatedSignIn;
  /** Encrypts small server-side secrets ($DATA_DIR/keys/secret-box.key): TOTP secrets, the OIDC flow cookie. */
  secrets: SecretBox;
  handlers: EventHandler[];
  /** Queues an event for one handler at a given time (scheduled work such as sweeps). */
  schedule: (event: DomainEvent, handler: string, runAt: string) => Promise<void>;
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The composition root shared by the HTTP server (`npm start`), the standalone worker (`npm run worker`)
 * and the Lambda entry points: one place builds adapters from config and wires handlers to them.
 */
export async function createRuntime(config: Config, log: RuntimeLogger, registry?: Registry): Promise<Runtime> {
  const adapters = await createAdapters(config);
  const secrets = SecretBox.load(path.join(config.dataDir, 'keys'));
  const onAuditError = (err: unknown, event: AuditEvent) =>
    log.error({ err, auditEvent: { type: event.type, accountId: event.accountId } }, 'audit event not recorded');
  // AUTH_PROVIDER: the built-in service, or a Cognito user pool (ADR 012)
  const identity: CognitoIdentity | LocalIdentity = config.identity.cognito
    ? new CognitoIdentity({
        ...config.identity.cognito,
        clock: systemClock,
        ids: randomIds,
        audit: adapters.auditLog,
        onAuditError,
      })
    : new LocalIdentity({
        store: adapters.accountStore,
        keys: await SigningKeys.load(path.join(config.dataDir, 'keys'), config.publicUrl, 'atelier'),
        clock: systemClock,
        ids: randomIds,
        accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
        refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
        passwordHashCost: config.auth.passwordHashCost,
        codeResendIntervalMs: config.auth.codeResendIntervalMs,
        audit: adapters.auditLog,
        secrets,
        onAuditError,
      });

  const schedule = (event: DomainEvent, handler: string, runAt: string) =>
    adapters.jobStore.enqueue([{ id: jobId(event.id, handler), handler, event, runAt }]);
  const notify = notificationHandlers({
    mailer: adapters.mailer,
    mailFrom: config.mail.from,
    publicUrl: config.publicUrl,
    teamEmail: config.notify.teamEmail,
    slackWebhookUrl: config.notify.slackWebhookUrl,
    localeOf: async (accountId) => (await adapters.accountStore.getAccount(accountId))?.locale ?? 'fr',
    profileMail: adapters.profileMailState,
    profileMailWindowMs: config.profileMailWindowMs,
    schedule,
  });
  const handlers = [...notify, ...fileHandlers(adapters.blobStore)];
  const worker = new Worker(
    {
      jobs: adapters.jobStore,
      sources: [adapters.accountStore, adapters.profileStore],
      handlers,
      clock: systemClock,
      log: log.child({ component: 'worker' }),
      ...(registry ? { registry } : {}),
    },
    {
      maxAttempts: config.worker.maxAttempts,
      pollIntervalMs: config.worker.pollIntervalMs,
      backoffBaseMs: config.worker.backoffBaseMs,
      backoffMaxMs: config.worker.backoffMaxMs,
      leaseMs: config.worker.leaseMs,
      concurrency: config.worker.concurrency,
    },
  );
  return {
    config,
    log,
    adapters,
    identity,
    // MFA and federation are the local service's; a Cognito pool has its own (ADR 012)
    ...(identity instanceof LocalIdentity ? { mfa: identity, federation: identity } : {}),
    secrets,
    handlers,
    schedule,
    worker,
    async close() {
      await worker.stop();
      // LocalIdentity's store is one of the adapters, closed below; the Cognito client is the identity's own
      if (identity instanceof CognitoIdentity) await identity.close();
      await adapters.close();
    },
  };
}
