import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { TransactItems, cancellationCodes, isAwsError, queryUpTo } from '../../../shared/dynamodb.js';
import { conflict, notFound } from '../../../shared/errors.js';
import type { CatalogStore, ImportPage } from '../catalog-store.js';
import type { ApiKey, CatalogImport, ColumnMapping, ImportStatus, Partner, RowError } from '../model.js';

const FINAL: readonly ImportStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
type ImportPatch = Parameters<CatalogStore['updateImport']>[1];
type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const partnerKey = (id: string) => ({ pk: `PARTNER#${id}`, sk: 'PARTNER' });
const slugKey = (slug: string) => ({ pk: `PARTNER_SLUG#${slug}`, sk: 'GUARD' });
const memberKey = (accountId: string) => ({ pk: `MEMBER#${accountId}`, sk: 'MEMBER' });
const importKey = (id: string) => ({ pk: `IMPORT#${id}`, sk: 'IMPORT' });
const mappingKey = (partnerId: string) => ({ pk: `MAPPING#${partnerId}`, sk: 'MAPPING' });
const apiKeyKey = (id: string) => ({ pk: `APIKEY#${id}`, sk: 'APIKEY' });
const secretKey = (hash: string) => ({ pk: `APIKEY_SECRET#${hash}`, sk: 'GUARD' });
const PARTNERS = 'PARTNERS';
const API_KEYS = 'APIKEYS';
const importsPk = (partnerId: string) => `PARTNER_IMPORTS#${partnerId}`;
const membersPk = (partnerId: string) => `PARTNER_MEMBERS#${partnerId}`;
/** ISO timestamps have a fixed width: string order of `createdAt#id` is (createdAt, id) order. */
const listSk = (createdAt: string, id: string) => `${createdAt}#${id}`;

/** Rejected rows are stored in items of at most this many bytes of JSON (DynamoDB's item limit is 400 KB). */
const ERROR_CHUNK_BYTES = 300_000;
const errorSk = (n: number) => `ERRORS#${String(n).padStart(6, '0')}`;
/** Attempts of a read-modify-write that lost a race (updateImport). */
const MAX_ATTEMPTS = 5;

const docOf = <T>(item: Record<string, unknown> | undefined): T | null =>
  item && typeof item.doc === 'string' ? (JSON.parse(item.doc) as T) : null;

