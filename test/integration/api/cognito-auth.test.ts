import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { startCognitoLocal, type CognitoLocal } from '../../support/cognito-local.js';
import { ADMIN, startTestServer, uniqueEmail, type GraphQLResponse, type TestServer } from '../../support/test-server.js';
import { validInput } from './profiles-api.suite.js';

const PASSWORD = 'a good long password';
const CREATE = `mutation Create($input: CreateProfileInput!) { createProfile(input: $input) { id handle email } }`;
const MINE = `query { myProfile { id handle } }`;
const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;

/** The real server with AUTH_PROVIDER=cognito against a real cognito-local, started for this file. */
describe('accounts over /auth with AUTH_PROVIDER=cognito (cognito-local)', () => {
  let c: CognitoLocal;
  let s: TestServer;
  before(async () => {
    c = await startCognitoLocal();
    // cognito-local mails nothing: the codes are read where it keeps them
    s = await startTestServer(c.env, { readCode: (email) => c.codeFor(email) });
  });
  after(async () => {
    await s?.close();
    await c?.stop();
  });

  const get = async (path: string, token?: string) => {
    const res = await fetch(s.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const put = async (path: string, body: unknown, token: string) => {
    const res = await fetch(s.url + path, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('signs up in the pool, refuses an unverified sign-in, verifies with the emitted code and signs in', async () => {
    const email = uniqueEmail('Cognito');
    const signup = await s.post('/auth/signup', { email, password: PASSWORD });
    assert.equal(signup.status, 201, JSON.stringify(signup.body));
    assert.deepEqual(signup.body.groups, ['freelancer']);
    assert.equal(signup.body.emailVerified, false);
    const sub = String(signup.body.id);
    assert.match(sub, /^[0-9a-f-]{36}$/, 'the account id is the Cognito sub');

    const again = await s.post('/auth/signup', { email: email.toUpperCase(), password: PASSWORD });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'CONFLICT');
    const bad = await s.post('/auth/signup', { email: 'nope', password: 'short' });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body.errors as { path: string }[]).map((e) => e.path).sort(), ['email', 'password']);

    const early = await s.post('/auth/login', { email, password: PASSWORD });
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'ACCOUNT_NOT_VERIFIED');

    const code = await s.mailedCode(email);
    const wrongCode = await s.post('/auth/verify', { email, code: code === '000000' ? '111111' : '000000' });
    const unknownAddress = await s.post('/auth/verify', { email: uniqueEmail('ghost'), code });
    assert.equal(wrongCode.status, 400);
    assert.deepEqual(wrongCode.body.errors, unknownAddress.body.errors, 'a wrong code and an unknown address answer alike');
    assert.equal(wrongCode.body.title, 'The code is invalid or has expired');
    assert.equal(unknownAddress.body.title, wrongCode.body.title);

    const verified = await s.post('/auth/verify', { email, code });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.emailVerified, true);
    assert.equal(verified.body.id, sub);

    const login = await s.post('/auth/login', { email, password: PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const access = decodeJwt(String(login.body.accessToken));
    assert.equal(access.token_use, 'access');
    assert.equal(access.sub, sub);
    assert.equal(access.iss, `${c.endpoint}/${c.userPoolId}`);
    assert.equal(login.body.tokenType, 'Bearer');
    assert.ok(Number(login.body.expiresIn) > 0 && Number(login.body.expiresIn) <= 15 * 60);
    const me = await get('/auth/me', String(login.body.accessToken));
    assert.deepEqual(me.body, { id: sub, email: email.toLowerCase(), groups: ['freelancer'] });
    // the ID token speaks for the same user
    const byId = await get('/auth/me', String(login.body.idToken));
    assert.deepEqual(byId.body, me.body);
  });

  it('answers a wrong password and an unknown e-mail the same way', async () => {
    const u = await s.newUser();
    const wrong = await s.post('/auth/login', { email: u.email, password: 'not the password' });
    const unknown = await s.post('/auth/login', { email: uniqueEmail('ghost'), password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.code, 'UNAUTHENTICATED');
    assert.equal(wrong.body.title, 'Incorrect e-mail or password');
  });

  it('creates and reads the caller’s profile over GraphQL with a Cognito access token, keyed by the sub', async () => {
    const u = await s.newUser();
    const created = await s.gql<{ createProfile: { id: string; handle: string } }>(CREATE, { input: validInput() }, u.token);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const mine = await s.gql<{ myProfile: { id: string } }>(MINE, {}, u.token);
    assert.equal(mine.data?.myProfile.id, created.data?.createProfile.id);
    assert.equal(codeOf(await s.gql(CREATE, { input: validInput() }, u.token)), 'CONFLICT', 'one profile per sub');
  });

  it('refreshes with the Cognito refresh token, and refuses it once signed out (RevokeToken)', async () => {
    const u = await s.newUser();
    const refreshed = await s.post('/auth/refresh', { refreshToken: u.refreshToken });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const token = String(refreshed.body.accessToken);
    assert.equal(decodeJwt(token).sub, u.id);
    assert.equal((await get('/auth/me', token)).status, 200);
    assert.equal((await s.post('/auth/logout', { refreshToken: u.refreshToken })).status, 204);
    const after = await s.post('/auth/refresh', { refreshToken: u.refreshToken });
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'UNAUTHENTICATED');
    assert.equal((await s.post('/auth/logout', { refreshToken: u.refreshToken })).status, 204, 'signing out is idempotent');
    assert.equal((await s.post('/auth/refresh', { refreshToken: 'not-a-token' })).status, 401);
  });

  it('maps cognito:groups to roles: a user the admin adds to team sees the team-only fields', async () => {
    const owner = await s.newUser();
    const created = await s.gql<{ createProfile: { id: string } }>(
      CREATE,
      { input: validInput({ visibility: 'PUBLIC' }) },
      owner.token,
    );
    const id = created.data?.createProfile.id;
    const READ = `query($id: ID!) { getProfile(id: $id) { id internalNotes } }`;
    assert.equal(codeOf(await s.gql(READ, { id }, owner.token)), 'FORBIDDEN');

    const admin = await s.adminToken();
    assert.deepEqual(decodeJwt(admin)['cognito:groups'], ['admin'], 'ADMIN_EMAIL was bootstrapped into the admin group');
    const freelancer = await s.newUser();
    assert.equal((await put(`/auth/admin/users/${freelancer.id}/groups`, { groups: ['team'] }, freelancer.token)).status, 403);
    assert.equal((await put(`/auth/admin/users/${crypto.randomUUID()}/groups`, { groups: ['team'] }, admin)).status, 404);

    const team = await s.newUserInGroups(['team']);
    assert.deepEqual(decodeJwt(team.token)['cognito:groups'], ['team']);
    const seen = await s.gql<{ getProfile: { id: string; internalNotes: string | null } }>(READ, { id }, team.token);
    assert.equal(seen.errors, undefined, JSON.stringify(seen.errors));
    assert.deepEqual(seen.data?.getProfile, { id, internalNotes: null });

    const users = await get('/auth/admin/users?limit=50', admin);
    assert.equal(users.status, 200);
    const listed = (users.body.items as { id: string; email: string; groups: string[] }[]).find((x) => x.id === team.id);
    assert.deepEqual(listed?.groups, ['team']);
    assert.equal((await get('/auth/admin/users', team.token)).status, 403);
    // admin actions go to Atelier's audit log, as with the local provider
    const audit = await get(`/auth/admin/audit?accountId=${team.id}`, admin);
    assert.ok((audit.body.items as { type: string }[]).some((e) => e.type === 'groups_changed'));
  });

  it('resets a forgotten password with the code, silently for unknown addresses, and changes a password', async () => {
    const u = await s.newUser();
    const ghost = await s.post('/auth/forgot-password', { email: uniqueEmail('ghost') });
    const real = await s.post('/auth/forgot-password', { email: u.email });
    assert.equal(real.status, 202);
    assert.deepEqual(ghost, real, 'no answer tells which addresses have an account');
    const code = await s.mailedCode(u.email);
    const weak = await s.post('/auth/reset-password', { email: u.email, code, newPassword: 'short' });
    assert.equal(weak.status, 400);
    assert.deepEqual(
      (weak.body.errors as { path: string }[]).map((e) => e.path),
      ['newPassword'],
    );
    const wrong = await s.post('/auth/reset-password', {
      email: u.email,
      code: code === '000000' ? '111111' : '000000',
      newPassword: 'another good password',
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.title, 'The code is invalid or has expired');
    const reset = await s.post('/auth/reset-password', { email: u.email, code, newPassword: 'another good password' });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
    assert.equal((await s.post('/auth/login', { email: u.email, password: PASSWORD })).status, 401);
    const login = await s.post('/auth/login', { email: u.email, password: 'another good password' });
    assert.equal(login.status, 200);
    const token = String(login.body.accessToken);

    const badCurrent = await s.post(
      '/auth/change-password',
      { currentPassword: 'not the password', newPassword: 'a third good password' },
      token,
    );
    assert.equal(badCurrent.status, 400);
    assert.deepEqual(
      (badCurrent.body.errors as { path: string }[]).map((e) => e.path),
      ['currentPassword'],
    );
    const changed = await s.post(
      '/auth/change-password',
      { currentPassword: 'another good password', newPassword: 'a third good password' },
      token,
    );
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(decodeJwt(String(changed.body.accessToken)).sub, u.id, 'a new session comes back');
    assert.equal((await s.post('/auth/login', { email: u.email, password: 'another good password' })).status, 401);
    assert.equal((await s.post('/auth/login', { email: u.email, password: 'a third good password' })).status, 200);
  });

  it('lets the admin disable and re-enable an account in the pool (AdminDisableUser / AdminEnableUser)', async () => {
    const admin = await s.adminToken();
    const u = await s.newUser();
    assert.equal((await put(`/auth/admin/users/${u.id}/disabled`, { disabled: true }, u.token)).status, 403);
    const disabled = await put(`/auth/admin/users/${u.id}/disabled`, { disabled: true }, admin);
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.disabled, true);
    // (cognito-local records the flag but still lets the user sign in; Cognito refuses: see docs/accounts.md)
    const enabled = await put(`/auth/admin/users/${u.id}/disabled`, { disabled: false }, admin);
    assert.equal(enabled.body.disabled, false);
    const audit = await get(`/auth/admin/audit?accountId=${u.id}`, admin);
    assert.deepEqual(
      (audit.body.items as { type: string }[]).map((e) => e.type).filter((t) => t.startsWith('account_')),
      ['account_enabled', 'account_disabled'],
    );
  });

  it('checks the user pool in /readyz', async () => {
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal((ready.body.checks as Record<string, string>).identity, 'ok');
  });

  it('serves the pool’s JWKS at /.well-known/jwks.json', async () => {
    const jwks = await get('/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    const u = await s.newUser();
    const kid = decodeProtectedHeader(u.token).kid;
    assert.ok((jwks.body.keys as { kid: string }[]).some((k) => k.kid === kid));
  });

  describe('refuses forged, expired and foreign tokens with UNAUTHENTICATED', () => {
    let claims: JWTPayload;
    const sign = async (payload: JWTPayload, header: { alg: string; kid?: string } = { alg: 'RS256', kid: 'CognitoLocal' }) => {
      const key = createPrivateKey(c.privateKeyPem());
      return new SignJWT(payload).setProtectedHeader(header).sign(key);
    };
    const now = () => Math.floor(Date.now() / 1000);

    before(async () => {
      const u = await s.newUser();
      claims = decodeJwt(u.token);
    });

    const refused = async (token: string, why: string) => {
      const me = await get('/auth/me', token);
      assert.equal(me.status, 401, `${why}: ${JSON.stringify(me.body)}`);
      assert.equal(me.body.code, 'UNAUTHENTICATED', why);
      assert.equal(codeOf(await s.gql(MINE, {}, token)), 'UNAUTHENTICATED', why);
    };

    it('accepts a token signed with the pool key and the right claims (the forgery below is not the reason)', async () => {
      const good = await sign({ ...claims, iat: now(), exp: now() + 300 });
      assert.equal((await get('/auth/me', good)).status, 200);
    });

    it('refuses an expired token', async () => {
      await refused(await sign({ ...claims, iat: now() - 3600, exp: now() - 60 }), 'expired');
    });

    it('refuses another issuer and another app client', async () => {
      await refused(await sign({ ...claims, iss: `${c.endpoint}/local_other`, exp: now() + 300 }), 'another pool as issuer');
      await refused(
        await sign({ ...claims, iss: `https://cognito-idp.local.amazonaws.com/${c.userPoolId}`, exp: now() + 300 }),
        'the AWS issuer instead of the endpoint',
      );
      await refused(await sign({ ...claims, client_id: 'someoneelse', exp: now() + 300 }), 'access token of another client');
      await refused(
        await sign({ ...claims, token_use: 'id', client_id: undefined, aud: 'someoneelse', exp: now() + 300 }),
        'ID token for another audience',
      );
      await refused(await sign({ ...claims, token_use: 'refresh', exp: now() + 300 }), 'not an access or ID token');
    });

    it('refuses alg none, an unknown kid and a key not in the JWKS', async () => {
      const body = Buffer.from(JSON.stringify({ ...claims, exp: now() + 300 })).toString('base64url');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
      await refused(none, 'alg none');
      await refused(await sign({ ...claims, exp: now() + 300 }, { alg: 'RS256', kid: 'unknown-kid' }), 'unknown kid');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const stranger = await new SignJWT({ ...claims, exp: now() + 300 })
        .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
        .sign(privateKey);
      await refused(stranger, 'right kid, wrong key');
      // the classic confusion: HMAC keyed with the pool's public key
      const jwks = (await get('/.well-known/jwks.json')).body.keys as JsonWebKey[];
      const publicPem = createPublicKey({ key: jwks[0] ?? {}, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const hsInput = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'CognitoLocal' })).toString('base64url')}.${body}`;
      const hs = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;
      await refused(hs, 'HS256 keyed with the public key');
    });
  });

  describe('what cognito-local lacks (Cognito itself does it): answered NOT_SUPPORTED, never a false success', () => {
    it('ResendConfirmationCode and AdminUserGlobalSignOut', async () => {
      const email = uniqueEmail('resend');
      await s.post('/auth/signup', { email, password: PASSWORD });
      const resend = await s.post('/auth/resend-code', { email });
      assert.equal(resend.status, 501);
      assert.equal(resend.body.code, 'NOT_SUPPORTED');
      const u = await s.newUser();
      const everywhere = await s.post('/auth/logout-all', {}, u.token);
      assert.equal(everywhere.status, 501);
      assert.equal(everywhere.body.code, 'NOT_SUPPORTED');
    });
  });

  it('bootstraps ADMIN_EMAIL with its password, verified and in the admin group', async () => {
    const login = await s.post('/auth/login', ADMIN);
    assert.equal(login.status, 200);
    const me = await get('/auth/me', String(login.body.accessToken));
    assert.deepEqual(me.body.groups, ['admin']);
  });
});
