import type { Readable } from 'node:stream';

/**
 * Where a browser uploads one file straight to the store: an HTML form POST (multipart/form-data)
 * to `url` with every entry of `fields` first, in order, then the file in a part named `file`.
 * Shaped like an S3 pre-signed POST; valid until `expiresAt`.
 */
export interface UploadTarget {
  url: string;
  fields: Record<string, string>;
  /** The only key this target can write. */
  key: string;
  /** ISO 8601; the store refuses the form after this instant. */
  expiresAt: string;
}

/** One stored object as a listing shows it. */
export interface BlobSummary {
  key: string;
  /** Bytes. */
  size: number;
  /** ISO 8601. */
  lastModified: string;
}

/** One stored object with its metadata. */
export interface BlobInfo extends BlobSummary {
  /** The content type the object was stored with; null if none was recorded. */
  contentType: string | null;
}

export interface UploadTargetInput {
  key: string;
  /** The exact Content-Type the form must declare; the object is stored with it. */
  contentType: string;
  /** Inclusive size range of the file, in bytes. */
  minSize: number;
  maxSize: number;
  expiresInSeconds: number;
}

export interface DownloadUrlOptions {
  expiresInSeconds: number;
  /** Serve as an attachment with this file name (Content-Disposition, RFC 6266 / RFC 5987 encoded). */
  download?: { fileName: string };
  /** Serve with this Content-Type instead of the stored one. */
  contentType?: string;
}

/**
 * Object storage for uploaded files. Keys are `[A-Za-z0-9/_.-]`, 1–1024 characters, `/`-separated
 * segments of 1–200 characters that do not start with `.`; any other key is refused with BAD_USER_INPUT
 * by every method (see `blob-rules.ts`). Adapters: `FsBlobStore` (default) and `S3BlobStore`.
 */
export interface BlobStore {
  /** A signed form that lets a browser store one file at `key`, with exactly `contentType` and a size in [minSize, maxSize]; reusable until it expires (like S3, a second upload overwrites). */
  createUploadTarget(input: UploadTargetInput): Promise<UploadTarget>;
  /** A signed GET URL for `key` (which need not exist yet); it cannot be altered or reused for another key. */
  createDownloadUrl(key: string, opts: DownloadUrlOptions): Promise<string>;
  /** The object's size, content type and last-modified time, or null if there is none. */
  head(key: string): Promise<BlobInfo | null>;
  /** The object's bytes as a stream, or null if there is none. */
  read(key: string): Promise<Readable | null>;
  /** Stores `body` at `key` with `contentType`, replacing any object there; readers see the old bytes or the new, never a mix. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Removes the object; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix` (plain string prefix, may be empty), in no particular order. */
  list(prefix: string): AsyncIterable<BlobSummary>;
  /** Resolves when the store is reachable and usable; throws otherwise (for /readyz). */
  ping(): Promise<void>;
  /** Releases what the store holds (clients, handles). */
  close(): Promise<void>;
}
