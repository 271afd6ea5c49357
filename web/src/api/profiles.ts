import { gql } from './client';
import type {
  CreateProfileInput,
  CvFile,
  DeadLetter,
  FileKind,
  Photo,
  Profile,
  ProfileFilterInput,
  UpdateProfileInput,
  UploadTarget,
} from './schema-types';

export type {
  AvailabilityStatus,
  LanguageLevel,
  LinkType,
  RemotePreference,
  Visibility,
  FileKind,
  ProfileFilterInput,
} from './schema-types';

/** A profile as the app reads it: photo thumbnails selected at two sizes. */
export type ProfileData = Omit<Profile, '__typename' | 'photo' | 'cv'> & {
  photo?: (Omit<Photo, '__typename' | 'thumbnailUrl'> & { thumb: string; small: string }) | null;
  cv?: Omit<CvFile, '__typename'> | null;
};

const PROFILE_FIELDS = `
  id handle firstName lastName email phone headline bio
  location { city countryCode } remote dailyRate currency
  availability { status availableFrom daysPerWeek }
  skills { name level years isMain } languages { code level } links { type url }
  visibility version createdAt updatedAt
  photo { url thumb: thumbnailUrl(size: 256) small: thumbnailUrl(size: 64) contentType width height uploadedAt }
  cv { url fileName size contentType uploadedAt }`;
/** The team-only fields, asked for by team and admin screens only (others get FORBIDDEN-free nulls anyway). */
const INTERNAL_FIELDS = 'internalNotes internalRating tags';

export const myProfile = async (): Promise<ProfileData | null> =>
  (await gql<{ myProfile: ProfileData | null }>(`query MyProfile { myProfile { ${PROFILE_FIELDS} } }`)).myProfile;

export const getProfile = async (id: string): Promise<ProfileData | null> =>
  (
    await gql<{ getProfile: ProfileData | null }>(
      `query GetProfile($id: ID!) { getProfile(id: $id) { ${PROFILE_FIELDS} ${INTERNAL_FIELDS} } }`,
      { id },
    )
  ).getProfile;

export const createProfile = async (input: CreateProfileInput): Promise<ProfileData> =>
  (
    await gql<{ createProfile: ProfileData }>(
      `mutation CreateProfile($input: CreateProfileInput!) { createProfile(input: $input) { ${PROFILE_FIELDS} } }`,
      { input },
    )
  ).createProfile;

export const updateProfile = async (input: UpdateProfileInput, internal = false): Promise<ProfileData> =>
  (
    await gql<{ updateProfile: ProfileData }>(
      `mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { ${PROFILE_FIELDS} ${internal ? INTERNAL_FIELDS : ''} } }`,
      { input },
    )
  ).updateProfile;

export interface ProfilePage {
  items: ProfileData[];
  nextToken: string | null;
}

export const listProfiles = async (filter: ProfileFilterInput, nextToken: string | null, limit = 20): Promise<ProfilePage> =>
  (
    await gql<{ listProfiles: ProfilePage }>(
      `query ListProfiles($filter: ProfileFilterInput, $limit: Int, $nextToken: String) {
        listProfiles(filter: $filter, limit: $limit, nextToken: $nextToken) { items { ${PROFILE_FIELDS} } nextToken } }`,
      { filter, limit, nextToken },
    )
  ).listProfiles;

export const createUploadUrl = async (kind: FileKind, contentType: string, size: number): Promise<UploadTarget> =>
  (
    await gql<{ createUploadUrl: UploadTarget }>(
      'mutation CreateUploadUrl($input: CreateUploadUrlInput!) { createUploadUrl(input: $input) { url fields key expiresAt } }',
      { input: { kind, contentType, size } },
    )
  ).createUploadUrl;

export const attachProfileFile = async (key: string): Promise<ProfileData> =>
  (
    await gql<{ attachProfileFile: ProfileData }>(
      `mutation AttachProfileFile($input: AttachProfileFileInput!) { attachProfileFile(input: $input) { ${PROFILE_FIELDS} } }`,
      { input: { key } },
    )
  ).attachProfileFile;

export type DeadLetterData = Omit<DeadLetter, '__typename'>;

export const listDeadLetters = async (nextToken: string | null): Promise<{ items: DeadLetterData[]; nextToken: string | null }> =>
  (
    await gql<{ listDeadLetters: { items: DeadLetterData[]; nextToken: string | null } }>(
      `query DeadLetters($nextToken: String) { listDeadLetters(limit: 50, nextToken: $nextToken) {
        items { id handler eventType eventId aggregateId attempts lastError occurredAt failedAt payload } nextToken } }`,
      { nextToken },
    )
  ).listDeadLetters;

export const retryDeadLetter = (id: string) =>
  gql('mutation Retry($input: DeadLetterInput!) { retryDeadLetter(input: $input) { id } }', { input: { id } });
export const discardDeadLetter = (id: string) =>
  gql('mutation Discard($input: DeadLetterInput!) { discardDeadLetter(input: $input) { id } }', { input: { id } });

/** The subscription documents (src/api/subscriptions.ts opens them). */
export const ON_UPDATE = `subscription OnUpdate($id: ID) { onUpdateProfile(id: $id) { id version } }`;
export const ON_CREATE = `subscription OnCreate { onCreateProfile { id version } }`;
