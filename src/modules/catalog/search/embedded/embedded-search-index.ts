import { AppError, ErrorCode } from '../../../../shared/errors.js';
import type { Product } from '../../model.js';
import type { ProductChange } from '../../product-store.js';
import type { SearchHit, SearchIndex, SearchQuery, SearchResult, Suggestion } from '../search-index.js';
import { SearchEngine, type SearchEngineOptions } from './engine.js';
import { escapeHtml, highlight } from './highlight.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';

export interface EmbeddedSearchIndexDeps {
  /**
   * Full products by id, for highlighting the hits of a page (the index keeps no descriptions in memory).
   * In the app: `(ids) => productStore.getMany(ids)`. Unknown ids are skipped; a hit whose product is gone is dropped.
   */
  loadProducts(ids: readonly string[]): Promise<Product[]>;
  /** Engine tuning (exact-count limit and sample size for huge match sets); the defaults suit the app. */
  engine?: SearchEngineOptions;
}

/**
 * SearchIndex adapter: the in-process inverted index of `SearchEngine`. The SQLite product store stays the durable
 * truth; this index is rebuilt at start-up and kept current from the store's change feed by `ProductFeed`
 * (`applyChanges`), or fed directly through `upsert`/`remove`.
 */
export class EmbeddedSearchIndex implements SearchIndex {
  private current: SearchEngine;
  private closed = false;

  constructor(private readonly deps: EmbeddedSearchIndexDeps) {
    this.current = new SearchEngine(deps.engine);
  }

  get engine(): SearchEngine {
    return this.current;
  }

  /**
   * Replaces the index with the snapshot under `dir` (see `snapshot.ts`); returns its change-feed seq (start the
   * `ProductFeed` from it), or null when there is no usable snapshot (missing, corrupted, other version): the index
   * is then left as it was and must be rebuilt from the feed.
   */
  loadSnapshot(dir: string): number | null {
    this.assertOpen();
    const loaded = readSnapshot(dir, this.deps.engine);
    if (!loaded) return null;
    this.current = loaded.engine;
    return loaded.seq;
  }

  /** Writes the index's snapshot at `seq` (the feed's `lastSeq`) under `dir`, atomically; returns its size in bytes. */
  saveSnapshot(dir: string, seq: number): number {
    this.assertOpen();
    return writeSnapshot(dir, this.current, seq);
  }

  /** Applies change-feed entries in order (ARCHIVED products are dropped). */
  applyChanges(changes: readonly ProductChange[]): void {
    this.assertOpen();
    for (const c of changes) this.current.upsert(c.product);
  }

  async upsert(products: readonly Product[]): Promise<void> {
    this.assertOpen();
    for (const p of products) this.current.upsert(p);
  }

  async remove(productIds: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of productIds) this.current.remove(id);
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    this.assertOpen();
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'limit must be an integer from 1 to 100', {
        fields: [{ path: 'limit', message: 'must be an integer from 1 to 100' }],
      });
    }
    const r = this.current.search(query);
    const products = r.productIds.length ? await this.deps.loadProducts(r.productIds) : [];
    const byId = new Map(products.map((p) => [p.id, p]));
    const hits: SearchHit[] = [];
    for (const id of r.productIds) {
      const p = byId.get(id);
      if (!p) continue;
      hits.push({
        productId: id,
        highlights: {
          name: highlight(p.name, r.matched),
          brand: p.brand === null ? null : highlight(p.brand, r.matched),
          description: p.description === null ? null : highlight(p.description, r.matched),
        },
      });
    }
    return {
      hits,
      estimatedTotal: r.total,
      totalIsExact: r.totalIsExact,
      facetsAreExact: r.facetsAreExact,
      facets: r.facets,
      nextCursor: r.nextCursor,
    };
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    this.assertOpen();
    const n = Math.max(0, Math.min(Math.floor(limit), 20));
    return this.current.suggest(q, n).map((s) => {
      const head = s.before.length ? `${s.before.join(' ')} ` : '';
      return {
        text: head + s.word,
        highlighted:
          escapeHtml(head + s.word.slice(0, s.typed)) +
          (s.typed < s.word.length ? `<mark>${escapeHtml(s.word.slice(s.typed))}</mark>` : ''),
      };
    });
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError(ErrorCode.UNAVAILABLE, 'The search index is closed');
  }
}
