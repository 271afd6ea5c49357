import type { Job, JobStatus, NewJob } from './model.js';

export interface JobPage {
  items: Job[];
  nextToken: string | null;
}

/**
 * Port: the durable job queue the worker drains. Adapters: `sqlite` ($DATA_DIR/jobs.db, default),
 * `dynamodb`. Both pass `test/conformance/job-store.suite.ts`. Times are ISO strings.
 */
export interface JobStore {
  /** Inserts jobs whose id is new; an existing id (any status) is left as it is. */
  enqueue(jobs: readonly NewJob[]): Promise<void>;
  /**
   * Atomically leases up to `limit` due jobs to `owner` until `leaseUntil`: pending jobs whose runAt ≤ now,
   * and running jobs whose lease expired (their worker died). Increments `attempts`. Oldest runAt first.
   */
  claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<Job[]>;
  /**
   * Moves the lease of a job `owner` is still running to `leaseUntil` (a heartbeat for long handlers such as
   * catalog imports); false if `owner` no longer holds the lease (it expired and another worker took the job).
   */
  extendLease(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean>;
  /** Marks a leased job done; false if `owner` no longer holds the lease (nothing changes then). */
  complete(id: string, owner: string, now: string): Promise<boolean>;
  /** Records a failure: back to pending at `retryAt`, or dead when `retryAt` is null. False if the lease was lost. */
  fail(id: string, owner: string, error: string, retryAt: string | null, now: string): Promise<boolean>;
  /** The job with this id, or null. */
  get(id: string): Promise<Job | null>;
  /** Dead jobs, most recently failed first. */
  listDead(limit: number, nextToken?: string | null): Promise<JobPage>;
  /** Moves a dead job back to pending, due at `now`, with attempts reset; NOT_FOUND unless it is dead. */
  retryDead(id: string, now: string): Promise<Job>;
  /** Deletes a dead job; NOT_FOUND unless it is dead. Returns what was deleted. */
  discardDead(id: string): Promise<Job>;
  /** Number of jobs in each status. */
  counts(): Promise<Record<JobStatus, number>>;
  /** Deletes done jobs updated before `before` (they only guard against re-enqueueing). Returns how many. */
  purgeDone(before: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
