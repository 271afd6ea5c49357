import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteProductStore } from '../../src/modules/catalog/stores/sqlite-product-store.js';
import { SqliteCatalogStore } from '../../src/modules/catalog/stores/sqlite-catalog-store.js';
import { productStoreSuite } from '../conformance/product-store.suite.js';
import { catalogStoreSuite } from '../conformance/catalog-store.suite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-catalog-'));
// Both stores share one file, as in production.
productStoreSuite('sqlite', () => Promise.resolve(new SqliteProductStore(path.join(dir, 'catalog.db'))));
catalogStoreSuite('sqlite', () => Promise.resolve(new SqliteCatalogStore(path.join(dir, 'catalog.db'))));
