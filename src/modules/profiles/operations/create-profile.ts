import { forbidden, unauthenticated } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import { TEAM_ONLY_FIELDS, type Profile, type ProfileFields } from '../model.js';
import { accessTo, canEditInternal } from '../policy.js';
import { parseProfileFields } from '../validate-profile-input.js';
import type { ProfilesDeps } from '../deps.js';
import { profileEvent, type ProfileCreated } from '../events.js';

const EMPTY: Omit<ProfileFields, 'handle' | 'firstName' | 'lastName' | 'email'> = {
  phone: null,
  headline: null,
  bio: null,
  location: null,
  remote: null,
  dailyRate: null,
  currency: null,
  availability: null,
  skills: [],
  languages: [],
  links: [],
  visibility: 'PRIVATE',
  internalNotes: null,
  internalRating: null,
  tags: [],
};

/** Creates the caller's profile (one per account); team-only fields need the team or admin group. */
export async function createProfile(
  deps: ProfilesDeps,
  principal: Principal | null,
  input: Record<string, unknown>,
): Promise<Profile> {
  if (!principal) throw unauthenticated();
  const setsInternal = TEAM_ONLY_FIELDS.filter((f) => input[f] !== undefined && input[f] !== null);
  if (setsInternal.length && !canEditInternal(accessTo(principal, { ownerId: principal.sub, visibility: 'PRIVATE' }))) {
    throw forbidden(`Only the team may set ${setsInternal.join(', ')}`);
  }
  const fields = parseProfileFields(input, 'create', EMPTY);
  const now = deps.clock.now().toISOString();
  const profile: Profile = {
    ...EMPTY,
    ...(fields as ProfileFields),
    id: deps.ids.newId(),
    ownerId: principal.sub,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const event = profileEvent<ProfileCreated>(deps, 'profile.created', { profile, actorId: principal.sub });
  await deps.store.create(profile, [event]);
  deps.events.publish(event);
  return profile;
}
