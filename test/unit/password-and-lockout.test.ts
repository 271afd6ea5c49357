import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordProblems } from '../../src/modules/identity/local/password-policy.js';
import {
  afterFailure,
  lockRemainingMs,
  NO_FAILURES,
  UnknownAddressLockouts,
  type LockoutState,
} from '../../src/modules/identity/local/lockout.js';

describe('password policy (OWASP ASVS)', () => {
  it('accepts long passphrases of any characters and refuses short ones', () => {
    assert.deepEqual(passwordProblems('correct horse battery staple'), []);
    assert.deepEqual(passwordProblems('ça-marche-très-bien 🎉'), []);
    assert.deepEqual(passwordProblems('aaaaaaaaaaaa'), [], 'no composition rules');
    assert.match(passwordProblems('short pass')[0]!, /12/);
    assert.deepEqual(passwordProblems('x'.repeat(128)), []);
    assert.match(passwordProblems('x'.repeat(257))[0]!, /256/);
  });

  it('refuses the most common passwords and the e-mail address', () => {
    assert.match(passwordProblems('1qaz2wsx3edc')[0]!, /common/);
    assert.match(passwordProblems('QWERTY123456')[0]!, /common/, 'case-insensitively');
    assert.match(passwordProblems('ada.lovelace@example.com', 'Ada.Lovelace@example.com')[0]!, /e-mail/);
  });
});

describe('lockout schedule (as Cognito)', () => {
  const t0 = new Date('2030-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('locks at the 5th failure for 1 s, doubling per failure, capped at 15 minutes', () => {
    let s: LockoutState = NO_FAILURES;
    const locks: number[] = [];
    for (let i = 1; i <= 16; i++) {
      s = afterFailure(s, t0);
      locks.push(lockRemainingMs(s, t0));
    }
    assert.deepEqual(locks.slice(0, 8), [0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000]);
    assert.equal(locks.at(-1), 15 * 60_000);
    assert.equal(lockRemainingMs(s, at(15 * 60_000)), 0, 'the lock ends');
  });

  it('remembers unknown addresses within a bound, oldest out first', () => {
    const l = new UnknownAddressLockouts(2);
    l.set('a', afterFailure(NO_FAILURES, t0));
    l.set('b', afterFailure(NO_FAILURES, t0));
    l.set('c', afterFailure(NO_FAILURES, t0));
    assert.equal(l.get('a').failures, 0);
    assert.equal(l.get('c').failures, 1);
  });
});
