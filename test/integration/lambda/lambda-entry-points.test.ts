import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBStreamEvent, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { handler as sqsHandler } from '../../../src/lambda/sqs.js';
import { handler as streamHandler } from '../../../src/lambda/dynamodb-stream.js';
import { blobEventOf, handler as s3Handler } from '../../../src/lambda/s3.js';
import { resetLambdaRuntime } from '../../../src/lambda/lambda-runtime.js';
import { listMailbox, readMailboxMessage } from '../../../src/modules/notifications/mail/mailbox.js';
import { DynamoProfileStore } from '../../../src/modules/profiles/stores/dynamodb-profile-store.js';
import { createDocumentClient, createTables, tableNames } from '../../../src/shared/dynamodb.js';
import type { AccountCreated } from '../../../src/modules/identity/events.js';
import type { ProfileCreated } from '../../../src/modules/profiles/index.js';
import { makeProfile } from '../../support/fixtures.js';
import { startDynamoDbLocal } from '../../support/dynamodb-local.js';

const saved = { ...process.env };
let dataDir = '';

/** The function's environment, as the Lambda service would set it. */
function lambdaEnv(extra: Record<string, string> = {}) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-lambda-'));
  Object.assign(
    process.env,
    { DATA_DIR: dataDir, MAIL_TRANSPORT: 'file', LOG_LEVEL: 'silent', DEMO_DATA: 'false', NODE_ENV: 'test' },
    extra,
  );
}

const sqsRecord = (body: string, messageId: string = crypto.randomUUID()): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: 'ignored',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-3:123456789012:atelier-events',
  awsRegion: 'eu-west-3',
});

const accountCreated = (email: string): AccountCreated => ({
  id: crypto.randomUUID(),
  type: 'account.created',
  aggregateId: 'acc-1',
  occurredAt: new Date().toISOString(),
  payload: {
    accountId: 'acc-1',
    email,
    locale: 'en',
    groups: ['freelancer'],
    verificationCode: '482913',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  },
});

describe('Lambda entry points', () => {
  afterEach(async () => {
    await resetLambdaRuntime();
    process.env = { ...saved };
  });

  it('SQS: delivers a domain event to its handlers, once in effect even when redelivered', async () => {
    lambdaEnv();
    const event = accountCreated('sqs@atelier.test');
    const sqsEvent: SQSEvent = { Records: [sqsRecord(JSON.stringify(event)), sqsRecord(JSON.stringify({ detail: event }))] };
    assert.deepEqual(await sqsHandler(sqsEvent), { batchItemFailures: [] });
    const mails = await listMailbox(path.join(dataDir, 'mail'));
    assert.equal(mails.length, 1, 'the EventBridge-wrapped copy is the same delivery');
    const message = await readMailboxMessage(path.join(dataDir, 'mail'), mails[0]!.id);
    assert.match(message!.text, /482913/);
    assert.equal(message!.to.includes('sqs@atelier.test'), true);
  });

  it('SQS: reports the messages whose handlers failed, and drops what is not an event', async () => {
    // nothing listens on this port: the SMTP transport fails, retryably
    lambdaEnv({ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://127.0.0.1:1' });
    const bad = sqsRecord(JSON.stringify(accountCreated('fail@atelier.test')), 'msg-fails');
    const garbage = sqsRecord('not json', 'msg-garbage');
    assert.deepEqual(await sqsHandler({ Records: [garbage, bad] }), { batchItemFailures: [{ itemIdentifier: 'msg-fails' }] });
  });

  it('S3: turns object-created notifications into blob.uploaded events with decoded keys', async () => {
    lambdaEnv();
    const s3Event: S3Event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'eu-west-3',
          eventTime: '2026-11-22T10:00:00.000Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:EXAMPLE' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'req', 'x-amz-id-2': 'id2' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'uploads',
            bucket: { name: 'atelier-files', ownerIdentity: { principalId: 'EXAMPLE' }, arn: 'arn:aws:s3:::atelier-files' },
            object: { key: 'cv/Mon+CV+%C3%A9t%C3%A9.pdf', size: 1024, eTag: 'abc', sequencer: '0A1B2C' },
          },
        },
      ],
    };
    const blob = blobEventOf(s3Event.Records[0]!);
    assert.equal(blob?.payload.key, 'cv/Mon CV été.pdf');
    assert.equal(blob?.id, 's3.atelier-files.0A1B2C');
    await s3Handler(s3Event);
  });

  describe('DynamoDB Streams', () => {
    const local = startDynamoDbLocal();
    local.catch(() => undefined);
    after(async () => {
      await (await local.catch(() => null))?.stop();
    });
    before(async () => {
      await local;
    });

    it('dispatches an outbox item written by the real store, then deletes it', async () => {
      const { endpoint } = await local;
      const prefix = `lambda_${crypto.randomUUID().slice(0, 8)}_`;
      const client = createDocumentClient({ endpoint, region: 'eu-west-3' });
      await createTables(client, prefix);
      lambdaEnv({
        DYNAMODB_ENDPOINT: endpoint,
        DYNAMODB_TABLE_PREFIX: prefix,
        PROFILE_STORE: 'dynamodb',
        ACCOUNT_STORE: 'sqlite',
        JOB_STORE: 'sqlite',
      });
      const store = new DynamoProfileStore(client, tableNames(prefix).profiles);
      const profile = makeProfile({ email: 'stream@atelier.test', firstName: 'Stream' });
      const event: ProfileCreated = {
        id: crypto.randomUUID(),
        type: 'profile.created',
        aggregateId: profile.id,
        occurredAt: new Date().toISOString(),
        payload: { profile, actorId: profile.ownerId },
      };
      await store.create(profile, [event]);
      const table = tableNames(prefix).profiles;
      const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
      const outboxItem = items.find((i) => i.pk === 'OUTBOX');
      assert.ok(outboxItem, 'the store wrote an outbox item');
      const image = marshall(outboxItem) as Record<string, StreamAttributeValue>;
      const streamEvent: DynamoDBStreamEvent = {
        Records: [
          {
            eventID: '1',
            eventName: 'INSERT',
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: 'eu-west-3',
            eventSourceARN: `arn:aws:dynamodb:eu-west-3:123456789012:table/${table}/stream/2026-11-22T00:00:00.000`,
            dynamodb: {
              Keys: marshall({ pk: outboxItem.pk as string, sk: outboxItem.sk as string }) as Record<
                string,
                StreamAttributeValue
              >,
              NewImage: image,
              SequenceNumber: '100',
              SizeBytes: 100,
              StreamViewType: 'NEW_IMAGE',
            },
          },
        ],
      };
      assert.deepEqual(await streamHandler(streamEvent), { batchItemFailures: [] });
      const mails = await listMailbox(path.join(dataDir, 'mail'));
      assert.equal(mails.length, 1);
      assert.match(mails[0]!.to, /stream@atelier\.test/);
      const left = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
      assert.equal(left.filter((i) => i.pk === 'OUTBOX').length, 0, 'the outbox item was acknowledged');
      client.destroy();
    });
  });
});
