/** What the profile-change e-mail needs to know about the profile, as of its latest change. */
export interface ProfileMailSnapshot {
  profileId: string;
  ownerId: string;
  email: string;
  firstName: string;
  handle: string;
}

export interface PendingProfileMail {
  snapshot: ProfileMailSnapshot;
  fields: string[];
  /** When the summary may be sent: at once if no e-mail went out within the window, else when it ends. */
  sendAt: string;
}

/**
 * Port: the throttle behind "at most one e-mail per profile per window, summarising the changed fields".
 * Adapters: sqlite ($DATA_DIR/notifications.db), dynamodb. Suite: test/conformance/profile-mail-state.suite.ts.
 */
export interface ProfileMailState {
  /**
   * Adds `fields` to the profile's pending summary (union, first-seen order) and keeps the newest snapshot.
   * Returns the pending summary, whose `sendAt` is `now` unless an e-mail was sent less than `windowMs` ago.
   */
  addChanges(
    snapshot: ProfileMailSnapshot,
    fields: readonly string[],
    now: string,
    windowMs: number,
  ): Promise<PendingProfileMail>;
  /** The pending summary, or null when there is none. */
  pending(profileId: string): Promise<PendingProfileMail | null>;
  /**
   * Records a sent summary: removes the `fields` it covered and sets the last-sent time. Changes that arrived
   * meanwhile stay pending, due when the new window closes; they are returned so the caller can schedule them.
   */
  markSent(profileId: string, fields: readonly string[], sentAt: string, windowMs: number): Promise<PendingProfileMail | null>;
  /** Forgets a deleted profile. */
  forget(profileId: string): Promise<void>;
  close(): Promise<void>;
}
