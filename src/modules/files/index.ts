import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { BlobStore } from './blob-store.js';
import { fsBlobRoutes } from './http/fs-blob-routes.js';
import { FsBlobStore } from './stores/fs-blob-store.js';
import { S3BlobStore } from './stores/s3-blob-store.js';

// Blob storage: the port, its adapters and the fs adapter's HTTP endpoints.
export type { BlobInfo, BlobStore, BlobSummary, DownloadUrlOptions, UploadTarget, UploadTargetInput } from './blob-store.js';
export { MAX_EXPIRES_IN_SECONDS, MAX_UPLOAD_BYTES, assertBlobKey, assertBlobPrefix } from './blob-rules.js';
export { attachmentDisposition } from './content-disposition.js';
export { FsBlobStore, type FsBlobStoreOptions } from './stores/fs-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './stores/s3-blob-store.js';
export { fsBlobRoutes, type FsBlobRoutesOptions } from './http/fs-blob-routes.js';

/** The BlobStore that `BLOB_STORE` asks for: `fs` (default, under $DATA_DIR/blobs) or `s3`. */
export async function createBlobStore(config: Pick<Config, 'blobs' | 'dataDir' | 'publicUrl'>): Promise<BlobStore> {
  const { store, bucket, endpoint, region } = config.blobs;
  switch (store) {
    case 'fs':
      return FsBlobStore.open({ dataDir: config.dataDir, publicUrl: config.publicUrl });
    case 's3':
      // config.ts refuses s3 without a bucket; this guards callers that build a Config by hand.
      if (!bucket) throw new Error('BLOB_STORE=s3 needs S3_BUCKET');
      return new S3BlobStore({ bucket, endpoint, region });
  }
}

/**
 * Serves the signed upload and download URLs of an `FsBlobStore` from this process (S3 serves its own,
 * so for other stores this does nothing). Call once on the root app, before it listens.
 */
export async function registerBlobRoutes(app: FastifyInstance, store: BlobStore): Promise<void> {
  if (store instanceof FsBlobStore) await app.register(fsBlobRoutes, { store });
}
