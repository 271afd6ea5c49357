import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../shared/dynamodb.js';
import type { DomainEvent } from '../shared/events.js';
import { dispatch } from './dispatch.js';
import { lambdaRuntime } from './lambda-runtime.js';

/** An outbox item inserted in a module's table, as a domain event; null for any other record. */
export function outboxEventOf(record: DynamoDBRecord): DomainEvent | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return null;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.pk !== 'OUTBOX' || typeof item.id !== 'string' || typeof item.type !== 'string') return null;
  return {
    id: item.id,
    type: item.type,
    aggregateId: String(item.aggregateId),
    occurredAt: String(item.occurredAt),
    payload: typeof item.payload === 'string' ? (JSON.parse(item.payload) as unknown) : item.payload,
  };
}

const tableOf = (arn: string | undefined): string | null => /:table\/([^/]+)\/stream\//.exec(arn ?? '')?.[1] ?? null;

/**
 * Lambda entry point for DynamoDB Streams on the modules' tables (the AWS counterpart of the worker's
 * relay): each outbox INSERT is dispatched to the handlers, then the outbox item is deleted. Failed records
 * are reported one by one (ReportBatchItemFailures) so only they are retried.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const rt = await lambdaRuntime();
  const client = createDocumentClient({ endpoint: rt.config.dynamodb.endpoint, region: rt.config.dynamodb.region });
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  try {
    for (const record of event.Records) {
      const domainEvent = outboxEventOf(record);
      if (!domainEvent) continue;
      try {
        await dispatch(domainEvent, rt.handlers, rt.log);
        const table = tableOf(record.eventSourceARN);
        const keys = record.dynamodb?.Keys;
        if (table && keys)
          await client.send(new DeleteCommand({ TableName: table, Key: unmarshall(keys as Record<string, AttributeValue>) }));
      } catch {
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        // stream order matters: stop at the first failure, the service resumes from it
        break;
      }
    }
  } finally {
    client.destroy();
  }
  return { batchItemFailures };
}
