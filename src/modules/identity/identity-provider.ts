import type { AccountView, Group, Locale, Principal, SignInResult, Tokens } from './model.js';
import type { Page } from './account-store.js';
import type { AuditEvent, AuditFilter, RequestMeta } from './audit-log.js';

/**
 * Port: the identity service (the Cognito model). The local adapter keeps accounts in an
 * `AccountStore` and signs its own JWTs; a Cognito adapter can replace it without business code changing.
 * Every method throws `AppError` with a stable code. Methods that take a last `meta` (where the request came
 * from) record a security event in the audit log with it. An adapter whose service cannot do an operation
 * answers NOT_SUPPORTED rather than pretending (Cognito mode: ADR 012, `docs/accounts.md`).
 */
export interface IdentityProvider {
  /**
   * Creates an unverified `freelancer` account and e-mails it a 6-digit code (valid 24 h);
   * BAD_USER_INPUT on a bad e-mail or weak password, CONFLICT if taken.
   */
  signUp(email: string, password: string, locale?: Locale): Promise<AccountView>;
  /** Marks the e-mail verified if the code is right, unexpired and unused; BAD_USER_INPUT otherwise. */
  verifyEmail(email: string, code: string): Promise<AccountView>;
  /** Sends a fresh verification code to an unverified account; silent (no error) in every other case. */
  resendVerificationCode(email: string): Promise<void>;
  /** Sends a password reset code if the account exists; silent either way, so it reveals nothing. */
  forgotPassword(email: string): Promise<void>;
  /** Sets a new password with a reset code, verifies the e-mail and revokes every session of the account. */
  resetPassword(email: string, code: string, newPassword: string, meta?: RequestMeta): Promise<void>;
  /**
   * Checks the credentials and opens a session; UNAUTHENTICATED with one message for every failure,
   * ACCOUNT_NOT_VERIFIED when the credentials are right but the e-mail is not verified. With MFA (see
   * `MfaService`) the answer may be a challenge instead of tokens; an adapter without MFA returns tokens.
   */
  signIn(email: string, password: string, meta?: RequestMeta): Promise<SignInResult>;
  /** Exchanges a refresh token for new tokens, rotating it; a reused token revokes its session. */
  refresh(refreshToken: string, meta?: RequestMeta): Promise<Tokens>;
  /** Revokes the session of this refresh token or of this principal (idempotent). */
  signOut(input: { refreshToken?: string; principal?: Principal }): Promise<void>;
  /** Revokes every session of the caller; their access tokens are refused at once. Returns how many. */
  signOutEverywhere(principal: Principal, meta?: RequestMeta): Promise<number>;
  /** Checks the current password, sets a new one, revokes every session and opens a new one. */
  changePassword(principal: Principal, currentPassword: string, newPassword: string, meta?: RequestMeta): Promise<Tokens>;
  /** Admin only: disables (revoking every session) or re-enables an account. */
  setDisabled(actor: Principal, userId: string, disabled: boolean, meta?: RequestMeta): Promise<AccountView>;
  /**
   * Verifies an access token and that its session is still live; returns who it speaks for.
   * UNAUTHENTICATED for any bad, expired or signed-out token.
   */
  verifyAccessToken(token: string): Promise<Principal>;
  /** Public keys that verify access tokens (served at /.well-known/jwks.json). */
  jwks(): Promise<{ keys: object[] }>;
  /** Admin only: sets a user's groups. */
  setGroups(actor: Principal, userId: string, groups: Group[], meta?: RequestMeta): Promise<AccountView>;
  /** Admin only: lists accounts newest first. */
  listUsers(actor: Principal, limit: number, nextToken?: string | null): Promise<Page<AccountView>>;
  /** Admin only: security events newest first, of one account when `filter.accountId` is given. */
  listAuditEvents(actor: Principal, filter: AuditFilter, limit: number, nextToken?: string | null): Promise<Page<AuditEvent>>;
  /** Creates or updates an admin account with this password (start-up bootstrap). */
  ensureAdmin(email: string, password: string): Promise<AccountView>;
  /** Creates an account directly with these groups if the e-mail is free (demo data, tests). */
  provisionAccount(email: string, password: string, groups: Group[]): Promise<AccountView>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
