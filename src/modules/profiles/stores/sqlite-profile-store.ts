import { conflict, notFound } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { isUniqueViolation, openSqlite, type Migration, type Sqlite } from '../../../shared/sqlite.js';
import { handleKey, skillKey, type Profile } from '../model.js';
import type { ProfileDomainEvent } from '../events.js';
import type { DomainEvent } from '../../../shared/events.js';
import { SqliteOutbox, outboxMigration } from '../../../shared/sqlite-outbox.js';
import type { ProfilePage, ProfileQuery, ProfileStore } from '../profile-store.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'profiles and their skill index',
    up: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL UNIQUE,
        handle_key TEXT NOT NULL UNIQUE,
        visibility TEXT NOT NULL,
        availability_status TEXT,
        country_code TEXT,
        remote TEXT,
        daily_rate INTEGER,
        currency TEXT,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX profiles_newest ON profiles (created_at DESC, id DESC);
      CREATE TABLE profile_skills (
        skill_key TEXT NOT NULL,
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        PRIMARY KEY (skill_key, profile_id)
      ) WITHOUT ROWID;
      CREATE INDEX profile_skills_profile ON profile_skills (profile_id);
    `,
  },
  outboxMigration(2),
];

interface Row {
  doc: string;
}
const fromRow = (r: Row | undefined): Profile | null => (r ? (JSON.parse(r.doc) as Profile) : null);

const columns = (p: Profile) => ({
  id: p.id,
  ownerId: p.ownerId,
  handleKey: handleKey(p.handle),
  visibility: p.visibility,
  availabilityStatus: p.availability?.status ?? null,
  countryCode: p.location?.countryCode ?? null,
  remote: p.remote,
  dailyRate: p.dailyRate,
  currency: p.currency,
  version: p.version,
  createdAt: p.createdAt,
  doc: JSON.stringify(p),
});

/** ProfileStore on the profiles module's SQLite file; the document is JSON, filterable fields are columns. */
export class SqliteProfileStore implements ProfileStore {
  readonly outboxName = 'profiles';
  private readonly db: Sqlite;
  private readonly outbox: SqliteOutbox;
  private readonly q;

  constructor(file: string) {
    this.db = openSqlite(file, migrations);
    this.outbox = new SqliteOutbox(this.db);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        `INSERT INTO profiles (id, owner_id, handle_key, visibility, availability_status, country_code, remote,
           daily_rate, currency, version, created_at, doc)
         VALUES (@id, @ownerId, @handleKey, @visibility, @availabilityStatus, @countryCode, @remote,
           @dailyRate, @currency, @version, @createdAt, @doc)`,
      ),
      update: db.prepare(
        `UPDATE profiles SET handle_key = @handleKey, visibility = @visibility, availability_status = @availabilityStatus,
           country_code = @countryCode, remote = @remote, daily_rate = @dailyRate, currency = @currency,
           version = @version, doc = @doc
         WHERE id = @id AND version = @expectedVersion`,
      ),
      delete: db.prepare<[string, number]>('DELETE FROM profiles WHERE id = ? AND version = ?'),
      version: db.prepare<[string], { version: number }>('SELECT version FROM profiles WHERE id = ?'),
      byId: db.prepare<[string], Row>('SELECT doc FROM profiles WHERE id = ?'),
      byHandle: db.prepare<[string], Row>('SELECT doc FROM profiles WHERE handle_key = ?'),
      byOwner: db.prepare<[string], Row>('SELECT doc FROM profiles WHERE owner_id = ?'),
      ownerTaken: db.prepare<[string], { id: string }>('SELECT id FROM profiles WHERE owner_id = ?'),
      clearSkills: db.prepare<[string]>('DELETE FROM profile_skills WHERE profile_id = ?'),
      addSkill: db.prepare<[string, string]>('INSERT OR IGNORE INTO profile_skills (skill_key, profile_id) VALUES (?, ?)'),
      ping: db.prepare('SELECT 1'),
    };
  }

  private writeSkills(p: Profile): void {
    this.q.clearSkills.run(p.id);
    for (const s of p.skills) this.q.addSkill.run(skillKey(s.name), p.id);
  }

  async create(p: Profile, events: readonly ProfileDomainEvent[]): Promise<void> {
    try {
      this.db.transaction(() => {
        this.q.insert.run(columns(p));
        this.writeSkills(p);
        this.outbox.append(events);
      })();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(this.translate(err));
    }
  }

  async update(p: Profile, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void> {
    try {
      this.db.transaction(() => {
        const res = this.q.update.run({ ...columns(p), expectedVersion });
        if (res.changes !== 1) throw this.staleOrMissing(p.id);
        this.writeSkills(p);
        this.outbox.append(events);
      })();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(this.translate(err));
    }
  }

  async delete(id: string, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void> {
    this.db.transaction(() => {
      const res = this.q.delete.run(id, expectedVersion);
      if (res.changes !== 1) throw this.staleOrMissing(id);
      this.outbox.append(events);
    })();
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return this.outbox.readBatch(limit);
  }

  async ackOutbox(ids: string[]): Promise<void> {
    this.outbox.ack(ids);
  }

  async get(id: string): Promise<Profile | null> {
    return Promise.resolve(fromRow(this.q.byId.get(id)));
  }

  async version(id: string): Promise<number | null> {
    return Promise.resolve(this.q.version.get(id)?.version ?? null);
  }

  async getByHandle(handle: string): Promise<Profile | null> {
    return Promise.resolve(fromRow(this.q.byHandle.get(handleKey(handle))));
  }

  async getByOwner(ownerId: string): Promise<Profile | null> {
    return Promise.resolve(fromRow(this.q.byOwner.get(ownerId)));
  }

  async list(query: ProfileQuery, limit: number, nextToken?: string | null): Promise<ProfilePage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (nextToken) {
      const c = decodeCursor(nextToken, ['c', 'i'] as const);
      where.push('(created_at, id) < (?, ?)');
      params.push(c.c, c.i);
    }
    if (query.readableBy.kind === 'publicOrOwner') {
      where.push(`(visibility = 'PUBLIC' OR owner_id = ?)`);
      params.push(query.readableBy.ownerId ?? '');
    }
    if (query.skills) {
      const marks = query.skills.keys.map(() => '?').join(', ');
      where.push(
        query.skills.match === 'ANY'
          ? `id IN (SELECT profile_id FROM profile_skills WHERE skill_key IN (${marks}))`
          : `id IN (SELECT profile_id FROM profile_skills WHERE skill_key IN (${marks})
               GROUP BY profile_id HAVING count(*) = ${query.skills.keys.length})`,
      );
      params.push(...query.skills.keys);
    }
    const eq: [string, string | number | undefined][] = [
      ['availability_status', query.availabilityStatus],
      ['country_code', query.countryCode],
      ['remote', query.remote],
      ['currency', query.currency],
    ];
    for (const [col, value] of eq) {
      if (value !== undefined) {
        where.push(`${col} = ?`);
        params.push(value);
      }
    }
    if (query.maxDailyRate !== undefined) {
      where.push('daily_rate <= ?');
      params.push(query.maxDailyRate);
    }
    const sql = `SELECT doc FROM profiles ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], Row>(sql).all(...params, limit + 1);
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.doc) as Profile);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      nextToken: rows.length > limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null,
    });
  }

  async ping(): Promise<void> {
    this.q.ping.get();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private staleOrMissing(id: string): Error {
    const row = this.q.version.get(id);
    return row
      ? conflict('The profile was changed since you read it', { currentVersion: row.version, field: 'expectedVersion' })
      : notFound('Profile');
  }

  private translate(err: unknown): Error {
    if (isUniqueViolation(err, 'handle_key')) return conflict('This handle is already taken', { field: 'handle' });
    if (isUniqueViolation(err, 'owner_id')) return conflict('This account already has a profile', { field: 'owner' });
    return err instanceof Error ? err : new Error(String(err));
  }
}
