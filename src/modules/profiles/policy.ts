import { hasGroup, type Principal } from '../identity/index.js';
import type { Profile } from './model.js';

/** How much of a profile a caller may see, from least to most. */
export type ProfileAccess = 'none' | 'public' | 'owner' | 'team' | 'admin';

export function accessTo(principal: Principal | null, profile: Pick<Profile, 'ownerId' | 'visibility'>): ProfileAccess {
  if (hasGroup(principal, 'admin')) return 'admin';
  if (hasGroup(principal, 'team')) return 'team';
  if (principal && principal.sub === profile.ownerId) return 'owner';
  return profile.visibility === 'PUBLIC' ? 'public' : 'none';
}

export const canRead = (a: ProfileAccess): boolean => a !== 'none';
export const canSeeContact = (a: ProfileAccess): boolean => a === 'owner' || a === 'team' || a === 'admin';
export const canSeeInternal = (a: ProfileAccess): boolean => a === 'team' || a === 'admin';
/** The owner and admins edit the profile itself; the team edits only the team-only fields. */
export const canEditProfileFields = (a: ProfileAccess): boolean => a === 'owner' || a === 'admin';
export const canEditInternal = canSeeInternal;
export const canDelete = (a: ProfileAccess): boolean => a === 'owner' || a === 'admin';
