import type { Locale } from './locale.js';

/** The line under every message: the sender address takes no replies. */
export const FOOTER: Record<Locale, string> = {
  fr: 'Atelier — message automatique, merci de ne pas y répondre.',
  en: 'Atelier — automated message, please do not reply.',
};
