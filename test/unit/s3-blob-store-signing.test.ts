import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { S3BlobStore } from '../../src/modules/files/stores/s3-blob-store.js';
import { attachmentDisposition } from '../../src/modules/files/content-disposition.js';
import { decodePostPolicy, expectedPostSignature, expectedQuerySignature, signedPolicyOfS3 } from '../support/s3-signing.js';

/**
 * What the S3 adapter signs, checked against the AWS documentation's algorithms (test/support/s3-signing.ts,
 * node:crypto only). s3rver enforces none of it, so this is where the S3 side of the attacks in the
 * conformance suite is proven: every condition is in the signed policy, every part of a download URL
 * is under its signature, and any change to them yields a signature S3 would not match.
 * Presigning is local computation: no request leaves the process.
 */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const aws = new S3BlobStore({ bucket: 'atelier-files', region: 'eu-west-3', credentials });
const local = new S3BlobStore({ bucket: 'atelier-files', region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', credentials });
after(async () => {
  await aws.close();
  await local.close();
});

const KEY = 'uploads/0b7e/cv.pdf';
const PDF = 'application/pdf';

describe('S3 blob store: the pre-signed POST policy', () => {
  it('binds the exact key, the exact Content-Type, the size range and the expiry, and nothing looser', async () => {
    const before = Date.now();
    const target = await aws.createUploadTarget({
      key: KEY,
      contentType: PDF,
      minSize: 1,
      maxSize: 10_485_760,
      expiresInSeconds: 600,
    });
    assert.deepEqual(signedPolicyOfS3(target), {
      key: KEY,
      contentType: PDF,
      minSize: 1,
      maxSize: 10_485_760,
      expiresAt: target.expiresAt,
    });
    const expiresAt = Date.parse(target.expiresAt);
    // The policy's expiration has whole seconds.
    assert.ok(expiresAt >= Math.floor(before / 1000) * 1000 + 599_000 && expiresAt <= Date.now() + 600_000, target.expiresAt);

    const policy = decodePostPolicy(target.fields);
    assert.deepEqual(policy.conditions.slice(0, 2), [
      ['eq', '$Content-Type', PDF],
      ['content-length-range', 1, 10_485_760],
    ]);
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify({ bucket: 'atelier-files' })));
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify({ key: KEY })));
    // Every form field is covered by a condition, as S3 requires (besides the signature and the policy itself).
    for (const [field, value] of Object.entries(target.fields)) {
      if (field === 'Policy' || field === 'X-Amz-Signature') continue;
      assert.ok(
        policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify({ [field]: value })),
        `field ${field} is pinned by the policy`,
      );
    }
    assert.equal(target.fields.key, KEY);
    assert.equal(target.fields['Content-Type'], PDF);
    assert.equal(target.url, 'https://atelier-files.s3.eu-west-3.amazonaws.com/');
  });

  it('is signed with SigV4 over the policy, so an altered policy no longer matches the signature', async () => {
    const target = await aws.createUploadTarget({ key: KEY, contentType: PDF, minSize: 1, maxSize: 1024, expiresInSeconds: 600 });
    assert.equal(target.fields['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');
    assert.match(target.fields['X-Amz-Credential'] ?? '', /^AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request$/);
    assert.equal(target.fields['X-Amz-Signature'], expectedPostSignature(target.fields, credentials.secretAccessKey));

    const json = Buffer.from(target.fields.Policy!, 'base64').toString('utf8');
    for (const edited of [
      json.replace('1024]', '1048576]'),
      json.replace(`"key":"${KEY}"`, '"key":"uploads/other/cv.pdf"'),
      json.replace(`"$Content-Type","${PDF}"`, '"$Content-Type","text/html"'),
      json.replace(/"expiration":"[^"]+"/, '"expiration":"2099-01-01T00:00:00Z"'),
    ]) {
      assert.notEqual(edited, json);
      const fields = { ...target.fields, Policy: Buffer.from(edited).toString('base64') };
      assert.notEqual(expectedPostSignature(fields, credentials.secretAccessKey), target.fields['X-Amz-Signature']);
    }
  });

  it('posts to the bucket path on a local peer', async () => {
    const target = await local.createUploadTarget({ key: KEY, contentType: PDF, minSize: 0, maxSize: 0, expiresInSeconds: 1 });
    assert.equal(target.url, 'http://127.0.0.1:4569/atelier-files');
    assert.deepEqual(signedPolicyOfS3(target).maxSize, 0);
  });
});

describe('S3 blob store: pre-signed download URLs', () => {
  it('sign the path, the expiry and the response headers with SigV4, for the host only', async () => {
    const url = await aws.createDownloadUrl(KEY, {
      expiresInSeconds: 300,
      download: { fileName: 'CV Zoë.pdf' },
      contentType: PDF,
    });
    const u = new URL(url);
    assert.equal(u.origin + u.pathname, `https://atelier-files.s3.eu-west-3.amazonaws.com/${KEY}`);
    assert.equal(u.searchParams.get('X-Amz-Expires'), '300');
    assert.equal(u.searchParams.get('response-content-disposition'), attachmentDisposition('CV Zoë.pdf'));
    assert.equal(u.searchParams.get('response-content-type'), PDF);
    assert.equal(u.searchParams.get('X-Amz-Signature'), expectedQuerySignature(url, credentials.secretAccessKey));
  });

  it('no longer match their signature once replayed for another key, or with another expiry or header', async () => {
    const url = await aws.createDownloadUrl(KEY, { expiresInSeconds: 300, download: { fileName: 'cv.pdf' } });
    const signature = new URL(url).searchParams.get('X-Amz-Signature');
    const altered = (edit: (u: URL) => void) => {
      const u = new URL(url);
      edit(u);
      return u.toString();
    };
    for (const attempt of [
      altered((u) => (u.pathname = '/uploads/other/cv.pdf')),
      altered((u) => u.searchParams.set('X-Amz-Expires', '604800')),
      altered((u) => u.searchParams.set('response-content-disposition', 'inline')),
      altered((u) => u.searchParams.set('response-content-type', 'text/html')),
      altered((u) => (u.host = 'other-bucket.s3.eu-west-3.amazonaws.com')),
    ]) {
      assert.notEqual(expectedQuerySignature(attempt, credentials.secretAccessKey), signature, attempt);
    }
  });

  it('use path-style URLs on a local peer', async () => {
    const url = await local.createDownloadUrl(KEY, { expiresInSeconds: 60 });
    assert.ok(url.startsWith(`http://127.0.0.1:4569/atelier-files/${KEY}?`), url);
    assert.equal(new URL(url).searchParams.get('X-Amz-Signature'), expectedQuerySignature(url, credentials.secretAccessKey));
  });
});
