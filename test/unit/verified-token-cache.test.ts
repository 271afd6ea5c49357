import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppError, ErrorCode } from '../../src/shared/errors.js';
import { LocalIdentity } from '../../src/modules/identity/local/local-identity.js';
import { SigningKeys } from '../../src/modules/identity/local/signing-keys.js';
import { SecretBox } from '../../src/modules/identity/local/secret-box.js';
import { isTokens } from '../../src/modules/identity/model.js';
import { VerifiedTokenCache } from '../../src/modules/identity/local/verified-token-cache.js';
import { SqliteAccountStore } from '../../src/modules/identity/stores/sqlite-account-store.js';
import { SqliteAuditLog } from '../../src/modules/identity/stores/sqlite-audit-log.js';
import { randomIds } from '../../src/shared/clock.js';
import type { Principal } from '../../src/modules/identity/model.js';

const principal = (sub: string, sessionId = `s-${sub}`): Principal => ({
  sub,
  email: `${sub}@x.test`,
  groups: ['freelancer'],
  sessionId,
});

describe('VerifiedTokenCache', () => {
  it('hands back a remembered principal until the token expires, and nothing from then on', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t1', principal('a'), 2_000, 1_000);
    assert.equal(cache.get('t1', 1_999)?.sub, 'a');
    assert.equal(cache.get('t1', 2_000), undefined);
    assert.equal(cache.size, 0, 'the expired entry is dropped');
  });

  it('does not keep a token that is already past its exp', () => {
    const cache = new VerifiedTokenCache(10);
    assert.equal(cache.set('t1', principal('a'), 1_000, 1_000).sub, 'a');
    assert.equal(cache.get('t1', 999), undefined);
  });

  it('evicts the least recently used token once full', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('t1', principal('a'), 10_000, 0);
    cache.set('t2', principal('b'), 10_000, 0);
    assert.ok(cache.get('t1', 1)); // t1 is now the most recently used
    cache.set('t3', principal('c'), 10_000, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('t2', 1), undefined);
    assert.ok(cache.get('t1', 1));
    assert.ok(cache.get('t3', 1));
  });

  it('drops every token of a session on request (the seam for immediate revocation)', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t1', principal('a', 's1'), 10_000, 0);
    cache.set('t2', principal('a', 's1'), 10_000, 0);
    cache.set('t3', principal('a', 's2'), 10_000, 0);
    cache.forgetSession('s1');
    assert.equal(cache.get('t1', 1), undefined);
    assert.equal(cache.get('t2', 1), undefined);
    assert.ok(cache.get('t3', 1));
  });

  it('hands out principals that cannot be changed by one request for the next', () => {
    const cache = new VerifiedTokenCache(10);
    const p = cache.set('t1', principal('a'), 10_000, 0);
    assert.ok(Object.isFrozen(p));
    assert.ok(Object.isFrozen(p.groups));
  });

  it('keeps nothing when its size is 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('t1', principal('a'), 10_000, 0);
    assert.equal(cache.get('t1', 1), undefined);
  });
});

describe('LocalIdentity.verifyAccessToken with its cache', () => {
  const TTL_S = 900;
  let dir: string;
  let store: SqliteAccountStore;
  let keys: SigningKeys;
  let verifications = 0;
  let nowMs = Date.now();
  const clock = { now: () => new Date(nowMs) };

  const identity = () =>
    new LocalIdentity({
      store,
      keys,
      clock,
      ids: randomIds,
      accessTokenTtlSeconds: TTL_S,
      refreshTokenTtlDays: 1,
      passwordHashCost: 10,
      codeResendIntervalMs: 0,
      audit: new SqliteAuditLog(':memory:'),
      secrets: SecretBox.load(path.join(dir, 'keys')),
    });

  const rejects = async (p: Promise<unknown>) =>
    assert.rejects(p, (err: unknown) => err instanceof AppError && err.code === ErrorCode.UNAUTHENTICATED);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-token-cache-'));
    store = new SqliteAccountStore(path.join(dir, 'identity.db'));
    keys = await SigningKeys.load(path.join(dir, 'keys'), 'http://localhost', 'atelier');
    const verify = keys.verify.bind(keys);
    keys.verify = (token, now) => {
      verifications += 1;
      return verify(token, now);
    };
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const signedIn = async (id: LocalIdentity) => {
    nowMs = Date.now();
    const email = `user-${randomIds.newId()}@atelier.test`;
    await id.provisionAccount(email, 'a good long password', ['freelancer']);
    const result = await id.signIn(email, 'a good long password');
    assert.ok(isTokens(result));
    return result.accessToken;
  };

  it('checks the signature of a token once, then answers from the cache with the same principal', async () => {
    const id = identity();
    const token = await signedIn(id);
    const before = verifications;
    const first = await id.verifyAccessToken(token);
    const second = await id.verifyAccessToken(token);
    assert.equal(verifications - before, 1);
    assert.deepEqual(second, first);
    assert.deepEqual(first.groups, ['freelancer']);
    assert.equal(typeof first.sessionId, 'string');
  });

  it('refuses a cached token once the clock passes its exp (and the 5 s tolerance)', async () => {
    const id = identity();
    const token = await signedIn(id);
    await id.verifyAccessToken(token);
    nowMs += (TTL_S + 6) * 1000;
    await rejects(id.verifyAccessToken(token));
  });

  it('keeps the clock tolerance of a fresh check just past exp, without caching the token', async () => {
    const id = identity();
    const token = await signedIn(id);
    await id.verifyAccessToken(token);
    nowMs += (TTL_S + 2) * 1000;
    const before = verifications;
    await id.verifyAccessToken(token);
    await id.verifyAccessToken(token);
    assert.equal(verifications - before, 2, 'past exp, every use is verified afresh');
  });

  it('refuses a tampered token every time, and does not cache it', async () => {
    const id = identity();
    const token = await signedIn(id);
    const [header, payload, signature] = token.split('.');
    const tampered = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    const before = verifications;
    await rejects(id.verifyAccessToken(tampered));
    await rejects(id.verifyAccessToken(tampered));
    assert.equal(verifications - before, 2);
    await rejects(id.verifyAccessToken('not a token'));
  });
});
