import type { ColumnMapping, ProductField } from '../model.js';
import { own, put } from './raw-headers.js';

type MappedField = Exclude<ProductField, 'attribute' | 'ignore'>;

/**
 * Common English and French headers, normalized (see `normalizeHeader`), best first: when several
 * headers match a field, the one matching the earliest name wins (`reference` before `id`), then the
 * first in the file.
 */
export const HEADER_NAMES: Record<MappedField, readonly string[]> = {
  sku: [
    'sku',
    'reference',
    'ref',
    'reference produit',
    'ref produit',
    'code article',
    'item number',
    'item no',
    'product id',
    'product code',
    'code produit',
    'id produit',
    'article',
    'id',
  ],
  name: [
    'name',
    'nom',
    'designation',
    'product name',
    'nom produit',
    'nom du produit',
    'title',
    'titre',
    'libelle',
    'product title',
    'intitule',
  ],
  description: ['description', 'desc', 'descriptif', 'description longue', 'long description'],
  brand: ['brand', 'marque', 'manufacturer', 'fabricant', 'vendor'],
  price: ['price', 'prix', 'prix ttc', 'unit price', 'prix unitaire', 'prix de vente', 'prix ht'],
  currency: ['currency', 'devise', 'currency code', 'monnaie'],
  category: ['category', 'categorie', 'categories', 'category path', 'rayon', 'famille', 'product type'],
  image: [
    'image',
    'image url',
    'images',
    'image link',
    'photo',
    'photos',
    'visuel',
    'picture',
    'main image',
    'image principale',
    'url image',
  ],
  ean: ['ean', 'gtin', 'ean13', 'ean 13', 'gtin13', 'code barre', 'code barres', 'codebarre', 'barcode', 'upc'],
  stock: [
    'stock',
    'quantite',
    'quantity',
    'qty',
    'inventory',
    'qte',
    'quantite en stock',
    'stock quantity',
    'available quantity',
  ],
  url: ['url', 'lien', 'link', 'product url', 'url produit', 'lien produit', 'page url'],
};

const RANK = new Map<string, { field: MappedField; rank: number }>();
for (const [field, names] of Object.entries(HEADER_NAMES) as [MappedField, readonly string[]][]) {
  names.forEach((name, rank) => RANK.set(name, { field, rank }));
}

/**
 * Lowercase, accents stripped (NFD), text in parentheses dropped (`Prix (€)`), every run of spaces,
 * underscores, dashes, dots and other punctuation collapsed to one space: `Référence_Produit` →
 * `reference produit`, `image-URL` → `image url`.
 */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The mapping of `headers`: what `saved` says for the headers it names (by exact header, else by
 * normalized header); then, for each field the saved mapping does not already give, the best header from
 * the dictionary; every other header is an `attribute`.
 */
export function detectMapping(headers: readonly string[], saved: ColumnMapping | null): ColumnMapping {
  const mapping: ColumnMapping = {};
  const savedByNormal = new Map<string, ProductField>();
  for (const [header, field] of Object.entries(saved ?? {})) savedByNormal.set(normalizeHeader(header), field);
  const taken = new Set<ProductField>();
  const pending: string[] = [];
  for (const header of headers) {
    const field = own(saved ?? undefined, header) ?? savedByNormal.get(normalizeHeader(header));
    if (field !== undefined) {
      put(mapping, header, field);
      taken.add(field);
    } else {
      pending.push(header);
    }
  }
  const best = new Map<MappedField, { header: string; rank: number }>();
  for (const header of pending) {
    const hit = RANK.get(normalizeHeader(header));
    if (!hit || taken.has(hit.field)) continue;
    const current = best.get(hit.field);
    if (!current || hit.rank < current.rank) best.set(hit.field, { header, rank: hit.rank });
  }
  const chosen = new Map<string, MappedField>();
  for (const [field, { header }] of best) chosen.set(header, field);
  for (const header of pending) put(mapping, header, chosen.get(header) ?? 'attribute');
  return mapping;
}

const REQUIRED: readonly ProductField[] = ['sku', 'name'];

/** Required fields (sku, name) that no header of `mapping` gives, in that order. */
export function missingRequiredFields(mapping: ColumnMapping): ProductField[] {
  const given = new Set(Object.values(mapping));
  return REQUIRED.filter((f) => !given.has(f));
}
