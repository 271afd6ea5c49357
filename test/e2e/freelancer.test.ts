import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { ADMIN, startTestServer, uniqueEmail, type TestServer } from '../support/test-server.js';
import * as samples from '../support/sample-files.js';

const PASSWORD = 'a good long password';

describe('web app: a freelancer signs up and fills in a profile', () => {
  let s: TestServer;
  let e2e: E2E;
  let ctx: BrowserContext;
  let page: Page & { errors: string[] };
  const email = uniqueEmail('freelancer');
  before(async () => {
    e2e = await startBrowser(); // builds the app first: the server serves the files present when it starts
    s = await startTestServer();
    ctx = await e2e.context(s.url);
    page = await e2e.page(ctx);
  });
  after(async () => {
    assert.deepEqual(page?.errors ?? [], [], 'uncaught errors in the page');
    await e2e?.close();
    await s?.close();
  });

  it('signs up, reads the code from the mailbox, verifies and signs in (in French by default)', async () => {
    await page.goto('/');
    await page.waitForURL('**/signin');
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await checkScreen(page, 'sign-in');

    await page.getByRole('link', { name: 'Créer un compte' }).click();
    await page.getByRole('heading', { name: 'Créer un compte' }).waitFor();
    // the server's password policy, shown on the password field in French
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('short');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByText('Au moins 12 caractères.').waitFor();
    assert.equal(await page.getByLabel('Mot de passe').getAttribute('aria-invalid'), 'true');
    await checkScreen(page, 'sign-up-errors');
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();

    await page.waitForURL(/\/verify\?/);
    await page.getByText(`Nous avons envoyé un code à 6 chiffres à ${email}`).waitFor();
    await checkScreen(page, 'verify');
    await page.getByLabel('Code à 6 chiffres').fill('000000');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText('Ce code est invalide ou a expiré').waitFor();
    await page.getByLabel('Code à 6 chiffres').fill(await s.mailedCode(email));
    await page.getByRole('button', { name: 'Confirmer' }).click();

    await page.waitForURL(/\/signin\?/);
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), email);
    await page.getByLabel('Mot de passe').fill('the wrong password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Adresse e-mail ou mot de passe incorrect.').waitFor();
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { name: 'Créer mon profil' }).waitFor();
    await checkScreen(page, 'profile-create');
  });

  it('shows the server’s validation messages on the right fields, then saves the profile', async () => {
    await page.getByLabel('Prénom').fill('Camille');
    await page.getByLabel('Nom', { exact: true }).fill('Durand');
    await page.getByLabel('Identifiant public').fill('c!'); // invalid
    await page.getByLabel('Téléphone').fill('12345'); // invalid
    await page.getByLabel('Ville').fill('Lyon');
    await page.getByLabel('Pays').selectOption('FR');
    await page.getByLabel('Tarif journalier').fill('650');
    await page.getByLabel('Disponibilité').selectOption('AVAILABLE');
    // skills as chips, one of them main
    for (const skill of ['TypeScript', 'React', 'PostgreSQL']) {
      await page.getByLabel('Nouvelle compétence').fill(skill);
      await page.getByLabel('Nouvelle compétence').press('Enter');
    }
    await page.getByLabel('Niveau en TypeScript').selectOption('5');
    await page.getByRole('button', { name: 'Principale (TypeScript)' }).click();
    assert.equal(await page.getByRole('button', { name: 'Principale (TypeScript)' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Ajouter une langue' }).click();
    await page.getByRole('button', { name: 'Ajouter un lien' }).click();
    await page.getByLabel('Adresse', { exact: true }).fill('https://example.com/not-linkedin'); // a LinkedIn link elsewhere
    await page.getByRole('button', { name: 'Créer mon profil' }).click();

    const alert = page.getByRole('alert');
    await alert.getByText('Certaines valeurs ne conviennent pas').waitFor();
    const errorOf = async (label: string, exact = false) => {
      const input = page.getByLabel(label, { exact });
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `${label} is marked invalid`);
      const id = (await input.getAttribute('aria-describedby'))!.split(' ')[0]!;
      return page.locator(`[id="${id}"]`).innerText();
    };
    assert.equal(await errorOf('Identifiant public'), 'De 3 à 30 caractères parmi a-z, 0-9, - et _.');
    assert.match(await errorOf('Téléphone'), /Numéro invalide/);
    assert.equal(await errorOf('Adresse', true), 'Doit pointer vers le site de linkedin.');
    await checkScreen(page, 'profile-errors');

    await page.getByLabel('Identifiant public').fill('camille-durand');
    await page.getByLabel('Téléphone').fill('+33612345678');
    await page.getByLabel('Adresse', { exact: true }).fill('https://www.linkedin.com/in/camille');
    await page.getByRole('button', { name: 'Créer mon profil' }).click();
    await page.getByText(/^Enregistré ✓/).waitFor();
    const mine = await s.gql<{
      profileByHandle: {
        firstName: string;
        skills: { name: string; level: number; isMain: boolean }[];
        dailyRate: number;
        currency: string;
      };
    }>(
      '{ profileByHandle(handle: "camille-durand") { firstName dailyRate currency skills { name level isMain } } }',
      {},
      await s.adminToken(),
    );
    const p = mine.data!.profileByHandle;
    assert.equal(p.firstName, 'Camille');
    assert.deepEqual([p.dailyRate, p.currency], [650, 'EUR']);
    assert.deepEqual(
      p.skills.find((k) => k.name === 'TypeScript'),
      { name: 'TypeScript', level: 5, isMain: true },
    );
    await page.getByRole('heading', { name: 'Mon profil' }).waitFor();
    await checkScreen(page, 'profile-saved');
  });

  it('uploads a photo with a progress bar and shows it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-e2e-'));
    const file = path.join(dir, 'me.jpg');
    fs.writeFileSync(file, await samples.jpegWithGps(1600, 1200));
    // slow the upload down so the progress bar is seen
    await page.route('**/blobs/upload', async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await page.locator('input[type=file][accept^="image"]').setInputFiles(file);
    await page.getByRole('progressbar', { name: 'Envoi de Photo' }).waitFor();
    await page.getByText('Fichier enregistré ✓').waitFor();
    // the upload's own change of version is not taken for a change from elsewhere
    await page.waitForTimeout(300);
    assert.equal(await page.getByText('Votre profil vient d’être modifié ailleurs').count(), 0);
    const src = await page.getByRole('img', { name: 'Votre photo de profil' }).getAttribute('src');
    assert.match(src ?? '', /^http:\/\/127\.0\.0\.1:\d+\/blobs\//);
    await page.unroute('**/blobs/upload');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the session across a reload', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Mon profil' }).waitFor();
    assert.equal(await page.getByLabel('Prénom').inputValue(), 'Camille');
  });

  it('lets the user choose what to keep when the profile was changed elsewhere', async () => {
    // another session changes the headline and the city while this page still shows the old version
    const other = (await s.post('/auth/login', { email, password: PASSWORD })).body.accessToken as string;
    const current = await s.gql<{ myProfile: { id: string; version: number } }>('{ myProfile { id version } }', {}, other);
    const changed = await s.gql(
      'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { version } }',
      {
        i: {
          id: current.data!.myProfile.id,
          expectedVersion: current.data!.myProfile.version,
          headline: 'Set elsewhere',
          location: { city: 'Paris', countryCode: 'FR' },
        },
      },
      other,
    );
    assert.equal(changed.errors, undefined, JSON.stringify(changed.errors));
    // the open page hears of it at once (subscription), and nothing is overwritten behind the user's back
    await page.getByText('Votre profil vient d’être modifié ailleurs').waitFor();

    await page.getByLabel('Titre').fill('Set here');
    await page.getByLabel('Prénom').fill('Camille-Anne');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    const panel = page.getByRole('form', { name: 'Votre profil a été modifié ailleurs' });
    await panel.waitFor();
    // both sides changed the headline: both versions are shown
    await panel.getByText('Set elsewhere').waitFor();
    await panel.getByText('Set here').waitFor();
    // the city only changed elsewhere: taken without asking
    assert.equal(await page.getByLabel('Ville').inputValue(), 'Paris');
    await checkScreen(page, 'profile-conflict');
    await panel.getByRole('radio', { name: /Version enregistrée/ }).check();
    await panel.getByRole('button', { name: 'Appliquer et enregistrer' }).click();
    await page.getByText(/^Enregistré ✓/).waitFor();
    const after = await s.gql<{ myProfile: { headline: string; firstName: string; location: { city: string } } }>(
      '{ myProfile { headline firstName location { city } } }',
      {},
      other,
    );
    assert.deepEqual(after.data!.myProfile, {
      headline: 'Set elsewhere',
      firstName: 'Camille-Anne',
      location: { city: 'Paris' },
    });
  });

  it('switches to English, formats for the locale and remembers the choice', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'My profile' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.reload();
    await page.getByRole('heading', { name: 'My profile' }).waitFor();
    // dates in the English format (e.g. "22 Nov 2026, 06:10")
    await page.getByText(/^Up to date — last changed \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/).waitFor();
    await page.getByLabel('Phone').fill('nope');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Must be a valid phone number in E.164 form, e.g. +33612345678.').waitFor();
    await checkScreen(page, 'profile-english');
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { name: 'Mon profil' }).waitFor();
  });

  it('shows the account page and signs out', async () => {
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
    await checkScreen(page, 'account');
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.waitForURL('**/signin');
    await page.goto('/profile');
    await page.waitForURL(/\/signin\?next=%2Fprofile/);
  });

  it('resets a forgotten password', async () => {
    await page.goto('/signin');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
    await checkScreen(page, 'forgot-password');
    await page.getByRole('button', { name: 'Envoyer le code' }).click();
    await page.getByRole('heading', { name: 'Nouveau mot de passe' }).waitFor();
    await page.getByLabel('Code à 6 chiffres').fill(await s.mailedCode(email, /mot de passe|password/i));
    await page.getByLabel('Nouveau mot de passe').fill('another good long password');
    await checkScreen(page, 'reset-password');
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.waitForURL(/\/signin\?/);
    await page.getByLabel('Mot de passe').fill('another good long password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/profile');
  });

  it('answers unknown addresses with the app’s not-found page, and API paths with a problem', async () => {
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
    await checkScreen(page, 'not-found');
    const api = await fetch(`${s.url}/auth/nothing`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
  });

  it('an admin reads the development mailbox and finds no dead letters', async () => {
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.waitForURL('**/signin');
    await page.getByLabel('Adresse e-mail').fill(ADMIN.email);
    await page.getByLabel('Mot de passe').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/freelancers');
    await page.getByRole('link', { name: 'Boîte mail de dév.' }).click();
    await page.getByRole('heading', { name: 'Boîte mail de développement' }).waitFor();
    await page.getByLabel('Destinataire contient').fill(email);
    await page.getByRole('button', { name: /Réinitialisation de votre mot de passe/ }).click();
    await page
      .getByRole('article')
      .getByText(/\b\d{6}\b/)
      .first()
      .waitFor();
    await checkScreen(page, 'admin-mailbox');
    await page.getByRole('link', { name: 'Échecs de livraison' }).click();
    await page.getByText('Aucun échec de livraison').waitFor();
    await checkScreen(page, 'admin-dead-letters-empty');
  });
});
