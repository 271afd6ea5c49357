/** Roles are groups, the Cognito way. Every new account is a `freelancer`. */
export const GROUPS = ['freelancer', 'team', 'admin', 'partner'] as const;
export type Group = (typeof GROUPS)[number];

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A one-time code sent by e-mail; only its hash is stored. */
export interface PendingCode {
  hash: string;
  expiresAt: string;
  /** Wrong guesses so far; the code dies after a few. */
  attempts: number;
  sentAt: string;
}

export interface Account {
  id: string;
  email: string;
  /** Lower-cased, trimmed e-mail: the uniqueness key. */
  emailKey: string;
  passwordHash: string;
  groups: Group[];
  disabled: boolean;
  emailVerified: boolean;
  /** Language of the e-mails we send (French by default). */
  locale: Locale;
  codes: { verify?: PendingCode; reset?: PendingCode };
  /** Failed sign-ins counted for the lockout schedule; reset by a success. */
  lockout: { failures: number; lockedUntil: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  id: string;
  accountId: string;
  /** SHA-256 of the refresh secret currently valid for this session (base64url). */
  refreshHash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** Who is calling, as every module sees it; produced by the identity port from a verified token. */
export interface Principal {
  sub: string;
  email: string;
  groups: readonly Group[];
  sessionId?: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** Public view of an account (never the hash). */
export interface AccountView {
  id: string;
  email: string;
  groups: Group[];
  disabled: boolean;
  emailVerified: boolean;
  locale: Locale;
  createdAt: string;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
export const toAccountView = (a: Account): AccountView => ({
  id: a.id,
  email: a.email,
  groups: a.groups,
  disabled: a.disabled,
  emailVerified: a.emailVerified,
  locale: a.locale,
  createdAt: a.createdAt,
});
export const hasGroup = (p: Principal | null | undefined, ...groups: Group[]): boolean =>
  !!p && p.groups.some((g) => groups.includes(g));
