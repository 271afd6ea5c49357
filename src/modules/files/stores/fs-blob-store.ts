import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, ErrorCode, badInput, conflict, forbidden, isAppError } from '../../../shared/errors.js';
import type { BlobInfo, BlobStore, BlobSummary, DownloadUrlOptions, UploadTarget, UploadTargetInput } from '../blob-store.js';
import {
  assertBlobKey,
  assertBlobPrefix,
  assertDownloadUrlInput,
  assertUploadTargetInput,
  isValidContentType,
} from '../blob-rules.js';
import { attachmentDisposition } from '../content-disposition.js';
import { BlobSigner, isErrno, type DownloadGrant, type UploadPolicy } from './fs-blob-signing.js';

export interface FsBlobStoreOptions {
  /** Blobs go under `<dataDir>/blobs`, the signing secret in `<dataDir>/keys/blob-signing.key`. */
  dataDir: string;
  /** Where `fsBlobRoutes` is served: signed URLs start with it. */
  publicUrl: string;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

/**
 * Sidecar holding the content type: `<key>~.meta.json`. `~` is outside the key alphabet, so no key,
 * and no directory a key needs, can ever be named like a sidecar.
 */
const META_SUFFIX = '~.meta.json';
/** Temporary files, renamed into place when complete. A key segment cannot start with `.`, so no key lives here. */
const TMP_DIR = '.tmp';

interface Meta {
  contentType: string;
}

/**
 * The default BlobStore: files under `$DATA_DIR/blobs/<key>`, their content type in a sidecar, both
 * written to a temporary file, synced and renamed into place. The signed upload form and download URLs
 * point at this process (`fsBlobRoutes`), which checks them with `BlobSigner` before touching a file.
 *
 * Unlike S3, a key cannot be both an object and the "folder" of others (`a` and `a/b`): the file system
 * refuses, and so does `put`/an upload, with CONFLICT. Keys that name things (`uploads/<id>/cv.pdf`) never meet this.
 * On replace, the sidecar is written before the object, so a reader in between may see the new content
 * type with the old bytes for an instant; a crash in between leaves at worst a sidecar without an object,
 * which reads as "no object".
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;
  private readonly tmp: string;
  private readonly publicUrl: string;
  private readonly now: () => number;

  private constructor(
    opts: FsBlobStoreOptions,
    private readonly signer: BlobSigner,
  ) {
    this.root = path.join(opts.dataDir, 'blobs');
    this.tmp = path.join(this.root, TMP_DIR);
    this.publicUrl = opts.publicUrl.replace(/\/+$/, '');
    this.now = opts.now ?? Date.now;
  }

  static async open(opts: FsBlobStoreOptions): Promise<FsBlobStore> {
    const signer = await BlobSigner.load(path.join(opts.dataDir, 'keys', 'blob-signing.key'));
    const store = new FsBlobStore(opts, signer);
    await fs.mkdir(store.tmp, { recursive: true });
    return store;
  }

  async createUploadTarget(input: UploadTargetInput): Promise<UploadTarget> {
    assertUploadTargetInput(input);
    const expiresAt = new Date(this.now() + input.expiresInSeconds * 1000).toISOString();
    const { policy, signature } = this.signer.signUploadPolicy({
      v: 1,
      key: input.key,
      contentType: input.contentType,
      minSize: input.minSize,
      maxSize: input.maxSize,
      expiresAt,
    });
    return {
      url: `${this.publicUrl}/blobs/upload`,
      // Field order matters to the form: the route reads them before the file.
      fields: { key: input.key, 'Content-Type': input.contentType, policy, signature },
      key: input.key,
      expiresAt,
    };
  }

  async createDownloadUrl(key: string, opts: DownloadUrlOptions): Promise<string> {
    assertDownloadUrlInput(key, opts);
    // Whole seconds, counted from the current second, as SigV4 does: at most `expiresInSeconds`.
    const grant: DownloadGrant = {
      key,
      expires: Math.floor(this.now() / 1000) + opts.expiresInSeconds,
      disposition: opts.download ? attachmentDisposition(opts.download.fileName) : undefined,
      contentType: opts.contentType,
    };
    const query = new URLSearchParams({ expires: String(grant.expires) });
    if (grant.disposition !== undefined) query.set('disposition', grant.disposition);
    if (grant.contentType !== undefined) query.set('type', grant.contentType);
    query.set('sig', this.signer.signDownload(grant));
    return `${this.publicUrl}/blobs/${key}?${query.toString()}`;
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertBlobKey(key);
    const stat = await statFile(this.pathOf(key));
    if (!stat) return null;
    const meta = await this.readMeta(key);
    return { key, size: stat.size, contentType: meta?.contentType ?? null, lastModified: stat.mtime.toISOString() };
  }

  async read(key: string): Promise<Readable | null> {
    // Opened before streaming: a concurrent replace or delete does not cut the stream short, it
    // keeps reading the bytes it started with.
    return (await this.openForDownload(key))?.stream ?? null;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertBlobKey(key);
    if (!isValidContentType(contentType)) throw badInput([{ path: 'contentType', message: 'a media type' }]);
    const tmp = this.tmpPath();
    try {
      const handle = await fs.open(tmp, 'wx', 0o644);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.commit(key, tmp, contentType);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    const file = this.pathOf(key);
    // The object first: once it is gone the key reads as absent, whatever happens to the sidecar.
    await removeFile(file);
    await removeFile(file + META_SUFFIX);
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async *list(prefix: string): AsyncIterable<BlobSummary> {
    assertBlobPrefix(prefix);
    // Start in the deepest folder the prefix names fully; filter the rest by string prefix.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(base, prefix);
  }

  async ping(): Promise<void> {
    await fs.access(this.tmp, fsConstants.R_OK | fsConstants.W_OK);
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  // --- used by fsBlobRoutes -----------------------------------------------------------------------------

  /** Checks a form's policy and signature (see `BlobSigner.verifyUploadPolicy`) against this store's clock. */
  verifyUploadPolicy(policy: unknown, signature: unknown): UploadPolicy {
    return this.signer.verifyUploadPolicy(policy, signature, this.now());
  }

