import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound, type AppError } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { DynamoOutbox, TransactItems, cancellationCodes, queryUpTo, type TransactItem } from '../../../shared/dynamodb.js';
import type { DomainEvent } from '../../../shared/events.js';
import type { ProfileDomainEvent } from '../events.js';
import { handleKey, skillKey, type Profile } from '../model.js';
import type { ProfilePage, ProfileQuery, ProfileStore } from '../profile-store.js';

/** What each item of a write transaction is for, so a cancellation reason maps back to its cause. */
type Role = 'profile' | 'freeGuard' | Guard['field'] | 'outbox';

const PROFILE_SK = 'PROFILE';
const GUARD_SK = 'GUARD';
const LIST_PK = 'PROFILES';
const profilePk = (id: string) => `PROFILE#${id}`;

/**
 * A uniqueness guard: an item whose key is the unique value, so `attribute_not_exists(pk)`
 * in the same transaction as the profile enforces what UNIQUE columns do in SQLite.
 */
interface Guard {
  field: 'handle' | 'owner';
  pk: string;
}
const guardsOf = (p: Profile): Guard[] => [
  { field: 'handle', pk: `HANDLE#${handleKey(p.handle)}` },
  { field: 'owner', pk: `OWNER#${p.ownerId}` },
];
const takenError = (field: Guard['field']): AppError =>
  field === 'handle'
    ? conflict('This handle is already taken', { field: 'handle' })
    : conflict('This account already has a profile', { field: 'owner' });

/** Sort key of the newest-first index; ISO timestamps have a fixed width, so string order is (createdAt, id) order. */
const listSk = (createdAt: string, id: string) => `${createdAt}#${id}`;

/** The profile item: the document as JSON plus the attributes list filters need (absent when null). */
const toItem = (p: Profile): Record<string, unknown> => {
  const skillKeys = [...new Set(p.skills.map((s) => skillKey(s.name)))];
  return {
    pk: profilePk(p.id),
    sk: PROFILE_SK,
    gsi1pk: LIST_PK,
    gsi1sk: listSk(p.createdAt, p.id),
    doc: JSON.stringify(p),
    // Compared by update's one-round-trip path: an unchanged handle means no guard item moves.
    handleKey: handleKey(p.handle),
    version: p.version,
    visibility: p.visibility,
    ownerId: p.ownerId,
    availabilityStatus: p.availability?.status,
    countryCode: p.location?.countryCode,
    remote: p.remote ?? undefined,
    // Absent (not NULL) when unknown, so `dailyRate <= :max` leaves the profile out.
    dailyRate: p.dailyRate ?? undefined,
    currency: p.currency ?? undefined,
    skillKeys: skillKeys.length ? skillKeys : undefined,
  };
};

const fromItem = (item: Record<string, unknown> | undefined): Profile | null =>
  item && typeof item.doc === 'string' ? (JSON.parse(item.doc) as Profile) : null;

/** Builds a FilterExpression with generated placeholders. */
class Filter {
  private readonly parts: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  name(attr: string): string {
    // Every attribute goes through a placeholder: several (e.g. `remote`) risk DynamoDB's reserved words.
    this.names[`#${attr}`] = attr;
    return `#${attr}`;
  }
  value(v: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = v;
    return key;
  }
  add(expr: string): void {
    this.parts.push(expr);
  }
  get expression(): string | undefined {
    return this.parts.length ? this.parts.join(' AND ') : undefined;
  }
}

/**
 * ProfileStore on one DynamoDB table: profile items plus handle/owner guard items written in
 * the same transactions, a GSI (`gsi1`) listing profiles newest first, and the module's outbox
 * (`pk = OUTBOX`, see `DynamoOutbox`) whose items join every write transaction.
 */
