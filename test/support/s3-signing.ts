import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { UploadTarget } from '../../src/modules/files/blob-store.js';
import type { SignedUploadPolicy } from '../conformance/blob-store.suite.js';

/**
 * What real S3 checks and s3rver does not, written from the AWS documentation with node:crypto only
 * (no SDK code), so that tests can prove the SDK-built forms and URLs bind what they should:
 * - POST policy: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 * - query signing: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */

export interface S3PostPolicy {
  expiration: string;
  conditions: unknown[];
}

export function decodePostPolicy(fields: Record<string, string>): S3PostPolicy {
  assert.ok(fields.Policy, 'the form has a Policy field');
  return JSON.parse(Buffer.from(fields.Policy, 'base64').toString('utf8')) as S3PostPolicy;
}

/** The one condition pinning form field `name` to a value: `{ name: v }` or `["eq", "$name", v]`. */
function exactValues(policy: S3PostPolicy, name: string): string[] {
  const values: string[] = [];
  for (const c of policy.conditions) {
    if (Array.isArray(c) && c[0] === 'eq' && typeof c[1] === 'string' && c[1].toLowerCase() === `$${name.toLowerCase()}`) {
      values.push(String(c[2]));
    } else if (c && typeof c === 'object' && !Array.isArray(c)) {
      for (const [k, v] of Object.entries(c)) if (k.toLowerCase() === name.toLowerCase()) values.push(String(v));
    }
  }
  return values;
}

/** The key, type, size range and expiry an S3 form's policy binds; fails if any is missing or loose. */
export function signedPolicyOfS3(target: UploadTarget): SignedUploadPolicy {
  const policy = decodePostPolicy(target.fields);
  const keys = new Set(exactValues(policy, 'key'));
  const types = new Set(exactValues(policy, 'Content-Type'));
  assert.equal(keys.size, 1, 'exactly one key allowed');
  assert.equal(types.size, 1, 'exactly one Content-Type allowed');
  for (const c of policy.conditions) {
    // A starts-with condition would let the form choose among many keys or types.
    assert.ok(!(Array.isArray(c) && c[0] === 'starts-with'), `no starts-with condition: ${JSON.stringify(c)}`);
  }
  const ranges = policy.conditions.filter(
    (c): c is [string, number, number] => Array.isArray(c) && c[0] === 'content-length-range',
  );
  assert.equal(ranges.length, 1, 'exactly one content-length-range');
  return {
    key: [...keys][0]!,
    contentType: [...types][0]!,
    minSize: ranges[0]![1],
    maxSize: ranges[0]![2],
    expiresAt: new Date(policy.expiration).toISOString(),
  };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

function signingKey(secretAccessKey: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 's3'), 'aws4_request');
}

/** The SigV4 signature of a POST form: HMAC of the base64 policy itself under the scope's signing key. */
export function expectedPostSignature(fields: Record<string, string>, secretAccessKey: string): string {
  const [, date, region, service, terminator] = (fields['X-Amz-Credential'] ?? '').split('/');
  assert.equal(service, 's3');
  assert.equal(terminator, 'aws4_request');
  return hmac(signingKey(secretAccessKey, date!, region!), fields.Policy!).toString('hex');
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The SigV4 signature a pre-signed URL must carry: over the method, the path, every query parameter
 * but the signature (the response-* overrides and X-Amz-Expires among them) and the host.
 */
export function expectedQuerySignature(url: string, secretAccessKey: string, method = 'GET'): string {
  const u = new URL(url);
  const params = [...u.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signedHeaders = u.searchParams.get('X-Amz-SignedHeaders') ?? '';
  assert.equal(signedHeaders, 'host', 'only the host header is signed: a browser can follow the URL');
  const canonicalPath = u.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
  const canonicalRequest = [method, canonicalPath, canonicalQuery, `host:${u.host}\n`, signedHeaders, 'UNSIGNED-PAYLOAD'].join(
    '\n',
  );
  const credential = u.searchParams.get('X-Amz-Credential') ?? '';
  const [, date, region] = credential.split('/');
  const scope = credential.split('/').slice(1).join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', u.searchParams.get('X-Amz-Date'), scope, sha256Hex(canonicalRequest)].join('\n');
  return hmac(signingKey(secretAccessKey, date!, region!), stringToSign).toString('hex');
}
