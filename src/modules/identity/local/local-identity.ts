import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, ErrorCode, badInput, forbidden, notFound, unauthenticated } from '../../../shared/errors.js';
import type { Clock, IdGenerator } from '../../../shared/clock.js';
import type { AccountStore, Page } from '../account-store.js';
import type { IdentityProvider } from '../identity-provider.js';
import {
  GROUPS,
  hasGroup,
  normalizeEmail,
  toAccountView,
  type Account,
  type AccountView,
  type Group,
  type Principal,
  type Tokens,
} from '../model.js';
import { hashPassword, verifyPassword } from './password.js';
import type { SigningKeys } from './signing-keys.js';

export interface LocalIdentityOptions {
  store: AccountStore;
  keys: SigningKeys;
  clock: Clock;
  ids: IdGenerator;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  passwordHashCost: number;
}

const credentials = z.object({
  email: z.string().trim().max(254, 'at most 254 characters').email('is not a valid e-mail address'),
  password: z.string().min(12, 'needs at least 12 characters').max(256, 'at most 256 characters'),
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const INVALID_CREDENTIALS = 'Incorrect e-mail or password';

/** The built-in identity service: accounts in an AccountStore, ES256 access tokens, rotating opaque refresh tokens. */
export class LocalIdentity implements IdentityProvider {
  /** Verified against when the e-mail is unknown, so both failures cost the same time. */
  private dummyHash: Promise<string>;

  constructor(private readonly o: LocalIdentityOptions) {
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'), o.passwordHashCost);
  }

  async signUp(email: string, password: string): Promise<AccountView> {
    const parsed = credentials.safeParse({ email, password });
    if (!parsed.success) {
      throw badInput(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const account = await this.newAccount(parsed.data.email, parsed.data.password, ['freelancer']);
    await this.o.store.createAccount(account);
    return toAccountView(account);
  }

  async signIn(email: string, password: string): Promise<Tokens> {
    const account = typeof email === 'string' ? await this.o.store.getAccountByEmail(normalizeEmail(email)) : null;
    const ok = await verifyPassword(String(password ?? ''), account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) throw unauthenticated(INVALID_CREDENTIALS);
    if (account.disabled) throw unauthenticated('This account is disabled');
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

  async refresh(refreshToken: string): Promise<Tokens> {
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
      throw unauthenticated('Refresh token reused; the session was signed out');
    }
    const account = await this.o.store.getAccount(session.accountId);
    if (!account || account.disabled) throw unauthenticated('This account is disabled');
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
    let payload;
    try {
      payload = await this.o.keys.verify(token);
    } catch {
      throw unauthenticated('Invalid or expired access token');
    }
    if (payload.token_use !== 'access' || typeof payload.sub !== 'string') throw unauthenticated('Not an access token');
    const groups = Array.isArray(payload['cognito:groups'])
      ? payload['cognito:groups'].filter((g): g is Group => (GROUPS as readonly string[]).includes(String(g)))
      : [];
    return {
      sub: payload.sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      groups,
      ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
    };
  }

  jwks(): Promise<{ keys: object[] }> {
    return Promise.resolve(this.o.keys.jwks());
  }

  async setGroups(actor: Principal, userId: string, groups: Group[]): Promise<AccountView> {
    if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can change groups');
    const bad = groups.filter((g) => !(GROUPS as readonly string[]).includes(g));
    if (bad.length || groups.length === 0) {
      throw badInput([{ path: 'groups', message: `must be a non-empty list of ${GROUPS.join(', ')}` }]);
    }
    if (actor.sub === userId && !groups.includes('admin')) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'An admin cannot remove their own admin group', {
        fields: [{ path: 'groups', message: 'would remove your own admin rights' }],
      });
    }
    const account = await this.o.store.getAccount(userId);
    if (!account) throw notFound('User');
    const updated: Account = { ...account, groups: [...new Set(groups)], updatedAt: this.o.clock.now().toISOString() };
    await this.o.store.updateAccount(updated);
    return toAccountView(updated);
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
      updatedAt: this.o.clock.now().toISOString(),
    };
    await this.o.store.updateAccount(updated);
    return toAccountView(updated);
  }

  async provisionAccount(email: string, password: string, groups: Group[]): Promise<AccountView> {
    const account = await this.newAccount(email.trim(), password, groups);
    await this.o.store.createAccount(account);
    return toAccountView(account);
  }

  ping(): Promise<void> {
    return this.o.store.ping();
  }

  close(): Promise<void> {
    return this.o.store.close();
  }

  private async newAccount(email: string, password: string, groups: Group[]): Promise<Account> {
    const now = this.o.clock.now().toISOString();
    return {
      id: this.o.ids.newId(),
      email,
      emailKey: normalizeEmail(email),
      passwordHash: await hashPassword(password, this.o.passwordHashCost),
      groups,
      disabled: false,
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
