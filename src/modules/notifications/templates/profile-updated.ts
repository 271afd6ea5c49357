import { note, paragraph, strong, type Template } from './content.js';
import { fieldLabel } from './labels.js';

export interface ProfileUpdatedData {
  firstName: string;
  handle: string;
  /** Profile field names (`dailyRate`…); shown with their label in the message's language. */
  changedFields: string[];
  profileUrl: string;
}

/** Tells the owner which parts of the profile changed (one message may sum up several updates). */
export const profileUpdated: Template<ProfileUpdatedData> = ({ firstName, handle, changedFields, profileUrl }, locale) => {
  const items = [...new Set(changedFields)].map((f) => fieldLabel(f, locale));
  switch (locale) {
    case 'fr':
      return {
        subject: 'Votre profil Atelier a été modifié',
        preheader: `Modifié : ${items.join(', ')}.`,
        blocks: [
          paragraph(`Bonjour ${firstName},`),
          paragraph('Votre profil ', strong(`@${handle}`), ' a été modifié. Ce qui a changé :'),
          { kind: 'list', items },
          { kind: 'button', href: profileUrl, label: 'Voir mon profil' },
          note("Si vous n'êtes pas à l'origine de ces modifications, changez votre mot de passe."),
        ],
      };
    case 'en':
      return {
        subject: 'Your Atelier profile was updated',
        preheader: `Changed: ${items.join(', ')}.`,
        blocks: [
          paragraph(`Hello ${firstName},`),
          paragraph('Your profile ', strong(`@${handle}`), ' was updated. What changed:'),
          { kind: 'list', items },
          { kind: 'button', href: profileUrl, label: 'View my profile' },
          note('If you did not make these changes, change your password.'),
        ],
      };
  }
};
