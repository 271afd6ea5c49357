import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a good long password';

describe('web app: the session', () => {
  let s: TestServer;
  let e2e: E2E;
  before(async () => {
    e2e = await startBrowser();
    // one-minute access tokens: the app refreshes 5 s after signing in (a minute early, at least 5 s from now)
    s = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '60' });
  });
  after(async () => {
    await e2e?.close();
    await s?.close();
  });

  it('signs in with the keyboard alone', async () => {
    const user = await s.newUser();
    const ctx = await e2e.context(s.url);
    const page = await e2e.page(ctx);
    await page.goto('/signin');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    // skip link first, then the header, then the form
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Aller au contenu');
    await page.keyboard.press('Enter');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.getAttribute('type'))) !== 'email'; i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/profile');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('refreshes silently, one tab at a time, and signing out in one tab signs out the others', async () => {
    const user = await s.newUser();
    const ctx = await e2e.context(s.url);
    const first = await e2e.page(ctx);
    const refreshes: number[] = [];
    ctx.on('requestfinished', (req) => {
      if (req.url().endsWith('/auth/refresh')) void req.response().then((r) => refreshes.push(r?.status() ?? 0));
    });
    await first.goto('/signin');
    await first.getByLabel('Adresse e-mail').fill(user.email);
    await first.getByLabel('Mot de passe').fill(PASSWORD);
    await first.getByRole('button', { name: 'Se connecter' }).click();
    await first.waitForURL('**/profile');
    // a second tab picks the session up from the stored refresh token
    const second = await e2e.page(ctx);
    await second.goto('/profile');
    await second.getByRole('heading', { name: 'Créer mon profil' }).waitFor();

    // both tabs refresh on their timers; serialized, no refresh token is ever replayed
    const deadline = Date.now() + 15_000;
    while (refreshes.length < 3 && Date.now() < deadline) await first.waitForTimeout(200);
    assert.ok(refreshes.length >= 3, `refreshes: ${refreshes.join(', ')}`);
    assert.ok(
      refreshes.every((r) => r === 200),
      `refreshes: ${refreshes.join(', ')}`,
    );
    // still signed in everywhere after a reload
    await first.reload();
    await first.getByRole('heading', { name: 'Créer mon profil' }).waitFor();
    await second.reload();
    await second.getByRole('heading', { name: 'Créer mon profil' }).waitFor();
    const audit = await fetch(`${s.url}/auth/admin/audit?accountId=${user.id}&limit=100`, {
      headers: { authorization: `Bearer ${await s.adminToken()}` },
    });
    const events = ((await audit.json()) as { items: { type: string }[] }).items.map((e) => e.type);
    assert.ok(!events.includes('refresh_token_reused'), events.join(', '));

    await first.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await first.waitForURL('**/signin');
    // the other tab notices at once: its next screen asks to sign in again
    await second.getByText('Votre session a pris fin').waitFor();
    await second.getByRole('link', { name: 'Mon compte' }).waitFor({ state: 'detached' });
    assert.deepEqual([...first.errors, ...second.errors], []);
    await ctx.close();
  });

  it('draws a button per configured sign-in provider and explains a failed return from one', async () => {
    const ctx = await e2e.context(s.url);
    const page = await e2e.page(ctx);
    // the provider list comes from GET /auth/providers (identity federation); stubbed here in the browser
    await page.route('**/auth/providers', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify([{ id: 'acme', label: 'Acme SSO' }]) }),
    );
    await page.goto('/signin');
    const button = page.getByRole('link', { name: 'Se connecter avec Acme SSO' });
    await button.waitFor();
    assert.equal(await button.getAttribute('href'), '/auth/oidc/acme/start?returnTo=%2Fsignin%2Fcomplete');
    await checkScreen(page, 'sign-in-providers');
    // the provider's callback came back with an error reason in the fragment
    await page.goto('/signin/complete#error=cancelled');
    await page.getByText('Vous avez annulé la connexion chez le fournisseur.').waitFor();
    assert.equal(new URL(page.url()).hash, '');
    await checkScreen(page, 'sign-in-provider-failed');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
