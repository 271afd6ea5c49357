import { createHmac } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type AttributeType,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AppError, ErrorCode, badInput, forbidden, unauthenticated } from '../../../shared/errors.js';
import { assertCanSetDisabled, assertCanSetGroups } from '../admin-rules.js';
import type { Clock, IdGenerator } from '../../../shared/clock.js';
import { resolveCredentials, type DynamoCredentials } from '../../../shared/dynamodb.js';
import type { Page } from '../account-store.js';
import type { AuditEvent, AuditEventType, AuditFilter, AuditLog, RequestMeta } from '../audit-log.js';
import type { IdentityProvider } from '../identity-provider.js';
import {
  GROUPS,
  LOCALES,
  hasGroup,
  normalizeEmail,
  type AccountView,
  type Group,
  type Locale,
  type Principal,
  type Tokens,
} from '../model.js';
import { passwordProblems } from '../local/password-policy.js';
import { VerifiedTokenCache } from '../local/verified-token-cache.js';
import { INVALID_CODE, isClientFault, mapCognitoError, type CognitoOperation } from './cognito-errors.js';
import { CognitoTokenVerifier, groupsFromClaim, jwksUrlOf, type CognitoPool } from './cognito-tokens.js';

export interface CognitoIdentityOptions extends CognitoPool {
  /** Only for app clients with a secret: each call then carries SECRET_HASH. */
  clientSecret?: string | undefined;
  clock: Clock;
  ids: IdGenerator;
  /** Atelier's own trail of what passes through it (Cognito keeps its own, in CloudTrail and its user-event history). */
  audit: AuditLog;
  onAuditError?: (err: unknown, event: AuditEvent) => void;
  /** Tests: keys instead of the pool's JWKS URL, credentials instead of the default chain. */
  keys?: JWTVerifyGetKey;
  credentials?: DynamoCredentials;
  verifiedTokenCacheSize?: number;
}

const email = z.string().trim().max(254, 'at most 254 characters').email('is not a valid e-mail address');
const MAX_USER_AGENT = 512;
/** Cognito's ListUsers pages hold at most 60 users. */
const MAX_LIST = 60;
/** In an `<username>~<token>` refresh token (clients with a secret); Cognito tokens never contain it. */
const REFRESH_SEPARATOR = '~';

const attr = (attributes: AttributeType[] | undefined, name: string): string | undefined =>
  attributes?.find((a) => a.Name === name)?.Value;
