import { Transform } from 'node:stream';
import { AppError, ErrorCode } from '../../../shared/errors.js';

/** Default hard limit on a catalog file (the product issue: "files up to 200 MB"). */
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
/** One CSV record, one JSON/NDJSON item: what no real product row needs (characters). */
export const MAX_ROW_CHARS = 1024 * 1024;
/** Bytes sampled at the start of a file to detect its type, encoding and delimiter. */
export const SNIFF_BYTES = 64 * 1024;

export const megabytes = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

export const tooLarge = (message: string): AppError => new AppError(ErrorCode.TOO_LARGE, message);
export const unsupported = (message: string): AppError => new AppError(ErrorCode.UNSUPPORTED_TYPE, message);
export const unreadable = (message: string): AppError => new AppError(ErrorCode.BAD_USER_INPUT, message);

export const NOT_A_CATALOG = 'The file is not a CSV, Excel or JSON catalog';

/**
 * Passes bytes through while counting them: over `maxBytes` the stream fails with TOO_LARGE (the size is
 * learnt while streaming, never trusted from a header). With `text`, a NUL byte anywhere fails with
 * UNSUPPORTED_TYPE: no CSV, JSON or NDJSON in the accepted encodings contains one, binaries almost always do.
 */
export function byteGuard(maxBytes: number, text: boolean): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) return callback(tooLarge(`The file is larger than ${megabytes(maxBytes)}`));
      if (text && chunk.indexOf(0) !== -1) return callback(unsupported(`${NOT_A_CATALOG} (it contains binary data)`));
      callback(null, chunk);
    },
  });
}
