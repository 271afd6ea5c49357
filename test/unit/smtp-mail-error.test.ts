import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smtpMailError } from '../../src/modules/notifications/mail/smtp-mailer.js';

const smtpError = (props: { code?: string; responseCode?: number; response?: string }) =>
  Object.assign(new Error(props.response ?? 'failed'), props);

describe('SMTP failures as MailError', () => {
  it('decides by the reply code when there is one: 4xx and 503 retryable, other 5xx not', () => {
    const cases: [number, boolean][] = [
      [421, true],
      [450, true],
      [451, true],
      [452, true],
      [503, true],
      [535, false],
      [550, false],
      [552, false],
      [554, false],
    ];
    for (const [responseCode, retryable] of cases) {
      const err = smtpMailError(smtpError({ code: 'EENVELOPE', responseCode, response: `${responseCode} no` }));
      assert.equal(err.retryable, retryable, String(responseCode));
      assert.match(err.message, new RegExp(`SMTP ${responseCode}`));
    }
  });

  it('retries connection-level failures, not configuration or message errors', () => {
    for (const code of ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS']) {
      assert.equal(smtpMailError(smtpError({ code })).retryable, true, code);
    }
    for (const code of ['EAUTH', 'ENOAUTH', 'ECONFIG', 'EMESSAGE', 'EENVELOPE']) {
      assert.equal(smtpMailError(smtpError({ code })).retryable, false, code);
    }
    assert.equal(smtpMailError('not even an Error').retryable, false);
  });
});
