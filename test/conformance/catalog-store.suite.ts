import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CatalogStore } from '../../src/modules/catalog/catalog-store.js';
import type { RowError } from '../../src/modules/catalog/model.js';
import { makeApiKey, makeImport, makePartner } from '../support/catalog-fixtures.js';
import { nextTimestamp } from '../support/fixtures.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The CatalogStore contract. Every adapter runs it: `catalogStoreSuite('sqlite', () => ...)`. */
export function catalogStoreSuite(name: string, open: () => Promise<CatalogStore>): void {
  describe(`CatalogStore conformance: ${name}`, () => {
    let store: CatalogStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('creates, reads, updates and lists partners by name', async () => {
      const p = makePartner({ name: 'Zèbre & Cie' });
      await store.createPartner(p);
      assert.deepEqual(await store.getPartner(p.id), p);
      assert.equal(await store.getPartner(randomUUID()), null);
      const renamed = { ...p, name: 'Aardvark', slug: `${p.slug}-x`, updatedAt: nextTimestamp() };
      await store.updatePartner(renamed);
      assert.deepEqual(await store.getPartner(p.id), renamed);
      const q = makePartner({ name: 'Bison' });
      await store.createPartner(q);
      const names = (await store.listPartners()).map((x) => x.name);
      assert.ok(names.indexOf('Aardvark') < names.indexOf('Bison'));
      assert.ok(!names.includes('Zèbre & Cie'));
      await rejectsWithCode(store.updatePartner(makePartner()), 'NOT_FOUND');
    });

    it('refuses a taken slug on create and on update', async () => {
      const p = makePartner();
      await store.createPartner(p);
      const e1 = await rejectsWithCode(store.createPartner(makePartner({ slug: p.slug })), 'CONFLICT');
      assert.equal(e1.details.field, 'slug');
      const q = makePartner();
      await store.createPartner(q);
      const e2 = await rejectsWithCode(store.updatePartner({ ...q, slug: p.slug }), 'CONFLICT');
      assert.equal(e2.details.field, 'slug');
      assert.equal((await store.getPartner(q.id))?.slug, q.slug);
    });

    it('keeps at most one partner per account', async () => {
      const account = randomUUID();
      const [p1, p2] = [randomUUID(), randomUUID()];
      assert.equal(await store.partnerOf(account), null);
      await store.setMembership(account, p1);
      await store.setMembership(account, p1);
      assert.equal(await store.partnerOf(account), p1);
      await store.setMembership(account, p2);
      assert.equal(await store.partnerOf(account), p2);
      await store.setMembership(account, null);
      assert.equal(await store.partnerOf(account), null);
      await store.setMembership(account, null);
      const [a, b] = [randomUUID(), randomUUID()].sort();
      await store.setMembership(b!, p1);
      await store.setMembership(a!, p1);
      await store.setMembership(account, p2);
      assert.deepEqual(await store.listMembers(p1), [a, b], 'members in id order');
      await store.setMembership(a!, p2);
      assert.deepEqual(await store.listMembers(p1), [b]);
      assert.deepEqual((await store.listMembers(p2)).sort(), [a, account].sort());
      assert.deepEqual(await store.listMembers(randomUUID()), []);
    });

    it('creates, reads and updates imports', async () => {
      const imp = makeImport();
      await store.createImport(imp);
      assert.deepEqual(await store.getImport(imp.id), imp);
      assert.equal(await store.getImport(randomUUID()), null);
      const startedAt = nextTimestamp();
      const running = await store.updateImport(imp.id, {
        status: 'RUNNING',
        startedAt,
        progress: { phase: 'VALIDATING', rowsRead: 10, rowsTotal: null },
        mapping: { SKU: 'sku', Nom: 'name' },
        format: 'csv',
      });
      assert.equal(running.status, 'RUNNING');
      assert.deepEqual(await store.getImport(imp.id), running);
      assert.deepEqual(running, {
        ...imp,
        status: 'RUNNING',
        startedAt,
        progress: { phase: 'VALIDATING', rowsRead: 10, rowsTotal: null },
        mapping: { SKU: 'sku', Nom: 'name' },
        format: 'csv',
      });
      const counts = { created: 1, updated: 2, unchanged: 3, archived: 4, rejected: 5 };
      const done = await store.updateImport(imp.id, { status: 'SUCCEEDED', counts, finishedAt: nextTimestamp() });
      assert.deepEqual(done.counts, counts);
      await rejectsWithCode(store.updateImport(randomUUID(), { status: 'RUNNING' }), 'NOT_FOUND');
    });

    it('refuses to move an import out of a final status', async () => {
      for (const status of ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const) {
        const imp = makeImport();
        await store.createImport(imp);
        await store.updateImport(imp.id, { status });
        await rejectsWithCode(store.updateImport(imp.id, { status: 'RUNNING' }), 'CONFLICT');
        await rejectsWithCode(store.updateImport(imp.id, { status: 'QUEUED' }), 'CONFLICT');
        assert.equal((await store.getImport(imp.id))?.status, status);
      }
      const failed = makeImport();
      await store.createImport(failed);
      await store.updateImport(failed.id, {
        status: 'FAILED',
        failure: { code: 'TOO_MANY_REJECTS', message: '60% of rows were rejected' },
      });
      assert.deepEqual((await store.getImport(failed.id))?.failure, {
        code: 'TOO_MANY_REJECTS',
        message: '60% of rows were rejected',
      });
    });

    it('lists a partner’s imports newest first, page by page', async () => {
      const partnerId = randomUUID();
      const imports = Array.from({ length: 5 }, () => makeImport({ partnerId }));
      for (const imp of imports) await store.createImport(imp);
      await store.createImport(makeImport());
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const page = await store.listImports(partnerId, 2, token);
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((i) => i.id));
        token = page.nextToken;
        pages += 1;
      } while (token && pages < 10);
      assert.deepEqual(seen, imports.map((i) => i.id).reverse());
      assert.equal(pages, 3);
      assert.deepEqual(await store.listImports(randomUUID(), 10), { items: [], nextToken: null });
      await rejectsWithCode(store.listImports(partnerId, 2, 'garbage'), 'BAD_USER_INPUT');
    });

    it('records rejected rows, serves them in line order and replaces them on rerun', async () => {
      const imp = makeImport();
      await store.createImport(imp);
      assert.deepEqual(await collect(store.importErrors(imp.id)), []);
      const errors: RowError[] = [
        { line: 9, column: 'price', reason: 'not a number' },
        { line: 3, column: null, reason: 'duplicate sku, first on line 2' },
        { line: 5, column: 'ean', reason: '=cmd|"/c calc"!A1 is not a GTIN' },
      ];
      await store.setImportErrors(imp.id, errors);
      assert.deepEqual(
        (await collect(store.importErrors(imp.id))).map((e) => e.line),
        [3, 5, 9],
      );
      assert.deepEqual((await collect(store.importErrors(imp.id)))[1], errors[2]);
      await store.setImportErrors(imp.id, [{ line: 1, column: 'sku', reason: 'missing' }]);
      assert.deepEqual(await collect(store.importErrors(imp.id)), [{ line: 1, column: 'sku', reason: 'missing' }]);
    });

    it('serves thousands of rejected rows', async () => {
      const imp = makeImport();
      await store.createImport(imp);
      const many = Array.from({ length: 2500 }, (_, i) => ({ line: i + 2, column: 'price', reason: `bad ${i}` }));
      await store.setImportErrors(imp.id, many);
      const back = await collect(store.importErrors(imp.id));
      assert.equal(back.length, 2500);
      assert.deepEqual(back[2499], many[2499]);
    });

    it('saves and replaces a partner’s column mapping', async () => {
      const partnerId = randomUUID();
      assert.equal(await store.getMapping(partnerId), null);
      await store.saveMapping(partnerId, { Réf: 'sku', Désignation: 'name', Couleur: 'attribute' });
      assert.deepEqual(await store.getMapping(partnerId), { Réf: 'sku', Désignation: 'name', Couleur: 'attribute' });
      await store.saveMapping(partnerId, { ref: 'sku', title: 'name' });
      assert.deepEqual(await store.getMapping(partnerId), { ref: 'sku', title: 'name' });
    });

    it('finds live API keys by secret hash, lists them, and forgets revoked ones at once', async () => {
      const key = makeApiKey();
      const hash = randomUUID().replaceAll('-', '');
      await store.createApiKey(key, hash);
      assert.deepEqual(await store.apiKeyBySecretHash(hash), key);
      assert.equal(await store.apiKeyBySecretHash('nope'), null);
      assert.ok((await store.listApiKeys()).some((k) => k.id === key.id));
      const at = nextTimestamp();
      await store.revokeApiKey(key.id, at);
      assert.equal(await store.apiKeyBySecretHash(hash), null);
      assert.equal((await store.listApiKeys()).find((k) => k.id === key.id)?.revokedAt, at);
      await store.revokeApiKey(key.id, nextTimestamp());
      assert.equal((await store.listApiKeys()).find((k) => k.id === key.id)?.revokedAt, at, 'first revocation kept');
      await rejectsWithCode(store.revokeApiKey(randomUUID(), at), 'NOT_FOUND');
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}
