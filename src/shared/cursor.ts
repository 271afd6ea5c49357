import { badInput } from './errors.js';

/**
 * Opaque pagination tokens (AppSync's `nextToken`): base64url JSON that clients must not parse.
 * A malformed token is the client's mistake and reported as BAD_USER_INPUT on `nextToken`.
 */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(token: string, keys: readonly K[]): Record<K, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object') {
      const rec = parsed as Record<string, unknown>;
      if (keys.every((k) => typeof rec[k] === 'string')) return rec as Record<K, string>;
    }
  } catch {
    // fall through to the uniform error
  }
  throw badInput([{ path: 'nextToken', message: 'is not a token this API returned' }]);
}
