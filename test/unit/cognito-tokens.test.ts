import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { SignJWT, createLocalJWKSet, exportJWK, type JWTPayload } from 'jose';
import { CognitoTokenVerifier, groupsFromClaim, issuerOf, jwksUrlOf } from '../../src/modules/identity/cognito/cognito-tokens.js';
import { AppError } from '../../src/shared/errors.js';

const pool = { userPoolId: 'eu-west-3_AbCdEf123', clientId: 'client123', region: 'eu-west-3' };
const ISS = 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123';
const NOW = new Date('2026-11-22T10:00:00Z');
const t = Math.floor(NOW.getTime() / 1000);

describe('Cognito token checks', () => {
  let key: KeyObject;
  let other: KeyObject;
  let verifier: CognitoTokenVerifier;
  const sign = (payload: JWTPayload, kid = 'k1', signer?: KeyObject) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(signer ?? key);
  const access = (extra: JWTPayload = {}) => ({
    sub: 'user-1',
    iss: ISS,
    token_use: 'access',
    client_id: 'client123',
    iat: t - 10,
    exp: t + 600,
    ...extra,
  });
  const refusal = async (token: string) => {
    const err = await verifier.verify(token, NOW).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError, 'expected a refusal');
    return err.code;
  };

  before(async () => {
    key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const jwk = { ...(await exportJWK(key)), kid: 'k1', alg: 'RS256', use: 'sig' };
    // the public half only, as Cognito publishes it
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
    verifier = new CognitoTokenVerifier(pool, createLocalJWKSet({ keys: [pub] }));
  });

  it('knows where the pool’s issuer and JWKS are, on AWS and on an emulator', () => {
    assert.equal(issuerOf(pool), ISS);
    assert.equal(jwksUrlOf(pool), `${ISS}/.well-known/jwks.json`);
    assert.equal(
      jwksUrlOf({ ...pool, endpoint: 'http://127.0.0.1:9229' }),
      'http://127.0.0.1:9229/eu-west-3_AbCdEf123/.well-known/jwks.json',
    );
  });

  it('accepts an access token and an ID token of this pool and client, with their groups', async () => {
    assert.deepEqual(await verifier.verify(await sign(access({ 'cognito:groups': ['team', 'other-app'] })), NOW), {
      sub: 'user-1',
      tokenUse: 'access',
      groups: ['team'],
      email: null,
      exp: t + 600,
    });
    const id = await sign({ sub: 'user-1', iss: ISS, token_use: 'id', aud: 'client123', email: 'a@b.c', exp: t + 600 });
    assert.deepEqual(await verifier.verify(id, NOW), {
      sub: 'user-1',
      tokenUse: 'id',
      groups: ['freelancer'],
      email: 'a@b.c',
      exp: t + 600,
    });
  });

  it('refuses expiry (beyond a 5 s skew), another issuer, another client and other token uses', async () => {
    assert.equal((await verifier.verify(await sign(access({ exp: t - 3 })), NOW)).sub, 'user-1', 'within the skew');
    assert.equal(await refusal(await sign(access({ exp: t - 6 }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ iss: `${ISS}x` }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ iss: undefined }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ client_id: 'other' }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ client_id: undefined }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ token_use: 'id', client_id: undefined, aud: 'other' }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ token_use: 'refresh' }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ token_use: undefined }))), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access({ sub: undefined }))), 'UNAUTHENTICATED');
  });

  it('refuses alg none, an unknown kid, another key under a known kid, and garbage', async () => {
    const body = Buffer.from(JSON.stringify(access())).toString('base64url');
    assert.equal(await refusal(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access(), 'k2')), 'UNAUTHENTICATED');
    assert.equal(await refusal(await sign(access(), 'k1', other)), 'UNAUTHENTICATED');
    assert.equal(await refusal('not.a.jwt'), 'UNAUTHENTICATED');
  });

  it('maps cognito:groups to Atelier groups, freelancer when none', () => {
    assert.deepEqual(groupsFromClaim(undefined), ['freelancer']);
    assert.deepEqual(groupsFromClaim([]), ['freelancer']);
    assert.deepEqual(groupsFromClaim(['billing']), ['freelancer']);
    assert.deepEqual(groupsFromClaim(['admin', 'team', 'admin']), ['admin', 'team']);
    assert.deepEqual(groupsFromClaim('admin'), ['freelancer'], 'a string is not a list of groups');
  });
});
