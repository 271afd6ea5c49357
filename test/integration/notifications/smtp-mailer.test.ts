import { SmtpMailer } from '../../../src/modules/notifications/mail/smtp-mailer.js';
import { mailerSuite, sampleMessage, type MailerPeer } from '../../conformance/mailer.suite.js';
import { freePort } from '../../support/free-port.js';
import { fromParsedMail } from '../../support/received-mail.js';
import { startSilentServer, type SilentServer } from '../../support/silent-server.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

interface SmtpPeer extends MailerPeer {
  sink: SmtpSink;
  silent: SilentServer;
}

/** An in-process smtp-server (the sink), and a TCP server that never greets for the timeout case. */
async function startSmtpPeer(): Promise<SmtpPeer> {
  const sink = await startSmtpSink();
  const silent = await startSilentServer().catch(async (err: unknown) => {
    await sink.stop();
    throw err;
  });
  return {
    sink,
    silent,
    mailer: new SmtpMailer({ url: sink.url }),
    received: async (id) => sink.messages.filter((p) => p.messageId === `<${id}@atelier>`).map(fromParsedMail),
    stop: async () => {
      await Promise.allSettled([sink.stop(), silent.stop()]);
    },
  };
}

/** Sends one message with a mailer made for the case, and closes it whatever happens. */
async function sendWith(mailer: SmtpMailer, to: string): Promise<void> {
  try {
    await mailer.send(sampleMessage({ to }));
  } finally {
    await mailer.close();
  }
}

mailerSuite('smtp (smtp-server)', startSmtpPeer, [
  {
    title: 'a recipient refused with 550',
    retryable: false,
    send: (peer) => peer.mailer.send(sampleMessage({ to: 'permanent-failure@example.com' })),
  },
  {
    title: 'a recipient refused with 451',
    retryable: true,
    send: (peer) => peer.mailer.send(sampleMessage({ to: 'temporary-failure@example.com' })),
  },
  {
    title: 'a server that never answers (greeting timeout)',
    retryable: true,
    send: (peer) => sendWith(new SmtpMailer({ url: `smtp://127.0.0.1:${peer.silent.port}`, timeoutMs: 300 }), 'x@example.com'),
  },
  {
    title: 'nobody listening',
    retryable: true,
    // A port that was just freed: the connection is refused.
    send: async () => sendWith(new SmtpMailer({ url: `smtp://127.0.0.1:${await freePort()}` }), 'x@example.com'),
  },
]);
