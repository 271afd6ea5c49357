import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { DynamoOutbox, TransactItems, cancellationCodes, isAwsError, queryUpTo } from '../../../shared/dynamodb.js';
import type { DomainEvent } from '../../../shared/events.js';
import type { AccountStore, Page } from '../account-store.js';
import type { IdentityDomainEvent } from '../events.js';
import {
  GROUPS,
  LOCALES,
  NO_MFA,
  type Account,
  type FederatedLink,
  type Group,
  type Locale,
  type MfaState,
  type OneTimeGrant,
  type PendingCode,
  type Session,
} from '../model.js';

const ACCOUNT_SK = 'ACCOUNT';
const SESSION_SK = 'SESSION';
const GUARD_SK = 'GUARD';
const LIST_PK = 'ACCOUNTS';
const accountPk = (id: string) => `ACCOUNT#${id}`;
const sessionPk = (id: string) => `SESSION#${id}`;
const emailPk = (emailKey: string) => `EMAIL#${emailKey}`;
/** The guard item of an external identity: its key makes (provider, subject) unique, it holds the account id. */
const federatedPk = (provider: string, subject: string) => `FEDERATED#${provider}#${subject}`;
const grantPk = (hash: string) => `GRANT#${hash}`;
const settingPk = (name: string) => `SETTING#${name}`;
const GRANT_SK = 'GRANT';
const SETTING_SK = 'SETTING';
/** gsi1 partition of an account's live sessions (sparse: revocation removes the session from it). */
const accountSessionsPk = (accountId: string) => `ACCOUNT_SESSIONS#${accountId}`;
/** ISO timestamps have a fixed width, so string order of the sort key is (createdAt, id) order. */
const listSk = (createdAt: string, id: string) => `${createdAt}#${id}`;

type Item = Record<string, unknown>;

