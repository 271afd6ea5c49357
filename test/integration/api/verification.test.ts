import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';

const PASSWORD = 'a good long password';

describe('e-mail verification and password reset', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ AUTH_CODE_RESEND_INTERVAL_MS: '0' });
  });
  after(async () => {
    await s.close();
  });

  it('mails a 6-digit code at sign-up (in French by default) and refuses sign-in until it is used', async () => {
    const email = uniqueEmail('verify');
    assert.equal((await s.post('/auth/signup', { email, password: PASSWORD })).status, 201);
    const code = await s.mailedCode(email);
    assert.match(code, /^\d{6}$/);
    const [mail] = await s.mailTo(email);
    assert.match(mail!.subject, /code|vérification|confirm/i);
    const early = await s.post('/auth/login', { email, password: PASSWORD });
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'ACCOUNT_NOT_VERIFIED');
    const wrongPassword = await s.post('/auth/login', { email, password: 'not the password at all' });
    assert.equal(wrongPassword.status, 401, 'an unverified account reveals nothing to a wrong password');
    const wrong = await s.post('/auth/verify', { email, code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 'BAD_USER_INPUT');
    const ok = await s.post('/auth/verify', { email, code });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.emailVerified, true);
    assert.equal((await s.post('/auth/login', { email, password: PASSWORD })).status, 200);
  });

  it('writes in English for an English sign-up', async () => {
    const email = uniqueEmail('english');
    await s.post('/auth/signup', { email, password: PASSWORD, locale: 'en' });
    await s.mailedCode(email);
    const [mail] = await s.mailTo(email);
    const message = (await (await fetch(`${s.url}/dev/mailbox/api/messages/${mail!.id}`)).json()) as {
      text: string;
      subject: string;
    };
    assert.match(`${message.subject} ${message.text}`, /code|verify|confirm/i);
    assert.doesNotMatch(message.subject, /vérification/i);
  });

  it('kills a code after five wrong guesses, and a resent code works', async () => {
    const email = uniqueEmail('guess');
    await s.post('/auth/signup', { email, password: PASSWORD });
    const code = await s.mailedCode(email);
    const wrongCode = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) assert.equal((await s.post('/auth/verify', { email, code: wrongCode })).status, 400);
    assert.equal((await s.post('/auth/verify', { email, code })).status, 400, 'the right code no longer works');
    const resend = await s.post('/auth/resend-code', { email });
    assert.equal(resend.status, 202);
    let fresh = code;
    const deadline = Date.now() + 10_000;
    while ((await s.mailTo(email)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    fresh = await s.mailedCode(email);
    assert.equal((await s.post('/auth/verify', { email, code: fresh })).status, 200);
  });

  it('answers resend and forgot-password the same way for unknown addresses', async () => {
    const ghost = uniqueEmail('ghost');
    const a = await s.post('/auth/resend-code', { email: ghost });
    const b = await s.post('/auth/forgot-password', { email: ghost });
    assert.deepEqual([a.status, a.body], [202, { status: 'accepted' }]);
    assert.deepEqual([b.status, b.body], [202, { status: 'accepted' }]);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await s.mailTo(ghost), []);
  });

  it('resets a password with a mailed code, once, and signs the account out everywhere', async () => {
    const u = await s.newUser();
    assert.equal((await s.post('/auth/forgot-password', { email: u.email })).status, 202);
    const code = await s.mailedCode(u.email, /passe|password/i);
    const weak = await s.post('/auth/reset-password', { email: u.email, code, newPassword: 'short' });
    assert.equal(weak.status, 400);
    const reset = await fetch(`${s.url}/auth/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, code, newPassword: 'a brand new passphrase' }),
    });
    assert.equal(reset.status, 204);
    assert.equal((await s.post('/auth/refresh', { refreshToken: u.refreshToken })).status, 401, 'sessions revoked');
    assert.equal((await s.post('/auth/login', { email: u.email, password: PASSWORD })).status, 401);
    assert.equal((await s.post('/auth/login', { email: u.email, password: 'a brand new passphrase' })).status, 200);
    const again = await s.post('/auth/reset-password', { email: u.email, code, newPassword: 'yet another passphrase' });
    assert.equal(again.status, 400, 'a reset code is single use');
  });
});

describe('rate limits on the routes that send e-mail', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ AUTH_MAIL_RATE_LIMIT: '3' });
  });
  after(async () => {
    await s.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After past the per-IP budget', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${s.url}/auth/resend-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail() }),
      });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [202, 202, 202, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.equal(((await last!.json()) as { code: string }).code, 'RATE_LIMITED');
  });
});

describe('rate limits on every /auth route', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ AUTH_RATE_LIMIT: '5' });
  });
  after(async () => {
    await s.close();
  });

  it('answers 429 past the per-IP budget on sign-in attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await s.post('/auth/login', { email: uniqueEmail(), password: 'whatever it is now' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });
});
