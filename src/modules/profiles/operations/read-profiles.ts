import { forbidden, notFound, unauthenticated, badInput } from '../../../shared/errors.js';
import { hasGroup, type Principal } from '../../identity/index.js';
import { skillKey, type AvailabilityStatus, type Profile, type RemotePreference } from '../model.js';
import { accessTo, canRead } from '../policy.js';
import type { ProfilePage, ProfileQuery } from '../profile-store.js';
import type { ProfilesDeps } from '../deps.js';

/** Refuses a profile the caller may not read: UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
function readable(principal: Principal | null, profile: Profile | null, what: string): Profile {
  if (!profile) throw notFound(what);
  if (!canRead(accessTo(principal, profile))) {
    throw principal ? forbidden('This profile is private') : unauthenticated('Sign in to read this profile');
  }
  return profile;
}

export async function getProfile(deps: ProfilesDeps, principal: Principal | null, id: string): Promise<Profile> {
  return readable(principal, await deps.store.get(id), 'Profile');
}

export async function getProfileByHandle(deps: ProfilesDeps, principal: Principal | null, handle: string): Promise<Profile> {
  return readable(principal, await deps.store.getByHandle(handle), 'Profile');
}

export async function getMyProfile(deps: ProfilesDeps, principal: Principal | null): Promise<Profile | null> {
  if (!principal) throw unauthenticated();
  return deps.store.getByOwner(principal.sub);
}

export interface ProfileFilter {
  skills?: string[] | null;
  skillsMatch?: 'ANY' | 'ALL' | null;
  availabilityStatus?: AvailabilityStatus | null;
  countryCode?: string | null;
  remote?: RemotePreference | null;
  maxDailyRate?: number | null;
  currency?: string | null;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** Team and admin see every profile; anyone else the PUBLIC ones and their own. */
export async function listProfiles(
  deps: ProfilesDeps,
  principal: Principal | null,
  filter: ProfileFilter | null | undefined,
  limit: number | null | undefined,
  nextToken: string | null | undefined,
): Promise<ProfilePage> {
  const size = limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw badInput([{ path: 'limit', message: `must be between 1 and ${MAX_PAGE}` }]);
  }
  const all = hasGroup(principal, 'team', 'admin');
  const query: ProfileQuery = {
    readableBy: all ? { kind: 'all' } : { kind: 'publicOrOwner', ownerId: principal?.sub ?? null },
  };
  const f = filter ?? {};
  const keys = [...new Set((f.skills ?? []).map(skillKey).filter(Boolean))];
  if (keys.length > 20) throw badInput([{ path: 'filter.skills', message: 'at most 20 skills' }]);
  if (keys.length) query.skills = { keys, match: f.skillsMatch ?? 'ANY' };
  if (f.availabilityStatus) query.availabilityStatus = f.availabilityStatus;
  if (f.countryCode) query.countryCode = f.countryCode.trim().toUpperCase();
  if (f.remote) query.remote = f.remote;
  if (f.maxDailyRate !== null && f.maxDailyRate !== undefined) query.maxDailyRate = f.maxDailyRate;
  if (f.currency) query.currency = f.currency.trim().toUpperCase();
  return deps.store.list(query, size, nextToken);
}
