import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startTestServer, type GraphQLResponse, type TestServer } from '../../support/test-server.js';
import * as samples from '../../support/sample-files.js';

const CREATE_URL = 'mutation($i: CreateUploadUrlInput!) { createUploadUrl(input: $i) { url fields key expiresAt } }';
const ATTACH =
  'mutation($key: String!) { attachProfileFile(input: { key: $key }) { id version photo { url thumbnailUrl(size: 64) width height contentType } cv { url fileName size contentType } } }';
const PDF = 'application/pdf';

interface Target {
  url: string;
  fields: string;
  key: string;
  expiresAt: string;
}
type Attached = {
  id: string;
  version: number;
  photo: { url: string; thumbnailUrl: string; width: number } | null;
  cv: { url: string; fileName: string } | null;
};

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;

/** Uploads the way a browser does: the signed fields first, then the file. */
async function upload(
  target: Target,
  bytes: Buffer,
  fileName: string,
  contentType: string,
  tamper?: (fields: Record<string, string>) => void,
) {
  const fields = JSON.parse(target.fields) as Record<string, string>;
  tamper?.(fields);
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
  const res = await fetch(target.url, { method: 'POST', body: form });
  const body = await res.text();
  return { status: res.status, code: body ? ((JSON.parse(body) as { code?: string }).code ?? null) : null };
}

