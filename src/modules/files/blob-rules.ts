import { badInput } from '../../shared/errors.js';
import type { DownloadUrlOptions, UploadTargetInput } from './blob-store.js';

/**
 * Rules every BlobStore adapter applies to its inputs, so that both refuse the same things.
 * Keys are segments of letters, digits, `_`, `-` and `.`, not starting with `.`: no `.`/`..`, no hidden
 * names, nothing a file system or a URL treats specially, so a key is its own path and its own URL path.
 * A segment has at most 200 characters: a file name (with the fs adapter's sidecar suffix) has at most 255.
 */
const SEGMENT = '[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}';
const KEY = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
/** A prefix is any beginning of a valid key: it may end inside a segment or right after a `/`. */
const PREFIX = new RegExp(`^(?:${SEGMENT}/)*(?:${SEGMENT})?$`);
export const MAX_KEY_LENGTH = 1024;

/** `type/subtype` with optional parameters, printable ASCII only: it ends up in a response header. */
const CONTENT_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*;[\x20-\x7e]*)?$/;
const MAX_CONTENT_TYPE_LENGTH = 255;

/** What a pre-signed URL or form may last: SigV4's limit, which the fs adapter keeps too. */
export const MAX_EXPIRES_IN_SECONDS = 7 * 24 * 3600;
/** S3's limit for one POST upload (5 GiB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

/** Throws BAD_USER_INPUT unless `key` is a valid blob key. */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw badInput(
      [{ path: 'key', message: 'letters, digits and _ - . in /-separated segments that do not start with .' }],
      'Invalid blob key',
    );
  }
}

/** Throws BAD_USER_INPUT unless `prefix` could begin a valid key (the empty prefix lists everything). */
export function assertBlobPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length > MAX_KEY_LENGTH || !PREFIX.test(prefix)) {
    throw badInput([{ path: 'prefix', message: 'the beginning of a valid blob key' }], 'Invalid blob key prefix');
  }
}

export const isValidContentType = (value: string): boolean => value.length <= MAX_CONTENT_TYPE_LENGTH && CONTENT_TYPE.test(value);

const isInt = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max;

/** Throws BAD_USER_INPUT listing every invalid field of an upload target request. */
export function assertUploadTargetInput(input: UploadTargetInput): void {
  assertBlobKey(input.key);
  const problems: { path: string; message: string }[] = [];
  if (!isValidContentType(input.contentType)) problems.push({ path: 'contentType', message: 'a media type, e.g. image/png' });
  if (!isInt(input.minSize, 0, MAX_UPLOAD_BYTES))
    problems.push({ path: 'minSize', message: `an integer in [0, ${MAX_UPLOAD_BYTES}]` });
  if (!isInt(input.maxSize, Math.max(0, input.minSize), MAX_UPLOAD_BYTES)) {
    problems.push({ path: 'maxSize', message: `an integer in [minSize, ${MAX_UPLOAD_BYTES}]` });
  }
  if (!isInt(input.expiresInSeconds, 1, MAX_EXPIRES_IN_SECONDS)) {
    problems.push({ path: 'expiresInSeconds', message: `an integer in [1, ${MAX_EXPIRES_IN_SECONDS}]` });
  }
  if (problems.length) throw badInput(problems, 'Invalid upload target request');
}

/** Throws BAD_USER_INPUT unless the key and the options of a download URL are valid. */
export function assertDownloadUrlInput(key: string, opts: DownloadUrlOptions): void {
  assertBlobKey(key);
  const problems: { path: string; message: string }[] = [];
  if (!isInt(opts.expiresInSeconds, 1, MAX_EXPIRES_IN_SECONDS)) {
    problems.push({ path: 'expiresInSeconds', message: `an integer in [1, ${MAX_EXPIRES_IN_SECONDS}]` });
  }
  if (opts.contentType !== undefined && !isValidContentType(opts.contentType)) {
    problems.push({ path: 'contentType', message: 'a media type, e.g. application/pdf' });
  }
  if (opts.download !== undefined && (typeof opts.download.fileName !== 'string' || opts.download.fileName.length > 255)) {
    problems.push({ path: 'download.fileName', message: 'at most 255 characters' });
  }
  if (problems.length) throw badInput(problems, 'Invalid download URL request');
}
