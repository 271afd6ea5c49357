import { createHash } from 'node:crypto';
import type { Product } from '../../model.js';
import type { FacetValue, SearchQuery, SearchResult, SearchSort } from '../search-index.js';
import { PRICE_FACET_BOUNDS } from '../search-index.js';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js';
import { priceBucket, priceFacet, topValues } from './facets.js';
import type { MatchedTerms } from './highlight.js';
import { fold, hasNonAscii, normalizeCode, scanTokens, surfaceTokens, tokenize } from './tokenizer.js';
import { MAX_PREFIX_TERMS, MAX_TYPO_TERMS, Vocabulary, type Expansion } from './vocabulary.js';

/**
 * The in-memory inverted index behind EmbeddedSearchIndex. Everything hot lives in typed arrays:
 *
 * - Documents are numbered in insertion order. An update appends a new document and kills the old one (tombstone);
 *   `compact()` drops dead documents when they pile up. So postings stay sorted by document and are append-only.
 * - Postings: one Uint32Array per term, entries `doc * 16 + fieldMask` (name 1, brand 2, category 4, description 8).
 * - Columns per document: price, stock, createdAt, brand id, partner id, category leaf id, sort keys.
 * - SKU and EAN are not text tokens: they are looked up as whole values in an open-addressing table of 32-bit hashes,
 *   checked against a second 32-bit hash kept per document (64 bits in all).
 *
 * A search is synchronous and allocation-light: per-document scratch arrays are reused between queries (JS runs one
 * query at a time), scores are accumulated over posting lists and the top k is kept in a bounded heap.
 */

export const FIELD_NAME = 1;
export const FIELD_BRAND = 2;
export const FIELD_CATEGORY = 4;
export const FIELD_DESCRIPTION = 8;
/** Rank of the best field of a field mask: name 0, brand 1, category 2, description 3. */
const BEST_FIELD = Uint8Array.from({ length: 16 }, (_, m) => (m & 1 ? 0 : m & 2 ? 1 : m & 4 ? 2 : 3));
const MAX_WORDS = 10;
/** The score of a pinned exact SKU/EAN match: better than any text score. */
const PINNED = -1;
/** Above this many candidates, totals and facets are estimated from a sample (see `search`). */
export const DEFAULT_EXACT_COUNT_LIMIT = 50_000;
/** Target sample size for estimated counts. */
export const DEFAULT_SAMPLE_SIZE = 20_000;
/** A sample with fewer hits than sampleSize / this (after filters) is not trusted: the rest is counted exactly. */
const MIN_SAMPLE_HITS_DIVISOR = 20;

export interface SearchEngineOptions {
  /** Candidates (matches before filters) above which totals and facets are estimated; default 50,000. */
  exactCountLimit?: number;
  /** Documents counted when estimating; default 20,000. */
  sampleSize?: number;
}

export interface EngineSearchResult {
  productIds: string[];
  total: number;
  totalIsExact: boolean;
  facetsAreExact: boolean;
  facets: SearchResult['facets'];
  nextCursor: string | null;
  matched: MatchedTerms;
}

export interface EngineSuggestion {
  /** Earlier words as typed, folded. */
  before: string[];
  /** The completed last word (display form) and how many characters of it the user typed. */
  word: string;
  typed: number;
}

function hash32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
const H1 = 0x811c9dc5;
const H2 = 0x2545f491;

/** Order-preserving numeric key of a string's first 6 UTF-16 units (clamped to 255): equal keys compare by string. */
function stringKey(s: string): number {
  let k = 0;
  for (let i = 0; i < 6; i++) k = k * 256 + (i < s.length ? Math.min(s.charCodeAt(i), 255) : 0);
  return k;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class Growable {
  arr: Uint32Array;
  len = 0;
  constructor(capacity = 4) {
    this.arr = new Uint32Array(capacity);
  }
  push(v: number): void {
    if (this.len === this.arr.length) {
      const next = new Uint32Array(Math.max(4, Math.ceil(this.arr.length * 1.5)));
      next.set(this.arr);
      this.arr = next;
    }
    this.arr[this.len++] = v;
  }
  trim(): void {
    if (this.arr.length !== this.len) this.arr = this.arr.slice(0, this.len);
  }
}

/** Interns strings to ids 1..n (0 = none). */
class Dictionary {
  readonly names: string[] = [''];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
  find(name: string): number | undefined {
    return this.ids.get(name);
  }
  get size(): number {
    return this.names.length;
  }
}

function grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, size: number, make: (n: number) => T): T {
  if (a.length >= size) return a;
  const next = make(Math.max(size, Math.ceil(a.length * 1.5), 1024));
  next.set(a);
  return next;
}

/** A typed array as stored in a snapshot. */
export type StoredArray = Float64Array | Uint32Array | Int32Array | Uint8Array;

/** Everything an engine holds, as JSON-able metadata and typed arrays (see `snapshot.ts`). */
export interface EngineState {
  meta: {
    n: number;
    live: number;
    codeCount: number;
    brands: string[];
    partners: string[];
    categories: string[];
    categoryParent: number[];
    attributeKeys: string[];
    terms: string[];
    display: (string | null)[];
  };
  /** Product ids and folded names per document: large, stored outside the JSON metadata. */
  strings: { ids: string[]; names: string[] };
  /** Typed arrays; a list of Uint32Array segments stands for their concatenation (written without copying). */
  arrays: Record<string, StoredArray | Uint32Array[]>;
}

