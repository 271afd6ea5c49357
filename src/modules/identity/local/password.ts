import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt (memory-hard KDF from node:crypto). Encoded as `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`. */
const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const R = 8;
const P = 1;
const KEYLEN = 32;
const maxmemFor = (log2n: number) => 256 * 2 ** log2n * R; // 2x the 128·N·r that scrypt needs

export async function hashPassword(password: string, log2n: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N: 2 ** log2n, r: R, p: P, maxmem: maxmemFor(log2n) });
  return ['scrypt', log2n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of `password` against an encoded hash; false for any malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [alg, n, r, p, saltB64, keyB64] = encoded.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
  const log2n = Number(n);
  const expected = Buffer.from(keyB64, 'base64url');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: 2 ** log2n,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 2 ** log2n * Number(r),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
