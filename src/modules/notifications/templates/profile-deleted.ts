import { note, paragraph, strong, type Template } from './content.js';

export interface ProfileDeletedData {
  firstName: string;
  handle: string;
}

/** Confirms a deletion to the former owner (no link: the profile is gone). */
export const profileDeleted: Template<ProfileDeletedData> = ({ firstName, handle }, locale) => {
  switch (locale) {
    case 'fr':
      return {
        subject: 'Votre profil Atelier a été supprimé',
        blocks: [
          paragraph(`Bonjour ${firstName},`),
          paragraph('Votre profil ', strong(`@${handle}`), " a été supprimé. Il n'apparaît plus sur Atelier."),
          note("Si vous n'êtes pas à l'origine de cette suppression, changez votre mot de passe."),
        ],
      };
    case 'en':
      return {
        subject: 'Your Atelier profile was deleted',
        blocks: [
          paragraph(`Hello ${firstName},`),
          paragraph('Your profile ', strong(`@${handle}`), ' was deleted. It no longer appears on Atelier.'),
          note('If you did not delete it, change your password.'),
        ],
      };
  }
};
