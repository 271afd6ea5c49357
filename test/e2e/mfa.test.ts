import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a good long password';
const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + steps * 30_000 });

async function signInUi(page: Page, email: string) {
  await page.goto('/signin');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

describe('web app: two-factor enrolment on the account page and when the policy requires it', () => {
  let s: TestServer;
  let e2e: E2E;

  before(async () => {
    e2e = await startBrowser();
    s = await startTestServer();
  });
  after(async () => {
    await e2e?.close();
    await s?.close();
  });

  it('a user turns two-factor on, keeps the recovery codes, signs in with a code, and turns it off', async () => {
    const ctx = await e2e.context(s.url);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await e2e.page(ctx);
    const u = await s.newUser();
    await signInUi(page, u.email);
    await page.waitForURL(/\/profile$/);
    await page.goto('/account');
    await page.getByRole('button', { name: 'Activer la double authentification' }).click();
    const secret = (await page.locator('.mfa-secret').getAttribute('data-secret'))!;
    assert.match(secret, /^[A-Z2-7]+=*$/);
    await checkScreen(page, 'mfa-setup');
    // a wrong code first: a human message
    await page.getByLabel('Code à 6 chiffres').fill('000000');
    await page.getByRole('button', { name: 'Vérifier et activer' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
    await page.getByRole('button', { name: 'Vérifier et activer' }).click();
    const codes = page.getByRole('list', { name: 'Codes de secours' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    const first = (await codes.first().textContent())!.trim();
    await page.getByRole('button', { name: 'Copier les codes' }).click();
    await page.getByText('Codes copiés dans le presse-papiers ✓').waitFor();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), new RegExp(first));
    await checkScreen(page, 'mfa-recovery-codes');
    await page.getByRole('button', { name: 'J’ai mis les codes en lieu sûr' }).click();
    await page.getByText('Double authentification activée ✓').waitFor();
    await page.getByText('10 code(s) de secours restant(s).').waitFor();
    await checkScreen(page, 'account-mfa-on');

    // the next sign-in asks for a code; a recovery code works once
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).first().click();
    await page.waitForURL(/\/signin$/);
    await signInUi(page, u.email);
    await page.getByLabel('Code de double authentification').fill(first);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/profile$/);

    // turn it off with the password and a fresh code
    await page.goto('/account');
    await page.getByText('9 code(s) de secours restant(s).').waitFor();
    await page.getByLabel('Code actuel de l’application').fill(totp(secret, 1));
    await page.getByLabel('Mot de passe actuel').last().fill(PASSWORD);
    await page.getByRole('button', { name: 'Désactiver la double authentification' }).click();
    await page.getByText('Double authentification désactivée.').waitFor();
    await page.getByRole('button', { name: 'Activer la double authentification' }).waitFor();
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('a team member whose role requires two-factor sets it up right after signing in', async () => {
    const policy = await fetch(`${s.url}/auth/admin/mfa-policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.adminToken()}` },
      body: JSON.stringify({ requireMfaFor: ['team'] }),
    });
    assert.equal(policy.status, 200, await policy.text());
    const team = await s.newUserInGroups(['team']);
    const ctx = await e2e.context(s.url);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await e2e.page(ctx);
    await signInUi(page, team.email);
    await page.getByRole('heading', { name: 'Activez la double authentification' }).waitFor();
    const secret = (await page.locator('.mfa-secret').getAttribute('data-secret'))!;
    await checkScreen(page, 'mfa-forced');
    await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
    await page.getByRole('button', { name: 'Vérifier et activer' }).click();
    await page.getByRole('list', { name: 'Codes de secours' }).waitFor();
    await page.getByRole('button', { name: 'J’ai mis les codes en lieu sûr' }).click();
    await page.waitForURL(/\/freelancers$/);
    await page.goto('/account');
    await page.getByText('Votre rôle exige la double authentification').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Désactiver la double authentification' }).count(), 0);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
