import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Product } from '../../src/modules/catalog/model.js';
import type { SearchIndex, SearchQuery, SearchResult } from '../../src/modules/catalog/search/search-index.js';
import { PRICE_FACET_BOUNDS } from '../../src/modules/catalog/search/search-index.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

/** One adapter under test, fresh for every test. */
export interface SearchIndexUnderTest {
  index: SearchIndex;
  /**
   * Called with every product before `index.upsert`: where an adapter reads full products from (the embedded index
   * loads hit text through the product store). Omit when the adapter keeps what it needs.
   */
  save?(products: readonly Product[]): Promise<void>;
  /** Makes writes visible to searches (e.g. an OpenSearch refresh). */
  refresh?(): Promise<void>;
  /** Frees what the factory made (after `index.close()`). */
  dispose?(): Promise<void>;
}

let seq = 0;
/** A fresh ACTIVE product; ids are random UUIDs so that tie order is by id, not by insertion. */
export function makeProduct(overrides: Partial<Product> = {}): Product {
  seq++;
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
  return {
    id: crypto.randomUUID(),
    partnerId: 'partner-a',
    sku: `SKU-${seq}`,
    name: `Produit ${seq}`,
    description: null,
    brand: null,
    category: [],
    priceMinor: 1000,
    currency: 'EUR',
    imageUrls: [],
    ean: null,
    stock: 1,
    url: null,
    attributes: {},
    status: 'ACTIVE',
    contentHash: 'x',
    createdAt: t,
    updatedAt: t,
    lastImportId: null,
    lastImportOutcome: null,
    ...overrides,
  };
}

const query = (q: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  q,
  filters: {},
  sort: 'relevance',
  facets: [],
  limit: 100,
  cursor: null,
  ...more,
});

