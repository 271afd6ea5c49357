import { note, paragraph, type Template } from './content.js';
import { countOf } from './locale.js';

export interface PasswordResetCodeData {
  code: string;
  expiresInMinutes: number;
}

/** The code that lets the account holder choose a new password. */
export const passwordResetCode: Template<PasswordResetCodeData> = ({ code, expiresInMinutes }, locale) => {
  switch (locale) {
    case 'fr': {
      const validity = countOf(locale, expiresInMinutes, { one: 'minute', other: 'minutes' });
      return {
        subject: 'Réinitialisation de votre mot de passe Atelier',
        preheader: `Code valable ${validity}.`,
        blocks: [
          paragraph('Bonjour,'),
          paragraph('Voici votre code pour choisir un nouveau mot de passe :'),
          { kind: 'code', code },
          paragraph(`Il est valable pendant ${validity}.`),
          note(
            "Si vous n'avez pas demandé cette réinitialisation, ignorez ce message : votre mot de passe actuel reste valable.",
          ),
        ],
      };
    }
    case 'en': {
      const validity = countOf(locale, expiresInMinutes, { one: 'minute', other: 'minutes' });
      return {
        subject: 'Reset your Atelier password',
        preheader: `Code valid for ${validity}.`,
        blocks: [
          paragraph('Hello,'),
          paragraph('Here is your code to choose a new password:'),
          { kind: 'code', code },
          paragraph(`It is valid for ${validity}.`),
          note('If you did not ask to reset your password, you can ignore this message: your current password still works.'),
        ],
      };
    }
  }
};
