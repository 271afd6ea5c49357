import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';
import { isValidMailId } from './compose-mime.js';
import { mailFilePath } from './file-mailer.js';

/**
 * Reading the FileMailer's directory, for the development mailbox page. Ids come from file names,
 * and only names that are valid mail ids are read, so an id taken from a URL cannot leave the directory.
 */

export interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  /** The Date header, ISO 8601; null when missing or unreadable. */
  date: string | null;
  /** Bytes on disk. */
  size: number;
}

export interface MailboxMessage {
  id: string;
  from: string;
  to: string;
  subject: string;
  date: string | null;
  /** Every header, lower-case names, decoded to text (addresses as `Name <address>`). */
  headers: Record<string, string>;
  text: string;
  /** null for a text-only message. */
  html: string | null;
}

const EML = '.eml';

/** Messages newest first (by write time, which has sub-second precision unlike the Date header). */
export async function listMailbox(dir: string, { limit = 100 }: { limit?: number } = {}): Promise<MailboxEntry[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const files = await Promise.all(
    names
      .filter((n) => n.endsWith(EML) && isValidMailId(n.slice(0, -EML.length)))
      .map(async (name) => {
        const stat = await fs.promises.stat(path.join(dir, name)).catch(() => null);
        return stat?.isFile() ? { id: name.slice(0, -EML.length), stat } : null;
      }),
  );
  const newest = files
    .filter((f) => f !== null)
    .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs || a.id.localeCompare(b.id))
    .slice(0, Math.max(0, limit));
  const entries = await Promise.all(
    newest.map(async ({ id, stat }): Promise<MailboxEntry | null> => {
      const raw = await readIfPresent(mailFilePath(dir, id));
      if (!raw) return null; // deleted since readdir
      // Only the header block is parsed: a listing needs no bodies.
      const parsed = await simpleParser(headerBlock(raw));
      return { id, to: addressText(parsed.to), subject: parsed.subject ?? '', date: isoDate(parsed.date), size: stat.size };
    }),
  );
  return entries.filter((e) => e !== null);
}

/** One message parsed, or null when there is none with this id (or the id is not a valid one). */
export async function readMailboxMessage(dir: string, id: string): Promise<MailboxMessage | null> {
  if (!isValidMailId(id)) return null;
  const raw = await readIfPresent(mailFilePath(dir, id));
  if (!raw) return null;
  const parsed = await simpleParser(raw);
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) headers[name] = headerText(value);
  return {
    id,
    from: addressText(parsed.from),
    to: addressText(parsed.to),
    subject: parsed.subject ?? '',
    date: isoDate(parsed.date),
    headers,
    text: parsed.text ?? '',
    html: parsed.html === false ? null : parsed.html,
  };
}

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

const isNotFound = (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ENOENT';

function headerBlock(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? raw : raw.subarray(0, end + 4);
}

const isoDate = (d: Date | undefined): string | null => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

function headerText(value: HeaderValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v)).join(', ');
  if ('text' in value) return value.text;
  const params = Object.entries(value.params).map(([k, v]) => `; ${k}=${v}`);
  return value.value + params.join('');
}
