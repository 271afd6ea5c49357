import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { writeFileAtomic } from '../../../shared/fs-atomic.js';

const ALG = 'ES256';

interface StoredKey {
  kid: string;
  createdAt: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * The local identity service's signing key: an ES256 pair created on first start under
 * `$DATA_DIR/keys/` (mode 0600) and published as a JWKS. Verification pins the algorithm,
 * issuer and audience. (Rotation arrives with the account-security issue.)
 */
export class SigningKeys {
  private constructor(
    private readonly current: StoredKey,
    private readonly privateKey: CryptoKey | Uint8Array,
    private readonly jwksPublic: { keys: JWK[] },
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static async load(dir: string, issuer: string, audience: string): Promise<SigningKeys> {
    const file = path.join(dir, 'signing-key.json');
    let stored: StoredKey;
    if (fs.existsSync(file)) {
      stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKey;
    } else {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const kid = crypto.randomUUID();
      stored = {
        kid,
        createdAt: new Date().toISOString(),
        privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
      };
      writeFileAtomic(file, JSON.stringify(stored), 0o600);
    }
    const privateKey = await importJWK(stored.privateJwk, ALG);
    return new SigningKeys(stored, privateKey, { keys: [stored.publicJwk] }, issuer, audience);
  }

  jwks(): { keys: JWK[] } {
    return this.jwksPublic;
  }

  async sign(claims: JWTPayload & { sub: string }, ttlSeconds: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: this.current.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
  }

  private verifier: ReturnType<typeof createLocalJWKSet> | undefined;

  /**
   * Verifies signature, `alg`, `iss`, `aud`, `exp` (5 s skew) as of `now`; throws on any failure.
   * `now` is the caller's clock, so that a cache of verified tokens and this check agree on the time.
   */
  async verify(token: string, now: Date = new Date()): Promise<JWTPayload> {
    this.verifier ??= createLocalJWKSet(this.jwksPublic);
    const { payload } = await jwtVerify(token, this.verifier, {
      algorithms: [ALG],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: 5,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    return payload;
  }
}
