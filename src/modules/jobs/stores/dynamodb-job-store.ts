import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { isAwsError } from '../../../shared/dynamodb.js';
import { notFound } from '../../../shared/errors.js';
import type { DomainEvent } from '../../../shared/events.js';
import type { JobPage, JobStore } from '../job-store.js';
import type { Job, JobStatus, NewJob } from '../model.js';

type Item = Record<string, unknown>;

const JOB_SK = 'JOB';
const jobPk = (id: string) => `JOB#${id}`;
/** gsi1 partition of the jobs a worker may claim: pending ones keyed by runAt, running ones by leaseUntil. */
const DUE_PK = 'DUE';
/** gsi1 partition of dead letters, keyed by updatedAt. A job is never due and dead at once. */
const DEAD_PK = 'DEAD';
/** ISO timestamps have a fixed width, so string order of `time#id` is (time, id) order. */
const indexSk = (time: string, id: string) => `${time}#${id}`;
/** Just above every `time#…` key of this instant ('$' follows '#'), for `gsi1sk < :bound`. */
const upTo = (time: string) => `${time}$`;

const STATUSES: readonly JobStatus[] = ['pending', 'running', 'done', 'dead'];
const isStatus = (s: unknown): s is JobStatus => typeof s === 'string' && (STATUSES as readonly string[]).includes(s);

/**
 * Every attribute the expressions below touch, behind a placeholder: several (`status`, `owner`…)
 * are DynamoDB reserved words. Only the names an expression uses may be sent with it.
 */
const names = (...attrs: string[]): Record<string, string> => Object.fromEntries(attrs.map((a) => [`#${a}`, a]));

const str = (item: Item, key: string): string => {
  const v = item[key];
  if (typeof v !== 'string') throw new Error(`DynamoDB item ${String(item.pk)} has no string ${key}`);
  return v;
};
const optStr = (item: Item, key: string): string | null => {
  const v = item[key];
  return typeof v === 'string' ? v : null;
};

const toJob = (item: Item): Job => {
  const status = item.status;
  if (!isStatus(status)) throw new Error(`DynamoDB item ${String(item.pk)} has an unknown status`);
  const attempts = item.attempts;
  if (typeof attempts !== 'number') throw new Error(`DynamoDB item ${String(item.pk)} has no attempts`);
  return {
    id: str(item, 'id'),
    handler: str(item, 'handler'),
    event: JSON.parse(str(item, 'event')) as DomainEvent,
    status,
    attempts,
    runAt: str(item, 'runAt'),
    // Absent rather than NULL when null.
    leaseOwner: optStr(item, 'leaseOwner'),
    leaseUntil: optStr(item, 'leaseUntil'),
    lastError: optStr(item, 'lastError'),
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
  };
};

/**
 * JobStore on one DynamoDB table (`<prefix>jobs`): one item per job (`pk = JOB#id`, `sk = JOB`),
 * the event as a JSON string. `gsi1` is sparse and holds two queues:
 * - `DUE`: pending jobs at `runAt#id` and running ones at `leaseUntil#id` — everything a claim may
 *   take once its time has come (an expired lease means the worker died);
 * - `DEAD`: dead letters at `updatedAt#id`, listed newest first.
 * Done jobs are in neither: they only guard against re-enqueueing until `purgeDone` removes them.
 *
 * GSI reads are eventually consistent, so the index only proposes candidates: every state change
 * is a conditional write on the job item itself, which is what makes a lease exclusive. A stale
 * index entry costs a failed condition, never a double lease. On AWS a job enqueued (or a lease that
 * expired) a moment ago may wait for the next claim; the `DUE` partition is a single hot key,
 * acceptable for this queue's volume.
 */
