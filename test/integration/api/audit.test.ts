import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../../src/modules/identity/audit-log.js';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';

const PASSWORD = 'a good long password';
const USER_AGENT = 'atelier-audit-test/1.0 (+security events)';

describe('security audit log on the running server', () => {
  let s: TestServer;
  let adminId: string;
  before(async () => {
    s = await startTestServer();
    const me = await call('GET', '/auth/me', undefined, await s.adminToken());
    adminId = String(me.body.id);
  });
  after(async () => {
    await s.close();
  });

  /** A request with a recognizable User-Agent, so that the test can find it in the audit trail. */
  const call = async (method: string, pathname: string, body?: unknown, token?: string) => {
    const res = await fetch(s.url + pathname, {
      method,
      headers: {
        'user-agent': USER_AGENT,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const login = (email: string, password: string) => call('POST', '/auth/login', { email, password });
  const audit = async (query: Record<string, string>) => {
    const res = await call('GET', `/auth/admin/audit?${new URLSearchParams(query).toString()}`, undefined, await s.adminToken());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as unknown as { items: AuditEvent[]; nextToken: string | null };
  };
  const eventsOf = async (accountId: string) => (await audit({ accountId, limit: '100' })).items;
  /**
   * The one event of this type caused by this test's requests (sent with USER_AGENT; `newUser` signs in
   * with fetch's default one), checked for where it came from.
   */
  const only = (events: AuditEvent[], type: AuditEvent['type']): AuditEvent => {
    const found = events.filter((e) => e.type === type && e.userAgent === USER_AGENT);
    assert.equal(found.length, 1, `one ${type} from this test in ${JSON.stringify(events.map((e) => [e.type, e.userAgent]))}`);
    const e = found[0]!;
    assert.equal(e.ip, '127.0.0.1');
    assert.match(e.at, /^\d{4}-\d\d-\d\dT/);
    return e;
  };

  it('records a failed then a successful sign-in, and failures on unknown addresses by e-mail', async () => {
    const u = await s.newUser();
    assert.equal((await login(u.email, 'not the password')).status, 401);
    assert.equal((await login(u.email, PASSWORD)).status, 200);
    const events = await eventsOf(u.id);
    const failed = only(events, 'sign_in_failed');
    assert.deepEqual(
      { accountId: failed.accountId, email: failed.email, actorId: failed.actorId, reason: failed.details.reason },
      { accountId: u.id, email: u.email.toLowerCase(), actorId: null, reason: 'bad_credentials' },
    );
    const succeeded = only(events, 'sign_in_succeeded');
    assert.equal(succeeded.accountId, u.id);
    assert.ok(succeeded.at >= failed.at);
    assert.deepEqual(
      events.map((e) => e.at),
      events.map((e) => e.at).sort((a, b) => b.localeCompare(a)),
      'newest first',
    );

    const ghost = uniqueEmail('Ghost');
    assert.equal((await login(`  ${ghost.toUpperCase()} `, 'whatever it is')).status, 401);
    const recent = (await audit({ limit: '20' })).items;
    const unknown = only(
      recent.filter((e) => e.email === ghost.toLowerCase()),
      'sign_in_failed',
    );
    assert.equal(unknown.accountId, null);
  });

  it('records the failure that starts a lockout, with its length', async () => {
    const u = await s.newUser();
    for (let i = 0; i < 5; i++) assert.equal((await login(u.email, 'wrong password again')).status, 401);
    const locked = only(await eventsOf(u.id), 'account_locked');
    assert.equal(locked.accountId, u.id);
    assert.equal(locked.details.lockSeconds, 1);
    assert.equal((await eventsOf(u.id)).filter((e) => e.type === 'sign_in_failed').length, 5);
  });

  it('records a replayed refresh token', async () => {
    const u = await s.newUser();
    assert.equal((await call('POST', '/auth/refresh', { refreshToken: u.refreshToken })).status, 200);
    assert.equal((await call('POST', '/auth/refresh', { refreshToken: u.refreshToken })).status, 401);
    const reused = only(await eventsOf(u.id), 'refresh_token_reused');
    assert.equal(reused.accountId, u.id);
    assert.equal(reused.details.sessionId, u.refreshToken.split('.')[0]);
  });

  it('records a password change and a sign-out everywhere by the account holder', async () => {
    const u = await s.newUser();
    const changed = await call(
      'POST',
      '/auth/change-password',
      { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
      u.token,
    );
    assert.equal(changed.status, 200);
    const everywhere = await call('POST', '/auth/logout-all', {}, String(changed.body.accessToken));
    assert.equal(everywhere.status, 200);
    const events = await eventsOf(u.id);
    const change = only(events, 'password_changed');
    assert.deepEqual([change.accountId, change.actorId], [u.id, null]);
    assert.equal(only(events, 'signed_out_everywhere').details.revokedSessions, 1);
  });

  it('records group changes and disabling by the admin, naming the admin', async () => {
    const u = await s.newUser();
    const admin = await s.adminToken();
    assert.equal((await call('PUT', `/auth/admin/users/${u.id}/groups`, { groups: ['freelancer', 'team'] }, admin)).status, 200);
    assert.equal((await call('PUT', `/auth/admin/users/${u.id}/disabled`, { disabled: true }, admin)).status, 200);
    assert.equal((await call('PUT', `/auth/admin/users/${u.id}/disabled`, { disabled: false }, admin)).status, 200);
    const events = await eventsOf(u.id);
    const groups = only(events, 'groups_changed');
    assert.deepEqual(
      [groups.accountId, groups.actorId, groups.details.groups, groups.details.previousGroups],
      [u.id, adminId, 'freelancer,team', 'freelancer'],
    );
    const disabled = only(events, 'account_disabled');
    assert.deepEqual([disabled.accountId, disabled.actorId], [u.id, adminId]);
    assert.equal(only(events, 'account_enabled').actorId, adminId);
  });

  it('is for admins only', async () => {
    const u = await s.newUser();
    const denied = await call('GET', '/auth/admin/audit', undefined, u.token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'FORBIDDEN');
    const anonymous = await call('GET', '/auth/admin/audit');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHENTICATED');
  });

  it('pages newest first without skipping or repeating, and refuses a forged token', async () => {
    const u = await s.newUser();
    for (let i = 0; i < 3; i++) await login(u.email, 'not the password');
    await login(u.email, PASSWORD);
    const all = await eventsOf(u.id);
    assert.equal(all.length, 5, JSON.stringify(all.map((e) => e.type))); // the newUser sign-in, 3 failures, 1 success
    const paged: AuditEvent[] = [];
    let nextToken: string | null = null;
    do {
      const page: { items: AuditEvent[]; nextToken: string | null } = await audit({
        accountId: u.id,
        limit: '2',
        ...(nextToken ? { nextToken } : {}),
      });
      assert.ok(page.items.length <= 2);
      paged.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(paged, all);
    const forged = await call('GET', '/auth/admin/audit?nextToken=forged', undefined, await s.adminToken());
    assert.equal(forged.status, 400);
    assert.equal(forged.body.code, 'BAD_USER_INPUT');
  });
});
