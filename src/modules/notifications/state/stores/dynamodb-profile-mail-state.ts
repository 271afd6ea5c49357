import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../../../../shared/dynamodb.js';
import type { PendingProfileMail, ProfileMailSnapshot, ProfileMailState } from '../profile-mail-state.js';

interface Item {
  snapshot: string;
  pendingFields: string[];
  sendAt: string | null;
  lastSentAt: string | null;
  rev: number;
}

const key = (profileId: string) => ({ pk: `PROFILE_MAIL#${profileId}`, sk: 'STATE' });
const MAX_TRIES = 10;

/**
 * ProfileMailState in the notifications module's DynamoDB table. Each change is a read-modify-write
 * guarded by a revision number (optimistic concurrency), retried when another writer got there first.
 */
export class DynamoProfileMailState implements ProfileMailState {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async read(profileId: string): Promise<Item | null> {
    const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(profileId), ConsistentRead: true }));
    const item: unknown = res.Item;
    if (!item || typeof item !== 'object') return null;
    const i = item as Record<string, unknown>;
    return {
      snapshot: String(i.snapshot),
      pendingFields: Array.isArray(i.pendingFields) ? i.pendingFields.map(String) : [],
      sendAt: typeof i.sendAt === 'string' ? i.sendAt : null,
      lastSentAt: typeof i.lastSentAt === 'string' ? i.lastSentAt : null,
      rev: typeof i.rev === 'number' ? i.rev : 0,
    };
  }

  /** Writes `next` only if the item is still at `rev` (or absent when `rev` is 0); false if someone else wrote. */
  private async write(profileId: string, next: Omit<Item, 'rev'>, rev: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(profileId), ...next, rev: rev + 1 },
          ConditionExpression: rev === 0 ? 'attribute_not_exists(pk)' : 'rev = :rev',
          ...(rev === 0 ? {} : { ExpressionAttributeValues: { ':rev': rev } }),
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  private async update<T>(
    profileId: string,
    change: (current: Item | null) => { next: Omit<Item, 'rev'> | null; result: T },
  ): Promise<T> {
    for (let i = 0; i < MAX_TRIES; i++) {
      const current = await this.read(profileId);
      const { next, result } = change(current);
      if (!next || (await this.write(profileId, next, current?.rev ?? 0))) return result;
    }
    throw new Error(`profile mail state of ${profileId}: too much contention`);
  }

  async addChanges(
    snapshot: ProfileMailSnapshot,
    fields: readonly string[],
    now: string,
    windowMs: number,
  ): Promise<PendingProfileMail> {
    return this.update(snapshot.profileId, (cur) => {
      const pendingFields = cur?.pendingFields ?? [];
      const merged = [...pendingFields, ...fields.filter((f) => !pendingFields.includes(f))];
      const lastSentAt = cur?.lastSentAt ?? null;
      const windowEnd = lastSentAt ? new Date(Date.parse(lastSentAt) + windowMs).toISOString() : now;
      const sendAt = pendingFields.length && cur?.sendAt ? cur.sendAt : windowEnd > now ? windowEnd : now;
      return {
        next: { snapshot: JSON.stringify(snapshot), pendingFields: merged, sendAt, lastSentAt },
        result: { snapshot, fields: merged, sendAt },
      };
    });
  }

  async pending(profileId: string): Promise<PendingProfileMail | null> {
    const cur = await this.read(profileId);
    if (!cur || !cur.sendAt || !cur.pendingFields.length) return null;
    return { snapshot: JSON.parse(cur.snapshot) as ProfileMailSnapshot, fields: cur.pendingFields, sendAt: cur.sendAt };
  }

  async markSent(
    profileId: string,
    fields: readonly string[],
    sentAt: string,
    windowMs: number,
  ): Promise<PendingProfileMail | null> {
    return this.update(profileId, (cur) => {
      if (!cur) return { next: null, result: null };
      const left = cur.pendingFields.filter((f) => !fields.includes(f));
      const sendAt = left.length ? new Date(Date.parse(sentAt) + windowMs).toISOString() : null;
      return {
        next: { snapshot: cur.snapshot, pendingFields: left, sendAt, lastSentAt: sentAt },
        result: sendAt ? { snapshot: JSON.parse(cur.snapshot) as ProfileMailSnapshot, fields: left, sendAt } : null,
      };
    });
  }

  async forget(profileId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key(profileId) }));
  }

  /** The client belongs to the composition root. */
  async close(): Promise<void> {}
}
