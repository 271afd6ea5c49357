import type { OutboxSource } from '../../shared/events.js';
import type { IdentityDomainEvent } from './events.js';
import type { Account, Session } from './model.js';

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
  /** Replaces every field but id, email, emailKey and createdAt; NOT_FOUND if absent. */
  updateAccount(account: Account, events: readonly IdentityDomainEvent[]): Promise<void>;
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
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
