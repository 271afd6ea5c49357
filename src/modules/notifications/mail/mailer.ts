/**
 * The Mail port: one message out, no SDK types. Adapters: `FileMailer` (development default,
 * `.eml` files), `SmtpMailer`, `SesMailer`; `createMailer` picks one from MAIL_TRANSPORT.
 */
export interface MailMessage {
  /**
   * Idempotency key; becomes the Message-ID `<${id}@atelier>`. Sending the same id twice must have
   * one effect where the transport allows (file: same file), and always the same Message-ID.
   * 1–200 characters of `A-Z a-z 0-9 _ + = -` in dot-separated words (e.g. a UUID, `evt-1.welcome`):
   * what a Message-ID's left part and a file name can both hold as is.
   */
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Sends or throws MailError (retryable: boolean). */
  send(m: MailMessage): Promise<void>;
  /** Resolves when the transport is reachable and would accept mail (readiness checks). */
  ping(): Promise<void>;
  /** Releases connections; the mailer is not used afterwards. */
  close(): Promise<void>;
}

/** A send that failed. `retryable`: the same message may go through later (a job worker retries it). */
export class MailError extends Error {
  override readonly name = 'MailError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isMailError = (e: unknown): e is MailError => e instanceof MailError;
