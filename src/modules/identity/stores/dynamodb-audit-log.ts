import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { queryUpTo } from '../../../shared/dynamodb.js';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType, type AuditFilter, type AuditLog } from '../audit-log.js';

const AUDIT_SK = 'AUDIT';
/** gsi1 partition holding every audit event, newest first by `at#id`. */
const AUDIT_LIST_PK = 'AUDIT';
const auditPk = (id: string) => `AUDIT#${id}`;
/** ISO timestamps have a fixed width, so string order of the sort key is (at, id) order. */
const listSk = (at: string, id: string) => `${at}#${id}`;

type Item = Record<string, unknown>;

const str = (item: Item, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB audit item ${String(item.pk)} has no string ${key}`);
  return v;
};
const strOrNull = (item: Item, key: string): string | null => {
  const v = item[key];
  return typeof v === 'string' ? v : null;
};
const isType = (t: unknown): t is AuditEventType => typeof t === 'string' && (AUDIT_EVENT_TYPES as readonly string[]).includes(t);

const toDetails = (raw: unknown): AuditEvent['details'] => {
  const details: AuditEvent['details'] = {};
  if (typeof raw !== 'object' || raw === null) return details;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') details[k] = v;
  }
  return details;
};

const toEvent = (item: Item): AuditEvent => {
  if (!isType(item.type)) throw new Error(`DynamoDB audit item ${String(item.pk)} has an unknown type`);
  return {
    id: str(item, 'id'),
    at: str(item, 'at'),
    type: item.type,
    accountId: strOrNull(item, 'accountId'),
    email: strOrNull(item, 'email'),
    actorId: strOrNull(item, 'actorId'),
    ip: strOrNull(item, 'ip'),
    userAgent: strOrNull(item, 'userAgent'),
    details: toDetails(item.details),
  };
};

/**
 * AuditLog as items of the identity module's table (`<prefix>accounts`): one item per event, listed through
 * gsi1 under a single `AUDIT` partition. Filtering by account is a FilterExpression on that listing — fine
 * at this volume; a busy deployment would add a per-account index partition (a second item per event).
 * One gsi1 partition takes about 1,000 writes per second, far above the rate of sign-ins here.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(e: AuditEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: auditPk(e.id),
          sk: AUDIT_SK,
          gsi1pk: AUDIT_LIST_PK,
          gsi1sk: listSk(e.at, e.id),
          id: e.id,
          at: e.at,
          type: e.type,
          // null attributes are dropped (removeUndefinedValues), and read back as null
          accountId: e.accountId ?? undefined,
          email: e.email ?? undefined,
          actorId: e.actorId ?? undefined,
          ip: e.ip ?? undefined,
          userAgent: e.userAgent ?? undefined,
          details: e.details,
        },
      }),
    );
  }

  async list(
    filter: AuditFilter,
    limit: number,
    nextToken?: string | null,
  ): Promise<{ items: AuditEvent[]; nextToken: string | null }> {
    const values: Item = { ':pk': AUDIT_LIST_PK };
    let keyCondition = 'gsi1pk = :pk';
    if (nextToken) {
      const c = decodeCursor(nextToken, ['a', 'i'] as const);
      keyCondition += ' AND gsi1sk < :after';
      values[':after'] = listSk(c.a, c.i);
    }
    const byAccount = filter.accountId !== undefined;
    if (byAccount) values[':account'] = filter.accountId;
    const rows = await queryUpTo(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: keyCondition,
        ...(byAccount ? { FilterExpression: 'accountId = :account' } : {}),
        ExpressionAttributeValues: values,
      },
      limit + 1,
    );
    const items = rows.slice(0, limit).map(toEvent);
    const last = items.at(-1);
    return {
      items,
      // From the last returned item, as in the SQLite adapter, so the next page starts right after it.
      nextToken: rows.length > limit && last ? encodeCursor({ a: last.at, i: last.id }) : null,
    };
  }

  async close(): Promise<void> {
    // The client belongs to the caller (createAdapters destroys it).
    return Promise.resolve();
  }
}
