import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { openSqlite, type Migration, type Sqlite } from '../../../shared/sqlite.js';
import type { AuditEvent, AuditEventType, AuditFilter, AuditLog } from '../audit-log.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'audit events',
    up: `
      CREATE TABLE audit_events (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        account_id TEXT,
        email TEXT,
        actor_id TEXT,
        ip TEXT,
        user_agent TEXT,
        details_json TEXT NOT NULL
      );
      CREATE INDEX audit_events_at ON audit_events (at DESC, id DESC);
      CREATE INDEX audit_events_account ON audit_events (account_id, at DESC, id DESC);
    `,
  },
];

interface Row {
  id: string;
  at: string;
  type: AuditEventType;
  account_id: string | null;
  email: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details_json: string;
}

const toEvent = (r: Row): AuditEvent => ({
  id: r.id,
  at: r.at,
  type: r.type,
  accountId: r.account_id,
  email: r.email,
  actorId: r.actor_id,
  ip: r.ip,
  userAgent: r.user_agent,
  details: JSON.parse(r.details_json) as AuditEvent['details'],
});

/**
 * AuditLog in its own SQLite file (`$DATA_DIR/audit.db`): the audit trail grows with traffic, not with
 * accounts, and keeping it apart leaves identity.db small and its write lock uncontended.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Sqlite;
  private readonly q;

  constructor(file: string) {
    this.db = openSqlite(file, migrations);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        `INSERT INTO audit_events (id, at, type, account_id, email, actor_id, ip, user_agent, details_json)
         VALUES (@id, @at, @type, @accountId, @email, @actorId, @ip, @userAgent, @details)`,
      ),
      // One statement per shape (rather than `? IS NULL OR account_id = ?`), so each uses its index.
      first: db.prepare<[number], Row>('SELECT * FROM audit_events ORDER BY at DESC, id DESC LIMIT ?'),
      after: db.prepare<[string, string, number], Row>(
        'SELECT * FROM audit_events WHERE (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?',
      ),
      firstOf: db.prepare<[string, number], Row>(
        'SELECT * FROM audit_events WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?',
      ),
      afterOf: db.prepare<[string, string, string, number], Row>(
        'SELECT * FROM audit_events WHERE account_id = ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?',
      ),
    };
  }

  async record(e: AuditEvent): Promise<void> {
    this.q.insert.run({
      id: e.id,
      at: e.at,
      type: e.type,
      accountId: e.accountId,
      email: e.email,
      actorId: e.actorId,
      ip: e.ip,
      userAgent: e.userAgent,
      details: JSON.stringify(e.details),
    });
    return Promise.resolve();
  }

  async list(
    filter: AuditFilter,
    limit: number,
    nextToken?: string | null,
  ): Promise<{ items: AuditEvent[]; nextToken: string | null }> {
    const account = filter.accountId;
    const c = nextToken ? decodeCursor(nextToken, ['a', 'i'] as const) : null;
    const n = limit + 1;
    const rows =
      account === undefined
        ? c
          ? this.q.after.all(c.a, c.i, n)
          : this.q.first.all(n)
        : c
          ? this.q.afterOf.all(account, c.a, c.i, n)
          : this.q.firstOf.all(account, n);
    const items = rows.slice(0, limit).map(toEvent);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      nextToken: rows.length > limit && last ? encodeCursor({ a: last.at, i: last.id }) : null,
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
