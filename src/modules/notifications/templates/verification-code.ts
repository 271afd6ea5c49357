import { note, paragraph, type Template } from './content.js';
import { countOf } from './locale.js';

export interface VerificationCodeData {
  code: string;
  expiresInHours: number;
}

/** Sent at sign-up and on request: the code that proves the address is the account holder's. */
export const verificationCode: Template<VerificationCodeData> = ({ code, expiresInHours }, locale) => {
  switch (locale) {
    case 'fr': {
      const validity = countOf(locale, expiresInHours, { one: 'heure', other: 'heures' });
      return {
        subject: 'Votre code de vérification Atelier',
        preheader: `Valable ${validity}.`,
        blocks: [
          paragraph('Bonjour,'),
          paragraph('Voici votre code pour vérifier votre adresse e-mail :'),
          { kind: 'code', code },
          paragraph(`Il est valable pendant ${validity}.`),
          note("Si vous n'avez pas créé de compte Atelier, ignorez ce message."),
        ],
      };
    }
    case 'en': {
      const validity = countOf(locale, expiresInHours, { one: 'hour', other: 'hours' });
      return {
        subject: 'Your Atelier verification code',
        preheader: `Valid for ${validity}.`,
        blocks: [
          paragraph('Hello,'),
          paragraph('Here is your code to verify your email address:'),
          { kind: 'code', code },
          paragraph(`It is valid for ${validity}.`),
          note('If you did not create an Atelier account, you can ignore this message.'),
        ],
      };
    }
  }
};
