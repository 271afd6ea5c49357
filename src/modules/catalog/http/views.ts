import { z } from 'zod';
import type { ApiKey, CatalogImport, Partner, Product } from '../model.js';
import { toMajorUnits } from '../operations/search-products.js';

/** Response shapes of the REST API: what OpenAPI documents and the serializer enforces. */

export const partnerView = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    contactEmail: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Partner' });

export const priceView = z
  .object({
    amount: z.number().describe('Major units (e.g. 19.99 for 1999 EUR cents; 1999 for 1999 JPY).'),
    amountMinor: z.number().int().describe('Minor units (cents), exact.'),
    currency: z.string().describe('ISO 4217.'),
  })
  .meta({ id: 'Price' });

export const productView = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    brand: z.string().nullable(),
    category: z.array(z.string()).describe('Path from root to leaf.'),
    price: priceView.nullable(),
    imageUrls: z.array(z.string()),
    ean: z.string().nullable(),
    stock: z.number().int().nullable(),
    inStock: z.boolean().nullable(),
    url: z.string().nullable(),
    attributes: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const countsView = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    archived: z.number().int(),
    rejected: z.number().int(),
  })
  .meta({ id: 'ImportCounts' });

export const importView = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    createdBy: z.string(),
    fileName: z.string(),
    format: z.enum(['csv', 'xlsx', 'json', 'ndjson']).nullable(),
    sheet: z.string().nullable(),
    mode: z.enum(['UPSERT', 'REPLACE']),
    dryRun: z.boolean(),
    status: z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    progress: z.object({
      phase: z.enum(['VALIDATING', 'APPLYING']).nullable(),
      rowsRead: z.number().int(),
      rowsTotal: z.number().int().nullable(),
    }),
    counts: countsView,
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    mapping: z.record(z.string(), z.string()).nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable().describe('From start to end, once ended.'),
    links: z.object({ self: z.string(), errors: z.string(), events: z.string(), cancel: z.string() }),
  })
  .meta({ id: 'Import' });

export const apiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    rateLimitPerMinute: z.number().int(),
  })
  .meta({ id: 'ApiKey' });

export const problemView = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable error code: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT…'),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export const toPartnerView = (p: Partner): z.output<typeof partnerView> => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  contactEmail: p.contactEmail,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const toProductView = (p: Product): z.output<typeof productView> => ({
  id: p.id,
  partnerId: p.partnerId,
  sku: p.sku,
  name: p.name,
  description: p.description,
  brand: p.brand,
  category: p.category,
  price:
    p.priceMinor !== null && p.currency
      ? { amount: toMajorUnits(p.priceMinor, p.currency), amountMinor: p.priceMinor, currency: p.currency }
      : null,
  imageUrls: p.imageUrls,
  ean: p.ean,
  stock: p.stock,
  inStock: p.stock === null ? null : p.stock > 0,
  url: p.url,
  attributes: p.attributes,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const toImportView = (i: CatalogImport): z.output<typeof importView> => ({
  id: i.id,
  partnerId: i.partnerId,
  createdBy: i.createdBy,
  fileName: i.fileName,
  format: i.format,
  sheet: i.sheet,
  mode: i.mode,
  dryRun: i.dryRun,
  status: i.status,
  progress: i.progress,
  counts: i.counts,
  failure: i.failure,
  mapping: i.mapping,
  createdAt: i.createdAt,
  startedAt: i.startedAt,
  finishedAt: i.finishedAt,
  durationMs: i.startedAt && i.finishedAt ? Date.parse(i.finishedAt) - Date.parse(i.startedAt) : null,
  links: {
    self: `/api/v1/imports/${i.id}`,
    errors: `/api/v1/imports/${i.id}/errors.csv`,
    events: `/api/v1/imports/${i.id}/events`,
    cancel: `/api/v1/imports/${i.id}/cancel`,
  },
});

export const toApiKeyView = (k: ApiKey): z.output<typeof apiKeyView> => ({ ...k });
