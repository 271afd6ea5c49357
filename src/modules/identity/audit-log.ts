export const AUDIT_EVENT_TYPES = [
  'sign_in_succeeded',
  'sign_in_failed',
  'account_locked',
  'refresh_token_reused',
  'password_changed',
  'password_reset',
  /** details.action: enabled, disabled, recovery_codes_regenerated, recovery_code_used. */
  'mfa_changed',
  'mfa_policy_changed',
  /** A wrong TOTP or recovery code outside sign-in (regenerating recovery codes, disabling MFA). */
  'mfa_verification_failed',
  'groups_changed',
  'account_disabled',
  'account_enabled',
  'signed_out_everywhere',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One security-relevant fact: who, what, when, from where. Never a secret (no password, token or code). */
export interface AuditEvent {
  id: string;
  /** ISO timestamp. */
  at: string;
  type: AuditEventType;
  /** The account concerned; null for failures on addresses that have no account. */
  accountId: string | null;
  /** Normalized e-mail, so failures on unknown addresses can be traced too. */
  email: string | null;
  /** The admin who acted, for admin actions; null when the account holder (or an anonymous caller) did. */
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, string | number | boolean>;
}

/** Where a request came from, as the HTTP edge saw it. */
export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface AuditFilter {
  accountId?: string;
}

/**
 * Port: the security audit trail, append-only. Adapters: `sqlite` (`$DATA_DIR/audit.db`), `dynamodb`
 * (items in the accounts table). Every adapter passes `test/conformance/audit-log.suite.ts`.
 */
export interface AuditLog {
  /** Appends an event (ids are unique; recording the same id twice is not expected). */
  record(event: AuditEvent): Promise<void>;
  /**
   * Events newest first by (at, id), only those of `filter.accountId` when given, `limit` at most,
   * continuing after `nextToken` (opaque; BAD_USER_INPUT when malformed).
   */
  list(filter: AuditFilter, limit: number, nextToken?: string | null): Promise<{ items: AuditEvent[]; nextToken: string | null }>;
  close(): Promise<void>;
}
