import type { RequestMeta } from './audit-log.js';
import type { MfaPolicy, MfaPolicyGroup, MfaStatus, Principal, SignInResult, Tokens } from './model.js';

/** Who is enrolling: a signed-in principal, or the holder of a setup token issued because policy requires MFA. */
export type MfaEnroller = { principal: Principal } | { setupToken: string };

/**
 * Port: TOTP second factor (RFC 6238) with single-use recovery codes, and the admin policy that requires it.
 * Implemented by `LocalIdentity`. Every method throws `AppError`; wrong codes on sign-in count towards the
 * account's lockout like wrong passwords.
 */
export interface MfaService {
  /** Finishes a sign-in challenged for MFA with a TOTP code or a recovery code; UNAUTHENTICATED on a wrong one. */
  completeMfaSignIn(
    mfaToken: string,
    proof: { code?: string | undefined; recoveryCode?: string | undefined },
    meta?: RequestMeta,
  ): Promise<Tokens>;
  /** Starts (or restarts) enrolment: a new pending secret and its otpauth URI; CONFLICT when MFA is already on. */
  setupTotp(who: MfaEnroller): Promise<{ secret: string; otpauthUri: string }>;
  /**
   * Confirms enrolment with a code from the pending secret: MFA is on, and the 10 recovery codes are returned
   * once. A setup-token holder also gets tokens (its sign-in completes).
   */
  confirmTotp(who: MfaEnroller, code: string, meta?: RequestMeta): Promise<{ recoveryCodes: string[]; tokens?: Tokens }>;
  /** Replaces the recovery codes; needs a current TOTP code. */
  regenerateRecoveryCodes(principal: Principal, code: string, meta?: RequestMeta): Promise<{ recoveryCodes: string[] }>;
  /** Turns MFA off with the password and a TOTP or recovery code; FORBIDDEN while policy requires it. */
  disableTotp(principal: Principal, password: string, code: string, meta?: RequestMeta): Promise<void>;
  mfaStatus(principal: Principal): Promise<MfaStatus>;
  /** Admin only. */
  getMfaPolicy(actor: Principal): Promise<MfaPolicy>;
  /** Admin only: which groups must use MFA; members without it can only enrol until they do. */
  setMfaPolicy(actor: Principal, requireMfaFor: MfaPolicyGroup[], meta?: RequestMeta): Promise<MfaPolicy>;
}

/** A verified identity from an external OpenID Connect provider (the ID token's claims that matter here). */
export interface ExternalIdentity {
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

/**
 * Port: accounts signed in through an external OpenID Connect provider. The protocol (redirects, PKCE, ID
 * token checks) is the HTTP edge's (`http/oidc-routes.ts`); this side links identities and issues tokens.
 */
export interface FederatedSignIn {
  /**
   * Finds the account linked to (provider, subject); else links the account with this verified e-mail; else
   * creates a verified freelancer. Returns a one-time code (60 s, single use, stored hashed) for
   * `exchangeFederatedCode`. FORBIDDEN (details.reason) for an unverified e-mail or a disabled account.
   */
  signInFederated(identity: ExternalIdentity, meta?: RequestMeta): Promise<{ code: string }>;
  /** Records a federated sign-in that failed before any account was known (cancelled, state mismatch, bad response). */
  recordFederatedFailure(provider: string, reason: string, meta?: RequestMeta): Promise<void>;
  /** Trades the one-time code for tokens, or an MFA challenge as a password sign-in would; UNAUTHENTICATED once used or expired. */
  exchangeFederatedCode(code: string, meta?: RequestMeta): Promise<SignInResult>;
}
