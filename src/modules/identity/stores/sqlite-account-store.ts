import { conflict, notFound } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { isUniqueViolation, openSqlite, type Migration, type Sqlite } from '../../../shared/sqlite.js';
import type { AccountStore, Page } from '../account-store.js';
import {
  NO_MFA,
  type Account,
  type FederatedLink,
  type Group,
  type Locale,
  type MfaState,
  type OneTimeGrant,
  type Session,
} from '../model.js';
import type { IdentityDomainEvent } from '../events.js';
import type { DomainEvent } from '../../../shared/events.js';
import { SqliteOutbox, outboxMigration } from '../../../shared/sqlite-outbox.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'accounts and sessions',
    up: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        groups_json TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX accounts_created ON accounts (created_at DESC, id DESC);
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        refresh_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX sessions_account ON sessions (account_id);
    `,
  },
  outboxMigration(2),
  {
    version: 3,
    name: 'e-mail verification, locale and one-time codes',
    // Accounts that existed before verification was introduced keep working: they count as verified.
    up: `
      ALTER TABLE accounts ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE accounts ADD COLUMN locale TEXT NOT NULL DEFAULT 'fr';
      ALTER TABLE accounts ADD COLUMN codes_json TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 4,
    name: 'sign-in lockout',
    up: `
      ALTER TABLE accounts ADD COLUMN lockout_failures INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE accounts ADD COLUMN locked_until TEXT;
    `,
  },
  {
    version: 5,
    name: 'MFA, federated identities, one-time grants and settings',
    up: `
      ALTER TABLE accounts ADD COLUMN mfa_json TEXT NOT NULL DEFAULT '{}';
      CREATE TABLE federated_identities (
        provider TEXT NOT NULL,
        subject TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (provider, subject)
      );
      CREATE TABLE grants (
        hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        account_id TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        details_json TEXT NOT NULL
      );
      CREATE INDEX grants_expiry ON grants (expires_at);
      CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
    `,
  },
];

interface AccountRow {
  id: string;
  email: string;
  email_key: string;
  password_hash: string;
  groups_json: string;
  disabled: number;
  email_verified: number;
  locale: Locale;
  codes_json: string;
  lockout_failures: number;
  locked_until: string | null;
  mfa_json: string;
  created_at: string;
  updated_at: string;
}
interface SessionRow {
  id: string;
  account_id: string;
  refresh_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

interface LinkRow {
  provider: string;
  subject: string;
  account_id: string;
  email: string;
  created_at: string;
}
interface GrantRow {
  hash: string;
  purpose: OneTimeGrant['purpose'];
  account_id: string;
  expires_at: string;
  details_json: string;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  emailKey: r.email_key,
  passwordHash: r.password_hash,
  groups: JSON.parse(r.groups_json) as Group[],
  disabled: r.disabled === 1,
  emailVerified: r.email_verified === 1,
  locale: r.locale,
  codes: JSON.parse(r.codes_json) as Account['codes'],
  lockout: { failures: r.lockout_failures, lockedUntil: r.locked_until },
  mfa: { ...NO_MFA, ...(JSON.parse(r.mfa_json) as Partial<MfaState>) },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toSession = (r: SessionRow): Session => ({
  id: r.id,
  accountId: r.account_id,
  refreshHash: r.refresh_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/** AccountStore on a SQLite file owned by the identity module (`$DATA_DIR/identity.db`). */
export class SqliteAccountStore implements AccountStore {
  readonly outboxName = 'identity';
  private readonly db: Sqlite;
  private readonly outbox: SqliteOutbox;
  private readonly q;

  constructor(file: string) {
    this.db = openSqlite(file, migrations);
    this.outbox = new SqliteOutbox(this.db);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        `INSERT INTO accounts (id, email, email_key, password_hash, groups_json, disabled, email_verified, locale, codes_json,
           lockout_failures, locked_until, mfa_json, created_at, updated_at)
         VALUES (@id, @email, @emailKey, @passwordHash, @groups, @disabled, @emailVerified, @locale, @codes,
           @lockoutFailures, @lockedUntil, @mfa, @createdAt, @updatedAt)`,
      ),
      byId: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
      byEmail: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE email_key = ?'),
      update: db.prepare(
        `UPDATE accounts SET groups_json = @groups, password_hash = @passwordHash, disabled = @disabled,
         email_verified = @emailVerified, locale = @locale, codes_json = @codes, lockout_failures = @lockoutFailures,
         locked_until = @lockedUntil, mfa_json = @mfa, updated_at = @updatedAt WHERE id = @id`,
      ),
      listFirst: db.prepare<[number], AccountRow>('SELECT * FROM accounts ORDER BY created_at DESC, id DESC LIMIT ?'),
      listAfter: db.prepare<[string, string, number], AccountRow>(
        'SELECT * FROM accounts WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?',
      ),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, account_id, refresh_hash, created_at, expires_at, revoked_at)
         VALUES (@id, @accountId, @refreshHash, @createdAt, @expiresAt, @revokedAt)`,
      ),
      session: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      rotate: db.prepare(
        `UPDATE sessions SET refresh_hash = ?, expires_at = ? WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL`,
      ),
      revoke: db.prepare('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      revokeAll: db.prepare('UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL'),
      insertLink: db.prepare(
        `INSERT INTO federated_identities (provider, subject, account_id, email, created_at)
         VALUES (@provider, @subject, @accountId, @email, @createdAt)`,
      ),
      link: db.prepare<[string, string], LinkRow>('SELECT * FROM federated_identities WHERE provider = ? AND subject = ?'),
      insertGrant: db.prepare(
        `INSERT INTO grants (hash, purpose, account_id, expires_at, details_json) VALUES (@hash, @purpose, @accountId, @expiresAt, @details)`,
      ),
      // deleting what it returns makes the grant single-use even between processes sharing the file
      takeGrant: db.prepare<[string], GrantRow>('DELETE FROM grants WHERE hash = ? RETURNING *'),
      purgeGrants: db.prepare('DELETE FROM grants WHERE expires_at < ?'),
      setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      putSetting: db.prepare(
        `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      ping: db.prepare('SELECT 1'),
    };
  }

