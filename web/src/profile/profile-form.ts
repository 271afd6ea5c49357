import type { AvailabilityStatus, LanguageLevel, LinkType, ProfileData, RemotePreference, Visibility } from '../api/profiles';

export interface SkillRow {
  name: string;
  level: number;
  years: string;
  isMain: boolean;
}

/** What the form edits: strings as typed, turned into the API's input by `inputOf`. */
export interface ProfileForm {
  handle: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  headline: string;
  bio: string;
  city: string;
  countryCode: string;
  remote: RemotePreference | '';
  dailyRate: string;
  currency: string;
  availabilityStatus: AvailabilityStatus | '';
  availableFrom: string;
  daysPerWeek: string;
  skills: SkillRow[];
  languages: { code: string; level: LanguageLevel }[];
  links: { type: LinkType; url: string }[];
  visibility: Visibility;
}

export const MAX_MAIN_SKILLS = 7;

export function formOf(p: ProfileData | null, email: string): ProfileForm {
  return {
    handle: p?.handle ?? '',
    firstName: p?.firstName ?? '',
    lastName: p?.lastName ?? '',
    email: p?.email ?? email,
    phone: p?.phone ?? '',
    headline: p?.headline ?? '',
    bio: p?.bio ?? '',
    city: p?.location?.city ?? '',
    countryCode: p?.location?.countryCode ?? '',
    remote: p?.remote ?? '',
    dailyRate: p?.dailyRate != null ? String(p.dailyRate) : '',
    currency: p?.currency ?? 'EUR',
    availabilityStatus: p?.availability?.status ?? '',
    availableFrom: p?.availability?.availableFrom ?? '',
    daysPerWeek: p?.availability?.daysPerWeek != null ? String(p.availability.daysPerWeek) : '',
    skills: (p?.skills ?? []).map((s) => ({
      name: s.name,
      level: s.level,
      years: s.years != null ? String(s.years) : '',
      isMain: s.isMain,
    })),
    languages: (p?.languages ?? []).map((l) => ({ code: l.code, level: l.level })),
    links: (p?.links ?? []).map((l) => ({ type: l.type, url: l.url })),
    visibility: p?.visibility ?? 'PRIVATE',
  };
}

const text = (s: string) => (s.trim() === '' ? null : s.trim());
/** A number as typed; what is not a number goes as is and the server names the field. */
const num = (s: string): number | null => (s.trim() === '' ? null : Number(s.replace(',', '.')));

/** The API's input, one entry per top-level input field (the unit of change and of conflict). */
export function inputOf(f: ProfileForm) {
  return {
    handle: f.handle.trim(),
    firstName: f.firstName.trim(),
    lastName: f.lastName.trim(),
    email: f.email.trim(),
    phone: text(f.phone),
    headline: text(f.headline),
    bio: text(f.bio),
    location: f.countryCode || f.city.trim() ? { city: text(f.city), countryCode: f.countryCode } : null,
    remote: f.remote || null,
    dailyRate: num(f.dailyRate),
    currency: f.dailyRate.trim() ? text(f.currency) : null,
    availability: f.availabilityStatus
      ? { status: f.availabilityStatus, availableFrom: text(f.availableFrom), daysPerWeek: num(f.daysPerWeek) }
      : null,
    skills: f.skills.map((s) => ({ name: s.name.trim(), level: s.level, years: num(s.years), isMain: s.isMain })),
    languages: f.languages,
    links: f.links.map((l) => ({ type: l.type, url: l.url.trim() })),
    visibility: f.visibility,
  };
}
export type ProfileInput = ReturnType<typeof inputOf>;
export type FieldGroup = keyof ProfileInput;

/** Which form keys make up each input field. */
const GROUP_KEYS: Record<FieldGroup, (keyof ProfileForm)[]> = {
  handle: ['handle'],
  firstName: ['firstName'],
  lastName: ['lastName'],
  email: ['email'],
  phone: ['phone'],
  headline: ['headline'],
  bio: ['bio'],
  location: ['city', 'countryCode'],
  remote: ['remote'],
  dailyRate: ['dailyRate'],
  currency: ['currency'],
  availability: ['availabilityStatus', 'availableFrom', 'daysPerWeek'],
  skills: ['skills'],
  languages: ['languages'],
  links: ['links'],
  visibility: ['visibility'],
};
export const GROUPS = Object.keys(GROUP_KEYS) as FieldGroup[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The input fields that differ between two forms. */
export function changedGroups(base: ProfileForm, current: ProfileForm): FieldGroup[] {
  const a = inputOf(base);
  const b = inputOf(current);
  return GROUPS.filter((g) => !same(a[g], b[g]));
}

/** Copies one input field's keys from `from` into `to`. */
export function takeGroup(to: ProfileForm, from: ProfileForm, group: FieldGroup): ProfileForm {
  const next = { ...to };
  for (const k of GROUP_KEYS[group]) (next as Record<keyof ProfileForm, unknown>)[k] = from[k];
  return next;
}

/**
 * Three-way merge after the profile changed elsewhere: `base` is what this form was loaded from,
 * `mine` the form now, `theirs` the server's current version. Fields only they changed are taken,
 * fields only I changed are kept, and fields both changed differently are returned as conflicts
 * for the user to decide (never overwritten silently).
 */
export function rebase(
  base: ProfileForm,
  mine: ProfileForm,
  theirs: ProfileForm,
): { merged: ProfileForm; conflicts: FieldGroup[] } {
  const b = inputOf(base);
  const m = inputOf(mine);
  const t = inputOf(theirs);
  let merged = mine;
  const conflicts: FieldGroup[] = [];
  for (const g of GROUPS) {
    if (same(m[g], b[g])) merged = takeGroup(merged, theirs, g);
    else if (!same(t[g], b[g]) && !same(t[g], m[g])) conflicts.push(g);
  }
  return { merged, conflicts };
}