/** The SearchIndex contract. Every adapter runs it: `searchIndexSuite('embedded', async () => ({ index, save }))`. */
export function searchIndexSuite(name: string, open: () => Promise<SearchIndexUnderTest>): void {
  describe(`SearchIndex conformance: ${name}`, () => {
    let ctx: SearchIndexUnderTest;
    let index: SearchIndex;
    const feed = async (...products: Product[]): Promise<Product[]> => {
      await ctx.save?.(products);
      await index.upsert(products);
      await ctx.refresh?.();
      return products;
    };
    const ids = async (q: string, more: Partial<SearchQuery> = {}): Promise<string[]> =>
      (await index.search(query(q, more))).hits.map((h) => h.productId);
    const byId = (ps: Product[]): string[] => ps.map((p) => p.id).sort();

    beforeEach(async () => {
      ctx = await open();
      index = ctx.index;
    });
    afterEach(async () => {
      await index.close();
      await ctx.dispose?.();
    });

    it('matches regardless of case and accents, French and English, with elisions', async () => {
      const [poele, cafe, ete, naive] = await feed(
        makeProduct({ name: 'Poêle à frire en fonte' }),
        makeProduct({ name: 'Café CRÈME Gourmand' }),
        makeProduct({ name: "Robe de l'Été" }),
        makeProduct({ name: 'Naïve Œuvre complète' }),
      );
      assert.deepEqual(await ids('POELE'), [poele!.id]);
      assert.deepEqual(await ids('poêlé'), [poele!.id]);
      assert.deepEqual(await ids('cafe creme'), [cafe!.id]);
      assert.deepEqual(await ids('CAFÉ crème'), [cafe!.id]);
      assert.deepEqual(await ids('ete'), [ete!.id]);
      assert.deepEqual(await ids("l'été"), [ete!.id]);
      assert.deepEqual(await ids('naive oeuvre complete'), [naive!.id]);
    });

    it('matches every word, whether one is rare and the other frequent', async () => {
      const common = await feed(
        ...Array.from({ length: 60 }, (_, i) => makeProduct({ name: `Verre commun ${i}`, description: i % 2 ? 'solide' : null })),
      );
      const [rare] = await feed(makeProduct({ name: 'Verre gravé', description: 'solide' }));
      assert.deepEqual(await ids('grave verre'), [rare!.id]);
      assert.deepEqual(await ids('verre grave'), [rare!.id]);
      assert.deepEqual(await ids('verre gra'), [rare!.id]);
      assert.deepEqual(await ids('gravé solide verre'), [rare!.id]);
      assert.equal((await ids('verre solide')).length, 31);
      assert.deepEqual(await ids('verre commun 7'), [common[7]!.id]);
    });

    it('matches a prefix on the last word only', async () => {
      const [shoe] = await feed(
        makeProduct({ name: 'Chaussure randonnée imperméable' }),
        makeProduct({ name: 'Chapeau de paille' }),
      );
      assert.deepEqual(await ids('chaus'), [shoe!.id]);
      assert.deepEqual(await ids('randonnee chaus'), [shoe!.id]);
      assert.deepEqual(await ids('randonnee chaussure'), [shoe!.id]);
      assert.deepEqual(await ids('chaus randonnee'), []);
      assert.deepEqual(await ids('chaus '), [], 'a trailing space ends the word: no prefix');
    });

    it('tolerates 1 typo from 5 letters, 2 from 9, none below 5', async () => {
      const [table, _lamp, umbrella, chair] = await feed(
        makeProduct({ name: 'Table basse' }),
        makeProduct({ name: 'Lamp shade' }),
        makeProduct({ name: 'Parapluie pliant' }),
        makeProduct({ name: 'Chaise longue' }),
      );
      assert.deepEqual(await ids('tabel'), [table!.id], 'transposition at 5 letters');
      assert.deepEqual(await ids('tablr'), [table!.id], 'substitution at 5 letters');
      assert.deepEqual(await ids('chiase'), [chair!.id]);
      assert.deepEqual(await ids('cihsae'), [], 'two typos at 6 letters');
      assert.deepEqual(await ids('lamo'), [], 'no typo below 5 letters');
      assert.deepEqual(await ids('lmap'), [], 'no typo below 5 letters');
      assert.deepEqual(await ids('paraplui'), [umbrella!.id], 'prefix');
      assert.deepEqual(await ids('parepluei'), [umbrella!.id], 'two typos at 9 letters');
      assert.deepEqual(await ids('parepluie'), [umbrella!.id]);
      assert.deepEqual(await ids('pxrxplxie'), [], 'three typos at 9 letters');
    });

    it('ranks fewer typos first, and an exact word before a prefix completion', async () => {
      const [exact, typo] = await feed(makeProduct({ name: 'Tapis salon' }), makeProduct({ name: 'Tamis cuisine' }));
      assert.deepEqual(await ids('tapis '), [exact!.id, typo!.id]);
      const [cap, capuche] = await feed(makeProduct({ name: 'Capuchon stylo' }), makeProduct({ name: 'Cap marin' }));
      assert.deepEqual((await ids('cap')).slice(0, 2), [capuche!.id, cap!.id]);
    });

    it('puts an exact SKU or EAN match first', async () => {
      const [mention, bySku] = await feed(
        makeProduct({ name: 'Adaptateur pour REF 778 X', description: 'compatible ref-778-x' }),
        makeProduct({ name: 'Souris', sku: 'REF-778-X' }),
      );
      assert.deepEqual(await ids('REF-778-X'), [bySku!.id, mention!.id]);
      assert.equal((await ids('ref-778-x'))[0], bySku!.id, 'case-insensitive');
      const [text, byEan] = await feed(
        makeProduct({ name: 'Câble 4006381333931 compatible' }),
        makeProduct({ name: 'Clavier', ean: '4006381333931' }),
      );
      assert.deepEqual(await ids('4006381333931'), [byEan!.id, text!.id]);
    });

    it('weights fields: name > brand > category > description', async () => {
      const [inDescription, inCategory, inBrand, inName] = await feed(
        makeProduct({ name: 'Coussin', description: 'housse en velours' }),
        makeProduct({ name: 'Plaid', category: ['Textile', 'Velours'] }),
        makeProduct({ name: 'Rideau', brand: 'Velours & Co' }),
        makeProduct({ name: 'Fauteuil velours' }),
      );
      assert.deepEqual(await ids('velours'), [inName!.id, inBrand!.id, inCategory!.id, inDescription!.id]);
    });

    it('breaks ties by product id, the same way every time', async () => {
      const products = await feed(...Array.from({ length: 12 }, () => makeProduct({ name: 'Vase identique' })));
      const expected = byId(products);
      assert.deepEqual(await ids('vase'), expected);
      assert.deepEqual(await ids('vase identique'), expected);
      assert.deepEqual(await ids(''), expected);
    });

    it('filters by partner, brand, category prefix, price range, stock and attributes', async () => {
      const [a, b, c, d, e] = await feed(
        makeProduct({
          name: 'Lampe A',
          partnerId: 'p1',
          brand: 'Lumi',
          category: ['Maison', 'Déco'],
          priceMinor: 1000,
          stock: 3,
          attributes: { couleur: 'rouge', taille: 'M' },
        }),
        makeProduct({
          name: 'Lampe B',
          partnerId: 'p2',
          brand: 'Lumi',
          category: ['Maison', 'Cuisine'],
          priceMinor: 2000,
          stock: 0,
          attributes: { couleur: 'rouge' },
        }),
        makeProduct({
          name: 'Lampe C',
          partnerId: 'p1',
          brand: 'Brilla',
          category: ['Maison'],
          priceMinor: 3000,
          stock: null,
          attributes: { couleur: 'Rouge', taille: 'M' },
        }),
        makeProduct({ name: 'Lampe D', partnerId: 'p3', brand: null, category: ['Jardin', 'Déco'], priceMinor: null, stock: 5 }),
        makeProduct({
          name: 'Lampe E',
          partnerId: 'p2',
          brand: 'Brilla',
          category: ['Maison', 'Déco', 'Murale'],
          priceMinor: 2500,
          stock: 1,
          attributes: { taille: 'M', couleur: 'rouge' },
        }),
      );
      const f = async (filters: SearchQuery['filters']): Promise<string[]> => (await ids('lampe', { filters })).sort();
      assert.deepEqual(await f({ partnerIds: ['p1'] }), byId([a!, c!]));
      assert.deepEqual(await f({ partnerIds: ['p1', 'p3'] }), byId([a!, c!, d!]));
      assert.deepEqual(await f({ partnerIds: ['nobody'] }), []);
      assert.deepEqual(await f({ brands: ['Lumi'] }), byId([a!, b!]));
      assert.deepEqual(await f({ brands: ['Lumi', 'Brilla'] }), byId([a!, b!, c!, e!]));
      assert.deepEqual(await f({ categoryPrefix: ['Maison'] }), byId([a!, b!, c!, e!]));
      assert.deepEqual(await f({ categoryPrefix: ['Maison', 'Déco'] }), byId([a!, e!]));
      assert.deepEqual(await f({ categoryPrefix: ['Déco'] }), [], 'a prefix starts at the root');
      assert.deepEqual(await f({ categoryPrefix: ['Maison', 'Déco', 'Murale'] }), byId([e!]));
      assert.deepEqual(await f({ priceMinMinor: 2000 }), byId([b!, c!, e!]), 'inclusive; no price never matches a range');
      assert.deepEqual(await f({ priceMaxMinor: 2500 }), byId([a!, b!, e!]));
      assert.deepEqual(await f({ priceMinMinor: 2000, priceMaxMinor: 2500 }), byId([b!, e!]));
      assert.deepEqual(await f({ inStock: true }), byId([a!, d!, e!]));
      assert.deepEqual(await f({ inStock: false }), byId([b!, c!]));
      assert.deepEqual(await f({ attributes: { couleur: 'rouge' } }), byId([a!, b!, e!]), 'exact value');
      assert.deepEqual(await f({ attributes: { couleur: 'rouge', taille: 'M' } }), byId([a!, e!]));
      assert.deepEqual(await f({ attributes: { taille: 'M', couleur: 'rouge' } }), byId([a!, e!]));
      assert.deepEqual(await f({ attributes: { couleur: 'bleu' } }), []);
      assert.deepEqual(await f({ partnerIds: ['p2'], brands: ['Brilla'], inStock: true, priceMaxMinor: 5000 }), byId([e!]));
      const all = await index.search(query('', { filters: { partnerIds: ['p1'] } }));
      assert.deepEqual(all.hits.map((h) => h.productId).sort(), byId([a!, c!]), 'empty q: everything the filters let through');
    });

    it('sorts by price (no price last), name and newest, ties by id', async () => {
      const t = (s: number): string => new Date(Date.UTC(2026, 5, 1, 0, 0, s)).toISOString();
      const [p1, p2, p3, p4, p5] = await feed(
        makeProduct({ name: 'Bol zèbre', priceMinor: 300, createdAt: t(1) }),
        makeProduct({ name: 'bol Abeille', priceMinor: 100, createdAt: t(5) }),
        makeProduct({ name: 'Bol éléphant', priceMinor: null, createdAt: t(3) }),
        makeProduct({ name: 'Bol Castor', priceMinor: 200, createdAt: t(2) }),
        makeProduct({ name: 'Bol castor', priceMinor: 200, createdAt: t(4) }),
      );
      const tie = byId([p4!, p5!]);
      assert.deepEqual(await ids('bol', { sort: 'price_asc' }), [p2!.id, ...tie, p1!.id, p3!.id]);
      assert.deepEqual(await ids('bol', { sort: 'price_desc' }), [p1!.id, ...tie, p2!.id, p3!.id]);
      assert.deepEqual(await ids('bol', { sort: 'name' }), [p2!.id, ...tie, p3!.id, p1!.id], 'case- and accent-insensitive');
      assert.deepEqual(await ids('bol', { sort: 'newest' }), [p2!.id, p5!.id, p3!.id, p4!.id, p1!.id]);
    });

    it('counts every facet exactly over all matches', async () => {
      const mk = (partnerId: string, brand: string | null, category: string[], priceMinor: number | null): Product =>
        makeProduct({ name: 'Tasse', partnerId, brand, category, priceMinor });
      await feed(
        mk('p1', 'Arc', ['Maison', 'Cuisine'], 999),
        mk('p1', 'Arc', ['Maison', 'Cuisine', 'Tasses'], 1000),
        mk('p2', 'Bodum', ['Maison'], 2499),
        mk('p2', null, ['Maison', 'Salon'], 2500),
        mk('p3', 'Arc', [], 50000),
        mk('p3', 'Bodum', ['Bureau'], null),
        makeProduct({ name: 'Verre', partnerId: 'p1', brand: 'Arc', category: ['Maison'] }),
      );
      const r = await index.search(query('tasse', { facets: ['brand', 'category', 'partner', 'price'], limit: 2 }));
      assert.equal(r.estimatedTotal, 6);
      assert.equal(r.totalIsExact, true);
      assert.notEqual(r.facetsAreExact, false, 'a small match set is counted exactly (absent means exact)');
      assert.equal(r.hits.length, 2);
      assert.deepEqual(r.facets.brand, [
        { value: 'Arc', count: 3 },
        { value: 'Bodum', count: 2 },
      ]);
      assert.deepEqual(r.facets.partner, [
        { value: 'p1', count: 2 },
        { value: 'p2', count: 2 },
        { value: 'p3', count: 2 },
      ]);
      assert.deepEqual(r.facets.category, [
        { value: 'Maison', count: 4 },
        { value: 'Maison > Cuisine', count: 2 },
        { value: 'Bureau', count: 1 },
        { value: 'Maison > Cuisine > Tasses', count: 1 },
        { value: 'Maison > Salon', count: 1 },
      ]);
      const price = r.facets.price!;
      assert.equal(price.length, PRICE_FACET_BOUNDS.length + 1);
      assert.deepEqual(price[0], { minMinor: null, maxMinor: 999, count: 1 });
      assert.deepEqual(price[1], { minMinor: 1000, maxMinor: 2499, count: 2 });
      assert.deepEqual(price[2], { minMinor: 2500, maxMinor: 4999, count: 1 });
      assert.deepEqual(price[price.length - 1], { minMinor: 50000, maxMinor: null, count: 1 });
      assert.equal(
        price.reduce((s, x) => s + x.count, 0),
        5,
        'no price: in no range',
      );
      const filtered = await index.search(query('tasse', { facets: ['brand'], filters: { partnerIds: ['p3'] } }));
      assert.deepEqual(
        filtered.facets,
        {
          brand: [
            { value: 'Arc', count: 1 },
            { value: 'Bodum', count: 1 },
          ],
        },
        'only the facets asked for, after filters',
      );
    });

    it('highlights matched words in name, brand and description, HTML-escaped', async () => {
      const [p] = await feed(
        makeProduct({
          name: 'Poêle <b>pro</b> & "Chef"',
          brand: "L'Atelier <Fonte>",
          description: 'Une poêle en fonte, pas une POELE en tôle.',
        }),
      );
      const r = await index.search(query('poele fonte'));
      assert.equal(r.hits.length, 1);
      assert.deepEqual(r.hits[0], {
        productId: p!.id,
        highlights: {
          name: '<mark>Poêle</mark> &lt;b&gt;pro&lt;/b&gt; &amp; &quot;Chef&quot;',
          brand: 'L&#39;Atelier &lt;<mark>Fonte</mark>&gt;',
          description: 'Une <mark>poêle</mark> en <mark>fonte</mark>, pas une <mark>POELE</mark> en tôle.',
        },
      });
      const typo = await index.search(query('pooele'));
      assert.equal(typo.hits[0]!.highlights.name, '<mark>Poêle</mark> &lt;b&gt;pro&lt;/b&gt; &amp; &quot;Chef&quot;');
      const none = await index.search(query(''));
      assert.equal(none.hits[0]!.highlights.description, 'Une poêle en fonte, pas une POELE en tôle.');
      assert.equal(none.hits[0]!.highlights.brand, 'L&#39;Atelier &lt;Fonte&gt;');
    });

    for (const sort of ['relevance', 'price_asc', 'price_desc', 'name', 'newest'] as const) {
      it(`pages with a cursor without skips or repeats (${sort})`, async () => {
        const names = ['Gobelet', 'Gobelet rouge', 'Gobelet bleu', 'Grand gobelet', 'Gobelet gobelet'];
        await feed(
          ...Array.from({ length: 23 }, (_, i) =>
            makeProduct({
              name: names[i % names.length]!,
              priceMinor: i % 4 === 0 ? null : 100 * (i % 3),
              description: i % 2 ? 'gobelet' : null,
            }),
          ),
        );
        const all = await ids('gobelet', { sort });
        assert.equal(all.length, 23);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r: SearchResult = await index.search(query('gobelet', { sort, limit: 5, cursor }));
          assert.equal(r.estimatedTotal, 23);
          seen.push(...r.hits.map((h) => h.productId));
          cursor = r.nextCursor;
          pages++;
        } while (cursor);
        assert.equal(pages, 5);
        assert.deepEqual(seen, all);
      });
    }

    it('refuses a cursor from another query, and a garbled one', async () => {
      await feed(...Array.from({ length: 3 }, () => makeProduct({ name: 'Assiette' })));
      const r = await index.search(query('assiette', { limit: 1 }));
      assert.ok(r.nextCursor);
      await rejectsWithCode(index.search(query('assiette', { limit: 1, sort: 'name', cursor: r.nextCursor })), 'BAD_USER_INPUT');
      await rejectsWithCode(index.search(query('autre', { limit: 1, cursor: r.nextCursor })), 'BAD_USER_INPUT');
      await rejectsWithCode(index.search(query('assiette', { limit: 1, cursor: 'not-a-cursor' })), 'BAD_USER_INPUT');
    });

    it('accepts a limit from 1 to 100 only', async () => {
      await feed(...Array.from({ length: 120 }, () => makeProduct({ name: 'Fourchette' })));
      assert.equal((await ids('fourchette', { limit: 1 })).length, 1);
      const r = await index.search(query('fourchette', { limit: 100 }));
      assert.equal(r.hits.length, 100);
      assert.equal(r.estimatedTotal, 120);
      assert.ok(r.nextCursor);
      await rejectsWithCode(index.search(query('fourchette', { limit: 0 })), 'BAD_USER_INPUT');
      await rejectsWithCode(index.search(query('fourchette', { limit: 101 })), 'BAD_USER_INPUT');
      await rejectsWithCode(index.search(query('fourchette', { limit: 2.5 })), 'BAD_USER_INPUT');
    });

    it('excludes archived products, replaces on upsert, and removes', async () => {
      const [kept, archived, removed] = await feed(
        makeProduct({ name: 'Couteau chef' }),
        makeProduct({ name: 'Couteau pain', status: 'ARCHIVED' }),
        makeProduct({ name: 'Couteau office' }),
      );
      assert.deepEqual((await ids('couteau')).sort(), byId([kept!, removed!]));
      await feed({ ...archived!, status: 'ACTIVE' });
      assert.equal((await ids('couteau')).length, 3, 'active again');
      await feed({ ...archived!, status: 'ARCHIVED' });
      assert.deepEqual((await ids('couteau')).sort(), byId([kept!, removed!]), 'archived again');
      await feed({ ...kept!, name: 'Ciseaux cuisine', sku: kept!.sku });
      assert.deepEqual(await ids('couteau'), [removed!.id]);
      assert.deepEqual(await ids('ciseaux'), [kept!.id]);
      await feed({ ...kept!, name: 'Ciseaux cuisine' });
      assert.deepEqual(await ids('ciseaux'), [kept!.id], 'idempotent');
      await index.remove([removed!.id, crypto.randomUUID()]);
      await ctx.refresh?.();
      assert.deepEqual(await ids('couteau'), []);
      assert.deepEqual(await ids(removed!.sku), []);
      const facets = await index.search(query('', { facets: ['partner'] }));
      assert.deepEqual(facets.facets.partner, [{ value: 'partner-a', count: 1 }]);
    });

    it('suggests completions of the last word, with the earlier words', async () => {
      await feed(
        makeProduct({ name: 'Chaussure de randonnée' }),
        makeProduct({ name: 'Chaussure de ville' }),
        makeProduct({ name: 'Chaussette laine' }),
        makeProduct({ name: 'Chapeau' }),
      );
      const s = await index.suggest('chaus', 5);
      assert.deepEqual(
        s.map((x) => x.text),
        ['chaussure', 'chaussette'],
      );
      assert.equal(s[0]!.highlighted, 'chaus<mark>sure</mark>');
      const two = await index.suggest('Chaussure rand', 5);
      assert.deepEqual(two, [{ text: 'chaussure randonnée', highlighted: 'chaussure rand<mark>onnée</mark>' }]);
      assert.equal((await index.suggest('cha', 1)).length, 1);
      assert.deepEqual(await index.suggest('zz', 5), []);
    });

    it('answers ping while open', async () => {
      await index.ping();
    });
  });
}
