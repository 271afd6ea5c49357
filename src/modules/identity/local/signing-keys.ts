import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Clock } from '../../../shared/clock.js';
import { systemClock } from '../../../shared/clock.js';
import { writeFileAtomic } from '../../../shared/fs-atomic.js';

const ALG = 'ES256';
const SKEW_SECONDS = 5;

interface StoredKey {
  kid: string;
  createdAt: string;
  /** The key signs from this instant; before it, it is only published (so verifiers can fetch it first). */
  signsFrom: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface KeyRotation {
  /** A key signs for this long before the next one takes over. */
  rotationMs: number;
  /** A new key is in the JWKS this long before it signs: longer than any verifier caches the JWKS. */
  publishLeadMs: number;
  /** Access token lifetime: a retired key stays published until its last token has expired. */
  tokenTtlSeconds: number;
}

export const DEFAULT_ROTATION: KeyRotation = { rotationMs: 30 * 86_400_000, publishLeadMs: 10 * 60_000, tokenTtlSeconds: 900 };

/**
 * The local identity service's signing keys (ES256), under `$DATA_DIR/keys/signing-keys.json` (0600).
 * Rotation: when the signing key is `rotationMs` old, a new key is published in the JWKS at once and
 * starts signing `publishLeadMs` later; the old key stays published until every token it signed has
 * expired. Verification pins the algorithm, issuer and audience and allows a 5 s clock skew.
 */
export class SigningKeys {
  private keys: StoredKey[] = [];
  private privateKeys = new Map<string, CryptoKey | Uint8Array>();
  private verifier: ReturnType<typeof createLocalJWKSet> | undefined;

  private constructor(
    private readonly file: string,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly clock: Clock,
    private readonly rotation: KeyRotation,
  ) {}

  static async load(
    dir: string,
    issuer: string,
    audience: string,
    opts: { clock?: Clock; rotation?: Partial<KeyRotation> } = {},
  ): Promise<SigningKeys> {
    const keys = new SigningKeys(path.join(dir, 'signing-keys.json'), issuer, audience, opts.clock ?? systemClock, {
      ...DEFAULT_ROTATION,
      ...opts.rotation,
    });
    await keys.read(path.join(dir, 'signing-key.json'));
    await keys.maintain();
    return keys;
  }

  /** The published keys: the signing one, a newer one about to sign, and older ones whose tokens may still live. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  async sign(claims: JWTPayload & { sub: string }, ttlSeconds: number): Promise<string> {
    await this.maintain();
    const key = this.signingKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(Math.floor(this.clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(this.clock.now().getTime() / 1000) + ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(this.privateKeys.get(key.kid)!);
  }

  /** Verifies signature (a published key, by `kid`), `alg`, `iss`, `aud`, `exp` (5 s skew); throws on any failure. */
  async verify(token: string, now: Date = this.clock.now()): Promise<JWTPayload> {
    this.verifier ??= createLocalJWKSet(this.jwks());
    const { payload } = await jwtVerify(token, this.verifier, {
      algorithms: [ALG],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    return payload;
  }

  /** The newest key allowed to sign now. */
  private signingKey(): StoredKey {
    const now = this.clock.now().toISOString();
    const active = this.keys.filter((k) => k.signsFrom <= now);
    return active.at(-1) ?? this.keys[0]!;
  }

  /** Adds the next key when the signing one is due for rotation, and drops keys whose tokens have all expired. */
  private async maintain(): Promise<void> {
    const now = this.clock.now();
    let changed = false;
    const current = this.keys.length ? this.signingKey() : undefined;
    const pending = this.keys.some((k) => k.signsFrom > now.toISOString());
    if (!current || (!pending && now.getTime() - Date.parse(current.signsFrom) >= this.rotation.rotationMs)) {
      const lead = current ? this.rotation.publishLeadMs : 0;
      this.keys.push(await newKey(now, new Date(now.getTime() + lead)));
      changed = true;
    }
    // a key is retired once a newer key has signed for longer than a token lives
    const keep = this.keys.filter((k, i) => {
      const next = this.keys[i + 1];
      if (!next) return true;
      const retiredAt = Date.parse(next.signsFrom) + (this.rotation.tokenTtlSeconds + SKEW_SECONDS) * 1000;
      return retiredAt > now.getTime();
    });
    if (keep.length !== this.keys.length) {
      this.keys = keep;
      changed = true;
    }
    if (changed) {
      writeFileAtomic(this.file, JSON.stringify({ keys: this.keys }, null, 2), 0o600);
      await this.loadPrivateKeys();
    }
  }

  private async read(legacyFile: string): Promise<void> {
    if (fs.existsSync(this.file)) {
      this.keys = (JSON.parse(fs.readFileSync(this.file, 'utf8')) as { keys: StoredKey[] }).keys;
    } else if (fs.existsSync(legacyFile)) {
      // the single-key file of earlier versions: keep its key, which goes on verifying and signing
      const old = JSON.parse(fs.readFileSync(legacyFile, 'utf8')) as Omit<StoredKey, 'signsFrom'>;
      this.keys = [{ ...old, signsFrom: old.createdAt }];
      writeFileAtomic(this.file, JSON.stringify({ keys: this.keys }, null, 2), 0o600);
    }
    await this.loadPrivateKeys();
  }

  private async loadPrivateKeys(): Promise<void> {
    this.privateKeys = new Map(
      await Promise.all(this.keys.map(async (k) => [k.kid, await importJWK(k.privateJwk, ALG)] as const)),
    );
    this.verifier = undefined;
  }
}

async function newKey(createdAt: Date, signsFrom: Date): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = crypto.randomUUID();
  return {
    kid,
    createdAt: createdAt.toISOString(),
    signsFrom: signsFrom.toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
  };
}