const definedOnly = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Partners sort by name ignoring case, then id (as SQLite's `COLLATE NOCASE, id`). */
const byName = (a: Partner, b: Partner): number => {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

const isLost = (code: string | undefined) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict';

/**
 * CatalogStore on the catalog DynamoDB table (shared with DynamoProductStore). Uniqueness through guard items
 * (partner slug, API key secret hash) written in the same transaction as their owner; partners, imports and keys
 * are JSON documents with the attributes their conditions and the `gsi1` listings need.
 */
export class DynamoCatalogStore implements CatalogStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ------------------------------------------------------------------------------------------------- partners

  private partnerItem(p: Partner): Record<string, unknown> {
    return { ...partnerKey(p.id), gsi1pk: PARTNERS, gsi1sk: p.id, slug: p.slug, doc: JSON.stringify(p) };
  }

  private putSlug(slug: string, partnerId: string) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...slugKey(slug), partnerId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async createPartner(partner: Partner): Promise<void> {
    const tx = new TransactItems<'partner' | 'slug'>()
      .add('partner', {
        Put: { TableName: this.tableName, Item: this.partnerItem(partner), ConditionExpression: 'attribute_not_exists(pk)' },
      })
      .add('slug', this.putSlug(partner.slug, partner.id));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes && tx.codesOf(codes, 'slug').some(isLost)) throw conflict('This slug is taken', { field: 'slug' });
      if (codes && tx.codesOf(codes, 'partner').some(isLost)) throw conflict('This partner already exists', { field: 'id' });
      throw err;
    }
  }

  async getPartner(id: string): Promise<Partner | null> {
    const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: partnerKey(id), ConsistentRead: true }));
    return docOf<Partner>(res.Item);
  }

  async updatePartner(partner: Partner): Promise<void> {
    const current = await this.getPartner(partner.id);
    if (!current) throw notFound('Partner');
    const tx = new TransactItems<'partner' | 'slug' | 'freeSlug'>().add('partner', {
      Put: {
        TableName: this.tableName,
        Item: this.partnerItem(partner),
        // The slug we move from must still be the stored one (a concurrent rename would otherwise leak a guard).
        ConditionExpression: 'slug = :slug',
        ExpressionAttributeValues: { ':slug': current.slug },
      },
    });
    if (partner.slug !== current.slug) {
      tx.add('slug', this.putSlug(partner.slug, partner.id));
      tx.add('freeSlug', {
        Delete: {
          TableName: this.tableName,
          Key: slugKey(current.slug),
          ConditionExpression: 'attribute_not_exists(pk) OR partnerId = :id',
          ExpressionAttributeValues: { ':id': partner.id },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes && tx.codesOf(codes, 'slug').some(isLost)) throw conflict('This slug is taken', { field: 'slug' });
      if (codes && tx.codesOf(codes, 'partner').some(isLost)) {
        throw conflict('The partner was changed meanwhile; try again', { field: 'slug' });
      }
      throw err;
    }
  }

  async listPartners(): Promise<Partner[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': PARTNERS },
    });
    return items.flatMap((i) => docOf<Partner>(i) ?? []).sort(byName);
  }

  // ---------------------------------------------------------------------------------------------- memberships

  async setMembership(accountId: string, partnerId: string | null): Promise<void> {
    if (partnerId === null) {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: memberKey(accountId) }));
      return;
    }
    // One item per account: an account belongs to at most one partner by construction.
    // listed per partner through gsi1
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...memberKey(accountId), partnerId, gsi1pk: membersPk(partnerId), gsi1sk: accountId },
      }),
    );
  }

  async listMembers(partnerId: string): Promise<string[]> {
    const rows = await queryUpTo(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': membersPk(partnerId) },
      },
      10_000,
    );
    return rows.map((r) => String(r.gsi1sk)).sort();
  }

  async partnerOf(accountId: string): Promise<string | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: memberKey(accountId), ConsistentRead: true }),
    );
    return typeof res.Item?.partnerId === 'string' ? res.Item.partnerId : null;
  }

  // -------------------------------------------------------------------------------------------------- imports

  private importItem(imp: CatalogImport, rev: number): Record<string, unknown> {
    return {
      ...importKey(imp.id),
      gsi1pk: importsPk(imp.partnerId),
      gsi1sk: listSk(imp.createdAt, imp.id),
      status: imp.status,
      rev,
      doc: JSON.stringify(imp),
    };
  }

  async createImport(imp: CatalogImport): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.importItem(imp, 0),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) throw conflict('This import already exists', { field: 'id' });
      throw err;
    }
  }

  async getImport(id: string): Promise<CatalogImport | null> {
    const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: importKey(id), ConsistentRead: true }));
    return docOf<CatalogImport>(res.Item);
  }

  async updateImport(id: string, patch: ImportPatch): Promise<CatalogImport> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: importKey(id), ConsistentRead: true }));
      const current = docOf<CatalogImport>(res.Item);
      if (!current) throw notFound('Import');
      if (FINAL.includes(current.status) && patch.status !== undefined && patch.status !== current.status) {
        throw conflict(`The import is already ${current.status}`, { status: current.status });
      }
      const rev = typeof res.Item?.rev === 'number' ? res.Item.rev : 0;
      const next: CatalogImport = { ...current, ...definedOnly(patch) };
      try {
        // Conditioned on the revision we read: a concurrent update (e.g. a cancel racing the runner) is re-read,
        // so a transition out of a final status is refused even then.
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.importItem(next, rev + 1),
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeValues: { ':rev': rev },
          }),
        );
        return next;
      } catch (err) {
        if (!isAwsError(err, 'ConditionalCheckFailedException') || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  async listImports(partnerId: string, limit: number, nextToken?: string | null): Promise<ImportPage> {
    let keyCondition = 'gsi1pk = :pk';
    const values: Record<string, unknown> = { ':pk': importsPk(partnerId) };
    if (nextToken) {
      const c = decodeCursor(nextToken, ['createdAt', 'id']);
      keyCondition += ' AND gsi1sk < :after';
      values[':after'] = listSk(c.createdAt, c.id);
    }
    const rows = await queryUpTo(
      this.client,
      { TableName: this.tableName, IndexName: 'gsi1', KeyConditionExpression: keyCondition, ExpressionAttributeValues: values },
      limit + 1,
    );
    const items = rows.slice(0, limit).flatMap((r) => docOf<CatalogImport>(r) ?? []);
    const last = items.at(-1);
    return {
      items,
      nextToken: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /**
   * Writes the rows (sorted by line) in items of about 300 KB, then deletes the items of a previous, longer list.
   * Not atomic: a reader during a rerun may see a mix, which the rerun then settles.
   */
  async setImportErrors(importId: string, errors: readonly RowError[]): Promise<void> {
    const sorted = [...errors].sort((a, b) => a.line - b.line);
    const chunks: RowError[][] = [];
    let current: RowError[] = [];
    let bytes = 0;
    for (const e of sorted) {
      const size = Buffer.byteLength(JSON.stringify(e)) + 1;
      if (current.length && bytes + size > ERROR_CHUNK_BYTES) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(e);
      bytes += size;
    }
    if (current.length) chunks.push(current);
    const existing = await this.errorItemKeys(importId);
    const puts = chunks.map((chunk, n): WriteRequest => ({
      PutRequest: { Item: { pk: importKey(importId).pk, sk: errorSk(n), errors: JSON.stringify(chunk) } },
    }));
    const deletes = existing.slice(chunks.length).map((key): WriteRequest => ({ DeleteRequest: { Key: key } }));
    await this.batchWrite([...puts, ...deletes]);
  }

  async *importErrors(importId: string): AsyncIterable<RowError> {
    let startKey: Record<string, unknown> | undefined;
    do {
      // One item per page: each holds up to 300 KB of rows, so memory stays bounded.
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :errors)',
          ExpressionAttributeValues: { ':pk': importKey(importId).pk, ':errors': 'ERRORS#' },
          ConsistentRead: true,
          Limit: 1,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (typeof item.errors === 'string') yield* JSON.parse(item.errors) as RowError[];
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async errorItemKeys(importId: string): Promise<Record<string, unknown>[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :errors)',
      ExpressionAttributeValues: { ':pk': importKey(importId).pk, ':errors': 'ERRORS#' },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    return items.map((i) => ({ pk: i.pk, sk: i.sk }));
  }

  // ------------------------------------------------------------------------------------------------- mappings

  async saveMapping(partnerId: string, mapping: ColumnMapping): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...mappingKey(partnerId), doc: JSON.stringify(mapping) } }),
    );
  }

  async getMapping(partnerId: string): Promise<ColumnMapping | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: mappingKey(partnerId), ConsistentRead: true }),
    );
    return docOf<ColumnMapping>(res.Item);
  }

  // ------------------------------------------------------------------------------------------------- API keys

  async createApiKey(key: ApiKey, secretHash: string): Promise<void> {
    const tx = new TransactItems<'key' | 'secret'>()
      .add('key', {
        Put: {
          TableName: this.tableName,
          Item: { ...apiKeyKey(key.id), gsi1pk: API_KEYS, gsi1sk: listSk(key.createdAt, key.id), doc: JSON.stringify(key) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      .add('secret', {
        Put: {
          TableName: this.tableName,
          Item: { ...secretKey(secretHash), keyId: key.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: tx.items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes && (tx.codesOf(codes, 'key').some(isLost) || tx.codesOf(codes, 'secret').some(isLost))) {
        throw conflict('This API key already exists', { field: 'id' });
      }
      throw err;
    }
  }

  async apiKeyBySecretHash(secretHash: string): Promise<ApiKey | null> {
    const lookup = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: secretKey(secretHash), ConsistentRead: true }),
    );
    const keyId: unknown = lookup.Item?.keyId;
    if (typeof keyId !== 'string') return null;
    const key = await this.getApiKey(keyId);
    return key && key.revokedAt === null ? key : null;
  }

  async listApiKeys(): Promise<ApiKey[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': API_KEYS },
      ScanIndexForward: false,
    });
    return items.flatMap((i) => docOf<ApiKey>(i) ?? []);
  }

  async revokeApiKey(id: string, at: string): Promise<void> {
    const key = await this.getApiKey(id);
    if (!key) throw notFound('API key');
    if (key.revokedAt) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: apiKeyKey(id),
          UpdateExpression: 'SET doc = :doc, revoked = :true',
          // The first revocation wins: its time is kept.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revoked)',
          ExpressionAttributeValues: { ':doc': JSON.stringify({ ...key, revokedAt: at }), ':true': true },
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'ConditionalCheckFailedException')) throw err;
    }
  }

  private async getApiKey(id: string): Promise<ApiKey | null> {
    const res = await this.client.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKey(id), ConsistentRead: true }));
    return docOf<ApiKey>(res.Item);
  }

  // ------------------------------------------------------------------------------------------------------ misc

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client. */
  async close(): Promise<void> {}

  private async queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** BatchWriteItem by 25, retrying unprocessed requests with a short backoff. */
  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt > 10) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${attempt} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const res = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = res.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}
