import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { startOidcPeer, type OidcPeer } from '../support/oidc-peer.js';
import { startTestServer, uniqueEmail, type TestServer } from '../support/test-server.js';

const CLIENT_ID = 'atelier-web-e2e';
const CLIENT_SECRET = 'a client secret for the web e2e tests';

/** The code an authenticator app shows `steps` periods from now. */
const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

describe('web app: "sign in with …" and two-factor codes', () => {
  let s: TestServer;
  let e2e: E2E;
  let peer: OidcPeer;
  before(async () => {
    e2e = await startBrowser();
    const peerPort = await freePort();
    s = await startTestServer({
      OIDC_PROVIDERS: 'acme',
      OIDC_ACME_ISSUER: `http://127.0.0.1:${peerPort}`,
      OIDC_ACME_CLIENT_ID: CLIENT_ID,
      OIDC_ACME_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ACME_LABEL: 'Acme ID',
    });
    peer = await startOidcPeer({
      port: peerPort,
      redirectUri: `${s.url}/auth/oidc/acme/callback`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
  });
  after(async () => {
    await e2e?.close();
    await peer?.close();
    await s?.close();
  });

  it('signs a new freelancer in through a real OpenID Connect provider', async () => {
    const email = uniqueEmail('federated').toLowerCase();
    const subject = `sub-${crypto.randomUUID()}`;
    peer.accounts.set(subject, { email, email_verified: true });
    const ctx = await e2e.context(s.url);
    const page = await e2e.page(ctx);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Se connecter avec Acme ID' }).click();
    // the provider's own (development) login and consent pages
    for (let hop = 0; hop < 5 && new URL(page.url()).origin !== s.url; hop++) {
      await page.locator('form button, form [type=submit]').first().waitFor();
      const login = page.locator('input[name=login]');
      if (await login.count()) {
        await login.fill(subject);
        await page.locator('input[name=password]').fill('anything');
      }
      await Promise.all([page.waitForNavigation(), page.locator('form button, form [type=submit]').first().click()]);
    }
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { name: 'Créer mon profil' }).waitFor();
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), email);
    assert.equal(new URL(page.url()).hash, '', 'the one-time code does not stay in the address');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('asks for the two-factor code after the password, and accepts it', async () => {
    const user = await s.newUser();
    const setup = await s.post('/auth/mfa/totp/setup', {}, user.token);
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    const secret = String(setup.body.secret);
    const confirm = await s.post('/auth/mfa/totp/confirm', { code: totp(secret) }, user.token);
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));

    const ctx = await e2e.context(s.url);
    const page = await e2e.page(ctx);
    await page.goto('/signin');
    await page.getByLabel('Adresse e-mail').fill(user.email);
    await page.getByLabel('Mot de passe').fill('a good long password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const code = page.getByLabel('Code de double authentification');
    await code.waitFor();
    await checkScreen(page, 'sign-in-mfa');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').getByText('Ce code est faux ou a déjà servi').waitFor();
    // the next period's code (the current one was spent on enrolment; one step of tolerance either side)
    await code.fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/profile');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
