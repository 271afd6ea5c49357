import type { EventHandler } from '../../jobs/index.js';
import type { AccountCreated, PasswordResetRequested, VerificationCodeRequested } from '../../identity/events.js';
import { render } from '../templates/index.js';
import { mailIdOf, type NotificationDeps } from './deps.js';

type CodeEvent = AccountCreated | VerificationCodeRequested | PasswordResetRequested;

/** E-mails the verification code at sign-up (and on resend) and the password reset code. */
export function mailAccountCode(deps: NotificationDeps): EventHandler {
  return {
    name: 'mail-account-code',
    on: ['account.created', 'account.verification_code_requested', 'account.password_reset_requested'],
    async handle(raw, ctx) {
      const event = raw as CodeEvent;
      const { email, locale } = event.payload;
      const hoursLeft = (expiresAt: string) =>
        Math.max(1, Math.round((Date.parse(expiresAt) - Date.parse(event.occurredAt)) / 3_600_000));
      let content;
      switch (event.type) {
        case 'account.created':
          // accounts created by an operator are verified already: nothing to send
          if (!event.payload.verificationCode || !event.payload.expiresAt) return;
          content = render('verificationCode', locale, {
            code: event.payload.verificationCode,
            expiresInHours: hoursLeft(event.payload.expiresAt),
          });
          break;
        case 'account.verification_code_requested':
          content = render('verificationCode', locale, {
            code: event.payload.code,
            expiresInHours: hoursLeft(event.payload.expiresAt),
          });
          break;
        case 'account.password_reset_requested':
          content = render('passwordResetCode', locale, {
            code: event.payload.code,
            expiresInMinutes: Math.max(
              1,
              Math.round((Date.parse(event.payload.expiresAt) - Date.parse(event.occurredAt)) / 60_000),
            ),
          });
          break;
      }
      await deps.mailer.send({ id: mailIdOf(ctx.jobId), to: email, from: deps.mailFrom, ...content });
    },
  };
}
