import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { SigningKeys } from '../../src/modules/identity/local/signing-keys.js';

const DAY = 86_400_000;

function fakeClock(start: number) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('signing keys', () => {
  it('publishes the next key before it signs, and keeps the old one until its last token expired', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-keys-'));
    const clock = fakeClock(Date.UTC(2030, 0, 1));
    const rotation = { rotationMs: 30 * DAY, publishLeadMs: 10 * 60_000, tokenTtlSeconds: 900 };
    const keys = await SigningKeys.load(dir, 'https://atelier.test', 'atelier', { clock, rotation });
    const first = await keys.sign({ sub: 'u1' }, 900);
    const kidA = decodeProtectedHeader(first).kid;
    assert.equal(keys.jwks().keys.length, 1);
    assert.equal(fs.statSync(path.join(dir, 'signing-keys.json')).mode & 0o777, 0o600);

    clock.advance(30 * DAY);
    const stillA = await keys.sign({ sub: 'u1' }, 900);
    assert.equal(decodeProtectedHeader(stillA).kid, kidA, 'the new key is published but does not sign yet');
    assert.equal(keys.jwks().keys.length, 2);

    clock.advance(10 * 60_000);
    const byB = await keys.sign({ sub: 'u1' }, 900);
    const kidB = decodeProtectedHeader(byB).kid;
    assert.notEqual(kidB, kidA);
    await keys.verify(stillA); // an A token is still valid and verifiable

    clock.advance(906_000);
    const freshB = await keys.sign({ sub: 'u2' }, 900); // any use runs maintenance
    assert.deepEqual(
      keys.jwks().keys.map((k) => k.kid),
      [kidB],
      'A retired once its tokens expired',
    );
    await assert.rejects(keys.verify(stillA));
    assert.equal(decodeProtectedHeader(freshB).kid, kidB);
    await keys.verify(freshB);

    // another process reading the same directory sees the same keys
    const again = await SigningKeys.load(dir, 'https://atelier.test', 'atelier', { clock, rotation });
    assert.deepEqual(again.jwks(), keys.jwks());
  });

  it('refuses alg none, HS256 signed with the public key, unknown kid, wrong issuer or audience, and expired tokens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-keys-'));
    const clock = fakeClock(Date.now());
    const keys = await SigningKeys.load(dir, 'https://atelier.test', 'atelier', { clock });
    const good = await keys.sign({ sub: 'u1' }, 900);
    const [, payload] = good.split('.');
    const jwk = keys.jwks().keys[0] as JWK;
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    await assert.rejects(keys.verify(none));
    // the classic confusion attack: HMAC keyed with the public key's bytes
    const hmacKey = new TextEncoder().encode(JSON.stringify(jwk));
    const hs = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
      .setIssuer('https://atelier.test')
      .setAudience('atelier')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(hmacKey);
    await assert.rejects(keys.verify(hs));
    const other = await generateKeyPair('ES256', { extractable: true });
    const strangerJwk = await exportJWK(other.privateKey);
    const stranger = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid' })
      .setIssuer('https://atelier.test')
      .setAudience('atelier')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(strangerJwk, 'ES256'));
    await assert.rejects(keys.verify(stranger));
    const wrongIss = await SigningKeys.load(dir, 'https://evil.test', 'atelier', { clock });
    await assert.rejects(wrongIss.verify(good));
    const wrongAud = await SigningKeys.load(dir, 'https://atelier.test', 'other', { clock });
    await assert.rejects(wrongAud.verify(good));
    clock.advance(906_000);
    await assert.rejects(keys.verify(good), /exp/);
  });
});
