import { conflict, isAppError, notFound } from '../../../shared/errors.js';
import type { ProfilesDeps } from '../deps.js';
import { profileEvent, type ProfileFileAttached } from '../events.js';
import type { Profile, StoredCv, StoredPhoto } from '../model.js';

export type ProfileFile = { kind: 'PHOTO'; stored: StoredPhoto } | { kind: 'CV'; stored: StoredCv };

const TRIES = 5;

/**
 * Attaches a stored file to the owner's profile, replacing the previous one of that kind. Not versioned
 * by the caller (an upload is not an edit of what they read): a concurrent edit is retried here.
 * Records `profile.file_attached`, whose handlers delete the replaced file.
 */
export async function setProfileFile(deps: ProfilesDeps, ownerId: string, file: ProfileFile): Promise<Profile> {
  for (let i = 0; i < TRIES; i++) {
    const current = await deps.store.getByOwner(ownerId);
    if (!current) throw notFound('Profile');
    const now = deps.clock.now().toISOString();
    const replaced = (file.kind === 'PHOTO' ? current.photo : current.cv) ?? null;
    const next: Profile = {
      ...current,
      ...(file.kind === 'PHOTO' ? { photo: file.stored } : { cv: file.stored }),
      version: current.version + 1,
      updatedAt: now,
    };
    const event = profileEvent<ProfileFileAttached>(deps, 'profile.file_attached', {
      profile: next,
      kind: file.kind,
      replaced,
      actorId: ownerId,
    });
    try {
      await deps.store.update(next, current.version, [event]);
      deps.events.publish(event);
      return next;
    } catch (err) {
      if (!(isAppError(err) && err.code === 'CONFLICT' && err.details.currentVersion !== undefined)) throw err;
    }
  }
  throw conflict('The profile kept changing; try again');
}
