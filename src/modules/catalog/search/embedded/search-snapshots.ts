import path from 'node:path';
import type { EmbeddedSearchIndex } from './embedded-search-index.js';
import type { ProductFeed } from './product-feed.js';

interface SnapshotLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Start-up and shutdown of the embedded index with its snapshot (`$DATA_DIR/search-index/index.snap`, ADR 010):
 * `load()` restores the index and makes the feed resume from the snapshot's seq (a missing, damaged or
 * other-version snapshot means a rebuild from the product store); `save()` writes the index at the feed's seq,
 * atomically. The snapshot lives next to `catalog.db` and is only ever a shortcut: the store stays the truth.
 */
export function searchSnapshots(index: EmbeddedSearchIndex, feed: ProductFeed, dataDir: string, log: SnapshotLogger) {
  const dir = path.join(dataDir, 'search-index');
  return {
    load(): void {
      const started = Date.now();
      const seq = index.loadSnapshot(dir);
      if (seq === null) {
        log.info({ dir }, 'no usable search index snapshot; rebuilding the index from the product store');
        return;
      }
      feed.resumeFrom(seq);
      log.info({ seq, ms: Date.now() - started }, 'search index loaded from its snapshot');
    },
    save(): void {
      const started = Date.now();
      try {
        const bytes = index.saveSnapshot(dir, feed.lastSeq);
        log.info({ seq: feed.lastSeq, bytes, ms: Date.now() - started }, 'search index snapshot written');
      } catch (err) {
        // not fatal: the next start rebuilds from the product store
        log.warn({ err }, 'search index snapshot not written');
      }
    },
  };
}
