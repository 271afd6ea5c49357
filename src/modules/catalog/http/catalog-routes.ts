import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import { AppError, ErrorCode, badInput, notFound } from '../../../shared/errors.js';
import type { IdentityProvider } from '../../identity/index.js';
import type { CatalogDeps } from '../deps.js';
import { csvCell } from '../import/index.js';
import * as apiKeys from '../operations/api-keys.js';
import * as imports from '../operations/imports.js';
import * as mapping from '../operations/mapping.js';
import * as partners from '../operations/partners.js';
import { getProduct, searchProducts, suggestProducts, toMinorUnits } from '../operations/search-products.js';
import { requireAdmin, type Caller } from '../policy.js';
import type { FacetName, SearchQuery } from '../search/search-index.js';
import { callerOf, principalOf } from './auth.js';
import { importEventStream, type EventStreams } from './import-events.js';
import {
  apiKeyView,
  importView,
  partnerView,
  productView,
  toApiKeyView,
  toImportView,
  toPartnerView,
  toProductView,
} from './views.js';

export interface CatalogRoutesOptions {
  deps: CatalogDeps;
  identity: IdentityProvider;
  /** Called after an import is scheduled, to wake the embedded worker at once. */
  onScheduled?: () => void;
  streams: EventStreams;
  /** Requests per minute per signed-in account on the search routes (API keys have their own limit). */
  accountSearchRateLimitPerMinute: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    catalogCaller?: Caller | null;
  }
}

const id = z.string().min(1).max(100);
const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);
const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');
const FACETS = ['brand', 'category', 'partner', 'price'] as const satisfies readonly FacetName[];

