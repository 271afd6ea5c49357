import path from 'node:path';
import type { Config } from '../../../config/config.js';
import { FileMailer } from './file-mailer.js';
import type { Mailer } from './mailer.js';
import { SesMailer } from './ses-mailer.js';
import { SmtpMailer } from './smtp-mailer.js';

/** The FileMailer's directory, also what the development mailbox page reads. */
export const mailDirectory = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'mail');

/** The Mailer for MAIL_TRANSPORT: file (default, `$DATA_DIR/mail/`), smtp (SMTP_URL) or ses. */
export function createMailer(config: Pick<Config, 'mail' | 'dataDir'>): Mailer {
  const { mail } = config;
  switch (mail.transport) {
    case 'file':
      return new FileMailer(mailDirectory(config));
    case 'smtp':
      // loadConfig refuses smtp without SMTP_URL; this guards hand-built configs.
      if (!mail.smtpUrl) throw new Error('MAIL_TRANSPORT=smtp needs SMTP_URL');
      return new SmtpMailer({ url: mail.smtpUrl, timeoutMs: mail.timeoutMs });
    case 'ses':
      return new SesMailer({ endpoint: mail.sesEndpoint, region: mail.sesRegion, timeoutMs: mail.timeoutMs });
  }
}
