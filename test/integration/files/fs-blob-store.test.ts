import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config/config.js';
import { createHttpServer } from '../../../src/http/http-server.js';
import { fsBlobRoutes } from '../../../src/modules/files/http/fs-blob-routes.js';
import { FsBlobStore } from '../../../src/modules/files/stores/fs-blob-store.js';
import type { UploadTarget } from '../../../src/modules/files/blob-store.js';
import { blobStoreSuite, type SignedUploadPolicy } from '../../conformance/blob-store.suite.js';
import { freePort } from '../../support/free-port.js';

/** The fs adapter behind a real Fastify server (the app's own factory, so errors are problem+json), over real HTTP. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-blobs-'));
let app: FastifyInstance | undefined;

const started = (async () => {
  const port = await freePort();
  const config = loadConfig({ NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const store = await FsBlobStore.open({ dataDir, publicUrl: config.publicUrl });
  app = await createHttpServer(config);
  await app.register(fsBlobRoutes, { store });
  await app.listen({ port, host: '127.0.0.1' });
  return { store, publicUrl: config.publicUrl };
})();
// Reported through `before`; this only prevents an early unhandled-rejection crash.
started.catch(() => {});

before(async () => {
  await started;
});
after(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const signedPolicyOf = (target: UploadTarget): SignedUploadPolicy =>
  JSON.parse(Buffer.from(target.fields.policy!, 'base64url').toString('utf8')) as SignedUploadPolicy;

blobStoreSuite('fs', async () => {
  const { store } = await started;
  return { store, peer: { enforcesUploadPolicy: true, verifiesDownloadSignature: true, signedPolicyOf } };
});

describe('fs blob store: what its HTTP endpoints answer', () => {
  const PDF = 'application/pdf';
  let n = 0;
  const key = () => `fs-only/${Date.now()}-${n++}.pdf`;

  const post = async (target: UploadTarget, bytes: Buffer, build?: (form: FormData) => void) => {
    const form = new FormData();
    if (build) build(form);
    else {
      for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: PDF }), 'cv.pdf');
    }
    const res = await fetch(target.url, { method: 'POST', body: form });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  const tmpFiles = () => fs.readdirSync(path.join(dataDir, 'blobs', '.tmp'));

  it('keeps its signing secret in $DATA_DIR/keys (32 bytes, mode 0600), and the same one after a restart', async () => {
    const { store } = await started;
    const file = path.join(dataDir, 'keys', 'blob-signing.key');
    const stat = fs.statSync(file);
    assert.equal(stat.size, 32);
    assert.equal(stat.mode & 0o777, 0o600);
    const k = key();
    await store.put(k, Buffer.from('kept'), PDF);
    const url = await store.createDownloadUrl(k, { expiresInSeconds: 60 });
    const reopened = await FsBlobStore.open({ dataDir, publicUrl: (await started).publicUrl });
    assert.equal(await reopened.createDownloadUrl(k, { expiresInSeconds: 60 }), url, 'same secret, same signature');
    assert.equal(
      fs.readFileSync(path.join(dataDir, 'blobs', ...k.split('/')), 'utf8'),
      'kept',
      'stored at $DATA_DIR/blobs/<key>',
    );
  });

  it('answers problem+json with stable codes: TOO_LARGE 413, UPLOAD_EXPIRED 403, FORBIDDEN 403', async () => {
    const { store } = await started;
    const k = key();
    const small = await store.createUploadTarget({ key: k, contentType: PDF, minSize: 1, maxSize: 10, expiresInSeconds: 60 });
    const tooLarge = await post(small, randomBytes(11));
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.type ?? '', /^application\/problem\+json/);
    assert.equal(tooLarge.body.code, 'TOO_LARGE');

    const tooSmall = await post(small, Buffer.alloc(0));
    assert.equal(tooSmall.status, 400);
    assert.equal(tooSmall.body.code, 'BAD_USER_INPUT');

    const forged = await post({ ...small, fields: { ...small.fields, signature: 'A'.repeat(43) } }, randomBytes(5));
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'FORBIDDEN');

    const brief = await store.createUploadTarget({ key: k, contentType: PDF, minSize: 1, maxSize: 10, expiresInSeconds: 1 });
    await sleep(1100);
    const expired = await post(brief, randomBytes(5));
    assert.equal(expired.status, 403);
    assert.equal(expired.body.code, 'UPLOAD_EXPIRED');
    assert.equal(await store.head(k), null);
    assert.deepEqual(tmpFiles(), [], 'no partial file left');
  });

  it('stops a large upload as soon as it passes maxSize, leaving no partial file', async () => {
    const { store } = await started;
    const k = key();
    const target = await store.createUploadTarget({ key: k, contentType: PDF, minSize: 1, maxSize: 1024, expiresInSeconds: 60 });
    const res = await post(target, randomBytes(8 * 1024 * 1024));
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'TOO_LARGE');
    assert.equal(await store.head(k), null);
    assert.deepEqual(tmpFiles(), []);
  });

  it('leaves no partial file when the browser goes away mid-upload', async () => {
    const { store } = await started;
    const k = key();
    const target = await store.createUploadTarget({
      key: k,
      contentType: PDF,
      minSize: 1,
      maxSize: 1_000_000,
      expiresInSeconds: 60,
    });
    const boundary = '----atelier-test-boundary';
    const head =
      Object.entries(target.fields)
        .map(([name, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`)
        .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\nContent-Type: ${PDF}\r\n\r\n`;
    const req = http.request(target.url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 500_000) },
    });
    req.on('error', () => {}); // the abort below is the point
    req.write(head);
    req.write(randomBytes(100_000));
    await sleep(200);
    assert.equal(tmpFiles().length, 1, 'the server has begun writing the temporary file');
    req.destroy();
    const deadline = Date.now() + 5_000;
    while (tmpFiles().length && Date.now() < deadline) await sleep(50);
    assert.deepEqual(tmpFiles(), []);
    assert.equal(await store.head(k), null);
  });

  it('refuses fields the policy does not cover, a repeated field, and a file sent before the fields', async () => {
    const { store } = await started;
    const k = key();
    const target = await store.createUploadTarget({ key: k, contentType: PDF, minSize: 1, maxSize: 100, expiresInSeconds: 60 });
    const file = () => new Blob([new Uint8Array(randomBytes(10))], { type: PDF });
    const extra = await post(target, Buffer.alloc(0), (form) => {
      for (const [name, v] of Object.entries(target.fields)) form.append(name, v);
      form.append('acl', 'public-read');
      form.append('file', file(), 'cv.pdf');
    });
    assert.equal(extra.status, 403);
    const twice = await post(target, Buffer.alloc(0), (form) => {
      for (const [name, v] of Object.entries(target.fields)) form.append(name, v);
      form.append('key', k);
      form.append('file', file(), 'cv.pdf');
    });
    assert.equal(twice.status, 403);
    const fileFirst = await post(target, Buffer.alloc(0), (form) => {
      form.append('file', file(), 'cv.pdf');
      for (const [name, v] of Object.entries(target.fields)) form.append(name, v);
    });
    assert.equal(fileFirst.status, 403, 'the file arrived before the signed fields');
    const ignored = await post(target, Buffer.alloc(0), (form) => {
      for (const [name, v] of Object.entries(target.fields)) form.append(name, v);
      form.append('x-ignore-tracking', 'anything');
      form.append('file', file(), 'cv.pdf');
    });
    assert.equal(ignored.status, 204, 'x-ignore-* fields are allowed, as on S3');
    assert.equal((await store.head(k))?.size, 10);
  });

  it('serves downloads with nosniff, a private cache lifetime within the URL lifetime, and HEAD', async () => {
    const { store } = await started;
    const k = key();
    await store.put(k, Buffer.from('%PDF-1.7 hello'), PDF);
    const url = await store.createDownloadUrl(k, { expiresInSeconds: 300 });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    assert.ok(maxAge > 290 && maxAge <= 300, String(maxAge));
    assert.equal(res.headers.get('content-length'), '14');
    assert.equal(await res.text(), '%PDF-1.7 hello');
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), PDF);
    const unsigned = await fetch(url.split('?')[0]!);
    assert.equal(unsigned.status, 403);
    assert.equal((await unsigned.json()) instanceof Object, true);
  });

  it('refuses a key that is already the folder of other keys, and the reverse, with CONFLICT', async () => {
    const { store } = await started;
    const base = key().replace(/\.pdf$/, '');
    await store.put(`${base}/inner.pdf`, Buffer.from('x'), PDF);
    await assert.rejects(
      store.put(base, Buffer.from('y'), PDF),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'CONFLICT',
    );
    await store.put(`${base}-file`, Buffer.from('x'), PDF);
    await assert.rejects(
      store.put(`${base}-file/inner.pdf`, Buffer.from('y'), PDF),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'CONFLICT',
    );
    assert.equal((await store.head(`${base}/inner.pdf`))?.size, 1);
    assert.equal(await store.head(base), null);
    // Deleting the last key of a folder removes the folder: the name is free again.
    await store.delete(`${base}/inner.pdf`);
    await store.put(base, Buffer.from('now a file'), PDF);
    assert.equal((await store.head(base))?.contentType, PDF);
  });
});