  /**
   * The grant of a signed download URL for `key` given its query string, or FORBIDDEN when it is not
   * signed by this server for this key (tampered, replayed for another key) or has expired.
   */
  verifyDownload(key: string, query: Record<string, unknown>): DownloadGrant & { expiresInSeconds: number } {
    const one = (name: string): string | undefined => {
      const v = query[name];
      return typeof v === 'string' ? v : undefined;
    };
    const expires = one('expires');
    const sig = one('sig');
    if (!expires || !/^\d{1,12}$/.test(expires) || !sig) throw forbidden('This download link is not valid');
    const grant: DownloadGrant = { key, expires: Number(expires), disposition: one('disposition'), contentType: one('type') };
    if (!this.signer.verifyDownload(grant, sig)) throw forbidden('This download link is not valid');
    const remaining = grant.expires - Math.floor(this.now() / 1000);
    if (remaining <= 0) throw forbidden('This download link has expired');
    return { ...grant, expiresInSeconds: remaining };
  }

  /**
   * The object opened for serving, or null if there is none: bytes, size and time come from one open
   * file, so they agree even if the key is replaced or deleted meanwhile.
   */
  async openForDownload(key: string): Promise<{ stream: Readable; info: BlobInfo } | null> {
    assertBlobKey(key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(key), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) return null;
      throw err;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return null;
      }
      const meta = await this.readMeta(key);
      const info = { key, size: stat.size, contentType: meta?.contentType ?? null, lastModified: stat.mtime.toISOString() };
      return { stream: handle.createReadStream(), info };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Stores the upload stream at the policy's key, counting bytes as they arrive: past `maxSize` the
   * stream is stopped at once with TOO_LARGE; under `minSize` at its end, BAD_USER_INPUT. Either way
   * the temporary file is removed and nothing is stored. Returns the size stored.
   */
  async writeUpload(policy: UploadPolicy, source: Readable): Promise<number> {
    assertBlobKey(policy.key);
    const tmp = this.tmpPath();
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > policy.maxSize) {
          callback(new AppError(ErrorCode.TOO_LARGE, `The file is larger than the ${policy.maxSize} bytes allowed`));
        } else {
          callback(null, chunk);
        }
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(tmp, { flags: 'wx', mode: 0o644, flush: true }));
      if (size < policy.minSize) {
        throw badInput(
          [{ path: 'file', message: `at least ${policy.minSize} bytes` }],
          `The file is smaller than the ${policy.minSize} bytes required`,
        );
      }
      await this.commit(policy.key, tmp, policy.contentType);
      return size;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  // --- internals ----------------------------------------------------------------------------------------

  private pathOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  private tmpPath(): string {
    return path.join(this.tmp, randomUUID());
  }

  /** Moves a complete temporary file to `key`, its sidecar first (see the class comment). */
  private async commit(key: string, tmpFile: string, contentType: string): Promise<void> {
    const file = this.pathOf(key);
    const metaTmp = this.tmpPath();
    try {
      const meta: Meta = { contentType };
      const handle = await fs.open(metaTmp, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(meta));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.moveInto(metaTmp, file + META_SUFFIX, key);
      try {
        await this.moveInto(tmpFile, file, key);
      } catch (err) {
        // The sidecar just placed belongs to no object: the key is a folder of other keys.
        if (isAppError(err)) await removeFile(file + META_SUFFIX);
        throw err;
      }
    } finally {
      await fs.rm(metaTmp, { force: true });
    }
  }

  private async moveInto(from: string, to: string, key: string): Promise<void> {
    // A concurrent delete may prune the folder we just made; make it again and retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.rename(from, to);
        return;
      } catch (err) {
        if (isErrno(err, 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOTEMPTY')) {
          throw conflict(`Blob key ${key} collides with another key used as a folder, or the reverse`);
        }
        if (!isErrno(err, 'ENOENT') || attempt >= 3) throw err;
      }
    }
  }

  private async readMeta(key: string): Promise<Meta | null> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.pathOf(key) + META_SUFFIX, 'utf8'));
      return parsed && typeof parsed === 'object' && 'contentType' in parsed && typeof parsed.contentType === 'string'
        ? { contentType: parsed.contentType }
        : null;
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR') || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /** Removes now-empty folders from `dir` up to (not including) the root, as S3 has no folders to leave behind. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    for (let d = dir; d !== this.root && d.startsWith(this.root + path.sep); d = path.dirname(d)) {
      try {
        await fs.rmdir(d);
      } catch {
        return; // not empty (or already gone): nothing above can be empty either
      }
    }
  }

  private async *walk(dirKey: string, prefix: string): AsyncIterable<BlobSummary> {
    let dir: Awaited<ReturnType<typeof fs.opendir>>;
    try {
      dir = await fs.opendir(dirKey ? this.pathOf(dirKey) : this.root);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    for await (const entry of dir) {
      // Hidden names (.tmp) and sidecars are not objects; no key can be named like them.
      if (entry.name.startsWith('.') || entry.name.includes('~')) continue;
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const stat = await statFile(this.pathOf(key));
        if (stat) yield { key, size: stat.size, lastModified: stat.mtime.toISOString() };
      }
    }
  }
}

async function statFile(file: string): Promise<Stats | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat : null;
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
    throw err;
  }
}

async function removeFile(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
  }
}