const COLUMNS = [
  'alive',
  'price',
  'stock',
  'created',
  'brand',
  'partner',
  'category',
  'idKey',
  'nameKey',
  'skuHash',
  'eanHash',
] as const;

/** Lists as offsets + segments (views: nothing copied). */
function listSegments(lists: readonly Growable[]): { offsets: Uint32Array; data: Uint32Array[] } {
  const offsets = new Uint32Array(lists.length + 1);
  let total = 0;
  lists.forEach((l, i) => {
    offsets[i] = total;
    total += l.len;
  });
  offsets[lists.length] = total;
  return { offsets, data: lists.map((l) => l.arr.subarray(0, l.len)) };
}

export class SearchEngine {
  readonly vocabulary = new Vocabulary();
  private readonly exactCountLimit: number;
  private readonly sampleSize: number;

  constructor(options: SearchEngineOptions = {}) {
    this.exactCountLimit = options.exactCountLimit ?? DEFAULT_EXACT_COUNT_LIMIT;
    this.sampleSize = Math.min(options.sampleSize ?? DEFAULT_SAMPLE_SIZE, this.exactCountLimit);
  }

  private postings: Growable[] = [];
  private termFields = new Uint8Array(1024);
  private termScratch = new Uint8Array(1024);

  private n = 0;
  private live = 0;
  private ids: string[] = [];
  private readonly docOf = new Map<string, number>();
  private alive = new Uint8Array(0);
  private price = new Float64Array(0);
  private stock = new Int32Array(0);
  private created = new Float64Array(0);
  private brand = new Uint32Array(0);
  private partner = new Uint32Array(0);
  private category = new Uint32Array(0);
  private idKey = new Float64Array(0);
  private nameKey = new Float64Array(0);
  private names: string[] = [];
  private skuHash = new Uint32Array(0);
  private eanHash = new Uint32Array(0);

  private readonly brands = new Dictionary();
  private readonly partners = new Dictionary();
  /** Category nodes by full path joined with " > "; parent of each node (0 = root). */
  private readonly categories = new Dictionary();
  private categoryParent: number[] = [0];
  private readonly attributes = new Map<string, Growable>();

  private codeKeys = new Uint32Array(1024);
  private codeDocs = new Int32Array(1024).fill(-1);
  private codeCount = 0;

  // Per-query scratch, indexed by document.
  private wordCount = new Uint8Array(0);
  private wordBest = new Uint8Array(0);
  private score = new Int32Array(0);
  private attrStamp = new Uint32Array(0);
  private matchStamp = new Uint32Array(0);
  private stamp = 0;
  private cand = new Uint32Array(0);

  get size(): number {
    return this.live;
  }

  has(productId: string): boolean {
    return this.docOf.has(productId);
  }

