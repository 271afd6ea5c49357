import countries from 'i18n-iso-countries';
import ISO6391 from 'iso-639-1';
import currencyCodes from 'currency-codes';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { badInput, type FieldIssue } from '../../shared/errors.js';
import {
  AVAILABILITY_STATUSES,
  LANGUAGE_LEVELS,
  LINK_TYPES,
  REMOTE_PREFERENCES,
  VISIBILITIES,
  skillKey,
  type Link,
  type ProfileFields,
  type Skill,
} from './model.js';

export const LIMITS = {
  skills: 50,
  mainSkills: 7,
  languages: 20,
  links: 20,
  tags: 30,
} as const;

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
/** Optional free text: "" and null both clear the field. */
const optionalText = (max: number) =>
  text(max)
    .nullable()
    .transform((v) => (v === '' ? null : v));
const requiredText = (max: number) => text(max).min(1, 'is required');
const intIn = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const HOSTS: Partial<Record<Link['type'], RegExp>> = {
  LINKEDIN: /(^|\.)linkedin\.com$/,
  GITHUB: /(^|\.)github\.com$/,
  MALT: /(^|\.)malt\.(com|fr|de|es|be|nl|ch|it|uk|co\.uk)$/,
};

const link = z
  .object({
    type: z.enum(LINK_TYPES),
    url: text(2048).min(1, 'is required'),
  })
  .superRefine((l, ctx) => {
    let url: URL;
    try {
      url = new URL(l.url);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an absolute http(s) URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an absolute http(s) URL' });
      return;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not contain credentials' });
    }
    const host = HOSTS[l.type];
    if (host && !host.test(url.hostname.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `must point at ${l.type.toLowerCase()}'s site` });
    }
  });

const skill = z.object({
  name: requiredText(60),
  level: intIn(1, 5),
  years: z.number().min(0, 'must be at least 0').max(60, 'must be at most 60').nullable().optional(),
  isMain: z.boolean().nullable().optional(),
});

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a real date',
  );

const fieldSchemas = {
  handle: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{3,30}$/, 'must be 3 to 30 characters among a-z, 0-9, - and _'),
  firstName: requiredText(100),
  lastName: requiredText(100),
  email: text(254).pipe(z.email('must be a valid e-mail address')),
  phone: z
    .string()
    .trim()
    .nullable()
    .transform((v) => (v === '' ? null : v))
    .refine(
      (v) => v === null || (/^\+[1-9]\d{1,14}$/.test(v) && isValidPhoneNumber(v)),
      'must be a valid phone number in E.164 form, e.g. +33612345678',
    ),
  headline: optionalText(160),
  bio: optionalText(5000),
  location: z
    .object({
      city: optionalText(100).optional(),
      countryCode: z
        .string()
        .trim()
        .transform((c) => c.toUpperCase())
        .refine((c) => /^[A-Z]{2}$/.test(c) && countries.isValid(c), 'must be an ISO 3166-1 alpha-2 country code'),
    })
    .nullable(),
  remote: z.enum(REMOTE_PREFERENCES).nullable(),
  dailyRate: intIn(1, 100_000).nullable(),
  currency: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .refine((c) => /^[A-Z]{3}$/.test(c) && currencyCodes.code(c) !== undefined, 'must be an ISO 4217 currency code')
    .nullable(),
  availability: z
    .object({
      status: z.enum(AVAILABILITY_STATUSES),
      availableFrom: isoDate.nullable().optional(),
      daysPerWeek: intIn(1, 7).nullable().optional(),
    })
    .nullable(),
  skills: z.array(skill).max(200, 'too many skills'),
  languages: z
    .array(
      z.object({
        code: z
          .string()
          .trim()
          .transform((c) => c.toLowerCase())
          .refine((c) => ISO6391.validate(c), 'must be an ISO 639-1 language code'),
        level: z.enum(LANGUAGE_LEVELS),
      }),
    )
    .max(LIMITS.languages, `at most ${LIMITS.languages} languages`),
  links: z.array(link).max(LIMITS.links, `at most ${LIMITS.links} links`),
  visibility: z.enum(VISIBILITIES),
  internalNotes: optionalText(5000),
  internalRating: intIn(1, 5).nullable(),
  tags: z.array(requiredText(40)).max(LIMITS.tags, `at most ${LIMITS.tags} tags`),
} satisfies Record<keyof ProfileFields, z.ZodType>;

