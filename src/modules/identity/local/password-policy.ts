import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** The 10,000 most common passwords (zxcvbn's ranked list), compared case-insensitively. */
const COMMON = new Set(dictionary['passwords-common'].slice(0, 10_000).map((p) => p.toLowerCase()));

/**
 * OWASP ASVS 2.1: length is what counts — at least 12 characters, up to 256 (spaces and any Unicode
 * allowed), no composition rules; refused when it is one of the most common passwords or the e-mail.
 * Returns the problems, empty when the password is acceptable.
 */
export function passwordProblems(password: string, email?: string): string[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return [`needs at least ${PASSWORD_MIN} characters`];
  if (length > PASSWORD_MAX) return [`must be at most ${PASSWORD_MAX} characters`];
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return ['is one of the most common passwords; choose another'];
  if (email && lower.trim() === email.trim().toLowerCase()) return ['must not be your e-mail address'];
  return [];
}
