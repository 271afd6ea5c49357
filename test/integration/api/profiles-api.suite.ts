import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type GraphQLResponse, type TestServer } from '../../support/test-server.js';
import { subscribe } from '../../support/subscriptions.js';

export const PUBLIC_FIELDS = `id handle firstName lastName headline bio location { city countryCode } remote dailyRate currency
  availability { status availableFrom daysPerWeek } skills { name level years isMain } languages { code level }
  links { type url } visibility version createdAt updatedAt`;
export const ALL_FIELDS = `${PUBLIC_FIELDS} email phone internalNotes internalRating tags`;

const CREATE = `mutation Create($input: CreateProfileInput!) { createProfile(input: $input) { ${PUBLIC_FIELDS} email phone } }`;
const UPDATE = `mutation Update($input: UpdateProfileInput!) { updateProfile(input: $input) { ${PUBLIC_FIELDS} } }`;
const DELETE = `mutation Delete($input: DeleteProfileInput!) { deleteProfile(input: $input) { id handle } }`;
const GET_PUBLIC = `query Get($id: ID!) { getProfile(id: $id) { ${PUBLIC_FIELDS} } }`;
const LIST = `query List($filter: ProfileFilterInput, $limit: Int, $nextToken: String) {
  listProfiles(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id handle } nextToken } }`;

type P = Record<string, unknown> & { id: string; version: number; handle: string };

