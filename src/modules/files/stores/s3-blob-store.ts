import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { resolveCredentials } from '../../../shared/dynamodb.js';
import { badInput } from '../../../shared/errors.js';
import type { BlobInfo, BlobStore, BlobSummary, DownloadUrlOptions, UploadTarget, UploadTargetInput } from '../blob-store.js';
import {
  assertBlobKey,
  assertBlobPrefix,
  assertDownloadUrlInput,
  assertUploadTargetInput,
  isValidContentType,
} from '../blob-rules.js';
import { attachmentDisposition } from '../content-disposition.js';

type PolicyCondition = NonNullable<PresignedPostOptions['Conditions']>[number];

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** A local peer (s3rver, MinIO, LocalStack); undefined means the regional AWS endpoint. */
  endpoint?: string | undefined;
  credentials?: S3ClientConfig['credentials'];
}

/**
 * The POST policy conditions an upload target carries, besides the bucket, key and x-amz-* fields
 * that `createPresignedPost` adds itself (one `{ field: value }` exact match each).
 */
export function uploadConditions(input: Pick<UploadTargetInput, 'contentType' | 'minSize' | 'maxSize'>): PolicyCondition[] {
  return [
    ['eq', '$Content-Type', input.contentType],
    ['content-length-range', input.minSize, input.maxSize],
  ];
}

/**
 * BlobStore on S3 (AWS SDK v3). Uploads and downloads go straight between the browser and S3 with a
 * pre-signed POST (its policy binds bucket, key, exact Content-Type, size range and expiry) and
 * pre-signed GET URLs (SigV4 query signing: host, path, expiry and the response-* overrides are all
 * signed, so changing any of them breaks the signature).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(opts: S3BlobStoreOptions) {
    this.bucket = opts.bucket;
    const credentials = resolveCredentials(opts.endpoint, opts.credentials);
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint
        ? {
            endpoint: opts.endpoint,
            // Local peers serve buckets as a path, not as a subdomain of a name we cannot resolve.
            forcePathStyle: true,
            // Peers other than S3 do not all understand the flexible checksums the SDK adds by default.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {}),
      ...(credentials ? { credentials } : {}),
    });
  }

  async createUploadTarget(input: UploadTargetInput): Promise<UploadTarget> {
    assertUploadTargetInput(input);
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: input.key,
      Conditions: uploadConditions(input),
      // The form must send it (the policy requires it); S3 stores the object with it.
      Fields: { 'Content-Type': input.contentType },
      Expires: input.expiresInSeconds,
    });
    return { url, fields, key: input.key, expiresAt: policyExpiration(fields) };
  }

  async createDownloadUrl(key: string, opts: DownloadUrlOptions): Promise<string> {
    assertDownloadUrlInput(key, opts);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(opts.download ? { ResponseContentDisposition: attachmentDisposition(opts.download.fileName) } : {}),
      ...(opts.contentType ? { ResponseContentType: opts.contentType } : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: opts.expiresInSeconds });
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertBlobKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        contentType: out.ContentType ?? null,
        lastModified: (out.LastModified ?? new Date(0)).toISOString(),
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async read(key: string): Promise<Readable | null> {
    assertBlobKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the SDK's body is an http.IncomingMessage; anything else would be a runtime we do not run on.
      if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject returned a body that is not a Node stream');
      return out.Body;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertBlobKey(key);
    if (!isValidContentType(contentType)) throw badInput([{ path: 'contentType', message: 'a media type' }]);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }),
    );
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    // S3 answers 204 whether or not the key existed.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<BlobSummary> {
    assertBlobPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield { key: o.Key, size: o.Size ?? 0, lastModified: (o.LastModified ?? new Date(0)).toISOString() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** The expiry written in the signed policy itself, so that `expiresAt` is exactly what S3 enforces. */
function policyExpiration(fields: Record<string, string>): string {
  const encoded = fields.Policy;
  if (!encoded) throw new Error('createPresignedPost returned no Policy field');
  const policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { expiration?: unknown };
  if (typeof policy.expiration !== 'string') throw new Error('the presigned POST policy has no expiration');
  return new Date(policy.expiration).toISOString();
}

/** HeadObject answers a bare 404 (`NotFound`); GetObject names it `NoSuchKey`. */
function isMissing(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'NotFound' || err.name === 'NoSuchKey') return true;
  const meta: unknown = '$metadata' in err ? err.$metadata : undefined;
  return typeof meta === 'object' && meta !== null && 'httpStatusCode' in meta && meta.httpStatusCode === 404;
}
