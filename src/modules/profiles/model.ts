export const REMOTE_PREFERENCES = ['ONSITE', 'HYBRID', 'REMOTE'] as const;
export const AVAILABILITY_STATUSES = ['AVAILABLE', 'PARTIALLY_AVAILABLE', 'UNAVAILABLE'] as const;
export const LINK_TYPES = ['LINKEDIN', 'GITHUB', 'MALT', 'WEBSITE', 'PORTFOLIO', 'OTHER'] as const;
export const LANGUAGE_LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'NATIVE'] as const;
export const VISIBILITIES = ['PRIVATE', 'PUBLIC'] as const;

export type RemotePreference = (typeof REMOTE_PREFERENCES)[number];
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];
export type LinkType = (typeof LINK_TYPES)[number];
export type LanguageLevel = (typeof LANGUAGE_LEVELS)[number];
export type Visibility = (typeof VISIBILITIES)[number];

export interface Skill {
  name: string;
  level: number;
  years: number | null;
  isMain: boolean;
}
export interface Language {
  code: string;
  level: LanguageLevel;
}
export interface Link {
  type: LinkType;
  url: string;
}
export interface Location {
  city: string | null;
  countryCode: string;
}
export interface Availability {
  status: AvailabilityStatus;
  availableFrom: string | null;
  daysPerWeek: number | null;
}

/** The fields a caller may set (create or update). */
export interface ProfileFields {
  handle: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  headline: string | null;
  bio: string | null;
  location: Location | null;
  remote: RemotePreference | null;
  dailyRate: number | null;
  currency: string | null;
  availability: Availability | null;
  skills: Skill[];
  languages: Language[];
  links: Link[];
  visibility: Visibility;
  internalNotes: string | null;
  internalRating: number | null;
  tags: string[];
}

/** A profile photo as stored: the re-encoded image and its thumbnails (keys in the blob store). */
export interface StoredPhoto {
  key: string;
  thumbnailKeys: { '64': string; '256': string };
  contentType: string;
  size: number;
  width: number;
  height: number;
  uploadedAt: string;
}

/** A CV as stored, with the name it is downloaded under (chosen by the server). */
export interface StoredCv {
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  uploadedAt: string;
}

export interface Profile extends ProfileFields {
  id: string;
  /** Set by attaching an upload (files module), never by create/update input. */
  photo?: StoredPhoto | null;
  cv?: StoredCv | null;
  /** The account that owns the profile (one profile per account). */
  ownerId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const TEAM_ONLY_FIELDS = ['internalNotes', 'internalRating', 'tags'] as const satisfies readonly (keyof ProfileFields)[];
export const CONTACT_FIELDS = ['email', 'phone'] as const satisfies readonly (keyof ProfileFields)[];

/** Case-, accent- and space-insensitive key used to de-duplicate and filter skills. */
export const skillKey = (name: string): string =>
  name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();

/** Uniqueness key of a handle. */
export const handleKey = (handle: string): string => handle.toLowerCase();
