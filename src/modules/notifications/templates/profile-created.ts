import { paragraph, strong, type Template } from './content.js';

export interface ProfileCreatedData {
  firstName: string;
  handle: string;
  profileUrl: string;
}

/** Confirms a new profile to its owner. */
export const profileCreated: Template<ProfileCreatedData> = ({ firstName, handle, profileUrl }, locale) => {
  switch (locale) {
    case 'fr':
      return {
        subject: 'Votre profil Atelier est créé',
        preheader: `Votre profil @${handle} est en ligne.`,
        blocks: [
          paragraph(`Bonjour ${firstName},`),
          paragraph('Votre profil ', strong(`@${handle}`), ' est créé.'),
          paragraph('Complétez-le (compétences, disponibilité, taux journalier) pour que les équipes vous trouvent.'),
          { kind: 'button', href: profileUrl, label: 'Voir mon profil' },
        ],
      };
    case 'en':
      return {
        subject: 'Your Atelier profile is created',
        preheader: `Your profile @${handle} is online.`,
        blocks: [
          paragraph(`Hello ${firstName},`),
          paragraph('Your profile ', strong(`@${handle}`), ' has been created.'),
          paragraph('Complete it (skills, availability, daily rate) so that teams can find you.'),
          { kind: 'button', href: profileUrl, label: 'View my profile' },
        ],
      };
  }
};
