import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailError, type MailMessage, type Mailer } from '../../src/modules/notifications/mail/mailer.js';

export interface ReceivedAddress {
  name: string;
  address: string;
}

/** A message as the peer received it. */
export interface ReceivedMail {
  messageId: string | undefined;
  from: ReceivedAddress;
  to: ReceivedAddress[];
  subject: string;
  text: string;
  html: string;
  /** Lower-case header name → value. */
  headers: Map<string, string>;
}

/** A running peer and a Mailer sending to it. */
export interface MailerPeer {
  mailer: Mailer;
  /** Every copy the peer holds of the message with Message-ID `<id@atelier>`. */
  received(id: string): Promise<ReceivedMail[]>;
  /** Stops the peer and anything else the adapter started; runs even when tests failed. */
  stop(): Promise<void>;
}

/** A send that must fail with a MailError whose `retryable` is as stated. */
export interface FailureCase<P extends MailerPeer> {
  title: string;
  retryable: boolean;
  /** Performs the failing send (it may make its own mailer, e.g. with a short timeout). */
  send(peer: P): Promise<void>;
}

const NAME = 'Léa Dubois — Développeuse';

export const sampleMessage = (overrides: Partial<MailMessage> = {}): MailMessage => {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    to: `${NAME} <lea.dubois@example.com>`,
    from: 'Atelier <no-reply@atelier.local>',
    subject: `Bienvenue, ${NAME} (${id.slice(0, 8)})`,
    text: `Bonjour ${NAME},\n\nVotre profil est en ligne : « Léa » ✓\nhttps://atelier.local/p/lea`,
    html: `<p>Bonjour <strong>${NAME}</strong>,</p><p>Votre profil est en ligne : « Léa » ✓</p>`,
    ...overrides,
  };
};

/** Waits a little for a message that the peer may still be storing, and returns its copies. */
async function receivedEventually(peer: MailerPeer, id: string): Promise<ReceivedMail[]> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const copies = await peer.received(id);
    if (copies.length || Date.now() > deadline) return copies;
    await sleep(50);
  }
}

async function rejectsWithMailError(p: Promise<unknown>): Promise<MailError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MailError, `expected a MailError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

/**
 * The Mailer contract. Every adapter runs it against a real peer:
 * `mailerSuite('smtp', startPeer, failureCases)`.
 */
export function mailerSuite<P extends MailerPeer>(name: string, start: () => Promise<P>, failures: FailureCase<P>[]): void {
  describe(`Mailer conformance: ${name}`, () => {
    let peer: P | undefined;
    const thePeer = (): P => {
      assert.ok(peer, 'the peer did not start');
      return peer;
    };
    before(async () => {
      peer = await start();
    });
    after(async () => {
      await peer?.mailer.close();
      await peer?.stop();
    });

    it('delivers subject, addresses, text and HTML intact, UTF-8 included', async () => {
      const m = sampleMessage();
      await thePeer().mailer.send(m);
      const [got] = await receivedEventually(thePeer(), m.id);
      assert.ok(got, 'the peer received nothing');
      assert.equal(got.subject, m.subject);
      assert.deepEqual(got.from, { name: 'Atelier', address: 'no-reply@atelier.local' });
      assert.deepEqual(got.to, [{ name: NAME, address: 'lea.dubois@example.com' }]);
      assert.equal(got.text.trimEnd(), m.text);
      assert.equal(got.html.trimEnd(), m.html);
    });

    it('sets the Message-ID to <id@atelier>', async () => {
      const m = sampleMessage();
      await thePeer().mailer.send(m);
      const [got] = await receivedEventually(thePeer(), m.id);
      assert.equal(got?.messageId, `<${m.id}@atelier>`);
    });

    it('carries custom headers', async () => {
      const m = sampleMessage({ headers: { 'X-Atelier-Event': 'profile.created', 'X-Atelier-Locale': 'fr' } });
      await thePeer().mailer.send(m);
      const [got] = await receivedEventually(thePeer(), m.id);
      assert.equal(got?.headers.get('x-atelier-event'), 'profile.created');
      assert.equal(got?.headers.get('x-atelier-locale'), 'fr');
    });

    it('gives a message sent twice the same Message-ID each time', async () => {
      const m = sampleMessage();
      await thePeer().mailer.send(m);
      await thePeer().mailer.send(m);
      const copies = await receivedEventually(thePeer(), m.id);
      // One copy where the transport de-duplicates (file), two where it cannot (SMTP, SES).
      assert.ok(copies.length === 1 || copies.length === 2, `got ${copies.length} copies`);
      for (const c of copies) assert.equal(c.messageId, `<${m.id}@atelier>`);
    });

    it('refuses an id that cannot be a Message-ID, for good and without sending', async () => {
      for (const id of ['', 'a b', 'x@y', '../etc/passwd', 'a..b', 'x'.repeat(201)]) {
        const err = await rejectsWithMailError(thePeer().mailer.send(sampleMessage({ id })));
        assert.equal(err.retryable, false, id);
      }
    });

    it('refuses a custom header that would override one it sets', async () => {
      const err = await rejectsWithMailError(thePeer().mailer.send(sampleMessage({ headers: { 'message-id': '<x@y>' } })));
      assert.equal(err.retryable, false);
    });

    it('answers ping', async () => {
      await thePeer().mailer.ping();
    });

    for (const f of failures) {
      it(`${f.title} → MailError, ${f.retryable ? 'retryable' : 'not retryable'}`, async () => {
        const err = await rejectsWithMailError(f.send(thePeer()));
        assert.equal(err.retryable, f.retryable, err.message);
      });
    }
  });
}
