import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import { AppError, ErrorCode, badInput, conflict, notFound } from '../../../shared/errors.js';
import type { UploadTarget } from '../../files/blob-store.js';
import type { Principal } from '../../identity/index.js';
import type { ImportPage } from '../catalog-store.js';
import { IMPORT_HANDLER, IMPORT_REQUESTED, importBlobPrefix, type CatalogDeps, type ImportRequested } from '../deps.js';
import type { CatalogImport, RowError } from '../model.js';
import { requirePartnerAccess } from '../policy.js';

const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const isFinalImport = (imp: CatalogImport) => FINAL.includes(imp.status);

export const importOptions = z.object({
  mode: z.enum(['UPSERT', 'REPLACE']).default('UPSERT'),
  dryRun: z.boolean().default(false),
  /** Detected from the bytes when absent. */
  format: z.enum(['csv', 'xlsx', 'json', 'ndjson']).nullable().default(null),
  sheet: z.string().min(1).max(200).nullable().default(null),
});
export type ImportOptions = z.infer<typeof importOptions>;

const fileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine(
    (n) => ![...n].some((c) => c.charCodeAt(0) < 0x20 || c === '/' || c === '\\'),
    'no path separators or control characters',
  );

/** Where the file comes from: bytes uploaded with the request, or a blob put through a signed upload URL. */
export type ImportSource =
  { kind: 'bytes'; fileName: string; bytes: Buffer } | { kind: 'blob'; fileName: string; blobKey: string };

const uploadUrlInput = z.object({
  fileName,
  contentType: z.string().min(1).max(255).default('application/octet-stream'),
  size: z.number().int().min(1),
});

/**
 * A signed target to upload a catalog file straight to the blob store, then reference by `blobKey` in
 * `startImport`: for files too big to send through the API comfortably.
 */
export async function createImportUploadUrl(
  deps: CatalogDeps,
  principal: Principal | null,
  partnerId: string,
  input: unknown,
): Promise<{ blobKey: string; upload: UploadTarget }> {
  await requirePartnerAccess(deps.catalog, principal, partnerId);
  await requirePartner(deps, partnerId);
  const { contentType, size } = parseWith(uploadUrlInput, input);
  tooLargeCheck(deps, size);
  const blobKey = `${importBlobPrefix(partnerId)}${deps.ids.newId()}`;
  const upload = await deps.blobs.createUploadTarget({
    key: blobKey,
    contentType,
    minSize: size,
    maxSize: size,
    expiresInSeconds: deps.settings.uploadTtlSeconds,
  });
  return { blobKey, upload };
}

/** Records a QUEUED import and schedules its job; the file is read by the job, not here. */
export async function startImport(
  deps: CatalogDeps,
  principal: Principal | null,
  partnerId: string,
  source: ImportSource,
  rawOptions: unknown,
): Promise<CatalogImport> {
  const caller = await requirePartnerAccess(deps.catalog, principal, partnerId);
  await requirePartner(deps, partnerId);
  const options = parseWith(importOptions, rawOptions);
  const name = parseWith(fileName, source.fileName);
  const running = (await deps.catalog.listImports(partnerId, 20)).items.find((i) => !isFinalImport(i));
  if (running) {
    throw conflict('Another import of this partner is not finished yet; wait for it or cancel it', {
      importId: running.id,
    });
  }
  let blobKey: string;
  if (source.kind === 'bytes') {
    if (source.bytes.length === 0) throw badInput([{ path: 'file', message: 'is empty' }]);
    tooLargeCheck(deps, source.bytes.length);
    blobKey = `${importBlobPrefix(partnerId)}${deps.ids.newId()}`;
    await deps.blobs.put(blobKey, source.bytes, 'application/octet-stream');
  } else {
    if (!source.blobKey.startsWith(importBlobPrefix(partnerId))) {
      throw badInput([{ path: 'blobKey', message: 'is not an upload URL issued for this partner' }]);
    }
    const info = await deps.blobs.head(source.blobKey);
    if (!info) throw badInput([{ path: 'blobKey', message: 'nothing was uploaded there (or the upload expired)' }]);
    tooLargeCheck(deps, info.size);
    blobKey = source.blobKey;
  }
  const now = deps.clock.now().toISOString();
  const imp: CatalogImport = {
    id: deps.ids.newId(),
    partnerId,
    createdBy: caller.sub,
    blobKey,
    fileName: name,
    format: options.format,
    sheet: options.sheet,
    mode: options.mode,
    dryRun: options.dryRun,
    status: 'QUEUED',
    progress: { phase: null, rowsRead: 0, rowsTotal: null },
    counts: { created: 0, updated: 0, unchanged: 0, archived: 0, rejected: 0 },
    failure: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    mapping: null,
  };
  await deps.catalog.createImport(imp);
  const event: ImportRequested = {
    id: `catalog-import.${imp.id}`,
    type: IMPORT_REQUESTED,
    aggregateId: imp.id,
    occurredAt: now,
    payload: { importId: imp.id },
  };
  await deps.schedule(event, IMPORT_HANDLER, now);
  return imp;
}

/** An import, for whoever may manage its partner. */
export async function getImport(deps: CatalogDeps, principal: Principal | null, id: string): Promise<CatalogImport> {
  const imp = await deps.catalog.getImport(id);
  if (!imp) throw notFound('Import');
  await requirePartnerAccess(deps.catalog, principal, imp.partnerId);
  return imp;
}

export async function listImports(
  deps: CatalogDeps,
  principal: Principal | null,
  partnerId: string,
  limit: number,
  nextToken: string | null,
): Promise<ImportPage> {
  await requirePartnerAccess(deps.catalog, principal, partnerId);
  return deps.catalog.listImports(partnerId, limit, nextToken);
}

/**
 * Stops a QUEUED or RUNNING import; the job notices between batches. Batches already applied stay applied
 * (the counts say what was done); CONFLICT when the import has already ended.
 */
export async function cancelImport(deps: CatalogDeps, principal: Principal | null, id: string): Promise<CatalogImport> {
  const imp = await getImport(deps, principal, id);
  if (isFinalImport(imp)) throw conflict(`The import is already ${imp.status}`, { importStatus: imp.status });
  return deps.catalog.updateImport(id, { status: 'CANCELLED', finishedAt: deps.clock.now().toISOString() });
}

/** The rejected rows of an import, after checking the caller may see it. */
export async function importErrors(
  deps: CatalogDeps,
  principal: Principal | null,
  id: string,
): Promise<{ imp: CatalogImport; errors: AsyncIterable<RowError> }> {
  const imp = await getImport(deps, principal, id);
  return { imp, errors: deps.catalog.importErrors(id) };
}

async function requirePartner(deps: CatalogDeps, partnerId: string): Promise<void> {
  if (!(await deps.catalog.getPartner(partnerId))) throw notFound('Partner');
}

function tooLargeCheck(deps: CatalogDeps, size: number): void {
  if (size > deps.settings.maxFileBytes) {
    throw new AppError(ErrorCode.TOO_LARGE, `The file is ${size} bytes; at most ${deps.settings.maxFileBytes} are accepted`, {
      field: 'file',
      maxBytes: deps.settings.maxFileBytes,
    });
  }
}
