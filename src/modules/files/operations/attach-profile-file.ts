import { buffer } from 'node:stream/consumers';
import { AppError, ErrorCode, forbidden, isAppError, notFound, unauthenticated } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import type { Profile, ProfileFile } from '../../profiles/index.js';
import type { FilesDeps } from '../deps.js';
import { RULES, type FileKind } from '../validation/file-rules.js';
import { inspectUpload } from '../validation/inspect-upload.js';
import { UPLOAD_KEY } from './create-upload-url.js';

/**
 * Checks an uploaded file by its content and attaches it to the caller's profile, replacing the
 * previous file of that kind. A file that fails is deleted (it never leaves quarantine) and the error
 * says why. The stored copy is what we produced (re-encoded photo) or checked (CV), under our own key.
 */
export async function attachProfileFile(deps: FilesDeps, principal: Principal | null, key: string): Promise<Profile> {
  if (!principal) throw unauthenticated();
  const match = UPLOAD_KEY.exec(key);
  if (!match) throw forbidden('This is not an upload of yours');
  const [, ownerId, kindName] = match;
  if (ownerId !== principal.sub) throw forbidden('This is not an upload of yours');
  const kind: FileKind = kindName === 'photo' ? 'PHOTO' : 'CV';
  const profile = await deps.profiles.profileOf(principal.sub);
  if (!profile) throw notFound('Profile (create your profile before attaching files)');

  const info = await deps.blobs.head(key);
  if (!info) throw notFound('Upload (it was never made, or it expired)');
  let stored: ProfileFile;
  try {
    if (info.size > RULES[kind].maxBytes) {
      throw new AppError(ErrorCode.TOO_LARGE, `The file is ${info.size} bytes; at most ${RULES[kind].maxBytes} are accepted`, {
        field: 'key',
      });
    }
    const stream = await deps.blobs.read(key);
    if (!stream) throw notFound('Upload');
    const inspected = await inspectUpload(kind, info.contentType ?? '', await buffer(stream));
    const id = deps.ids.newId();
    const now = deps.clock.now().toISOString();
    const base = `profiles/${profile.id}`;
    if (inspected.kind === 'PHOTO') {
      const ext = RULES.PHOTO.extensions[inspected.contentType]!;
      const photoKey = `${base}/photo-${id}.${ext}`;
      const thumbnailKeys = { '64': `${base}/photo-${id}-64.webp`, '256': `${base}/photo-${id}-256.webp` };
      await deps.blobs.put(photoKey, inspected.photo.bytes, inspected.contentType);
      await deps.blobs.put(thumbnailKeys['64'], inspected.photo.thumbnails[64], 'image/webp');
      await deps.blobs.put(thumbnailKeys['256'], inspected.photo.thumbnails[256], 'image/webp');
      stored = {
        kind: 'PHOTO',
        stored: {
          key: photoKey,
          thumbnailKeys,
          contentType: inspected.contentType,
          size: inspected.photo.bytes.length,
          width: inspected.photo.width,
          height: inspected.photo.height,
          uploadedAt: now,
        },
      };
    } else {
      const ext = RULES.CV.extensions[inspected.contentType]!;
      const cvKey = `${base}/cv-${id}.${ext}`;
      await deps.blobs.put(cvKey, inspected.bytes, inspected.contentType);
      // the name it is downloaded under is ours: nothing the uploader chose reaches a header
      stored = {
        kind: 'CV',
        stored: {
          key: cvKey,
          fileName: `CV-${profile.handle}.${ext}`,
          contentType: inspected.contentType,
          size: inspected.size,
          uploadedAt: now,
        },
      };
    }
  } catch (err) {
    if (isAppError(err) && err.code !== ErrorCode.NOT_FOUND) await deps.blobs.delete(key);
    throw err;
  }
  let updated: Profile;
  try {
    updated = await deps.profiles.setFile(principal.sub, stored);
  } catch (err) {
    // the profile did not take the file: remove what we wrote, keep the upload for another try
    for (const k of keysOf(stored)) await deps.blobs.delete(k);
    throw err;
  }
  await deps.blobs.delete(key);
  return updated;
}

export const keysOf = (file: ProfileFile): string[] =>
  file.kind === 'PHOTO'
    ? [file.stored.key, file.stored.thumbnailKeys['64'], file.stored.thumbnailKeys['256']]
    : [file.stored.key];