  private ensureDocs(size: number): void {
    if (this.alive.length >= size) return;
    this.alive = grow(this.alive, size, (k) => new Uint8Array(k));
    const cap = this.alive.length;
    const g = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, make: (k: number) => T): T =>
      grow(a, cap, make);
    this.price = g(this.price, (k) => new Float64Array(k));
    this.stock = g(this.stock, (k) => new Int32Array(k));
    this.created = g(this.created, (k) => new Float64Array(k));
    this.brand = g(this.brand, (k) => new Uint32Array(k));
    this.partner = g(this.partner, (k) => new Uint32Array(k));
    this.category = g(this.category, (k) => new Uint32Array(k));
    this.idKey = g(this.idKey, (k) => new Float64Array(k));
    this.nameKey = g(this.nameKey, (k) => new Float64Array(k));
    this.skuHash = g(this.skuHash, (k) => new Uint32Array(k));
    this.eanHash = g(this.eanHash, (k) => new Uint32Array(k));
    this.wordCount = g(this.wordCount, (k) => new Uint8Array(k));
    this.wordBest = g(this.wordBest, (k) => new Uint8Array(k));
    this.score = g(this.score, (k) => new Int32Array(k));
    this.attrStamp = g(this.attrStamp, (k) => new Uint32Array(k));
    this.matchStamp = g(this.matchStamp, (k) => new Uint32Array(k));
    this.cand = g(this.cand, (k) => new Uint32Array(k));
  }

  /** The node of a category path. Nodes are keyed by their path joined with " > " (the facet value). */
  private categoryNode(path: readonly string[]): number {
    if (path.length === 0) return 0;
    const known = this.categories.find(path.join(' > '));
    if (known !== undefined) return known;
    let node = 0;
    let key = '';
    for (const part of path) {
      key = key ? `${key} > ${part}` : part;
      const found = this.categories.find(key);
      if (found !== undefined) {
        node = found;
        continue;
      }
      const id = this.categories.id(key);
      this.categoryParent[id] = node;
      node = id;
    }
    return node;
  }

  private readonly touched: number[] = [];
  private field = 0;
  private onToken: ((buf: Uint16Array, len: number) => void) | null = null;

  private termIdOf(buf: Uint16Array, len: number): number {
    const id = this.vocabulary.getOrAddBuffer(buf, len);
    if (id === this.postings.length) {
      this.postings.push(new Growable(2));
      if (id >= this.termFields.length) {
        this.termFields = grow(this.termFields, id + 1, (k) => new Uint8Array(k));
        this.termScratch = grow(this.termScratch, id + 1, (k) => new Uint8Array(k));
      }
    }
    return id;
  }

  /** Adds or replaces an ACTIVE product; an ARCHIVED one is removed. */
  upsert(p: Product): void {
    const old = this.docOf.get(p.id);
    if (old !== undefined) this.kill(old);
    if (p.status !== 'ACTIVE') return;
    const d = this.n++;
    this.ensureDocs(this.n);
    this.live++;
    this.alive[d] = 1;
    this.ids[d] = p.id;
    this.docOf.set(p.id, d);
    this.idKey[d] = stringKey(p.id);
    const folded = fold(p.name);
    this.names[d] = folded;
    this.nameKey[d] = stringKey(folded);
    this.price[d] = p.priceMinor ?? Number.NaN;
    this.stock[d] = p.stock ?? -1;
    this.created[d] = Date.parse(p.createdAt) || 0;
    this.brand[d] = p.brand ? this.brands.id(p.brand) : 0;
    this.partner[d] = this.partners.id(p.partnerId);
    this.category[d] = this.categoryNode(p.category);

    const touched = this.touched;
    touched.length = 0;
    let field = 0;
    const onToken =
      this.onToken ??
      (this.onToken = (buf: Uint16Array, len: number): void => {
        const id = this.termIdOf(buf, len);
        const s = this.termScratch;
        if (s[id] === 0) this.touched.push(id);
        s[id]! |= this.field;
      });
    const add = (text: string, f: number): void => {
      field = f;
      this.field = field;
      scanTokens(text, onToken);
    };
    add(p.name, FIELD_NAME);
    if (p.brand) add(p.brand, FIELD_BRAND);
    for (const c of p.category) add(c, FIELD_CATEGORY);
    if (p.description) add(p.description, FIELD_DESCRIPTION);
    const s = this.termScratch;
    let newNameTerm = false;
    for (const id of touched) {
      const m = s[id]!;
      this.postings[id]!.push(d * 16 + m);
      if ((m & FIELD_NAME) !== 0 && (this.termFields[id]! & FIELD_NAME) === 0) newNameTerm = true;
      this.termFields[id]! |= m;
      s[id] = 0;
    }
    // Display forms (accents) for suggestions: learnt from the first name a term appears in.
    if (newNameTerm && hasNonAscii(p.name)) this.learnDisplay(p.name);

    const sku = normalizeCode(p.sku);
    this.skuHash[d] = hash32(sku, H2);
    this.addCode(hash32(sku, H1), d);
    if (p.ean) {
      const ean = normalizeCode(p.ean);
      this.eanHash[d] = hash32(ean, H2);
      this.addCode(hash32(ean, H1), d);
    } else this.eanHash[d] = 0;
    for (const [name, value] of Object.entries(p.attributes)) {
      const key = `${name}\u0000${value}`;
      let list = this.attributes.get(key);
      if (!list) this.attributes.set(key, (list = new Growable(2)));
      list.push(d);
    }
  }

  private learnDisplay(text: string): void {
    const folded = tokenize(text);
    const surface = surfaceTokens(text);
    if (folded.length !== surface.length) return;
    for (let i = 0; i < folded.length; i++) {
      const id = this.vocabulary.get(folded[i]!);
      if (id !== undefined && this.vocabulary.display[id] === undefined && surface[i] !== folded[i]) {
        this.vocabulary.display[id] = surface[i];
      }
    }
  }

  private addCode(h: number, d: number): void {
    if ((this.codeCount + 1) * 2 > this.codeKeys.length) this.rehashCodes(this.codeKeys.length * 2);
    const mask = this.codeKeys.length - 1;
    let i = h & mask;
    while (this.codeDocs[i]! !== -1) i = (i + 1) & mask;
    this.codeKeys[i] = h;
    this.codeDocs[i] = d;
    this.codeCount++;
  }

  private rehashCodes(size: number, remap?: Int32Array): void {
    const keys = this.codeKeys;
    const docs = this.codeDocs;
    this.codeKeys = new Uint32Array(size);
    this.codeDocs = new Int32Array(size).fill(-1);
    this.codeCount = 0;
    const mask = size - 1;
    for (let j = 0; j < keys.length; j++) {
      let d = docs[j]!;
      if (d === -1) continue;
      if (remap) {
        d = remap[d]!;
        if (d === -1) continue;
      }
      let i = keys[j]! & mask;
      while (this.codeDocs[i]! !== -1) i = (i + 1) & mask;
      this.codeKeys[i] = keys[j]!;
      this.codeDocs[i] = d;
      this.codeCount++;
    }
  }

  /** Live documents whose SKU or EAN is exactly `code`. */
  private lookupCode(code: string): number[] {
    if (!code) return [];
    const h1 = hash32(code, H1);
    const h2 = hash32(code, H2);
    const mask = this.codeKeys.length - 1;
    const out: number[] = [];
    for (let i = h1 & mask; this.codeDocs[i]! !== -1; i = (i + 1) & mask) {
      const d = this.codeDocs[i]!;
      if (
        this.codeKeys[i] === h1 &&
        this.alive[d] === 1 &&
        (this.skuHash[d] === h2 || this.eanHash[d] === h2) &&
        !out.includes(d)
      ) {
        out.push(d);
      }
    }
    return out;
  }

  remove(productId: string): void {
    const d = this.docOf.get(productId);
    if (d !== undefined) this.kill(d);
  }

  private kill(d: number): void {
    this.alive[d] = 0;
    this.live--;
    this.docOf.delete(this.ids[d]!);
    this.names[d] = '';
    if (this.n - this.live > Math.max(50_000, this.n >>> 2)) this.compact();
  }

  /** Drops dead documents from postings and columns, renumbering the live ones (order kept). */
  compact(): void {
    const remap = new Int32Array(this.n).fill(-1);
    let m = 0;
    for (let d = 0; d < this.n; d++) if (this.alive[d] === 1) remap[d] = m++;
    const move = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): void => {
      for (let d = 0; d < this.n; d++) if (remap[d]! >= 0) a[remap[d]!] = a[d]!;
    };
    for (const a of [
      this.price,
      this.stock,
      this.created,
      this.brand,
      this.partner,
      this.category,
      this.idKey,
      this.nameKey,
      this.skuHash,
      this.eanHash,
    ]) {
      move(a);
    }
    const ids: string[] = new Array<string>(m);
    const names: string[] = new Array<string>(m);
    for (let d = 0; d < this.n; d++) {
      const to = remap[d]!;
      if (to < 0) continue;
      ids[to] = this.ids[d]!;
      names[to] = this.names[d]!;
      this.docOf.set(this.ids[d]!, to);
    }
    this.ids = ids;
    this.names = names;
    this.alive.fill(0);
    this.alive.fill(1, 0, m);
    for (const list of this.postings) {
      let k = 0;
      for (let i = 0; i < list.len; i++) {
        const e = list.arr[i]!;
        const to = remap[e >>> 4]!;
        if (to >= 0) list.arr[k++] = to * 16 + (e & 15);
      }
      list.len = k;
    }
    for (const [key, list] of this.attributes) {
      let k = 0;
      for (let i = 0; i < list.len; i++) {
        const to = remap[list.arr[i]!]!;
        if (to >= 0) list.arr[k++] = to;
      }
      list.len = k;
      if (k === 0) this.attributes.delete(key);
    }
    this.rehashCodes(this.codeKeys.length, remap);
    this.n = m;
    this.live = m;
  }

  /** Releases spare capacity (after a bulk load). */
  trim(): void {
    for (const p of this.postings) p.trim();
    for (const a of this.attributes.values()) a.trim();
    const cap = Math.max(this.n, 1024);
    const fit = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): T =>
      a.length > cap ? (a.slice(0, cap) as T) : a;
    this.alive = fit(this.alive);
    this.price = fit(this.price);
    this.stock = fit(this.stock);
    this.created = fit(this.created);
    this.brand = fit(this.brand);
    this.partner = fit(this.partner);
    this.category = fit(this.category);
    this.idKey = fit(this.idKey);
    this.nameKey = fit(this.nameKey);
    this.skuHash = fit(this.skuHash);
    this.eanHash = fit(this.eanHash);
    this.wordCount = fit(this.wordCount);
    this.wordBest = fit(this.wordBest);
    this.score = fit(this.score);
    this.attrStamp = fit(this.attrStamp);
    this.matchStamp = fit(this.matchStamp);
    this.cand = fit(this.cand);
  }

  /** Bytes held in typed arrays (postings, columns, code table, scratch). Strings and maps come on top. */
  typedArrayBytes(): number {
    let b = 0;
    for (const p of this.postings) b += p.arr.byteLength;
    for (const a of this.attributes.values()) b += a.arr.byteLength;
    for (const a of [
      this.alive,
      this.price,
      this.stock,
      this.created,
      this.brand,
      this.partner,
      this.category,
      this.idKey,
      this.nameKey,
      this.skuHash,
      this.eanHash,
      this.wordCount,
      this.wordBest,
      this.score,
      this.attrStamp,
      this.matchStamp,
      this.cand,
      this.codeKeys,
      this.codeDocs,
      this.termFields,
      this.termScratch,
    ]) {
      b += a.byteLength;
    }
    return b;
  }

  /** The whole index (live and dead documents as they are; scratch excluded), for a snapshot. */
  exportState(): EngineState {
    const n = this.n;
    const arrays: EngineState['arrays'] = {};
    for (const c of COLUMNS) arrays[c] = this[c].subarray(0, n);
    const postings = listSegments(this.postings);
    arrays.postingOffsets = postings.offsets;
    arrays.postings = postings.data;
    const attributes = listSegments([...this.attributes.values()]);
    arrays.attributeOffsets = attributes.offsets;
    arrays.attributes = attributes.data;
    arrays.codeKeys = this.codeKeys;
    arrays.codeDocs = this.codeDocs;
    arrays.termFields = this.termFields.subarray(0, this.postings.length);
    return {
      meta: {
        n,
        live: this.live,
        codeCount: this.codeCount,
        brands: this.brands.names.slice(1),
        partners: this.partners.names.slice(1),
        categories: this.categories.names.slice(1),
        categoryParent: this.categoryParent,
        attributeKeys: [...this.attributes.keys()],
        terms: this.vocabulary.terms,
        display: this.vocabulary.display.map((d) => d ?? null),
      },
      strings: { ids: this.ids.slice(0, n), names: this.names.slice(0, n) },
      arrays,
    };
  }

  /** An engine holding `state` (from `exportState`); typed arrays are used in place, not copied. */
  static importState(state: EngineState, options: SearchEngineOptions = {}): SearchEngine {
    const e = new SearchEngine(options);
    const { meta, arrays } = state;
    const need = <T extends StoredArray>(name: string, type: new (n: number) => T): T => {
      const a = arrays[name];
      if (!(a instanceof type)) throw new Error(`snapshot: array ${name} missing or of the wrong type`);
      return a;
    };
    const n = meta.n;
    meta.terms.forEach((t, i) => {
      if (e.vocabulary.getOrAdd(t) !== i) throw new Error('snapshot: duplicate term');
      const d = meta.display[i];
      if (d !== null && d !== undefined) e.vocabulary.display[i] = d;
    });
    const offsets = need('postingOffsets', Uint32Array);
    const data = need('postings', Uint32Array);
    if (offsets.length !== meta.terms.length + 1) throw new Error('snapshot: postings do not match the vocabulary');
    for (let t = 0; t < meta.terms.length; t++) {
      const g = new Growable(0);
      g.arr = data.subarray(offsets[t], offsets[t + 1]);
      g.len = g.arr.length;
      e.postings.push(g);
    }
    e.termFields = grow(need('termFields', Uint8Array), meta.terms.length, (k) => new Uint8Array(k));
    e.termScratch = new Uint8Array(e.termFields.length);
    const aOffsets = need('attributeOffsets', Uint32Array);
    const aData = need('attributes', Uint32Array);
    meta.attributeKeys.forEach((key, i) => {
      const g = new Growable(0);
      g.arr = aData.subarray(aOffsets[i], aOffsets[i + 1]);
      g.len = g.arr.length;
      e.attributes.set(key, g);
    });
    for (const b of meta.brands) e.brands.id(b);
    for (const p of meta.partners) e.partners.id(p);
    for (const c of meta.categories) e.categories.id(c);
    e.categoryParent = meta.categoryParent;
    e.codeKeys = need('codeKeys', Uint32Array);
    e.codeDocs = need('codeDocs', Int32Array);
    e.codeCount = meta.codeCount;
    e.alive = need('alive', Uint8Array);
    e.price = need('price', Float64Array);
    e.stock = need('stock', Int32Array);
    e.created = need('created', Float64Array);
    e.brand = need('brand', Uint32Array);
    e.partner = need('partner', Uint32Array);
    e.category = need('category', Uint32Array);
    e.idKey = need('idKey', Float64Array);
    e.nameKey = need('nameKey', Float64Array);
    e.skuHash = need('skuHash', Uint32Array);
    e.eanHash = need('eanHash', Uint32Array);
    for (const c of COLUMNS) if (e[c].length !== n) throw new Error(`snapshot: column ${c} has the wrong length`);
    e.ids = state.strings.ids;
    e.names = state.strings.names;
    if (e.ids.length !== n || e.names.length !== n) throw new Error('snapshot: ids or names of the wrong length');
    for (let d = 0; d < n; d++) if (e.alive[d] === 1) e.docOf.set(e.ids[d]!, d);
    e.n = n;
    e.live = meta.live;
    if (e.docOf.size !== e.live) throw new Error('snapshot: live count mismatch');
    e.wordCount = new Uint8Array(n);
    e.wordBest = new Uint8Array(n);
    e.score = new Int32Array(n);
    e.attrStamp = new Uint32Array(n);
    e.matchStamp = new Uint32Array(n);
    e.cand = new Uint32Array(n);
    return e;
  }

  private df = (term: number): number => this.postings[term]!.len;

  /** Vocabulary expansions of one query word: itself, typo variants, and (last word) prefix completions. */
  private expand(word: string, prefix: boolean): Expansion[] {
    const out: Expansion[] = [];
    const seen = new Set<number>();
    const self = this.vocabulary.get(word);
    if (self !== undefined) {
      out.push({ term: self, typos: 0, exact: true });
      seen.add(self);
    }
    if (prefix) {
      for (const t of this.vocabulary.withPrefix(word, this.df, MAX_PREFIX_TERMS)) {
        if (!seen.has(t)) out.push({ term: t, typos: 0, exact: false });
        seen.add(t);
      }
    }
    for (const e of this.vocabulary.withTypos(word, this.df, MAX_TYPO_TERMS)) {
      if (!seen.has(e.term)) out.push(e);
      seen.add(e.term);
    }
    return out;
  }

  search(query: SearchQuery): EngineSearchResult {
    const { filters, sort } = query;
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          query.q,
          sort,
          filters.partnerIds,
          filters.brands,
          filters.categoryPrefix,
          filters.priceMinMinor,
          filters.priceMaxMinor,
          filters.inStock,
          filters.attributes ? Object.entries(filters.attributes).sort() : null,
        ]),
      )
      .digest('base64url')
      .slice(0, 16);
    const after: CursorKey | null = query.cursor ? decodeCursor(query.cursor, sort, fingerprint) : null;
    const words = tokenize(query.q).slice(0, MAX_WORDS);
    const endsWithSeparator = /[^\p{L}\p{N}]$/u.test(query.q);

    // 1. Candidates: documents matching every word (dropping words from the end while nothing matches).
    const matchedTerms = new Set<string>();
    let prefix: string | null = null;
    let nCand = 0;
    const cand = this.cand;
    const score = this.score;
    const pinned = this.lookupCode(normalizeCode(query.q));
    let matchStamp = 0;
    if (words.length === 0) {
      for (let d = 0; d < this.n; d++) {
        if (this.alive[d] === 1) {
          cand[nCand++] = d;
          score[d] = 0;
        }
      }
    } else {
      const expansions = words.map((w, i) => this.expand(w, i === words.length - 1 && !endsWithSeparator));
      let used = words.length;
      for (; used > 0; used--) {
        matchStamp = this.nextStamp();
        nCand = this.matchAll(expansions.slice(0, used), matchStamp);
        if (nCand > 0) break;
      }
      for (let i = 0; i < used; i++) for (const e of expansions[i]!) matchedTerms.add(this.vocabulary.terms[e.term]!);
      if (used === words.length && !endsWithSeparator) prefix = words[words.length - 1]!;
    }
    for (const d of pinned) {
      const already = words.length === 0 || (this.matchStamp[d] === matchStamp && this.wordCount[d] === 0xff);
      if (!already) cand[nCand++] = d;
      score[d] = PINNED;
    }

    // 2. Filters.
    const partnerOk = filters.partnerIds ? this.allowed(this.partners, filters.partnerIds) : null;
    const brandOk = filters.brands ? this.allowed(this.brands, filters.brands) : null;
    let categoryOk: Uint8Array | null = null;
    if (filters.categoryPrefix && filters.categoryPrefix.length > 0) {
      categoryOk = new Uint8Array(this.categories.size);
      const root = this.categories.find(filters.categoryPrefix.join(' > '));
      if (root !== undefined) {
        for (let c = 1; c < this.categories.size; c++) {
          for (let x = c; x !== 0; x = this.categoryParent[x]!) {
            if (x === root) {
              categoryOk[c] = 1;
              break;
            }
          }
        }
      }
    }
    const minPrice = filters.priceMinMinor ?? null;
    const maxPrice = filters.priceMaxMinor ?? null;
    const inStock = filters.inStock ?? null;
    let attrNeeded = 0;
    const attrStamp = this.attrStamp;
    const attrEntries = filters.attributes ? Object.entries(filters.attributes) : [];
    if (attrEntries.length > 0) {
      // Documents having every attribute: counted with stamp + k for the k-th attribute.
      const attrBase = this.nextStamp();
      this.stamp += attrEntries.length + 1;
      attrNeeded = attrBase + attrEntries.length;
      attrEntries.forEach(([name, value], k) => {
        const list = this.attributes.get(`${name}\u0000${value}`);
        if (!list) return;
        for (let i = 0; i < list.len; i++) {
          const d = list.arr[i]!;
          if (attrStamp[d] === attrBase + k) attrStamp[d] = attrBase + k + 1;
          else if (k === 0) attrStamp[d] = attrBase + 1;
        }
      });
    }

    // 3. One pass over the candidates: filters, facets, cursor, bounded top-k heap.
    const wantBrand = query.facets.includes('brand');
    const wantPartner = query.facets.includes('partner');
    const wantCategory = query.facets.includes('category');
    const wantPrice = query.facets.includes('price');
    const brandCounts = new Uint32Array(wantBrand ? this.brands.size : 0);
    const partnerCounts = new Uint32Array(wantPartner ? this.partners.size : 0);
    const categoryCounts = new Uint32Array(wantCategory ? this.categories.size : 0);
    const priceCounts = new Uint32Array(wantPrice ? PRICE_FACET_BOUNDS.length + 1 : 0);

    const primary = this.primaryOf(sort, score);
    const relevance = sort === 'relevance';
    const k = query.limit + 1;
    const heapDoc = new Int32Array(k);
    const heapKey = new Float64Array(k);
    let heapSize = 0;
    const nameSort = sort === 'name';
    const cursorPrimary = after ? (after.primary ?? Number.POSITIVE_INFINITY) : 0;
    const cursorIdKey = after ? stringKey(after.productId) : 0;
    const cursorNameKey = after?.name != null ? stringKey(after.name) : 0;
    const cursorName = after?.name ?? '';
    const cursorId = after?.productId ?? '';
    // Does document a (key ka) rank before document b (key kb)? Either may be -1: the cursor's position.
    const before = (ka: number, a: number, kb: number, b: number): boolean => {
      if (ka !== kb) return ka < kb;
      if (nameSort) {
        const na = a === -1 ? cursorNameKey : this.nameKey[a]!;
        const nb = b === -1 ? cursorNameKey : this.nameKey[b]!;
        if (na !== nb) return na < nb;
        const c = cmpStr(a === -1 ? cursorName : this.names[a]!, b === -1 ? cursorName : this.names[b]!);
        if (c !== 0) return c < 0;
      }
      const ia = a === -1 ? cursorIdKey : this.idKey[a]!;
      const ib = b === -1 ? cursorIdKey : this.idKey[b]!;
      if (ia !== ib) return ia < ib;
      return (a === -1 ? cursorId : this.ids[a]!) < (b === -1 ? cursorId : this.ids[b]!);
    };
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heapSize) return;
        const r = l + 1;
        // The heap keeps the WORST ranked hit at its root.
        let w = l;
        if (r < heapSize && before(heapKey[l]!, heapDoc[l]!, heapKey[r]!, heapDoc[r]!)) w = r;
        if (!before(heapKey[i]!, heapDoc[i]!, heapKey[w]!, heapDoc[w]!)) return;
        const td = heapDoc[i]!;
        const tk = heapKey[i]!;
        heapDoc[i] = heapDoc[w]!;
        heapKey[i] = heapKey[w]!;
        heapDoc[w] = td;
        heapKey[w] = tk;
        i = w;
      }
    };

    const passes = (d: number): boolean => {
      if (partnerOk && partnerOk[this.partner[d]!] !== 1) return false;
      if (brandOk && brandOk[this.brand[d]!] !== 1) return false;
      if (categoryOk && categoryOk[this.category[d]!] !== 1) return false;
      if (minPrice !== null || maxPrice !== null) {
        const p = this.price[d]!;
        if (Number.isNaN(p) || (minPrice !== null && p < minPrice) || (maxPrice !== null && p > maxPrice)) return false;
      }
      if (inStock !== null && this.stock[d]! > 0 !== inStock) return false;
      if (attrNeeded !== 0 && attrStamp[d] !== attrNeeded) return false;
      return true;
    };
    const count = (d: number): void => {
      if (wantBrand) brandCounts[this.brand[d]!]!++;
      if (wantPartner) partnerCounts[this.partner[d]!]!++;
      if (wantCategory) categoryCounts[this.category[d]!]!++;
      if (wantPrice) {
        const p = this.price[d]!;
        if (!Number.isNaN(p)) priceCounts[priceBucket(p)]!++;
      }
    };

    // Bounded work on huge match sets: above `exactCountLimit` candidates, the total and the facets are counted on a
    // deterministic sample of about `sampleSize` documents (a multiplicative hash of the document number below a cut)
    // and scaled; the others are only ranked, and a document that cannot enter the top k (numeric key worse than the
    // worst kept hit, or not after the cursor) is rejected before any filter. Hits and cursors stay exact.
    const sampling = nCand > this.exactCountLimit;
    const sampleCut = sampling ? Math.floor((this.sampleSize / nCand) * 4294967296) : 0;
    let sampled = 0;
    let total = 0;
    for (let c = 0; c < nCand; c++) {
      const d = cand[c]!;
      const key = relevance ? score[d]! : primary(d);
      if (sampling && Math.imul(d, 0x9e3779b1) >>> 0 >= sampleCut) {
        if (heapSize === k && key > heapKey[0]!) continue;
        if (after && key < cursorPrimary) continue;
        if (!passes(d)) continue;
      } else {
        sampled++;
        if (!passes(d)) continue;
        total++;
        count(d);
      }
      // Only hits strictly after the cursor (numeric fast path first).
      if (after && (key < cursorPrimary || (key === cursorPrimary && !before(cursorPrimary, -1, key, d)))) continue;
      // Worse than the worst kept hit: out (numeric fast path before the full comparison).
      if (heapSize === k && key > heapKey[0]!) continue;
      if (heapSize < k) {
        let i = heapSize++;
        heapDoc[i] = d;
        heapKey[i] = key;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!before(heapKey[parent]!, heapDoc[parent]!, heapKey[i]!, heapDoc[i]!)) break;
          const td = heapDoc[i]!;
          const tk = heapKey[i]!;
          heapDoc[i] = heapDoc[parent]!;
          heapKey[i] = heapKey[parent]!;
          heapDoc[parent] = td;
          heapKey[parent] = tk;
          i = parent;
        }
      } else if (before(key, d, heapKey[0]!, heapDoc[0]!)) {
        heapDoc[0] = d;
        heapKey[0] = key;
        siftDown(0);
      }
    }

    // A sample with few hits (selective filters) estimates badly: count the rest exactly.
    let exact = !sampling;
    if (sampling && total < this.sampleSize / MIN_SAMPLE_HITS_DIVISOR) {
      for (let c = 0; c < nCand; c++) {
        const d = cand[c]!;
        if (Math.imul(d, 0x9e3779b1) >>> 0 < sampleCut || !passes(d)) continue;
        total++;
        count(d);
      }
      exact = true;
    }
    const scale = exact ? 1 : nCand / Math.max(1, sampled);
    const scaled = (counts: Uint32Array): Uint32Array => {
      if (scale !== 1) for (let i = 0; i < counts.length; i++) counts[i] = Math.round(counts[i]! * scale);
      return counts;
    };
    if (!exact) total = Math.max(Math.round(total * scale), heapSize);

    const order = Array.from({ length: heapSize }, (_, i) => i).sort((x, y) =>
      before(heapKey[x]!, heapDoc[x]!, heapKey[y]!, heapDoc[y]!) ? -1 : 1,
    );
    const hasMore = heapSize > query.limit;
    const page = order.slice(0, query.limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (hasMore && last !== undefined) {
      const d = heapDoc[last]!;
      const key = heapKey[last]!;
      nextCursor = encodeCursor({
        sort,
        fingerprint,
        primary: Number.isFinite(key) ? key : null,
        name: nameSort ? this.names[d]! : null,
        productId: this.ids[d]!,
      });
    }

    const facets: SearchResult['facets'] = {};
    if (wantBrand) facets.brand = topValues(scaled(brandCounts), this.brands.names);
    if (wantPartner) facets.partner = topValues(scaled(partnerCounts), this.partners.names);
    if (wantCategory) {
      // A leaf's count goes to every prefix of its path.
      const all = new Uint32Array(this.categories.size);
      for (let c = 1; c < categoryCounts.length; c++) {
        const v = categoryCounts[c]!;
        if (v === 0) continue;
        for (let x = c; x !== 0; x = this.categoryParent[x]!) all[x]! += v;
      }
      facets.category = topValues(scaled(all), this.categories.names);
    }
    if (wantPrice) facets.price = priceFacet(scaled(priceCounts));

    return {
      productIds: page.map((i) => this.ids[heapDoc[i]!]!),
      total,
      totalIsExact: exact,
      facetsAreExact: exact,
      facets,
      nextCursor,
      matched: { terms: matchedTerms, prefix },
    };
  }

  private nextStamp(): number {
    if (this.stamp > 0xffffff00 - MAX_WORDS * 4) {
      this.attrStamp.fill(0);
      this.matchStamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  private allowed(dict: Dictionary, names: readonly string[]): Uint8Array {
    const ok = new Uint8Array(dict.size);
    for (const n of names) {
      const id = dict.find(n);
      if (id !== undefined) ok[id] = 1;
    }
    return ok;
  }

  /** The primary sort key of a document (lower ranks first). */
  private primaryOf(sort: SearchSort, score: Int32Array): (d: number) => number {
    switch (sort) {
      case 'relevance':
        return (d) => score[d]!;
      case 'price_asc':
        return (d) => {
          const p = this.price[d]!;
          return Number.isNaN(p) ? Number.POSITIVE_INFINITY : p;
        };
      case 'price_desc':
        return (d) => {
          const p = this.price[d]!;
          return Number.isNaN(p) ? Number.POSITIVE_INFINITY : -p;
        };
      case 'name':
        return () => 0;
      case 'newest':
        return (d) => -this.created[d]!;
    }
  }

  /**
   * Documents matching every word, written to `cand`; their relevance score (lower is better) to `score`.
   * Per word, the best of its expansions counts: packed (typos << 10) | (field rank << 5) | (not exact), summed
   * over the words, so that comparing scores is the bucket sort typos, then best field, then exactness.
   */
  private matchAll(expansions: Expansion[][], stamp: number): number {
    if (expansions.some((e) => e.length === 0)) return 0;
    const cost = (e: Expansion[]): number => e.reduce((s, x) => s + this.postings[x.term]!.len, 0);
    const order = expansions.map((e, i) => ({ e, i, c: cost(e) })).sort((a, b) => a.c - b.c);
    const wc = this.wordCount;
    const wb = this.wordBest;
    const score = this.score;
    const cand = this.cand;
    const alive = this.alive;
    // wordCount[d] = words matched so far; matchStamp guards stale values from earlier queries.
    const st = this.matchStamp;
    let nCand = 0;
    order.forEach(({ e, c: volume }, w) => {
      if (w > 0 && nCand * e.length * 24 < volume) {
        // Few candidates left against long posting lists: look each candidate up (binary search; postings are
        // sorted by document) instead of scanning the lists.
        for (let ci = 0; ci < nCand; ci++) {
          const d = cand[ci]!;
          const target = d * 16;
          let best = 255;
          for (const x of e) {
            const list = this.postings[x.term]!;
            const arr = list.arr;
            let lo = 0;
            let hi = list.len;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (arr[mid]! < target) lo = mid + 1;
              else hi = mid;
            }
            if (lo < list.len && arr[lo]! >>> 4 === d) {
              const v = x.typos * 8 + (x.exact ? 0 : 1) + BEST_FIELD[arr[lo]! & 15]! * 2;
              if (v < best) best = v;
            }
          }
          if (best !== 255) {
            wc[d] = w + 1;
            wb[d] = best;
          }
        }
      } else {
        for (const x of e) {
          const list = this.postings[x.term]!;
          const arr = list.arr;
          const len = list.len;
          const base = x.typos * 8 + (x.exact ? 0 : 1);
          for (let i = 0; i < len; i++) {
            const entry = arr[i]!;
            const d = entry >>> 4;
            const v = base + BEST_FIELD[entry & 15]! * 2;
            if (w === 0) {
              if (st[d] !== stamp) {
                if (alive[d] !== 1) continue;
                st[d] = stamp;
                wc[d] = 1;
                wb[d] = v;
                cand[nCand++] = d;
              } else if (v < wb[d]!) wb[d] = v;
            } else if (st[d] === stamp) {
              const c = wc[d]!;
              if (c === w) {
                wc[d] = w + 1;
                wb[d] = v;
              } else if (c === w + 1 && v < wb[d]!) wb[d] = v;
            }
          }
        }
      }
      // Fold the word's best into the score; keep documents that matched it.
      let k = 0;
      for (let c = 0; c < nCand; c++) {
        const d = cand[c]!;
        if (wc[d] !== w + 1) continue;
        const v = wb[d]!;
        const packed = ((v >> 3) << 10) | (((v >> 1) & 3) << 5) | (v & 1);
        score[d] = w === 0 ? packed : score[d]! + packed;
        cand[k++] = d;
      }
      nCand = k;
    });
    // Mark the survivors (for the pinned-match check).
    for (let c = 0; c < nCand; c++) wc[cand[c]!] = 0xff;
    return nCand;
  }

  /** Completions of the last word of `q` among indexed terms, most frequent first (name terms before others). */
  suggest(q: string, limit: number): EngineSuggestion[] {
    if (/[^\p{L}\p{N}]$/u.test(q)) return [];
    const words = tokenize(q);
    const last = words.pop();
    if (!last) return [];
    const weight = (t: number): number => this.df(t) + ((this.termFields[t]! & FIELD_NAME) !== 0 ? 1e9 : 0);
    const terms = this.vocabulary.withPrefix(last, weight, Math.max(limit * 4, MAX_PREFIX_TERMS));
    return terms
      .filter((t) => this.postings[t]!.len > 0 && this.hasLive(t))
      .sort((a, b) => weight(b) - weight(a) || cmpStr(this.vocabulary.terms[a]!, this.vocabulary.terms[b]!))
      .slice(0, limit)
      .map((t) => {
        const term = this.vocabulary.terms[t]!;
        const display = this.vocabulary.display[t];
        const word = display !== undefined && fold(display) === term && display.length === term.length ? display : term;
        return { before: words, word, typed: last.length };
      });
  }

  private hasLive(term: number): boolean {
    const list = this.postings[term]!;
    for (let i = list.len - 1; i >= 0; i--) if (this.alive[list.arr[i]! >>> 4] === 1) return true;
    return false;
  }

  /** Facet value lists (for tests and diagnostics). */
  facetNames(): { brands: readonly string[]; partners: readonly string[]; categories: readonly string[] } {
    return { brands: this.brands.names, partners: this.partners.names, categories: this.categories.names };
  }
}

export type { FacetValue };
