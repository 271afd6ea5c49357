import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { MailError } from '../../../src/modules/notifications/mail/mailer.js';
import { SesMailer } from '../../../src/modules/notifications/mail/ses-mailer.js';
import { mailerSuite, sampleMessage, type MailerPeer, type ReceivedMail } from '../../conformance/mailer.suite.js';
import { freePort } from '../../support/free-port.js';
import { fromParsedMail, parseAddress } from '../../support/received-mail.js';
import { startRecordingProxy, type RecordingProxy } from '../../support/recording-proxy.js';
import { startSesLocal, type SesLocal } from '../../support/ses-local.js';
import { startSilentServer, type SilentServer } from '../../support/silent-server.js';

interface SesPeer extends MailerPeer {
  ses: SesLocal;
  proxy: RecordingProxy;
  silent: SilentServer;
}

const REGION = 'eu-west-3';

/** What the SES API was sent: the raw MIME of every SendEmail request that went through the proxy. */
async function rawMessagesSent(proxy: RecordingProxy): Promise<ReceivedMail[]> {
  const sends = proxy.requests.filter((r) => r.method === 'POST' && r.path === '/v2/email/outbound-emails');
  return Promise.all(
    sends.map(async (r) => {
      const body = JSON.parse(r.body.toString('utf8')) as { Content?: { Raw?: { Data?: string } } };
      return fromParsedMail(await simpleParser(Buffer.from(body.Content?.Raw?.Data ?? '', 'base64')));
    }),
  );
}

/**
 * aws-ses-v2-local in a child process, behind a recording proxy. The peer's store has what SES made
 * of each message (subject, addresses, bodies) but drops the headers of raw messages, so
 * Message-ID and custom headers are read from the request the peer received.
 */
async function startSesPeer(): Promise<SesPeer> {
  const ses = await startSesLocal();
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await startRecordingProxy(ses.endpoint);
    const silent = await startSilentServer();
    const recorder = proxy;
    return {
      ses,
      proxy: recorder,
      silent,
      mailer: new SesMailer({ endpoint: recorder.endpoint, region: REGION, maxAttempts: 1 }),
      received: async (id) => {
        const sent = (await rawMessagesSent(recorder)).filter((m) => m.messageId === `<${id}@atelier>`);
        const stored = await ses.emails();
        // Pair each request with what the peer stored for it (same subject, in order).
        const forSubject = stored.filter((e) => e.subject === sent[0]?.subject);
        return sent.slice(0, forSubject.length).map((raw, i) => {
          const e = forSubject[i]!;
          return {
            ...raw,
            subject: e.subject,
            from: parseAddress(e.from),
            to: e.destination.to.map(parseAddress),
            text: e.body.text ?? '',
            html: e.body.html ?? '',
          };
        });
      },
      stop: async () => {
        await Promise.allSettled([recorder.stop(), silent.stop()]);
        await ses.stop();
      },
    };
  } catch (err) {
    await proxy?.stop();
    await ses.stop();
    throw err;
  }
}

async function sendWith(mailer: SesMailer): Promise<void> {
  try {
    await mailer.send(sampleMessage());
  } finally {
    await mailer.close();
  }
}

mailerSuite('ses (aws-ses-v2-local)', startSesPeer, [
  {
    // SES answers 400 to a raw message without a From; so would it to an unverified sender.
    title: 'a message SES refuses (no From)',
    retryable: false,
    send: (peer) => peer.mailer.send(sampleMessage({ from: '' })),
  },
  {
    title: 'an endpoint that never answers (request timeout)',
    retryable: true,
    send: (peer) =>
      sendWith(
        new SesMailer({ endpoint: `http://127.0.0.1:${peer.silent.port}`, region: REGION, maxAttempts: 1, timeoutMs: 300 }),
      ),
  },
  {
    title: 'nobody listening',
    retryable: true,
    send: async () =>
      sendWith(new SesMailer({ endpoint: `http://127.0.0.1:${await freePort()}`, region: REGION, maxAttempts: 1 })),
  },
]);

/** An HTTP server that answers every request the way SES answers an error (restJson1: type in x-amzn-ErrorType). */
async function startSesErrorResponder(status: number, type: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res
        .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/` })
        .end(JSON.stringify({ message: `${type} (test)` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('responder has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('SES error answers', () => {
  const cases: [number, string, boolean][] = [
    [429, 'TooManyRequestsException', true],
    [400, 'LimitExceededException', true],
    [500, 'InternalFailure', true],
    [503, 'ServiceUnavailable', true],
    [400, 'MessageRejected', false],
    [400, 'MailFromDomainNotVerifiedException', false],
    [400, 'SendingPausedException', false],
    [403, 'AccessDeniedException', false],
  ];
  for (const [status, type, retryable] of cases) {
    it(`${status} ${type} → ${retryable ? 'retryable' : 'not retryable'}`, async () => {
      const responder = await startSesErrorResponder(status, type);
      const mailer = new SesMailer({ endpoint: responder.endpoint, region: REGION, maxAttempts: 1 });
      try {
        await assert.rejects(mailer.send(sampleMessage()), (err: unknown) => {
          assert.ok(err instanceof MailError);
          assert.equal(err.retryable, retryable, err.message);
          assert.match(err.message, new RegExp(type));
          return true;
        });
      } finally {
        await mailer.close();
        await responder.stop();
      }
    });
  }
});
