import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Messages received so far, parsed, in arrival order. */
  messages: ParsedMail[];
  stop(): Promise<void>;
}

/** Recipients the sink refuses, with the reply code it refuses them with. */
export const SMTP_REJECTED_RECIPIENTS = {
  'permanent-failure@example.com': 550,
  'temporary-failure@example.com': 451,
} as const satisfies Record<string, number>;

/**
 * A real SMTP server (smtp-server) in this process on a free port: no TLS, no auth required.
 * It keeps and parses every message, and refuses the recipients above with their reply code.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const rejected: Record<string, number> = SMTP_REJECTED_RECIPIENTS;
  const server = new SMTPServer({
    authOptional: true,
    // Without a trusted certificate a STARTTLS upgrade would fail; the sink speaks plain SMTP.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = rejected[address.address.toLowerCase()];
      if (code === undefined) return callback();
      const err: Error & { responseCode?: number } = new Error(`Mailbox ${address.address} refused (test)`);
      err.responseCode = code;
      callback(err);
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push(parsed);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP sink has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
