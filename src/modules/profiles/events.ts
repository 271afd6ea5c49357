import type { Clock, IdGenerator } from '../../shared/clock.js';
import type { DomainEvent } from '../../shared/events.js';
import type { Profile, ProfileFields, StoredCv, StoredPhoto } from './model.js';

export type ProfileCreated = DomainEvent<'profile.created', { profile: Profile; actorId: string }>;
export type ProfileUpdated = DomainEvent<
  'profile.updated',
  { profile: Profile; changedFields: (keyof ProfileFields)[]; actorId: string }
>;
export type ProfileDeleted = DomainEvent<'profile.deleted', { profile: Profile; actorId: string }>;
/** A photo or CV was attached; `replaced` is the file it replaced, to be deleted. */
export type ProfileFileAttached = DomainEvent<
  'profile.file_attached',
  { profile: Profile; kind: 'PHOTO' | 'CV'; replaced: StoredPhoto | StoredCv | null; actorId: string }
>;
export type ProfileDomainEvent = ProfileCreated | ProfileUpdated | ProfileDeleted | ProfileFileAttached;
export type ProfileEventType = ProfileDomainEvent['type'];

export const PROFILE_EVENT_TYPES = [
  'profile.created',
  'profile.updated',
  'profile.deleted',
  'profile.file_attached',
] as const satisfies readonly ProfileEventType[];

/** Builds a profile event with a fresh id; recorded by the store in the same transaction as the change. */
export function profileEvent<E extends ProfileDomainEvent>(
  deps: { clock: Clock; ids: IdGenerator },
  type: E['type'],
  payload: E['payload'],
): E {
  return {
    id: deps.ids.newId(),
    type,
    aggregateId: payload.profile.id,
    occurredAt: deps.clock.now().toISOString(),
    payload,
  } as E;
}
