import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DomainEvent } from '../shared/events.js';
import { dispatch } from './dispatch.js';
import { lambdaRuntime } from './lambda-runtime.js';

const isDomainEvent = (v: unknown): v is DomainEvent =>
  !!v &&
  typeof v === 'object' &&
  ['id', 'type', 'aggregateId', 'occurredAt'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** The domain event in an SQS body: sent as is, or wrapped by EventBridge (`detail`) or SNS (`Message`). */
export function domainEventOfBody(body: string): DomainEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (isDomainEvent(parsed)) return parsed;
  if (parsed && typeof parsed === 'object') {
    const o = parsed as Record<string, unknown>;
    if (isDomainEvent(o.detail)) return o.detail;
    if (typeof o.Message === 'string') return domainEventOfBody(o.Message);
  }
  return null;
}

/**
 * Lambda entry point for an SQS queue of domain events. Failed messages are reported one by one
 * (ReportBatchItemFailures); after the queue's maxReceiveCount they land in its dead-letter queue.
 * A message that is not a domain event is logged and dropped rather than retried forever.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const rt = await lambdaRuntime();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const domainEvent = domainEventOfBody(record.body);
    if (!domainEvent) {
      rt.log.error({ messageId: record.messageId }, 'SQS message is not a domain event; dropped');
      continue;
    }
    try {
      await dispatch(domainEvent, rt.handlers, rt.log);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
