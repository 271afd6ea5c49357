import type { EventHandler } from '../../jobs/index.js';
import type { Profile, ProfileDomainEvent } from '../../profiles/index.js';
import { formatTeamSlackMessage, postToSlack } from '../slack/index.js';
import { render, type TeamProfileEventData } from '../templates/index.js';
import { mailIdOf, type NotificationDeps } from './deps.js';

/** What the team hears about: new and deleted profiles, and changes of availability or skills. */
export function teamNotices(event: ProfileDomainEvent, publicUrl: string): TeamProfileEventData[] {
  const { profile } = event.payload;
  const base = (kind: TeamProfileEventData['kind'], p: Profile): TeamProfileEventData => ({
    kind,
    fullName: `${p.firstName} ${p.lastName}`,
    handle: p.handle,
    headline: p.headline ?? '',
    availabilityStatus: p.availability?.status,
    skills: p.skills.map((s) => s.name),
    profileUrl: `${publicUrl}/profiles/${encodeURIComponent(p.handle)}`,
  });
  switch (event.type) {
    case 'profile.created':
      return [base('created', profile)];
    case 'profile.deleted':
      return [base('deleted', profile)];
    case 'profile.updated': {
      const notices: TeamProfileEventData[] = [];
      if (event.payload.changedFields.includes('availability')) notices.push(base('availabilityChanged', profile));
      if (event.payload.changedFields.includes('skills')) notices.push(base('skillsChanged', profile));
      return notices;
    }
    case 'profile.file_attached':
      return [];
  }
}

const TEAM_EVENTS = ['profile.created', 'profile.updated', 'profile.deleted'] as const;

/** Posts team notices to Slack when SLACK_WEBHOOK_URL is set. */
export function slackTeam(deps: NotificationDeps): EventHandler {
  return {
    name: 'slack-team',
    on: TEAM_EVENTS,
    async handle(raw) {
      if (!deps.slackWebhookUrl) return;
      const event = raw as ProfileDomainEvent;
      for (const [i, notice] of teamNotices(event, deps.publicUrl).entries()) {
        await postToSlack(deps.slackWebhookUrl, { ...formatTeamSlackMessage(notice), eventId: `${event.id}.${i}` });
      }
    },
  };
}

/** E-mails team notices to TEAM_EMAIL when it is set (always in French: the team's language). */
export function mailTeam(deps: NotificationDeps): EventHandler {
  return {
    name: 'mail-team',
    on: TEAM_EVENTS,
    async handle(raw, ctx) {
      if (!deps.teamEmail) return;
      const event = raw as ProfileDomainEvent;
      for (const [i, notice] of teamNotices(event, deps.publicUrl).entries()) {
        const content = render('teamProfileEvent', 'fr', notice);
        await deps.mailer.send({ id: `${mailIdOf(ctx.jobId)}.${i}`, to: deps.teamEmail, from: deps.mailFrom, ...content });
      }
    },
  };
}
