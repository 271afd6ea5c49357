import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import type { Profile } from '../model.js';
import { accessTo, canDelete, canRead } from '../policy.js';
import type { ProfilesDeps } from '../deps.js';
import { profileEvent, type ProfileDeleted } from '../events.js';

/** Deletes a profile (owner or admin) if `expectedVersion` is current; returns what was deleted. */
export async function deleteProfile(
  deps: ProfilesDeps,
  principal: Principal | null,
  input: { id: string; expectedVersion: number },
): Promise<Profile> {
  if (!principal) throw unauthenticated();
  if (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1) {
    throw badInput([{ path: 'expectedVersion', message: 'must be the version you last read' }]);
  }
  const current = await deps.store.get(input.id);
  if (!current) throw notFound('Profile');
  const access = accessTo(principal, current);
  if (!canDelete(access))
    throw forbidden(canRead(access) ? 'Only the owner or an admin may delete this profile' : 'This profile is not yours');
  if (current.version !== input.expectedVersion) {
    throw conflict('The profile was changed since you read it', { currentVersion: current.version, field: 'expectedVersion' });
  }
  const event = profileEvent<ProfileDeleted>(deps, 'profile.deleted', { profile: current, actorId: principal.sub });
  await deps.store.delete(current.id, input.expectedVersion, [event]);
  deps.events.publish(event);
  return current;
}
