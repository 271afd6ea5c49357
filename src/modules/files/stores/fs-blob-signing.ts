import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorCode, forbidden } from '../../../shared/errors.js';
import { MAX_UPLOAD_BYTES, isValidContentType } from '../blob-rules.js';

const KEY_BYTES = 32;

/** What an fs upload form is allowed to do; signed as the exact base64url string handed out. */
export interface UploadPolicy {
  v: 1;
  key: string;
  contentType: string;
  minSize: number;
  maxSize: number;
  /** ISO 8601. */
  expiresAt: string;
}

/** The signed parts of an fs download URL. */
export interface DownloadGrant {
  key: string;
  /** Epoch seconds. */
  expires: number;
  /** The Content-Disposition to answer with. */
  disposition?: string | undefined;
  /** The Content-Type to answer with instead of the stored one. */
  contentType?: string | undefined;
}

const policySchema = z
  .object({
    v: z.literal(1),
    key: z.string(),
    contentType: z.string().refine(isValidContentType),
    minSize: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
    maxSize: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
    expiresAt: z.string().datetime(),
  })
  .strict();

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signs and verifies the fs adapter's upload policies and download URLs with HMAC-SHA256 under one
 * server secret (32 random bytes in `$DATA_DIR/keys/blob-signing.key`, mode 0600, made on first start).
 * Each MAC covers a JSON array whose first item names its purpose, so an upload signature can never
 * pass as a download signature or the reverse; JSON keeps the fields unambiguous whatever they hold.
 * Signatures are compared as their canonical base64url text, in constant time: base64 decoders
 * accept several spellings of the same bytes, and a tampered spelling must not pass.
 */
export class BlobSigner {
  private constructor(private readonly secret: Buffer) {}

  /** Loads the secret, creating it if absent; two processes starting at once end up with the same one. */
  static async load(file: string): Promise<BlobSigner> {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const existing = await readKey(file);
    if (existing) return new BlobSigner(existing);
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(KEY_BYTES));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // link, unlike rename, fails when the name exists: the first process to get there wins, and
      // the file appears complete (written and synced above) or not at all.
      await fs.link(tmp, file);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    } finally {
      await fs.rm(tmp, { force: true });
    }
    const key = await readKey(file);
    if (!key) throw new Error(`blob signing key ${file} vanished while being created`);
    return new BlobSigner(key);
  }

  signUploadPolicy(policy: UploadPolicy): { policy: string; signature: string } {
    const encoded = Buffer.from(JSON.stringify(policy), 'utf8').toString('base64url');
    return { policy: encoded, signature: this.mac(['upload', encoded]) };
  }

  /**
   * The policy of a form, once its signature is checked: FORBIDDEN when missing, malformed or not ours;
   * UPLOAD_EXPIRED when past its expiry. Nothing in the policy is looked at before the signature passes.
   */
  verifyUploadPolicy(policy: unknown, signature: unknown, nowMs: number): UploadPolicy {
    if (typeof policy !== 'string' || typeof signature !== 'string' || !this.matches(signature, ['upload', policy])) {
      throw forbidden('The upload form is not signed by this server');
    }
    const parsed = policySchema.safeParse(parseJson(Buffer.from(policy, 'base64url').toString('utf8')));
    // A correctly signed policy we cannot read was signed by another version of this code.
    if (!parsed.success) throw forbidden('The upload policy is not understood');
    if (Date.parse(parsed.data.expiresAt) <= nowMs) {
      throw new AppError(ErrorCode.UPLOAD_EXPIRED, 'The upload form has expired; ask for a new one');
    }
    return parsed.data;
  }

  signDownload(grant: DownloadGrant): string {
    return this.mac(downloadFields(grant));
  }

  /** Whether `signature` signs exactly this grant (expiry is the caller's to check). */
  verifyDownload(grant: DownloadGrant, signature: string): boolean {
    return this.matches(signature, downloadFields(grant));
  }

  private mac(fields: readonly unknown[]): string {
    return createHmac('sha256', this.secret).update(JSON.stringify(fields)).digest('base64url');
  }

  private matches(signature: string, fields: readonly unknown[]): boolean {
    if (!SIGNATURE.test(signature)) return false;
    return timingSafeEqual(Buffer.from(signature, 'latin1'), Buffer.from(this.mac(fields), 'latin1'));
  }
}

const downloadFields = (g: DownloadGrant) => ['download', g.key, g.expires, g.disposition ?? null, g.contentType ?? null];

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readKey(file: string): Promise<Buffer | null> {
  let key: Buffer;
  try {
    key = await fs.readFile(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  if (key.length !== KEY_BYTES) throw new Error(`blob signing key ${file} holds ${key.length} bytes, not ${KEY_BYTES}`);
  return key;
}

export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && codes.includes(err.code);
}
