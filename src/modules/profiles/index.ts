export type { Profile, ProfileFields, Skill, StoredCv, StoredPhoto } from './model.js';
export type {
  ProfileDomainEvent,
  ProfileCreated,
  ProfileUpdated,
  ProfileDeleted,
  ProfileFileAttached,
  ProfileEventType,
} from './events.js';
export { PROFILE_EVENT_TYPES } from './events.js';
export { skillKey } from './model.js';
export type { ProfileStore, ProfileQuery, ProfilePage } from './profile-store.js';
export type { ProfilesDeps, ProfileEventPublisher } from './deps.js';
export { accessTo, canSeeContact, canSeeInternal, canRead } from './policy.js';
export { createProfile } from './operations/create-profile.js';
export { updateProfile } from './operations/update-profile.js';
export { deleteProfile } from './operations/delete-profile.js';
export { getProfile, getProfileByHandle, getMyProfile, listProfiles } from './operations/read-profiles.js';
export { SqliteProfileStore } from './stores/sqlite-profile-store.js';
export { setProfileFile, type ProfileFile } from './operations/set-profile-file.js';
