export * from './search-index.js';
export { EmbeddedSearchIndex, type EmbeddedSearchIndexDeps } from './embedded/embedded-search-index.js';
export { ProductFeed, type ChangeSink, type ChangeSource, type ProductFeedOptions } from './embedded/product-feed.js';
export { SearchEngine, type SearchEngineOptions } from './embedded/engine.js';
export { SNAPSHOT_VERSION, readSnapshot, writeSnapshot } from './embedded/snapshot.js';
export { searchSnapshots } from './embedded/search-snapshots.js';
