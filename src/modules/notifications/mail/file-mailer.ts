import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../../shared/fs-atomic.js';
import { composeMime } from './compose-mime.js';
import { MailError, type MailMessage, type Mailer } from './mailer.js';

/**
 * Development transport: one RFC 5322 file per message, `<dir>/<id>.eml`, readable with any mail
 * client or the mailbox functions (`mailbox.ts`).
 *
 * Files are named by id alone (the send time is in the Date header and the file's mtime), so a
 * second send of an id finds its file and does nothing: no index to keep, and no window in which
 * two processes sending the same id could leave two files (the atomic rename lands on one name).
 */
export class FileMailer implements Mailer {
  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(m: MailMessage): Promise<void> {
    const { raw } = await composeMime(m, this.now());
    const file = mailFilePath(this.dir, m.id);
    try {
      // Checked and written without an await in between: within this process nothing can interleave.
      if (fs.existsSync(file)) return;
      writeFileAtomic(file, raw);
    } catch (err) {
      throw fsMailError(`could not write ${file}`, err);
    }
  }

  async ping(): Promise<void> {
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      await fs.promises.access(this.dir, fs.constants.W_OK);
    } catch (err) {
      throw fsMailError(`mail directory ${this.dir} is not writable`, err);
    }
  }

  async close(): Promise<void> {}
}

/** Where the message with this (valid) id lives. */
export const mailFilePath = (dir: string, id: string): string => path.join(dir, `${id}.eml`);

/** Errors a later attempt may not meet again: a full disk, too many open files, a busy device. */
const TRANSIENT_FS_CODES = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT', 'EIO', 'ETIMEDOUT']);

function fsMailError(message: string, err: unknown): MailError {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  return new MailError(`${message}: ${code ?? String(err)}`, code !== undefined && TRANSIENT_FS_CODES.has(code), {
    cause: err,
  });
}