const FIELD_NAMES = Object.keys(fieldSchemas) as (keyof ProfileFields)[];
const REQUIRED_ON_CREATE: (keyof ProfileFields)[] = ['handle', 'firstName', 'lastName', 'email'];
const REQUIRED_ALWAYS = new Set<keyof ProfileFields>([
  'handle',
  'firstName',
  'lastName',
  'email',
  'visibility',
  'skills',
  'languages',
  'links',
  'tags',
]);

const issuesOf = (prefix: string, err: z.ZodError): FieldIssue[] =>
  err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));

/** Trims, de-duplicates (case- and accent-insensitively, first wins, `isMain` kept if any copy had it). */
function normalizeSkills(raw: z.infer<typeof skill>[]): Skill[] {
  const byKey = new Map<string, Skill>();
  for (const s of raw) {
    const name = s.name.replace(/\s+/g, ' ');
    const key = skillKey(name);
    const seen = byKey.get(key);
    if (seen) {
      seen.isMain ||= s.isMain === true;
      continue;
    }
    byKey.set(key, { name, level: s.level, years: s.years ?? null, isMain: s.isMain === true });
  }
  return [...byKey.values()];
}

const dedupeBy = <T>(items: T[], key: (t: T) => string): T[] => {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/**
 * Validates and normalizes the fields present in `input` (absent = untouched). Every invalid
 * field is reported at once as BAD_USER_INPUT with its path, cross-field rules included (checked
 * against `base`, the stored profile on update). `mode: "create"` also requires the identity fields.
 */
export function parseProfileFields(
  input: Record<string, unknown>,
  mode: 'create' | 'update',
  base: Partial<ProfileFields> = {},
): Partial<ProfileFields> {
  const issues: FieldIssue[] = [];
  const out: Partial<Record<keyof ProfileFields, unknown>> = {};
  for (const name of FIELD_NAMES) {
    const value = input[name];
    if (value === undefined || (value === null && mode === 'create' && !REQUIRED_ON_CREATE.includes(name))) {
      if (mode === 'create' && REQUIRED_ON_CREATE.includes(name)) issues.push({ path: name, message: 'is required' });
      continue;
    }
    if (value === null && REQUIRED_ALWAYS.has(name)) {
      issues.push({ path: name, message: REQUIRED_ON_CREATE.includes(name) ? 'is required' : 'cannot be null' });
      continue;
    }
    const parsed = fieldSchemas[name].safeParse(value);
    if (!parsed.success) issues.push(...issuesOf(name, parsed.error));
    else out[name] = parsed.data;
  }
  if (Array.isArray(out.skills)) {
    const skills = normalizeSkills(out.skills as z.infer<typeof skill>[]);
    if (skills.length > LIMITS.skills) issues.push({ path: 'skills', message: `at most ${LIMITS.skills} distinct skills` });
    if (skills.filter((s) => s.isMain).length > LIMITS.mainSkills) {
      issues.push({ path: 'skills', message: `at most ${LIMITS.mainSkills} main skills` });
    }
    out.skills = skills;
  }
  if (Array.isArray(out.languages)) out.languages = dedupeBy(out.languages as { code: string }[], (l) => l.code);
  if (Array.isArray(out.tags)) out.tags = dedupeBy(out.tags as string[], (t) => skillKey(t));
  // A field already reported invalid is not reported again as missing.
  const flagged = new Set(issues.map((i) => i.path.split('.')[0]));
  issues.push(...consistencyIssues({ ...base, ...(out as Partial<ProfileFields>) }).filter((i) => !flagged.has(i.path)));
  if (issues.length) throw badInput(issues);
  return out as Partial<ProfileFields>;
}

/** Rules that span fields, checked on the profile as it would be stored (`base` + the new fields). */
function consistencyIssues(p: Partial<ProfileFields>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (p.dailyRate != null && p.currency == null) issues.push({ path: 'currency', message: 'is required with a daily rate' });
  return issues;
}
