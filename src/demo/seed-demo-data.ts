import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { IdentityProvider } from '../modules/identity/index.js';
import { createProfile, type ProfilesDeps } from '../modules/profiles/index.js';

interface DemoFreelancer {
  email: string;
  profile: Record<string, unknown>;
}

const skill = (name: string, level: number, years: number, isMain = false) => ({ name, level, years, isMain });

const DEMO: DemoFreelancer[] = [
  {
    email: 'camille.martin@demo.atelier.local',
    profile: {
      handle: 'camille-martin',
      firstName: 'Camille',
      lastName: 'Martin',
      email: 'camille.martin@demo.atelier.local',
      headline: 'Développeuse full-stack TypeScript',
      bio: 'Dix ans de produits web, de la maquette à la production.',
      location: { city: 'Lyon', countryCode: 'FR' },
      remote: 'HYBRID',
      dailyRate: 620,
      currency: 'EUR',
      availability: { status: 'AVAILABLE', availableFrom: '2026-12-01', daysPerWeek: 5 },
      skills: [
        skill('TypeScript', 5, 8, true),
        skill('React', 5, 7, true),
        skill('Node.js', 4, 8, true),
        skill('PostgreSQL', 4, 6),
      ],
      languages: [
        { code: 'fr', level: 'NATIVE' },
        { code: 'en', level: 'C1' },
      ],
      links: [
        { type: 'GITHUB', url: 'https://github.com/camille-martin-demo' },
        { type: 'MALT', url: 'https://www.malt.fr/profile/camillemartin' },
      ],
      visibility: 'PUBLIC',
    },
  },
  {
    email: 'youssef.benali@demo.atelier.local',
    profile: {
      handle: 'youssef-data',
      firstName: 'Youssef',
      lastName: 'Benali',
      email: 'youssef.benali@demo.atelier.local',
      headline: 'Data engineer — pipelines et entrepôts',
      location: { city: 'Paris', countryCode: 'FR' },
      remote: 'REMOTE',
      dailyRate: 700,
      currency: 'EUR',
      availability: { status: 'PARTIALLY_AVAILABLE', daysPerWeek: 3 },
      skills: [skill('Python', 5, 9, true), skill('Apache Spark', 4, 5, true), skill('dbt', 4, 3), skill('AWS', 4, 6)],
      languages: [
        { code: 'fr', level: 'NATIVE' },
        { code: 'ar', level: 'C2' },
        { code: 'en', level: 'B2' },
      ],
      links: [{ type: 'LINKEDIN', url: 'https://www.linkedin.com/in/youssef-benali-demo' }],
      visibility: 'PUBLIC',
    },
  },
  {
    email: 'lea.dubois@demo.atelier.local',
    profile: {
      handle: 'lea-design',
      firstName: 'Léa',
      lastName: 'Dubois',
      email: 'lea.dubois@demo.atelier.local',
      headline: 'Product designer UX/UI',
      location: { city: 'Nantes', countryCode: 'FR' },
      remote: 'HYBRID',
      dailyRate: 550,
      currency: 'EUR',
      availability: { status: 'AVAILABLE', daysPerWeek: 4 },
      skills: [skill('Figma', 5, 6, true), skill('Design system', 4, 4, true), skill('User research', 4, 5)],
      languages: [
        { code: 'fr', level: 'NATIVE' },
        { code: 'en', level: 'C1' },
        { code: 'es', level: 'B1' },
      ],
      links: [{ type: 'PORTFOLIO', url: 'https://lea-dubois.example.com' }],
      visibility: 'PUBLIC',
    },
  },
  {
    email: 'tom.schneider@demo.atelier.local',
    profile: {
      handle: 'tom-devops',
      firstName: 'Tom',
      lastName: 'Schneider',
      email: 'tom.schneider@demo.atelier.local',
      headline: 'DevOps / SRE, Kubernetes et AWS',
      location: { city: 'Strasbourg', countryCode: 'FR' },
      remote: 'REMOTE',
      dailyRate: 750,
      currency: 'EUR',
      availability: { status: 'UNAVAILABLE', availableFrom: '2027-03-01' },
      skills: [skill('Kubernetes', 5, 6, true), skill('Terraform', 5, 6, true), skill('AWS', 5, 8, true), skill('Go', 3, 2)],
      languages: [
        { code: 'fr', level: 'C2' },
        { code: 'de', level: 'NATIVE' },
        { code: 'en', level: 'C1' },
      ],
      links: [{ type: 'GITHUB', url: 'https://github.com/tom-schneider-demo' }],
      visibility: 'PUBLIC',
    },
  },
  {
    email: 'ines.moreau@demo.atelier.local',
    profile: {
      handle: 'ines-mobile',
      firstName: 'Inès',
      lastName: 'Moreau',
      email: 'ines.moreau@demo.atelier.local',
      headline: 'Développeuse mobile iOS et Android',
      location: { city: 'Bordeaux', countryCode: 'FR' },
      remote: 'ONSITE',
      dailyRate: 600,
      currency: 'EUR',
      availability: { status: 'AVAILABLE', daysPerWeek: 5 },
      skills: [skill('Swift', 5, 7, true), skill('Kotlin', 4, 5, true), skill('React Native', 4, 3)],
      languages: [
        { code: 'fr', level: 'NATIVE' },
        { code: 'en', level: 'B2' },
      ],
      links: [{ type: 'WEBSITE', url: 'https://ines-moreau.example.com' }],
      visibility: 'PRIVATE',
    },
  },
];

/**
 * Gives a newcomer something to look at: a few freelancer accounts (random passwords nobody knows)
 * and their profiles — only when the profile store is empty, so it never touches real data.
 */
export async function seedDemoData(identity: IdentityProvider, profiles: ProfilesDeps, log: FastifyBaseLogger): Promise<void> {
  const existing = await profiles.store.list({ readableBy: { kind: 'all' } }, 1);
  if (existing.items.length) return;
  for (const d of DEMO) {
    const account = await identity
      .provisionAccount(d.email, randomBytes(24).toString('base64url'), ['freelancer'])
      .catch(() => null);
    if (!account) continue; // e-mail already used: leave that account alone
    await createProfile(profiles, { sub: account.id, email: account.email, groups: account.groups }, d.profile);
  }
  log.info({ profiles: DEMO.length }, 'demo profiles created (DEMO_DATA=false to skip)');
}
