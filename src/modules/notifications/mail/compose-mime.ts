import MailComposer from 'nodemailer/lib/mail-composer';
import { MailError, type MailMessage } from './mailer.js';

/** Dot-separated words of characters that a Message-ID's left part and a file name both hold as is. */
const MAIL_ID = /^[A-Za-z0-9_+=-]+(?:\.[A-Za-z0-9_+=-]+)*$/;
const MAX_ID_LENGTH = 200;

/** Header names are printable ASCII without a colon (RFC 5322 field-name). */
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Headers this module sets itself: a caller overriding one would break idempotency (Message-ID),
 * the MIME structure, or send to someone other than `to`.
 */
const RESERVED_HEADERS = new Set([
  'message-id',
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'subject',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

export const isValidMailId = (id: string): boolean => id.length <= MAX_ID_LENGTH && MAIL_ID.test(id);

export const messageIdOf = (id: string): string => `<${id}@atelier>`;

export interface ComposedMail {
  /** The whole RFC 5322 message, as every adapter sends or stores it. */
  raw: Buffer;
  /** SMTP envelope: bare addresses taken from From and To. */
  envelope: { from: string | null; to: string[] };
}

/**
 * Builds the MIME message of `m` (multipart/alternative text + HTML, UTF-8, our Message-ID).
 * A message that can never be sent (bad id, reserved or malformed header) is a non-retryable MailError.
 */
export async function composeMime(m: MailMessage, now: Date = new Date()): Promise<ComposedMail> {
  if (!isValidMailId(m.id)) {
    throw new MailError(`invalid mail id ${JSON.stringify(m.id.slice(0, MAX_ID_LENGTH))}`, false);
  }
  for (const name of Object.keys(m.headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new MailError(`invalid header name ${JSON.stringify(name)}`, false);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new MailError(`header ${name} is set by the mailer`, false);
  }
  // MailComposer encodes non-ASCII headers as encoded-words and folds CR/LF in header values into
  // the value, so user text in a subject or header cannot inject headers.
  const node = new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    headers: m.headers ?? {},
    messageId: messageIdOf(m.id),
    date: now,
  }).compile();
  const raw = await node.build();
  const envelope = node.getEnvelope();
  return { raw, envelope: { from: envelope.from || null, to: envelope.to } };
}