export class DynamoJobStore implements JobStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    const now = new Date().toISOString();
    // One conditional put per job (a transaction would fail whole on the first existing id); 25 at a time.
    for (let i = 0; i < jobs.length; i += 25) {
      await Promise.all(jobs.slice(i, i + 25).map((j) => this.insert(j, now)));
    }
  }

  private async insert(j: NewJob, now: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: jobPk(j.id),
            sk: JOB_SK,
            gsi1pk: DUE_PK,
            gsi1sk: indexSk(j.runAt, j.id),
            id: j.id,
            handler: j.handler,
            event: JSON.stringify(j.event),
            status: 'pending' satisfies JobStatus,
            attempts: 0,
            runAt: j.runAt,
            createdAt: now,
            updatedAt: now,
          },
          // An existing id, whatever its status, is left as it is.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'ConditionalCheckFailedException')) throw err;
    }
  }

  async claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<Job[]> {
    const leased: Job[] = [];
    if (limit <= 0) return leased;
    let startKey: Record<string, unknown> | undefined;
    // Candidates oldest first; more than `limit` per page since concurrent claimers take some of them.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: '#gsi1pk = :due AND #gsi1sk < :bound',
          ExpressionAttributeNames: names('gsi1pk', 'gsi1sk'),
          ExpressionAttributeValues: { ':due': DUE_PK, ':bound': upTo(now) },
          ProjectionExpression: 'id',
          Limit: Math.min(Math.max(limit * 2, 10), 200),
          ExclusiveStartKey: startKey,
        }),
      );
      const ids = (page.Items ?? []).flatMap((raw) => {
        const item: Item = raw;
        return typeof item.id === 'string' ? [item.id] : [];
      });
      // As many leases in parallel as still wanted, so that at most `limit` succeed; kept in index order.
      while (ids.length && leased.length < limit) {
        const batch = ids.splice(0, limit - leased.length);
        const jobs = await Promise.all(batch.map((id) => this.lease(id, owner, now, leaseUntil)));
        for (const job of jobs) if (job) leased.push(job);
      }
      if (leased.length >= limit) return leased;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return leased;
  }

  /** Leases one job if it is still due: the conditional write is the arbiter between claimers. */
  private async lease(id: string, owner: string, now: string, leaseUntil: string): Promise<Job | null> {
    const item = await this.conditionalUpdate({
      TableName: this.tableName,
      Key: { pk: jobPk(id), sk: JOB_SK },
      UpdateExpression:
        'SET #status = :running, #leaseOwner = :owner, #leaseUntil = :until, #attempts = #attempts + :one, ' +
        '#updatedAt = :now, #gsi1sk = :sk',
      ConditionExpression: '(#status = :pending AND #runAt <= :now) OR (#status = :running AND #leaseUntil <= :now)',
      ExpressionAttributeNames: names('status', 'leaseOwner', 'leaseUntil', 'attempts', 'updatedAt', 'gsi1sk', 'runAt'),
      ExpressionAttributeValues: {
        ':running': 'running',
        ':pending': 'pending',
        ':owner': owner,
        ':until': leaseUntil,
        ':one': 1,
        ':now': now,
        // Still in DUE, now keyed by the lease's end: if the worker dies, the job becomes due again then.
        ':sk': indexSk(leaseUntil, id),
      },
      ReturnValues: 'ALL_NEW',
    });
    return item && toJob(item);
  }

  async extendLease(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    const item = await this.conditionalUpdate({
      TableName: this.tableName,
      Key: { pk: jobPk(id), sk: JOB_SK },
      // the job stays in DUE keyed by the lease's end, so it becomes due again only when the new lease runs out
      UpdateExpression: 'SET #leaseUntil = :until, #updatedAt = :now, #gsi1sk = :sk',
      ConditionExpression: '#status = :running AND #leaseOwner = :owner AND #leaseUntil > :now',
      ExpressionAttributeNames: names('leaseUntil', 'updatedAt', 'gsi1sk', 'status', 'leaseOwner'),
      ExpressionAttributeValues: {
        ':until': leaseUntil,
        ':now': now,
        ':sk': indexSk(leaseUntil, id),
        ':running': 'running',
        ':owner': owner,
      },
    });
    return item !== null;
  }

  async complete(id: string, owner: string, now: string): Promise<boolean> {
    const done = await this.conditionalUpdate({
      TableName: this.tableName,
      Key: { pk: jobPk(id), sk: JOB_SK },
      // Out of gsi1 altogether: done jobs are neither due nor dead.
      UpdateExpression: 'SET #status = :done, #updatedAt = :now REMOVE #leaseOwner, #leaseUntil, #gsi1pk, #gsi1sk',
      ConditionExpression: '#status = :running AND #leaseOwner = :owner',
      ExpressionAttributeNames: names('status', 'updatedAt', 'leaseOwner', 'leaseUntil', 'gsi1pk', 'gsi1sk'),
      ExpressionAttributeValues: { ':done': 'done', ':now': now, ':running': 'running', ':owner': owner },
    });
    return done !== null;
  }

  async fail(id: string, owner: string, error: string, retryAt: string | null, now: string): Promise<boolean> {
    const retry = retryAt !== null;
    const failed = await this.conditionalUpdate({
      TableName: this.tableName,
      Key: { pk: jobPk(id), sk: JOB_SK },
      UpdateExpression: retry
        ? 'SET #status = :pending, #runAt = :retryAt, #lastError = :error, #updatedAt = :now, #gsi1sk = :sk ' +
          'REMOVE #leaseOwner, #leaseUntil'
        : 'SET #status = :dead, #lastError = :error, #updatedAt = :now, #gsi1pk = :dead_pk, #gsi1sk = :sk ' +
          'REMOVE #leaseOwner, #leaseUntil',
      ConditionExpression: '#status = :running AND #leaseOwner = :owner',
      ExpressionAttributeNames: retry
        ? names('status', 'runAt', 'lastError', 'updatedAt', 'gsi1sk', 'leaseOwner', 'leaseUntil')
        : names('status', 'lastError', 'updatedAt', 'gsi1pk', 'gsi1sk', 'leaseOwner', 'leaseUntil'),
      ExpressionAttributeValues: {
        ':running': 'running',
        ':owner': owner,
        ':error': error,
        ':now': now,
        ...(retry
          ? { ':pending': 'pending', ':retryAt': retryAt, ':sk': indexSk(retryAt, id) }
          : { ':dead': 'dead', ':dead_pk': DEAD_PK, ':sk': indexSk(now, id) }),
      },
    });
    return failed !== null;
  }

  async get(id: string): Promise<Job | null> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: jobPk(id), sk: JOB_SK }, ConsistentRead: true }),
    );
    const item: Item | undefined = res.Item;
    return item ? toJob(item) : null;
  }

  async listDead(limit: number, nextToken?: string | null): Promise<JobPage> {
    const values: Item = { ':dead': DEAD_PK };
    let keyCondition = '#gsi1pk = :dead';
    const attrNames = names('gsi1pk');
    if (nextToken) {
      const c = decodeCursor(nextToken, ['u', 'i'] as const);
      keyCondition += ' AND #gsi1sk < :after';
      Object.assign(attrNames, names('gsi1sk'));
      values[':after'] = indexSk(c.u, c.i);
    }
    const rows: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    // No filter, so one page normally suffices; the loop covers DynamoDB's 1 MB page cap.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: keyCondition,
          ExpressionAttributeNames: attrNames,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit + 1 - rows.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) rows.push(raw);
      startKey = page.LastEvaluatedKey;
    } while (startKey && rows.length < limit + 1);
    const items = rows.slice(0, limit).map(toJob);
    const last = items.at(-1);
    return { items, nextToken: rows.length > limit && last ? encodeCursor({ u: last.updatedAt, i: last.id }) : null };
  }

  async retryDead(id: string, now: string): Promise<Job> {
    const item = await this.conditionalUpdate({
      TableName: this.tableName,
      Key: { pk: jobPk(id), sk: JOB_SK },
      // Back in DUE, due right away. lastError stays, as in the SQLite adapter.
      UpdateExpression:
        'SET #status = :pending, #attempts = :zero, #runAt = :now, #updatedAt = :now, #gsi1pk = :due, #gsi1sk = :sk',
      ConditionExpression: '#status = :dead',
      ExpressionAttributeNames: names('status', 'attempts', 'runAt', 'updatedAt', 'gsi1pk', 'gsi1sk'),
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':zero': 0,
        ':now': now,
        ':due': DUE_PK,
        ':sk': indexSk(now, id),
        ':dead': 'dead',
      },
      ReturnValues: 'ALL_NEW',
    });
    if (!item) throw notFound('Dead letter');
    return toJob(item);
  }

  async discardDead(id: string): Promise<Job> {
    try {
      const res = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: jobPk(id), sk: JOB_SK },
          ConditionExpression: '#status = :dead',
          ExpressionAttributeNames: names('status'),
          ExpressionAttributeValues: { ':dead': 'dead' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item: Item | undefined = res.Attributes;
      if (!item) throw new Error(`DynamoDB returned no attributes for deleted job ${id}`);
      return toJob(item);
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) throw notFound('Dead letter');
      throw err;
    }
  }

  /**
   * A consistent Scan of the whole table projecting only the status: O(number of jobs), done ones
   * included until purged. Meant for the admin view and metrics at a modest rate, not a hot path.
   */
  async counts(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: '#status',
          ExpressionAttributeNames: names('status'),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item: Item = raw;
        if (isStatus(item.status)) counts[item.status] += 1;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  /**
   * Done jobs are not indexed (they leave gsi1), so this Scans the table with a filter: O(number of
   * jobs), fine for an hourly janitor. Each delete is conditional, so a job that changed meanwhile stays.
   */
  async purgeDone(before: string): Promise<number> {
    let purged = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#status = :done AND #updatedAt < :before',
          ProjectionExpression: 'pk, sk',
          ExpressionAttributeNames: names('status', 'updatedAt'),
          ExpressionAttributeValues: { ':done': 'done', ':before': before },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (page.Items ?? []).flatMap((raw) => {
        const item: Item = raw;
        return typeof item.pk === 'string' && typeof item.sk === 'string' ? [{ pk: item.pk, sk: item.sk }] : [];
      });
      for (let i = 0; i < keys.length; i += 25) {
        const deleted = await Promise.all(keys.slice(i, i + 25).map((key) => this.deleteDone(key, before)));
        purged += deleted.filter(Boolean).length;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return purged;
  }

  private async deleteDone(key: { pk: string; sk: string }, before: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: '#status = :done AND #updatedAt < :before',
          ExpressionAttributeNames: names('status', 'updatedAt'),
          ExpressionAttributeValues: { ':done': 'done', ':before': before },
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  /** Nothing to release: the composition root owns the client and destroys it once for every store. */
  async close(): Promise<void> {}

  /** Runs a conditional UpdateItem: its returned attributes (`{}` unless asked for), or null when the condition failed. */
  private async conditionalUpdate(input: UpdateCommandInput): Promise<Item | null> {
    try {
      const res = await this.client.send(new UpdateCommand(input));
      const item: Item = res.Attributes ?? {};
      return item;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return null;
      throw err;
    }
  }
}
