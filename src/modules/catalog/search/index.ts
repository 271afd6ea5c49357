export * from './search-index.js';
export { EmbeddedSearchIndex, type EmbeddedSearchIndexDeps } from './embedded/embedded-search-index.js';
export { ProductFeed, type ChangeSink, type ChangeSource, type ProductFeedOptions } from './embedded/product-feed.js';
export { SearchEngine } from './embedded/engine.js';
