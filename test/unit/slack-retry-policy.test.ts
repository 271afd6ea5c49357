import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullJitterDelay, parseRetryAfter } from '../../src/modules/notifications/slack/retry-policy.js';

describe('Slack retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Fri, 01 May 2026 12:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Fri, 01 May 2026 11:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('draws the wait between 0 and a ceiling that doubles per attempt up to the cap', () => {
    const top = () => 0.999_999;
    assert.equal(
      fullJitterDelay(1, 100, 10_000, () => 0),
      0,
    );
    assert.equal(fullJitterDelay(1, 100, 10_000, top), 99);
    assert.equal(fullJitterDelay(3, 100, 10_000, top), 399);
    assert.equal(fullJitterDelay(20, 100, 1_000, top), 999);
    for (let i = 0; i < 200; i++) {
      const d = fullJitterDelay(4, 100, 10_000);
      assert.ok(d >= 0 && d < 800, String(d));
    }
  });
});
