import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { cancellationCodes, isAwsError, queryUpTo } from '../../../shared/dynamodb.js';
import type { AccountStore, Page } from '../account-store.js';
import { GROUPS, type Account, type Group, type Session } from '../model.js';

const ACCOUNT_SK = 'ACCOUNT';
const SESSION_SK = 'SESSION';
const GUARD_SK = 'GUARD';
const LIST_PK = 'ACCOUNTS';
const accountPk = (id: string) => `ACCOUNT#${id}`;
const sessionPk = (id: string) => `SESSION#${id}`;
const emailPk = (emailKey: string) => `EMAIL#${emailKey}`;
/** ISO timestamps have a fixed width, so string order of the sort key is (createdAt, id) order. */
const listSk = (createdAt: string, id: string) => `${createdAt}#${id}`;

type Item = Record<string, unknown>;

const str = (item: Item, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB item ${String(item.pk)} has no string ${key}`);
  return v;
};
const isGroup = (g: unknown): g is Group => typeof g === 'string' && (GROUPS as readonly string[]).includes(g);

const toAccount = (item: Item): Account => ({
  id: str(item, 'id'),
  email: str(item, 'email'),
  emailKey: str(item, 'emailKey'),
  passwordHash: str(item, 'passwordHash'),
  groups: Array.isArray(item.groups) ? item.groups.filter(isGroup) : [],
  disabled: item.disabled === true,
  createdAt: str(item, 'createdAt'),
  updatedAt: str(item, 'updatedAt'),
});

const toSession = (item: Item): Session => ({
  id: str(item, 'id'),
  accountId: str(item, 'accountId'),
  refreshHash: str(item, 'refreshHash'),
  createdAt: str(item, 'createdAt'),
  expiresAt: str(item, 'expiresAt'),
  // Stored as an absent attribute while the session is live.
  revokedAt: typeof item.revokedAt === 'string' ? item.revokedAt : null,
});

/**
 * AccountStore on one DynamoDB table: account items (listed newest first through `gsi1`),
 * an e-mail guard item per account for uniqueness, and session items.
 */
export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createAccount(a: Account): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: accountPk(a.id),
                  sk: ACCOUNT_SK,
                  gsi1pk: LIST_PK,
                  gsi1sk: listSk(a.createdAt, a.id),
                  id: a.id,
                  email: a.email,
                  emailKey: a.emailKey,
                  passwordHash: a.passwordHash,
                  groups: a.groups,
                  disabled: a.disabled,
                  createdAt: a.createdAt,
                  updatedAt: a.updatedAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: emailPk(a.emailKey), sk: GUARD_SK, accountId: a.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      // A concurrent transaction holding the guard (TransactionConflict) is another writer taking
      // this e-mail: it wins, this one reports CONFLICT.
      if (codes[1] === 'ConditionalCheckFailed' || codes[1] === 'TransactionConflict') {
        throw conflict('An account with this e-mail already exists', { field: 'email' });
      }
      if (codes[0] === 'ConditionalCheckFailed') throw conflict('An account with this id already exists', { field: 'id' });
      throw err;
    }
  }

  async getAccount(id: string): Promise<Account | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: accountPk(id), sk: ACCOUNT_SK }, ConsistentRead: true }),
    );
    return res.Item ? toAccount(res.Item) : null;
  }

  async getAccountByEmail(emailKey: string): Promise<Account | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: emailPk(emailKey), sk: GUARD_SK }, ConsistentRead: true }),
    );
    const accountId: unknown = res.Item?.accountId;
    if (typeof accountId !== 'string') return null;
    const account = await this.getAccount(accountId);
    return account && account.emailKey === emailKey ? account : null;
  }

  async updateAccount(a: Account): Promise<void> {
    try {
      // emailKey never changes after creation, so the guard stays as it is.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: accountPk(a.id), sk: ACCOUNT_SK },
          UpdateExpression: 'SET #groups = :groups, passwordHash = :hash, disabled = :disabled, updatedAt = :at',
          // Without it UpdateItem would create a stray, partial account.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#groups': 'groups' },
          ExpressionAttributeValues: {
            ':groups': a.groups,
            ':hash': a.passwordHash,
            ':disabled': a.disabled,
            ':at': a.updatedAt,
          },
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) throw notFound('Account');
      throw err;
    }
  }

  async listAccounts(limit: number, nextToken?: string | null): Promise<Page<Account>> {
    const values: Item = { ':pk': LIST_PK };
    let keyCondition = 'gsi1pk = :pk';
    if (nextToken) {
      const c = decodeCursor(nextToken, ['c', 'i'] as const);
      keyCondition += ' AND gsi1sk < :after';
      values[':after'] = listSk(c.c, c.i);
    }
    const rows = await queryUpTo(
      this.client,
      { TableName: this.tableName, IndexName: 'gsi1', KeyConditionExpression: keyCondition, ExpressionAttributeValues: values },
      limit + 1,
    );
    const items = rows.slice(0, limit).map(toAccount);
    const last = items.at(-1);
    return {
      items,
      // From the last returned item, as in the SQLite adapter, so the next page starts right after it.
      nextToken: rows.length > limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null,
    };
  }

  async createSession(s: Session): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: sessionPk(s.id),
            sk: SESSION_SK,
            id: s.id,
            accountId: s.accountId,
            refreshHash: s.refreshHash,
            createdAt: s.createdAt,
            expiresAt: s.expiresAt,
            revokedAt: s.revokedAt ?? undefined,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) {
        throw conflict('A session with this id already exists', { field: 'id' });
      }
      throw err;
    }
  }

  async getSession(id: string): Promise<Session | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: sessionPk(id), sk: SESSION_SK }, ConsistentRead: true }),
    );
    return res.Item ? toSession(res.Item) : null;
  }

  async rotateSession(id: string, expectedHash: string, newHash: string, expiresAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: sessionPk(id), sk: SESSION_SK },
          UpdateExpression: 'SET refreshHash = :new, expiresAt = :exp',
          // Also false for a missing session: an absent refreshHash never equals :expected.
          ConditionExpression: 'refreshHash = :expected AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':new': newHash, ':exp': expiresAt, ':expected': expectedHash },
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async revokeSession(id: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: sessionPk(id), sk: SESSION_SK },
          UpdateExpression: 'SET revokedAt = :at',
          // First revocation wins; attribute_exists(pk) keeps a missing id from creating a stray item.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (err) {
      // Already revoked or missing: nothing to do (idempotent).
      if (!isAwsError(err, 'ConditionalCheckFailedException')) throw err;
    }
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client and destroys it once for every store. */
  async close(): Promise<void> {}
}
