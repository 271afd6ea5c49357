import type { DomainEvent } from '../../../shared/events.js';
import type { Mailer } from '../mail/mailer.js';
import type { ProfileMailState } from '../state/profile-mail-state.js';
import type { Locale } from '../templates/index.js';

/** Everything the notification handlers touch, built once by the composition root (or a Lambda's cold start). */
export interface NotificationDeps {
  mailer: Mailer;
  mailFrom: string;
  /** Base of links in messages (the web app). */
  publicUrl: string;
  teamEmail: string | undefined;
  slackWebhookUrl: string | undefined;
  /** The language an account reads its e-mail in (French when unknown). */
  localeOf(accountId: string): Promise<Locale>;
  profileMail: ProfileMailState;
  profileMailWindowMs: number;
  /** Delivers `event` to `handler` at `runAt` through the job queue (idempotent on the event id). */
  schedule(event: DomainEvent, handler: string, runAt: string): Promise<void>;
}

/** Job ids contain ':'; a mail id may not. The mapping is stable, so a retried job reuses its Message-ID. */
export const mailIdOf = (jobId: string): string => jobId.replace(/[^A-Za-z0-9_+=-]+/g, '.');
