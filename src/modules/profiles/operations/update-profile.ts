import { isDeepStrictEqual } from 'node:util';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import { TEAM_ONLY_FIELDS, type Profile, type ProfileFields } from '../model.js';
import { accessTo, canEditInternal, canEditProfileFields, canRead } from '../policy.js';
import { parseProfileFields } from '../validate-profile-input.js';
import type { ProfilesDeps } from '../deps.js';
import { profileEvent, type ProfileUpdated } from '../events.js';

export interface UpdateProfileInput extends Record<string, unknown> {
  id: string;
  expectedVersion: number;
}

const isTeamOnly = (f: string): boolean => (TEAM_ONLY_FIELDS as readonly string[]).includes(f);

/**
 * Partial update with optimistic concurrency: fields absent from the input stay as they are;
 * a stale `expectedVersion` is a CONFLICT carrying the current version.
 */
export async function updateProfile(
  deps: ProfilesDeps,
  principal: Principal | null,
  input: UpdateProfileInput,
): Promise<Profile> {
  if (!principal) throw unauthenticated();
  if (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1) {
    throw badInput([{ path: 'expectedVersion', message: 'must be the version you last read' }]);
  }
  const current = await deps.store.get(input.id);
  if (!current) throw notFound('Profile');
  const access = accessTo(principal, current);
  if (!canRead(access)) throw forbidden('This profile is not yours');
  const { id: _id, expectedVersion, ...rest } = input;
  const touched = Object.keys(rest).filter((k) => rest[k] !== undefined);
  const internal = touched.filter(isTeamOnly);
  const publicFields = touched.filter((f) => !isTeamOnly(f));
  if (internal.length && !canEditInternal(access)) throw forbidden(`Only the team may change ${internal.join(', ')}`);
  if (publicFields.length && !canEditProfileFields(access)) throw forbidden('Only the owner or an admin may change this profile');
  if (!touched.length && !canEditProfileFields(access) && !canEditInternal(access)) throw forbidden('This profile is not yours');

  const fields = parseProfileFields(rest, 'update', current);
  if (current.version !== expectedVersion) {
    throw conflict('The profile was changed since you read it', { currentVersion: current.version, field: 'expectedVersion' });
  }
  const merged: Profile = { ...current, ...fields };
  const changed = (Object.keys(fields) as (keyof ProfileFields)[]).filter((k) => !isDeepStrictEqual(current[k], merged[k]));
  if (!changed.length) return current;
  const now = deps.clock.now().toISOString();
  const next: Profile = { ...merged, version: current.version + 1, updatedAt: now };
  const event = profileEvent<ProfileUpdated>(deps, 'profile.updated', {
    profile: next,
    changedFields: changed,
    actorId: principal.sub,
  });
  await deps.store.update(next, expectedVersion, [event]);
  deps.events.publish(event);
  return next;
}
