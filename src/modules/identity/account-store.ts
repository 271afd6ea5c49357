import type { OutboxSource } from '../../shared/events.js';
import type { IdentityDomainEvent } from './events.js';
import type { Account, FederatedLink, OneTimeGrant, Session } from './model.js';

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

/**
 * Port: where accounts and sessions live. Adapters: `sqlite` (default), `dynamodb`.
 * Every adapter passes `test/conformance/account-store.suite.ts`. Writes record their `events` in the
 * store's outbox atomically with the change.
 */
export interface AccountStore extends OutboxSource {
  /** Inserts a new account; CONFLICT (details.field = "email") when `emailKey` is taken. */
  createAccount(account: Account, events: readonly IdentityDomainEvent[]): Promise<void>;
  /** The account with this id, or null. */
  getAccount(id: string): Promise<Account | null>;
  /** The account whose `emailKey` equals the given normalized e-mail, or null. */
  getAccountByEmail(emailKey: string): Promise<Account | null>;
  /**
   * Replaces every field but id, email, emailKey and createdAt (so also `mfa`); NOT_FOUND if absent. With
   * `expectedUpdatedAt`, only if the stored account still has that `updatedAt`, else CONFLICT (compare-and-set).
   */
  updateAccount(account: Account, events: readonly IdentityDomainEvent[], expectedUpdatedAt?: string): Promise<void>;
  /** Accounts newest first, `limit` at most, continuing after `nextToken`. */
  listAccounts(limit: number, nextToken?: string | null): Promise<Page<Account>>;
  /** Inserts a session. */
  createSession(session: Session): Promise<void>;
  /** The session with this id (revoked or not), or null. */
  getSession(id: string): Promise<Session | null>;
  /** Swaps the refresh hash only if it still equals `expectedHash` and the session is not revoked; false otherwise. */
  rotateSession(id: string, expectedHash: string, newHash: string, expiresAt: string): Promise<boolean>;
  /** Marks the session revoked at `at` (idempotent). */
  revokeSession(id: string, at: string): Promise<void>;
  /** Revokes every live session of the account; returns how many it revoked. */
  revokeAccountSessions(accountId: string, at: string): Promise<number>;
  /** Links an external identity to an account; CONFLICT (details.field = "subject") when (provider, subject) is linked already. */
  linkFederatedIdentity(link: FederatedLink): Promise<void>;
  /** The link of this (provider, subject), or null. */
  getFederatedLink(provider: string, subject: string): Promise<FederatedLink | null>;
  /** Stores a one-time grant under its hash (a new hash each time). */
  putGrant(grant: OneTimeGrant): Promise<void>;
  /** Removes and returns the grant with this hash, atomically: of concurrent callers only one gets it; null if absent. */
  takeGrant(hash: string): Promise<OneTimeGrant | null>;
  /** A module setting (JSON text written by the caller), or null when never set. */
  getSetting(name: string): Promise<string | null>;
  /** Writes a module setting, replacing any previous value. */
  putSetting(name: string, value: string, at: string): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
