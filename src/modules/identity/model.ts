/** Roles are groups, the Cognito way. Every new account is a `freelancer`. */
export const GROUPS = ['freelancer', 'team', 'admin'] as const;
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

/**
 * TOTP second factor (RFC 6238). Secrets are stored encrypted (`local/secret-box.ts`), recovery codes hashed.
 * An account without MFA has `NO_MFA`.
 */
export interface MfaState {
  /** The confirmed TOTP secret (encrypted); null while MFA is off. */
  totpSecret: string | null;
  /** A secret being enrolled (encrypted), until a code from it is confirmed. */
  pendingSecret: string | null;
  /** The last TOTP time step accepted: codes of this step or earlier are refused (no replay). */
  lastStep: number;
  /** Hashes of the unused recovery codes. */
  recoveryCodes: string[];
  enabledAt: string | null;
}
export const NO_MFA: MfaState = { totpSecret: null, pendingSecret: null, lastStep: 0, recoveryCodes: [], enabledAt: null };

/** An identity at an external OpenID Connect provider, linked to one account; sign-ins go by (provider, subject). */
export interface FederatedLink {
  provider: string;
  subject: string;
  accountId: string;
  /** The e-mail the provider gave when the link was made (for the record; never used to find the account again). */
  email: string;
  createdAt: string;
}

/** A single-use, short-lived secret handed to a client (e.g. the code exchanged after a federated sign-in); stored hashed. */
export interface OneTimeGrant {
  /** SHA-256 of the secret (base64url). */
  hash: string;
  purpose: 'federated_sign_in';
  accountId: string;
  expiresAt: string;
  details: Record<string, string>;
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
  mfa: MfaState;
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
  /** Cognito mode: the OpenID ID token (e-mail and groups) that came with the access token. */
  idToken?: string;
}

/** The first factor was right, and the account has MFA: `POST /auth/login/mfa` with this token and a code finishes. */
export interface MfaChallenge {
  mfaRequired: true;
  /** Short-lived, good only for completing this sign-in. */
  mfaToken: string;
  expiresIn: number;
}

/** The first factor was right, but policy requires MFA and none is enrolled: this token only enrols it. */
export interface MfaSetupChallenge {
  mfaSetupRequired: true;
  /** Short-lived, accepted only by the TOTP setup and confirm routes. */
  setupToken: string;
  expiresIn: number;
}

/** What a first factor (password, federated sign-in) yields. */
export type SignInResult = Tokens | MfaChallenge | MfaSetupChallenge;
export const isTokens = (r: SignInResult): r is Tokens => 'accessToken' in r;

/** Groups whose members may be required to use MFA (freelancers never are). */
export const MFA_POLICY_GROUPS = ['team', 'admin'] as const;
export type MfaPolicyGroup = (typeof MFA_POLICY_GROUPS)[number];
export interface MfaPolicy {
  requireMfaFor: MfaPolicyGroup[];
}

export interface MfaStatus {
  enabled: boolean;
  /** A setup was started and not confirmed yet. */
  pendingSetup: boolean;
  recoveryCodesLeft: number;
  /** The admin policy requires MFA for one of the account's groups. */
  required: boolean;
}

/** Public view of an account (never the hash). */
export interface AccountView {
  id: string;
  email: string;
  groups: Group[];
  disabled: boolean;
  emailVerified: boolean;
  locale: Locale;
  /** Whether a TOTP second factor is enabled. */
  mfaEnabled: boolean;
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
  mfaEnabled: a.mfa.totpSecret !== null,
  createdAt: a.createdAt,
});
export const hasGroup = (p: Principal | null | undefined, ...groups: Group[]): boolean =>
  !!p && p.groups.some((g) => groups.includes(g));
