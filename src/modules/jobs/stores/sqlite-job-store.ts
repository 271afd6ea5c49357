import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { notFound } from '../../../shared/errors.js';
import type { DomainEvent } from '../../../shared/events.js';
import { openSqlite, type Migration, type Sqlite } from '../../../shared/sqlite.js';
import type { JobPage, JobStore } from '../job-store.js';
import type { Job, JobStatus, NewJob } from '../model.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'jobs',
    up: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        handler TEXT NOT NULL,
        event TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        run_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_pending ON jobs (run_at) WHERE status = 'pending';
      CREATE INDEX jobs_running ON jobs (lease_until) WHERE status = 'running';
      CREATE INDEX jobs_dead ON jobs (updated_at DESC, id DESC) WHERE status = 'dead';
      CREATE INDEX jobs_done ON jobs (updated_at) WHERE status = 'done';
    `,
  },
];

interface Row {
  id: string;
  handler: string;
  event: string;
  status: JobStatus;
  attempts: number;
  run_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const toJob = (r: Row): Job => ({
  id: r.id,
  handler: r.handler,
  event: JSON.parse(r.event) as DomainEvent,
  status: r.status,
  attempts: r.attempts,
  runAt: r.run_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** JobStore on the jobs module's own SQLite file. Claims run in IMMEDIATE transactions, safe across processes. */
export class SqliteJobStore implements JobStore {
  private readonly db: Sqlite;
  private readonly q;

  constructor(file: string) {
    this.db = openSqlite(file, migrations);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO jobs (id, handler, event, status, attempts, run_at, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      ),
      due: db.prepare<[string, string, number], { id: string }>(
        `SELECT id FROM (
           SELECT id, run_at AS t FROM jobs WHERE status = 'pending' AND run_at <= ?
           UNION ALL
           SELECT id, lease_until AS t FROM jobs WHERE status = 'running' AND lease_until <= ?
         ) ORDER BY t LIMIT ?`,
      ),
      lease: db.prepare<[string, string, string, string]>(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE id = ?`,
      ),
      byId: db.prepare<[string], Row>('SELECT * FROM jobs WHERE id = ?'),
      extend: db.prepare<[string, string, string, string, string]>(
        `UPDATE jobs SET lease_until = ?, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ? AND lease_until > ?`,
      ),
      complete: db.prepare<[string, string, string]>(
        `UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
      ),
      retry: db.prepare<[string, string, string, string, string]>(
        `UPDATE jobs SET status = 'pending', run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
      ),
      bury: db.prepare<[string, string, string, string]>(
        `UPDATE jobs SET status = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
      ),
      deadFirst: db.prepare<[number], Row>(`SELECT * FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT ?`),
      deadAfter: db.prepare<[string, string, number], Row>(
        `SELECT * FROM jobs WHERE status = 'dead' AND (updated_at, id) < (?, ?) ORDER BY updated_at DESC, id DESC LIMIT ?`,
      ),
      revive: db.prepare<[string, string, string]>(
        `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'`,
      ),
      discard: db.prepare<[string]>(`DELETE FROM jobs WHERE id = ? AND status = 'dead'`),
      counts: db.prepare<[], { status: JobStatus; n: number }>('SELECT status, count(*) AS n FROM jobs GROUP BY status'),
      purge: db.prepare<[string]>(`DELETE FROM jobs WHERE status = 'done' AND updated_at < ?`),
      ping: db.prepare('SELECT 1'),
    };
  }

  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const j of jobs) this.q.insert.run(j.id, j.handler, JSON.stringify(j.event), j.runAt, now, now);
    })();
  }

  async claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<Job[]> {
    return this.db
      .transaction(() => {
        const ids = this.q.due.all(now, now, limit).map((r) => r.id);
        for (const id of ids) this.q.lease.run(owner, leaseUntil, now, id);
        return ids.map((id) => toJob(this.q.byId.get(id)!));
      })
      .immediate();
  }

  async extendLease(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    return this.q.extend.run(leaseUntil, now, id, owner, now).changes === 1;
  }

  async complete(id: string, owner: string, now: string): Promise<boolean> {
    return this.q.complete.run(now, id, owner).changes === 1;
  }

  async fail(id: string, owner: string, error: string, retryAt: string | null, now: string): Promise<boolean> {
    const res = retryAt ? this.q.retry.run(retryAt, error, now, id, owner) : this.q.bury.run(error, now, id, owner);
    return res.changes === 1;
  }

  async get(id: string): Promise<Job | null> {
    const row = this.q.byId.get(id);
    return row ? toJob(row) : null;
  }

  async listDead(limit: number, nextToken?: string | null): Promise<JobPage> {
    let rows: Row[];
    if (nextToken) {
      const c = decodeCursor(nextToken, ['u', 'i'] as const);
      rows = this.q.deadAfter.all(c.u, c.i, limit + 1);
    } else {
      rows = this.q.deadFirst.all(limit + 1);
    }
    const items = rows.slice(0, limit).map(toJob);
    const last = items.at(-1);
    return { items, nextToken: rows.length > limit && last ? encodeCursor({ u: last.updatedAt, i: last.id }) : null };
  }

  async retryDead(id: string, now: string): Promise<Job> {
    if (this.q.revive.run(now, now, id).changes !== 1) throw notFound('Dead letter');
    return toJob(this.q.byId.get(id)!);
  }

  async discardDead(id: string): Promise<Job> {
    return this.db.transaction(() => {
      const row = this.q.byId.get(id);
      if (!row || row.status !== 'dead') throw notFound('Dead letter');
      this.q.discard.run(id);
      return toJob(row);
    })();
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const r of this.q.counts.all()) counts[r.status] = r.n;
    return counts;
  }

  async purgeDone(before: string): Promise<number> {
    return this.q.purge.run(before).changes;
  }

  async ping(): Promise<void> {
    this.q.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
