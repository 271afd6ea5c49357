import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { BlobStore, UploadTarget } from '../../src/modules/files/blob-store.js';
import { attachmentDisposition } from '../../src/modules/files/content-disposition.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

/** The conditions a signed upload form carries, as its policy states them. */
export interface SignedUploadPolicy {
  key: string;
  contentType: string;
  minSize: number;
  maxSize: number;
  expiresAt: string;
}

/**
 * What the server behind the signed URLs checks itself. Real S3 and the fs routes check everything.
 * A local peer may not (s3rver ignores POST policies and does not verify SigV4 signatures): the suite
 * then still runs each attack, and instead of the refusal it asserts that the signed form or URL
 * binds what the real service would enforce; the adapter's own unit tests check those signatures.
 */
export interface BlobPeer {
  /** Refuses forms whose policy is expired, tampered with, or not met (size range, key, Content-Type). */
  enforcesUploadPolicy: boolean;
  /** Refuses download URLs whose signature does not match (tampered, or replayed for another key). */
  verifiesDownloadSignature: boolean;
  /** Decodes a target's signed policy: how the suite checks a peer that does not enforce it. */
  signedPolicyOf(target: UploadTarget): SignedUploadPolicy;
}

export interface BlobStoreHarness {
  store: BlobStore;
  peer: BlobPeer;
}

const PDF = 'application/pdf';
const TEN_MINUTES = 600;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<unknown>) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks);
}

interface FormOptions {
  /** Replace these fields' values, keeping their place in the form (or add them at the end). */
  override?: Record<string, string>;
  fileName?: string;
  /** The file part's own type, which browsers guess from the name. */
  fileType?: string;
}

/** POSTs the form exactly as a browser does: the fields in order, then the file with a file name. */
async function upload(target: UploadTarget, bytes: Buffer, opts: FormOptions = {}): Promise<{ status: number; body: string }> {
  const form = new FormData();
  const fields = { ...target.fields, ...opts.override };
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: opts.fileType ?? PDF }), opts.fileName ?? 'cv.pdf');
  const res = await fetch(target.url, { method: 'POST', body: form });
  return { status: res.status, body: await res.text() };
}

/** Name of the form field holding the policy (`policy` here, `Policy` for S3). */
const policyField = (target: UploadTarget) => {
  const name = Object.keys(target.fields).find((f) => f.toLowerCase() === 'policy');
  assert.ok(name, 'the form has a policy field');
  return name;
};
const signatureField = (target: UploadTarget) => {
  const name = Object.keys(target.fields).find((f) => /signature$/i.test(f));
  assert.ok(name, 'the form has a signature field');
  return name;
};

/** The policy re-encoded with `edit` applied to its JSON text, in the alphabet it came in. */
function editedPolicy(target: UploadTarget, edit: (json: string) => string): string {
  const encoded = target.fields[policyField(target)]!;
  // Node decodes both alphabets with 'base64'; text without + / = reads the same in both.
  const json = Buffer.from(encoded, 'base64').toString('utf8');
  const edited = edit(json);
  assert.notEqual(edited, json, 'the edit changes the policy');
  return Buffer.from(edited, 'utf8').toString(/[+/=]/.test(encoded) ? 'base64' : 'base64url');
}

/** Replaces the JSON number token `from` (not digits inside a string) with `to`. */
const replaceNumber = (json: string, from: number, to: number) =>
  json.replace(new RegExp(`([:,\\[]\\s*)${from}(?=\\s*[,}\\]])`), `$1${to}`);

/** Changes one character of a signature, keeping it well-formed (same alphabet, same length). */
const flipped = (signature: string) => {
  const i = Math.floor(signature.length / 2);
  const c = signature[i]!;
  return signature.slice(0, i) + (c === 'a' ? 'b' : 'a') + signature.slice(i + 1);
};

const isRefused = (status: number) => status >= 400 && status < 500;

