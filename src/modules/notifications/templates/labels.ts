import type { ProfileFields } from '../../profiles/index.js';
import type { Locale } from './locale.js';

type AvailabilityStatus = NonNullable<ProfileFields['availability']>['status'];

/** Every profile field has a label in every language: adding a field without one does not compile. */
const FIELD_LABELS: Record<keyof ProfileFields, Record<Locale, string>> = {
  handle: { fr: 'Identifiant', en: 'Handle' },
  firstName: { fr: 'Prénom', en: 'First name' },
  lastName: { fr: 'Nom', en: 'Last name' },
  email: { fr: 'Adresse e-mail', en: 'Email address' },
  phone: { fr: 'Téléphone', en: 'Phone' },
  headline: { fr: 'Titre', en: 'Headline' },
  bio: { fr: 'Présentation', en: 'Bio' },
  location: { fr: 'Localisation', en: 'Location' },
  remote: { fr: 'Télétravail', en: 'Remote work' },
  dailyRate: { fr: 'Taux journalier', en: 'Daily rate' },
  currency: { fr: 'Devise', en: 'Currency' },
  availability: { fr: 'Disponibilité', en: 'Availability' },
  skills: { fr: 'Compétences', en: 'Skills' },
  languages: { fr: 'Langues', en: 'Languages' },
  links: { fr: 'Liens', en: 'Links' },
  visibility: { fr: 'Visibilité', en: 'Visibility' },
  internalNotes: { fr: 'Notes internes', en: 'Internal notes' },
  internalRating: { fr: 'Note interne', en: 'Internal rating' },
  tags: { fr: 'Étiquettes', en: 'Tags' },
};

const AVAILABILITY_LABELS: Record<AvailabilityStatus, Record<Locale, string>> = {
  AVAILABLE: { fr: 'Disponible', en: 'Available' },
  PARTIALLY_AVAILABLE: { fr: 'Partiellement disponible', en: 'Partially available' },
  UNAVAILABLE: { fr: 'Indisponible', en: 'Unavailable' },
};

const has = <K extends string>(table: Record<K, unknown>, key: string): key is K => Object.hasOwn(table, key);

/** The human label of a profile field; an unknown name (a field added since) is shown as is. */
export const fieldLabel = (field: string, locale: Locale): string =>
  has(FIELD_LABELS, field) ? FIELD_LABELS[field][locale] : field;

export const availabilityLabel = (status: string, locale: Locale): string =>
  has(AVAILABILITY_LABELS, status) ? AVAILABILITY_LABELS[status][locale] : status;

/** "Label : value" in French typography, "Label: value" in English. */
export const labelled = (label: string, value: string, locale: Locale): string =>
  locale === 'fr' ? `${label}\u00a0: ${value}` : `${label}: ${value}`;
