import type { OutboxSource } from '../../shared/events.js';
import type { ProfileDomainEvent } from './events.js';
import type { AvailabilityStatus, Profile, RemotePreference } from './model.js';

export interface ProfileQuery {
  /** `all` for team/admin; otherwise PUBLIC profiles plus the caller's own (ownerId null when anonymous). */
  readableBy: { kind: 'all' } | { kind: 'publicOrOwner'; ownerId: string | null };
  /** Normalized skill keys (see `skillKey`), matched ANY or ALL. */
  skills?: { keys: string[]; match: 'ANY' | 'ALL' };
  availabilityStatus?: AvailabilityStatus;
  countryCode?: string;
  remote?: RemotePreference;
  maxDailyRate?: number;
  currency?: string;
}

export interface ProfilePage {
  items: Profile[];
  nextToken: string | null;
}

/**
 * Port: where profiles live. Adapters: `sqlite` (default), `dynamodb`; both pass
 * `test/conformance/profile-store.suite.ts`. Errors are `AppError`s with stable codes.
 * Every write records its `events` in the store's outbox atomically with the change: both or neither.
 */
export interface ProfileStore extends OutboxSource {
  /** Inserts; CONFLICT with details.field "handle" (taken, case-insensitively) or "owner" (account already has one). */
  create(profile: Profile, events: readonly ProfileDomainEvent[]): Promise<void>;
  /** The profile with this id, or null. */
  get(id: string): Promise<Profile | null>;
  /** The current version of the profile with this id, or null: as fresh as `get`, and cheaper (no document read). */
  version(id: string): Promise<number | null>;
  /** The profile whose handle equals this one case-insensitively, or null. */
  getByHandle(handle: string): Promise<Profile | null>;
  /** The profile owned by this account, or null. */
  getByOwner(ownerId: string): Promise<Profile | null>;
  /**
   * Replaces the stored profile if its version still equals `expectedVersion` (`profile.version` is the new one).
   * NOT_FOUND if absent; CONFLICT with details.currentVersion if stale; CONFLICT field "handle" if the new handle is taken.
   */
  update(profile: Profile, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void>;
  /** Deletes if the version matches; NOT_FOUND / CONFLICT (details.currentVersion) as for update. */
  delete(id: string, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void>;
  /**
   * Profiles newest first (createdAt, then id), `limit` at most, after `nextToken`. Keyset pagination:
   * concurrent writes never make a page skip or repeat an item that existed for the whole walk.
   */
  list(query: ProfileQuery, limit: number, nextToken?: string | null): Promise<ProfilePage>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
