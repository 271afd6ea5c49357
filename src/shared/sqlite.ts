import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Sqlite = Database.Database;

/** A numbered, forward-only schema step. Never edit one that has shipped; add the next. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

/**
 * Opens (creating if needed) a module's SQLite file in WAL mode and applies its pending
 * migrations in one transaction each, recording progress in `PRAGMA user_version`.
 */
export function openSqlite(file: string, migrations: readonly Migration[]): Sqlite {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode; fsync at checkpoints
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db;
}

/** True when `err` is SQLite's unique-constraint failure on one of `columns` (e.g. `profiles.handle_key`). */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  if (!(err instanceof Error) || !('code' in err)) return false;
  const code = (err as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
  return column === undefined || err.message.includes(column);
}