  async createAccount(a: Account, events: readonly IdentityDomainEvent[]): Promise<void> {
    try {
      this.db.transaction(() => {
        this.q.insert.run(this.columns(a));
        this.outbox.append(events);
      })();
    } catch (err) {
      if (isUniqueViolation(err, 'email_key')) {
        return Promise.reject(conflict('An account with this e-mail already exists', { field: 'email' }));
      }
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return Promise.resolve();
  }

  async getAccount(id: string): Promise<Account | null> {
    const row = this.q.byId.get(id);
    return Promise.resolve(row ? toAccount(row) : null);
  }

  async getAccountByEmail(emailKey: string): Promise<Account | null> {
    const row = this.q.byEmail.get(emailKey);
    return Promise.resolve(row ? toAccount(row) : null);
  }

  async updateAccount(a: Account, events: readonly IdentityDomainEvent[], expectedUpdatedAt?: string): Promise<void> {
    this.db.transaction(() => {
      if (expectedUpdatedAt !== undefined) {
        const current = this.q.byId.get(a.id);
        if (current && current.updated_at !== expectedUpdatedAt) throw conflict('The account changed meanwhile');
      }
      const { email: _e, emailKey: _k, createdAt: _c, ...mutable } = this.columns(a);
      if (this.q.update.run(mutable).changes !== 1) throw notFound('Account');
      this.outbox.append(events);
    })();
  }

  private columns(a: Account) {
    return {
      id: a.id,
      email: a.email,
      emailKey: a.emailKey,
      passwordHash: a.passwordHash,
      groups: JSON.stringify(a.groups),
      disabled: a.disabled ? 1 : 0,
      emailVerified: a.emailVerified ? 1 : 0,
      locale: a.locale,
      codes: JSON.stringify(a.codes),
      lockoutFailures: a.lockout.failures,
      lockedUntil: a.lockout.lockedUntil,
      mfa: JSON.stringify(a.mfa),
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  async listAccounts(limit: number, nextToken?: string | null): Promise<Page<Account>> {
    const rows = nextToken
      ? (() => {
          const c = decodeCursor(nextToken, ['c', 'i'] as const);
          return this.q.listAfter.all(c.c, c.i, limit + 1);
        })()
      : this.q.listFirst.all(limit + 1);
    const items = rows.slice(0, limit).map(toAccount);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      nextToken: rows.length > limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null,
    });
  }

  async createSession(s: Session): Promise<void> {
    this.q.insertSession.run(s);
    return Promise.resolve();
  }

  async getSession(id: string): Promise<Session | null> {
    const row = this.q.session.get(id);
    return Promise.resolve(row ? toSession(row) : null);
  }

  async rotateSession(id: string, expectedHash: string, newHash: string, expiresAt: string): Promise<boolean> {
    return Promise.resolve(this.q.rotate.run(newHash, expiresAt, id, expectedHash).changes === 1);
  }

  async revokeSession(id: string, at: string): Promise<void> {
    this.q.revoke.run(at, id);
    return Promise.resolve();
  }

  async revokeAccountSessions(accountId: string, at: string): Promise<number> {
    return this.q.revokeAll.run(at, accountId).changes;
  }

  async linkFederatedIdentity(link: FederatedLink): Promise<void> {
    try {
      this.q.insertLink.run(link);
    } catch (err) {
      if (isUniqueViolation(err, 'federated_identities')) {
        return Promise.reject(conflict('This external identity is linked already', { field: 'subject' }));
      }
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return Promise.resolve();
  }

  async getFederatedLink(provider: string, subject: string): Promise<FederatedLink | null> {
    const r = this.q.link.get(provider, subject);
    return Promise.resolve(
      r ? { provider: r.provider, subject: r.subject, accountId: r.account_id, email: r.email, createdAt: r.created_at } : null,
    );
  }

  async putGrant(g: OneTimeGrant): Promise<void> {
    this.db.transaction(() => {
      // grants live a minute or so: those that expired 10 minutes before this one's expiry are long dead
      this.q.purgeGrants.run(new Date(Date.parse(g.expiresAt) - 600_000).toISOString());
      this.q.insertGrant.run({ ...g, details: JSON.stringify(g.details) });
    })();
    return Promise.resolve();
  }

  async takeGrant(hash: string): Promise<OneTimeGrant | null> {
    const r = this.q.takeGrant.get(hash);
    return Promise.resolve(
      r
        ? {
            hash: r.hash,
            purpose: r.purpose,
            accountId: r.account_id,
            expiresAt: r.expires_at,
            details: JSON.parse(r.details_json) as Record<string, string>,
          }
        : null,
    );
  }

  async getSetting(name: string): Promise<string | null> {
    return Promise.resolve(this.q.setting.get(name)?.value ?? null);
  }

  async putSetting(name: string, value: string, at: string): Promise<void> {
    this.q.putSetting.run(name, value, at);
    return Promise.resolve();
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return this.outbox.readBatch(limit);
  }

  async ackOutbox(ids: string[]): Promise<void> {
    this.outbox.ack(ids);
  }

  async ping(): Promise<void> {
    this.q.ping.get();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
