import type { AccountView, Group, Principal, Tokens } from './model.js';
import type { Page } from './account-store.js';

/**
 * Port: the identity service (the Cognito model). The local adapter keeps accounts in an
 * `AccountStore` and signs its own JWTs; a Cognito adapter can replace it without business code changing.
 * Every method throws `AppError` with a stable code.
 */
export interface IdentityProvider {
  /** Creates a `freelancer` account; BAD_USER_INPUT on a bad e-mail or weak password, CONFLICT if taken. */
  signUp(email: string, password: string): Promise<AccountView>;
  /** Checks the credentials and opens a session; UNAUTHENTICATED with one message for every failure. */
  signIn(email: string, password: string): Promise<Tokens>;
  /** Exchanges a refresh token for new tokens, rotating it; a reused token revokes its session. */
  refresh(refreshToken: string): Promise<Tokens>;
  /** Revokes the session of this refresh token or of this principal (idempotent). */
  signOut(input: { refreshToken?: string; principal?: Principal }): Promise<void>;
  /** Verifies an access token and returns who it speaks for; UNAUTHENTICATED otherwise. */
  verifyAccessToken(token: string): Promise<Principal>;
  /** Public keys that verify access tokens (served at /.well-known/jwks.json). */
  jwks(): Promise<{ keys: object[] }>;
  /** Admin only: sets a user's groups. */
  setGroups(actor: Principal, userId: string, groups: Group[]): Promise<AccountView>;
  /** Admin only: lists accounts newest first. */
  listUsers(actor: Principal, limit: number, nextToken?: string | null): Promise<Page<AccountView>>;
  /** Creates or updates an admin account with this password (start-up bootstrap). */
  ensureAdmin(email: string, password: string): Promise<AccountView>;
  /** Creates an account directly with these groups if the e-mail is free (demo data, tests). */
  provisionAccount(email: string, password: string, groups: Group[]): Promise<AccountView>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
