import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../../src/modules/profiles/stores/dynamodb-profile-store.js';
// Imported from its file, not the module index, so this test does not load the HTTP layer.
import { DynamoAccountStore } from '../../src/modules/identity/stores/dynamodb-account-store.js';
import { DynamoAuditLog } from '../../src/modules/identity/stores/dynamodb-audit-log.js';
import { DynamoJobStore } from '../../src/modules/jobs/stores/dynamodb-job-store.js';
import { profileStoreSuite } from '../conformance/profile-store.suite.js';
import { accountStoreSuite } from '../conformance/account-store.suite.js';
import { auditLogSuite } from '../conformance/audit-log.suite.js';
import { jobStoreSuite } from '../conformance/job-store.suite.js';
import { dynamoDbTables } from '../support/dynamodb-local.js';
import { profileMailStateSuite } from '../conformance/profile-mail-state.suite.js';
import { DynamoProfileMailState } from '../../src/modules/notifications/state/stores/dynamodb-profile-mail-state.js';
import { makeAccount, makeProfile, nextTimestamp } from '../support/fixtures.js';
import type { ProfileDomainEvent } from '../../src/modules/profiles/events.js';

// Started at module load: the suites' own `before` hooks call the factories below, which await it.
const ready = dynamoDbTables();

profileStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoProfileStore(client, tables.profiles);
});
accountStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoAccountStore(client, tables.accounts);
});
auditLogSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoAuditLog(client, tables.accounts);
});
jobStoreSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoJobStore(client, tables.jobs);
});
profileMailStateSuite('dynamodb', async () => {
  const { client, tables } = await ready;
  return new DynamoProfileMailState(client, tables.notifications);
});

// DynamoDB-specific behaviour the conformance suites do not reach.
describe('DynamoDB adapters: outbox and account attributes', () => {
  it('round-trips e-mail verification, locale and one-time codes, and an empty codes map', async () => {
    const { client, tables } = await ready;
    const store = new DynamoAccountStore(client, tables.accounts);
    const code = { hash: 'sha256$abc', expiresAt: '2099-01-01T00:00:00.000Z', attempts: 2, sentAt: nextTimestamp() };
    const a = makeAccount({ emailVerified: true, locale: 'en', codes: { verify: code } });
    await store.createAccount(a, []);
    assert.deepEqual(await store.getAccount(a.id), a);
    const withReset = {
      ...a,
      emailVerified: false,
      locale: 'fr' as const,
      codes: { verify: code, reset: { ...code, attempts: 0 } },
    };
    await store.updateAccount(withReset, []);
    assert.deepEqual(await store.getAccount(a.id), withReset);
    const cleared = { ...withReset, codes: {}, updatedAt: nextTimestamp() };
    await store.updateAccount(cleared, []);
    assert.deepEqual(await store.getAccount(a.id), cleared);
  });

  it('reads accounts written before verification existed as verified, in French, with no codes', async () => {
    const { client, tables } = await ready;
    const store = new DynamoAccountStore(client, tables.accounts);
    const { emailVerified: _v, locale: _l, codes: _c, ...legacy } = makeAccount();
    await client.send(
      new PutCommand({
        TableName: tables.accounts,
        Item: { pk: `ACCOUNT#${legacy.id}`, sk: 'ACCOUNT', ...legacy },
      }),
    );
    assert.deepEqual(await store.getAccount(legacy.id), { ...legacy, emailVerified: true, locale: 'fr', codes: {} });
  });

  it('reads accounts written before MFA existed as having MFA off', async () => {
    const { client, tables } = await ready;
    const store = new DynamoAccountStore(client, tables.accounts);
    const { mfa: _m, ...legacy } = makeAccount();
    await client.send(
      new PutCommand({ TableName: tables.accounts, Item: { pk: `ACCOUNT#${legacy.id}`, sk: 'ACCOUNT', ...legacy } }),
    );
    assert.deepEqual(await store.getAccount(legacy.id), {
      ...legacy,
      mfa: { totpSecret: null, pendingSecret: null, lastStep: 0, recoveryCodes: [], enabledAt: null },
    });
  });

  it('keeps the order of events recorded in one transaction, pages by limit, and acks ids another process read', async () => {
    const { client, tables } = await ready;
    const store = new DynamoProfileStore(client, tables.profiles);
    for (let b = await store.readOutbox(100); b.length; b = await store.readOutbox(100))
      await store.ackOutbox(b.map((e) => e.id));
    const p = makeProfile();
    const occurredAt = nextTimestamp();
    // Same instant, ids in descending order: only the position in the transaction can keep them in order.
    const events = ['c', 'b', 'a'].map((prefix): ProfileDomainEvent => ({
      id: `${prefix}-${crypto.randomUUID()}`,
      type: 'profile.created',
      aggregateId: p.id,
      occurredAt,
      payload: { profile: p, actorId: p.ownerId },
    }));
    await store.create(p, events);
    assert.deepEqual(await store.readOutbox(2), events.slice(0, 2));
    // A fresh instance (another process, or after a restart) never read them: it must still find them to ack.
    const other = new DynamoProfileStore(client, tables.profiles);
    await other.ackOutbox([events[0]!.id, events[2]!.id, 'unknown-id']);
    assert.deepEqual(await store.readOutbox(10), [events[1]]);
    await store.ackOutbox([events[1]!.id, events[1]!.id]);
    assert.deepEqual(await store.readOutbox(10), []);
  });
});
