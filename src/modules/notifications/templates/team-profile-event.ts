import type { ProfileFields } from '../../profiles/index.js';
import { strong, type Inline, type Template } from './content.js';
import { availabilityLabel, fieldLabel, labelled } from './labels.js';
import type { Locale } from './locale.js';

export type TeamEventKind = 'created' | 'deleted' | 'availabilityChanged' | 'skillsChanged';

export interface TeamProfileEventData {
  kind: TeamEventKind;
  fullName: string;
  handle: string;
  /** Empty when the profile has none. */
  headline: string;
  availabilityStatus?: NonNullable<ProfileFields['availability']>['status'];
  skills?: string[];
  profileUrl: string;
}

/** Shared by the team e-mail and the Slack message, so both say the same thing. */
export const TEAM_EVENT_TITLES: Record<TeamEventKind, Record<Locale, string>> = {
  created: { fr: 'Nouveau profil', en: 'New profile' },
  deleted: { fr: 'Profil supprimé', en: 'Profile deleted' },
  availabilityChanged: { fr: 'Disponibilité modifiée', en: 'Availability changed' },
  skillsChanged: { fr: 'Compétences modifiées', en: 'Skills changed' },
};

type Intro = (who: Inline, at: string) => Inline[];

const INTROS: Record<Locale, Record<TeamEventKind, Intro>> = {
  fr: {
    created: (who, at) => ['Le profil de ', who, at, " vient d'être créé."],
    deleted: (who, at) => ['Le profil de ', who, at, ' a été supprimé.'],
    availabilityChanged: (who, at) => [who, at, ' a changé de disponibilité.'],
    skillsChanged: (who, at) => [who, at, ' a modifié ses compétences.'],
  },
  en: {
    created: (who, at) => ['A profile was created for ', who, `${at}.`],
    deleted: (who, at) => ['The profile of ', who, at, ' was deleted.'],
    availabilityChanged: (who, at) => [who, at, ' changed their availability.'],
    skillsChanged: (who, at) => [who, at, ' updated their skills.'],
  },
};

/** The sentence that opens the notice, the person's name in bold. */
export const teamEventIntro = ({ kind, fullName, handle }: TeamProfileEventData, locale: Locale): Inline[] =>
  INTROS[locale][kind](strong(fullName), ` (@${handle})`);

/** Headline, availability and skills, each when known. */
export function teamEventFacts(data: TeamProfileEventData, locale: Locale): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  if (data.headline) rows.push({ label: fieldLabel('headline', locale), value: data.headline });
  if (data.availabilityStatus) {
    rows.push({ label: fieldLabel('availability', locale), value: availabilityLabel(data.availabilityStatus, locale) });
  }
  if (data.skills?.length) rows.push({ label: fieldLabel('skills', locale), value: data.skills.join(', ') });
  return rows;
}

const VIEW_PROFILE: Record<Locale, string> = { fr: 'Voir le profil', en: 'View the profile' };

/** Tells the team about a profile that appeared, went away, or changed availability or skills. */
export const teamProfileEvent: Template<TeamProfileEventData> = (data, locale) => {
  const facts = teamEventFacts(data, locale);
  return {
    subject: labelled(TEAM_EVENT_TITLES[data.kind][locale], data.fullName, locale),
    blocks: [
      { kind: 'paragraph', parts: teamEventIntro(data, locale) },
      ...(facts.length ? [{ kind: 'facts' as const, rows: facts }] : []),
      // a deleted profile has no page left to link to
      ...(data.kind === 'deleted' ? [] : [{ kind: 'button' as const, href: data.profileUrl, label: VIEW_PROFILE[locale] }]),
    ],
  };
};
