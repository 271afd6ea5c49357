import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { ADMIN, startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';

describe('accounts over /auth', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  const get = async (path: string, token?: string) => {
    const res = await fetch(s.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  };
  const put = async (path: string, body: unknown, token: string) => {
    const res = await fetch(s.url + path, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('signs up a freelancer, refuses the same e-mail in another case, and reports every bad field', async () => {
    const email = uniqueEmail('Signup');
    const ok = await s.post('/auth/signup', { email, password: 'twelve chars ok' });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.groups, ['freelancer']);
    assert.equal(ok.body.passwordHash, undefined);
    const again = await s.post('/auth/signup', { email: email.toUpperCase(), password: 'twelve chars ok' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'CONFLICT');
    const bad = await s.post('/auth/signup', { email: 'nope', password: 'short' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_USER_INPUT');
    assert.deepEqual((bad.body.errors as { path: string }[]).map((e) => e.path).sort(), ['email', 'password']);
    const malformed = await fetch(`${s.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(((await malformed.json()) as { code: string }).code, 'BAD_USER_INPUT');
  });

  it('answers a wrong password and an unknown e-mail the same way', async () => {
    const u = await s.newUser();
    const wrong = await s.post('/auth/login', { email: u.email, password: 'not the password' });
    const unknown = await s.post('/auth/login', { email: uniqueEmail('ghost'), password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.code, 'UNAUTHENTICATED');
  });

  it('issues short-lived ES256 access tokens that verify against the published JWKS', async () => {
    const email = uniqueEmail();
    await s.post('/auth/signup', { email, password: 'a good long password' });
    await s.post('/auth/verify', { email, code: await s.mailedCode(email) });
    const login = await s.post('/auth/login', { email, password: 'a good long password' });
    assert.equal(login.status, 200);
    assert.equal(login.body.tokenType, 'Bearer');
    assert.equal(login.body.expiresIn, 900);
    const token = String(login.body.accessToken);
    assert.equal(decodeProtectedHeader(token).alg, 'ES256');
    const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { issuer: s.url, audience: 'atelier' });
    assert.deepEqual(payload['cognito:groups'], ['freelancer']);
    assert.equal(payload.email, email);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
    const me = await get('/auth/me', token);
    assert.deepEqual(me.body.groups, ['freelancer']);
  });

  it('refuses forged, unsigned and malformed tokens', async () => {
    const u = await s.newUser();
    const [header, payload] = u.token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const escalated = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), 'cognito:groups': ['admin'] })).toString('base64url')}.${u.token.split('.')[2]}`;
    for (const token of [none, escalated, 'garbage']) {
      const r = await get('/auth/me', token);
      assert.equal(r.status, 401, token);
      assert.equal(r.body.code, 'UNAUTHENTICATED');
    }
    assert.equal((await get('/auth/me')).status, 401);
  });

  it('rotates refresh tokens and ends the session when an old one is replayed', async () => {
    const u = await s.newUser();
    const first = await s.post('/auth/refresh', { refreshToken: u.refreshToken });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refreshToken, u.refreshToken);
    const replay = await s.post('/auth/refresh', { refreshToken: u.refreshToken });
    assert.equal(replay.status, 401);
    const afterReplay = await s.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    assert.equal(afterReplay.status, 401, 'the whole session is revoked after a replay');
  });

  it('signs out: the refresh token stops working at once', async () => {
    const u = await s.newUser();
    const out = await fetch(`${s.url}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
      body: JSON.stringify({ refreshToken: u.refreshToken }),
    });
    assert.equal(out.status, 204);
    assert.equal((await s.post('/auth/refresh', { refreshToken: u.refreshToken })).status, 401);
    assert.equal((await s.post('/auth/logout', {})).status, 401);
  });

  it('creates the admin from ADMIN_EMAIL and lets only an admin list users and change groups', async () => {
    const admin = await s.adminToken();
    assert.deepEqual((await get('/auth/me', admin)).body.groups, ['admin']);
    const u = await s.newUser();
    assert.equal((await get('/auth/admin/users', u.token)).status, 403);
    assert.equal((await put(`/auth/admin/users/${u.id}/groups`, { groups: ['team'] }, u.token)).status, 403);
    const list = await get('/auth/admin/users?limit=2', admin);
    assert.equal(list.status, 200);
    assert.equal((list.body.items as unknown[]).length, 2);
    assert.equal(typeof list.body.nextToken, 'string');
    const changed = await put(`/auth/admin/users/${u.id}/groups`, { groups: ['freelancer', 'team'] }, admin);
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.groups, ['freelancer', 'team']);
    const relogin = await s.post('/auth/login', { email: u.email, password: 'a good long password' });
    assert.deepEqual((await get('/auth/me', String(relogin.body.accessToken))).body.groups, ['freelancer', 'team']);
    assert.equal((await put(`/auth/admin/users/${u.id}/groups`, { groups: ['boss'] }, admin)).status, 400);
    assert.equal((await put(`/auth/admin/users/${crypto.randomUUID()}/groups`, { groups: ['team'] }, admin)).status, 404);
    const me = (await get('/auth/me', admin)).body.id as string;
    assert.equal((await put(`/auth/admin/users/${me}/groups`, { groups: ['team'] }, admin)).status, 400);
    assert.equal(ADMIN.email.length > 0, true);
  });
});
