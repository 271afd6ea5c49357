import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from '../../../shared/errors.js';
import { GROUPS, type Group } from '../model.js';

export interface CognitoPool {
  userPoolId: string;
  clientId: string;
  region: string;
  /** cognito-local (or another emulator): its base URL is then also the issuer's domain. */
  endpoint?: string | undefined;
}

/** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool>`, or `<endpoint>/<pool>`. */
export const issuerOf = (pool: CognitoPool): string =>
  `${pool.endpoint ?? `https://cognito-idp.${pool.region}.amazonaws.com`}/${pool.userPoolId}`;

/** Where the pool publishes its signing keys (cognito-local serves the same path). */
export const jwksUrlOf = (pool: CognitoPool): string => `${issuerOf(pool)}/.well-known/jwks.json`;

/**
 * Atelier's groups from `cognito:groups`: names Atelier does not know are ignored (a pool may hold other
 * applications' groups), and a user in none of Atelier's groups is a `freelancer`, as every new account is.
 */
export function groupsFromClaim(claim: unknown): Group[] {
  const known = Array.isArray(claim) ? claim.filter((g): g is Group => (GROUPS as readonly string[]).includes(String(g))) : [];
  return known.length ? [...new Set(known)] : ['freelancer'];
}

export interface VerifiedCognitoToken {
  sub: string;
  tokenUse: 'access' | 'id';
  groups: Group[];
  /** Only ID tokens carry the e-mail; access tokens name the user by `sub`/`username`. */
  email: string | null;
  /** Seconds since the epoch. */
  exp: number;
}

/**
 * Verifies a Cognito access or ID token as AWS documents it: RS256 signature by a key of the pool's JWKS
 * (looked up by `kid`, refetched when an unknown `kid` appears, so key rotation needs no restart), `iss`
 * of this pool, `exp` (with a small skew), `token_use`, and the app client — `client_id` in an access token,
 * `aud` in an ID token. Anything else, `alg: none` included, is UNAUTHENTICATED.
 */
export class CognitoTokenVerifier {
  private readonly issuer: string;
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly pool: CognitoPool,
    keys?: JWTVerifyGetKey,
    private readonly clockToleranceSeconds = 5,
  ) {
    this.issuer = issuerOf(pool);
    this.keys = keys ?? createRemoteJWKSet(new URL(jwksUrlOf(pool)), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }

  async verify(token: string, now: Date): Promise<VerifiedCognitoToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer: this.issuer,
        requiredClaims: ['exp', 'sub', 'token_use'],
        clockTolerance: this.clockToleranceSeconds,
        currentDate: now,
      }));
    } catch {
      throw unauthenticated('Invalid or expired access token');
    }
    const use = payload.token_use;
    if (use === 'access') {
      if (payload.client_id !== this.pool.clientId) throw unauthenticated('This token was issued to another application');
    } else if (use === 'id') {
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.includes(this.pool.clientId)) throw unauthenticated('This token was issued to another application');
    } else {
      throw unauthenticated('Not an access or ID token');
    }
    if (typeof payload.sub !== 'string' || !payload.sub) throw unauthenticated('Invalid or expired access token');
    return {
      sub: payload.sub,
      tokenUse: use,
      groups: groupsFromClaim(payload['cognito:groups']),
      email: use === 'id' && typeof payload.email === 'string' ? payload.email : null,
      exp: payload.exp ?? 0,
    };
  }
}
