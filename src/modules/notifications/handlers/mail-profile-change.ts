import type { EventHandler } from '../../jobs/index.js';
import type { ProfileCreated, ProfileDeleted, ProfileUpdated } from '../../profiles/index.js';
import { render } from '../templates/index.js';
import type { ProfileMailSnapshot } from '../state/profile-mail-state.js';
import { mailIdOf, type NotificationDeps } from './deps.js';

/** Fields the freelancer is never told about: they are the team's. */
const TEAM_ONLY = new Set(['internalNotes', 'internalRating', 'tags']);
export const PROFILE_MAIL_DUE = 'notifications.profile_update_mail_due';
const SUMMARY_HANDLER = 'mail-profile-update-summary';

const profileUrl = (deps: NotificationDeps, handle: string) => `${deps.publicUrl}/profiles/${encodeURIComponent(handle)}`;

/** Confirms a new profile to its owner. */
export function mailProfileCreated(deps: NotificationDeps): EventHandler {
  return {
    name: 'mail-profile-created',
    on: ['profile.created'],
    async handle(raw, ctx) {
      const { profile } = (raw as ProfileCreated).payload;
      const content = render('profileCreated', await deps.localeOf(profile.ownerId), {
        firstName: profile.firstName,
        handle: profile.handle,
        profileUrl: profileUrl(deps, profile.handle),
      });
      await deps.mailer.send({ id: mailIdOf(ctx.jobId), to: profile.email, from: deps.mailFrom, ...content });
    },
  };
}

/** Confirms a deletion to the owner, and drops any summary still waiting for that profile. */
export function mailProfileDeleted(deps: NotificationDeps): EventHandler {
  return {
    name: 'mail-profile-deleted',
    on: ['profile.deleted'],
    async handle(raw, ctx) {
      const { profile } = (raw as ProfileDeleted).payload;
      await deps.profileMail.forget(profile.id);
      const content = render('profileDeleted', await deps.localeOf(profile.ownerId), {
        firstName: profile.firstName,
        handle: profile.handle,
      });
      await deps.mailer.send({ id: mailIdOf(ctx.jobId), to: profile.email, from: deps.mailFrom, ...content });
    },
  };
}

const scheduleSummary = (deps: NotificationDeps, snapshot: ProfileMailSnapshot, sendAt: string) =>
  deps.schedule(
    {
      // one summary job per profile and send time: every change in the window lands on the same job
      id: `profile-mail.${snapshot.profileId}.${Date.parse(sendAt)}`,
      type: PROFILE_MAIL_DUE,
      aggregateId: snapshot.profileId,
      occurredAt: sendAt,
      payload: { profileId: snapshot.profileId },
    },
    SUMMARY_HANDLER,
    sendAt,
  );

/** Collects the fields an update changed into the profile's pending summary and schedules its e-mail. */
export function collectProfileUpdate(deps: NotificationDeps): EventHandler {
  return {
    name: 'collect-profile-update',
    on: ['profile.updated'],
    async handle(raw, ctx) {
      const { profile, changedFields } = (raw as ProfileUpdated).payload;
      const visible = changedFields.filter((f) => !TEAM_ONLY.has(f));
      if (!visible.length) return;
      const snapshot = {
        profileId: profile.id,
        ownerId: profile.ownerId,
        email: profile.email,
        firstName: profile.firstName,
        handle: profile.handle,
      };
      const pending = await deps.profileMail.addChanges(snapshot, visible, ctx.now().toISOString(), deps.profileMailWindowMs);
      await scheduleSummary(deps, pending.snapshot, pending.sendAt);
    },
  };
}

/** Sends the pending summary of a profile's changes (at most one e-mail per window). */
export function mailProfileUpdateSummary(deps: NotificationDeps): EventHandler {
  return {
    name: SUMMARY_HANDLER,
    on: [PROFILE_MAIL_DUE],
    async handle(event, ctx) {
      const pending = await deps.profileMail.pending(event.aggregateId);
      if (!pending) return; // already sent by an earlier run of this job, or the profile was deleted
      if (Date.parse(pending.sendAt) > ctx.now().getTime()) {
        await scheduleSummary(deps, pending.snapshot, pending.sendAt); // the window moved: a later job will send it
        return;
      }
      const { snapshot, fields } = pending;
      const content = render('profileUpdated', await deps.localeOf(snapshot.ownerId), {
        firstName: snapshot.firstName,
        handle: snapshot.handle,
        changedFields: fields,
        profileUrl: profileUrl(deps, snapshot.handle),
      });
      // the Message-ID comes from this job: a retry after a crash sends the same message again, not a new one
      await deps.mailer.send({ id: mailIdOf(ctx.jobId), to: snapshot.email, from: deps.mailFrom, ...content });
      const left = await deps.profileMail.markSent(snapshot.profileId, fields, ctx.now().toISOString(), deps.profileMailWindowMs);
      if (left) await scheduleSummary(deps, left.snapshot, left.sendAt);
    },
  };
}
