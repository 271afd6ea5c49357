import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { DomainEvent } from '../shared/events.js';
import { dispatch } from './dispatch.js';
import { lambdaRuntime } from './lambda-runtime.js';

export type BlobUploaded = DomainEvent<'blob.uploaded', { bucket: string; key: string; size: number; eTag: string | null }>;

/** An S3 "object created" notification as a domain event; the id is stable across redeliveries. */
export function blobEventOf(record: S3EventRecord): BlobUploaded | null {
  if (!record.eventName.startsWith('ObjectCreated:')) return null;
  const bucket = record.s3.bucket.name;
  // S3 URL-encodes keys in notifications, with '+' for spaces
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  return {
    id: `s3.${bucket}.${record.s3.object.sequencer}`,
    type: 'blob.uploaded',
    aggregateId: `${bucket}/${key}`,
    occurredAt: record.eventTime,
    payload: { bucket, key, size: record.s3.object.size, eTag: record.s3.object.eTag ?? null },
  };
}

/**
 * Lambda entry point for S3 bucket notifications (uploads of CVs, photos, catalog files): each created
 * object becomes a `blob.uploaded` event for the handlers. A failure throws, and S3's asynchronous
 * invocation retries the whole event.
 */
export async function handler(event: S3Event): Promise<void> {
  const rt = await lambdaRuntime();
  for (const record of event.Records) {
    const blob = blobEventOf(record);
    if (blob) await dispatch(blob, rt.handlers, rt.log);
  }
}