const searchQuery = z.object({
  q: z.string().max(500).default('').describe('Free text; empty lists everything that passes the filters.'),
  partner: list.optional().describe('Partner ids (comma-separated or repeated).'),
  brand: list.optional().describe('Brands (comma-separated or repeated).'),
  category: z.string().max(500).optional().describe('Category path prefix, levels separated by " > ", e.g. "Maison > Cuisine".'),
  priceMin: z.coerce.number().min(0).optional().describe('Inclusive, major units (19.99).'),
  priceMax: z.coerce.number().min(0).optional().describe('Inclusive, major units.'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .describe('Currency of priceMin/priceMax, for its decimals (2 when absent).'),
  inStock: booleanText.optional(),
  attr: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Attribute equality as name:value (repeatable), e.g. attr=color:red.'),
  sort: z.enum(['relevance', 'price_asc', 'price_desc', 'name', 'newest']).default('relevance'),
  facets: list
    .pipe(z.array(z.enum(FACETS)))
    .optional()
    .describe('brand, category, partner, price'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).optional(),
});

function toSearchQuery(q: z.output<typeof searchQuery>): SearchQuery {
  const attributes: Record<string, string> = {};
  for (const a of q.attr === undefined ? [] : Array.isArray(q.attr) ? q.attr : [q.attr]) {
    const at = a.indexOf(':');
    if (at < 1) throw badInput([{ path: 'attr', message: 'name:value' }]);
    attributes[a.slice(0, at)] = a.slice(at + 1);
  }
  const filters: SearchQuery['filters'] = {};
  if (q.partner?.length) filters.partnerIds = q.partner;
  if (q.brand?.length) filters.brands = q.brand;
  if (q.category)
    filters.categoryPrefix = q.category
      .split('>')
      .map((s) => s.trim())
      .filter(Boolean);
  if (q.priceMin !== undefined) filters.priceMinMinor = toMinorUnits(q.priceMin, q.currency ?? null);
  if (q.priceMax !== undefined) filters.priceMaxMinor = toMinorUnits(q.priceMax, q.currency ?? null);
  if (q.inStock !== undefined) filters.inStock = q.inStock;
  if (Object.keys(attributes).length) filters.attributes = attributes;
  return { q: q.q, filters, sort: q.sort, facets: q.facets ?? [], limit: q.limit, cursor: q.cursor ?? null };
}

const facetValues = z.array(z.object({ value: z.string(), count: z.number().int() }));
const searchResponse = z.object({
  items: z.array(
    z.object({
      product: productView,
      highlights: z
        .object({ name: z.string(), brand: z.string().nullable(), description: z.string().nullable() })
        .describe('Matched spans in <mark>…</mark>, everything else HTML-escaped.'),
    }),
  ),
  estimatedTotal: z.number().int(),
  totalIsExact: z.boolean(),
  facets: z.object({
    brand: facetValues.optional(),
    category: facetValues.optional(),
    partner: facetValues.optional(),
    price: z
      .array(
        z.object({
          minMinor: z.number().int().nullable(),
          maxMinor: z.number().int().nullable(),
          count: z.number().int(),
        }),
      )
      .optional(),
  }),
  nextCursor: z.string().nullable(),
});

const importJsonBody = z.object({
  blobKey: z.string().min(1).max(1024).describe('From POST …/imports/upload-url, after uploading the file there.'),
  fileName: z.string().min(1).max(255),
  mode: z.enum(['UPSERT', 'REPLACE']).optional(),
  dryRun: z.boolean().optional(),
  format: z.enum(['csv', 'xlsx', 'json', 'ndjson']).nullable().optional(),
  sheet: z.string().min(1).max(200).nullable().optional(),
});

const TAGS = { partners: ['Partners'], imports: ['Imports'], products: ['Products'], keys: ['API keys'] };
type Security = Record<string, readonly string[]>[];
const BEARER: Security = [{ bearerAuth: [] }];
const SEARCHER: Security = [{ bearerAuth: [] }, { apiKeyHeader: [] }, { apiKeyAuthorization: [] }];

/** Multipart fields that may come with the file. */
const MULTIPART_FIELDS = new Set(['mode', 'dryRun', 'format', 'sheet']);

export async function catalogRoutes(root: FastifyInstance, opts: CatalogRoutesOptions): Promise<void> {
  const { deps, identity } = opts;
  const app = root.withTypeProvider<ZodTypeProvider>();
  const principal = (req: FastifyRequest) => principalOf(identity, req);

  await root.register(multipart, {
    limits: {
      fields: 8,
      fieldSize: 1024,
      fieldNameSize: 100,
      files: 1,
      parts: 9,
      headerPairs: 20,
      fileSize: deps.settings.maxFileBytes,
    },
    throwFileSizeLimit: true,
  });

  // ── Partners ──────────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/partners',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'Create a partner (admin)',
        security: BEARER,
        body: partners.partnerFields,
        response: { 201: partnerView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(toPartnerView(await partners.createPartner(deps, await principal(req), req.body))),
  );
  app.get(
    '/partners',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'List partners (team, admin)',
        security: BEARER,
        response: { 200: z.object({ items: z.array(partnerView) }) },
      },
    },
    async (req) => ({ items: (await partners.listPartners(deps, await principal(req))).map(toPartnerView) }),
  );
  app.get(
    '/me/partner',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'The partner the caller manages (partner accounts); 404 when none',
        security: BEARER,
        response: { 200: partnerView },
      },
    },
    async (req) => {
      const p = await partners.myPartner(deps, await principal(req));
      if (!p) throw notFound('Partner');
      return toPartnerView(p);
    },
  );
  app.get(
    '/partners/:partnerId',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'Read a partner (team, admin, its members)',
        security: BEARER,
        params: z.object({ partnerId: id }),
        response: { 200: partnerView },
      },
    },
    async (req) => toPartnerView(await partners.getPartner(deps, await principal(req), req.params.partnerId)),
  );
  app.patch(
    '/partners/:partnerId',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'Update a partner (admin)',
        security: BEARER,
        params: z.object({ partnerId: id }),
        body: partners.partnerFields.partial(),
        response: { 200: partnerView },
      },
    },
    async (req) => toPartnerView(await partners.updatePartner(deps, await principal(req), req.params.partnerId, req.body)),
  );
  app.get(
    '/partners/:partnerId/members',
    {
      schema: {
        tags: TAGS.partners,
        summary: "List the partner's member accounts (admin)",
        security: BEARER,
        params: z.object({ partnerId: id }),
        response: { 200: z.object({ items: z.array(z.object({ accountId: z.string() })) }) },
      },
    },
    async (req) => ({
      items: (await partners.listPartnerMembers(deps, await principal(req), req.params.partnerId)).map((accountId) => ({
        accountId,
      })),
    }),
  );
  app.put(
    '/partners/:partnerId/members/:accountId',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'Make an account a member of the partner (admin); it also needs the partner group',
        security: BEARER,
        params: z.object({ partnerId: id, accountId: id }),
        response: { 204: z.null().describe('Done') },
      },
    },
    async (req, reply) => {
      await partners.setPartnerMember(deps, await principal(req), req.params.accountId, req.params.partnerId);
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/partners/:partnerId/members/:accountId',
    {
      schema: {
        tags: TAGS.partners,
        summary: 'Remove an account from the partner (admin)',
        security: BEARER,
        params: z.object({ partnerId: id, accountId: id }),
        response: { 204: z.null().describe('Done') },
      },
    },
    async (req, reply) => {
      const p = requireAdmin(await principal(req));
      if ((await deps.catalog.partnerOf(req.params.accountId)) !== req.params.partnerId) throw notFound('Membership');
      await partners.setPartnerMember(deps, p, req.params.accountId, null);
      return reply.status(204).send(null);
    },
  );

  // ── Mapping ───────────────────────────────────────────────────────────────────────────────────────
  const mappingBody = z.object({ mapping: mapping.columnMapping });
  app.get(
    '/partners/:partnerId/mapping',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'The partner’s saved column mapping (null when none)',
        security: BEARER,
        params: z.object({ partnerId: id }),
        response: { 200: z.object({ mapping: z.record(z.string(), z.string()).nullable() }) },
      },
    },
    async (req) => ({ mapping: await mapping.getMapping(deps, await principal(req), req.params.partnerId) }),
  );
  app.put(
    '/partners/:partnerId/mapping',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'Save an explicit column mapping: header → field; it wins over detection',
        security: BEARER,
        params: z.object({ partnerId: id }),
        body: mappingBody,
        response: { 200: z.object({ mapping: z.record(z.string(), z.string()) }) },
      },
    },
    async (req) => ({
      mapping: await mapping.saveMapping(deps, await principal(req), req.params.partnerId, req.body.mapping),
    }),
  );

  // ── Imports ───────────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/partners/:partnerId/imports/upload-url',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'A signed target to upload a catalog file to, then import by blobKey',
        security: BEARER,
        params: z.object({ partnerId: id }),
        body: z.object({
          fileName: z.string().min(1).max(255),
          contentType: z.string().min(1).max(255).optional(),
          size: z.number().int().min(1).describe('Exact size in bytes.'),
        }),
        response: {
          201: z.object({
            blobKey: z.string(),
            upload: z.object({
              url: z.string(),
              fields: z.record(z.string(), z.string()),
              key: z.string(),
              expiresAt: z.string(),
            }),
          }),
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await imports.createImportUploadUrl(deps, await principal(req), req.params.partnerId, req.body)),
  );
  app.post(
    '/partners/:partnerId/imports',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'Start an import (multipart file upload, or JSON with a blobKey)',
        description:
          'multipart/form-data: a `file` part and optional fields mode (UPSERT|REPLACE), dryRun (true|false), format, sheet. ' +
          'application/json: `{blobKey, fileName, mode?, dryRun?, format?, sheet?}` after an upload through upload-url. ' +
          'Answers 202 with the QUEUED import; follow it at links.self or links.events.',
        security: BEARER,
        params: z.object({ partnerId: id }),
        body: importJsonBody.nullish(),
        consumes: ['multipart/form-data', 'application/json'],
        response: { 202: importView },
      },
    },
    async (req, reply) => {
      const p = await principal(req);
      const { partnerId } = req.params;
      let imp;
      if (req.isMultipart()) {
        const fields: Record<string, unknown> = {};
        let file: { fileName: string; bytes: Buffer } | null = null;
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (!MULTIPART_FIELDS.has(part.fieldname)) throw badInput([{ path: part.fieldname, message: 'unknown field' }]);
            const v = typeof part.value === 'string' ? part.value : '';
            fields[part.fieldname] = part.fieldname === 'dryRun' ? v === 'true' : v === '' ? null : v;
            continue;
          }
          if (part.fieldname !== 'file' || file)
            throw badInput([{ path: part.fieldname, message: 'one file, in a part named file' }]);
          try {
            file = { fileName: part.filename || 'catalog', bytes: await part.toBuffer() };
          } catch (err) {
            if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') {
              throw new AppError(ErrorCode.TOO_LARGE, `The file is over ${deps.settings.maxFileBytes} bytes`, { field: 'file' });
            }
            throw err;
          }
        }
        if (!file) throw badInput([{ path: 'file', message: 'required' }], 'The form has no file');
        imp = await imports.startImport(deps, p, partnerId, { kind: 'bytes', ...file }, fields);
      } else {
        const body = parseWith(importJsonBody, req.body);
        const { blobKey, fileName, ...options } = body;
        imp = await imports.startImport(deps, p, partnerId, { kind: 'blob', blobKey, fileName }, options);
      }
      opts.onScheduled?.();
      return reply.status(202).header('location', `/api/v1/imports/${imp.id}`).send(toImportView(imp));
    },
  );
  app.get(
    '/partners/:partnerId/imports',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'A partner’s imports, newest first',
        security: BEARER,
        params: z.object({ partnerId: id }),
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          nextToken: z.string().max(2000).optional(),
        }),
        response: { 200: z.object({ items: z.array(importView), nextToken: z.string().nullable() }) },
      },
    },
    async (req) => {
      const page = await imports.listImports(
        deps,
        await principal(req),
        req.params.partnerId,
        req.query.limit,
        req.query.nextToken ?? null,
      );
      return { items: page.items.map(toImportView), nextToken: page.nextToken };
    },
  );
  app.get(
    '/imports/:importId',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'An import: status, progress, counts, timings',
        security: BEARER,
        params: z.object({ importId: id }),
        response: { 200: importView },
      },
    },
    async (req) => toImportView(await imports.getImport(deps, await principal(req), req.params.importId)),
  );
  app.post(
    '/imports/:importId/cancel',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'Cancel a QUEUED or RUNNING import (batches already applied stay)',
        security: BEARER,
        params: z.object({ importId: id }),
        response: { 200: importView },
      },
    },
    async (req) => toImportView(await imports.cancelImport(deps, await principal(req), req.params.importId)),
  );
  app.get(
    '/imports/:importId/errors.csv',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'Every rejected row: line, column, reason (CSV, cells escaped against formula injection)',
        security: BEARER,
        params: z.object({ importId: id }),
        description: 'text/csv with the header line,column,reason; streamed.',
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      const { imp, errors } = await imports.importErrors(deps, await principal(req), req.params.importId);
      const cell = (v: string | number | null) => csvCell(v === null ? '' : String(v));
      async function* lines() {
        yield 'line,column,reason\r\n';
        let chunk = '';
        for await (const e of errors) {
          chunk += `${cell(e.line)},${cell(e.column)},${cell(e.reason)}\r\n`;
          if (chunk.length > 64 * 1024) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk) yield chunk;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${imp.id}-errors.csv"`)
        .send(Readable.from(lines()));
    },
  );
  app.get(
    '/imports/:importId/events',
    {
      schema: {
        tags: TAGS.imports,
        summary: 'Live progress as Server-Sent Events (event: progress, then end when the import is over)',
        security: BEARER,
        params: z.object({ importId: id }),
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'event: progress / end; each data line is an Import as JSON',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    async (req, reply) => {
      const imp = await imports.getImport(deps, await principal(req), req.params.importId);
      await importEventStream(opts.streams, deps, imp, req, reply, toImportView);
    },
  );

  // ── API keys ──────────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api-keys',
    {
      schema: {
        tags: TAGS.keys,
        summary: 'Issue a search-only API key (admin); the secret is shown once',
        security: BEARER,
        body: z.object({
          name: z.string().min(1).max(100),
          rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
        }),
        response: { 201: z.object({ key: apiKeyView, secret: z.string() }) },
      },
    },
    async (req, reply) => {
      const { key, secret } = await apiKeys.issueApiKey(deps, await principal(req), req.body);
      return reply.status(201).send({ key: toApiKeyView(key), secret });
    },
  );
  app.get(
    '/api-keys',
    {
      schema: {
        tags: TAGS.keys,
        summary: 'Every API key, newest first (admin)',
        security: BEARER,
        response: { 200: z.object({ items: z.array(apiKeyView) }) },
      },
    },
    async (req) => ({ items: (await apiKeys.listApiKeys(deps, await principal(req))).map(toApiKeyView) }),
  );
  app.delete(
    '/api-keys/:keyId',
    {
      schema: {
        tags: TAGS.keys,
        summary: 'Revoke an API key (admin); effective at once',
        security: BEARER,
        params: z.object({ keyId: id }),
        response: { 204: z.null().describe('Revoked') },
      },
    },
    async (req, reply) => {
      await apiKeys.revokeApiKey(deps, await principal(req), req.params.keyId);
      return reply.status(204).send(null);
    },
  );

  // ── Products (search) ─────────────────────────────────────────────────────────────────────────────
  const resolveCaller = async (req: FastifyRequest) => {
    req.catalogCaller = await callerOf(identity, deps, req);
  };
  // One budget per key (or account) across every search route: one limiter, hence one store, shared by them.
  const searchLimit = root.rateLimit({
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => {
      const c = req.catalogCaller;
      return c?.kind === 'apiKey' ? `key:${c.key.id}` : c ? `account:${c.principal.sub}` : `ip:${req.ip}`;
    },
    max: (req: FastifyRequest) => {
      const c = req.catalogCaller;
      return c?.kind === 'apiKey' ? c.key.rateLimitPerMinute : opts.accountSearchRateLimitPerMinute;
    },
  });
  const searchRoute = { onRequest: resolveCaller, preHandler: searchLimit };
  app.get(
    '/products/search',
    {
      ...searchRoute,
      schema: {
        tags: TAGS.products,
        summary: 'Search products (signed-in accounts and API keys)',
        security: SEARCHER,
        querystring: searchQuery,
        response: { 200: searchResponse },
      },
    },
    async (req) => {
      const result = await searchProducts(deps, req.catalogCaller ?? null, toSearchQuery(req.query));
      return {
        items: result.items.map((i) => ({ product: toProductView(i.product), highlights: i.highlights })),
        estimatedTotal: result.estimatedTotal,
        totalIsExact: result.totalIsExact,
        facets: result.facets,
        nextCursor: result.nextCursor,
      };
    },
  );
  app.get(
    '/products/suggest',
    {
      ...searchRoute,
      schema: {
        tags: TAGS.products,
        summary: 'Search-as-you-type completions',
        security: SEARCHER,
        querystring: z.object({
          q: z.string().min(1).max(200),
          limit: z.coerce.number().int().min(1).max(20).default(8),
        }),
        response: { 200: z.object({ items: z.array(z.object({ text: z.string(), highlighted: z.string() })) }) },
      },
    },
    async (req) => ({ items: await suggestProducts(deps, req.catalogCaller ?? null, req.query.q, req.query.limit) }),
  );
  app.get(
    '/products/:productId',
    {
      ...searchRoute,
      schema: {
        tags: TAGS.products,
        summary: 'One active product',
        security: SEARCHER,
        params: z.object({ productId: id }),
        response: { 200: productView },
      },
    },
    async (req) => toProductView(await getProduct(deps, req.catalogCaller ?? null, req.params.productId)),
  );
}
