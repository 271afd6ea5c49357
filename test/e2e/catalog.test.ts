import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { checkScreen, startBrowser, type E2E } from '../support/browser.js';
import { png } from '../support/sample-files.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a good long password';

async function signInUi(page: Page, email: string, password: string, landing: RegExp) {
  await page.goto('/signin');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(landing);
}

async function signOutUi(page: Page) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/signin$/);
}

/**
 * A catalog of `rows` kitchen products, with three rows the import rejects (no name, a bad price, a repeated sku)
 * and one whose name holds markup.
 */
function catalogCsv(rows: number, imageBase: string): string {
  const lines = ['sku,nom,marque,prix,catégorie,stock,description,image,couleur'];
  const brands = ['Cristel', 'Tefal', 'de Buyer'];
  for (let i = 1; i <= rows; i++) {
    const brand = brands[i % 3]!;
    const kind = i % 2 === 0 ? 'Casserole inox' : 'Poêle acier';
    lines.push(
      [
        `CAT-${i}`,
        `${kind} ${16 + (i % 12)} cm n°${i}`,
        brand,
        (19.9 + (i % 50)).toFixed(2),
        i % 2 === 0 ? 'Maison > Cuisine > Casseroles' : 'Maison > Cuisine > Poêles',
        String(i % 7),
        `Une ${kind.toLowerCase()} solide et compatible induction.`,
        i === 2 ? `${imageBase}/a.png|${imageBase}/b.png` : '',
        i % 2 === 0 ? 'argent' : 'noir',
      ].join(','),
    );
  }
  lines.push('BAD-1,,Tefal,12.00,Maison > Cuisine,1,,,');
  lines.push('BAD-2,Poêle sans prix valable,Tefal,douze euros,Maison > Cuisine,1,,,');
  lines.push('CAT-1,Poêle en double,Tefal,10.00,Maison > Cuisine,1,,,');
  // markup in a partner's data is text, never HTML
  lines.push('XSS-1,Casserole <img src=x onerror=alert(1)> <b>gras</b>,Tefal,15.00,Maison > Cuisine,1,,,');
  return lines.join('\n') + '\n';
}

