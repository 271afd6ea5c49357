import { createHash } from 'node:crypto';
import type { ProductInput } from './model.js';

/**
 * The canonical form of a ProductInput: fields in a fixed order, attributes sorted by name. Two inputs that
 * describe the same product give the same string whatever the order of their keys.
 */
export function canonicalProductJson(p: ProductInput): string {
  const attributes: Record<string, string> = {};
  for (const k of Object.keys(p.attributes).sort()) attributes[k] = p.attributes[k] ?? '';
  return JSON.stringify([
    p.sku,
    p.name,
    p.description,
    p.brand,
    p.category,
    p.priceMinor,
    p.currency,
    p.imageUrls,
    p.ean,
    p.stock,
    p.url,
    attributes,
  ]);
}

/** sha256 (hex) of the canonical JSON: equal hash ⇒ the import reports the row `unchanged`. */
export function productContentHash(p: ProductInput): string {
  return createHash('sha256').update(canonicalProductJson(p)).digest('hex');
}

/** Just the ProductInput fields of a product (drops ids, status, timings). */
export function productInputOf(p: ProductInput): ProductInput {
  return {
    sku: p.sku,
    name: p.name,
    description: p.description,
    brand: p.brand,
    category: p.category,
    priceMinor: p.priceMinor,
    currency: p.currency,
    imageUrls: p.imageUrls,
    ean: p.ean,
    stock: p.stock,
    url: p.url,
    attributes: p.attributes,
  };
}
