import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProfileStore, ProfileQuery } from '../../src/modules/profiles/profile-store.js';
import type { Profile } from '../../src/modules/profiles/model.js';
import { makeProfile, nextTimestamp } from '../support/fixtures.js';
import type { ProfileDomainEvent } from '../../src/modules/profiles/events.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

const ALL: ProfileQuery = { readableBy: { kind: 'all' } };

const eventFor = <T extends ProfileDomainEvent['type']>(type: T, profile: Profile): ProfileDomainEvent =>
  ({
    id: crypto.randomUUID(),
    type,
    aggregateId: profile.id,
    occurredAt: nextTimestamp(),
    payload: { profile, actorId: profile.ownerId, ...(type === 'profile.updated' ? { changedFields: ['headline'] } : {}) },
  }) as ProfileDomainEvent;

async function drainOutbox(store: ProfileStore): Promise<void> {
  for (let batch = await store.readOutbox(100); batch.length; batch = await store.readOutbox(100)) {
    await store.ackOutbox(batch.map((e) => e.id));
  }
}

/** The ProfileStore contract. Every adapter runs it: `profileStoreSuite('sqlite', () => ...)`. */
export function profileStoreSuite(name: string, open: () => Promise<ProfileStore>): void {
  describe(`ProfileStore conformance: ${name}`, () => {
    let store: ProfileStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('reads back a created profile by id, handle (any case) and owner', async () => {
      const p = makeProfile({ handle: 'Grace_Hopper', skills: [{ name: 'COBOL', level: 5, years: 30, isMain: true }] });
      await store.create(p, []);
      assert.deepEqual(await store.get(p.id), p);
      assert.deepEqual(await store.getByHandle('grace_hopper'), p);
      assert.deepEqual(await store.getByHandle('GRACE_HOPPER'), p);
      assert.deepEqual(await store.getByOwner(p.ownerId), p);
      assert.equal(await store.get(crypto.randomUUID()), null);
      assert.equal(await store.getByHandle('nobody-here'), null);
      assert.equal(await store.getByOwner(crypto.randomUUID()), null);
    });

    it('refuses a handle taken in another case and a second profile for one owner', async () => {
      const p = makeProfile({ handle: 'unique-one' });
      await store.create(p, []);
      const e1 = await rejectsWithCode(store.create(makeProfile({ handle: 'UNIQUE-ONE' }), []), 'CONFLICT');
      assert.equal(e1.details.field, 'handle');
      const e2 = await rejectsWithCode(store.create(makeProfile({ ownerId: p.ownerId }), []), 'CONFLICT');
      assert.equal(e2.details.field, 'owner');
    });

    it('lets exactly one of 20 concurrent creates take a handle', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.create(makeProfile({ handle: 'race-handle' }), [])),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) {
        if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'CONFLICT');
      }
    });

    it('updates only from the expected version and reports the current one when stale', async () => {
      const p = makeProfile({ handle: 'versioned' });
      await store.create(p, []);
      const v2: Profile = { ...p, headline: 'Second', version: 2 };
      assert.equal(await store.version(p.id), 1);
      await store.update(v2, 1, []);
      assert.deepEqual(await store.get(p.id), v2);
      assert.equal(await store.version(p.id), 2);
      assert.equal(await store.version('no-such-profile'), null);
      const stale = await rejectsWithCode(store.update({ ...p, headline: 'Lost', version: 2 }, 1, []), 'CONFLICT');
      assert.equal(stale.details.currentVersion, 2);
      assert.equal((await store.get(p.id))?.headline, 'Second');
      await rejectsWithCode(store.update(makeProfile({ version: 2 }), 1, []), 'NOT_FOUND');
    });

    it('moves the handle on update and refuses a taken one without changing anything', async () => {
      const a = makeProfile({ handle: 'old-handle' });
      const b = makeProfile({ handle: 'b-handle' });
      await store.create(a, []);
      await store.create(b, []);
      await store.update({ ...a, handle: 'New-Handle', version: 2 }, 1, []);
      assert.equal((await store.getByHandle('new-handle'))?.id, a.id);
      assert.equal(await store.getByHandle('old-handle'), null);
      const err = await rejectsWithCode(store.update({ ...b, handle: 'new-handle', version: 2 }, 1, []), 'CONFLICT');
      assert.equal(err.details.field, 'handle');
      assert.deepEqual(await store.get(b.id), b);
      // the freed handle can be taken by someone else
      await store.create(makeProfile({ handle: 'old-handle' }), []);
    });

    it('deletes only from the expected version and frees the handle and the owner', async () => {
      const p = makeProfile({ handle: 'to-delete' });
      await store.create(p, []);
      const stale = await rejectsWithCode(store.delete(p.id, 7, []), 'CONFLICT');
      assert.equal(stale.details.currentVersion, 1);
      await store.delete(p.id, 1, []);
      assert.equal(await store.get(p.id), null);
      await rejectsWithCode(store.delete(p.id, 1, []), 'NOT_FOUND');
      await store.create(makeProfile({ handle: 'to-delete', ownerId: p.ownerId }), []);
    });

    it('pages newest first without skipping or repeating while others write', async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const skill = `paging-${tag}`;
      const mk = () => makeProfile({ skills: [{ name: skill, level: 3, years: null, isMain: false }] });
      const initial = Array.from({ length: 7 }, mk);
      for (const p of initial) await store.create(p, []);
      const q: ProfileQuery = { ...ALL, skills: { keys: [skill], match: 'ANY' } };
      const seen: string[] = [];
      let page = await store.list(q, 3);
      seen.push(...page.items.map((p) => p.id));
      // concurrent writes: a newer profile, and the deletion of one not yet seen
      await store.create(mk(), []);
      const notYetSeen = initial[1]!;
      await store.delete(notYetSeen.id, 1, []);
      while (page.nextToken) {
        page = await store.list(q, 3, page.nextToken);
        seen.push(...page.items.map((p) => p.id));
      }
      const expected = [...initial]
        .reverse()
        .map((p) => p.id)
        .filter((id) => id !== notYetSeen.id);
      assert.deepEqual(seen, expected);
    });

    it('filters by skills (any or all, case- and accent-insensitive keys), availability, country, remote, rate and readability', async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const s1 = `react-${tag}`;
      const s2 = `node-${tag}`;
      const sk = (n: string) => ({ name: n, level: 3, years: null, isMain: false });
      const both = makeProfile({
        skills: [sk(s1), sk(s2)],
        visibility: 'PUBLIC',
        availability: { status: 'AVAILABLE', availableFrom: null, daysPerWeek: 5 },
        location: { city: 'Lyon', countryCode: 'FR' },
        remote: 'REMOTE',
        dailyRate: 500,
        currency: 'EUR',
      });
      const one = makeProfile({
        skills: [sk(s1)],
        availability: { status: 'UNAVAILABLE', availableFrom: null, daysPerWeek: null },
        location: { city: 'Berlin', countryCode: 'DE' },
        remote: 'ONSITE',
        dailyRate: 900,
        currency: 'EUR',
      });
      await store.create(both, []);
      await store.create(one, []);
      const ids = async (q: Omit<ProfileQuery, 'readableBy'>, readableBy: ProfileQuery['readableBy'] = ALL.readableBy) =>
        (await store.list({ ...q, readableBy }, 50)).items.map((p) => p.id);
      const skills = (match: 'ANY' | 'ALL', ...keys: string[]) => ({ skills: { keys, match } });
      assert.deepEqual(await ids(skills('ANY', s1, s2)), [one.id, both.id]);
      assert.deepEqual(await ids(skills('ALL', s1, s2)), [both.id]);
      assert.deepEqual(await ids({ ...skills('ANY', s1), availabilityStatus: 'AVAILABLE' }), [both.id]);
      assert.deepEqual(await ids({ ...skills('ANY', s1), countryCode: 'DE' }), [one.id]);
      assert.deepEqual(await ids({ ...skills('ANY', s1), remote: 'REMOTE' }), [both.id]);
      assert.deepEqual(await ids({ ...skills('ANY', s1), maxDailyRate: 600 }), [both.id]);
      assert.deepEqual(await ids({ ...skills('ANY', s1), maxDailyRate: 900, currency: 'EUR' }), [one.id, both.id]);
      assert.deepEqual(await ids(skills('ANY', s1), { kind: 'publicOrOwner', ownerId: null }), [both.id]);
      assert.deepEqual(await ids(skills('ANY', s1), { kind: 'publicOrOwner', ownerId: one.ownerId }), [one.id, both.id]);
      // skills are matched on the stored skill keys: an update that drops a skill drops the match
      await store.update({ ...both, skills: [sk(s2)], version: 2 }, 1, []);
      assert.deepEqual(await ids(skills('ANY', s1)), [one.id]);
    });

    it('keeps skill matches through updates that leave skills alone, and follows a same-size change of skills', async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const [go, rust, zig] = [`go-${tag}`, `rust-${tag}`, `zig-${tag}`];
      const sk = (n: string) => ({ name: n, level: 3, years: null, isMain: false });
      const p = makeProfile({ skills: [sk(go), sk(rust)] });
      await store.create(p, []);
      const matching = async (key: string) =>
        (await store.list({ ...ALL, skills: { keys: [key], match: 'ANY' } }, 10)).items.map((x) => x.id);
      await store.update({ ...p, headline: 'Changed, skills untouched', version: 2 }, 1, []);
      assert.deepEqual(await matching(go), [p.id]);
      assert.deepEqual(await matching(rust), [p.id]);
      await store.update({ ...p, skills: [sk(go), sk(zig)], version: 3 }, 2, []);
      assert.deepEqual(await matching(rust), []);
      assert.deepEqual(await matching(zig), [p.id]);
      // the same skill in another case keeps its key
      await store.update({ ...p, skills: [sk(go.toUpperCase()), sk(zig)], version: 4 }, 3, []);
      assert.deepEqual(await matching(go), [p.id]);
      assert.deepEqual(await matching(zig), [p.id]);
    });

    it('records the events of a write in its outbox atomically, and forgets them once acknowledged', async () => {
      await drainOutbox(store);
      const p = makeProfile({ handle: 'outboxed' });
      const created = eventFor('profile.created', p);
      await store.create(p, [created]);
      const updated = eventFor('profile.updated', { ...p, version: 2 });
      await store.update({ ...p, version: 2 }, 1, [updated]);
      // a write that fails records nothing
      await rejectsWithCode(store.create(makeProfile({ handle: 'OUTBOXED' }), [eventFor('profile.created', p)]), 'CONFLICT');
      await rejectsWithCode(store.update({ ...p, version: 3 }, 1, [eventFor('profile.updated', p)]), 'CONFLICT');
      await rejectsWithCode(store.delete(p.id, 1, [eventFor('profile.deleted', p)]), 'CONFLICT');
      const deleted = eventFor('profile.deleted', { ...p, version: 2 });
      await store.delete(p.id, 2, [deleted]);
      const pending = await store.readOutbox(10);
      assert.deepEqual(pending, [created, updated, deleted]);
      await store.ackOutbox([created.id, updated.id]);
      assert.deepEqual(await store.readOutbox(10), [deleted]);
      await store.ackOutbox([deleted.id, 'unknown-id']);
      assert.deepEqual(await store.readOutbox(10), []);
    });

    it('refuses a malformed nextToken as bad input', async () => {
      await rejectsWithCode(store.list(ALL, 5, 'not-a-token'), 'BAD_USER_INPUT');
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}
