import type { EventHandler } from '../../jobs/index.js';
import type { ProfileDeleted, ProfileFileAttached, StoredCv, StoredPhoto } from '../../profiles/index.js';
import type { BlobStore } from '../blob-store.js';
import { SWEEP_HANDLER, UPLOAD_SWEEP_DUE } from '../deps.js';

const keysOfStored = (f: StoredPhoto | StoredCv): string[] =>
  'thumbnailKeys' in f ? [f.key, f.thumbnailKeys['64'], f.thumbnailKeys['256']] : [f.key];

/** Deletes an upload 24 h after its target was issued; an attached upload was already moved, so this is a no-op then. */
export const sweepUpload = (blobs: BlobStore): EventHandler => ({
  name: SWEEP_HANDLER,
  on: [UPLOAD_SWEEP_DUE],
  async handle(event) {
    const { key } = event.payload as { key: string };
    await blobs.delete(key);
  },
});

/** Deletes the file a new upload replaced. */
export const deleteReplacedFile = (blobs: BlobStore): EventHandler => ({
  name: 'delete-replaced-file',
  on: ['profile.file_attached'],
  async handle(raw) {
    const { replaced } = (raw as ProfileFileAttached).payload;
    if (replaced) for (const key of keysOfStored(replaced)) await blobs.delete(key);
  },
});

/** Deletes every file of a deleted profile. */
export const deleteProfileFiles = (blobs: BlobStore): EventHandler => ({
  name: 'delete-profile-files',
  on: ['profile.deleted'],
  async handle(raw) {
    const { profile } = (raw as ProfileDeleted).payload;
    for (const f of [profile.photo, profile.cv]) if (f) for (const key of keysOfStored(f)) await blobs.delete(key);
  },
});

export const fileHandlers = (blobs: BlobStore): EventHandler[] => [
  sweepUpload(blobs),
  deleteReplacedFile(blobs),
  deleteProfileFiles(blobs),
];