describe('web app: partners, catalog imports, search and API keys', () => {
  let s: TestServer;
  let e2e: E2E;
  let ctx: BrowserContext;
  let page: Page & { errors: string[] };
  let images: http.Server;
  let imageBase = '';
  let partnerUser: { id: string; email: string };

  before(async () => {
    e2e = await startBrowser();
    s = await startTestServer();
    // the product images live on another site, as partners' images do
    const picture = await png(600, 600);
    images = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(picture));
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    ctx = await e2e.context(s.url);
    page = await e2e.page(ctx);
    const u = await s.newUser();
    partnerUser = { id: u.id, email: u.email };
  });
  after(async () => {
    assert.deepEqual(page?.errors ?? [], [], 'uncaught errors in the page');
    await e2e?.close();
    await s?.close();
    await new Promise((r) => images?.close(r));
  });

  it('an admin creates a partner and makes a partner account its member', async () => {
    await signInUi(page, ADMIN.email, ADMIN.password, /\/freelancers$/);
    // the partner role, on the existing users screen
    await page.goto('/admin/users');
    const row = page.getByRole('row', { name: new RegExp(partnerUser.email) });
    await row.getByRole('checkbox', { name: 'Partenaire' }).check();
    await row.getByRole('button', { name: 'Enregistrer' }).click();
    await row.getByText('Rôles enregistrés ✓').waitFor();

    await page.getByRole('link', { name: 'Partenaires' }).click();
    await page.getByRole('heading', { name: 'Partenaires', level: 1 }).waitFor();
    await page.getByText('Aucun partenaire', { exact: true }).waitFor();
    await checkScreen(page, 'partners-empty');
    await page.getByRole('button', { name: 'Nouveau partenaire' }).click();
    // the server's messages land on the fields
    await page.getByLabel('Nom', { exact: true }).fill('Maison Dupont');
    await page.getByLabel('Identifiant').fill('Maison Dupont');
    await page.getByLabel('E-mail de contact').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Créer le partenaire' }).click();
    await page.getByRole('alert').filter({ hasText: 'corrigez les champs signalés' }).waitFor();
    assert.equal(await page.getByLabel('Identifiant').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Identifiant').fill('maison-dupont');
    await page.getByLabel('E-mail de contact').fill('catalogue@dupont.test');
    await page.getByRole('button', { name: 'Créer le partenaire' }).click();
    await page.getByText('Partenaire « Maison Dupont » créé ✓').waitFor();

    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Maison Dupont' }) });
    await card.getByText('Aucun membre pour l’instant', { exact: false }).waitFor();
    await card.getByLabel('Compte partenaire pour Maison Dupont').selectOption({ label: partnerUser.email });
    await card.getByRole('button', { name: 'Ajouter comme membre' }).click();
    await card.getByText(`${partnerUser.email} est maintenant membre de Maison Dupont ✓`).waitFor();
    await card.getByText(`Actuellement : ${partnerUser.email}`).waitFor();
    await checkScreen(page, 'partners');

    // edit the contact address in place
    await card.getByRole('button', { name: 'Modifier Maison Dupont' }).click();
    await card.getByLabel('E-mail de contact').fill('achats@dupont.test');
    await card.getByRole('button', { name: 'Enregistrer' }).click();
    await card.getByText(/achats@dupont\.test/).waitFor();

    // the team and admins choose the partner whose imports they look at
    const other = await fetch(`${s.url}/api/v1/partners`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.adminToken()}` },
      body: JSON.stringify({ slug: 'autre-boutique', name: 'Autre Boutique', contactEmail: 'autre@boutique.test' }),
    });
    assert.equal(other.status, 201, await other.text());
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.getByText('Choisissez un partenaire').waitFor();
    await page.getByLabel('Partenaire', { exact: true }).selectOption({ label: 'Maison Dupont' });
    await page.waitForURL(/\/imports\?partner=/);
    await page.getByText('Aucun import pour l’instant').waitFor();
    await signOutUi(page);
  });

  it('the partner drops a CSV catalog, watches the progress and reads the report with its rejected rows', async () => {
    await signInUi(page, partnerUser.email, PASSWORD, /\/imports$/);
    await page.getByRole('heading', { name: 'Imports de catalogue' }).waitFor();
    await page.getByText('Aucun import pour l’instant').waitFor();
    await checkScreen(page, 'imports-empty');

    // remember every value the progress bar takes
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress[aria-label="Progression de l’import"]');
        if (bar && seen[seen.length - 1] !== bar.getAttribute('value')) seen.push(bar.getAttribute('value') ?? '');
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });

    const csv = catalogCsv(6000, imageBase);
    // drag and drop: a real DataTransfer with the file, dropped on the zone
    await page.getByTestId('dropzone').evaluate((zone, text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'catalogue-dupont.csv', { type: 'text/csv' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);
    await page.getByText(/Fichier : catalogue-dupont\.csv/).waitFor();
    await page.getByRole('button', { name: 'Lancer l’import' }).click();

    const report = page.getByRole('region', { name: 'Import de catalogue-dupont.csv' });
    await report
      .getByText('Import terminé.')
      .waitFor({ timeout: 60_000 })
      .catch(async (err: unknown) => {
        await page.screenshot({ path: 'test-results/screenshots/debug.png', fullPage: true });
        throw err;
      });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    assert.ok(seen.length >= 1, 'the progress bar was shown');
    assert.ok(
      seen.every((v, i) => i === 0 || Number(v) >= Number(seen[i - 1])),
      `progress never goes back: ${seen.join(',')}`,
    );
    const count = async (label: string) =>
      (await report.getByText(label, { exact: true }).locator('xpath=following-sibling::dd').textContent())?.replace(/\s/g, '');
    assert.equal(await count('Créés'), '6001');
    assert.equal(await count('Rejetés'), '3');

    const rejected = report.getByRole('table', { name: 'Lignes rejetées' });
    await rejected.waitFor();
    assert.equal(await rejected.getByRole('row').count(), 4);
    await rejected.getByRole('cell', { name: 'Référence en double (déjà ligne 2).' }).waitFor();
    await rejected.getByRole('cell', { name: 'Le nom manque.' }).waitFor();
    await checkScreen(page, 'import-report');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      report.getByRole('button', { name: 'Télécharger errors.csv' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'errors-catalogue-dupont.csv');
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'line,column,reason');
    assert.equal(lines.length, 4, text);
    assert.match(text, /"6002"/);

    // the history lists it; the saved mapping is empty until the partner saves one
    const history = page.getByRole('table', { name: 'Historique des imports' });
    await history.getByRole('cell', { name: 'Réussi' }).waitFor();
    await page.getByText('Aucune correspondance enregistrée').waitFor();
    await page.getByRole('button', { name: 'Ajouter une colonne' }).click();
    await page.getByLabel('En-tête du fichier').fill('couleur');
    await page.getByRole('button', { name: 'Enregistrer la correspondance' }).click();
    await page.getByText(/Correspondance enregistrée/).waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('En-tête du fichier').inputValue(), 'couleur');
    assert.equal(await page.getByRole('combobox', { name: /^Champ/ }).inputValue(), 'attribute');

    // a file without a name column fails with a human sentence, nothing changed
    await page.locator('#catalog-file').setInputFiles({
      name: 'sans-nom.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('sku,prix\nA-1,10.00\nA-2,11.00\n'),
    });
    await page.getByRole('button', { name: 'Lancer l’import' }).click();
    await page
      .getByRole('region', { name: 'Import de sans-nom.csv' })
      .getByText('Le fichier n’a pas de colonne reconnue pour la référence (sku) ou le nom', { exact: false })
      .waitFor({ timeout: 30_000 });
    await checkScreen(page, 'import-failed');
    await signOutUi(page);
  });

  it('a signed-in user finds products despite a typo, narrows by brand and opens a product page', async () => {
    const shopper = await s.newUser();
    await signInUi(page, shopper.email, PASSWORD, /\/profile$/);
    await page.getByRole('link', { name: 'Catalogue' }).click();
    await page.getByRole('heading', { name: 'Catalogue', level: 1 }).waitFor();
    const box = page.getByRole('searchbox', { name: 'Rechercher un produit' });
    // instant results: no button to press
    await box.pressSequentially('casserolle', { delay: 30 });
    await page.waitForURL(/q=casserolle/);
    const status = page.locator('.results__count');
    await status.filter({ hasText: /3\s?001 produit/ }).waitFor({ timeout: 20_000 });
    // the match is highlighted, as text (the server's markup is never injected)
    const first = page.locator('.product-card').first();
    assert.match((await first.locator('mark').first().textContent()) ?? '', /^casserole$/i);
    assert.equal(await page.locator('.product-card script, .product-card [onerror]').count(), 0);
    await checkScreen(page, 'catalog-search');

    await page
      .getByRole('group', { name: 'Marques' })
      .getByRole('checkbox', { name: /Cristel/ })
      .check();
    await page.waitForURL(/brand=Cristel/);
    await page.locator('.results[aria-busy="false"]').waitFor();
    await status.filter({ hasText: /1\s?000 produit/ }).waitFor();
    await page.getByLabel('Trier par').selectOption('price_asc');
    await page.waitForURL(/sort=price_asc/);
    await page.locator('.results[aria-busy="false"]').waitFor();
    const cards = page.locator('.product-card');
    await cards.first().waitFor();
    const prices = await cards.locator('.price').allTextContents();
    const values = prices.map((p) => Number(p.replace(/[^\d,]/g, '').replace(',', '.')));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      prices.join(' | '),
    );
    assert.match(prices[0]!, /^\d+,\d{2}\s€$/u);
    await page.getByRole('button', { name: 'Page suivante' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByRole('button', { name: 'Page précédente' }).waitFor();

    // the name with markup shows as text, its match highlighted
    await page.getByRole('button', { name: 'Effacer les filtres' }).click();
    await page.waitForURL((u) => !u.search.includes('brand='));
    await box.fill('gras');
    await page.waitForURL(/q=gras/);
    await page.locator('.results[aria-busy="false"]').waitFor();
    const odd = page.getByRole('link', { name: 'Casserole <img src=x onerror=alert(1)> <b>gras</b>' });
    await odd.waitFor();
    assert.equal(await odd.locator('img, b').count(), 0);
    assert.deepEqual(await odd.locator('mark').allTextContents(), ['gras']);

    // a product with images and attributes
    await box.fill('CAT-2');
    await page
      .getByRole('link', { name: /Casserole inox 18 cm n°2$/ })
      .first()
      .click();
    await page.waitForURL(/\/catalog\/products\//);
    await page.getByRole('heading', { name: 'Casserole inox 18 cm n°2', level: 1 }).waitFor();
    await page.getByText('21,90 €').waitFor();
    await page.getByText('argent').waitFor();
    await page.getByRole('button', { name: 'Afficher l’image 2' }).click();
    assert.equal(await page.getByRole('button', { name: 'Afficher l’image 2' }).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await checkScreen(page, 'product');

    // empty state with what to do next
    await page.goto('/catalog?q=zzzzqqqq');
    await page.getByText('Aucun produit ne correspond').waitFor();
    await checkScreen(page, 'catalog-empty');

    // English: English texts, English prices
    await page.getByRole('button', { name: 'English' }).click();
    await page.goto('/catalog?q=CAT-2');
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await page.getByText('€21.90').first().waitFor();
    await page.getByRole('button', { name: 'Français' }).click();
    await signOutUi(page);
  });

  it('an admin issues an API key, sees its secret once, and revokes it', async () => {
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signInUi(page, ADMIN.email, ADMIN.password, /\/freelancers$/);
    await page.goto('/admin/api-keys');
    await page.getByRole('heading', { name: 'Clés d’API de recherche' }).waitFor();
    await page.getByText('Aucune clé', { exact: true }).waitFor();
    await checkScreen(page, 'api-keys-empty');
    await page.getByLabel('Nom', { exact: true }).fill('dupont.test');
    await page.getByLabel('Requêtes par minute').fill('120');
    await page.getByRole('button', { name: 'Créer la clé' }).click();
    const secretBox = page.getByLabel('Secret', { exact: true });
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    assert.match(secret, /^atk_/);
    await page.getByRole('button', { name: 'Copier le secret' }).click();
    await page.getByText('Secret copié dans le presse-papiers ✓').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await checkScreen(page, 'api-key-secret');

    const search = () => fetch(`${s.url}/api/v1/products/search?q=poele`, { headers: { 'x-api-key': secret } });
    assert.equal((await search()).status, 200);

    await page.getByRole('button', { name: 'J’ai copié le secret' }).click();
    assert.equal(await page.getByLabel('Secret', { exact: true }).count(), 0);
    const row = page.getByRole('row', { name: /dupont\.test/ });
    await row.getByText('Active').waitFor();
    await row.getByRole('button', { name: 'Révoquer dupont.test' }).click();
    await row.getByRole('button', { name: 'Confirmer la révocation de dupont.test' }).click();
    await row.getByText(/Révoquée le/).waitFor();
    assert.equal((await search()).status, 401);
    await checkScreen(page, 'api-keys');

    // the secret is not shown again after a reload
    await page.reload();
    await page.getByRole('row', { name: /dupont\.test/ }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
  });
});
