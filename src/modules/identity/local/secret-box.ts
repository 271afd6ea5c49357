import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

const FILE = 'secret-box.key';

/**
 * Authenticated encryption of small server-side secrets (TOTP secrets at rest, the OIDC flow cookie) as
 * JWE (`dir`, A256GCM) under one 256-bit key kept in `$DATA_DIR/keys/secret-box.key` (0600), next to the
 * signing keys. Each sealed value names its purpose (`aud`), so one kind can never be opened as another.
 * The key is never logged; losing it makes enrolled TOTP secrets unreadable (see ADR 011).
 */
export class SecretBox {
  private constructor(private readonly key: Uint8Array) {}

  /** Loads the key, creating it on first use; concurrent first starts agree on one key (link, not rename). */
  static load(dir: string): SecretBox {
    const file = path.join(dir, FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, randomBytes(32).toString('base64url'));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      try {
        fs.linkSync(tmp, file); // fails if another process created it first: theirs wins
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
    return new SecretBox(new Uint8Array(key));
  }

  /** Encrypts `claims` for `purpose`; with `ttlSeconds` it cannot be opened after that. */
  async seal(claims: JWTPayload, purpose: string, ttlSeconds?: number, now: Date = new Date()): Promise<string> {
    const jwt = new EncryptJWT(claims)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(purpose)
      .setIssuedAt(Math.floor(now.getTime() / 1000));
    if (ttlSeconds !== undefined) jwt.setExpirationTime(Math.floor(now.getTime() / 1000) + ttlSeconds);
    return jwt.encrypt(this.key);
  }

  /** The claims of a value sealed for `purpose`; throws if it was tampered with, is for another purpose, or expired. */
  async open(sealed: string, purpose: string, now: Date = new Date()): Promise<JWTPayload> {
    const { payload } = await jwtDecrypt(sealed, this.key, {
      audience: purpose,
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      currentDate: now,
    });
    return payload;
  }
}
