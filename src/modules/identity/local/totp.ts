import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 defaults that every authenticator app understands. */
const PERIOD = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** One step either side: a code typed just before it rolled over, or from a clock 30 s off, still counts. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

const totp = (secretBase32: string, label = '', issuer = '') =>
  new TOTP({ issuer, label, algorithm: ALGORITHM, digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secretBase32) });

/** A new random 160-bit TOTP secret, base32 (what authenticator apps take). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The otpauth:// URI an authenticator app reads from a QR code. */
export const totpUri = (secretBase32: string, accountLabel: string, issuer: string): string =>
  totp(secretBase32, accountLabel, issuer).toString();

/**
 * The time step of `code` if it is valid at `now` (within ±1 step) and newer than `lastStep`, else null.
 * Refusing steps up to `lastStep` makes every code single-use, and older codes useless once a newer one was used.
 */
export function acceptTotp(secretBase32: string, code: string, now: Date, lastStep: number): number | null {
  const token = String(code ?? '').replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  const step = Math.floor(now.getTime() / 1000 / PERIOD) + delta;
  return step > lastStep ? step : null;
}

/**
 * Recovery codes are 16 random base32 characters shown as `xxxx-xxxx-xxxx-xxxx` (80 bits each): enough that
 * the fast SHA-256 they are stored under cannot be reversed by brute force, unlike a 6-digit code.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(16)].map((b) => ALPHABET[b % 32]).join('');
    return (chars.match(/.{4}/g) ?? []).join('-');
  });
}

/** How a recovery code is stored: case, spaces and dashes do not matter when typed back. */
export const recoveryCodeHash = (accountId: string, code: string): string =>
  createHash('sha256')
    .update(
      `recovery:${accountId}:${String(code ?? '')
        .toLowerCase()
        .replace(/[\s-]+/g, '')}`,
    )
    .digest('base64url');
