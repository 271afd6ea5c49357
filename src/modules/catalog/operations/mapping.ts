import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import type { Principal } from '../../identity/index.js';
import type { CatalogDeps } from '../deps.js';
import type { ColumnMapping, ProductField } from '../model.js';
import { requirePartnerAccess } from '../policy.js';

export const PRODUCT_FIELDS = [
  'sku',
  'name',
  'description',
  'brand',
  'price',
  'currency',
  'category',
  'image',
  'ean',
  'stock',
  'url',
  'attribute',
  'ignore',
] as const satisfies readonly ProductField[];

/** Header → field. Each product field but `attribute`, `image` and `ignore` may be named by one header only. */
export const columnMapping = z
  .record(z.string().min(1).max(200), z.enum(PRODUCT_FIELDS))
  .refine((m) => Object.keys(m).length <= 500, 'at most 500 columns')
  .superRefine((m, ctx) => {
    const seen = new Map<string, string>();
    for (const [header, field] of Object.entries(m)) {
      if (field === 'attribute' || field === 'ignore' || field === 'image') continue;
      const first = seen.get(field);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [header], message: `"${field}" is already mapped from "${first}"` });
      } else seen.set(field, header);
    }
  });

export async function getMapping(
  deps: CatalogDeps,
  principal: Principal | null,
  partnerId: string,
): Promise<ColumnMapping | null> {
  await requirePartnerAccess(deps.catalog, principal, partnerId);
  return deps.catalog.getMapping(partnerId);
}

/** Saves the partner's explicit mapping: it wins over detection for the headers it names. */
export async function saveMapping(
  deps: CatalogDeps,
  principal: Principal | null,
  partnerId: string,
  input: unknown,
): Promise<ColumnMapping> {
  await requirePartnerAccess(deps.catalog, principal, partnerId);
  const mapping = parseWith(columnMapping, input);
  await deps.catalog.saveMapping(partnerId, mapping);
  return mapping;
}
