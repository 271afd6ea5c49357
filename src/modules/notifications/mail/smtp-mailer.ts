import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import { composeMime } from './compose-mime.js';
import { MailError, type MailMessage, type Mailer } from './mailer.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** Bound on connecting, on the server's greeting and on any silence mid-conversation. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Connection-level failures: the next attempt may find the server (or the network) back.
 * DNS and TLS failures are included because they are as often a blip as a misconfiguration,
 * and a job worker gives up after its own number of attempts anyway.
 */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY']);

/** SMTP submission with nodemailer; one connection per message (no pool to keep healthy). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor({ url, timeoutMs = 10_000 }: SmtpMailerOptions) {
    this.transport = nodemailer.createTransport({
      url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
    });
  }

  async send(m: MailMessage): Promise<void> {
    const { raw, envelope } = await composeMime(m);
    try {
      // `raw` sends our MIME byte for byte, so every transport carries the same message.
      await this.transport.sendMail({ envelope: { from: envelope.from ?? false, to: envelope.to }, raw });
    } catch (err) {
      throw smtpMailError(err);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw smtpMailError(err);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * A reply code decides when there is one (RFC 5321: 4yz transient, 5yz permanent, except 503
 * "bad sequence", which a new connection clears); otherwise the error code does.
 */
export function smtpMailError(err: unknown): MailError {
  const e: NodemailerError = err instanceof Error ? err : new Error(String(err));
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const retryable =
    code !== undefined ? !(code >= 500 && code < 600 && code !== 503) : e.code !== undefined && TRANSIENT_CODES.has(e.code);
  const what = code !== undefined ? `SMTP ${code}` : (e.code ?? 'SMTP error');
  return new MailError(`${what}: ${e.response ?? e.message}`, retryable, { cause: err });
}
