/**
 * A deterministic generated catalog for benchmarks: the same seed and index always give the same product, and
 * `productAt(i)` is O(1) (each product has its own PRNG stream), so a benchmark can regenerate any product
 * (e.g. to build queries from real names) without keeping the catalog in memory.
 *
 * - 24,000 pseudo-words built from French/English-ish syllables (some accented), drawn with a Zipf-like law
 *   (weight 1/rank): names use the 6,000 most common ones (~6 words), descriptions all of them (~30 words).
 * - 2,000 brands (Zipf), a 3-level category tree (20 × 8 × 8 = 1,280 leaves, Zipf), 50 partners.
 * - Prices log-uniform from 1.00 to 2,000.00 EUR (2 % without price), stock 0–50 (20 % out, 5 % unknown),
 *   EAN-13 with a valid check digit (90 %), attributes couleur/taille/matière on some products.
 *
 *   node --import tsx bench/catalog/generate.ts --size 100000 --out catalog.csv   (CSV in the import's columns)
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Product } from '../../src/modules/catalog/model.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = [
  'b',
  'c',
  'ch',
  'd',
  'f',
  'g',
  'gr',
  'j',
  'l',
  'm',
  'n',
  'p',
  'pl',
  'r',
  's',
  't',
  'tr',
  'v',
  'br',
  'cl',
  'st',
  'qu',
  'fr',
  'sh',
  'th',
  'w',
  'k',
  'z',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ou', 'ai', 'é', 'è', 'ea', 'oi', 'y', 'ee', 'au', 'ê'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 't', 'nt', 'rd', 'ck', 'ng', 'ss', 'lle', 'tte', 'ment', 'ion', 'ette', 'er'];

/** Zipf-like sampler over `n` ranks (weight 1/(rank+1)^s). */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number, s = 1) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = sum += 1 / Math.pow(i + 1, s);
    for (let i = 0; i < n; i++) this.cdf[i]! /= sum;
  }
  sample(r: number): number {
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function makeWords(n: number, rnd: () => number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  while (out.length < n) {
    const syllables = 1 + Math.floor(rnd() * 3) + (rnd() < 0.3 ? 1 : 0);
    let w = '';
    for (let s = 0; s < syllables; s++) w += pick(ONSETS) + pick(VOWELS) + (s === syllables - 1 ? pick(CODAS) : '');
    if (w.length < 3 || seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

export interface Catalog {
  size: number;
  words: readonly string[];
  brands: readonly string[];
  partners: readonly string[];
  productAt(i: number): Product;
}

const capital = (w: string): string => w[0]!.toUpperCase() + w.slice(1);

function ean13(rnd: () => number): string {
  let digits = '3';
  for (let i = 0; i < 11; i++) digits += Math.floor(rnd() * 10);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + ((10 - (sum % 10)) % 10);
}

function uuid(rnd: () => number): string {
  const h = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[Math.floor(rnd() * 4)]}${h(3)}-${h(12)}`;
}

export function makeCatalog(size: number, seed = 42): Catalog {
  const rnd = mulberry32(seed);
  const words = makeWords(24_000, rnd);
  const brands = makeWords(2_000, mulberry32(seed + 1)).map((w, i) => (i % 3 === 0 ? `${capital(w)} & Co` : capital(w)));
  const partners = Array.from({ length: 50 }, () => uuid(rnd));
  const roots = Array.from({ length: 20 }, (_, i) => capital(words[100 + i]!));
  const mids = Array.from({ length: 8 }, (_, i) => capital(words[200 + i]!));
  const leaves = Array.from({ length: 8 }, (_, i) => capital(words[300 + i]!));
  const nameZipf = new Zipf(6_000, 0.9);
  const descZipf = new Zipf(words.length, 1);
  const brandZipf = new Zipf(brands.length, 0.8);
  const categoryZipf = new Zipf(20 * 8 * 8, 0.7);
  const colors = ['rouge', 'bleu', 'vert', 'noir', 'blanc', 'gris', 'jaune', 'rose', 'beige', 'marron'];
  const sizes = ['XS', 'S', 'M', 'L', 'XL'];
  const materials = ['coton', 'laine', 'bois', 'métal', 'verre', 'cuir'];
  const start = Date.UTC(2024, 0, 1);
  const span = 2 * 365 * 86_400_000;

  const productAt = (i: number): Product => {
    const r = mulberry32((seed * 1_000_003) ^ Math.imul(i + 1, 0x9e3779b1));
    const nName = 4 + Math.floor(r() * 5);
    const name: string[] = [];
    for (let k = 0; k < nName; k++) name.push(words[nameZipf.sample(r())]!);
    name[0] = capital(name[0]!);
    const nDesc = 20 + Math.floor(r() * 21);
    const desc: string[] = [];
    for (let k = 0; k < nDesc; k++) desc.push(words[descZipf.sample(r())]!);
    const leaf = categoryZipf.sample(r());
    const category = [roots[Math.floor(leaf / 64)]!, mids[Math.floor(leaf / 8) % 8]!, leaves[leaf % 8]!];
    const priceMinor = r() < 0.02 ? null : Math.round(100 * Math.pow(2000, r()));
    const stockR = r();
    const stock = stockR < 0.05 ? null : stockR < 0.25 ? 0 : 1 + Math.floor(r() * 50);
    const partner = Math.floor(r() * partners.length);
    const attributes: Record<string, string> = {};
    if (r() < 0.5) attributes.couleur = colors[Math.floor(r() * colors.length)]!;
    if (r() < 0.3) attributes.taille = sizes[Math.floor(r() * sizes.length)]!;
    if (r() < 0.2) attributes['matière'] = materials[Math.floor(r() * materials.length)]!;
    const createdAt = new Date(start + Math.floor(r() * span)).toISOString();
    return {
      id: uuid(r),
      partnerId: partners[partner]!,
      sku: `P${partner}-${String(i).padStart(8, '0')}`,
      name: name.join(' '),
      description: `${capital(desc.join(' '))}.`,
      brand: r() < 0.95 ? brands[brandZipf.sample(r())]! : null,
      category,
      priceMinor,
      currency: priceMinor === null ? null : 'EUR',
      imageUrls: [`https://img.example.test/${i}.jpg`],
      ean: r() < 0.9 ? ean13(r) : null,
      stock,
      url: `https://shop.example.test/p/${i}`,
      attributes,
      status: 'ACTIVE',
      contentHash: '',
      createdAt,
      updatedAt: createdAt,
      lastImportId: null,
      lastImportOutcome: null,
    };
  };
  return { size, words, brands, partners, productAt };
}

const CSV_COLUMNS = [
  'sku',
  'name',
  'description',
  'brand',
  'category',
  'price',
  'currency',
  'ean',
  'stock',
  'url',
  'image',
  'couleur',
  'taille',
  'matière',
];
const csvCell = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes products [0, size) of the catalog as one CSV (comma, UTF-8, header row; category as "A > B > C"). */
export async function writeCsv(catalog: Catalog, file: string): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (s: string): Promise<void> =>
    out.write(s) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
  await write(`${CSV_COLUMNS.join(',')}\n`);
  for (let i = 0; i < catalog.size; i++) {
    const p = catalog.productAt(i);
    const row = [
      p.sku,
      p.name,
      p.description,
      p.brand,
      p.category.join(' > '),
      p.priceMinor === null ? null : (p.priceMinor / 100).toFixed(2),
      p.currency,
      p.ean,
      p.stock,
      p.url,
      p.imageUrls[0],
      p.attributes.couleur,
      p.attributes.taille,
      p.attributes['matière'],
    ];
    await write(`${row.map(csvCell).join(',')}\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' }, out: { type: 'string' } },
  });
  if (!values.out) {
    console.error('usage: generate.ts --size N [--seed S] --out file.csv');
    process.exit(2);
  }
  const catalog = makeCatalog(Number(values.size), Number(values.seed));
  const t0 = performance.now();
  await writeCsv(catalog, values.out);
  console.log(`${catalog.size} products written to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
