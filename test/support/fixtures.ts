import type { Profile } from '../../src/modules/profiles/model.js';
import type { Account } from '../../src/modules/identity/index.js';

let seq = 0;
/** A distinct ISO timestamp per call, increasing, so ordering tests are deterministic. */
export function nextTimestamp(): string {
  seq += 1;
  return new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
}

export function makeProfile(overrides: Partial<Profile> = {}): Profile {
  const id = overrides.id ?? crypto.randomUUID();
  const at = overrides.createdAt ?? nextTimestamp();
  return {
    id,
    ownerId: crypto.randomUUID(),
    handle: `h-${id.slice(0, 8)}`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `${id.slice(0, 8)}@example.com`,
    phone: null,
    headline: null,
    bio: null,
    location: null,
    remote: null,
    dailyRate: null,
    currency: null,
    availability: null,
    skills: [],
    languages: [],
    links: [],
    visibility: 'PRIVATE',
    internalNotes: null,
    internalRating: null,
    tags: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function makeAccount(overrides: Partial<Account> = {}): Account {
  const id = overrides.id ?? crypto.randomUUID();
  const at = overrides.createdAt ?? nextTimestamp();
  const email = overrides.email ?? `${id.slice(0, 8)}@Example.com`;
  return {
    id,
    email,
    emailKey: email.toLowerCase(),
    passwordHash: 'scrypt$10$8$1$c2FsdA$aGFzaA',
    groups: ['freelancer'],
    disabled: false,
    emailVerified: false,
    locale: 'fr',
    codes: {},
    lockout: { failures: 0, lockedUntil: null },
    mfa: { totpSecret: null, pendingSecret: null, lastStep: 0, recoveryCodes: [], enabledAt: null },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}
