import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { AuditEvent } from '../../../src/modules/identity/audit-log.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const PASSWORD = 'a good long password';
const USER_AGENT = 'atelier-mfa-test/1.0';

const currentStep = () => Math.floor(Date.now() / 30_000);
/** The code an authenticator app shows during time step `step` (30 s periods since the epoch). */
const codeOfStep = (secret: string, step: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: step * 30_000,
  });
/** The code shown `steps` periods from now. */
const codeAt = (secret: string, steps = 0) => codeOfStep(secret, currentStep() + steps);

/** MFA over HTTP on a real server whose stores `env` selects (run from mfa.test.ts and mfa.dynamodb.test.ts). */
export function mfaApiSuite(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`TOTP MFA, recovery codes and the MFA policy on the running server: ${name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(await env());
    });
    after(async () => {
      await s.close();
    });

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
    const login = (email: string, password = PASSWORD) => call('POST', '/auth/login', { email, password });
    const eventsOf = async (accountId: string) => {
      const res = await call('GET', `/auth/admin/audit?accountId=${accountId}&limit=100`, undefined, await s.adminToken());
      assert.equal(res.status, 200);
      return (res.body as unknown as { items: AuditEvent[] }).items;
    };

    /** A verified account with TOTP enrolled (the confirm code is of the current step); its secret and recovery codes. */
    const enrolled = async () => {
      const u = await s.newUser();
      const setup = await call('POST', '/auth/mfa/totp/setup', {}, u.token);
      assert.equal(setup.status, 200, JSON.stringify(setup.body));
      const secret = String(setup.body.secret);
      const step = currentStep();
      const confirm = await call('POST', '/auth/mfa/totp/confirm', { code: codeOfStep(secret, step) }, u.token);
      assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
      return { ...u, secret, step, recoveryCodes: confirm.body.recoveryCodes as string[] };
    };

    it('enrols with a code from the pending secret and hands out ten distinct recovery codes once', async () => {
      const u = await s.newUser();
      const setup = await call('POST', '/auth/mfa/totp/setup', {}, u.token);
      assert.equal(setup.status, 200);
      const secret = String(setup.body.secret);
      assert.match(String(setup.body.otpauthUri), /^otpauth:\/\/totp\/Atelier:.+secret=[A-Z2-7]+/);
      let me = await call('GET', '/auth/me', undefined, u.token);
      assert.deepEqual(me.body.mfa, { enabled: false, pendingSetup: true, recoveryCodesLeft: 0, required: false });

      const wrong = await call('POST', '/auth/mfa/totp/confirm', { code: codeAt(secret, 5) }, u.token);
      assert.equal(wrong.status, 400);
      const confirm = await call('POST', '/auth/mfa/totp/confirm', { code: codeAt(secret) }, u.token);
      assert.equal(confirm.status, 200);
      const codes = confirm.body.recoveryCodes as string[];
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const c of codes) assert.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
      me = await call('GET', '/auth/me', undefined, u.token);
      assert.deepEqual(me.body.mfa, { enabled: true, pendingSetup: false, recoveryCodesLeft: 10, required: false });
      // a second enrolment while one is on is refused
      assert.equal((await call('POST', '/auth/mfa/totp/setup', {}, u.token)).status, 409);
      if (name === 'sqlite') {
        // the secret is not stored in the clear (the store's own file is easiest to read on SQLite)
        const db = await import('better-sqlite3');
        const conn = new db.default(`${s.dataDir}/identity.db`, { readonly: true });
        const row = conn.prepare('SELECT mfa_json FROM accounts WHERE id = ?').get(u.id) as { mfa_json: string };
        conn.close();
        assert.ok(!row.mfa_json.includes(secret), 'TOTP secret stored encrypted');
        assert.ok(!codes.some((c) => row.mfa_json.includes(c)), 'recovery codes stored hashed');
      }
      const events = await eventsOf(u.id);
      assert.ok(events.some((e) => e.type === 'mfa_changed' && e.details.action === 'enabled' && e.userAgent === USER_AGENT));
    });

    it('asks for the code at sign-in, accepts it once, and refuses its replay', async () => {
      const u = await enrolled();
      const first = await login(u.email);
      assert.equal(first.status, 200);
      assert.equal(first.body.mfaRequired, true);
      assert.equal(first.body.accessToken, undefined);
      const mfaToken = String(first.body.mfaToken);
      // the MFA token is no access token, nor a setup token
      assert.equal((await call('GET', '/auth/me', undefined, mfaToken)).status, 401);
      assert.equal((await call('POST', '/auth/mfa/totp/setup', {}, mfaToken)).status, 401);
      // the confirm code's step was used: it is refused now, the next step's code is accepted (window ±1)
      assert.equal((await call('POST', '/auth/login/mfa', { mfaToken, code: codeOfStep(u.secret, u.step) })).status, 401);
      const next = codeOfStep(u.secret, u.step + 1);
      const done = await call('POST', '/auth/login/mfa', { mfaToken, code: next });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal((await call('GET', '/auth/me', undefined, String(done.body.accessToken))).status, 200);
      const again = await login(u.email);
      const replay = await call('POST', '/auth/login/mfa', { mfaToken: String(again.body.mfaToken), code: next });
      assert.equal(replay.status, 401);
      const events = await eventsOf(u.id);
      const success = events.find((e) => e.type === 'sign_in_succeeded' && e.userAgent === USER_AGENT);
      assert.equal(success?.details.mfa, 'totp');
      assert.equal(success?.details.method, 'password');
      assert.ok(events.some((e) => e.type === 'sign_in_failed' && e.details.reason === 'bad_mfa_code'));
    });

    it('accepts a code once even when it is presented twice at the same moment', async () => {
      const u = await enrolled();
      const [a, b] = await Promise.all([login(u.email), login(u.email)]);
      const code = codeOfStep(u.secret, u.step + 1);
      const results = await Promise.all([a, b].map((l) => call('POST', '/auth/login/mfa', { mfaToken: l.body.mfaToken, code })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    });

    it('accepts each recovery code once', async () => {
      const u = await enrolled();
      const code = u.recoveryCodes[3]!;
      const a = await login(u.email);
      const used = await call('POST', '/auth/login/mfa', { mfaToken: a.body.mfaToken, recoveryCode: code.toUpperCase() });
      assert.equal(used.status, 200, JSON.stringify(used.body));
      const b = await login(u.email);
      assert.equal((await call('POST', '/auth/login/mfa', { mfaToken: b.body.mfaToken, recoveryCode: code })).status, 401);
      const me = await call('GET', '/auth/me', undefined, String(used.body.accessToken));
      assert.equal((me.body.mfa as { recoveryCodesLeft: number }).recoveryCodesLeft, 9);
      const events = await eventsOf(u.id);
      assert.ok(events.some((e) => e.type === 'mfa_changed' && e.details.action === 'recovery_code_used'));
      assert.ok(events.some((e) => e.type === 'sign_in_succeeded' && e.details.mfa === 'recovery_code'));
    });

    it('counts wrong codes towards the lockout', async () => {
      const u = await enrolled();
      const { body } = await login(u.email);
      const mfaToken = String(body.mfaToken);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await call('POST', '/auth/login/mfa', { mfaToken, code: '000000' })).status);
      // the 5th failure locks (1 s): the 6th attempt is not even checked
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      // the right password does not reset the count: the account is locked for the password too
      assert.equal((await login(u.email)).status, 429);
      const events = await eventsOf(u.id);
      assert.ok(events.some((e) => e.type === 'account_locked'));
      assert.equal(events.filter((e) => e.type === 'sign_in_failed' && e.details.reason === 'bad_mfa_code').length, 5);
    });

    it('counts wrong codes at the other second-factor routes towards the lockout too (a stolen session cannot guess)', async () => {
      const u = await enrolled();
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await call('POST', '/auth/mfa/recovery-codes', { code: '000000' }, u.token)).status);
      assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429]);
      // locked: even a right code is not looked at
      const right = await call('POST', '/auth/mfa/disable', { password: PASSWORD, code: u.recoveryCodes[0] }, u.token);
      assert.equal(right.status, 429);
    });

    it('regenerates recovery codes with a TOTP code, and disables MFA with the password and a code', async () => {
      const u = await enrolled();
      assert.equal((await call('POST', '/auth/mfa/recovery-codes', { code: '123456' }, u.token)).status, 400);
      assert.ok(
        (await eventsOf(u.id)).some(
          (e) => e.type === 'mfa_verification_failed' && e.details.step === 'regenerate_recovery_codes',
        ),
      );
      const regen = await call('POST', '/auth/mfa/recovery-codes', { code: codeOfStep(u.secret, u.step + 1) }, u.token);
      assert.equal(regen.status, 200);
      const fresh = regen.body.recoveryCodes as string[];
      assert.equal(fresh.length, 10);
      assert.ok(!fresh.includes(u.recoveryCodes[0]!));
      // the old codes are gone
      const a = await login(u.email);
      assert.equal(
        (await call('POST', '/auth/login/mfa', { mfaToken: a.body.mfaToken, recoveryCode: u.recoveryCodes[0] })).status,
        401,
      );

      assert.equal(
        (await call('POST', '/auth/mfa/disable', { password: 'wrong password here', code: fresh[0] }, u.token)).status,
        400,
      );
      assert.equal((await call('POST', '/auth/mfa/disable', { password: PASSWORD, code: fresh[0] }, u.token)).status, 204);
      const plain = await login(u.email);
      assert.equal(typeof plain.body.accessToken, 'string');
      const actions = (await eventsOf(u.id)).filter((e) => e.type === 'mfa_changed').map((e) => e.details.action);
      assert.ok(actions.includes('recovery_codes_regenerated'));
      assert.ok(actions.includes('disabled'));
    });

    it('forces enrolment for a group the admin policy names, with a token good for nothing else', async () => {
      const team = await s.newUserInGroups(['freelancer', 'team']);
      const teamSession = await login(team.email);
      const freelancer = await s.newUser();
      const admin = await s.adminToken();
      assert.equal((await call('PUT', '/auth/admin/mfa-policy', { requireMfaFor: ['team'] }, freelancer.token)).status, 403);
      assert.equal((await call('PUT', '/auth/admin/mfa-policy', { requireMfaFor: ['freelancer'] }, admin)).status, 400);
      const put = await call('PUT', '/auth/admin/mfa-policy', { requireMfaFor: ['team'] }, admin);
      assert.equal(put.status, 200);
      assert.deepEqual((await call('GET', '/auth/admin/mfa-policy', undefined, admin)).body, { requireMfaFor: ['team'] });
      try {
        // a session opened before the policy ends at its next refresh
        const refreshed = await call('POST', '/auth/refresh', { refreshToken: teamSession.body.refreshToken });
        assert.equal(refreshed.status, 403);
        assert.equal(refreshed.body.reason, 'mfa_setup_required');
        assert.equal(typeof (await login(freelancer.email)).body.accessToken, 'string');
        const res = await login(team.email);
        assert.equal(res.body.mfaSetupRequired, true);
        assert.equal(res.body.accessToken, undefined);
        const setupToken = String(res.body.setupToken);
        assert.equal((await call('GET', '/auth/me', undefined, setupToken)).status, 401);
        assert.equal((await s.gql('{ myProfile { id } }', {}, setupToken)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
        assert.equal((await call('POST', '/auth/mfa/recovery-codes', { code: '123456' }, setupToken)).status, 401);
        const setup = await call('POST', '/auth/mfa/totp/setup', {}, setupToken);
        assert.equal(setup.status, 200);
        const confirm = await call('POST', '/auth/mfa/totp/confirm', { code: codeAt(String(setup.body.secret)) }, setupToken);
        assert.equal(confirm.status, 200);
        assert.equal((confirm.body.recoveryCodes as string[]).length, 10);
        const tokens = confirm.body.tokens as { accessToken: string };
        const me = await call('GET', '/auth/me', undefined, tokens.accessToken);
        assert.deepEqual(me.body.mfa, { enabled: true, pendingSetup: false, recoveryCodesLeft: 10, required: true });
        // policy keeps it on
        const off = await call(
          'POST',
          '/auth/mfa/disable',
          { password: PASSWORD, code: (confirm.body.recoveryCodes as string[])[0] },
          tokens.accessToken,
        );
        assert.equal(off.status, 403);
        // from now on the team member signs in with the second factor
        assert.equal((await login(team.email)).body.mfaRequired, true);
        const adminEvents = await call('GET', '/auth/admin/audit?limit=100', undefined, admin);
        const changes = (adminEvents.body.items as AuditEvent[]).filter((e) => e.type === 'mfa_policy_changed');
        assert.ok(changes.some((e) => e.details.requireMfaFor === 'team' && e.actorId !== null && e.userAgent === USER_AGENT));
      } finally {
        await call('PUT', '/auth/admin/mfa-policy', { requireMfaFor: [] }, admin);
      }
    });
  });
}
