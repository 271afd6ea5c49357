import { randomUUID } from 'node:crypto';
import type { ApiKey, CatalogImport, Partner, ProductInput } from '../../src/modules/catalog/model.js';
import { nextTimestamp } from './fixtures.js';

export function makeProductInput(overrides: Partial<ProductInput> = {}): ProductInput {
  const sku = overrides.sku ?? `SKU-${randomUUID().slice(0, 8)}`;
  return {
    sku,
    name: `Product ${sku}`,
    description: 'A fine product',
    brand: 'Acme',
    category: ['Maison', 'Cuisine'],
    priceMinor: 1999,
    currency: 'EUR',
    imageUrls: [],
    ean: null,
    stock: 3,
    url: null,
    attributes: { color: 'red' },
    ...overrides,
  };
}

export function makePartner(overrides: Partial<Partner> = {}): Partner {
  const now = nextTimestamp();
  const id = overrides.id ?? randomUUID();
  return {
    id,
    slug: `p-${id.slice(0, 8)}`,
    name: `Partner ${id.slice(0, 4)}`,
    contactEmail: 'catalog@example.com',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeImport(overrides: Partial<CatalogImport> = {}): CatalogImport {
  return {
    id: randomUUID(),
    partnerId: randomUUID(),
    createdBy: randomUUID(),
    blobKey: `catalog-imports/${randomUUID()}`,
    fileName: 'catalog.csv',
    format: null,
    sheet: null,
    mode: 'UPSERT',
    dryRun: false,
    status: 'QUEUED',
    progress: { phase: null, rowsRead: 0, rowsTotal: null },
    counts: { created: 0, updated: 0, unchanged: 0, archived: 0, rejected: 0 },
    failure: null,
    createdAt: nextTimestamp(),
    startedAt: null,
    finishedAt: null,
    mapping: null,
    ...overrides,
  };
}

export function makeApiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: randomUUID(),
    name: 'Partner website',
    prefix: 'atk_abcd',
    createdBy: randomUUID(),
    createdAt: nextTimestamp(),
    revokedAt: null,
    rateLimitPerMinute: 120,
    ...overrides,
  };
}
