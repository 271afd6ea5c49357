import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';

const PASSWORD = 'a good long password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('account security on the running server', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  const me = async (token: string) => (await fetch(`${s.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const login = (email: string, password: string) => s.post('/auth/login', { email, password });

  it('refuses common passwords and the e-mail as password at sign-up', async () => {
    const common = await s.post('/auth/signup', { email: uniqueEmail(), password: 'qwerty123456' });
    assert.equal(common.status, 400);
    assert.match(JSON.stringify(common.body.errors), /common/);
    const email = uniqueEmail('same');
    const same = await s.post('/auth/signup', { email, password: email });
    assert.equal(same.status, 400);
    assert.match(JSON.stringify(same.body.errors), /e-mail/);
  });

  it('refuses the access token of a signed-out session at once, not at its expiry', async () => {
    const u = await s.newUser();
    assert.equal(await me(u.token), 200);
    const out = await fetch(`${s.url}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
      body: JSON.stringify({}),
    });
    assert.equal(out.status, 204);
    assert.equal(await me(u.token), 401);
    assert.equal((await s.post('/auth/refresh', { refreshToken: u.refreshToken })).status, 401);
  });

  it('signs out everywhere, and a password change does too while keeping the caller signed in', async () => {
    const u = await s.newUser();
    const other = (await login(u.email, PASSWORD)).body as { accessToken: string; refreshToken: string };
    const everywhere = await s.post('/auth/logout-all', {}, u.token);
    assert.deepEqual(everywhere.body, { revokedSessions: 2 });
    assert.equal(await me(u.token), 401);
    assert.equal(await me(other.accessToken), 401);

    const fresh = (await login(u.email, PASSWORD)).body as { accessToken: string };
    const second = (await login(u.email, PASSWORD)).body as { accessToken: string };
    assert.equal(
      (
        await s.post(
          '/auth/change-password',
          { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
          fresh.accessToken,
        )
      ).status,
      400,
    );
    assert.equal(
      (await s.post('/auth/change-password', { currentPassword: PASSWORD, newPassword: '1qaz2wsx3edc' }, fresh.accessToken))
        .status,
      400,
    );
    const changed = await s.post(
      '/auth/change-password',
      { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
      fresh.accessToken,
    );
    assert.equal(changed.status, 200);
    assert.equal(await me(fresh.accessToken), 401, 'the old session ended');
    assert.equal(await me(second.accessToken), 401, 'every session ended');
    assert.equal(await me(String(changed.body.accessToken)), 200, 'the caller goes on with a new session');
    assert.equal((await login(u.email, PASSWORD)).status, 401);
  });

  it('lets an admin disable an account, which ends its sessions at once', async () => {
    const u = await s.newUser();
    const admin = await s.adminToken();
    const res = await fetch(`${s.url}/auth/admin/users/${u.id}/disabled`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ disabled: true }),
    });
    assert.equal(res.status, 200);
    assert.equal(await me(u.token), 401);
    assert.equal((await login(u.email, PASSWORD)).status, 401);
    await fetch(`${s.url}/auth/admin/users/${u.id}/disabled`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ disabled: false }),
    });
    assert.equal((await login(u.email, PASSWORD)).status, 200);
    const denied = await fetch(`${s.url}/auth/admin/users/${u.id}/disabled`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
      body: JSON.stringify({ disabled: true }),
    });
    assert.equal(denied.status, 401, 'a revoked token is not even an identity');
  });

  it('locks out as Cognito does: 1 s at the 5th failure, doubling, not extended by attempts, reset by a success', async () => {
    const u = await s.newUser();
    const unknown = uniqueEmail('nobody');
    for (const email of [u.email, unknown]) {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await login(email, 'wrong password again')).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401], email);
      const locked = await login(email, email === u.email ? PASSWORD : 'wrong password again');
      assert.equal(locked.status, 429, 'even the right password waits for the lock');
      assert.equal(locked.body.code, 'RATE_LIMITED');
      assert.equal(locked.body.retryAfterSeconds, 1);
      await sleep(1_100);
      assert.equal((await login(email, 'wrong password again')).status, 401, 'the 6th failure');
      const twoSeconds = await login(email, 'wrong password again');
      assert.equal(twoSeconds.body.retryAfterSeconds, 2, 'the lock doubled');
      await sleep(600);
      const during = await login(email, 'wrong password again');
      assert.equal(during.body.retryAfterSeconds, 2, 'an attempt during the lock does not extend it (1.4 s left)');
      await sleep(1_500);
    }
    assert.equal((await login(u.email, PASSWORD)).status, 200, 'the right password after the lock');
    assert.equal((await login(u.email, 'wrong password again')).status, 401, 'the success reset the count');
  });
});

describe('no account enumeration by timing', () => {
  let s: TestServer;
  before(async () => {
    // a realistic KDF cost, so that the comparison is about the work done, not noise
    s = await startTestServer({ PASSWORD_HASH_COST: '14' });
  });
  after(async () => {
    await s.close();
  });

  it('answers an unknown e-mail and a wrong password alike, within 10% in median over 200 tries', async () => {
    const users = [];
    for (let i = 0; i < 50; i++) users.push(await s.newUser());
    const time = async (email: string) => {
      const t = process.hrtime.bigint();
      const r = await s.post('/auth/login', { email, password: 'definitely not it' });
      assert.equal(r.status, 401);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // interleaved, four tries per account (under the lockout threshold)
    for (let round = 0; round < 4; round++) {
      for (const u of users) {
        known.push(await time(u.email));
        unknown.push(await time(uniqueEmail('ghost')));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [mk, mu] = [median(known), median(unknown)];
    const gap = Math.abs(mk - mu) / Math.max(mk, mu);
    assert.ok(
      gap <= 0.1,
      `medians ${mk.toFixed(2)} ms (wrong password) vs ${mu.toFixed(2)} ms (unknown): ${(gap * 100).toFixed(1)}% apart`,
    );
  });
});

describe('client addresses', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ AUTH_RATE_LIMIT: '3' });
  });
  after(async () => {
    await s.close();
  });

  it('ignores X-Forwarded-For unless proxies are configured, so per-IP limits cannot be dodged', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${s.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ email: uniqueEmail(), password: 'whatever it is now' }),
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});
