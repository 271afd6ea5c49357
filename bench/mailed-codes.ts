import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readMailboxMessage } from '../src/modules/notifications/mail/mailbox.js';

/** Subjects of the verification mail in every locale we send it in (the bench signs up in the default, fr). */
const VERIFICATION_SUBJECT = /code de vérification|verification code/i;
const CODE = /\b(\d{6})\b/;

/**
 * The verification codes the server under test e-mails, read from its FileMailer directory
 * (`$DATA_DIR/mail/*.eml`, MAIL_TRANSPORT=file), which the benchmark owns.
 *
 * Seeding signs hundreds of accounts up, so the directory is scanned once for all waiters and each
 * message is parsed once: `listMailbox` would re-parse every header on every poll, O(n²) over a seed.
 */
export class MailedCodes {
  private readonly parsed = new Set<string>();
  /** Newest code per recipient address (lower case), not yet handed out. */
  private readonly codes = new Map<string, string>();
  private scanning: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  /** The code mailed to `email`, waiting for the server's job worker to send it; each code is handed out once. */
  async codeFor(email: string, timeoutMs = 30_000): Promise<string> {
    const key = email.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const code = this.codes.get(key);
      if (code) {
        this.codes.delete(key);
        return code;
      }
      if (Date.now() > deadline) throw new Error(`no verification code was mailed to ${email} within ${timeoutMs / 1000} s`);
      // Concurrent waiters share one scan rather than each listing the directory.
      this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
      await this.scanning;
      if (!this.codes.has(key)) await sleep(20);
    }
  }

  private async scan(): Promise<void> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return; // nothing sent yet
      throw err;
    }
    for (const name of names) {
      // Files being written have a temporary name first (atomic rename), so a `.eml` is complete.
      if (!name.endsWith('.eml')) continue;
      const id = name.slice(0, -'.eml'.length);
      if (this.parsed.has(id)) continue;
      const message = await readMailboxMessage(this.dir, id);
      this.parsed.add(id);
      if (!message || !VERIFICATION_SUBJECT.test(message.subject)) continue;
      const code = CODE.exec(message.text)?.[1];
      const to = (/<([^<>]+)>\s*$/.exec(message.to)?.[1] ?? message.to).trim().toLowerCase();
      if (code && to) this.codes.set(to, code);
    }
  }
}
