import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp, { type Metadata } from 'sharp';
import { inspectUpload } from '../../src/modules/files/validation/inspect-upload.js';
import { DOCX, PDF } from '../../src/modules/files/validation/file-rules.js';
import { AppError } from '../../src/shared/errors.js';
import * as samples from '../support/sample-files.js';

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a refusal');
}

describe('upload inspection by content', () => {
  it('re-encodes a JPEG photo without its EXIF/GPS metadata, and makes 64 and 256 px thumbnails', async () => {
    const original = await samples.jpegWithGps();
    assert.ok((await sharp(original).metadata()).exif, 'the sample does carry EXIF');
    const result = await inspectUpload('PHOTO', 'image/jpeg', original);
    assert.equal(result.kind, 'PHOTO');
    if (result.kind !== 'PHOTO') return;
    const meta = await sharp(result.photo.bytes).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.exif, undefined, 'EXIF (and GPS) stripped');
    assert.ok(!result.photo.bytes.includes(Buffer.from('AtelierCam')));
    for (const size of [64, 256] as const) {
      const thumb: Metadata = await sharp(result.photo.thumbnails[size]).metadata();
      assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', size, size]);
    }
  });

  it('accepts PNG and WebP photos, a PDF and a DOCX CV', async () => {
    assert.equal((await inspectUpload('PHOTO', 'image/png', await samples.png())).contentType, 'image/png');
    assert.equal((await inspectUpload('PHOTO', 'image/webp', await samples.webp())).contentType, 'image/webp');
    assert.equal((await inspectUpload('CV', PDF, samples.pdf())).contentType, PDF);
    assert.equal((await inspectUpload('CV', DOCX, await samples.docx())).contentType, DOCX);
  });

  it('judges by the bytes: a PNG declared as a PDF, an SVG, a JPEG declared as PNG', async () => {
    const renamed = await refusal(inspectUpload('CV', PDF, await samples.png()));
    assert.equal(renamed.code, 'UNSUPPORTED_TYPE');
    assert.match(renamed.message, /PNG image/);
    assert.equal((await refusal(inspectUpload('PHOTO', 'image/png', samples.svg()))).code, 'UNSUPPORTED_TYPE');
    assert.equal((await refusal(inspectUpload('PHOTO', 'image/png', await samples.jpegWithGps()))).code, 'UNSUPPORTED_TYPE');
  });

  it('refuses polyglots: data appended to an image or after a PDF ends', async () => {
    const jpegZip = await refusal(inspectUpload('PHOTO', 'image/jpeg', await samples.jpegZipPolyglot()));
    assert.equal(jpegZip.code, 'UNSUPPORTED_TYPE');
    assert.match(jpegZip.message, /extra data/);
    const pdfHtml = Buffer.concat([samples.pdf(), Buffer.from('<html><script>alert(1)</script></html>')]);
    assert.equal((await refusal(inspectUpload('CV', PDF, pdfHtml))).code, 'UNSUPPORTED_TYPE');
  });

  it('refuses active PDFs, macro documents and zip bombs', async () => {
    const js = samples.pdf('5 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj');
    assert.match((await refusal(inspectUpload('CV', PDF, js))).message, /JavaScript/);
    assert.match((await refusal(inspectUpload('CV', DOCX, await samples.docxWithMacros()))).message, /macros/);
    assert.equal((await refusal(inspectUpload('CV', DOCX, await samples.docxZipBomb()))).code, 'TOO_LARGE');
  });

  it('refuses a pixel bomb from its header, before decoding it', async () => {
    const started = process.hrtime.bigint();
    const bomb = await refusal(inspectUpload('PHOTO', 'image/png', samples.pixelBombPng()));
    assert.equal(bomb.code, 'TOO_LARGE');
    assert.match(bomb.message, /megapixels/);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2_000, 'refused without decoding');
  });

  it('refuses a file over the limit of its kind, by one byte', async () => {
    const big = Buffer.concat([samples.pdf(), Buffer.alloc(10 * 1024 * 1024 + 1 - samples.pdf().length, 0x20)]);
    assert.equal((await refusal(inspectUpload('CV', PDF, big))).code, 'TOO_LARGE');
  });
});