const localeOf = (value: string | undefined): Locale =>
  (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'fr';

/**
 * The IdentityProvider port on an Amazon Cognito user pool (ADR 012). Cognito keeps the accounts, the
 * passwords (and their policy), the codes and their e-mails, lockout and sessions; this adapter translates
 * the port to Cognito's API, verifies Cognito's tokens against the pool's JWKS and maps `cognito:groups`
 * to Atelier's groups. The pool is expected to use the e-mail as username (so the account id is the `sub`),
 * to have the groups `freelancer`, `team` and `admin`, and its app client to allow USER_PASSWORD_AUTH and
 * prevent user-existence errors.
 */
export class CognitoIdentity implements IdentityProvider {
  private readonly client: CognitoIdentityProviderClient;
  private readonly tokens: CognitoTokenVerifier;
  private readonly verifiedTokens: VerifiedTokenCache;
  private jwksCache: { at: number; body: { keys: object[] } } | undefined;

  constructor(private readonly o: CognitoIdentityOptions) {
    const credentials = resolveCredentials(o.endpoint, o.credentials);
    this.client = new CognitoIdentityProviderClient({
      region: o.region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
    this.tokens = new CognitoTokenVerifier(o, o.keys);
    this.verifiedTokens = new VerifiedTokenCache(o.verifiedTokenCacheSize ?? 10_000);
  }

  /** Sends a Cognito command, turning Cognito's exceptions into Atelier's codes for this operation. */
  private async call<T>(op: CognitoOperation, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw mapCognitoError(err, op);
    }
  }

  /** HMAC-SHA256(client secret, username + client id), base64: what a client with a secret must send. */
  private secretHash(username: string): { SecretHash?: string } {
    if (!this.o.clientSecret) return {};
    return {
      SecretHash: createHmac('sha256', this.o.clientSecret)
        .update(username + this.o.clientId)
        .digest('base64'),
    };
  }

  async signUp(rawEmail: string, password: string, locale: Locale = 'fr'): Promise<AccountView> {
    const parsed = email.safeParse(rawEmail);
    const problems = [
      ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ path: 'email', message: i.message }))),
      // Atelier's policy (ASVS: length, not a common password) on top of the pool's own
      ...passwordProblems(String(password ?? ''), String(rawEmail ?? '')).map((message) => ({ path: 'password', message })),
    ];
    if (problems.length || !parsed.success) throw badInput(problems);
    const username = normalizeEmail(parsed.data);
    const out = await this.call('signUp', () =>
      this.client.send(
        new SignUpCommand({
          ClientId: this.o.clientId,
          Username: username,
          Password: password,
          UserAttributes: [
            { Name: 'email', Value: username },
            { Name: 'locale', Value: locale },
          ],
          ...this.secretHash(username),
        }),
      ),
    );
    return {
      id: out.UserSub ?? '',
      email: username,
      // MFA in this mode is the pool's own setting; Atelier's TOTP service is the local provider's (ADR 012)
      mfaEnabled: false,
      groups: ['freelancer'],
      disabled: false,
      emailVerified: out.UserConfirmed ?? false,
      locale,
      createdAt: this.o.clock.now().toISOString(),
    };
  }

  async verifyEmail(rawEmail: string, code: string): Promise<AccountView> {
    const username = normalizeEmail(String(rawEmail ?? ''));
    if (!username || !String(code ?? '').trim()) throw badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    try {
      await this.call('verify', () =>
        this.client.send(
          new ConfirmSignUpCommand({
            ClientId: this.o.clientId,
            Username: username,
            ConfirmationCode: String(code).trim(),
            ...this.secretHash(username),
          }),
        ),
      );
    } catch (err) {
      // Cognito refuses to confirm a confirmed user; as in LocalIdentity, verifying twice is harmless
      const view = await this.accountView(username).catch(() => null);
      if (view?.emailVerified) return view;
      throw err;
    }
    return this.accountView(username);
  }

  async resendVerificationCode(rawEmail: string): Promise<void> {
    const username = normalizeEmail(String(rawEmail ?? ''));
    if (!username) return;
    await this.quietly(() =>
      this.client.send(
        new ResendConfirmationCodeCommand({ ClientId: this.o.clientId, Username: username, ...this.secretHash(username) }),
      ),
    );
  }

  async forgotPassword(rawEmail: string): Promise<void> {
    const username = normalizeEmail(String(rawEmail ?? ''));
    if (!username) return;
    await this.quietly(() =>
      this.client.send(
        new ForgotPasswordCommand({ ClientId: this.o.clientId, Username: username, ...this.secretHash(username) }),
      ),
    );
  }

  /**
   * Runs a call whose answer must not reveal whether the address has an account: every answer about the
   * caller's input (unknown user, already confirmed, too many requests) is swallowed; an outage or an
   * operation the provider lacks is not, since it says nothing about the address.
   */
  private async quietly(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (err) {
      if (!isClientFault(err)) throw mapCognitoError(err, 'admin');
    }
  }

  async resetPassword(rawEmail: string, code: string, newPassword: string, meta?: RequestMeta): Promise<void> {
    const username = normalizeEmail(String(rawEmail ?? ''));
    const problems = passwordProblems(String(newPassword ?? ''), username);
    if (problems.length) throw badInput(problems.map((message) => ({ path: 'newPassword', message })));
    if (!username || !String(code ?? '').trim()) throw badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    await this.call('resetPassword', () =>
      this.client.send(
        new ConfirmForgotPasswordCommand({
          ClientId: this.o.clientId,
          Username: username,
          ConfirmationCode: String(code).trim(),
          Password: newPassword,
          ...this.secretHash(username),
        }),
      ),
    );
    const view = await this.accountView(username).catch(() => null);
    // whoever knew the old password is signed out everywhere (refresh tokens; access tokens run to their exp)
    const revoked = await this.globalSignOut(username);
    await this.audit('password_reset', meta, {
      accountId: view?.id ?? null,
      email: username,
      details: { signedOutEverywhere: revoked },
    });
  }

  async signIn(rawEmail: string, password: string, meta?: RequestMeta): Promise<Tokens> {
    const username = normalizeEmail(String(rawEmail ?? ''));
    try {
      const tokens = await this.passwordAuth(username, String(password ?? ''));
      const sub = subOf(tokens.accessToken);
      await this.audit('sign_in_succeeded', meta, { accountId: sub, email: username });
      return tokens;
    } catch (err) {
      const reason =
        err instanceof AppError
          ? err.code === ErrorCode.ACCOUNT_NOT_VERIFIED
            ? 'email_not_verified'
            : err.code === ErrorCode.RATE_LIMITED
              ? 'locked'
              : 'bad_credentials'
          : 'error';
      await this.audit('sign_in_failed', meta, { accountId: null, email: username || null, details: { reason } });
      throw err;
    }
  }

  /** USER_PASSWORD_AUTH; a challenge (MFA, new password required) is a step Atelier's API does not offer yet. */
  private async passwordAuth(username: string, password: string): Promise<Tokens> {
    if (!username || !password) throw unauthenticated('Incorrect e-mail or password');
    const out = await this.call('signIn', () =>
      this.client.send(
        new InitiateAuthCommand({
          ClientId: this.o.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: password, ...secretParam(this.secretHash(username)) },
        }),
      ),
    );
    if (!out.AuthenticationResult) {
      throw new AppError(
        ErrorCode.NOT_SUPPORTED,
        `This account needs a sign-in step Atelier does not offer yet (${out.ChallengeName ?? 'unknown challenge'})`,
      );
    }
    return this.tokensFrom(out.AuthenticationResult, undefined);
  }

  private async tokensFrom(result: AuthenticationResultType, previousRefresh: string | undefined): Promise<Tokens> {
    if (!result.AccessToken) throw new AppError(ErrorCode.UNAVAILABLE, 'The identity service returned no token');
    const refresh = result.RefreshToken ?? previousRefresh ?? '';
    let refreshToken = refresh;
    if (this.o.clientSecret && result.RefreshToken) {
      // a refresh with a client secret needs the username (the sub) in its SECRET_HASH: keep it with the token
      const sub = subOf(result.AccessToken);
      refreshToken = `${sub}${REFRESH_SEPARATOR}${refresh}`;
    } else if (previousRefresh?.includes(REFRESH_SEPARATOR)) {
      refreshToken = previousRefresh;
    }
    return {
      accessToken: result.AccessToken,
      refreshToken,
      // cognito-local leaves ExpiresIn out: the token's own exp says it
      expiresIn: result.ExpiresIn ?? this.secondsLeft(result.AccessToken),
      tokenType: 'Bearer',
      ...(result.IdToken ? { idToken: result.IdToken } : {}),
    };
  }

  private secondsLeft(token: string): number {
    const exp = decodeJwt(token).exp ?? 0;
    return Math.max(0, exp - Math.floor(this.o.clock.now().getTime() / 1000));
  }

  async refresh(refreshToken: string, _meta?: RequestMeta): Promise<Tokens> {
    if (typeof refreshToken !== 'string' || !refreshToken) throw unauthenticated('Invalid refresh token');
    const [username, token] = refreshToken.includes(REFRESH_SEPARATOR)
      ? refreshToken.split(REFRESH_SEPARATOR, 2)
      : [undefined, refreshToken];
    if (!token) throw unauthenticated('Invalid refresh token');
    const out = await this.call('refresh', () =>
      this.client.send(
        new InitiateAuthCommand({
          ClientId: this.o.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: token, ...(username ? secretParam(this.secretHash(username)) : {}) },
        }),
      ),
    );
    if (!out.AuthenticationResult) throw unauthenticated('Session expired or signed out');
    return this.tokensFrom(out.AuthenticationResult, refreshToken);
  }

  /**
   * With the refresh token: RevokeToken ends that session (Cognito then refuses its refresh and the access
   * tokens it issued at Cognito's API; our JWT check accepts them until their exp). With only an access
   * token, Cognito has no per-session revocation: the caller is signed out everywhere.
   */
  async signOut(input: { refreshToken?: string; principal?: Principal }): Promise<void> {
    if (typeof input.refreshToken === 'string' && input.refreshToken) {
      const token = input.refreshToken.includes(REFRESH_SEPARATOR)
        ? (input.refreshToken.split(REFRESH_SEPARATOR, 2)[1] ?? '')
        : input.refreshToken;
      try {
        await this.call('signOut', () =>
          this.client.send(
            new RevokeTokenCommand({
              ClientId: this.o.clientId,
              Token: token,
              ...(this.o.clientSecret ? { ClientSecret: this.o.clientSecret } : {}),
            }),
          ),
        );
      } catch (err) {
        // an unknown or already revoked token: signing out is idempotent
        if (!(err instanceof AppError && err.code === ErrorCode.UNAUTHENTICATED)) throw err;
      }
      return;
    }
    if (input.principal) await this.globalSignOut(input.principal.sub);
  }

  async signOutEverywhere(principal: Principal, meta?: RequestMeta): Promise<number> {
    const done = await this.globalSignOut(principal.sub);
    if (!done) throw new AppError(ErrorCode.NOT_SUPPORTED, 'The identity provider cannot sign users out everywhere');
    await this.audit('signed_out_everywhere', meta, { accountId: principal.sub, email: normalizeEmail(principal.email) || null });
    // Cognito does not say how many sessions it ended
    return 0;
  }

  /** AdminUserGlobalSignOut; false when the provider lacks it (cognito-local), true once done. */
  private async globalSignOut(username: string): Promise<boolean> {
    try {
      await this.call('admin', () =>
        this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.o.userPoolId, Username: username })),
      );
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_SUPPORTED) return false;
      throw err;
    }
  }

  /**
   * Checks the current password by signing in with it (which also yields the access token ChangePassword
   * needs), changes it, signs the account out everywhere and opens a new session with the new password.
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string, meta?: RequestMeta): Promise<Tokens> {
    const view = await this.accountView(principal.sub);
    let current: Tokens;
    try {
      current = await this.passwordAuth(normalizeEmail(view.email), String(currentPassword ?? ''));
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.UNAUTHENTICATED) {
        throw badInput([{ path: 'currentPassword', message: 'is not your current password' }], 'The current password is wrong');
      }
      throw err;
    }
    const problems = passwordProblems(String(newPassword ?? ''), view.email);
    if (problems.length) throw badInput(problems.map((message) => ({ path: 'newPassword', message })));
    await this.call('changePassword', () =>
      this.client.send(
        new ChangePasswordCommand({
          AccessToken: current.accessToken,
          PreviousPassword: currentPassword,
          ProposedPassword: newPassword,
        }),
      ),
    );
    const revoked = await this.globalSignOut(principal.sub);
    const tokens = await this.passwordAuth(normalizeEmail(view.email), newPassword);
    await this.audit('password_changed', meta, {
      accountId: principal.sub,
      email: normalizeEmail(view.email),
      details: { signedOutEverywhere: revoked },
    });
    return tokens;
  }

  async setDisabled(actor: Principal, userId: string, disabled: boolean, meta?: RequestMeta): Promise<AccountView> {
    assertCanSetDisabled(actor, userId, disabled);
    const input = { UserPoolId: this.o.userPoolId, Username: userId };
    await this.call('admin', () =>
      this.client.send(disabled ? new AdminDisableUserCommand(input) : new AdminEnableUserCommand(input)),
    );
    const revoked = disabled ? await this.globalSignOut(userId) : false;
    const view = await this.accountView(userId);
    await this.audit(disabled ? 'account_disabled' : 'account_enabled', meta, {
      accountId: view.id,
      email: normalizeEmail(view.email),
      actorId: actor.sub,
      details: disabled ? { signedOutEverywhere: revoked } : {},
    });
    return view;
  }

  /**
   * Verifies a Cognito access or ID token (see CognitoTokenVerifier). An access token has no e-mail: it is
   * asked of Cognito (GetUser) the first time the token is seen, which also refuses a token Cognito has
   * revoked; the result is cached until the token's exp, as LocalIdentity caches its verifications.
   */
  async verifyAccessToken(token: string): Promise<Principal> {
    const now = this.o.clock.now();
    const cached = this.verifiedTokens.get(token, now.getTime());
    if (cached) return cached;
    const verified = await this.tokens.verify(token, now);
    let address = verified.email;
    if (address === null) {
      const user = await this.call('token', () => this.client.send(new GetUserCommand({ AccessToken: token })));
      address = attr(user.UserAttributes, 'email') ?? '';
    }
    const principal: Principal = { sub: verified.sub, email: address, groups: verified.groups };
    return this.verifiedTokens.set(token, principal, verified.exp * 1000, now.getTime());
  }

  /** The pool's public keys, as Cognito publishes them (cached five minutes). */
  async jwks(): Promise<{ keys: object[] }> {
    const now = this.o.clock.now().getTime();
    if (this.jwksCache && now - this.jwksCache.at < 300_000) return this.jwksCache.body;
    const res = await fetch(jwksUrlOf(this.o), { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (!res?.ok) throw new AppError(ErrorCode.UNAVAILABLE, 'The identity service keys are unavailable');
    const body = (await res.json()) as { keys: object[] };
    this.jwksCache = { at: now, body };
    return body;
  }

  async setGroups(actor: Principal, userId: string, groups: Group[], meta?: RequestMeta): Promise<AccountView> {
    assertCanSetGroups(actor, userId, groups);
    const before = await this.accountView(userId);
    const previous = await this.cognitoGroups(userId);
    const wanted = new Set(groups);
    // only Atelier's groups are touched: the pool may hold other applications' groups
    for (const g of GROUPS) {
      const input = { UserPoolId: this.o.userPoolId, Username: userId, GroupName: g };
      if (wanted.has(g) && !previous.includes(g)) {
        await this.call('admin', () => this.client.send(new AdminAddUserToGroupCommand(input)));
      } else if (!wanted.has(g) && previous.includes(g)) {
        await this.call('admin', () => this.client.send(new AdminRemoveUserFromGroupCommand(input)));
      }
    }
    const view = { ...before, groups: GROUPS.filter((g) => wanted.has(g)) };
    await this.audit('groups_changed', meta, {
      accountId: view.id,
      email: normalizeEmail(view.email),
      actorId: actor.sub,
      details: { groups: view.groups.join(','), previousGroups: before.groups.join(',') },
    });
    return view;
  }

  async listUsers(actor: Principal, limit: number, nextToken?: string | null): Promise<Page<AccountView>> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can list users');
    const out = await this.call('admin', () =>
      this.client.send(
        new ListUsersCommand({
          UserPoolId: this.o.userPoolId,
          Limit: Math.min(Math.max(limit, 1), MAX_LIST),
          ...(nextToken ? { PaginationToken: nextToken } : {}),
        }),
      ),
    );
    const items: AccountView[] = [];
    for (const u of out.Users ?? []) {
      if (!u.Username) continue;
      items.push(this.toView(u.Attributes, u.Enabled, u.UserStatus, u.UserCreateDate, await this.cognitoGroups(u.Username)));
    }
    return { items, nextToken: out.PaginationToken ?? null };
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

  /** Creates the admin (verified, permanent password, in `admin`) or brings an existing one back to that state. */
  async ensureAdmin(rawEmail: string, password: string): Promise<AccountView> {
    const username = normalizeEmail(rawEmail);
    const exists = await this.accountView(username).catch((err: unknown) => {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    });
    if (!exists) return this.provisionAccount(username, password, ['admin']);
    await this.setPermanentPassword(exists.id, password);
    await this.call('admin', () =>
      this.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: this.o.userPoolId,
          Username: exists.id,
          // cognito-local wants the address alongside its verified flag
          UserAttributes: [
            { Name: 'email', Value: normalizeEmail(exists.email) },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      ),
    );
    if (exists.disabled) {
      await this.call('admin', () =>
        this.client.send(new AdminEnableUserCommand({ UserPoolId: this.o.userPoolId, Username: exists.id })),
      );
    }
    if (!(await this.cognitoGroups(exists.id)).includes('admin')) {
      await this.call('admin', () =>
        this.client.send(
          new AdminAddUserToGroupCommand({ UserPoolId: this.o.userPoolId, Username: exists.id, GroupName: 'admin' }),
        ),
      );
    }
    return this.accountView(exists.id);
  }

  /** AdminCreateUser without an invitation mail, then a permanent password: the account is ready to sign in. */
  async provisionAccount(rawEmail: string, password: string, groups: Group[]): Promise<AccountView> {
    const username = normalizeEmail(rawEmail);
    const out = await this.call('signUp', () =>
      this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.o.userPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: username },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'locale', Value: 'fr' },
          ],
        }),
      ),
    );
    const id = attr(out.User?.Attributes, 'sub') ?? out.User?.Username ?? username;
    await this.setPermanentPassword(id, password);
    for (const g of new Set(groups)) {
      await this.call('admin', () =>
        this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.o.userPoolId, Username: id, GroupName: g })),
      );
    }
    return this.accountView(id);
  }

  private async setPermanentPassword(username: string, password: string): Promise<void> {
    await this.call('admin', () =>
      this.client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: this.o.userPoolId,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      ),
    );
  }

  async ping(): Promise<void> {
    await this.call('admin', () => this.client.send(new DescribeUserPoolCommand({ UserPoolId: this.o.userPoolId })));
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  /** Atelier's groups the user is in, as Cognito lists them (not defaulted: setGroups diffs against these). */
  private async cognitoGroups(username: string): Promise<Group[]> {
    const out = await this.call('admin', () =>
      this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.o.userPoolId, Username: username, Limit: 60 })),
    );
    const names = (out.Groups ?? []).map((g) => g.GroupName ?? '');
    return GROUPS.filter((g) => names.includes(g));
  }

  /** The account by id (sub) or e-mail; NOT_FOUND when Cognito does not know it. */
  private async accountView(username: string): Promise<AccountView> {
    const out = await this.call('admin', () =>
      this.client.send(new AdminGetUserCommand({ UserPoolId: this.o.userPoolId, Username: username })),
    );
    const groups = await this.cognitoGroups(out.Username ?? username);
    return this.toView(out.UserAttributes, out.Enabled, out.UserStatus, out.UserCreateDate, groups);
  }

  private toView(
    attributes: AttributeType[] | undefined,
    enabled: boolean | undefined,
    status: string | undefined,
    created: Date | undefined,
    groups: Group[],
  ): AccountView {
    return {
      id: attr(attributes, 'sub') ?? '',
      email: attr(attributes, 'email') ?? '',
      mfaEnabled: false,
      groups: groupsFromClaim(groups),
      disabled: enabled === false,
      emailVerified: status === 'CONFIRMED' || attr(attributes, 'email_verified') === 'true',
      locale: localeOf(attr(attributes, 'locale')),
      createdAt: (created ?? new Date(0)).toISOString(),
    };
  }

  private async audit(
    type: AuditEventType,
    meta: RequestMeta | undefined,
    about: { accountId: string | null; email: string | null; actorId?: string; details?: AuditEvent['details'] },
  ): Promise<void> {
    const event: AuditEvent = {
      id: this.o.ids.newId(),
      at: this.o.clock.now().toISOString(),
      type,
      accountId: about.accountId,
      email: about.email,
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
}

/** The `sub` of a token Cognito just returned to us over TLS (read, not verified: it is not a caller's token). */
const subOf = (token: string): string => String(decodeJwt(token).sub ?? '');

const secretParam = (h: { SecretHash?: string }): Record<string, string> => (h.SecretHash ? { SECRET_HASH: h.SecretHash } : {});
