import { openSqlite, type Migration, type Sqlite } from '../../../../shared/sqlite.js';
import type { PendingProfileMail, ProfileMailSnapshot, ProfileMailState } from '../profile-mail-state.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'profile mail throttle',
    up: `
      CREATE TABLE profile_mail (
        profile_id TEXT PRIMARY KEY,
        snapshot TEXT NOT NULL,
        pending_fields TEXT NOT NULL,
        send_at TEXT,
        last_sent_at TEXT
      );
    `,
  },
];

interface Row {
  profile_id: string;
  snapshot: string;
  pending_fields: string;
  send_at: string | null;
  last_sent_at: string | null;
}

const toPending = (r: Row | undefined): PendingProfileMail | null => {
  if (!r || !r.send_at) return null;
  const fields = JSON.parse(r.pending_fields) as string[];
  return fields.length ? { snapshot: JSON.parse(r.snapshot) as ProfileMailSnapshot, fields, sendAt: r.send_at } : null;
};

/** ProfileMailState on the notifications module's own SQLite file. */
export class SqliteProfileMailState implements ProfileMailState {
  private readonly db: Sqlite;
  private readonly q;

  constructor(file: string) {
    this.db = openSqlite(file, migrations);
    this.q = {
      get: this.db.prepare<[string], Row>('SELECT * FROM profile_mail WHERE profile_id = ?'),
      upsert: this.db.prepare(
        `INSERT INTO profile_mail (profile_id, snapshot, pending_fields, send_at, last_sent_at)
         VALUES (@profileId, @snapshot, @fields, @sendAt, @lastSentAt)
         ON CONFLICT (profile_id) DO UPDATE SET snapshot = @snapshot, pending_fields = @fields, send_at = @sendAt,
           last_sent_at = @lastSentAt`,
      ),
      forget: this.db.prepare<[string]>('DELETE FROM profile_mail WHERE profile_id = ?'),
    };
  }

  async addChanges(
    snapshot: ProfileMailSnapshot,
    fields: readonly string[],
    now: string,
    windowMs: number,
  ): Promise<PendingProfileMail> {
    return this.db
      .transaction(() => {
        const row = this.q.get.get(snapshot.profileId);
        const pendingFields = row ? (JSON.parse(row.pending_fields) as string[]) : [];
        const merged = [...pendingFields, ...fields.filter((f) => !pendingFields.includes(f))];
        const lastSentAt = row?.last_sent_at ?? null;
        const windowEnd = lastSentAt ? new Date(Date.parse(lastSentAt) + windowMs).toISOString() : now;
        // an existing pending summary keeps its time; a new one goes now, or when the window closes
        const sendAt = pendingFields.length && row?.send_at ? row.send_at : windowEnd > now ? windowEnd : now;
        this.q.upsert.run({
          profileId: snapshot.profileId,
          snapshot: JSON.stringify(snapshot),
          fields: JSON.stringify(merged),
          sendAt,
          lastSentAt,
        });
        return { snapshot, fields: merged, sendAt };
      })
      .immediate();
  }

  async pending(profileId: string): Promise<PendingProfileMail | null> {
    return toPending(this.q.get.get(profileId));
  }

  async markSent(
    profileId: string,
    fields: readonly string[],
    sentAt: string,
    windowMs: number,
  ): Promise<PendingProfileMail | null> {
    return this.db
      .transaction(() => {
        const row = this.q.get.get(profileId);
        if (!row) return null;
        const left = (JSON.parse(row.pending_fields) as string[]).filter((f) => !fields.includes(f));
        const sendAt = left.length ? new Date(Date.parse(sentAt) + windowMs).toISOString() : null;
        this.q.upsert.run({ profileId, snapshot: row.snapshot, fields: JSON.stringify(left), sendAt, lastSentAt: sentAt });
        return sendAt ? { snapshot: JSON.parse(row.snapshot) as ProfileMailSnapshot, fields: left, sendAt } : null;
      })
      .immediate();
  }

  async forget(profileId: string): Promise<void> {
    this.q.forget.run(profileId);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