/** The BlobStore contract, run against every adapter through real HTTP, as a browser would use it. */
export function blobStoreSuite(name: string, open: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let store: BlobStore;
    let peer: BlobPeer;
    // Every run writes under its own prefix, so a shared bucket or directory never confuses it.
    const run = `t/${randomUUID()}`;
    const used: string[] = [];
    const key = (label: string) => {
      const k = `${run}/${label}/${randomUUID().slice(0, 8)}.pdf`;
      used.push(k);
      return k;
    };
    const target = (
      k: string,
      extra: Partial<{ minSize: number; maxSize: number; expiresInSeconds: number; contentType: string }> = {},
    ) =>
      store.createUploadTarget({ key: k, contentType: PDF, minSize: 1, maxSize: 1024, expiresInSeconds: TEN_MINUTES, ...extra });

    /**
     * Checks a refused upload: by the peer when it enforces policies (4xx, nothing stored at any of
     * `keys`); otherwise by the signed policy binding what the real service would check.
     */
    const expectUploadRefused = async (
      t: TestContext,
      attempt: { status: number; body: string },
      keys: string[],
      binds: (policy: SignedUploadPolicy) => void,
      tgt: UploadTarget,
    ) => {
      if (peer.enforcesUploadPolicy) {
        assert.ok(isRefused(attempt.status), `refused with a 4xx, got ${attempt.status}: ${attempt.body}`);
        for (const k of keys) assert.equal(await store.head(k), null, `nothing stored at ${k}`);
      } else {
        // Keeps the flag honest: a peer that starts refusing should be declared as enforcing.
        assert.ok(attempt.status < 300, `${name} refused (${attempt.status}): set enforcesUploadPolicy: true`);
        t.diagnostic(
          `${name} accepted it (${attempt.status}): it does not enforce POST policies; the signed policy binds the condition`,
        );
        binds(peer.signedPolicyOf(tgt));
        for (const k of keys) await store.delete(k);
      }
    };

    before(async () => {
      ({ store, peer } = await open());
    });
    after(async () => {
      // Leave nothing behind in a shared bucket; the store is closed even if cleaning fails.
      try {
        for (const k of used) await store.delete(k);
      } finally {
        await store.close();
      }
    });

    it('stores a file a browser posts through the signed form, and reads it back by head, read and a signed GET', async () => {
      const k = key('roundtrip');
      const before = Date.now();
      const tgt = await target(k, { minSize: 10, maxSize: 1000 });
      assert.equal(tgt.key, k);
      const expiresAt = Date.parse(tgt.expiresAt);
      assert.ok(
        expiresAt > before + (TEN_MINUTES - 2) * 1000 && expiresAt <= Date.now() + TEN_MINUTES * 1000 + 1000,
        tgt.expiresAt,
      );
      const bytes = randomBytes(1000); // exactly maxSize: the range is inclusive
      const res = await upload(tgt, bytes, { fileType: 'application/octet-stream' });
      assert.equal(res.status, 204, res.body);

      const info = await store.head(k);
      assert.ok(info);
      assert.equal(info.key, k);
      assert.equal(info.size, 1000);
      assert.equal(info.contentType, PDF, 'stored with the signed type, not the file part’s');
      assert.ok(Math.abs(Date.parse(info.lastModified) - Date.now()) < 60_000, info.lastModified);

      const stream = await store.read(k);
      assert.ok(stream);
      assert.deepEqual(await readAll(stream), bytes);

      const url = await store.createDownloadUrl(k, { expiresInSeconds: 300 });
      const got = await fetch(url);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), PDF);
      assert.equal(got.headers.get('content-disposition'), null, 'inline unless a download was asked for');
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
    });

    it('accepts a file of exactly minSize, and lets the same form overwrite its key until it expires', async () => {
      const k = key('min');
      const tgt = await target(k, { minSize: 10, maxSize: 1000 });
      assert.equal((await upload(tgt, randomBytes(10))).status, 204);
      assert.equal((await store.head(k))?.size, 10);
      const second = randomBytes(20);
      assert.equal((await upload(tgt, second)).status, 204);
      assert.deepEqual(await readAll((await store.read(k))!), second);
    });

    it('serves a signed download as an attachment with an RFC 6266 file name, and with the type asked for', async () => {
      const k = key('download');
      const bytes = randomBytes(64);
      await store.put(k, bytes, PDF);
      const fileName = 'CV – Zoë "final" 100%.pdf';
      const url = await store.createDownloadUrl(k, { expiresInSeconds: 300, download: { fileName } });
      const res = await fetch(url);
      assert.equal(res.status, 200);
      const disposition = res.headers.get('content-disposition');
      assert.equal(disposition, attachmentDisposition(fileName));
      assert.equal(
        disposition,
        `attachment; filename="CV _ Zo_ _final_ 100_.pdf"; filename*=UTF-8''CV%20%E2%80%93%20Zo%C3%AB%20%22final%22%20100%25.pdf`,
      );
      assert.equal(res.headers.get('content-type'), PDF);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);

      const typed = await fetch(
        await store.createDownloadUrl(k, { expiresInSeconds: 300, contentType: 'application/octet-stream' }),
      );
      assert.equal(typed.status, 200);
      assert.equal(typed.headers.get('content-type'), 'application/octet-stream');
      await typed.arrayBuffer();
    });

    it('answers 404 to a signed GET of a key with no object, and null to head and read', async () => {
      const k = key('absent');
      assert.equal(await store.head(k), null);
      assert.equal(await store.read(k), null);
      const res = await fetch(await store.createDownloadUrl(k, { expiresInSeconds: 60 }));
      assert.equal(res.status, 404);
      await res.arrayBuffer();
    });

    it('refuses an upload one byte over maxSize, storing nothing', async (t) => {
      const k = key('over');
      const tgt = await target(k, { maxSize: 1024 });
      const res = await upload(tgt, randomBytes(1025));
      await expectUploadRefused(t, res, [k], (p) => assert.equal(p.maxSize, 1024), tgt);
    });

    it('refuses an upload under minSize, storing nothing', async (t) => {
      const k = key('under');
      const tgt = await target(k, { minSize: 100 });
      const res = await upload(tgt, randomBytes(99));
      await expectUploadRefused(t, res, [k], (p) => assert.equal(p.minSize, 100), tgt);
    });

    it('refuses an upload declaring another Content-Type than the signed one, storing nothing', async (t) => {
      const k = key('type');
      const tgt = await target(k);
      const res = await upload(tgt, Buffer.from('<script>alert(1)</script>'), {
        override: { 'Content-Type': 'text/html' },
        fileType: 'text/html',
        fileName: 'cv.html',
      });
      await expectUploadRefused(t, res, [k], (p) => assert.equal(p.contentType, PDF), tgt);
    });

    it('refuses an upload to another key than the signed one, storing nothing at either', async (t) => {
      const k = key('key');
      const other = key('key-other');
      const tgt = await target(k);
      const res = await upload(tgt, randomBytes(100), { override: { key: other } });
      await expectUploadRefused(t, res, [k, other], (p) => assert.equal(p.key, k), tgt);
    });

    it('refuses an upload after the form expired, storing nothing', async (t) => {
      const k = key('expired');
      const tgt = await target(k, { expiresInSeconds: 1 });
      await sleep(1500);
      assert.ok(Date.parse(tgt.expiresAt) < Date.now());
      const res = await upload(tgt, randomBytes(100));
      await expectUploadRefused(t, res, [k], (p) => assert.ok(Date.parse(p.expiresAt) <= Date.parse(tgt.expiresAt)), tgt);
    });

    it('refuses a form whose policy was altered, or whose signature was, storing nothing', async (t) => {
      const k = key('tampered');
      const tgt = await target(k, { maxSize: 1024 });
      // Raise the size limit in the policy, keeping the signature.
      const bigger = editedPolicy(tgt, (json) => replaceNumber(json, 1024, 1_048_576));
      const res = await upload(tgt, randomBytes(2000), { override: { [policyField(tgt)]: bigger } });
      await expectUploadRefused(t, res, [k], (p) => assert.equal(p.maxSize, 1024), tgt);

      const sig = signatureField(tgt);
      const forged = await upload(tgt, randomBytes(100), { override: { [sig]: flipped(tgt.fields[sig]!) } });
      await expectUploadRefused(t, forged, [k], (p) => assert.equal(p.key, k), tgt);
    });

    it('refuses a download URL replayed for another key', async (t) => {
      const a = key('replay-a');
      const b = key('replay-b');
      await store.put(a, Buffer.from('a'), PDF);
      await store.put(b, Buffer.from('secret of b'), PDF);
      const urlA = await store.createDownloadUrl(a, { expiresInSeconds: 300 });
      assert.ok(urlA.includes(`/${a}?`), urlA);
      const res = await fetch(urlA.replace(`/${a}?`, `/${b}?`));
      const body = await res.text();
      if (peer.verifiesDownloadSignature) {
        assert.equal(res.status, 403);
        assert.ok(!body.includes('secret of b'));
      } else {
        assert.equal(res.status, 200, `${name} refused it: set verifiesDownloadSignature: true`);
        t.diagnostic(`${name} served it: it does not verify download signatures (the adapter's unit tests check what is signed)`);
      }
    });

    it('refuses a download URL after it expired', async () => {
      const k = key('dl-expired');
      await store.put(k, Buffer.from('soon gone'), PDF);
      const url = await store.createDownloadUrl(k, { expiresInSeconds: 1 });
      await sleep(1500);
      const res = await fetch(url);
      assert.equal(res.status, 403);
      assert.ok(!(await res.text()).includes('soon gone'));
    });

    it('refuses a download URL whose signature, expiry or headers were altered', async (t) => {
      const k = key('dl-tampered');
      await store.put(k, Buffer.from('private'), PDF);
      const url = new URL(await store.createDownloadUrl(k, { expiresInSeconds: 60, download: { fileName: 'cv.pdf' } }));
      const params = [...url.searchParams.keys()];
      const sigParam = params.find((p) => /^(sig|x-amz-signature)$/i.test(p));
      const dispositionParam = params.find((p) => /disposition/i.test(p));
      const expiryParam = params.find((p) => /^(expires|x-amz-expires)$/i.test(p));
      assert.ok(sigParam && dispositionParam && expiryParam, url.search);
      const altered = (param: string, value: string) => {
        const u = new URL(url);
        u.searchParams.set(param, value);
        return u.toString();
      };
      const attempts = [
        altered(sigParam, flipped(url.searchParams.get(sigParam)!)),
        altered(dispositionParam, 'inline; filename="cv.html"'),
        altered(expiryParam, String(Number(url.searchParams.get(expiryParam)) + 3600)),
      ];
      for (const attempt of attempts) {
        const res = await fetch(attempt);
        const body = await res.text();
        if (peer.verifiesDownloadSignature) {
          assert.equal(res.status, 403, attempt);
          assert.ok(!body.includes('private'));
        } else {
          assert.equal(res.status, 200, `${name} refused ${attempt}: set verifiesDownloadSignature: true`);
        }
      }
      if (!peer.verifiesDownloadSignature) {
        t.diagnostic(
          `${name} served them all: it does not verify download signatures (the adapter's unit tests check what is signed)`,
        );
      }
      const untouched = await fetch(url);
      assert.equal(untouched.status, 200);
      assert.equal(await untouched.text(), 'private');
    });

    it('puts, replaces and deletes server-side objects; deleting twice or an absent key is fine', async () => {
      const k = key('put');
      await store.put(k, Buffer.from('first'), 'image/png');
      await store.put(k, Buffer.from('second!'), 'image/webp');
      const info = await store.head(k);
      assert.equal(info?.size, 7);
      assert.equal(info?.contentType, 'image/webp');
      assert.equal((await readAll((await store.read(k))!)).toString(), 'second!');
      await store.delete(k);
      assert.equal(await store.head(k), null);
      assert.equal(await store.read(k), null);
      await store.delete(k);
      await store.delete(key('never-existed'));
    });

    it('lists the objects under a prefix, a plain string prefix, with size and last-modified time', async () => {
      const base = `${run}/list`;
      const keys = [`${base}/a/1.pdf`, `${base}/a/2.pdf`, `${base}/a/deep/3.pdf`, `${base}/ab/4.pdf`, `${base}/b/5.pdf`];
      used.push(...keys);
      for (const [i, k] of keys.entries()) await store.put(k, Buffer.alloc(i + 1, 1), PDF);
      const collect = async (prefix: string) => {
        const found = [];
        for await (const item of store.list(prefix)) found.push(item);
        return found.sort((x, y) => (x.key < y.key ? -1 : 1));
      };
      const underA = await collect(`${base}/a/`);
      assert.deepEqual(
        underA.map((i) => [i.key, i.size]),
        [
          [`${base}/a/1.pdf`, 1],
          [`${base}/a/2.pdf`, 2],
          [`${base}/a/deep/3.pdf`, 3],
        ],
      );
      for (const item of underA) assert.ok(Math.abs(Date.parse(item.lastModified) - Date.now()) < 60_000);
      assert.deepEqual(
        (await collect(`${base}/a`)).map((i) => i.key),
        [...keys.slice(0, 4)].sort(),
      );
      assert.equal((await collect(`${base}/`)).length, 5);
      assert.deepEqual(await collect(`${base}/nothing/`), []);
      await store.delete(`${base}/a/deep/3.pdf`);
      assert.equal((await collect(`${base}/a/`)).length, 2);
    });

    it('refuses keys and prefixes outside the key alphabet, in every method', async () => {
      const bad = [
        '',
        '/abs/x.pdf',
        '../x.pdf',
        'a/../b.pdf',
        'a//b.pdf',
        '.hidden',
        'a/./b',
        'a/b/',
        'with space.pdf',
        'zoë.pdf',
        'a\\b',
        Array.from({ length: 6 }, () => 'x'.repeat(170)).join('/'),
      ];
      for (const k of bad) {
        await rejectsWithCode(store.head(k), 'BAD_USER_INPUT');
        await rejectsWithCode(store.read(k), 'BAD_USER_INPUT');
        await rejectsWithCode(store.put(k, Buffer.from('x'), PDF), 'BAD_USER_INPUT');
        await rejectsWithCode(store.delete(k), 'BAD_USER_INPUT');
        await rejectsWithCode(store.createDownloadUrl(k, { expiresInSeconds: 60 }), 'BAD_USER_INPUT');
        await rejectsWithCode(target(k), 'BAD_USER_INPUT');
      }
      for (const prefix of ['../', '/abs', 'a//', '.tmp/']) {
        await rejectsWithCode(
          (async () => {
            for await (const _ of store.list(prefix)) break;
          })(),
          'BAD_USER_INPUT',
        );
      }
      await rejectsWithCode(target(key('bad-range'), { minSize: 10, maxSize: 9 }), 'BAD_USER_INPUT');
      await rejectsWithCode(target(key('bad-type'), { contentType: 'text/html\r\nx-evil: 1' }), 'BAD_USER_INPUT');
      await rejectsWithCode(store.put(key('bad-put-type'), Buffer.from('x'), 'text/html\r\nx-evil: 1'), 'BAD_USER_INPUT');
    });

    it('stores and serves the longest keys the rules allow', async () => {
      // 5 segments of 200 characters and the run prefix: close to 1024 characters.
      const long = `${run}/${Array.from({ length: 4 }, (_, i) => String(i).repeat(200)).join('/')}/${'z'.repeat(1024 - run.length - 4 * 201 - 2)}`;
      assert.equal(long.length, 1023);
      used.push(long);
      const tgt = await target(long);
      assert.equal((await upload(tgt, Buffer.from('long'))).status, 204);
      const res = await fetch(await store.createDownloadUrl(long, { expiresInSeconds: 60 }));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'long');
      await rejectsWithCode(store.head(`${run}/${'y'.repeat(201)}`), 'BAD_USER_INPUT');
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}
