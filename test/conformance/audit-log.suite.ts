import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, AuditLog } from '../../src/modules/identity/audit-log.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

/** Each call returns a base time later than every event recorded so far, so a test's events are the newest. */
let year = 2900;
const laterBase = () => Date.UTC(year++, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

const makeEvent = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: crypto.randomUUID(),
  at: iso(laterBase()),
  type: 'sign_in_succeeded',
  accountId: crypto.randomUUID(),
  email: 'someone@example.com',
  actorId: null,
  ip: '203.0.113.7',
  userAgent: 'conformance/1.0',
  details: {},
  ...overrides,
});

/** Walks every page of `list` until `want` items were collected or the log ends. */
async function collect(log: AuditLog, filter: { accountId?: string }, pageSize: number, want: number) {
  const items: AuditEvent[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const page = await log.list(filter, pageSize, token);
    assert.ok(page.items.length <= pageSize);
    items.push(...page.items);
    token = page.nextToken;
    pages += 1;
  } while (token && items.length < want);
  return { items, pages, exhausted: token === null };
}

const newestFirst = (a: AuditEvent, b: AuditEvent) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1);

/** The AuditLog contract, run against every adapter. */
export function auditLogSuite(name: string, open: () => Promise<AuditLog>): void {
  describe(`AuditLog conformance: ${name}`, () => {
    let log: AuditLog;
    before(async () => {
      log = await open();
    });
    after(async () => {
      await log.close();
    });

    it('reads back every field, nulls and typed details included', async () => {
      const full = makeEvent({
        type: 'groups_changed',
        actorId: crypto.randomUUID(),
        details: { groups: 'freelancer,team', count: 2, forced: false },
      });
      const sparse = makeEvent({
        type: 'sign_in_failed',
        accountId: null,
        email: 'ghost@example.com',
        ip: null,
        userAgent: null,
        at: iso(Date.parse(full.at) + 1),
      });
      await log.record(full);
      await log.record(sparse);
      const page = await log.list({}, 2);
      assert.deepEqual(page.items, [sparse, full]);
      assert.ok(page.nextToken === null || typeof page.nextToken === 'string');
    });

    it('pages newest first by (at, id), ties broken by id, never skipping or repeating', async () => {
      const base = laterBase();
      const tied = iso(base + 5_000);
      const events = [0, 1, 2, 3].map((i) => makeEvent({ at: iso(base + i * 1_000) }));
      events.push(...[0, 1, 2].map(() => makeEvent({ at: tied })));
      // recorded out of order: the order comes from (at, id), not from insertion
      for (const e of [...events].reverse()) await log.record(e);
      const { items } = await collect(log, {}, 2, events.length);
      assert.deepEqual(items.slice(0, events.length), [...events].sort(newestFirst));
    });

    it('lists one account only, across pages, with other accounts in between', async () => {
      const accountId = crypto.randomUUID();
      const base = laterBase();
      const mine: AuditEvent[] = [];
      for (let i = 0; i < 60; i++) {
        const own = i % 12 === 0;
        const e = makeEvent({ at: iso(base + i * 1_000), ...(own ? { accountId } : {}) });
        if (own) mine.push(e);
        await log.record(e);
      }
      const { items, pages, exhausted } = await collect(log, { accountId }, 2, Infinity);
      assert.deepEqual(items, [...mine].sort(newestFirst));
      assert.equal(pages, 3);
      assert.ok(exhausted);
      assert.deepEqual(await log.list({ accountId: crypto.randomUUID() }, 10), { items: [], nextToken: null });
    });

    it('refuses a token it did not issue', async () => {
      const err = await rejectsWithCode(log.list({}, 10, 'not-a-token'), 'BAD_USER_INPUT');
      assert.match(JSON.stringify(err.details), /nextToken/);
    });
  });
}
