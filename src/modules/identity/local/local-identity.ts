import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, ErrorCode, badInput, forbidden, notFound, unauthenticated } from '../../../shared/errors.js';
import { assertCanSetDisabled, assertCanSetGroups } from '../admin-rules.js';
import type { Clock, IdGenerator } from '../../../shared/clock.js';
import type { AccountStore, Page } from '../account-store.js';
import type { AuditEvent, AuditEventType, AuditFilter, AuditLog, RequestMeta } from '../audit-log.js';
import type { IdentityProvider } from '../identity-provider.js';
import type { ExternalIdentity, FederatedSignIn, MfaEnroller, MfaService } from '../mfa.js';
import {
  GROUPS,
  NO_MFA,
  hasGroup,
  normalizeEmail,
  toAccountView,
  type Account,
  type AccountView,
  type Group,
  type Locale,
  type MfaChallenge,
  type MfaPolicy,
  type MfaPolicyGroup,
  type MfaSetupChallenge,
  type MfaStatus,
  type PendingCode,
  type Principal,
  type SignInResult,
  type Tokens,
  MFA_POLICY_GROUPS,
} from '../model.js';
import type { AccountCreated, PasswordResetRequested, VerificationCodeRequested } from '../events.js';
import { hashPassword, verifyPassword } from './password.js';
import { passwordProblems } from './password-policy.js';
import { NO_FAILURES, UnknownAddressLockouts, afterFailure, lockRemainingMs } from './lockout.js';
import type { SigningKeys } from './signing-keys.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import type { SecretBox } from './secret-box.js';
import { acceptTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from './totp.js';

export interface LocalIdentityOptions {
  store: AccountStore;
  keys: SigningKeys;
  clock: Clock;
  ids: IdGenerator;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  passwordHashCost: number;
  /** A new code is not sent more often than this per account, whatever the caller does. */
  codeResendIntervalMs: number;
  /** Verified access tokens kept in memory (see VerifiedTokenCache); 0 verifies every request. Default 10,000. */
  verifiedTokenCacheSize?: number;
  /** Where security events go (sign-ins, lockouts, token replays, password and admin changes). */
  audit: AuditLog;
  /** Told when an event could not be recorded; the operation itself goes on (an audit outage must not lock users out). */
  onAuditError?: (err: unknown, event: AuditEvent) => void;
  /** Encrypts TOTP secrets at rest. */
  secrets: SecretBox;
  /** The issuer shown by authenticator apps (default "Atelier"). */
  mfaIssuer?: string;
}

/** The MFA and setup tokens: sealed by the secret box for their one purpose, refused everywhere else. */
const MFA_TOKEN_TTL_SECONDS = 300;
const SETUP_TOKEN_TTL_SECONDS = 900;
const FEDERATED_CODE_TTL_MS = 60_000;
const MFA_POLICY_SETTING = 'mfa_policy';
const TOTP_SECRET_PURPOSE = 'totp-secret';
type FirstFactor = { method: 'password' } | { method: 'federated'; provider: string };
/** How a sign-in began, for the audit trail (carried by the MFA and setup tokens). */
const methodOf = (c: { method?: unknown; provider?: unknown }): Record<string, string> =>
  c.method === 'federated'
    ? { method: 'federated', provider: typeof c.provider === 'string' ? c.provider : '' }
    : { method: 'password' };

/** A User-Agent is client-chosen and may be up to the header size limit: the audit trail keeps a bounded prefix. */
const MAX_USER_AGENT = 512;

const credentials = z
  .object({
    email: z.string().trim().max(254, 'at most 254 characters').email('is not a valid e-mail address'),
    password: z.string(),
  })
  .superRefine((v, ctx) => {
    for (const message of passwordProblems(v.password, v.email)) ctx.addIssue({ code: 'custom', path: ['password'], message });
  });

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const INVALID_CREDENTIALS = 'Incorrect e-mail or password';
const INVALID_CODE = 'The code is invalid or has expired';
const VERIFY_CODE_TTL_MS = 24 * 3_600_000;
const RESET_CODE_TTL_MS = 30 * 60_000;
/** Wrong guesses a code survives: 6 digits and 5 guesses leave an attacker 1 chance in 200,000 per code. */
const MAX_CODE_ATTEMPTS = 5;
const codeHash = (accountId: string, purpose: 'verify' | 'reset', code: string) => sha256(`${purpose}:${accountId}:${code}`);
const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
/** The session id is the refresh token's first part (`<session id>.<secret>`); never log the secret. */
const sessionIdOf = (tokens: Tokens): string => tokens.refreshToken.split('.')[0] ?? '';

/** The built-in identity service: accounts in an AccountStore, ES256 access tokens, rotating opaque refresh tokens. */
export class LocalIdentity implements IdentityProvider, MfaService, FederatedSignIn {
  /** Verified against when the e-mail is unknown, so both failures cost the same time. */
  private dummyHash: Promise<string>;
  private readonly unknownLockouts = new UnknownAddressLockouts();
  private readonly verifiedTokens: VerifiedTokenCache;

  constructor(private readonly o: LocalIdentityOptions) {
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'), o.passwordHashCost);
    this.verifiedTokens = new VerifiedTokenCache(o.verifiedTokenCacheSize ?? 10_000);
  }

  async signUp(email: string, password: string, locale: Locale = 'fr'): Promise<AccountView> {
    const parsed = credentials.safeParse({ email, password });
    if (!parsed.success) {
      throw badInput(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const account = await this.newAccount(parsed.data.email, parsed.data.password, ['freelancer'], false, locale);
    const { pending, code } = this.issueCode(account.id, 'verify', VERIFY_CODE_TTL_MS);
    account.codes = { verify: pending };
    const event: AccountCreated = {
      ...this.eventBase(account.id),
      type: 'account.created',
      payload: {
        accountId: account.id,
        email: account.email,
        locale,
        groups: account.groups,
        verificationCode: code,
        expiresAt: pending.expiresAt,
      },
    };
    await this.o.store.createAccount(account, [event]);
    return toAccountView(account);
  }

  async verifyEmail(email: string, code: string): Promise<AccountView> {
    const account = await this.o.store.getAccountByEmail(normalizeEmail(String(email ?? '')));
    if (account?.emailVerified) return toAccountView(account); // verifying twice is harmless
    const checked = account ? await this.checkCode(account, 'verify', code) : null;
    if (!account || !checked) throw badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    const codes = { ...checked.codes };
    delete codes.verify; // single use
    const verified: Account = { ...checked, emailVerified: true, codes, updatedAt: this.nowIso() };
    await this.o.store.updateAccount(verified, []);
    return toAccountView(verified);
  }

  async resendVerificationCode(email: string): Promise<void> {
    const account = await this.o.store.getAccountByEmail(normalizeEmail(String(email ?? '')));
    if (!account || account.emailVerified || account.disabled || this.sentRecently(account.codes.verify)) return;
    const { pending, code } = this.issueCode(account.id, 'verify', VERIFY_CODE_TTL_MS);
    const event: VerificationCodeRequested = {
      ...this.eventBase(account.id),
      type: 'account.verification_code_requested',
      payload: { accountId: account.id, email: account.email, locale: account.locale, code, expiresAt: pending.expiresAt },
    };
    await this.o.store.updateAccount({ ...account, codes: { ...account.codes, verify: pending }, updatedAt: this.nowIso() }, [
      event,
    ]);
  }

  async forgotPassword(email: string): Promise<void> {
    const account = await this.o.store.getAccountByEmail(normalizeEmail(String(email ?? '')));
    if (!account || account.disabled || this.sentRecently(account.codes.reset)) return;
    const { pending, code } = this.issueCode(account.id, 'reset', RESET_CODE_TTL_MS);
    const event: PasswordResetRequested = {
      ...this.eventBase(account.id),
      type: 'account.password_reset_requested',
      payload: { accountId: account.id, email: account.email, locale: account.locale, code, expiresAt: pending.expiresAt },
    };
    await this.o.store.updateAccount({ ...account, codes: { ...account.codes, reset: pending }, updatedAt: this.nowIso() }, [
      event,
    ]);
  }

  async resetPassword(email: string, code: string, newPassword: string, meta?: RequestMeta): Promise<void> {
    const account = await this.o.store.getAccountByEmail(normalizeEmail(String(email ?? '')));
    const problems = passwordProblems(String(newPassword ?? ''), account?.email ?? String(email ?? ''));
    if (problems.length) throw badInput(problems.map((message) => ({ path: 'newPassword', message })));
    const checked = account ? await this.checkCode(account, 'reset', code) : null;
    if (!account || !checked) throw badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    const codes = { ...checked.codes };
    delete codes.reset;
    const now = this.nowIso();
    await this.o.store.updateAccount(
      {
        ...checked,
        passwordHash: await hashPassword(newPassword, this.o.passwordHashCost),
        emailVerified: true,
        codes,
        lockout: { ...NO_FAILURES },
        updatedAt: now,
      },
      [],
    );
    // whoever knew the old password is signed out everywhere
    const revoked = await this.o.store.revokeAccountSessions(account.id, now);
    await this.audit('password_reset', meta, { account, details: { revokedSessions: revoked } });
  }

  /** The account with the code consumed if `code` matches; null (and one more wrong attempt recorded) otherwise. */
  private async checkCode(account: Account, purpose: 'verify' | 'reset', code: string): Promise<Account | null> {
    const pending = account.codes[purpose];
    if (!pending || pending.expiresAt <= this.nowIso() || pending.attempts >= MAX_CODE_ATTEMPTS) return null;
    const presented = Buffer.from(codeHash(account.id, purpose, String(code ?? '').trim()));
    const expected = Buffer.from(pending.hash);
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) return account;
    await this.o.store.updateAccount(
      {
        ...account,
        codes: { ...account.codes, [purpose]: { ...pending, attempts: pending.attempts + 1 } },
        updatedAt: this.nowIso(),
      },
      [],
    );
    return null;
  }

  private issueCode(accountId: string, purpose: 'verify' | 'reset', ttlMs: number): { pending: PendingCode; code: string } {
    const code = newCode();
    const now = this.o.clock.now();
    return {
      code,
      pending: {
        hash: codeHash(accountId, purpose, code),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
        attempts: 0,
        sentAt: now.toISOString(),
      },
    };
  }

  private sentRecently(pending: PendingCode | undefined): boolean {
    return !!pending && this.o.clock.now().getTime() - Date.parse(pending.sentAt) < this.o.codeResendIntervalMs;
  }

  private eventBase(accountId: string) {
    return { id: this.o.ids.newId(), aggregateId: accountId, occurredAt: this.nowIso() };
  }

  private nowIso(): string {
    return this.o.clock.now().toISOString();
  }

  async signIn(email: string, password: string, meta?: RequestMeta): Promise<SignInResult> {
    const key = normalizeEmail(String(email ?? ''));
    const account = key ? await this.o.store.getAccountByEmail(key) : null;
    const now = this.o.clock.now();
    // addresses without an account lock exactly like real ones, so neither answers nor timing tell them apart
    const lockout = account ? account.lockout : this.unknownLockouts.get(key);
    const lockedMs = lockRemainingMs(lockout, now);
    // unknown addresses are recorded too (by e-mail): that is what credential stuffing looks like
    const who = { account, email: key || null };
    if (lockedMs > 0) {
      // attempts during a lock do not extend it, and are not even checked
      const seconds = Math.ceil(lockedMs / 1000);
      await this.audit('sign_in_failed', meta, { ...who, details: { reason: 'locked' } });
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins; try again in ${seconds} s`, {
        retryAfterSeconds: seconds,
      });
    }
    const ok = await verifyPassword(String(password ?? ''), account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) {
      const next = afterFailure(lockout, now);
      if (account) await this.o.store.updateAccount({ ...account, lockout: next, updatedAt: now.toISOString() }, []);
      else this.unknownLockouts.set(key, next);
      await this.audit('sign_in_failed', meta, { ...who, details: { reason: 'bad_credentials', failures: next.failures } });
      const lockMs = lockRemainingMs(next, now);
      if (lockMs > 0) {
        await this.audit('account_locked', meta, {
          ...who,
          details: { lockSeconds: Math.ceil(lockMs / 1000), failures: next.failures },
        });
      }
      throw unauthenticated(INVALID_CREDENTIALS);
    }
    if (account.disabled) {
      await this.audit('sign_in_failed', meta, { ...who, details: { reason: 'disabled' } });
      throw unauthenticated('This account is disabled');
    }
    if (!account.emailVerified) {
      await this.audit('sign_in_failed', meta, { ...who, details: { reason: 'email_not_verified' } });
      throw new AppError(ErrorCode.ACCOUNT_NOT_VERIFIED, 'Confirm your e-mail address with the code we sent you first');
    }
    return this.afterFirstFactor(account, { method: 'password' }, meta);
  }

  /**
   * The first factor is right: tokens, or an MFA challenge when the account has MFA, or an enrolment-only
   * token when policy requires MFA it lacks. Failures are reset only once every factor passed, so a known
   * password does not reset the count of wrong TOTP codes.
   */
  private async afterFirstFactor(account: Account, factor: FirstFactor, meta?: RequestMeta): Promise<SignInResult> {
    const method = methodOf(factor);
    if (account.mfa.totpSecret) {
      const challenge: MfaChallenge = {
        mfaRequired: true,
        mfaToken: await this.o.secrets.seal({ sub: account.id, ...method }, 'mfa', MFA_TOKEN_TTL_SECONDS, this.o.clock.now()),
        expiresIn: MFA_TOKEN_TTL_SECONDS,
      };
      return challenge;
    }
    if (await this.mfaRequiredFor(account)) {
      const challenge: MfaSetupChallenge = {
        mfaSetupRequired: true,
        setupToken: await this.o.secrets.seal(
          { sub: account.id, ...method },
          'mfa_setup',
          SETUP_TOKEN_TTL_SECONDS,
          this.o.clock.now(),
        ),
        expiresIn: SETUP_TOKEN_TTL_SECONDS,
      };
      return challenge;
    }
    return this.completeSignIn(account, method, meta);
  }

  private async completeSignIn(account: Account, details: AuditEvent['details'], meta?: RequestMeta): Promise<Tokens> {
    if (account.lockout.failures > 0) {
      await this.o.store.updateAccount({ ...account, lockout: { ...NO_FAILURES }, updatedAt: this.nowIso() }, []);
    }
    const tokens = await this.openSession(account);
    await this.audit('sign_in_succeeded', meta, { account, details: { ...details, sessionId: sessionIdOf(tokens) } });
    return tokens;
  }

  private async openSession(account: Account): Promise<Tokens> {
    const now = this.o.clock.now();
    const secret = randomBytes(32).toString('base64url');
    const sessionId = this.o.ids.newId();
    await this.o.store.createSession({
      id: sessionId,
      accountId: account.id,
      refreshHash: sha256(secret),
      createdAt: now.toISOString(),
      expiresAt: this.refreshExpiry(now),
      revokedAt: null,
    });
    return this.issue(account, sessionId, secret);
  }

  async refresh(refreshToken: string, meta?: RequestMeta): Promise<Tokens> {
    const [sessionId, secret] = typeof refreshToken === 'string' ? refreshToken.split('.') : [];
    if (!sessionId || !secret) throw unauthenticated('Invalid refresh token');
    const session = await this.o.store.getSession(sessionId);
    const now = this.o.clock.now();
    if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) {
      throw unauthenticated('Session expired or signed out');
    }
    const presented = Buffer.from(sha256(secret));
    const current = Buffer.from(session.refreshHash);
    if (presented.length !== current.length || !timingSafeEqual(presented, current)) {
      // A refresh token that was already rotated away is being replayed: end the whole session.
      await this.o.store.revokeSession(session.id, now.toISOString());
      await this.audit('refresh_token_reused', meta, { accountId: session.accountId, details: { sessionId: session.id } });
      throw unauthenticated('Refresh token reused; the session was signed out');
    }
    const account = await this.o.store.getAccount(session.accountId);
    if (!account || account.disabled) throw unauthenticated('This account is disabled');
    if (!account.mfa.totpSecret && (await this.mfaRequiredFor(account))) {
      // A session opened before the policy (or before a group change) named this account's group ends at
      // its next refresh; signing in again leads to the enrolment.
      await this.o.store.revokeSession(session.id, now.toISOString());
      throw new AppError(ErrorCode.FORBIDDEN, 'Your group must use two-factor authentication: sign in again to set it up', {
        reason: 'mfa_setup_required',
      });
    }
    const next = randomBytes(32).toString('base64url');
    const rotated = await this.o.store.rotateSession(session.id, session.refreshHash, sha256(next), this.refreshExpiry(now));
    if (!rotated) throw unauthenticated('Refresh token already used');
    return this.issue(account, session.id, next);
  }

  async signOut(input: { refreshToken?: string; principal?: Principal }): Promise<void> {
    const at = this.o.clock.now().toISOString();
    const fromToken = typeof input.refreshToken === 'string' ? input.refreshToken.split('.')[0] : undefined;
    for (const id of [fromToken, input.principal?.sessionId]) {
      if (id) await this.o.store.revokeSession(id, at);
    }
  }

  async verifyAccessToken(token: string): Promise<Principal> {
    const now = this.o.clock.now();
    // A token seen before is not verified again until its exp: clients send the same one on every request.
    // Issue 4 (immediate revocation) checks the cached principal's sessionId here, or drops the session's
    // tokens from the cache when it is revoked (`verifiedTokens.forgetSession`).
    const cached = this.verifiedTokens.get(token, now.getTime());
    if (cached) return this.liveSession(cached, now);
    let payload;
    try {
      payload = await this.o.keys.verify(token, now);
    } catch {
      throw unauthenticated('Invalid or expired access token');
    }
    if (payload.token_use !== 'access' || typeof payload.sub !== 'string') throw unauthenticated('Not an access token');
    const groups = Array.isArray(payload['cognito:groups'])
      ? payload['cognito:groups'].filter((g): g is Group => (GROUPS as readonly string[]).includes(String(g)))
      : [];
    const principal: Principal = {
      sub: payload.sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      groups,
      ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
    };
    // `exp` is required by verify; the 5 s clock tolerance still applies to a token verified afresh past it.
    return this.liveSession(this.verifiedTokens.set(token, principal, (payload.exp ?? 0) * 1000, now.getTime()), now);
  }

  /**
   * A token is only as good as its session: signing out, "sign out everywhere", a password change or a
   * disabled account revoke sessions, and their access tokens are refused from that moment — in every
   * process, since the session is read from the store on each request.
   */
  private async liveSession(principal: Principal, now: Date): Promise<Principal> {
    if (!principal.sessionId) throw unauthenticated('Not an access token');
    const session = await this.o.store.getSession(principal.sessionId);
    if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) {
      throw unauthenticated('This session was signed out');
    }
    return principal;
  }

  /** Revokes every session of the caller ("sign out everywhere"). */
  async signOutEverywhere(principal: Principal, meta?: RequestMeta): Promise<number> {
    const revoked = await this.o.store.revokeAccountSessions(principal.sub, this.nowIso());
    await this.audit('signed_out_everywhere', meta, {
      accountId: principal.sub,
      email: normalizeEmail(principal.email) || null,
      details: { revokedSessions: revoked },
    });
    return revoked;
  }

  /** Changes the caller's password after checking the current one; every session ends, and a new one starts. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string, meta?: RequestMeta): Promise<Tokens> {
    const account = await this.o.store.getAccount(principal.sub);
    if (!account || !(await verifyPassword(String(currentPassword ?? ''), account.passwordHash))) {
      throw badInput([{ path: 'currentPassword', message: 'is not your current password' }], 'The current password is wrong');
    }
    const problems = passwordProblems(String(newPassword ?? ''), account.email);
    if (problems.length) throw badInput(problems.map((message) => ({ path: 'newPassword', message })));
    const now = this.nowIso();
    const updated: Account = {
      ...account,
      passwordHash: await hashPassword(newPassword, this.o.passwordHashCost),
      updatedAt: now,
    };
    await this.o.store.updateAccount(updated, []);
    const revoked = await this.o.store.revokeAccountSessions(account.id, now);
    const tokens = await this.openSession(updated);
    await this.audit('password_changed', meta, {
      account,
      details: { revokedSessions: revoked, sessionId: sessionIdOf(tokens) },
    });
    return tokens;
  }

  /** Admin only: disables (and signs out everywhere) or re-enables an account. */
  async setDisabled(actor: Principal, userId: string, disabled: boolean, meta?: RequestMeta): Promise<AccountView> {
    assertCanSetDisabled(actor, userId, disabled);
    const account = await this.o.store.getAccount(userId);
    if (!account) throw notFound('User');
    const now = this.nowIso();
    const updated: Account = { ...account, disabled, updatedAt: now };
    await this.o.store.updateAccount(updated, []);
    const revoked = disabled ? await this.o.store.revokeAccountSessions(userId, now) : 0;
    await this.audit(disabled ? 'account_disabled' : 'account_enabled', meta, {
      account,
      actorId: actor.sub,
      details: disabled ? { revokedSessions: revoked } : {},
    });
    return toAccountView(updated);
  }

  // ── MFA (TOTP, recovery codes, policy) ────────────────────────────────────────────────────────────────

  async completeMfaSignIn(
    mfaToken: string,
    proof: { code?: string | undefined; recoveryCode?: string | undefined },
    meta?: RequestMeta,
  ): Promise<Tokens> {
    const claims = await this.purposeToken(mfaToken, 'mfa');
    const account = await this.o.store.getAccount(claims.sub);
    if (!account?.mfa.totpSecret) throw unauthenticated('Sign in again');
    if (account.disabled) {
      await this.audit('sign_in_failed', meta, { account, details: { reason: 'disabled' } });
      throw unauthenticated('This account is disabled');
    }
    const passed = await this.secondFactor(account, proof, 'sign_in', meta);
    if (passed.usedRecoveryCode) {
      await this.audit('mfa_changed', meta, {
        account,
        details: { action: 'recovery_code_used', recoveryCodesLeft: passed.account.mfa.recoveryCodes.length },
      });
    }
    const method = methodOf(claims);
    return this.completeSignIn(passed.account, { ...method, mfa: passed.usedRecoveryCode ? 'recovery_code' : 'totp' }, meta);
  }

  /**
   * The second factor, wherever it is asked (sign-in, regenerating recovery codes, disabling MFA): refused
   * while the account is locked, and every wrong code counts towards the lockout — otherwise a stolen
   * session could guess codes at the other two routes. The updated account once the code is consumed.
   */
  private async secondFactor(
    account: Account,
    proof: { code?: string | undefined; recoveryCode?: string | undefined },
    step: 'sign_in' | 'regenerate_recovery_codes' | 'disable_mfa',
    meta?: RequestMeta,
  ): Promise<{ account: Account; usedRecoveryCode: boolean }> {
    const now = this.o.clock.now();
    const failedType = step === 'sign_in' ? 'sign_in_failed' : 'mfa_verification_failed';
    const lockedMs = lockRemainingMs(account.lockout, now);
    if (lockedMs > 0) {
      const seconds = Math.ceil(lockedMs / 1000);
      await this.audit(failedType, meta, { account, details: { reason: 'locked', factor: 'mfa', step } });
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed attempts; try again in ${seconds} s`, {
        retryAfterSeconds: seconds,
      });
    }
    const passed = await this.checkSecondFactor(account, proof, now);
    if (passed) return passed;
    const next = afterFailure(account.lockout, now);
    await this.o.store.updateAccount({ ...account, lockout: next, updatedAt: now.toISOString() }, []);
    await this.audit(failedType, meta, { account, details: { reason: 'bad_mfa_code', failures: next.failures, step } });
    const lockMs = lockRemainingMs(next, now);
    if (lockMs > 0) {
      await this.audit('account_locked', meta, {
        account,
        details: { lockSeconds: Math.ceil(lockMs / 1000), failures: next.failures },
      });
    }
    if (step === 'sign_in') throw unauthenticated('The code is wrong or was already used');
    throw badInput([{ path: 'code', message: 'is wrong or was already used' }], 'Wrong code');
  }

  /**
   * Checks a TOTP code (newer than the last one accepted) or an unused recovery code, and consumes it in
   * the store (lastStep moves on, or the recovery code is removed); the updated account, or null.
   */
  private async checkSecondFactor(
    account: Account,
    proof: { code?: string | undefined; recoveryCode?: string | undefined },
    now: Date,
  ): Promise<{ account: Account; usedRecoveryCode: boolean } | null> {
    const secret = account.mfa.totpSecret ? await this.openTotpSecret(account.mfa.totpSecret) : null;
    if (!secret) return null;
    let mfa: Account['mfa'] | null = null;
    if (proof.code) {
      const step = acceptTotp(secret, proof.code, now, account.mfa.lastStep);
      if (step !== null) mfa = { ...account.mfa, lastStep: step };
    } else if (proof.recoveryCode) {
      const hash = recoveryCodeHash(account.id, proof.recoveryCode);
      if (account.mfa.recoveryCodes.includes(hash)) {
        mfa = { ...account.mfa, recoveryCodes: account.mfa.recoveryCodes.filter((h) => h !== hash) };
      }
    }
    if (!mfa) return null;
    const updated: Account = { ...account, mfa, updatedAt: now.toISOString() };
    try {
      // Compare-and-set: of two requests presenting the same code at once, only one consumes it.
      await this.o.store.updateAccount(updated, [], account.updatedAt);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.CONFLICT) return null;
      throw err;
    }
    return { account: updated, usedRecoveryCode: !proof.code };
  }

  async setupTotp(who: MfaEnroller): Promise<{ secret: string; otpauthUri: string }> {
    const { account } = await this.enroller(who);
    if (account.mfa.totpSecret)
      throw new AppError(ErrorCode.CONFLICT, 'Two-factor authentication is already on; disable it first');
    const secret = newTotpSecret();
    await this.o.store.updateAccount(
      { ...account, mfa: { ...account.mfa, pendingSecret: await this.sealTotpSecret(secret) }, updatedAt: this.nowIso() },
      [],
    );
    return { secret, otpauthUri: totpUri(secret, account.email, this.o.mfaIssuer ?? 'Atelier') };
  }

  async confirmTotp(who: MfaEnroller, code: string, meta?: RequestMeta): Promise<{ recoveryCodes: string[]; tokens?: Tokens }> {
    const { account, viaSetupToken, method } = await this.enroller(who);
    if (account.mfa.totpSecret) throw new AppError(ErrorCode.CONFLICT, 'Two-factor authentication is already on');
    const pending = account.mfa.pendingSecret ? await this.openTotpSecret(account.mfa.pendingSecret) : null;
    if (!pending) throw badInput([{ path: 'code', message: 'start the setup first' }], 'No two-factor setup in progress');
    const now = this.o.clock.now();
    const step = acceptTotp(pending, code, now, 0);
    if (step === null) throw badInput([{ path: 'code', message: 'is not the current code of your authenticator' }], 'Wrong code');
    const recoveryCodes = newRecoveryCodes();
    const updated: Account = {
      ...account,
      mfa: {
        totpSecret: account.mfa.pendingSecret,
        pendingSecret: null,
        lastStep: step,
        recoveryCodes: recoveryCodes.map((c) => recoveryCodeHash(account.id, c)),
        enabledAt: now.toISOString(),
      },
      updatedAt: now.toISOString(),
    };
    await this.o.store.updateAccount(updated, []);
    await this.audit('mfa_changed', meta, { account, details: { action: 'enabled' } });
    if (!viaSetupToken) return { recoveryCodes };
    // The enrolment completes the sign-in that policy interrupted: the code just checked is its second factor.
    return { recoveryCodes, tokens: await this.completeSignIn(updated, { ...method, mfa: 'totp_enrolment' }, meta) };
  }

  async regenerateRecoveryCodes(principal: Principal, code: string, meta?: RequestMeta): Promise<{ recoveryCodes: string[] }> {
    const account = await this.o.store.getAccount(principal.sub);
    if (!account?.mfa.totpSecret) throw badInput([{ path: 'code', message: 'two-factor authentication is off' }]);
    const passed = await this.secondFactor(account, { code }, 'regenerate_recovery_codes', meta);
    const recoveryCodes = newRecoveryCodes();
    await this.o.store.updateAccount(
      {
        ...passed.account,
        mfa: { ...passed.account.mfa, recoveryCodes: recoveryCodes.map((c) => recoveryCodeHash(account.id, c)) },
        updatedAt: this.nowIso(),
      },
      [],
    );
    await this.audit('mfa_changed', meta, { account, details: { action: 'recovery_codes_regenerated' } });
    return { recoveryCodes };
  }

  async disableTotp(principal: Principal, password: string, code: string, meta?: RequestMeta): Promise<void> {
    const account = await this.o.store.getAccount(principal.sub);
    if (!account?.mfa.totpSecret) throw badInput([{ path: 'code', message: 'two-factor authentication is off' }]);
    if (await this.mfaRequiredFor(account)) throw forbidden('Your group must use two-factor authentication');
    if (!(await verifyPassword(String(password ?? ''), account.passwordHash))) {
      throw badInput([{ path: 'password', message: 'is not your current password' }], 'The password is wrong');
    }
    const proof = /^\d{6}$/.test(String(code ?? '').trim()) ? { code } : { recoveryCode: code };
    const passed = await this.secondFactor(account, proof, 'disable_mfa', meta);
    await this.o.store.updateAccount({ ...passed.account, mfa: { ...NO_MFA }, updatedAt: this.nowIso() }, []);
    await this.audit('mfa_changed', meta, { account, details: { action: 'disabled' } });
  }

  async mfaStatus(principal: Principal): Promise<MfaStatus> {
    const account = await this.o.store.getAccount(principal.sub);
    if (!account) throw notFound('Account');
    return {
      enabled: account.mfa.totpSecret !== null,
      pendingSetup: account.mfa.pendingSecret !== null,
      recoveryCodesLeft: account.mfa.recoveryCodes.length,
      required: await this.mfaRequiredFor(account),
    };
  }

  async getMfaPolicy(actor: Principal): Promise<MfaPolicy> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can read the MFA policy');
    return this.readMfaPolicy();
  }

  async setMfaPolicy(actor: Principal, requireMfaFor: MfaPolicyGroup[], meta?: RequestMeta): Promise<MfaPolicy> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can change the MFA policy');
    const bad = requireMfaFor.filter((g) => !(MFA_POLICY_GROUPS as readonly string[]).includes(g));
    if (bad.length) throw badInput([{ path: 'requireMfaFor', message: `may only hold ${MFA_POLICY_GROUPS.join(', ')}` }]);
    const previous = await this.readMfaPolicy();
    const policy: MfaPolicy = { requireMfaFor: [...new Set(requireMfaFor)].sort() };
    await this.o.store.putSetting(MFA_POLICY_SETTING, JSON.stringify(policy), this.nowIso());
    await this.audit('mfa_policy_changed', meta, {
      actorId: actor.sub,
      details: { requireMfaFor: policy.requireMfaFor.join(','), previous: previous.requireMfaFor.join(',') },
    });
    return policy;
  }

  private async readMfaPolicy(): Promise<MfaPolicy> {
    const raw = await this.o.store.getSetting(MFA_POLICY_SETTING);
    const parsed = raw ? z.object({ requireMfaFor: z.array(z.enum(MFA_POLICY_GROUPS)) }).safeParse(JSON.parse(raw)) : null;
    return parsed?.success ? parsed.data : { requireMfaFor: [] };
  }

  private async mfaRequiredFor(account: Account): Promise<boolean> {
    const policy = await this.readMfaPolicy();
    return account.groups.some((g) => (policy.requireMfaFor as readonly string[]).includes(g));
  }

  /** The account enrolling, from a live principal or a setup token (which carries how its sign-in began). */
  private async enroller(who: MfaEnroller): Promise<{ account: Account; viaSetupToken: boolean; method: AuditEvent['details'] }> {
    let accountId: string;
    let method: AuditEvent['details'] = {};
    if ('principal' in who) {
      accountId = who.principal.sub;
    } else {
      const claims = await this.purposeToken(who.setupToken, 'mfa_setup');
      accountId = claims.sub;
      method = methodOf(claims);
    }
    const account = await this.o.store.getAccount(accountId);
    if (!account || account.disabled) throw unauthenticated('Sign in again');
    return { account, viaSetupToken: !('principal' in who), method };
  }

  /**
   * Opens a short-lived MFA or setup token. They are sealed (JWE under the secret box, purpose-bound), not
   * signed with the access-token keys: nothing that trusts our JWKS could mistake one for an access token.
   */
  private async purposeToken(token: string, use: 'mfa' | 'mfa_setup') {
    let payload;
    try {
      payload = await this.o.secrets.open(String(token ?? ''), use, this.o.clock.now());
    } catch {
      throw unauthenticated('This sign-in step expired or is not this one; sign in again');
    }
    if (typeof payload.sub !== 'string') throw unauthenticated('Not a token for this step');
    return { sub: payload.sub, method: payload.method, provider: payload.provider };
  }

  private sealTotpSecret(secret: string): Promise<string> {
    return this.o.secrets.seal({ s: secret }, TOTP_SECRET_PURPOSE, undefined, this.o.clock.now());
  }

  private async openTotpSecret(sealed: string): Promise<string | null> {
    try {
      const { s } = await this.o.secrets.open(sealed, TOTP_SECRET_PURPOSE, this.o.clock.now());
      return typeof s === 'string' ? s : null;
    } catch {
      return null;
    }
  }

  // ── Federated sign-in (OpenID Connect) ────────────────────────────────────────────────────────────────

  async signInFederated(identity: ExternalIdentity, meta?: RequestMeta): Promise<{ code: string }> {
    const emailKey = identity.email ? normalizeEmail(identity.email) : null;
    const failed = async (reason: string, account: Account | null, message: string): Promise<never> => {
      await this.audit('sign_in_failed', meta, {
        account,
        email: emailKey,
        details: { reason, method: 'federated', provider: identity.provider },
      });
      throw new AppError(ErrorCode.FORBIDDEN, message, { reason });
    };
    const link = await this.o.store.getFederatedLink(identity.provider, identity.subject);
    let account = link ? await this.o.store.getAccount(link.accountId) : null;
    if (!account) {
      // Linking or creating goes by e-mail, which only counts when the provider vouches for it. A refusal is
      // recorded against the account holding that address, if any: it may be a takeover attempt.
      if (!emailKey || !identity.emailVerified) {
        const holder = emailKey ? await this.o.store.getAccountByEmail(emailKey) : null;
        return failed('email_not_verified', holder, 'The provider did not confirm this e-mail address');
      }
      const byEmail = await this.o.store.getAccountByEmail(emailKey);
      const created = byEmail ? null : await this.newFederatedAccount(String(identity.email).trim());
      account = byEmail ?? created;
      if (!account) throw unauthenticated();
      await this.o.store.linkFederatedIdentity({
        provider: identity.provider,
        subject: identity.subject,
        accountId: account.id,
        email: emailKey,
        createdAt: this.nowIso(),
      });
      if (byEmail && !byEmail.emailVerified) {
        // The provider verified the address, which the local sign-up never did: whoever chose that password
        // may not own the address (pre-hijacking), so the password and any session go, and the account is
        // verified. The owner can set a password again with the forgot-password flow.
        const now = this.nowIso();
        account = { ...byEmail, emailVerified: true, passwordHash: '', codes: {}, updatedAt: now };
        await this.o.store.updateAccount(account, []);
        await this.o.store.revokeAccountSessions(account.id, now);
      }
    }
    if (account.disabled) return failed('disabled', account, 'This account is disabled');
    const code = randomBytes(32).toString('base64url');
    await this.o.store.putGrant({
      hash: sha256(code),
      purpose: 'federated_sign_in',
      accountId: account.id,
      expiresAt: new Date(this.o.clock.now().getTime() + FEDERATED_CODE_TTL_MS).toISOString(),
      details: { provider: identity.provider },
    });
    return { code };
  }

  async recordFederatedFailure(provider: string, reason: string, meta?: RequestMeta): Promise<void> {
    await this.audit('sign_in_failed', meta, { details: { reason, method: 'federated', provider } });
  }

  async exchangeFederatedCode(code: string, meta?: RequestMeta): Promise<SignInResult> {
    const grant = typeof code === 'string' && code ? await this.o.store.takeGrant(sha256(code)) : null;
    if (!grant || grant.purpose !== 'federated_sign_in' || grant.expiresAt <= this.nowIso()) {
      throw unauthenticated('This sign-in code is invalid, expired or already used');
    }
    const account = await this.o.store.getAccount(grant.accountId);
    if (!account || account.disabled) {
      await this.audit('sign_in_failed', meta, {
        account,
        accountId: grant.accountId,
        details: { reason: 'disabled', method: 'federated' },
      });
      throw unauthenticated('This account is disabled');
    }
    return this.afterFirstFactor(account, { method: 'federated', provider: grant.details.provider ?? '' }, meta);
  }

  /** A verified freelancer with no usable password (the forgot-password flow can give it one). */
  private async newFederatedAccount(email: string): Promise<Account> {
    const now = this.nowIso();
    const account: Account = {
      id: this.o.ids.newId(),
      email,
      emailKey: normalizeEmail(email),
      passwordHash: '',
      groups: ['freelancer'],
      disabled: false,
      emailVerified: true,
      locale: 'fr',
      codes: {},
      lockout: { ...NO_FAILURES },
      mfa: { ...NO_MFA },
      createdAt: now,
      updatedAt: now,
    };
    const event: AccountCreated = {
      ...this.eventBase(account.id),
      type: 'account.created',
      payload: {
        accountId: account.id,
        email,
        locale: account.locale,
        groups: account.groups,
        verificationCode: null,
        expiresAt: null,
      },
    };
    await this.o.store.createAccount(account, [event]);
    return account;
  }

  jwks(): Promise<{ keys: object[] }> {
    return Promise.resolve(this.o.keys.jwks());
  }

  async setGroups(actor: Principal, userId: string, groups: Group[], meta?: RequestMeta): Promise<AccountView> {
    assertCanSetGroups(actor, userId, groups);
    const account = await this.o.store.getAccount(userId);
    if (!account) throw notFound('User');
    const updated: Account = { ...account, groups: [...new Set(groups)], updatedAt: this.o.clock.now().toISOString() };
    await this.o.store.updateAccount(updated, []);
    await this.audit('groups_changed', meta, {
      account,
      actorId: actor.sub,
      details: { groups: updated.groups.join(','), previousGroups: account.groups.join(',') },
    });
    return toAccountView(updated);
  }

  async listAuditEvents(
    actor: Principal,
    filter: AuditFilter,
    limit: number,
    nextToken?: string | null,
  ): Promise<Page<AuditEvent>> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can read the audit log');
    return this.o.audit.list(filter, Math.min(Math.max(limit, 1), 100), nextToken);
  }

  /**
   * Records a security event; a failure to record is reported to `onAuditError` and swallowed, so that
   * the audit store being down never stops people from signing in.
   */
  private async audit(
    type: AuditEventType,
    meta: RequestMeta | undefined,
    about: {
      account?: Account | null;
      accountId?: string;
      email?: string | null;
      actorId?: string;
      details?: AuditEvent['details'];
    },
  ): Promise<void> {
    const event: AuditEvent = {
      id: this.o.ids.newId(),
      at: this.nowIso(),
      type,
      accountId: about.account?.id ?? about.accountId ?? null,
      email: about.account?.emailKey ?? about.email ?? null,
      actorId: about.actorId ?? null,
      ip: meta?.ip || null,
      userAgent: meta?.userAgent ? meta.userAgent.slice(0, MAX_USER_AGENT) : null,
      details: about.details ?? {},
    };
    try {
      await this.o.audit.record(event);
    } catch (err) {
      this.o.onAuditError?.(err, event);
    }
  }

  async listUsers(actor: Principal, limit: number, nextToken?: string | null): Promise<Page<AccountView>> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can list users');
    const page = await this.o.store.listAccounts(Math.min(Math.max(limit, 1), 100), nextToken);
    return { items: page.items.map(toAccountView), nextToken: page.nextToken };
  }

  async ensureAdmin(email: string, password: string): Promise<AccountView> {
    const existing = await this.o.store.getAccountByEmail(normalizeEmail(email));
    if (!existing) return this.provisionAccount(email, password, ['admin']);
    const samePassword = await verifyPassword(password, existing.passwordHash);
    const updated: Account = {
      ...existing,
      groups: existing.groups.includes('admin') ? existing.groups : [...existing.groups, 'admin'],
      passwordHash: samePassword ? existing.passwordHash : await hashPassword(password, this.o.passwordHashCost),
      disabled: false,
      emailVerified: true,
      updatedAt: this.o.clock.now().toISOString(),
    };
    await this.o.store.updateAccount(updated, []);
    return toAccountView(updated);
  }

  /** Accounts created by the operator (admin bootstrap, demo data) are verified: nobody will read their mail. */
  async provisionAccount(email: string, password: string, groups: Group[]): Promise<AccountView> {
    const account = await this.newAccount(email.trim(), password, groups, true, 'fr');
    const event: AccountCreated = {
      ...this.eventBase(account.id),
      type: 'account.created',
      payload: {
        accountId: account.id,
        email: account.email,
        locale: account.locale,
        groups,
        verificationCode: null,
        expiresAt: null,
      },
    };
    await this.o.store.createAccount(account, [event]);
    return toAccountView(account);
  }

  ping(): Promise<void> {
    return this.o.store.ping();
  }

  close(): Promise<void> {
    return this.o.store.close();
  }

  private async newAccount(
    email: string,
    password: string,
    groups: Group[],
    emailVerified: boolean,
    locale: Locale,
  ): Promise<Account> {
    const now = this.o.clock.now().toISOString();
    return {
      id: this.o.ids.newId(),
      email,
      emailKey: normalizeEmail(email),
      passwordHash: await hashPassword(password, this.o.passwordHashCost),
      groups,
      disabled: false,
      emailVerified,
      locale,
      codes: {},
      lockout: { failures: 0, lockedUntil: null },
      mfa: { ...NO_MFA },
      createdAt: now,
      updatedAt: now,
    };
  }

  private refreshExpiry(now: Date): string {
    return new Date(now.getTime() + this.o.refreshTokenTtlDays * 86_400_000).toISOString();
  }

  private async issue(account: Account, sessionId: string, secret: string): Promise<Tokens> {
    const accessToken = await this.o.keys.sign(
      {
        sub: account.id,
        email: account.email,
        'cognito:groups': account.groups,
        token_use: 'access',
        sid: sessionId,
      },
      this.o.accessTokenTtlSeconds,
    );
    return {
      accessToken,
      refreshToken: `${sessionId}.${secret}`,
      expiresIn: this.o.accessTokenTtlSeconds,
      tokenType: 'Bearer',
    };
  }
}
