import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { startFaultySmtp, type FaultySmtp } from '../support/faulty-peers.js';
import { ADMIN, startTestServer, uniqueEmail, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a good long password';
const UPDATE = 'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { id version } }';

async function signInUi(page: Page, email: string, password: string, landing: RegExp) {
  await page.goto('/signin');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(landing);
}

describe('web app: the team finds freelancers live, an admin manages users and dead letters', () => {
  let s: TestServer;
  let e2e: E2E;
  let smtp: FaultySmtp;
  let ctx: BrowserContext;
  let page: Page & { errors: string[] };
  const bouncing = uniqueEmail('bouncing').toLowerCase();
  let freelancer: { id: string; email: string; token: string; profileId: string; version: number };

  before(async () => {
    e2e = await startBrowser();
    // mail goes to an SMTP peer that refuses one address for good: its verification e-mail becomes a dead letter
    smtp = await startFaultySmtp({ refuseRate: 0, hangRate: 0, blackholes: [bouncing], seed: 1 });
    s = await startTestServer(
      { MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url },
      { readCode: (email) => /\b(\d{6})\b/.exec(smtp.accepted.find((m) => m.to.includes(email))?.text ?? '')?.[1] ?? null },
    );
    const u = await s.newUser();
    const created = await s.gql<{ createProfile: { id: string; version: number } }>(
      'mutation($i: CreateProfileInput!) { createProfile(input: $i) { id version } }',
      {
        i: {
          handle: `elixir-${Date.now().toString(36)}`,
          firstName: 'Alix',
          lastName: 'Martin',
          email: u.email,
          headline: 'Elixir and Phoenix developer',
          location: { city: 'Nantes', countryCode: 'FR' },
          remote: 'REMOTE',
          dailyRate: 550,
          currency: 'EUR',
          availability: { status: 'AVAILABLE' },
          skills: [
            { name: 'Elixir', level: 5, isMain: true },
            { name: 'Phoenix', level: 4 },
          ],
          links: [{ type: 'GITHUB', url: 'https://github.com/alix' }],
        },
      },
      u.token,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    freelancer = { ...u, profileId: created.data!.createProfile.id, version: created.data!.createProfile.version };
    ctx = await e2e.context(s.url);
    page = await e2e.page(ctx);
  });
  after(async () => {
    assert.deepEqual(page?.errors ?? [], [], 'uncaught errors in the page');
    await e2e?.close();
    await s?.close();
    await smtp?.stop();
  });

  it('a team member finds a freelancer by skill and sees a change arrive live', async () => {
    const team = await s.newUserInGroups(['team']);
    await signInUi(page, team.email, PASSWORD, /\/freelancers$/);
    await page.getByRole('heading', { name: 'Freelances' }).waitFor();
    await checkScreen(page, 'freelancers');

    await page.getByRole('textbox', { name: 'Compétences' }).fill('elixir');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(/skills=elixir/);
    const card = page.getByRole('article', { name: 'Alix Martin' });
    await card.waitFor();
    await card.getByText('550 €').waitFor();
    await page.getByText('Mises à jour en direct').waitFor();

    // the freelancer changes their headline elsewhere: the card shows it without a reload
    const r = await s.gql(
      UPDATE,
      { i: { id: freelancer.profileId, expectedVersion: freelancer.version, headline: 'Elixir, Phoenix and LiveView' } },
      freelancer.token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    freelancer.version += 1;
    await card.getByText('Elixir, Phoenix and LiveView').waitFor();
    await card.getByText('Mis à jour').waitFor();
    await checkScreen(page, 'freelancers-live');

    await page.getByRole('textbox', { name: 'Compétences' }).fill('cobol');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('Aucun profil ne correspond').waitFor();
    await checkScreen(page, 'freelancers-empty');
  });

  it('the team edits internal notes, rating and tags in place on the profile page', async () => {
    await page.goto('/freelancers?skills=elixir');
    await page.getByRole('link', { name: 'Alix Martin' }).click();
    await page.getByRole('heading', { name: 'Alix Martin' }).waitFor();
    await page.getByRole('textbox', { name: 'Notes' }).fill('Great on distributed systems.');
    await page.getByRole('button', { name: 'Enregistrer les notes' }).click();
    await page.getByText('Enregistré ✓').waitFor();
    await page.locator('label', { has: page.getByText('4 étoile(s) sur 5') }).click();
    assert.ok(await page.getByRole('radio', { name: '4 étoile(s) sur 5' }).isChecked());
    await page.getByLabel('Nouvelle étiquette').fill('backend');
    await page.getByLabel('Nouvelle étiquette').press('Enter');
    await page.getByRole('button', { name: 'Retirer l’étiquette backend' }).waitFor();
    const saved = await s.gql<{ getProfile: { internalNotes: string; internalRating: number; tags: string[]; version: number } }>(
      'query($id: ID!) { getProfile(id: $id) { internalNotes internalRating tags version } }',
      { id: freelancer.profileId },
      await s.adminToken(),
    );
    assert.deepEqual(
      { ...saved.data!.getProfile, version: undefined },
      { internalNotes: 'Great on distributed systems.', internalRating: 4, tags: ['backend'], version: undefined },
    );
    // the page's own saves are not announced as changes from elsewhere…
    assert.equal(await page.getByText('Ce profil vient d’être mis à jour').count(), 0);
    // …but another session's change is, and shows at once
    const r = await s.gql(
      UPDATE,
      { i: { id: freelancer.profileId, expectedVersion: saved.data!.getProfile.version, bio: 'Ten years of BEAM.' } },
      freelancer.token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    await page.getByText('Ten years of BEAM.').waitFor();
    await page.getByText('Ce profil vient d’être mis à jour').waitFor();
    await checkScreen(page, 'freelancer-page');
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.waitForURL('**/signin');
  });

  it('an admin changes a user’s groups and sees the dead letters', async () => {
    assert.equal((await s.post('/auth/signup', { email: bouncing, password: PASSWORD })).status, 201);
    const someone = await s.newUser();
    await signInUi(page, ADMIN.email, ADMIN.password, /\/freelancers$/);
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByRole('heading', { name: 'Utilisateurs' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(someone.email) });
    await row.getByRole('checkbox', { name: 'Équipe' }).check();
    await row.getByRole('button', { name: 'Enregistrer' }).click();
    await row.getByText('Rôles enregistrés ✓').waitFor();
    const me = (await (
      await fetch(`${s.url}/auth/admin/users?limit=100`, { headers: { authorization: `Bearer ${await s.adminToken()}` } })
    ).json()) as {
      items: { id: string; groups: string[] }[];
    };
    assert.deepEqual(me.items.find((a) => a.id === someone.id)?.groups.sort(), ['freelancer', 'team']);
    // removing one's own admin group is refused with a human message on the field
    const mine = page.getByRole('row', { name: new RegExp(ADMIN.email) });
    await mine.getByRole('checkbox', { name: 'Équipe' }).check();
    await mine.getByRole('checkbox', { name: 'Administration' }).uncheck();
    await mine.getByRole('button', { name: 'Enregistrer' }).click();
    await mine.getByText('Vous retireriez vos propres droits d’administration.').waitFor();
    await checkScreen(page, 'admin-users');

    await page.getByRole('link', { name: 'Échecs de livraison' }).click();
    await page.getByRole('heading', { name: 'Échecs de livraison' }).waitFor();
    // the refused verification e-mail is dead after its retries
    const deadline = Date.now() + 15_000;
    while (!(await page.getByText('mail-account-code').count())) {
      assert.ok(Date.now() < deadline, 'no dead letter shown');
      await page.waitForTimeout(300);
      await page.reload();
      await page.getByRole('heading', { name: 'Échecs de livraison' }).waitFor();
    }
    await checkScreen(page, 'admin-dead-letters');
    await page.getByRole('button', { name: 'Abandonner' }).first().click();
    await page.getByText('Livraison à mail-account-code abandonnée.').waitFor();

    // this server sends real mail: the development mailbox says it is not available
    await page.getByRole('link', { name: 'Boîte mail de dév.' }).click();
    await page.getByText('Boîte mail indisponible').waitFor();
    await checkScreen(page, 'admin-mailbox-unavailable');
  });
});
