import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ImportSpool } from '../../../src/modules/catalog/import/spool.js';
import type { ProductInput } from '../../../src/modules/catalog/model.js';

const product = (i: number): ProductInput => ({
  sku: `SKU-${i}`,
  name: `Poêle ${i}`,
  description: i % 2 ? null : 'inox',
  brand: 'Cristel',
  category: ['Maison', 'Cuisine'],
  priceMinor: 1000 + i,
  currency: 'EUR',
  imageUrls: [],
  ean: null,
  stock: i,
  url: null,
  attributes: { color: 'rouge' },
});

test('the spool gives back every appended row in order, across records, then deletes its file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-'));
  const spool = ImportSpool.create('imp/1', dir, 3);
  const rows = Array.from({ length: 8 }, (_, i) => product(i));
  for (const r of rows) spool.append(r);
  assert.equal(spool.rows, 8);
  const batches = [...spool.batches()];
  assert.deepEqual(
    batches.map((b) => b.length),
    [3, 3, 2],
  );
  assert.deepEqual(batches.flat(), rows);
  assert.ok(fs.existsSync(spool.file));
  assert.equal(path.dirname(spool.file), dir);
  spool.dispose();
  spool.dispose();
  assert.equal(fs.existsSync(spool.file), false);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a new spool for the same import truncates the one a dead run left behind', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-'));
  const dead = ImportSpool.create('imp-2', dir);
  dead.append(product(1));
  assert.equal([...dead.batches()].flat().length, 1);
  const rerun = ImportSpool.create('imp-2', dir);
  assert.equal(rerun.file, dead.file);
  rerun.append(product(2));
  assert.deepEqual([...rerun.batches()].flat(), [product(2)]);
  rerun.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
