import type { DomainEvent } from '../../shared/events.js';
import type { Group, Locale } from './model.js';

/**
 * Identity events. The one-time codes travel in the payload because the e-mail that carries them is sent
 * by a handler; the store keeps only their hashes, and the outbox row and job are deleted once delivered.
 */
export type AccountCreated = DomainEvent<
  'account.created',
  { accountId: string; email: string; locale: Locale; groups: Group[]; verificationCode: string | null; expiresAt: string | null }
>;
export type VerificationCodeRequested = DomainEvent<
  'account.verification_code_requested',
  { accountId: string; email: string; locale: Locale; code: string; expiresAt: string }
>;
export type PasswordResetRequested = DomainEvent<
  'account.password_reset_requested',
  { accountId: string; email: string; locale: Locale; code: string; expiresAt: string }
>;
export type IdentityDomainEvent = AccountCreated | VerificationCodeRequested | PasswordResetRequested;
