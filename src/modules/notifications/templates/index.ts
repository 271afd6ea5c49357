export { render, type RenderedMail, type TemplateDataMap, type TemplateName } from './render.js';
export { DEFAULT_LOCALE, LOCALES, isLocale, type Locale } from './locale.js';
export type { VerificationCodeData } from './verification-code.js';
export type { PasswordResetCodeData } from './password-reset-code.js';
export type { ProfileCreatedData } from './profile-created.js';
export type { ProfileUpdatedData } from './profile-updated.js';
export type { ProfileDeletedData } from './profile-deleted.js';
export type { TeamEventKind, TeamProfileEventData } from './team-profile-event.js';
