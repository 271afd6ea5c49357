import type { Clock, IdGenerator } from '../../shared/clock.js';
import type { DomainEvent } from '../../shared/events.js';
import type { Profile, ProfileFile } from '../profiles/index.js';
import type { BlobStore } from './blob-store.js';

/** What the files module needs of the profiles module: a small port, wired by the composition root. */
export interface ProfileFilesPort {
  profileOf(ownerId: string): Promise<Profile | null>;
  setFile(ownerId: string, file: ProfileFile): Promise<Profile>;
}

export interface FilesDeps {
  blobs: BlobStore;
  profiles: ProfileFilesPort;
  clock: Clock;
  ids: IdGenerator;
  /** Signed upload targets live this long (10 minutes by default). */
  uploadTtlSeconds: number;
  /** Uploads never attached are deleted after this (24 h by default). */
  sweepAfterMs: number;
  /** Queues `event` for `handler` at `runAt` (the sweeper of never-attached uploads). */
  schedule(event: DomainEvent, handler: string, runAt: string): Promise<void>;
}

export const DOWNLOAD_TTL_SECONDS = 5 * 60;
export const UPLOAD_SWEEP_DUE = 'files.upload_sweep_due';
export const SWEEP_HANDLER = 'sweep-upload';
