import { AppError, ErrorCode, badInput, unauthenticated } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import type { UploadTarget } from '../blob-store.js';
import { SWEEP_HANDLER, UPLOAD_SWEEP_DUE, type FilesDeps } from '../deps.js';
import { FILE_KINDS, RULES, type FileKind } from '../validation/file-rules.js';

/** Where an upload of `kind` by `ownerId` lands before it is checked: the quarantine. */
export const uploadKey = (ownerId: string, kind: FileKind, id: string) => `uploads/${ownerId}/${kind.toLowerCase()}/${id}`;
export const UPLOAD_KEY = /^uploads\/([^/]+)\/(photo|cv)\/([0-9a-f-]{36})$/;

/**
 * A signed target the browser uploads one file to directly (S3 pre-signed POST shape), bound to the
 * key, the declared content type and the declared size, valid 10 minutes. The upload is swept after 24 h
 * unless it is attached before.
 */
export async function createUploadUrl(
  deps: FilesDeps,
  principal: Principal | null,
  input: { kind: FileKind; contentType: string; size: number },
): Promise<UploadTarget> {
  if (!principal) throw unauthenticated();
  if (!FILE_KINDS.includes(input.kind)) throw badInput([{ path: 'kind', message: 'must be PHOTO or CV' }]);
  const rules = RULES[input.kind];
  if (!rules.contentTypes.includes(input.contentType)) {
    throw new AppError(
      ErrorCode.UNSUPPORTED_TYPE,
      `A ${input.kind === 'PHOTO' ? 'photo' : 'CV'} must be one of ${rules.contentTypes.join(', ')}`,
      {
        field: 'contentType',
      },
    );
  }
  if (!Number.isInteger(input.size) || input.size < 1)
    throw badInput([{ path: 'size', message: 'must be the file size in bytes' }]);
  if (input.size > rules.maxBytes) {
    throw new AppError(ErrorCode.TOO_LARGE, `The file is ${input.size} bytes; at most ${rules.maxBytes} are accepted`, {
      field: 'size',
    });
  }
  const key = uploadKey(principal.sub, input.kind, deps.ids.newId());
  const target = await deps.blobs.createUploadTarget({
    key,
    contentType: input.contentType,
    minSize: input.size,
    maxSize: input.size,
    expiresInSeconds: deps.uploadTtlSeconds,
  });
  const sweepAt = new Date(deps.clock.now().getTime() + deps.sweepAfterMs).toISOString();
  await deps.schedule(
    {
      id: `upload-sweep.${key.replace(/\//g, '.')}`,
      type: UPLOAD_SWEEP_DUE,
      aggregateId: key,
      occurredAt: sweepAt,
      payload: { key },
    },
    SWEEP_HANDLER,
    sweepAt,
  );
  return target;
}