export class DynamoProfileStore implements ProfileStore {
  readonly outboxName = 'profiles';
  private readonly outbox: DynamoOutbox;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.outbox = new DynamoOutbox(client, tableName);
  }

  async create(p: Profile, events: readonly ProfileDomainEvent[]): Promise<void> {
    const tx = new TransactItems<Role>().add('profile', {
      Put: { TableName: this.tableName, Item: toItem(p), ConditionExpression: 'attribute_not_exists(pk)' },
    });
    // Handle before owner: when both are taken, handle is reported.
    const guards = guardsOf(p);
    for (const g of guards) tx.add(g.field, this.putGuard(g, p.id));
    tx.add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      for (const g of guards) {
        if (tx.codesOf(codes, g.field).some(isTaken)) throw takenError(g.field);
      }
      if (tx.codesOf(codes, 'profile')[0] === 'ConditionalCheckFailed') {
        throw conflict('A profile with this id already exists', { field: 'id' });
      }
      throw err;
    }
  }

  async update(p: Profile, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void> {
    if (await this.updateInPlace(p, expectedVersion, events)) return;
    // The stored profile is stale, missing, has another handle or owner, or was written before items
    // carried `handleKey`: read it to tell which, and move the guards if the handle changed.
    const current = await this.get(p.id);
    if (!current) throw notFound('Profile');
    if (current.version !== expectedVersion) throw stale(current.version);
    // Only the guards whose key changes move; the others stay as they are.
    const oldGuards = guardsOf(current);
    const moved = guardsOf(p).filter((g, i) => g.pk !== oldGuards[i]?.pk);
    const movedFrom = oldGuards.filter((g) => moved.some((m) => m.field === g.field));
    const tx = new TransactItems<Role>().add('profile', {
      Put: {
        TableName: this.tableName,
        Item: toItem(p),
        // Also fails when the item is absent (no version attribute to compare).
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    });
    tx.add('freeGuard', ...movedFrom.map((g) => this.deleteGuard(g, p.id)));
    for (const g of moved) tx.add(g.field, this.putGuard(g, p.id));
    tx.add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      if (tx.codesOf(codes, 'profile').some(isTaken)) throw await this.staleOrMissing(p.id);
      for (const g of moved) {
        if (tx.codesOf(codes, g.field).some(isTaken)) throw takenError(g.field);
      }
      throw err;
    }
  }

  /**
   * Most updates keep the handle and owner, so no guard moves: one transaction, conditioned on the
   * stored version, handle and owner, writes the profile and its events without reading it first
   * (the caller has just read it to check access). False, with nothing written, when the condition fails.
   */
  private async updateInPlace(p: Profile, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<boolean> {
    const tx = new TransactItems<Role>().add('profile', {
      Put: {
        TableName: this.tableName,
        Item: toItem(p),
        // Also fails when the item is absent, or lacks handleKey (written before it was stored).
        ConditionExpression: 'version = :expected AND handleKey = :handleKey AND ownerId = :ownerId',
        ExpressionAttributeValues: { ':expected': expectedVersion, ':handleKey': handleKey(p.handle), ':ownerId': p.ownerId },
      },
    });
    tx.add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
      return true;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes && tx.codesOf(codes, 'profile').some(isTaken)) return false;
      throw err;
    }
  }

  async delete(id: string, expectedVersion: number, events: readonly ProfileDomainEvent[]): Promise<void> {
    const current = await this.get(id);
    if (!current) throw notFound('Profile');
    if (current.version !== expectedVersion) throw stale(current.version);
    const tx = new TransactItems<Role>().add('profile', {
      Delete: {
        TableName: this.tableName,
        Key: { pk: profilePk(id), sk: PROFILE_SK },
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    });
    tx.add('freeGuard', ...guardsOf(current).map((g) => this.deleteGuard(g, id)));
    tx.add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      // A concurrent update or delete changed the profile between our read and the transaction.
      if (tx.codesOf(codes, 'profile').some(isTaken)) throw await this.staleOrMissing(id);
      throw err;
    }
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return this.outbox.read(limit);
  }

  async ackOutbox(ids: string[]): Promise<void> {
    await this.outbox.ack(ids);
  }

  async get(id: string): Promise<Profile | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(id), sk: PROFILE_SK }, ConsistentRead: true }),
    );
    return fromItem(res.Item);
  }

  async version(id: string): Promise<number | null> {
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: profilePk(id), sk: PROFILE_SK },
        ConsistentRead: true,
        ProjectionExpression: '#v',
        ExpressionAttributeNames: { '#v': 'version' },
      }),
    );
    return typeof res.Item?.version === 'number' ? res.Item.version : null;
  }

  async getByHandle(handle: string): Promise<Profile | null> {
    const key = handleKey(handle);
    const p = await this.viaGuard(`HANDLE#${key}`);
    // The guard moved between our two reads (a concurrent rename): the profile no longer has this handle.
    return p && handleKey(p.handle) === key ? p : null;
  }

  async getByOwner(ownerId: string): Promise<Profile | null> {
    const p = await this.viaGuard(`OWNER#${ownerId}`);
    return p && p.ownerId === ownerId ? p : null;
  }

  async list(query: ProfileQuery, limit: number, nextToken?: string | null): Promise<ProfilePage> {
    const f = new Filter();
    let keyCondition = `${f.name('gsi1pk')} = ${f.value(LIST_PK)}`;
    if (nextToken) {
      const c = decodeCursor(nextToken, ['c', 'i'] as const);
      keyCondition += ` AND ${f.name('gsi1sk')} < ${f.value(listSk(c.c, c.i))}`;
    }
    if (query.readableBy.kind === 'publicOrOwner') {
      const ownerId = query.readableBy.ownerId;
      const pub = `${f.name('visibility')} = ${f.value('PUBLIC')}`;
      f.add(ownerId === null ? pub : `(${pub} OR ${f.name('ownerId')} = ${f.value(ownerId)})`);
    }
    if (query.skills) {
      const keys = [...new Set(query.skills.keys)];
      // No key matches nothing (as `IN ()` in SQLite); DynamoDB has no empty OR to express it.
      if (!keys.length) return { items: [], nextToken: null };
      const tests = keys.map((k) => `contains(${f.name('skillKeys')}, ${f.value(k)})`);
      f.add(`(${tests.join(query.skills.match === 'ANY' ? ' OR ' : ' AND ')})`);
    }
    const eq: [string, string | undefined][] = [
      ['availabilityStatus', query.availabilityStatus],
      ['countryCode', query.countryCode],
      ['remote', query.remote],
      ['currency', query.currency],
    ];
    for (const [attr, value] of eq) {
      if (value !== undefined) f.add(`${f.name(attr)} = ${f.value(value)}`);
    }
    if (query.maxDailyRate !== undefined) f.add(`${f.name('dailyRate')} <= ${f.value(query.maxDailyRate)}`);

    // GSI reads are eventually consistent on AWS: a profile written a moment ago may be missing from a list.
    const rows = await queryUpTo(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: keyCondition,
        FilterExpression: f.expression,
        ExpressionAttributeNames: f.names,
        ExpressionAttributeValues: f.values,
      },
      limit + 1,
    );
    const items = rows.slice(0, limit).flatMap((r) => fromItem(r) ?? []);
    const last = items.at(-1);
    return {
      items,
      // Keyset cursor from the last returned item (not LastEvaluatedKey, which may lie past unreturned matches).
      nextToken: rows.length > limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null,
    };
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client and destroys it once for every store. */
  async close(): Promise<void> {}

  private putGuard(g: Guard, profileId: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: g.pk, sk: GUARD_SK, profileId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Deletes a guard only if it is this profile's; a missing one is tolerated (nothing to free). */
  private deleteGuard(g: Guard, profileId: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { pk: g.pk, sk: GUARD_SK },
        ConditionExpression: 'attribute_not_exists(pk) OR profileId = :id',
        ExpressionAttributeValues: { ':id': profileId },
      },
    };
  }

  private async viaGuard(pk: string): Promise<Profile | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: GUARD_SK }, ConsistentRead: true }),
    );
    const profileId: unknown = res.Item?.profileId;
    return typeof profileId === 'string' ? this.get(profileId) : null;
  }

  private async staleOrMissing(id: string): Promise<AppError> {
    const current = await this.get(id);
    return current ? stale(current.version) : notFound('Profile');
  }
}

const stale = (currentVersion: number): AppError =>
  conflict('The profile was changed since you read it', { currentVersion, field: 'expectedVersion' });

/**
 * A guard's put failed because the value is taken, or because a concurrent transaction holds the
 * same guard item (TransactionConflict): the other writer wins, so this one reports CONFLICT.
 */
const isTaken = (code: string | undefined): boolean => code === 'ConditionalCheckFailed' || code === 'TransactionConflict';
