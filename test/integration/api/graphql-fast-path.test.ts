import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SigningKeys } from '../../../src/modules/identity/local/signing-keys.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { validInput } from './profiles-api.suite.js';

/**
 * The read fast path (ADR 013) must not change what clients see: the same registered operations are
 * sent to a server with the fast path on and to one with it off, sharing one data directory (same
 * profiles, accounts, sessions and signing keys), and must get byte-identical answers.
 */
const operation = (file: string) => fs.readFileSync(new URL(`../../../src/graphql/operations/${file}`, import.meta.url), 'utf8');
const GET_PROFILE = operation('get-profile.graphql');
const GET_PUBLIC = operation('get-public-profile.graphql');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Answer {
  status: number;
  contentType: string | null;
  cors: (string | null)[];
  body: string;
}

describe('GraphQL fast path: same answers as Yoga', () => {
  let fast: TestServer;
  let yoga: TestServer;
  let admin: string;
  let owner: { token: string; refreshToken: string };
  let stranger: { token: string };
  let publicId: string;
  let privateId: string;

  before(async () => {
    fast = await startTestServer({ GRAPHQL_FAST_PATH: 'on' });
    // Same data and keys, same issuer; its own worker off so only one process runs jobs.
    yoga = await startTestServer({ GRAPHQL_FAST_PATH: 'off', DATA_DIR: fast.dataDir, PUBLIC_URL: fast.url, WORKER: 'off' });
    admin = await fast.adminToken();
    owner = await fast.newUser();
    stranger = await fast.newUser();
    const create = async (token: string, overrides: Record<string, unknown>) => {
      const r = await fast.gql<{ createProfile: { id: string } }>(
        'mutation C($input: CreateProfileInput!) { createProfile(input: $input) { id } }',
        { input: validInput(overrides) },
        token,
      );
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.createProfile.id;
    };
    publicId = await create(owner.token, { visibility: 'PUBLIC', bio: 'Écrit "du" <code>\n\ttab \u2028 ✓' });
    privateId = await create(stranger.token, { visibility: 'PRIVATE' });
    // Team-only fields set, so that they are in the answers.
    const r = await fast.gql(
      'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
      { input: { id: publicId, expectedVersion: 1, internalNotes: 'good', internalRating: 4, tags: ['a', 'b'] } },
      admin,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  });

  after(async () => {
    await yoga?.close();
    await fast?.close();
  });

  const send = async (s: TestServer, body: unknown, headers: Record<string, string>): Promise<Answer> => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const cors = ['access-control-allow-origin', 'access-control-allow-credentials', 'vary'].map((h) => res.headers.get(h));
    return { status: res.status, contentType: res.headers.get('content-type'), cors, body: await res.text() };
  };

  const served = async () => {
    const text = await (await fetch(`${fast.url}/metrics`)).text();
    let total = 0;
    for (const m of text.matchAll(/^graphql_fast_path_requests_total\{[^}]*outcome="served"[^}]*\} (\d+)/gm))
      total += Number(m[1]);
    return total;
  };

  /** Sends the request to both servers; returns the fast path's answer and whether the fast path answered it. */
  const same = async (body: unknown, headers: Record<string, string>): Promise<{ answer: Answer; byFastPath: boolean }> => {
    const before = await served();
    const a = await send(fast, body, headers);
    const byFastPath = (await served()) > before;
    const b = await send(yoga, body, headers);
    assert.deepEqual(a, b);
    return { answer: a, byFastPath };
  };

  const bearer = (token: string) => ({
    authorization: `Bearer ${token}`,
    accept: 'application/graphql-response+json, application/json',
  });
  const codes = (a: Answer) =>
    ((JSON.parse(a.body) as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((e) => e.extensions?.code);

  it('answers a registered read by its text, its hash, or both, on the fast path', async () => {
    for (const body of [
      { query: GET_PROFILE, variables: { id: publicId } },
      { query: GET_PROFILE, variables: { id: publicId }, operationName: 'GetProfile' },
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(GET_PROFILE) } }, variables: { id: publicId } },
      {
        query: GET_PROFILE,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(GET_PROFILE) } },
        variables: { id: publicId },
      },
    ]) {
      const { answer, byFastPath } = await same(body, bearer(admin));
      assert.equal(answer.status, 200);
      assert.equal(answer.contentType, 'application/graphql-response+json; charset=utf-8');
      const data = (JSON.parse(answer.body) as { data: { getProfile: Record<string, unknown> } }).data.getProfile;
      assert.equal(data.id, publicId);
      assert.deepEqual(data.tags, ['a', 'b']);
      assert.ok(byFastPath, JSON.stringify(body).slice(0, 120));
    }
  });

  it('picks the content type Yoga picks for each Accept header', async () => {
    const body = { query: GET_PROFILE, variables: { id: publicId } };
    for (const accept of [
      'application/json',
      '*/*',
      'application/json, application/graphql-response+json',
      'application/graphql-response+json;charset=utf-8',
      'text/html',
      'application/json;charset=latin1',
    ]) {
      const { answer, byFastPath } = await same(body, { authorization: `Bearer ${admin}`, accept });
      assert.ok(answer.status === 200 || answer.status === 406, `${accept}: ${answer.status}`);
      assert.equal(byFastPath, answer.status === 200, accept);
    }
    // A browser sends Origin with every POST: Yoga's default CORS headers, on the fast path too.
    const fromBrowser = await same(body, { ...bearer(admin), origin: 'https://app.atelier.test' });
    assert.ok(fromBrowser.byFastPath);
    assert.deepEqual(fromBrowser.answer.cors, ['https://app.atelier.test', 'true', 'Origin']);
    const noAccept = await same(body, { authorization: `Bearer ${admin}` });
    assert.equal(noAccept.answer.contentType, 'application/json; charset=utf-8');
    assert.ok(noAccept.byFastPath);
  });

  it('gives what each caller may see: anonymous and stranger on a public profile, the owner on theirs', async () => {
    const anonymous = await same({ query: GET_PUBLIC, variables: { id: publicId } }, {});
    assert.equal(anonymous.answer.status, 200);
    assert.ok(anonymous.byFastPath);
    assert.deepEqual(codes(anonymous.answer), []);
    const mine = await same({ query: GET_PUBLIC, variables: { id: privateId } }, bearer(stranger.token));
    assert.deepEqual(codes(mine.answer), []);
    assert.ok(mine.byFastPath);
  });

  it('answers NOT_FOUND, FORBIDDEN (field and profile) and UNAUTHENTICATED exactly as Yoga', async () => {
    const notFound = await same({ query: GET_PROFILE, variables: { id: 'no-such-profile' } }, bearer(admin));
    assert.deepEqual(codes(notFound.answer), ['NOT_FOUND']);
    const fields = await same({ query: GET_PROFILE, variables: { id: publicId } }, bearer(stranger.token));
    assert.ok(codes(fields.answer).includes('FORBIDDEN'));
    const privateOne = await same({ query: GET_PUBLIC, variables: { id: privateId } }, bearer(owner.token));
    assert.deepEqual(codes(privateOne.answer), ['FORBIDDEN']);
    const anonymousPrivate = await same({ query: GET_PUBLIC, variables: { id: privateId } }, {});
    assert.deepEqual(codes(anonymousPrivate.answer), ['UNAUTHENTICATED']);
    for (const r of [notFound, fields, privateOne, anonymousPrivate]) assert.equal(r.byFastPath, false);
  });

  it('answers bad variables exactly as Yoga (code, message, path, status)', async () => {
    for (const variables of [{}, { id: null }, { id: { a: 1 } }, { id: [publicId] }, { id: true }, { id: publicId, extra: 1 }]) {
      const { answer } = await same({ query: GET_PROFILE, variables }, bearer(admin));
      if (!('extra' in variables)) assert.equal(answer.status, 400, JSON.stringify(variables));
    }
    // Not the fast path's to answer: other operation name, a body Yoga refuses, a hash that does not match the text.
    for (const body of [
      { query: GET_PROFILE, variables: { id: publicId }, operationName: 'Other' },
      { query: GET_PROFILE, variables: JSON.stringify({ id: publicId }) },
      { query: GET_PROFILE, variables: { id: publicId }, unexpected: 1 },
      {
        query: GET_PROFILE,
        variables: { id: publicId },
        extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
      },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } }, variables: { id: publicId } },
    ]) {
      const { byFastPath } = await same(body, bearer(admin));
      assert.equal(byFastPath, false, JSON.stringify(body).slice(0, 100));
    }
  });

  it('refuses bad, expired and signed-out tokens exactly as Yoga', async () => {
    const body = { query: GET_PROFILE, variables: { id: publicId } };
    const bad = await same(body, bearer('not.a.token'));
    assert.deepEqual(codes(bad.answer), ['UNAUTHENTICATED']);
    // A token signed with the server's own key an hour ago, expired since.
    const anHourAgo = { now: () => new Date(Date.now() - 3_600_000) };
    const keys = await SigningKeys.load(path.join(fast.dataDir, 'keys'), fast.url, 'atelier', { clock: anHourAgo });
    const [, payload] = owner.token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as {
      sub: string;
      sid: string;
      email: string;
    };
    const expired = await keys.sign({ sub: claims.sub, sid: claims.sid, email: claims.email, token_use: 'access' }, 900);
    const old = await same(body, bearer(expired));
    assert.deepEqual(codes(old.answer), ['UNAUTHENTICATED']);
    // Signed out: the token still verifies, its session does not.
    const before = await same({ query: GET_PUBLIC, variables: { id: publicId } }, bearer(owner.token));
    assert.ok(before.byFastPath);
    const out = await fast.post('/auth/logout', { refreshToken: owner.refreshToken }, owner.token);
    assert.ok(out.status < 300, JSON.stringify(out));
    const signedOut = await same({ query: GET_PUBLIC, variables: { id: publicId } }, bearer(owner.token));
    assert.deepEqual(codes(signedOut.answer), ['UNAUTHENTICATED']);
    for (const r of [bad, old, signedOut]) assert.equal(r.byFastPath, false);
  });

  it('answers a changed profile at its new version at once', async () => {
    const read = async () => {
      const { answer, byFastPath } = await same({ query: GET_PROFILE, variables: { id: publicId } }, bearer(admin));
      assert.ok(byFastPath);
      return (JSON.parse(answer.body) as { data: { getProfile: { version: number; headline: string } } }).data.getProfile;
    };
    const v = await read();
    const u = await fast.gql(
      'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { version } }',
      { input: { id: publicId, expectedVersion: v.version, headline: `changed at ${v.version}` } },
      admin,
    );
    assert.equal(u.errors, undefined, JSON.stringify(u.errors));
    const after = await read();
    assert.equal(after.version, v.version + 1);
    assert.equal(after.headline, `changed at ${v.version}`);
  });

  it('never answers an older version once an update has answered, under concurrent reads', async () => {
    const read = async () => {
      const res = await send(fast, { query: GET_PROFILE, variables: { id: publicId } }, bearer(admin));
      return (JSON.parse(res.body) as { data: { getProfile: { version: number } } }).data.getProfile.version;
    };
    let version = await read();
    for (let i = 0; i < 15; i++) {
      // Reads racing the update may see either version; a read started after its answer must see the new one.
      const racing = Array.from({ length: 6 }, () => read());
      const u = await fast.gql<{ updateProfile: { version: number } }>(
        'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { version } }',
        { input: { id: publicId, expectedVersion: version, headline: `race ${i}` } },
        admin,
      );
      assert.equal(u.errors, undefined, JSON.stringify(u.errors));
      version = u.data!.updateProfile.version;
      const seen = await Promise.all([read(), read(), read()]);
      assert.deepEqual(seen, [version, version, version]);
      for (const v of await Promise.all(racing)) assert.ok(v === version || v === version - 1, `raced read saw ${v}`);
    }
  });
});
