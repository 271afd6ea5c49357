import type { DomainEvent } from './events.js';
import type { Migration, Sqlite } from './sqlite.js';

/** The outbox table a module adds to its own SQLite file, as one of its migrations. */
export const outboxMigration = (version: number): Migration => ({
  version,
  name: 'transactional outbox',
  up: `
    CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      aggregate_id TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      payload TEXT NOT NULL
    );
  `,
});

interface Row {
  id: string;
  type: string;
  aggregate_id: string;
  occurred_at: string;
  payload: string;
}

/** Appends events inside the caller's transaction, and serves them to the relay oldest first. */
export class SqliteOutbox {
  private readonly insert;
  private readonly read;
  private readonly remove;

  constructor(private readonly db: Sqlite) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO outbox (id, type, aggregate_id, occurred_at, payload) VALUES (?, ?, ?, ?, ?)',
    );
    this.read = db.prepare<[number], Row>('SELECT id, type, aggregate_id, occurred_at, payload FROM outbox ORDER BY seq LIMIT ?');
    this.remove = db.prepare<[string]>('DELETE FROM outbox WHERE id = ?');
  }

  /** Call inside the transaction that makes the change. */
  append(events: readonly DomainEvent[]): void {
    for (const e of events) this.insert.run(e.id, e.type, e.aggregateId, e.occurredAt, JSON.stringify(e.payload));
  }

  readBatch(limit: number): DomainEvent[] {
    return this.read.all(limit).map((r) => ({
      id: r.id,
      type: r.type,
      aggregateId: r.aggregate_id,
      occurredAt: r.occurred_at,
      payload: JSON.parse(r.payload) as unknown,
    }));
  }

  ack(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.remove.run(id);
    })();
  }
}