let n = 0;
export const validInput = (overrides: Record<string, unknown> = {}) => {
  n += 1;
  const handle = `dev-${Date.now().toString(36)}-${n}`;
  return {
    handle,
    firstName: 'Marie',
    lastName: 'Curie',
    email: `${handle}@example.com`,
    phone: '+33612345678',
    headline: 'Physicist',
    location: { city: 'Paris', countryCode: 'FR' },
    remote: 'HYBRID',
    dailyRate: 600,
    currency: 'EUR',
    availability: { status: 'AVAILABLE', availableFrom: '2027-01-04', daysPerWeek: 4 },
    skills: [{ name: 'Radiochemistry', level: 5, years: 12, isMain: true }],
    languages: [
      { code: 'fr', level: 'NATIVE' },
      { code: 'pl', level: 'NATIVE' },
    ],
    links: [{ type: 'LINKEDIN', url: 'https://www.linkedin.com/in/marie' }],
    ...overrides,
  };
};

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;
const fieldPaths = (r: GraphQLResponse) =>
  ((r.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path).sort();

/** Every rule of the profiles API, driven over HTTP and WebSocket against a running server. */
export function profilesApiSuite(storeName: string, env: () => Promise<Record<string, string>>): void {
  describe(`profiles API on ${storeName}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(await env());
    });
    after(async () => {
      await s.close();
    });

    const create = async (token: string, overrides: Record<string, unknown> = {}) => {
      const r = await s.gql<{ createProfile: P }>(CREATE, { input: validInput(overrides) }, token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.createProfile;
    };

    describe('ownership and authorization', () => {
      it('refuses anonymous writes with UNAUTHENTICATED', async () => {
        const r = await s.gql(CREATE, { input: validInput() });
        assert.equal(codeOf(r), 'UNAUTHENTICATED');
      });

      it('lets a freelancer create one profile, read it back as myProfile, and refuses a second', async () => {
        const u = await s.newUser();
        const p = await create(u.token, { skills: [{ name: ' React ', level: 4, isMain: true }] });
        assert.equal(p.version, 1);
        assert.equal(p.visibility, 'PRIVATE');
        assert.deepEqual(p.skills, [{ name: 'React', level: 4, years: null, isMain: true }]);
        const mine = await s.gql<{ myProfile: P }>('{ myProfile { id email } }', {}, u.token);
        assert.equal(mine.data?.myProfile.id, p.id);
        const second = await s.gql(CREATE, { input: validInput() }, u.token);
        assert.equal(codeOf(second), 'CONFLICT');
        const none = await s.gql<{ myProfile: P | null }>('{ myProfile { id } }', {}, (await s.newUser()).token);
        assert.equal(none.data?.myProfile, null);
      });

      it('hides a PRIVATE profile from other freelancers and anonymous callers, not from the team', async () => {
        const owner = await s.newUser();
        const p = await create(owner.token);
        const other = await s.newUser();
        assert.equal(codeOf(await s.gql(GET_PUBLIC, { id: p.id }, other.token)), 'FORBIDDEN');
        assert.equal(codeOf(await s.gql(GET_PUBLIC, { id: p.id })), 'UNAUTHENTICATED');
        const team = await s.newUserInGroups(['team']);
        const asTeam = await s.gql<{ getProfile: P }>(
          `query($id: ID!) { getProfile(id: $id) { ${ALL_FIELDS} } }`,
          { id: p.id },
          team.token,
        );
        assert.equal(asTeam.errors, undefined);
        assert.equal(asTeam.data?.getProfile.email, p.email);
        assert.equal(codeOf(await s.gql(GET_PUBLIC, { id: crypto.randomUUID() }, team.token)), 'NOT_FOUND');
      });

      it('shows the public fields of a PUBLIC profile to anyone, and contact and team fields only to those allowed', async () => {
        const owner = await s.newUser();
        const p = await create(owner.token, { visibility: 'PUBLIC' });
        const anon = await s.gql<{ getProfile: P }>(GET_PUBLIC, { id: p.id });
        assert.equal(anon.errors, undefined);
        assert.equal(anon.data?.getProfile.handle, p.handle);
        const byHandle = await s.gql<{ profileByHandle: P }>('query($h: String!) { profileByHandle(handle: $h) { id } }', {
          h: p.handle.toUpperCase(),
        });
        assert.equal(byHandle.data?.profileByHandle.id, p.id);

        const contact = await s.gql<{ getProfile: P }>(
          'query($id: ID!) { getProfile(id: $id) { id email phone } }',
          { id: p.id },
          (await s.newUser()).token,
        );
        assert.equal(contact.data?.getProfile.id, p.id);
        assert.equal(contact.data?.getProfile.email, null);
        assert.deepEqual(contact.errors?.map((e) => [e.path?.at(-1), e.extensions?.code]).sort(), [
          ['email', 'FORBIDDEN'],
          ['phone', 'FORBIDDEN'],
        ]);

        const own = await s.gql<{ getProfile: P }>(
          'query($id: ID!) { getProfile(id: $id) { email phone } }',
          { id: p.id },
          owner.token,
        );
        assert.equal(own.errors, undefined);
        assert.equal(own.data?.getProfile.phone, '+33612345678');
        const ownInternal = await s.gql('query($id: ID!) { getProfile(id: $id) { internalNotes } }', { id: p.id }, owner.token);
        assert.equal(codeOf(ownInternal), 'FORBIDDEN');
      });

      it('applies partial updates from the expected version and reports the current one when stale', async () => {
        const u = await s.newUser();
        const p = await create(u.token);
        const r = await s.gql<{ updateProfile: P }>(
          UPDATE,
          { input: { id: p.id, expectedVersion: 1, headline: 'Nobel laureate', bio: null } },
          u.token,
        );
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        const updated = r.data!.updateProfile;
        assert.equal(updated.version, 2);
        assert.equal(updated.headline, 'Nobel laureate');
        assert.equal(updated.firstName, 'Marie');
        assert.deepEqual(updated.skills, p.skills);
        const stale = await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, headline: 'Lost write' } }, u.token);
        assert.equal(codeOf(stale), 'CONFLICT');
        assert.equal(stale.errors?.[0]?.extensions?.currentVersion, 2);
        const cleared = await s.gql<{ updateProfile: P }>(
          UPDATE,
          { input: { id: p.id, expectedVersion: 2, headline: null, remote: null } },
          u.token,
        );
        assert.equal(cleared.data?.updateProfile.headline, null);
        assert.equal(cleared.data?.updateProfile.remote, null);
        const missing = await s.gql(UPDATE, { input: { id: crypto.randomUUID(), expectedVersion: 1, headline: 'x' } }, u.token);
        assert.equal(codeOf(missing), 'NOT_FOUND');
      });

      it('lets only the owner and admins change the profile, and only the team and admins the internal fields', async () => {
        const owner = await s.newUser();
        const p = await create(owner.token, { visibility: 'PUBLIC' });
        const other = await s.newUser();
        assert.equal(
          codeOf(await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, headline: 'hijack' } }, other.token)),
          'FORBIDDEN',
        );
        assert.equal(
          codeOf(await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, internalNotes: 'self-rated' } }, owner.token)),
          'FORBIDDEN',
        );
        assert.equal(
          codeOf(await s.gql(CREATE, { input: validInput({ internalRating: 5 }) }, (await s.newUser()).token)),
          'FORBIDDEN',
        );

        const team = await s.newUserInGroups(['team']);
        const notes = await s.gql<{
          updateProfile: { internalNotes: string; internalRating: number; tags: string[]; version: number };
        }>(
          'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { internalNotes internalRating tags version } }',
          {
            input: {
              id: p.id,
              expectedVersion: 1,
              internalNotes: 'Great on React',
              internalRating: 4,
              tags: ['react', 'React', 'senior'],
            },
          },
          team.token,
        );
        assert.equal(notes.errors, undefined, JSON.stringify(notes.errors));
        assert.deepEqual(notes.data?.updateProfile, {
          internalNotes: 'Great on React',
          internalRating: 4,
          tags: ['react', 'senior'],
          version: 2,
        });
        assert.equal(
          codeOf(await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 2, headline: 'team edit' } }, team.token)),
          'FORBIDDEN',
        );

        const admin = await s.adminToken();
        const byAdmin = await s.gql<{ updateProfile: P }>(
          UPDATE,
          { input: { id: p.id, expectedVersion: 2, headline: 'admin edit' } },
          admin,
        );
        assert.equal(byAdmin.data?.updateProfile.headline, 'admin edit');
      });

      it('lets the owner or an admin delete, from the expected version only', async () => {
        const owner = await s.newUser();
        const p = await create(owner.token);
        const team = await s.newUserInGroups(['team']);
        assert.equal(
          codeOf(await s.gql(DELETE, { input: { id: p.id, expectedVersion: 1 } }, (await s.newUser()).token)),
          'FORBIDDEN',
        );
        assert.equal(codeOf(await s.gql(DELETE, { input: { id: p.id, expectedVersion: 1 } }, team.token)), 'FORBIDDEN');
        const stale = await s.gql(DELETE, { input: { id: p.id, expectedVersion: 9 } }, owner.token);
        assert.equal(codeOf(stale), 'CONFLICT');
        assert.equal(stale.errors?.[0]?.extensions?.currentVersion, 1);
        const ok = await s.gql<{ deleteProfile: P }>(DELETE, { input: { id: p.id, expectedVersion: 1 } }, owner.token);
        assert.equal(ok.data?.deleteProfile.id, p.id);
        assert.equal(codeOf(await s.gql(GET_PUBLIC, { id: p.id }, team.token)), 'NOT_FOUND');
        // the account may create a new profile, with the same handle
        await create(owner.token, { handle: p.handle });

        const victim = await s.newUser();
        const q = await create(victim.token);
        const byAdmin = await s.gql(DELETE, { input: { id: q.id, expectedVersion: 1 } }, await s.adminToken());
        assert.equal(byAdmin.errors, undefined);
      });
    });

    describe('bad input', () => {
      it('reports every invalid field at once with its path', async () => {
        const u = await s.newUser();
        const r = await s.gql(
          CREATE,
          {
            input: validInput({
              handle: 'no spaces!',
              firstName: '   ',
              email: 'not-an-email',
              phone: '0612345678',
              location: { city: 'Nowhere', countryCode: 'XZ' },
              currency: 'EURO',
              availability: { status: 'AVAILABLE', availableFrom: '2027-02-30' },
              skills: [
                { name: 'Go', level: 6 },
                { name: '', level: 3 },
              ],
              languages: [{ code: 'xx', level: 'C1' }],
              links: [
                { type: 'GITHUB', url: 'https://gitlab.com/me' },
                { type: 'WEBSITE', url: 'javascript:alert(1)' },
                { type: 'OTHER', url: '/relative/path' },
              ],
            }),
          },
          u.token,
        );
        assert.equal(codeOf(r), 'BAD_USER_INPUT');
        assert.deepEqual(fieldPaths(r), [
          'availability.availableFrom',
          'currency',
          'email',
          'firstName',
          'handle',
          'languages.0.code',
          'links.0.url',
          'links.1.url',
          'links.2.url',
          'location.countryCode',
          'phone',
          'skills.0.level',
          'skills.1.name',
        ]);
        assert.ok(!JSON.stringify(r).includes('    at '), 'no stack trace');
      });

      it('refuses oversize strings, wrong types and unknown enum values', async () => {
        const u = await s.newUser();
        const big = await s.gql(CREATE, { input: validInput({ bio: 'x'.repeat(5001), headline: 'y'.repeat(161) }) }, u.token);
        assert.equal(codeOf(big), 'BAD_USER_INPUT');
        assert.deepEqual(fieldPaths(big), ['bio', 'headline']);
        const types = await s.gql(CREATE, { input: validInput({ handle: 42, dailyRate: 'cheap', remote: 'MARS' }) }, u.token);
        assert.equal(types.status, 400); // GraphQL-over-HTTP: variables that do not coerce are a request error
        assert.ok(types.errors && types.errors.length === 3, JSON.stringify(types.errors));
        assert.ok(types.errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'));
        const inline = await s.gql('{ listProfiles(filter: { remote: MARS }) { nextToken } }', {}, u.token);
        assert.equal(codeOf(inline), 'BAD_USER_INPUT');
        const fractional = await s.gql(CREATE, { input: validInput({ dailyRate: 10.5 }) }, u.token);
        assert.equal(codeOf(fractional), 'BAD_USER_INPUT');
      });

      it('de-duplicates skills case- and accent-insensitively and bounds skills and main skills', async () => {
        const u = await s.newUser();
        const p = await create(u.token, {
          skills: [
            { name: 'Réact', level: 4 },
            { name: 'react', level: 2, isMain: true },
            { name: ' REACT ', level: 1 },
            { name: 'Node.js', level: 3 },
          ],
        });
        assert.deepEqual(p.skills, [
          { name: 'Réact', level: 4, years: null, isMain: true },
          { name: 'Node.js', level: 3, years: null, isMain: false },
        ]);
        const main = Array.from({ length: 8 }, (_, i) => ({ name: `skill ${i}`, level: 3, isMain: true }));
        const tooManyMain = await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, skills: main } }, u.token);
        assert.equal(codeOf(tooManyMain), 'BAD_USER_INPUT');
        assert.deepEqual(fieldPaths(tooManyMain), ['skills']);
        const many = Array.from({ length: 51 }, (_, i) => ({ name: `skill ${i}`, level: 3 }));
        assert.equal(
          codeOf(await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, skills: many } }, u.token)),
          'BAD_USER_INPUT',
        );
        const fifty = [...many.slice(0, 50), { name: 'SKILL 0', level: 1 }];
        const ok = await s.gql<{ updateProfile: P }>(UPDATE, { input: { id: p.id, expectedVersion: 1, skills: fifty } }, u.token);
        assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
      });

      it('requires a currency with a daily rate and links pointing at their site', async () => {
        const u = await s.newUser();
        const r = await s.gql(
          CREATE,
          { input: validInput({ currency: null, links: [{ type: 'MALT', url: 'https://malt.evil.com/x' }] }) },
          u.token,
        );
        assert.deepEqual(fieldPaths(r), ['currency', 'links.0.url']);
      });

      it('gives a taken handle to exactly one of 20 concurrent creates', async () => {
        const users = await Promise.all(Array.from({ length: 20 }, () => s.newUser()));
        const handle = `race-${Date.now().toString(36)}`;
        const results = await Promise.all(
          users.map((u, i) => s.gql(CREATE, { input: validInput({ handle: i % 2 ? handle : handle.toUpperCase() }) }, u.token)),
        );
        const ok = results.filter((r) => !r.errors);
        assert.equal(ok.length, 1);
        for (const r of results.filter((x) => x.errors)) {
          assert.equal(codeOf(r), 'CONFLICT');
          assert.equal(r.errors?.[0]?.extensions?.field, 'handle');
        }
      });

      it('bounds page sizes and refuses forged page tokens', async () => {
        const u = await s.newUser();
        assert.equal(codeOf(await s.gql(LIST, { limit: 1000 }, u.token)), 'BAD_USER_INPUT');
        assert.equal(codeOf(await s.gql(LIST, { nextToken: 'forged' }, u.token)), 'BAD_USER_INPUT');
      });
    });

    describe('listing', () => {
      it('shows team everything, others the PUBLIC profiles and their own, filtered and paged newest first', async () => {
        const skill = `Élixir-${Date.now().toString(36)}`;
        const mk = async (overrides: Record<string, unknown>) => {
          const u = await s.newUser();
          return { user: u, p: await create(u.token, { skills: [{ name: skill, level: 3 }], ...overrides }) };
        };
        const a = await mk({ visibility: 'PUBLIC', remote: 'REMOTE', dailyRate: 400, location: { countryCode: 'FR' } });
        const b = await mk({ visibility: 'PRIVATE', remote: 'ONSITE', dailyRate: 800, location: { countryCode: 'BE' } });
        const c = await mk({
          visibility: 'PUBLIC',
          remote: 'REMOTE',
          dailyRate: 700,
          availability: { status: 'UNAVAILABLE' },
          skills: [
            { name: skill, level: 3 },
            { name: 'Phoenix', level: 2 },
          ],
        });
        const ids = async (token: string | null, filter: Record<string, unknown> = {}) => {
          const r = await s.gql<{ listProfiles: { items: P[] } }>(
            LIST,
            { filter: { skills: [skill.toLowerCase().replace('é', 'e')], ...filter }, limit: 50 },
            token,
          );
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
          return r.data!.listProfiles.items.map((p) => p.id);
        };
        const team = await s.newUserInGroups(['team']);
        assert.deepEqual(await ids(team.token), [c.p.id, b.p.id, a.p.id]);
        assert.deepEqual(await ids(null), [c.p.id, a.p.id]);
        assert.deepEqual(await ids(b.user.token), [c.p.id, b.p.id, a.p.id]);
        assert.deepEqual(await ids(a.user.token), [c.p.id, a.p.id]);
        assert.deepEqual(await ids(team.token, { remote: 'REMOTE' }), [c.p.id, a.p.id]);
        assert.deepEqual(await ids(team.token, { maxDailyRate: 700 }), [c.p.id, a.p.id]);
        assert.deepEqual(await ids(team.token, { countryCode: 'be' }), [b.p.id]);
        assert.deepEqual(await ids(team.token, { availabilityStatus: 'AVAILABLE' }), [b.p.id, a.p.id]);
        assert.deepEqual(await ids(team.token, { skills: [skill, 'phoenix'], skillsMatch: 'ALL' }), [c.p.id]);
        assert.deepEqual(await ids(team.token, { skills: ['phoenix', skill], skillsMatch: 'ANY' }), [c.p.id, b.p.id, a.p.id]);
      });

      it('pages without skipping or repeating while others create and delete', async () => {
        const skill = `paging-${Date.now().toString(36)}`;
        const team = await s.newUserInGroups(['team']);
        const made: { p: P; token: string }[] = [];
        for (let i = 0; i < 6; i++) {
          const u = await s.newUser();
          made.push({ p: await create(u.token, { skills: [{ name: skill, level: 1 }] }), token: u.token });
        }
        const seen: string[] = [];
        let r = await s.gql<{ listProfiles: { items: P[]; nextToken: string | null } }>(
          LIST,
          { filter: { skills: [skill] }, limit: 2 },
          team.token,
        );
        seen.push(...r.data!.listProfiles.items.map((p) => p.id));
        const newcomer = await s.newUser();
        await create(newcomer.token, { skills: [{ name: skill, level: 1 }] });
        const gone = made[1]!;
        await s.gql(DELETE, { input: { id: gone.p.id, expectedVersion: 1 } }, gone.token);
        while (r.data!.listProfiles.nextToken) {
          r = await s.gql(LIST, { filter: { skills: [skill] }, limit: 2, nextToken: r.data!.listProfiles.nextToken }, team.token);
          seen.push(...r.data!.listProfiles.items.map((p) => p.id));
        }
        assert.deepEqual(
          seen,
          made
            .map((m) => m.p.id)
            .reverse()
            .filter((id) => id !== gone.p.id),
        );
      });
    });

    describe('subscriptions', () => {
      const SUB_CREATE = `subscription { onCreateProfile { id handle email internalNotes } }`;
      const SUB_UPDATE = `subscription($id: ID) { onUpdateProfile(id: $id) { id headline version } }`;
      const SUB_DELETE = `subscription { onDeleteProfile { id } }`;

      it('delivers every change to the team, with team-only fields', async () => {
        const team = await s.newUserInGroups(['team']);
        const client = s.wsClient(team.token);
        const created = await subscribe(client, SUB_CREATE);
        const updated = await subscribe(client, SUB_UPDATE);
        const deleted = await subscribe(client, SUB_DELETE);
        const u = await s.newUser();
        const p = await create(u.token);
        const c = await created.next();
        assert.equal(c.errors, undefined, JSON.stringify(c.errors));
        assert.deepEqual(c.data?.onCreateProfile, { id: p.id, handle: p.handle, email: p.email, internalNotes: null });
        await s.gql(UPDATE, { input: { id: p.id, expectedVersion: 1, headline: 'live' } }, u.token);
        assert.deepEqual((await updated.next()).data?.onUpdateProfile, { id: p.id, headline: 'live', version: 2 });
        await s.gql(DELETE, { input: { id: p.id, expectedVersion: 2 } }, u.token);
        assert.deepEqual((await deleted.next()).data?.onDeleteProfile, { id: p.id });
      });

      it('delivers to a freelancer only what it may read, and field rules apply to the payload', async () => {
        const watcher = await s.newUser();
        const mine = await create(watcher.token);
        const client = s.wsClient(watcher.token);
        const created = await subscribe(client, `subscription { onCreateProfile { id handle } }`);
        const withEmail = await subscribe(client, `subscription { onCreateProfile { id email } }`);
        const updated = await subscribe(client, SUB_UPDATE);
        const privateOne = await create((await s.newUser()).token, { visibility: 'PRIVATE' });
        const publicOne = await create((await s.newUser()).token, { visibility: 'PUBLIC' });
        // events arrive in order on one socket: the public one arriving first proves the private one was filtered out
        assert.deepEqual((await created.next()).data?.onCreateProfile, { id: publicOne.id, handle: publicOne.handle });
        assert.equal(created.pending().length, 0);
        const e = await withEmail.next();
        assert.equal((e.data?.onCreateProfile as { id: string }).id, publicOne.id);
        assert.equal(e.errors?.[0]?.extensions?.code, 'FORBIDDEN');
        assert.notEqual(privateOne.id, publicOne.id);
        await s.gql(UPDATE, { input: { id: mine.id, expectedVersion: 1, headline: 'mine' } }, watcher.token);
        assert.deepEqual((await updated.next()).data?.onUpdateProfile, { id: mine.id, headline: 'mine', version: 2 });
      });

      it('lets anonymous subscribers see PUBLIC profiles only, and filters by id', async () => {
        const client = s.wsClient(null);
        const created = await subscribe(client, `subscription { onCreateProfile { id } }`);
        const owner = await s.newUser();
        const target = await create(owner.token, { visibility: 'PUBLIC' });
        const otherOwner = await s.newUser();
        const other = await create(otherOwner.token, { visibility: 'PUBLIC' });
        const onlyTarget = await subscribe(client, SUB_UPDATE, { id: target.id });
        await create((await s.newUser()).token, { visibility: 'PRIVATE' });
        const last = await create((await s.newUser()).token, { visibility: 'PUBLIC' });
        const got = [await created.next(), await created.next(), await created.next()].map(
          (r) => (r.data?.onCreateProfile as { id: string }).id,
        );
        assert.deepEqual(got, [target.id, other.id, last.id]);
        await s.gql(UPDATE, { input: { id: other.id, expectedVersion: 1, headline: 'not this one' } }, otherOwner.token);
        await s.gql(UPDATE, { input: { id: target.id, expectedVersion: 1, headline: 'this one' } }, owner.token);
        assert.deepEqual((await onlyTarget.next()).data?.onUpdateProfile, { id: target.id, headline: 'this one', version: 2 });
      });

      it('closes a connection whose token is invalid', async () => {
        const bad = s.wsClient('not-a-token');
        const sub = await subscribe(bad, SUB_CREATE);
        await assert.rejects(sub.next(2_000), /4403/);
      });
    });
  });
}
