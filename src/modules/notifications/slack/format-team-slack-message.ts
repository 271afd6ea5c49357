import type { Inline } from '../templates/content.js';
import { labelled } from '../templates/labels.js';
import { DEFAULT_LOCALE, type Locale } from '../templates/locale.js';
import { TEAM_EVENT_TITLES, teamEventFacts, teamEventIntro, type TeamProfileEventData } from '../templates/team-profile-event.js';

/** Slack reads `&`, `<` and `>` as markup (links, mentions); user text must have them escaped. */
export const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Section text is capped at 3000 characters, fields at 2000; headlines and skill lists stay far below. */
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const VIEW_PROFILE: Record<Locale, string> = { fr: 'Voir le profil', en: 'View the profile' };

function mrkdwn(parts: Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return escapeSlack(p);
      if ('strong' in p) return `*${escapeSlack(p.strong)}*`;
      return `<${escapeSlack(p.href)}|${escapeSlack(p.label)}>`;
    })
    .join('');
}

/**
 * The team notice for Slack, from the same data and wording as the team e-mail: a title and
 * sentence, then headline, availability and skills as fields, and a link unless the profile is gone.
 * Add `eventId` and hand it to `postToSlack`.
 */
export function formatTeamSlackMessage(
  data: TeamProfileEventData,
  locale: Locale = DEFAULT_LOCALE,
): { text: string; blocks: unknown[] } {
  const title = TEAM_EVENT_TITLES[data.kind][locale];
  const intro = mrkdwn(teamEventIntro(data, locale));
  const link = data.kind === 'deleted' ? '' : `\n<${escapeSlack(data.profileUrl)}|${VIEW_PROFILE[locale]}>`;
  const facts = teamEventFacts(data, locale);
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*\n${intro}${link}`, 3000) } }];
  if (facts.length) {
    blocks.push({
      type: 'section',
      fields: facts.map((f) => ({ type: 'mrkdwn', text: clip(`*${escapeSlack(f.label)}*\n${escapeSlack(f.value)}`, 2000) })),
    });
  }
  // `text` is what notifications and screen readers show: the title and the sentence.
  return { text: labelled(title, intro, locale), blocks };
}