const str = (item: Item, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB item ${String(item.pk)} has no string ${key}`);
  return v;
};
const isGroup = (g: unknown): g is Group => typeof g === 'string' && (GROUPS as readonly string[]).includes(g);
const isLocale = (l: unknown): l is Locale => typeof l === 'string' && (LOCALES as readonly string[]).includes(l);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const toPendingCode = (v: unknown, where: string): PendingCode => {
  if (
    isRecord(v) &&
    typeof v.hash === 'string' &&
    typeof v.expiresAt === 'string' &&
    typeof v.attempts === 'number' &&
    typeof v.sentAt === 'string'
  ) {
    return { hash: v.hash, expiresAt: v.expiresAt, attempts: v.attempts, sentAt: v.sentAt };
  }
  throw new Error(`DynamoDB item ${where} has a malformed one-time code`);
};

/** `lockout` is a DynamoDB map; absent on accounts written before lockouts existed. */
const toLockout = (item: Item): Account['lockout'] => {
  const raw = item.lockout;
  if (!isRecord(raw)) return { failures: 0, lockedUntil: null };
  return {
    failures: typeof raw.failures === 'number' ? raw.failures : 0,
    lockedUntil: typeof raw.lockedUntil === 'string' ? raw.lockedUntil : null,
  };
};

/** `codes` is a DynamoDB map; absent on accounts written before codes existed. */
const toCodes = (item: Item): Account['codes'] => {
  const raw = item.codes;
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw new Error(`DynamoDB item ${String(item.pk)} has malformed codes`);
  const codes: Account['codes'] = {};
  if (raw.verify !== undefined) codes.verify = toPendingCode(raw.verify, String(item.pk));
  if (raw.reset !== undefined) codes.reset = toPendingCode(raw.reset, String(item.pk));
  return codes;
};

/** `mfa` is a DynamoDB map; absent on accounts written before MFA existed (MFA off). */
const toMfa = (item: Item): MfaState => {
  const raw = item.mfa;
  if (raw === undefined) return { ...NO_MFA };
  if (!isRecord(raw)) throw new Error(`DynamoDB item ${String(item.pk)} has a malformed mfa`);
  return {
    totpSecret: typeof raw.totpSecret === 'string' ? raw.totpSecret : null,
    pendingSecret: typeof raw.pendingSecret === 'string' ? raw.pendingSecret : null,
    lastStep: typeof raw.lastStep === 'number' ? raw.lastStep : 0,
    recoveryCodes: Array.isArray(raw.recoveryCodes) ? raw.recoveryCodes.filter((c): c is string => typeof c === 'string') : [],
    enabledAt: typeof raw.enabledAt === 'string' ? raw.enabledAt : null,
  };
};

const toLocale = (item: Item): Locale => {
  // Absent on accounts written before locales existed: French, the default (as in the SQLite migration).
  if (item.locale === undefined) return 'fr';
  if (!isLocale(item.locale)) throw new Error(`DynamoDB item ${String(item.pk)} has an unknown locale`);
  return item.locale;
};

const toAccount = (item: Item): Account => ({
  id: str(item, 'id'),
  email: str(item, 'email'),
  emailKey: str(item, 'emailKey'),
  passwordHash: str(item, 'passwordHash'),
  groups: Array.isArray(item.groups) ? item.groups.filter(isGroup) : [],
  disabled: item.disabled === true,
  // Accounts written before e-mail verification existed count as verified (as in the SQLite migration).
  emailVerified: item.emailVerified === undefined ? true : item.emailVerified === true,
  locale: toLocale(item),
  codes: toCodes(item),
  lockout: toLockout(item),
  mfa: toMfa(item),
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
 * an e-mail guard item per account for uniqueness, session items (each live one also indexed
 * in `gsi1` under its account), and the module's outbox (`pk = OUTBOX`, see `DynamoOutbox`)
 * whose items join every account write transaction.
 */
export class DynamoAccountStore implements AccountStore {
  readonly outboxName = 'identity';
  private readonly outbox: DynamoOutbox;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.outbox = new DynamoOutbox(client, tableName);
  }

  async createAccount(a: Account, events: readonly IdentityDomainEvent[]): Promise<void> {
    const tx = new TransactItems<'account' | 'email' | 'outbox'>()
      .add('account', {
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
            emailVerified: a.emailVerified,
            locale: a.locale,
            codes: a.codes,
            lockout: a.lockout,
            mfa: a.mfa,
            createdAt: a.createdAt,
            updatedAt: a.updatedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      .add('email', {
        Put: {
          TableName: this.tableName,
          Item: { pk: emailPk(a.emailKey), sk: GUARD_SK, accountId: a.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      .add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      // A concurrent transaction holding the guard (TransactionConflict) is another writer taking
      // this e-mail: it wins, this one reports CONFLICT.
      const email = tx.codesOf(codes, 'email')[0];
      if (email === 'ConditionalCheckFailed' || email === 'TransactionConflict') {
        throw conflict('An account with this e-mail already exists', { field: 'email' });
      }
      if (tx.codesOf(codes, 'account')[0] === 'ConditionalCheckFailed') {
        throw conflict('An account with this id already exists', { field: 'id' });
      }
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

  async updateAccount(a: Account, events: readonly IdentityDomainEvent[], expectedUpdatedAt?: string): Promise<void> {
    // Every field but id, email, emailKey and createdAt; emailKey never changes, so the guard stays as it is.
    const tx = new TransactItems<'account' | 'outbox'>()
      .add('account', {
        Update: {
          TableName: this.tableName,
          Key: { pk: accountPk(a.id), sk: ACCOUNT_SK },
          UpdateExpression:
            'SET #groups = :groups, #passwordHash = :hash, #disabled = :disabled, #emailVerified = :verified, ' +
            '#locale = :locale, #codes = :codes, #lockout = :lockout, #mfa = :mfa, #updatedAt = :at',
          // Without it UpdateItem would create a stray, partial account.
          ConditionExpression: 'attribute_exists(pk)' + (expectedUpdatedAt === undefined ? '' : ' AND #updatedAt = :expected'),
          ExpressionAttributeNames: {
            '#groups': 'groups',
            '#passwordHash': 'passwordHash',
            '#disabled': 'disabled',
            '#emailVerified': 'emailVerified',
            '#locale': 'locale',
            '#codes': 'codes',
            '#lockout': 'lockout',
            '#mfa': 'mfa',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':groups': a.groups,
            ':hash': a.passwordHash,
            ':disabled': a.disabled,
            ':verified': a.emailVerified,
            ':locale': a.locale,
            ':codes': a.codes,
            ':lockout': a.lockout,
            ':mfa': a.mfa,
            ':at': a.updatedAt,
            ...(expectedUpdatedAt === undefined ? {} : { ':expected': expectedUpdatedAt }),
          },
        },
      })
      .add('outbox', ...this.outbox.puts(events));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes && tx.codesOf(codes, 'account')[0] === 'ConditionalCheckFailed') {
        const exists = expectedUpdatedAt !== undefined && (await this.getAccount(a.id)) !== null;
        throw exists ? conflict('The account changed meanwhile') : notFound('Account');
      }
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
            // Indexed under its account while live, for revokeAccountSessions.
            ...(s.revokedAt === null ? { gsi1pk: accountSessionsPk(s.accountId), gsi1sk: listSk(s.createdAt, s.id) } : {}),
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
    // Already revoked or missing: nothing to do (idempotent).
    await this.revokeLive(id, null, at);
  }

  /** Revokes the session if it exists, is live (and belongs to `accountId` when given); true if this call revoked it. */
  private async revokeLive(id: string, accountId: string | null, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: sessionPk(id), sk: SESSION_SK },
          // Leaving gsi1 keeps the account's index of live sessions short.
          UpdateExpression: 'SET revokedAt = :at REMOVE gsi1pk, gsi1sk',
          // First revocation wins; attribute_exists(pk) keeps a missing id from creating a stray item.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(revokedAt)' + (accountId === null ? '' : ' AND accountId = :account'),
          ExpressionAttributeValues: { ':at': at, ...(accountId === null ? {} : { ':account': accountId }) },
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async revokeAccountSessions(accountId: string, at: string): Promise<number> {
    // gsi1 holds the account's live sessions. GSI reads are eventually consistent: on AWS a session
    // created a moment ago may be missing here. Sessions written before this index existed are not
    // in it either (they expire on their own).
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': accountSessionsPk(accountId) },
          ProjectionExpression: 'id',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item: Item = raw;
        if (typeof item.id === 'string') ids.push(item.id);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Each revocation is conditional on the session still being live: only those this call revoked count.
    const revoked = await Promise.all(ids.map((id) => this.revokeLive(id, accountId, at)));
    return revoked.filter(Boolean).length;
  }

  async linkFederatedIdentity(link: FederatedLink): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: federatedPk(link.provider, link.subject), sk: GUARD_SK, ...link },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) {
        throw conflict('This external identity is linked already', { field: 'subject' });
      }
      throw err;
    }
  }

  async getFederatedLink(provider: string, subject: string): Promise<FederatedLink | null> {
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: federatedPk(provider, subject), sk: GUARD_SK },
        ConsistentRead: true,
      }),
    );
    if (!res.Item) return null;
    const item: Item = res.Item;
    return {
      provider: str(item, 'provider'),
      subject: str(item, 'subject'),
      accountId: str(item, 'accountId'),
      email: str(item, 'email'),
      createdAt: str(item, 'createdAt'),
    };
  }

  async putGrant(g: OneTimeGrant): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        // `expiresAtEpoch` lets a TTL on the table sweep grants nobody took; reads check expiresAt themselves.
        Item: { pk: grantPk(g.hash), sk: GRANT_SK, ...g, expiresAtEpoch: Math.ceil(Date.parse(g.expiresAt) / 1000) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async takeGrant(hash: string): Promise<OneTimeGrant | null> {
    // An unconditional delete returns the old item to every concurrent caller (the conformance suite caught
    // it): conditioned on the item existing, only the delete that removed it succeeds.
    let res;
    try {
      res = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: grantPk(hash), sk: GRANT_SK },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return null;
      throw err;
    }
    if (!res.Attributes) return null;
    const item: Item = res.Attributes;
    const details = isRecord(item.details) ? item.details : {};
    const purpose = str(item, 'purpose');
    if (purpose !== 'federated_sign_in') throw new Error(`DynamoDB item ${String(item.pk)} has an unknown purpose`);
    return {
      hash: str(item, 'hash'),
      purpose,
      accountId: str(item, 'accountId'),
      expiresAt: str(item, 'expiresAt'),
      details: Object.fromEntries(Object.entries(details).filter((e): e is [string, string] => typeof e[1] === 'string')),
    };
  }

  async getSetting(name: string): Promise<string | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: settingPk(name), sk: SETTING_SK }, ConsistentRead: true }),
    );
    const value: unknown = res.Item?.value;
    return typeof value === 'string' ? value : null;
  }

  async putSetting(name: string, value: string, at: string): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: settingPk(name), sk: SETTING_SK, value, updatedAt: at } }),
    );
  }

  async readOutbox(limit: number): Promise<DomainEvent[]> {
    return this.outbox.read(limit);
  }

  async ackOutbox(ids: string[]): Promise<void> {
    await this.outbox.ack(ids);
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client and destroys it once for every store. */
  async close(): Promise<void> {}
}
