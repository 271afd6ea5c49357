import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { acceptTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from '../../src/modules/identity/local/totp.js';

const at = (secret: string, ms: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({ timestamp: ms });

describe('TOTP and recovery codes', () => {
  const secret = newTotpSecret();
  const now = new Date(Date.UTC(2026, 10, 22, 6, 0, 10));
  const step = Math.floor(now.getTime() / 30_000);

  it('makes 160-bit base32 secrets and an otpauth URI authenticator apps read', () => {
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(newTotpSecret(), secret);
    const uri = new URL(totpUri(secret, 'ada@example.com', 'Atelier'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Atelier');
    assert.equal(uri.searchParams.get('period'), '30');
  });

  it('accepts the code of the current step and of one step either side, not two', () => {
    assert.equal(acceptTotp(secret, at(secret, now.getTime()), now, 0), step);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() - 30_000), now, 0), step - 1);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() + 30_000), now, 0), step + 1);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() - 60_000), now, 0), null);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() + 60_000), now, 0), null);
  });

  it('refuses a code whose step is not newer than the last one accepted (replay)', () => {
    const code = at(secret, now.getTime());
    assert.equal(acceptTotp(secret, code, now, step), null);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() - 30_000), now, step - 1), null);
    assert.equal(acceptTotp(secret, at(secret, now.getTime() + 30_000), now, step), step + 1);
  });

  it('ignores spaces and refuses anything but six digits', () => {
    const code = at(secret, now.getTime());
    assert.equal(acceptTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now, 0), step);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`]) assert.equal(acceptTotp(secret, bad, now, 0), null);
    assert.equal(acceptTotp(newTotpSecret(), code, now, 0) === step, false);
  });

  it('makes ten distinct 80-bit recovery codes whose hash ignores case and dashes, per account', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const c = codes[0]!;
    assert.equal(recoveryCodeHash('a', c), recoveryCodeHash('a', c.toUpperCase().replace(/-/g, ' ')));
    assert.notEqual(recoveryCodeHash('a', c), recoveryCodeHash('b', c));
  });
});