/** Every blob on disk, relative to the store's root. */
function storedKeys(dataDir: string): string[] {
  const root = path.join(dataDir, 'blobs');
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.meta.json') && !e.name.endsWith('.tmp')) out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('CV and photo uploads through signed targets (fs blob store)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ UPLOAD_URL_TTL_SECONDS: '2', UPLOAD_SWEEP_AFTER_MS: '1500' });
  });
  after(async () => {
    await s.close();
  });

  const freelancerWithProfile = async (visibility = 'PUBLIC') => {
    const u = await s.newUser();
    const r = await s.gql<{ createProfile: { id: string; handle: string } }>(
      'mutation($i: CreateProfileInput!) { createProfile(input: $i) { id handle } }',
      { i: { handle: `files-${crypto.randomUUID().slice(0, 8)}`, firstName: 'F', lastName: 'L', email: u.email, visibility } },
      u.token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return { ...u, profile: r.data!.createProfile };
  };
  const target = async (token: string, kind: 'PHOTO' | 'CV', contentType: string, size: number) => {
    const r = await s.gql<{ createUploadUrl: Target }>(CREATE_URL, { i: { kind, contentType, size } }, token);
    return r;
  };
  const waitFor = async (what: string, probe: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('stores a photo re-encoded without EXIF/GPS, with thumbnails, served by signed URLs; a new photo replaces it', async () => {
    const u = await freelancerWithProfile();
    const jpeg = await samples.jpegWithGps();
    const t = (await target(u.token, 'PHOTO', 'image/jpeg', jpeg.length)).data!.createUploadUrl;
    assert.match(t.key, /^uploads\//);
    assert.ok(Date.parse(t.expiresAt) > Date.now());
    assert.equal((await upload(t, jpeg, 'me.jpg', 'image/jpeg')).status, 204);
    const attached = await s.gql<{ attachProfileFile: Attached }>(ATTACH, { key: t.key }, u.token);
    assert.equal(attached.errors, undefined, JSON.stringify(attached.errors));
    const photo = attached.data!.attachProfileFile.photo!;
    assert.equal(photo.width, 640);
    const img = await fetch(photo.url);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await img.arrayBuffer());
    assert.equal((await sharp(bytes).metadata()).exif, undefined);
    assert.ok(!bytes.includes(Buffer.from('AtelierCam')));
    const thumb = Buffer.from(await (await fetch(photo.thumbnailUrl)).arrayBuffer());
    assert.deepEqual([(await sharp(thumb).metadata()).width, (await sharp(thumb).metadata()).format], [64, 'webp']);
    // anyone may see the photo of a public profile
    const anon = await s.gql<{ getProfile: { photo: { url: string } } }>(
      'query($id: ID!) { getProfile(id: $id) { photo { url } } }',
      { id: u.profile.id },
    );
    assert.equal((await fetch(anon.data!.getProfile.photo.url)).status, 200);
    assert.equal(storedKeys(s.dataDir).filter((k) => k.startsWith('uploads/')).length, 0, 'the upload left quarantine');

    const png = await samples.png();
    const t2 = (await target(u.token, 'PHOTO', 'image/png', png.length)).data!.createUploadUrl;
    await upload(t2, png, 'new.png', 'image/png');
    const second = await s.gql<{ attachProfileFile: Attached }>(ATTACH, { key: t2.key }, u.token);
    assert.equal(second.errors, undefined);
    await waitFor(
      'the replaced photo to be deleted',
      () => storedKeys(s.dataDir).filter((k) => k.includes(u.profile.id)).length === 3,
    );
    assert.equal((await fetch(photo.url)).status, 404);
  });

  it('serves a CV as an attachment under a name we chose, only to the owner and the team', async () => {
    const u = await freelancerWithProfile();
    const cv = samples.pdf();
    const t = (await target(u.token, 'CV', PDF, cv.length)).data!.createUploadUrl;
    await upload(t, cv, '<script>.pdf', PDF);
    const attached = await s.gql<{ attachProfileFile: Attached }>(ATTACH, { key: t.key }, u.token);
    const file = attached.data!.attachProfileFile.cv!;
    assert.equal(file.fileName, `CV-${u.profile.handle}.pdf`);
    const res = await fetch(file.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="CV-files-[0-9a-f]{8}\.pdf"/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), cv);
    const other = await s.newUser();
    const denied = await s.gql('query($id: ID!) { getProfile(id: $id) { cv { url } } }', { id: u.profile.id }, other.token);
    assert.equal(codeOf(denied), 'FORBIDDEN');
    const team = await s.newUserInGroups(['team']);
    const seen = await s.gql('query($id: ID!) { getProfile(id: $id) { cv { url fileName } } }', { id: u.profile.id }, team.token);
    assert.equal(seen.errors, undefined);
  });

  it('refuses each attack with a clear code and keeps nothing', async () => {
    const u = await freelancerWithProfile();
    const before = storedKeys(s.dataDir).filter((k) => k.includes(u.profile.id) || k.includes(u.id));
    const attachFails = async (kind: 'PHOTO' | 'CV', declared: string, bytes: Buffer, name: string) => {
      const t = (await target(u.token, kind, declared, bytes.length)).data!.createUploadUrl;
      assert.equal((await upload(t, bytes, name, declared)).status, 204);
      const r = await s.gql(ATTACH, { key: t.key }, u.token);
      assert.ok(!storedKeys(s.dataDir).includes(t.key), `${name}: the upload was removed`);
      return codeOf(r);
    };
    assert.equal(await attachFails('CV', PDF, await samples.png(), 'photo.pdf'), 'UNSUPPORTED_TYPE', 'a PNG renamed .pdf');
    assert.equal(
      await attachFails('PHOTO', 'image/jpeg', await samples.jpegZipPolyglot(), 'poly.jpg'),
      'UNSUPPORTED_TYPE',
      'a polyglot',
    );
    assert.equal(await attachFails('PHOTO', 'image/png', samples.svg(), 'vector.png'), 'UNSUPPORTED_TYPE', 'an SVG');
    assert.equal(
      await attachFails('PHOTO', 'image/png', samples.pixelBombPng(), 'bomb.png'),
      'TOO_LARGE',
      'a decompression bomb',
    );
    assert.equal(codeOf(await target(u.token, 'PHOTO', 'image/svg+xml', 100)), 'UNSUPPORTED_TYPE');

    // one byte over: refused when asking, and refused by the store when the file is bigger than signed
    assert.equal(codeOf(await target(u.token, 'CV', PDF, 10 * 1024 * 1024 + 1)), 'TOO_LARGE');
    const cv = samples.pdf();
    const t = (await target(u.token, 'CV', PDF, cv.length)).data!.createUploadUrl;
    const over = await upload(t, Buffer.concat([cv, Buffer.from(' ')]), 'cv.pdf', PDF);
    assert.equal(over.code, 'TOO_LARGE');
    const tampered = await upload(t, cv, 'cv.pdf', PDF, (f) => {
      f.signature = `${f.signature!.slice(0, -2)}xx`;
    });
    assert.equal(tampered.status, 403);
    assert.equal(tampered.code, 'FORBIDDEN');
    const otherKey = await upload(t, cv, 'cv.pdf', PDF, (f) => {
      f.key = f.key!.replace(/[0-9a-f]{8}$/, '00000000');
    });
    assert.equal(otherKey.status, 403);
    await new Promise((r) => setTimeout(r, 2_200));
    const expired = await upload(t, cv, 'cv.pdf', PDF);
    assert.equal(expired.code, 'UPLOAD_EXPIRED');

    // someone else's upload cannot be attached, and a download URL cannot be pointed at another key
    const mallory = await freelancerWithProfile();
    const t2 = (await target(u.token, 'CV', PDF, cv.length)).data!.createUploadUrl;
    await upload(t2, cv, 'cv.pdf', PDF);
    assert.equal(codeOf(await s.gql(ATTACH, { key: t2.key }, mallory.token)), 'FORBIDDEN');
    assert.equal(codeOf(await s.gql(ATTACH, { key: 'profiles/whatever/cv.pdf' }, mallory.token)), 'FORBIDDEN');
    const mine = await s.gql<{ attachProfileFile: Attached }>(ATTACH, { key: t2.key }, u.token);
    const url = new URL(mine.data!.attachProfileFile.cv!.url);
    const swapped = new URL(url);
    swapped.pathname = swapped.pathname.replace(/cv-[0-9a-f-]+\.pdf$/, 'cv-00000000-0000-0000-0000-000000000000.pdf');
    assert.equal((await fetch(swapped)).status, 403);
    url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    assert.equal((await fetch(url)).status, 403, 'a lengthened expiry breaks the signature');

    const after = storedKeys(s.dataDir).filter((k) => k.includes(u.profile.id) || k.includes(u.id));
    assert.deepEqual(after.filter((k) => !before.includes(k)).length, 1, 'only the one accepted CV is stored');
  });

  it('sweeps an upload never attached, and deletes the files of a deleted profile', async () => {
    const u = await freelancerWithProfile();
    const cv = samples.pdf();
    const t = (await target(u.token, 'CV', PDF, cv.length)).data!.createUploadUrl;
    await upload(t, cv, 'cv.pdf', PDF);
    assert.ok(storedKeys(s.dataDir).includes(t.key));
    await waitFor('the unattached upload to be swept', () => !storedKeys(s.dataDir).includes(t.key));

    const t2 = (await target(u.token, 'CV', PDF, cv.length)).data!.createUploadUrl;
    await upload(t2, cv, 'cv.pdf', PDF);
    const attached = await s.gql<{ attachProfileFile: Attached }>(ATTACH, { key: t2.key }, u.token);
    assert.ok(storedKeys(s.dataDir).some((k) => k.includes(u.profile.id)));
    const del = await s.gql(
      'mutation($i: DeleteProfileInput!) { deleteProfile(input: $i) { id } }',
      { i: { id: u.profile.id, expectedVersion: attached.data!.attachProfileFile.version } },
      u.token,
    );
    assert.equal(del.errors, undefined);
    await waitFor('the profile files to be deleted', () => !storedKeys(s.dataDir).some((k) => k.includes(u.profile.id)));
  });
});
