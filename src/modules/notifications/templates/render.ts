import type { MailContent, Template } from './content.js';
import { DEFAULT_LOCALE, isLocale, type Locale } from './locale.js';
import { passwordResetCode, type PasswordResetCodeData } from './password-reset-code.js';
import { profileCreated, type ProfileCreatedData } from './profile-created.js';
import { profileDeleted, type ProfileDeletedData } from './profile-deleted.js';
import { profileUpdated, type ProfileUpdatedData } from './profile-updated.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { teamProfileEvent, type TeamProfileEventData } from './team-profile-event.js';
import { verificationCode, type VerificationCodeData } from './verification-code.js';

/** Each template's name with the data it takes. */
export interface TemplateDataMap {
  verificationCode: VerificationCodeData;
  passwordResetCode: PasswordResetCodeData;
  profileCreated: ProfileCreatedData;
  profileUpdated: ProfileUpdatedData;
  profileDeleted: ProfileDeletedData;
  teamProfileEvent: TeamProfileEventData;
}
export type TemplateName = keyof TemplateDataMap;

/** Exactly the parts of a MailMessage a template decides. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const TEMPLATES: { [N in TemplateName]: Template<TemplateDataMap[N]> } = {
  verificationCode,
  passwordResetCode,
  profileCreated,
  profileUpdated,
  profileDeleted,
  teamProfileEvent,
};

/**
 * Renders a template in a language: subject, text part and HTML part. Every value from `data`
 * is escaped in the HTML and left as is in the text. An unknown locale (e.g. an old stored
 * value) falls back to French.
 */
export function render<N extends TemplateName>(name: N, locale: Locale, data: TemplateDataMap[N]): RenderedMail {
  const lang = isLocale(locale) ? locale : DEFAULT_LOCALE;
  const template: Template<TemplateDataMap[N]> = TEMPLATES[name];
  const content: MailContent = template(data, lang);
  return { subject: content.subject, text: renderText(content, lang), html: renderHtml(content, lang) };
}
